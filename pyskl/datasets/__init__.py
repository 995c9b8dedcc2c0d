"""Datasets and pose pipeline transforms."""
from . import transforms  # noqa: F401  (registers the transforms)
from .pose_dataset import AnnotationError, PipelineError, PoseDataset
from .samplers import ClassSpecificDistributedSampler
from .wrappers import MinLengthRepeatDataset

__all__ = ['PoseDataset', 'AnnotationError', 'PipelineError', 'ClassSpecificDistributedSampler',
           'MinLengthRepeatDataset']
