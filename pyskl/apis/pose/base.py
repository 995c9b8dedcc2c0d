"""The pose estimator interface: ``estimator(frame) -> PoseResult``."""
from __future__ import annotations

import numpy as np

from pyskl.structures import PoseResult  # noqa: F401 (the type every estimator returns)


class PoseEstimator:
    """Base class: ``estimator(frame) -> PoseResult``.

    Attributes:
        layout: the skeleton layout of the keypoints (``'coco'``,
            ``'handmp'``).
        num_keypoints: V.
    """
    layout = 'coco'
    num_keypoints = 17

    def __call__(self, frame: np.ndarray) -> PoseResult:
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend's resources."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_frame(frame: np.ndarray) -> None:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3 or \
            frame.dtype != np.uint8:
        raise ValueError('a pose estimator takes one BGR frame (H, W, 3) uint8, got '
                         f'{getattr(frame, "shape", type(frame).__name__)} '
                         f'{getattr(frame, "dtype", "")}')
