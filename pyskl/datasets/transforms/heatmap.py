"""Keypoint / limb heatmap volumes for PoseC3D, vectorised (the maths of a
future ``GeneratePoseTarget`` transform; not registered yet).

Source: Duan et al., "Revisiting Skeleton-based Action Recognition" (CVPR 2022),
Sec. 3.2. Semantics of the reference design (PYSKL / MMAction2), computed for
all frames x keypoints (or limbs) x pixels at once with numpy instead of
Python loops over frames and keypoints:

* keypoint map: ``score * exp(-d^2 / (2 sigma^2))`` with ``d`` the distance to
  the keypoint, inside the reference's window of +-3 sigma (0 outside);
* limb map: the same of the point-to-segment distance, weighted by the smaller
  end score, inside the segment's bounding box grown by 3 sigma; a limb
  shorter than 1 pixel is drawn as a keypoint at its start;
* maxima over persons; keypoints (limbs) with score below ``eps`` are skipped.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np


def _window(lo: np.ndarray, hi: np.ndarray, sigma: float, size: int):
    """Reference window ``[max(int(lo-3s), 0), min(int(hi+3s)+1, size))``."""
    st = np.maximum(np.trunc(lo - 3 * sigma), 0)
    ed = np.minimum(np.trunc(hi + 3 * sigma) + 1, size)
    return st, ed


def keypoint_heatmaps(kp: np.ndarray, score: np.ndarray, shape: Tuple[int, int], sigma: float,
                      eps: float = 1e-4) -> np.ndarray:
    """Gaussian maps of keypoints, max over persons.

    Args:
        kp: (M, T, V, 2) float pixels (x, y). score: (M, T, V) weights.
        shape: (H, W) of the maps. sigma: Gaussian std in pixels.

    Returns:
        (T, V, H, W) float32.
    """
    H, W = shape
    xs = np.arange(W, dtype=np.float32)
    ys = np.arange(H, dtype=np.float32)
    mx, my = kp[..., 0, None], kp[..., 1, None]                      # (M, T, V, 1)
    stx, edx = _window(mx, mx, sigma, W)
    sty, edy = _window(my, my, sigma, H)
    gx = np.exp(-(xs - mx) ** 2 / (2 * sigma ** 2)) * ((xs >= stx) & (xs < edx))  # (M,T,V,W)
    gy = np.exp(-(ys - my) ** 2 / (2 * sigma ** 2)) * ((ys >= sty) & (ys < edy))  # (M,T,V,H)
    w = np.where(score >= eps, score, 0).astype(np.float32)
    maps = (gy * w[..., None])[..., :, None] * gx[..., None, :]      # (M, T, V, H, W)
    return maps.max(axis=0).astype(np.float32)


def limb_heatmaps(kp: np.ndarray, score: np.ndarray, limbs, shape: Tuple[int, int],
                  sigma: float, eps: float = 1e-4) -> np.ndarray:
    """Gaussian maps of the distance to limb segments, max over persons.

    Args:
        kp: (M, T, V, 2) pixels. score: (M, T, V). limbs: L pairs (a, b).
        shape: (H, W). sigma: std in pixels.

    Returns:
        (T, L, H, W) float32.
    """
    H, W = shape
    a_idx = np.array([a for a, _ in limbs])
    b_idx = np.array([b for _, b in limbs])
    A, B = kp[:, :, a_idx], kp[:, :, b_idx]                           # (M, T, L, 2)
    value = np.minimum(score[:, :, a_idx], score[:, :, b_idx])        # (M, T, L)
    value = np.where(value >= eps, value, 0).astype(np.float32)
    x = np.arange(W, dtype=np.float32)[None, None, None, None, :]     # (1,1,1,1,W)
    y = np.arange(H, dtype=np.float32)[None, None, None, :, None]     # (1,1,1,H,1)
    ax, ay = A[..., 0, None, None], A[..., 1, None, None]             # (M, T, L, 1, 1)
    bx, by = B[..., 0, None, None], B[..., 1, None, None]
    d2a = (x - ax) ** 2 + (y - ay) ** 2                               # (M, T, L, H, W)
    d2b = (x - bx) ** 2 + (y - by) ** 2
    d2ab = (ax - bx) ** 2 + (ay - by) ** 2
    short = d2ab < 1
    coeff = (d2a - d2b + d2ab) / 2 / np.where(short, 1, d2ab)
    px, py = ax + coeff * (bx - ax), ay + coeff * (by - ay)
    d2line = (x - px) ** 2 + (y - py) ** 2
    d2 = np.where(coeff <= 0, d2a, np.where(coeff >= 1, d2b, d2line))
    # windows: segment box + 3 sigma; a limb shorter than 1 px is a keypoint at A
    stx, edx = _window(np.minimum(ax, bx), np.maximum(ax, bx), sigma, W)
    sty, edy = _window(np.minimum(ay, by), np.maximum(ay, by), sigma, H)
    kstx, kedx = _window(ax, ax, sigma, W)
    ksty, kedy = _window(ay, ay, sigma, H)
    stx, edx = np.where(short, kstx, stx), np.where(short, kedx, edx)
    sty, edy = np.where(short, ksty, sty), np.where(short, kedy, edy)
    d2 = np.where(short, d2a, d2)
    inside = (x >= stx) & (x < edx) & (y >= sty) & (y < edy)
    maps = np.exp(-d2 / (2 * sigma ** 2)) * inside * value[..., None, None]
    return maps.max(axis=0).astype(np.float32)
