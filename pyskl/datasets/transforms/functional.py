"""Array maths behind the pose pipeline transforms (no result dicts here).

Dimension letters: M persons, T frames, V joints, C channels
(x, y[, z][, score]). Coordinates are pixels unless a function says otherwise.
"""
from __future__ import annotations

import functools
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from pyskl.skeleton.layouts import swap_index


def _uniform_one_clip(num_frames: int, clip_len: int, rng) -> np.ndarray:
    """Indices of one clip of ``clip_len`` frames spread over ``num_frames``.

    * ``num_frames < clip_len``: ``0..clip_len-1`` (the caller wraps them with
      ``mod num_frames``, i.e. the video loops).
    * ``clip_len <= num_frames < 2 * clip_len``: every frame once in order,
      plus ``num_frames - clip_len`` random skips.
    * otherwise: split into ``clip_len`` equal segments and take one random
      frame from each.

    The indices are below ``num_frames`` in the last two cases. The random
    draws are those of PYSKL / MMAction2 (``RandomState.choice(clip_len + 1,
    k, replace=False)``, which is ``permutation(clip_len + 1)[:k]`` in numpy's
    legacy generator -- called as such, the same stream without ``choice``'s
    argument handling -- then ``randint`` per segment), so a seed gives their
    frames.
    """
    if num_frames < clip_len:
        return np.arange(clip_len)
    if num_frames < 2 * clip_len:
        skip = rng.permutation(clip_len + 1)[:num_frames - clip_len]
        offset = np.zeros(clip_len + 1, dtype=np.int64)
        offset[skip] = 1
        return np.arange(clip_len) + np.cumsum(offset)[:-1]
    bids = np.arange(clip_len + 1) * num_frames // clip_len
    return bids[:-1] + rng.randint(bids[1:] - bids[:-1])


SHORT_CLIP_MODES = ('loop', 'stretch')


def _stretched(num_frames: int, clip_len: int) -> np.ndarray:
    """``clip_len`` indices over ``num_frames < clip_len`` frames in order,
    each frame repeated ``clip_len / num_frames`` times (nearest-frame
    resampling to the clip's length)."""
    return np.arange(clip_len) * num_frames // clip_len


def _test_indices(num_frames: int, clip_len: int, num_clips: int,
                  seed: Optional[int], short_clip: str = 'loop') -> np.ndarray:
    """Test-mode indices from ``RandomState(seed)``."""
    if num_frames < clip_len and short_clip == 'stretch':
        inds = np.tile(_stretched(num_frames, clip_len), num_clips)
    elif num_frames < clip_len:
        # Shorter than a clip: loop the video from evenly spaced starts.
        if num_frames < num_clips:
            starts = np.arange(num_clips)
        else:
            starts = np.arange(num_clips) * num_frames // num_clips
        inds = (starts[:, None] + np.arange(clip_len)[None]).reshape(-1) % num_frames
    else:
        rng = np.random.RandomState(seed)
        inds = np.concatenate([_uniform_one_clip(num_frames, clip_len, rng)
                               for _ in range(num_clips)])
    return inds.astype(np.int64, copy=False)


@functools.lru_cache(maxsize=1024)
def _cached_test_indices(num_frames: int, clip_len: int, num_clips: int,
                         seed: int, short_clip: str) -> np.ndarray:
    """``_test_indices`` for an integer seed: a pure function of its arguments,
    so cached (making the ``RandomState`` alone takes longer than the sampling)."""
    inds = _test_indices(num_frames, clip_len, num_clips, seed, short_clip)
    inds.flags.writeable = False       # shared by every call: callers get a copy
    return inds


