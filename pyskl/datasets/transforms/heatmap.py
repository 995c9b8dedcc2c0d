"""Keypoint / limb heatmap volumes for PoseC3D, vectorised with numpy.

Source: Duan et al., "Revisiting Skeleton-based Action Recognition" (CVPR 2022),
Sec. 3.2. Semantics of the reference design (PYSKL / MMAction2
``GeneratePoseTarget``), computed for all persons x frames x keypoints (or
limbs) at once instead of Python loops over frames and keypoints:

* keypoint map: ``score * exp(-d^2 / (2 sigma^2))`` with ``d`` the distance to
  the keypoint, on the pixels within 3 sigma of it per axis (0 outside);
* limb map: the same of the point-to-segment distance, weighted by the smaller
  end score, inside the segment's bounding box grown by 3 sigma (a limb of
  length 0 is a keypoint; the reference instead draws limbs shorter than 1
  pixel as a keypoint at their start with the start score, which is not
  mirror-symmetric);
* maxima over persons; keypoints (limbs) with score below ``eps`` are skipped.

Pixel ``(row i, column j)`` of a map has coordinates ``(x=j, y=i)``: keypoints
are in pixel-index coordinates, as the reference draws them.

Windows: a pixel is drawn when its coordinate lies in ``[lo - 3 sigma,
hi + 3 sigma]`` on each axis (``lo = hi = x`` for a keypoint, the segment's
extent for a limb). This window is symmetric, so the map of a mirrored skeleton
is exactly the mirrored map. The reference truncates instead
(``[int(lo - 3 sigma), int(hi + 3 sigma) + 1)``), which adds or drops one
edge pixel asymmetrically; the two differ only on window-edge pixels, by at
most ``score * exp(-4.5) ~ 0.011 * score`` (measured against MMAction2 1.2.0
in ``tools/analysis/benchmark.py heatmap``).

Speed: only the pixels of each window are computed. Keypoint windows have a
fixed size ``int(6 sigma) + 2``; limb windows are grouped by height and width
into the rungs of a x1.5 size ladder (a loop over the occupied rung pairs,
never over frames or joints), and each group's patches are max-written into
the volume with one gather/max/assign per person.
"""
from __future__ import annotations

from typing import Dict, Sequence, Tuple

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.skeleton import get_layout
from .base import PoseTransform, sample_name
from .functional import flip_keypoints


def _window(lo: np.ndarray, hi: np.ndarray, sigma: float, size: int):
    """Pixel window ``[max(ceil(lo - 3s), 0), min(floor(hi + 3s) + 1, size))``
    as int64 arrays."""
    st = np.maximum(np.ceil(lo - 3 * sigma), 0).astype(np.int64)
    ed = np.minimum(np.floor(hi + 3 * sigma) + 1, size).astype(np.int64)
    return st, ed


def _check_finite(kp: np.ndarray, score: np.ndarray) -> None:
    if not (np.isfinite(kp).all() and np.isfinite(score).all()):
        raise ValueError('heatmaps: keypoints or scores contain NaN or infinity')


def _axis_coords(st: np.ndarray, ed: np.ndarray, size: int, P: int):
    """Patch coordinates along one axis.

    The window ``[st, ed)`` (length <= P, ``st < size``) lies inside a patch of
    ``P' = min(P, size)`` pixels that starts at ``min(st, size - P')`` so
    that the patch never leaves the map. Returns the patch start (n,), the
    coordinates (n, P') and the window mask (n, P').
    """
    P = min(P, size)
    start = np.minimum(st, size - P)
    c = start[:, None] + np.arange(P)
    return start, c, (c >= st[:, None]) & (c < ed[:, None])


