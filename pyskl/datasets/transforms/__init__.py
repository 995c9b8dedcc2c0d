"""Pose pipeline transforms (registered in ``pyskl.registry.TRANSFORMS``)."""
from .augment import RandomRot, RandomScale
from .base import PoseTransform
from .decompress import DecompressPose
from .features import GenSkeFeat, JointToBone, MergeSkeFeat, ToMotion
from .flip import Flip, Flip3D
from .formatting import FormatGCNInput, FormatShape, MergePersons, PackActionInputs, PadTo
from .geometry import CenterCrop, PoseCompact, RandomResizedCrop, Resize
from .heatmap import GeneratePoseTarget
from .multimodal import MMCompact, MMDecode, MMUniformSampleFrames
from .normalize import PreNormalize2D, PreNormalize3D
from .sampling import PoseDecode, UniformSampleFrames

__all__ = ['PoseTransform', 'UniformSampleFrames', 'PoseDecode', 'PreNormalize2D',
           'PreNormalize3D', 'GenSkeFeat', 'JointToBone', 'ToMotion', 'MergeSkeFeat',
           'RandomScale', 'RandomRot', 'Flip', 'Flip3D', 'PadTo', 'MergePersons',
           'FormatGCNInput', 'FormatShape',
           'PackActionInputs', 'PoseCompact', 'Resize', 'RandomResizedCrop', 'CenterCrop',
           'GeneratePoseTarget', 'MMUniformSampleFrames', 'MMDecode', 'MMCompact',
           'DecompressPose']
