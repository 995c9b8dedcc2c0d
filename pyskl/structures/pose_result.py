"""The poses one frame holds, as every pose estimator returns them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .boxes import keypoint_boxes


@dataclass
class PoseResult:
    """Poses found in one frame.

    Attributes:
        keypoint: (P, V, 2) float32, pixels (x, y) of the frame.
        keypoint_score: (P, V) float32 in [0, 1].
        bbox: (P, 4) float32, (x1, y1, x2, y2) pixels (the person's
            detection box, or the box of its keypoints).
    """
    keypoint: np.ndarray
    keypoint_score: np.ndarray
    bbox: np.ndarray = field(default=None)

    def __post_init__(self):
        self.keypoint = np.asarray(self.keypoint, np.float32)
        self.keypoint_score = np.asarray(self.keypoint_score, np.float32)
        if self.keypoint.ndim != 3 or self.keypoint.shape[2] != 2 or \
                self.keypoint_score.shape != self.keypoint.shape[:2]:
            raise ValueError('PoseResult: expected keypoint (P, V, 2) and keypoint_score '
                             f'(P, V), got {self.keypoint.shape} and '
                             f'{self.keypoint_score.shape}')
        if self.bbox is None:
            self.bbox = keypoint_boxes(self.keypoint, self.keypoint_score)
        self.bbox = np.asarray(self.bbox, np.float32).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.keypoint)

    @classmethod
    def empty(cls, num_keypoints: int) -> 'PoseResult':
        """A frame with no person."""
        return cls(np.zeros((0, num_keypoints, 2)), np.zeros((0, num_keypoints)),
                   np.zeros((0, 4)))
