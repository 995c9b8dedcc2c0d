"""Per-frame 2D pose estimators for the demo and for building datasets.

Every estimator is called on one BGR frame (H, W, 3) uint8 and returns a
:class:`~pyskl.structures.PoseResult` in pixels of that frame. Backends, by
the name ``build_pose_estimator`` and ``--pose-backend`` take:

* ``'mediapipe'`` -- MediaPipe's legacy Pose solution (BlazePose GHUM, one
  person per frame; the model ships inside the MediaPipe 0.10.21 wheel,
  nothing is downloaded: ``pip install -e .[demo]``), mapped to COCO-17.
* ``'mediapipe-multi'`` -- OpenCV's HOG person detector (part of OpenCV,
  offline) finds people, then MediaPipe Pose runs on each person's crop.
* ``'mediapipe-hands'`` -- MediaPipe Hands, 21 landmarks per hand (layout
  ``handmp``).
* ``'mmpose'`` -- an mmdet detector + mmpose top-down model from config and
  checkpoint files (PYSKL/MMAction2 ``--det-config --det-checkpoint
  --pose-config --pose-checkpoint``), when both packages are installed.

Modules: ``base`` (the interface), ``hog`` (person boxes),
``mediapipe_backends``, ``mmpose_backend``; box geometry and the result type
live in :mod:`pyskl.structures`.
"""
from pyskl.structures import PoseResult

from .base import PoseEstimator
from .hog import HOGPersonDetector
from .mediapipe_backends import MediaPipeHands, MediaPipeMultiPose, MediaPipePose
from .mmpose_backend import MMPosePose

POSE_BACKENDS = dict(mediapipe=MediaPipePose, **{'mediapipe-multi': MediaPipeMultiPose,
                                                 'mediapipe-hands': MediaPipeHands,
                                                 'mmpose': MMPosePose})


def build_pose_estimator(backend: str = 'mediapipe', **kwargs) -> PoseEstimator:
    """Build a pose estimator by backend name (``POSE_BACKENDS``).

    Raises:
        KeyError: unknown backend (lists the known ones).
        ImportError: the backend's package is not installed.
    """
    if backend not in POSE_BACKENDS:
        raise KeyError(f'unknown pose backend {backend!r}; choose from {sorted(POSE_BACKENDS)}')
    return POSE_BACKENDS[backend](**kwargs)


__all__ = ['HOGPersonDetector', 'MMPosePose', 'MediaPipeHands', 'MediaPipeMultiPose',
           'MediaPipePose', 'POSE_BACKENDS', 'PoseEstimator', 'PoseResult',
           'build_pose_estimator']
