"""Drawing on BGR frames, for the demo and the visualisation tools: skeletons
(bones of the layout, one colour per track) and text lines."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from pyskl.skeleton import get_layout


_COLORS = [(0, 165, 255), (255, 128, 0), (0, 200, 0), (200, 0, 200), (0, 220, 220),
           (255, 255, 0), (128, 0, 255)]


def draw_skeletons(frame: np.ndarray, keypoint: np.ndarray, keypoint_score: np.ndarray,
                   layout: str, track_ids: Optional[Sequence[int]] = None,
                   threshold: float = 0.3,
                   joint_color: Tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Draw each person's bones and joints on a copy of ``frame``.

    Args:
        keypoint: (P, V, 2) pixels of ``frame``. keypoint_score: (P, V).
        layout: the keypoints' layout name (its edges are drawn).
        track_ids: colour per track id (default: per person).
        threshold: joints at or below it are not drawn.
        joint_color: BGR colour of the joint dots (bones take one colour per
            track / person).

    Returns:
        The drawn copy (H, W, 3) uint8.
    """
    out = frame.copy()
    edges = get_layout(layout).inward
    max_thick = max(1, int(round(min(frame.shape[:2]) / 240)))
    for p in range(len(keypoint)):
        color = _COLORS[(track_ids[p] if track_ids is not None else p) % len(_COLORS)]
        kp, sc = keypoint[p], keypoint_score[p]
        seen = kp[sc > threshold]
        if not len(seen):
            continue
        # line width and joint size follow the person's size (small hands stay visible)
        diag = float(np.linalg.norm(seen.max(0) - seen.min(0)))
        thick = int(np.clip(diag / 80, 1, max_thick))
        radius = int(np.clip(diag / 60, 1, max_thick + 1))
        for a, b in edges:
            if sc[a] > threshold and sc[b] > threshold:
                cv2.line(out, tuple(int(v) for v in kp[a]), tuple(int(v) for v in kp[b]),
                         color, thick, cv2.LINE_AA)
        for v in np.flatnonzero(sc > threshold):
            cv2.circle(out, tuple(int(x) for x in kp[v]), radius, joint_color, -1,
                       cv2.LINE_AA)
    return out


def draw_labels(frame: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Write text lines in the top-left corner (in place; returns frame)."""
    scale = max(0.5, min(frame.shape[:2]) / 600)
    y = int(30 * scale)
    for line in lines:
        for color, th in (((0, 0, 0), 4), ((255, 255, 255), 1)):
            cv2.putText(frame, line, (int(10 * scale), y), cv2.FONT_HERSHEY_SIMPLEX, scale,
                        color, max(1, int(th * scale)), cv2.LINE_AA)
        y += int(30 * scale)
    return frame


def draw_person_labels(frame: np.ndarray, boxes: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Write one text above each box (x1, y1, x2, y2 pixels), with the box's
    outline (in place; returns frame)."""
    scale = max(0.4, min(frame.shape[:2]) / 900)
    for (x1, y1, x2, y2), text in zip(np.asarray(boxes, np.float32).reshape(-1, 4), texts):
        p1, p2 = (int(x1), int(y1)), (int(x2), int(y2))
        cv2.rectangle(frame, p1, p2, (0, 200, 255), max(1, int(2 * scale)))
        org = (p1[0], max(int(20 * scale), p1[1] - int(6 * scale)))
        for color, th in (((0, 0, 0), 4), ((255, 255, 255), 1)):
            cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color,
                        max(1, int(th * scale)), cv2.LINE_AA)
    return frame
