"""Joint mappings between skeleton layouts (MediaPipe, OpenPose, COCO-WholeBody
-> COCO-17 -> JHMDB-15).

Pose estimators give MediaPipe's 33 body landmarks or COCO-17 keypoints;
models are trained on a dataset's layout. The functions here convert
(..., V, C) arrays between them, vectorised over any leading axes.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

#: MediaPipe Pose landmark index of each COCO-17 keypoint (nose, eyes, ears,
#: shoulders, elbows, wrists, hips, knees, ankles; left before right).
MEDIAPIPE_TO_COCO = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)

#: For each layout that holds the 17 COCO body keypoints, the index of each
#: COCO-17 keypoint in it (OpenPose BODY_25 / COCO-18 joint orders of the
#: OpenPose documentation; BODY_25B and COCO-WholeBody begin with COCO-17).
TO_COCO = {
    'coco': tuple(range(17)),
    'body25': (0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11),
    'body25b': tuple(range(17)),
    'openpose': (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10),
    'coco_wholebody': tuple(range(17)),
    'mediapipe': MEDIAPIPE_TO_COCO,
}


def to_coco(array: np.ndarray, layout: str) -> np.ndarray:
    """Select the COCO-17 keypoints of ``layout`` from a (..., V, C) array
    (keypoints; scores as ``s[..., None]``); returns (..., 17, C), a copy.

    Raises:
        KeyError: a layout without the COCO body keypoints.
        ValueError: the joint axis does not have the layout's length.
    """
    if layout not in TO_COCO:
        raise KeyError(f'layout {layout!r} has no COCO-17 keypoints; those that do: '
                       f'{sorted(TO_COCO)}')
    from .layouts import get_layout
    V = 33 if layout == 'mediapipe' else get_layout(layout).num_node
    array = np.asarray(array)
    if array.ndim < 2 or array.shape[-2] != V:
        raise ValueError(f'to_coco({layout!r}): expected (..., {V}, C), got {array.shape}')
    return array[..., TO_COCO[layout], :].copy()


#: COCO-17 index of each JHMDB-15 joint that has a direct COCO counterpart
#: (-1: neck, belly; computed from several COCO joints, see
#: :func:`coco_to_jhmdb`). JHMDB order: neck, belly, face, r/l shoulder,
#: r/l hip, r/l elbow, r/l knee, r/l wrist, r/l ankle.
COCO_TO_JHMDB = (-1, -1, 0, 6, 5, 12, 11, 8, 7, 14, 13, 10, 9, 16, 15)

#: Where JHMDB's neck and belly sit along the torso axis mid-hip -> mid-shoulder
#: (fractions of its length; medians over all frames of DD-Net's JHMDB ground
#: truth: neck 0.14 beyond the shoulders, belly 0.23 above the hips).
JHMDB_NECK_BEYOND_SHOULDERS = 0.14
JHMDB_BELLY_ABOVE_HIPS = 0.23
#: JHMDB ground truth in the pixel frame of ``tools/data/jhmdb_ddnet.py``:
#: median torso length (mid-hip -> mid-shoulder, px; median of the per-clip
#: medians) and median belly position (x, y).
JHMDB_TORSO_PX = 19.6
JHMDB_CENTER_PX = (170.0, 126.5)
JHMDB_IMG_SHAPE = (240, 320)


def mediapipe_to_coco(landmarks: np.ndarray) -> np.ndarray:
    """Select the COCO-17 keypoints from MediaPipe Pose's 33 landmarks.

    Args:
        landmarks: (..., 33, C) array (any channels: x, y, visibility, ...).

    Returns:
        (..., 17, C) array in COCO-17 order (a copy).

    Raises:
        ValueError: the joint axis is not 33 long.
    """
    landmarks = np.asarray(landmarks)
    if landmarks.ndim < 2 or landmarks.shape[-2] != 33:
        raise ValueError(f'mediapipe_to_coco: expected (..., 33, C) landmarks, '
                         f'got {landmarks.shape}')
    return landmarks[..., MEDIAPIPE_TO_COCO, :].copy()


def coco_to_jhmdb(keypoint: np.ndarray, keypoint_score: np.ndarray,
                  normalize: bool = True, threshold: float = 0.05
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Convert COCO-17 skeletons to the JHMDB-15 puppet layout.

    Direct joints: face = nose, shoulders, hips, elbows, knees, wrists,
    ankles (right before left, JHMDB order). Computed joints, on the torso
    axis from the middle of the hips to the middle of the shoulders (as in
    JHMDB's ground truth): neck ``JHMDB_NECK_BEYOND_SHOULDERS`` of the
    torso length beyond the shoulders, belly ``JHMDB_BELLY_ABOVE_HIPS``
    above the hips. A computed joint's score is the smallest score of the
    joints it is made of.

    With ``normalize`` the clip is moved into the frame of this project's
    JHMDB annotation file (``tools/data/jhmdb_ddnet.py``), whose clips are
    per-clip normalised (JHMDB ``pos_world``): each person is scaled so that
    their median torso length (mid-hip -> mid-shoulder, over the frames whose
    shoulders and hips are above ``threshold``) is ``JHMDB_TORSO_PX`` and
    shifted so that their mean belly lies at ``JHMDB_CENTER_PX``; the matching ``img_shape`` is
    ``JHMDB_IMG_SHAPE``. Joints at or below ``threshold`` are set to 0.

    Args:
        keypoint: (M, T, 17, 2) float, pixels.
        keypoint_score: (M, T, 17) float in [0, 1].

    Returns:
        ``(keypoint (M, T, 15, 2) float32, keypoint_score (M, T, 15) float32)``.

    Raises:
        ValueError: wrong shapes.
    """
    keypoint = np.asarray(keypoint, dtype=np.float32)
    keypoint_score = np.asarray(keypoint_score, dtype=np.float32)
    if keypoint.ndim != 4 or keypoint.shape[2:] != (17, 2) or \
            keypoint_score.shape != keypoint.shape[:3]:
        raise ValueError('coco_to_jhmdb: expected keypoint (M, T, 17, 2) and keypoint_score '
                         f'(M, T, 17), got {keypoint.shape} and {keypoint_score.shape}')
    direct = np.array([max(i, 0) for i in COCO_TO_JHMDB])
    kp = keypoint[:, :, direct].copy()
    sc = keypoint_score[:, :, direct].copy()
    mid_sh = keypoint[:, :, [5, 6]].mean(2)
    mid_hip = keypoint[:, :, [11, 12]].mean(2)
    axis = mid_sh - mid_hip
    kp[:, :, 0] = mid_sh + JHMDB_NECK_BEYOND_SHOULDERS * axis
    kp[:, :, 1] = mid_hip + JHMDB_BELLY_ABOVE_HIPS * axis
    sc[:, :, 0] = keypoint_score[:, :, [5, 6]].min(2)
    sc[:, :, 1] = keypoint_score[:, :, [5, 6, 11, 12]].min(2)
    valid = sc > threshold
    if normalize:
        # per person: JHMDB clips show one person, normalised on their own
        torso_ok = valid[:, :, 0] & valid[:, :, 1]
        torso_len = np.linalg.norm(axis, axis=-1)
        for m in np.flatnonzero(torso_ok.any(1)):
            scale = JHMDB_TORSO_PX / max(float(np.median(torso_len[m][torso_ok[m]])), 1e-3)
            center = kp[m, :, 1][torso_ok[m]].mean(0)
            kp[m] = (kp[m] - center) * scale + np.asarray(JHMDB_CENTER_PX, np.float32)
    kp[~valid] = 0
    sc[~valid] = 0
    return kp.astype(np.float32), sc.astype(np.float32)
