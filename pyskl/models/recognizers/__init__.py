from .base import BaseRecognizer
from .mm_recognizer3d import MMRecognizer3D
from .recognizer3d import Recognizer3D
from .recognizer_gcn import RecognizerGCN

__all__ = ['BaseRecognizer', 'RecognizerGCN', 'Recognizer3D', 'MMRecognizer3D']