def _scatter_max(flat: np.ndarray, W: int, base: np.ndarray, person: np.ndarray,
                 y0: np.ndarray, x0: np.ndarray, patch: np.ndarray) -> None:
    """``flat[base + (y0 + i) * W + x0 + j] = max(old, patch[:, i, j])``.

    Every patch lies inside its own (frame, channel) map, so the patches of
    one person never share a pixel and one gather/max/assign per person is
    exact (pixels outside a window carry 0 and change nothing).
    """
    n, Py, Px = patch.shape
    offs = (np.arange(Py, dtype=np.int64)[:, None] * W + np.arange(Px)).ravel()
    idx = (base + y0 * W + x0)[:, None] + offs                  # (n, Py*Px)
    patch = patch.reshape(n, -1)
    persons = np.unique(person)
    for m in persons:
        rows = slice(None) if len(persons) == 1 else person == m
        i, p = idx[rows].ravel(), patch[rows].ravel()
        flat[i] = np.maximum(flat[i], p)


def _volume(T: int, C: int, H: int, W: int):
    """A zero (T, C, H, W) float32 volume and its flat view."""
    out = np.zeros((T, C, H, W), dtype=np.float32)
    return out, out.reshape(-1)


def keypoint_heatmaps(kp: np.ndarray, score: np.ndarray, shape: Tuple[int, int], sigma: float,
                      eps: float = 1e-4) -> np.ndarray:
    """Gaussian maps of keypoints, max over persons.

    Args:
        kp: (M, T, V, >=2) float pixel coordinates (x, y).
        score: (M, T, V) weights; entries below ``eps`` are not drawn.
        shape: (H, W) of the maps. sigma: Gaussian std in pixels.

    Returns:
        (T, V, H, W) float32 in [0, max score].

    Raises:
        ValueError: NaN or infinite keypoints or scores.
    """
    kp = np.asarray(kp, dtype=np.float32)
    score = np.asarray(score, dtype=np.float32)
    _check_finite(kp, score)
    M, T, V = score.shape
    H, W = int(shape[0]), int(shape[1])
    out, flat = _volume(T, V, H, W)
    m, t, v = np.nonzero(score >= eps)
    mx, my, w = kp[m, t, v, 0], kp[m, t, v, 1], score[m, t, v]
    stx, edx = _window(mx, mx, sigma, W)
    sty, edy = _window(my, my, sigma, H)
    keep = np.nonzero((edx > stx) & (edy > sty))[0]            # window inside the map
    if keep.size == 0:
        return out
    m, t, v, mx, my, w = m[keep], t[keep], v[keep], mx[keep], my[keep], w[keep]
    P = int(6 * sigma) + 2
    x0, x, vx = _axis_coords(stx[keep], edx[keep], W, P)
    y0, y, vy = _axis_coords(sty[keep], edy[keep], H, P)
    k = np.float32(-0.5 / sigma ** 2)
    gx = np.exp((x - mx[:, None]) ** 2 * k) * vx
    gy = np.exp((y - my[:, None]) ** 2 * k) * (vy * w[:, None])
    patch = (gy[:, :, None] * gx[:, None, :]).astype(np.float32)
    _scatter_max(flat, W, (t * V + v) * H * W, m, y0, x0, patch)
    return out


def _size_ladder(smallest: int, top: int) -> np.ndarray:
    """Patch sides ``smallest, ~1.5x, ~2.25x, ...`` up to at least ``top``."""
    sides = [smallest]
    while sides[-1] < top:
        sides.append(int(np.ceil(sides[-1] * 1.5)))
    return np.array(sides)