def uniform_sample_indices(num_frames: int, clip_len: int, num_clips: int = 1,
                           test_mode: bool = False,
                           p_interval: Union[float, Tuple[float, float]] = 1.0,
                           seed: int = 255,
                           rng: Optional[np.random.RandomState] = None,
                           short_clip: str = 'loop') -> np.ndarray:
    """Uniform temporal sampling of PoseC3D / PYSKL (``UniformSampleFrames``).

    Source: Duan et al., "Revisiting Skeleton-based Action Recognition"
    (CVPR 2022), Sec. 3.3; reference design PYSKL ``UniformSample``.

    Args:
        num_frames: frames in the video (> 0).
        clip_len: frames per clip.
        num_clips: clips to sample; results are concatenated.
        test_mode: deterministic sampling from ``RandomState(seed)`` (the
            global numpy state is not touched); ``p_interval`` is ignored.
        p_interval: training only -- each clip first keeps a random
            contiguous fraction ``ratio ~ U(p_interval)`` of the video.
        seed: seed of test-mode sampling (255 as PYSKL/MMAction2).
        rng: training random source (a ``RandomState``); defaults to numpy's
            global state so mmengine's seeding (``--seed``, per-worker seeds)
            applies.
        short_clip: what a clip of more frames than the video (or its kept
            part) gets. ``'loop'`` (PYSKL / MMAction2): the frames in order
            from a random phase (test: evenly spaced phases), wrapping to the
            first frame after the last, so the clip holds the action more
            than once with a jump back at the wrap. ``'stretch'``: every frame
            once in order, each repeated ``clip_len / frames`` times (the
            resampling of HCN's and CTR-GCN's data feeders); no random draw,
            and the test clips of a short video are all the same.

    Returns:
        (num_clips * clip_len,) int64 indices in ``[0, num_frames)``, a new
        array.

    Raises:
        ValueError: ``num_frames < 1``; ``short_clip`` not one of
        ``SHORT_CLIP_MODES``.
    """
    if num_frames < 1:
        raise ValueError(f'cannot sample frames from a video with {num_frames} frames')
    if short_clip not in SHORT_CLIP_MODES:
        raise ValueError(f'short_clip={short_clip!r}: expected one of {SHORT_CLIP_MODES}')
    if test_mode:
        if seed is None:           # a fresh random seed each call: nothing to cache
            return _test_indices(num_frames, clip_len, num_clips, None, short_clip)
        return _cached_test_indices(int(num_frames), int(clip_len), int(num_clips),
                                    int(seed), short_clip).copy()

    rng = np.random.mtrand._rand if rng is None else rng
    if isinstance(p_interval, (int, float)):
        p_interval = (float(p_interval), float(p_interval))
    all_inds = []
    for _ in range(num_clips):
        ratio = rng.rand() * (p_interval[1] - p_interval[0]) + p_interval[0]
        kept = max(1, int(ratio * num_frames))
        offset = rng.randint(0, num_frames - kept + 1)
        if kept < clip_len and short_clip == 'stretch':
            inds = _stretched(kept, clip_len)
        elif kept < clip_len:  # loop the kept part from a random phase
            inds = np.mod(rng.randint(kept) + np.arange(clip_len), kept)
        else:                # already below kept
            inds = _uniform_one_clip(kept, clip_len, rng)
        inds += offset
        all_inds.append(inds)
    out = all_inds[0] if num_clips == 1 else np.concatenate(all_inds)
    return out.astype(np.int64, copy=False)


def normalize_2d(keypoint: np.ndarray, img_shape: Tuple[int, int]) -> np.ndarray:
    """Map pixel x/y to ``[-1, 1]`` about the image center.

    ``x' = (x - w/2) / (w/2)``, ``y' = (y - h/2) / (h/2)``; further channels
    are copied. Returns a new float32 array of the same shape (..., C>=2).
    """
    h, w = img_shape
    out = keypoint.astype(np.float32, copy=True)
    out[..., 0] = (out[..., 0] - w / 2) / (w / 2)
    out[..., 1] = (out[..., 1] - h / 2) / (h / 2)
    return out


