"""High-level APIs: pose estimation, tracking, drawing and inference.

Modules by concept: ``inference`` (a recognizer on skeletons), ``pose``
(per-frame pose backends), ``tracking`` (poses into person tracks),
``drawing`` (skeletons and text on frames), ``onnx_recognizer``. The pose
result type and box geometry are in :mod:`pyskl.structures`, video input and
output in :mod:`pyskl.io`.
"""
from pyskl.io import VideoReadError, VideoSource
from pyskl.structures import PoseResult

from .inference import (config_layout, inference_recognizer, inference_recognizer_batch,
                        init_recognizer, load_label_map,
                        prepare_skeleton, sliding_windows)
from .pose import PoseEstimator, build_pose_estimator
from .tracking import PoseTracker, track_poses

__all__ = ['PoseEstimator', 'PoseResult', 'PoseTracker', 'VideoReadError', 'VideoSource',
           'build_pose_estimator', 'config_layout', 'inference_recognizer',
           'inference_recognizer_batch', 'init_recognizer',
           'load_label_map', 'prepare_skeleton', 'sliding_windows', 'track_poses']