def limb_heatmaps(kp: np.ndarray, score: np.ndarray, limbs: Sequence[Sequence[int]],
                  shape: Tuple[int, int], sigma: float, eps: float = 1e-4) -> np.ndarray:
    """Gaussian maps of the distance to limb segments, max over persons.

    Args:
        kp: (M, T, V, >=2) float pixels. score: (M, T, V).
        limbs: L pairs (a, b) of joint indices.
        shape: (H, W). sigma: std in pixels.

    Returns:
        (T, L, H, W) float32.

    Raises:
        ValueError: NaN or infinite input, or a limb index beyond V.
    """
    kp = np.asarray(kp, dtype=np.float32)
    score = np.asarray(score, dtype=np.float32)
    _check_finite(kp, score)
    M, T, V = score.shape
    H, W = int(shape[0]), int(shape[1])
    limbs = np.asarray(limbs, dtype=np.int64).reshape(-1, 2)
    L = len(limbs)
    if L and limbs.max() >= V:
        raise ValueError(f'limb_heatmaps: limb joint index {limbs.max()} >= V={V}')
    out, flat = _volume(T, L, H, W)
    value = np.minimum(score[:, :, limbs[:, 0]], score[:, :, limbs[:, 1]])  # (M, T, L)
    m, t, l_ = np.nonzero(value >= eps)
    if m.size == 0:
        return out
    A = kp[m, t, limbs[l_, 0], :2]
    B = kp[m, t, limbs[l_, 1], :2]
    val = value[m, t, l_]
    ux, uy = B[:, 0] - A[:, 0], B[:, 1] - A[:, 1]
    d2ab = ux ** 2 + uy ** 2
    short = d2ab == 0                                   # a point: distance to A
    lo, hi = np.minimum(A, B), np.maximum(A, B)
    stx, edx = _window(lo[:, 0], hi[:, 0], sigma, W)
    sty, edy = _window(lo[:, 1], hi[:, 1], sigma, H)
    wx, wy = edx - stx, edy - sty
    inv = np.where(short, 0, 1 / np.where(short, 1, d2ab)).astype(np.float32)
    base = (t * L + l_) * H * W
    k = np.float32(-0.5 / sigma ** 2)
    # group the windows by (height, width) rungs of a size ladder: one loop
    # step per occupied rung pair, rectangular patches (a long horizontal limb
    # gets a wide, flat patch)
    ladder = _size_ladder(int(6 * sigma) + 2, max(H, W))
    drawn = (wx > 0) & (wy > 0)
    rx, ry = np.searchsorted(ladder, wx), np.searchsorted(ladder, wy)
    key = np.where(drawn, ry * len(ladder) + rx, -1)
    for g in np.unique(key[drawn]):
        sel = np.nonzero(key == g)[0]
        Sy, Sx = ladder[g // len(ladder)], ladder[g % len(ladder)]
        x0, x, vx = _axis_coords(stx[sel], edx[sel], W, Sx)
        y0, y, vy = _axis_coords(sty[sel], edy[sel], H, Sy)
        dx = (x - A[sel, 0:1]).astype(np.float32)          # (n, Sx)
        dy = (y - A[sel, 1:2]).astype(np.float32)          # (n, Sy)
        sux, suy, sinv = ux[sel, None, None], uy[sel, None, None], inv[sel, None, None]
        # projection coefficient of the pixel on AB, clipped to the segment
        c = np.clip((dy[:, :, None] * suy + dx[:, None, :] * sux) * sinv, 0, 1)
        px = dx[:, None, :] - c * sux
        py = dy[:, :, None] - c * suy
        patch = np.exp((px * px + py * py) * k)
        patch *= (vy * val[sel, None])[:, :, None] * vx[:, None, :]
        _scatter_max(flat, W, base[sel], m[sel], y0, x0, patch)
    return out


# MMAction2's default: the 17 COCO limbs (no face-to-shoulder links besides nose)
COCO_LIMBS = ((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8), (8, 10),
              (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16), (11, 12))
COCO_LEFT_KP = (1, 3, 5, 7, 9, 11, 13, 15)
COCO_RIGHT_KP = (2, 4, 6, 8, 10, 12, 14, 16)


@TRANSFORMS.register_module()
class GeneratePoseTarget(PoseTransform):
    """Draw the keypoint and/or limb heatmap volume of a clip (PoseC3D input).

    Source: Duan et al., "Revisiting Skeleton-based Action Recognition"
    (CVPR 2022); arguments and semantics of PYSKL / MMAction2
    ``GeneratePoseTarget`` (see the module docstring), vectorised.
    Channels: keypoints ``0..V-1`` then limbs ``V..V+L-1`` when both are on
    (the reference writes limb ``i`` into channel ``i``; see
    ``anchor-bugs.md``).

    Args:
        sigma: Gaussian std in pixels of the final ``img_shape``.
        use_score: weight by ``keypoint_score`` (else 1).
        with_kp, with_limb: which maps to draw (at least one).
        skeletons: limb pairs; default the layout's edges, else COCO's 17.
        double: also draw the horizontally flipped clip (flip-test), stacked
            after the original along time (as the reference).
        left_kp, right_kp: joints swapped by the flip; default from
            ``layout``, else COCO's.
        left_limb, right_limb: accepted for config compatibility (limb maps
            of the flipped clip are drawn from the swapped joints).
        scaling: draw at ``img_shape * scaling`` (keypoints scaled with the
            half-pixel-centre rule of ``Resize``).
        eps: scores below it are not drawn.
        layout: optional layout name/dict giving skeletons and flip pairs.

    Required keys: ``keypoint`` (M, T, V, >=2) pixels, ``img_shape`` (H, W).
    Optional keys: ``keypoint_score`` (M, T, V), ``imgs`` (then the volume
    goes to ``heatmap_imgs``).
    Added keys: ``imgs`` (or ``heatmap_imgs``) (T or 2T, C, H', W') float32.

    Raises:
        ValueError: neither maps requested, NaN/inf keypoints (names the
            sample), or a limb index beyond V.
    """

    required_keys = ('keypoint', 'img_shape')
    optional_keys = ('keypoint_score', 'imgs')
    added_keys = ('imgs', 'heatmap_imgs')

    def __init__(self, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
                 with_limb: bool = False, skeletons=None, double: bool = False,
                 left_kp=None, right_kp=None, left_limb=None, right_limb=None,
                 scaling: float = 1.0, eps: float = 1e-4, layout=None):
        if not (with_kp or with_limb):
            raise ValueError('GeneratePoseTarget: with_kp and with_limb are both False')
        if layout is not None:
            lay = get_layout(layout)
            skeletons = lay.inward if skeletons is None else skeletons
            if left_kp is None and right_kp is None:
                left_kp = [a for a, _ in lay.flip_pairs]
                right_kp = [b for _, b in lay.flip_pairs]
        self.sigma = sigma
        self.use_score = use_score
        self.with_kp = with_kp
        self.with_limb = with_limb
        self.skeletons = tuple(tuple(int(i) for i in p) for p in
                               (COCO_LIMBS if skeletons is None else skeletons))
        self.double = double
        self.left_kp = tuple(COCO_LEFT_KP if left_kp is None else left_kp)
        self.right_kp = tuple(COCO_RIGHT_KP if right_kp is None else right_kp)
        self.scaling = scaling
        self.eps = eps

    def volume(self, kp: np.ndarray, score: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
        """(M, T, V, >=2) pixels + (M, T, V) scores -> (T, C, H, W) float32."""
        maps = []
        if self.with_kp:
            maps.append(keypoint_heatmaps(kp, score, shape, self.sigma, self.eps))
        if self.with_limb:
            maps.append(limb_heatmaps(kp, score, self.skeletons, shape, self.sigma, self.eps))
        return maps[0] if len(maps) == 1 else np.concatenate(maps, axis=1)

    def transform(self, results: Dict) -> Dict:
        kp = np.asarray(results['keypoint'], dtype=np.float32)[..., :2]
        if not np.isfinite(kp).all():
            raise ValueError(f'GeneratePoseTarget: sample {sample_name(results)!r} has NaN or '
                             'infinite keypoints')
        score = results.get('keypoint_score') if self.use_score else None
        score = np.ones(kp.shape[:3], np.float32) if score is None else score
        H, W = results['img_shape']
        if self.scaling != 1:
            H, W = int(H * self.scaling + 0.5), int(W * self.scaling + 0.5)
            kp = (kp + 0.5) * self.scaling - 0.5
        vol = self.volume(kp, score, (H, W))
        if self.double:
            fkp, idx = flip_keypoints(kp, W, self.left_kp, self.right_kp)
            vol = np.concatenate([vol, self.volume(fkp, score[..., idx], (H, W))], axis=0)
        results['heatmap_imgs' if 'imgs' in results else 'imgs'] = vol
        return results
