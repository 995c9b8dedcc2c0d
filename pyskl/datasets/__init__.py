"""Datasets and pose pipeline transforms."""
from . import transforms  # noqa: F401  (registers the transforms)
from .pose_dataset import AnnotationError, PipelineError, PoseDataset
from .samplers import ClassSpecificDistributedSampler

__all__ = ['PoseDataset', 'AnnotationError', 'PipelineError', 'ClassSpecificDistributedSampler']
