"""Box geometry for person boxes: (x1, y1, x2, y2) pixels, an optional
score column. Used by the pose backends, the tracker and the demo; depends
on numpy only."""
from __future__ import annotations

from typing import List

import numpy as np


def keypoint_boxes(keypoint: np.ndarray, keypoint_score: np.ndarray,
                   threshold: float = 0.05) -> np.ndarray:
    """Boxes (P, 4) (x1, y1, x2, y2) around each person's keypoints whose
    score is above ``threshold`` (all zeros for a person with none).

    Args:
        keypoint: (P, V, 2) pixels. keypoint_score: (P, V).
    """
    keypoint = np.asarray(keypoint, np.float32)
    valid = np.asarray(keypoint_score) > threshold
    big = np.float32(1e9)
    lo = np.where(valid[..., None], keypoint, big).min(1)
    hi = np.where(valid[..., None], keypoint, -big).max(1)
    boxes = np.concatenate([lo, hi], axis=-1)
    boxes[~valid.any(1)] = 0
    return boxes


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix (len(a), len(b)) of (x1, y1, x2, y2) boxes (extra columns
    ignored). Empty boxes have IoU 0 with everything."""
    a = np.asarray(a, np.float32)[:, None, :4]
    b = np.asarray(b, np.float32)[None, :, :4]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area = lambda x: (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])  # noqa: E731
    union = area(a) + area(b) - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0).astype(np.float32)


def nms(boxes: np.ndarray, iou_thr: float) -> np.ndarray:
    """Greedy non-maximum suppression of (P, 5) boxes; returns the kept
    boxes, highest score first."""
    boxes = boxes[np.argsort(-boxes[:, 4])]
    keep: List[int] = []
    iou = box_iou(boxes, boxes)
    for i in range(len(boxes)):
        if all(iou[i, j] <= iou_thr for j in keep):
            keep.append(i)
    return boxes[keep]
