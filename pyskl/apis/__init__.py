"""High-level APIs: pose estimation, tracking, video I/O and inference."""
from .inference import (config_layout, inference_recognizer, init_recognizer, load_label_map,
                        prepare_skeleton, sliding_windows)
from .pose import PoseEstimator, PoseResult, build_pose_estimator
from .tracking import PoseTracker, track_poses
from .video import VideoReadError, VideoSource

__all__ = ['PoseEstimator', 'PoseResult', 'PoseTracker', 'VideoReadError', 'VideoSource',
           'build_pose_estimator', 'config_layout', 'inference_recognizer', 'init_recognizer',
           'load_label_map', 'prepare_skeleton', 'sliding_windows', 'track_poses']