def rotation_matrix(axis: np.ndarray, angle: float) -> np.ndarray:
    """3x3 matrix rotating by ``angle`` radians about ``axis`` (Rodrigues)."""
    axis = np.asarray(axis, dtype=np.float64)
    norm = np.linalg.norm(axis)
    if norm < 1e-6 or abs(angle) < 1e-6:
        return np.eye(3)
    x, y, z = axis / norm
    K = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def angle_between(v1: np.ndarray, v2: np.ndarray) -> float:
    """Angle in radians between two vectors (0 if either is ~zero)."""
    n1, n2 = np.linalg.norm(v1), np.linalg.norm(v2)
    if n1 < 1e-6 or n2 < 1e-6:
        return 0.0
    return float(np.arccos(np.clip(np.dot(v1, v2) / (n1 * n2), -1.0, 1.0)))


def joint_to_bone(keypoint: np.ndarray, parents: Sequence[int],
                  score_channel: bool = False) -> np.ndarray:
    """Bone vectors ``kp[..., v, :] - kp[..., parent(v), :]``.

    Args:
        keypoint: (M, T, V, C) joints.
        parents: (V,) parent joint of each joint (center: itself, so its
            bone is zero).
        score_channel: the last channel is a confidence score; the bone
            score is the mean of its two joints' scores instead of a
            difference.

    Returns:
        (M, T, V, C) float32 bones.
    """
    par = np.take(keypoint, np.asarray(parents), axis=-2)       # one gather, reused
    bone = (keypoint - par).astype(np.float32, copy=False)
    if score_channel:
        bone[..., -1] = (keypoint[..., -1] + par[..., -1]) / 2
    return bone


def to_motion(data: np.ndarray, score_channel: bool = False) -> np.ndarray:
    """Temporal difference ``x[t+1] - x[t]``; the last frame's motion is 0.

    Args:
        data: (M, T, V, C) joints or bones.
        score_channel: the last channel is a score; motion score is the
            mean of the two frames' scores.

    Returns:
        (M, T, V, C) float32.
    """
    motion = np.empty(data.shape, dtype=np.float32)
    motion[:, -1] = 0
    np.subtract(data[:, 1:], data[:, :-1], out=motion[:, :-1])      # no temporary
    if score_channel:
        score = motion[:, :-1, :, -1]
        np.add(data[:, :-1, :, -1], data[:, 1:, :, -1], out=score)
        score *= 0.5
    return motion


def random_rotation_2d(theta: float) -> np.ndarray:
    """2x2 rotation matrix for angle ``theta`` radians."""
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def rotation_3d(angles: np.ndarray) -> np.ndarray:
    """3x3 matrix ``Rz @ Ry @ Rx`` for angles (ax, ay, az) in radians."""
    c, s = np.cos(angles), np.sin(angles)
    rx = np.array([[1, 0, 0], [0, c[0], s[0]], [0, -s[0], c[0]]])
    ry = np.array([[c[1], 0, -s[1]], [0, 1, 0], [s[1], 0, c[1]]])
    rz = np.array([[c[2], s[2], 0], [-s[2], c[2], 0], [0, 0, 1]])
    return rz @ ry @ rx


def flip_keypoints(kp: np.ndarray, width: int, left_kp, right_kp, pixel_center: bool = False):
    """Mirror keypoints horizontally and swap left/right joints; joints at
    (0, 0) (missing) stay there.

    Args:
        kp: (..., V, C>=2) pixels. width: image width in pixels.
        left_kp, right_kp: joint indices to swap.
        pixel_center: ``x -> width - 1 - x`` (pixel-index coordinates: lands on
            the mirrored pixel) instead of the reference's ``x -> width - x``.

    Returns:
        ``(flipped float32 copy, joint permutation (V,))``.
    """
    idx = swap_index(kp.shape[-2], left_kp, right_kp)
    out = kp[..., idx, :].astype(np.float32)
    missing = (out[..., :2] == 0).all(axis=-1)
    edge = width - 1 if pixel_center else width
    out[..., 0] = np.where(missing, 0, edge - out[..., 0])
    return out, idx
