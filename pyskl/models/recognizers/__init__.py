from .base import BaseRecognizer
from .recognizer3d import Recognizer3D
from .recognizer_gcn import RecognizerGCN

__all__ = ['BaseRecognizer', 'RecognizerGCN', 'Recognizer3D']
