"""Keypoint / limb heatmap volumes for PoseC3D, vectorised with numpy.

Source: Duan et al., "Revisiting Skeleton-based Action Recognition" (CVPR 2022),
Sec. 3.2. Semantics of the reference design (PYSKL / MMAction2
``GeneratePoseTarget``), computed for all persons x frames x keypoints (or
limbs) at once instead of Python loops over frames and keypoints:

* keypoint map: ``score * exp(-d^2 / (2 sigma^2))`` with ``d`` the distance to
  the keypoint, on the pixels of its window (0 outside);
* limb map: the same of the point-to-segment distance, weighted by the smaller
  end score, inside the segment's bounding box grown by 3 sigma;
* maxima over persons; keypoints (limbs) with score below ``eps`` are skipped.

Pixel ``(row i, column j)`` of a map has coordinates ``(x=j, y=i)``: keypoints
are in pixel-index coordinates, as the reference draws them.

Windows. By default they are the reference's, so PYSKL / MMAction2 checkpoints
see the inputs they were trained on: ``[int(lo - 3 sigma), int(hi + 3 sigma) +
1)`` clipped to the map (``lo = hi = x`` for a keypoint, the segment's extent
for a limb; ``int`` truncates toward zero), and a limb shorter than 1 pixel is
drawn as a keypoint at its start with the start score. The truncation adds one
pixel beyond 3 sigma on the low side only, so the map of a mirrored skeleton
is not exactly the mirrored map. ``symmetric_window=True`` draws exactly the
pixels within 3 sigma (``[lo - 3 sigma, hi + 3 sigma]``) and short limbs as
segments with the smaller end score: mirror-exact, and different from the
reference only on window-edge pixels, by at most ``score * exp(-4.5) ~ 0.011 *
score`` (and on sub-pixel limbs).

Flip-test doubling (``double=True``) mirrors the drawn volume and permutes its
channels, as the reference does.

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
from pyskl.skeleton.heatmap_spec import HeatmapSpec
from .base import PoseTransform, sample_name


def _window(lo: np.ndarray, hi: np.ndarray, sigma: float, size: int,
            symmetric: bool = False):
    """Pixel window ``[st, ed)`` as int64 arrays: the reference's
    ``[max(int(lo - 3s), 0), min(int(hi + 3s) + 1, size))`` (``int``
    truncating toward zero), or with ``symmetric`` ``[max(ceil(lo - 3s), 0),
    min(floor(hi + 3s) + 1, size))``."""
    low = lo.astype(np.float64) - 3 * sigma          # float64: no float32 rounding
    high = hi.astype(np.float64) + 3 * sigma         # onto an integer edge
    st = np.ceil(low) if symmetric else np.trunc(low)
    ed = (np.floor(high) if symmetric else np.trunc(high)) + 1
    return (np.maximum(st, 0).astype(np.int64),
            np.minimum(ed, size).astype(np.int64))


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
                 y0: np.ndarray, x0: np.ndarray, patch: np.ndarray, one_person: bool) -> None:
    """``flat[base + (y0 + i) * W + x0 + j] = max(old, patch[:, i, j])``.

    Every patch lies inside its own (frame, channel) map, so the patches of
    one person never share a pixel and one gather/max/assign per person is
    exact (pixels outside a window carry 0 and change nothing). With
    ``one_person`` each map gets at most one patch and the maps start at 0, so
    the patches are assigned without the gather.
    """
    n, Py, Px = patch.shape
    offs = (np.arange(Py, dtype=np.int64)[:, None] * W + np.arange(Px)).ravel()
    idx = (base + y0 * W + x0)[:, None] + offs                  # (n, Py*Px)
    patch = patch.reshape(n, -1)
    if one_person:
        flat[idx.ravel()] = patch.ravel()
        return
    for m in np.unique(person):
        rows = person == m
        i, p = idx[rows].ravel(), patch[rows].ravel()
        flat[i] = np.maximum(flat[i], p)


def _volume(T: int, C: int, H: int, W: int, out: np.ndarray = None, channel0: int = 0):
    """The volume to draw ``C`` channels into, and how to address it.

    Without ``out``: a new zero (T, C, H, W) float32 volume. With ``out``: a
    zeroed (T, C_total, H, W) float32 array, possibly a strided view (e.g. the
    (T, C, H, W) view of a channel-major (C, T, H, W) buffer), whose (H, W)
    planes are contiguous and whose underlying buffer is C-contiguous;
    channels ``channel0 .. channel0 + C - 1`` are drawn (keypoints and limbs
    share one allocation).

    Returns:
        ``(out, flat buffer, offset, t_stride, c_stride)``: pixel ``(t, c, y,
        x)`` of ``out`` is ``flat[offset + t * t_stride + c * c_stride + y * W
        + x]``.

    Raises:
        ValueError: ``out`` of the wrong dtype, shape or layout.
    """
    if out is None:
        out = np.zeros((T, C, H, W), dtype=np.float32)
    root = out
    while isinstance(root.base, np.ndarray):
        root = root.base
    if (out.dtype != np.float32 or out.ndim != 4 or out.shape[0] != T
            or out.shape[2:] != (H, W) or out.shape[1] < channel0 + C
            or out.strides[2:] != (4 * W, 4) or not root.flags.c_contiguous
            or root.dtype != np.float32):
        raise ValueError(f'heatmaps: out must be a float32 (T={T}, >= {channel0 + C}, H={H}, '
                         f'W={W}) volume with contiguous (H, W) planes in a C-contiguous '
                         f'buffer, got {out.dtype} {out.shape} strides {out.strides}')
    offset = (out.__array_interface__['data'][0] - root.__array_interface__['data'][0]) // 4
    return out, root.reshape(-1), offset, out.strides[0] // 4, out.strides[1] // 4


def keypoint_heatmaps(kp: np.ndarray, score: np.ndarray, shape: Tuple[int, int], sigma: float,
                      eps: float = 1e-4, symmetric_window: bool = False,
                      out: np.ndarray = None, channel0: int = 0) -> np.ndarray:
    """Gaussian maps of keypoints, max over persons.

    Args:
        kp: (M, T, V, >=2) float pixel coordinates (x, y).
        score: (M, T, V) weights; entries below ``eps`` are not drawn.
        shape: (H, W) of the maps. sigma: Gaussian std in pixels.
        symmetric_window: windows of exactly 3 sigma (module docstring).
        out, channel0: draw into channels ``channel0..`` of this zeroed
            (T, C_total, H, W) volume (a strided view is fine, see
            ``_volume``) instead of a new one.

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
    out, flat, off, st_t, st_c = _volume(T, V, H, W, out, channel0)
    m, t, v = np.nonzero(score >= eps)
    mx, my, w = kp[m, t, v, 0], kp[m, t, v, 1], score[m, t, v]
    stx, edx = _window(mx, mx, sigma, W, symmetric_window)
    sty, edy = _window(my, my, sigma, H, symmetric_window)
    keep = np.nonzero((edx > stx) & (edy > sty))[0]            # window inside the map
    if keep.size == 0:
        return out
    m, t, v, mx, my, w = m[keep], t[keep], v[keep], mx[keep], my[keep], w[keep]
    P = int(6 * sigma) + (1 if symmetric_window else 2)     # the longest window
    x0, x, vx = _axis_coords(stx[keep], edx[keep], W, P)
    y0, y, vy = _axis_coords(sty[keep], edy[keep], H, P)
    k = np.float32(-0.5 / sigma ** 2)
    gx = np.exp((x - mx[:, None]) ** 2 * k) * vx
    gy = np.exp((y - my[:, None]) ** 2 * k) * (vy * w[:, None])
    patch = (gy[:, :, None] * gx[:, None, :]).astype(np.float32)
    _scatter_max(flat, W, off + t * st_t + (channel0 + v) * st_c, m, y0, x0, patch, M == 1)
    return out


def _size_ladder(smallest: int, top: int) -> np.ndarray:
    """Patch sides ``smallest, ~1.5x, ~2.25x, ...`` up to at least ``top``."""
    sides = [smallest]
    while sides[-1] < top:
        sides.append(int(np.ceil(sides[-1] * 1.5)))
    return np.array(sides)


def limb_heatmaps(kp: np.ndarray, score: np.ndarray, limbs: Sequence[Sequence[int]],
                  shape: Tuple[int, int], sigma: float, eps: float = 1e-4,
                  symmetric_window: bool = False, out: np.ndarray = None,
                  channel0: int = 0) -> np.ndarray:
    """Gaussian maps of the distance to limb segments, max over persons.

    Args:
        kp: (M, T, V, >=2) float pixels. score: (M, T, V).
        limbs: L pairs (a, b) of joint indices.
        shape: (H, W). sigma: std in pixels.
        symmetric_window: windows of exactly 3 sigma and sub-pixel limbs as
            segments (module docstring); default: the reference's rules.
        out, channel0: as :func:`keypoint_heatmaps`.

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
    out, flat, off, st_t, st_c = _volume(T, L, H, W, out, channel0)
    value = np.minimum(score[:, :, limbs[:, 0]], score[:, :, limbs[:, 1]])  # (M, T, L)
    m, t, l_ = np.nonzero(value >= eps)
    if m.size == 0:
        return out
    A = kp[m, t, limbs[l_, 0], :2]
    B = kp[m, t, limbs[l_, 1], :2]
    val = value[m, t, l_]
    ux, uy = B[:, 0] - A[:, 0], B[:, 1] - A[:, 1]
    d2ab = ux ** 2 + uy ** 2
    if not symmetric_window:
        # reference: a limb shorter than 1 pixel is a keypoint at its start,
        # weighted by the start score
        sub = d2ab < 1
        if sub.any():
            B = np.where(sub[:, None], A, B)
            val = np.where(sub, score[m, t, limbs[l_, 0]], val)
            ux, uy = np.where(sub, 0, ux), np.where(sub, 0, uy)
            d2ab = np.where(sub, 0, d2ab)
    short = d2ab == 0                                   # a point: distance to A
    lo, hi = np.minimum(A, B), np.maximum(A, B)
    stx, edx = _window(lo[:, 0], hi[:, 0], sigma, W, symmetric_window)
    sty, edy = _window(lo[:, 1], hi[:, 1], sigma, H, symmetric_window)
    wx, wy = edx - stx, edy - sty
    inv = np.where(short, 0, 1 / np.where(short, 1, d2ab)).astype(np.float32)
    base = off + t * st_t + (channel0 + l_) * st_c
    k = np.float32(-0.5 / sigma ** 2)
    # group the windows by (height, width) rungs of a size ladder: one loop
    # step per occupied rung pair, rectangular patches (a long horizontal limb
    # gets a wide, flat patch)
    ladder = _size_ladder(int(6 * sigma) + (1 if symmetric_window else 2), max(H, W))
    drawn = (wx > 0) & (wy > 0)
    rx, ry = np.searchsorted(ladder, wx), np.searchsorted(ladder, wy)
    key = np.where(drawn, ry * len(ladder) + rx, -1)
    order = np.argsort(key, kind='stable')
    groups, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    for g, st, cnt in zip(groups.tolist(), starts.tolist(), counts.tolist()):
        if g < 0:
            continue
        sel = order[st:st + cnt]
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
        _scatter_max(flat, W, base[sel], m[sel], y0, x0, patch, M == 1)
    return out


@TRANSFORMS.register_module()
class GeneratePoseTarget(PoseTransform):
    """Draw the keypoint and/or limb heatmap volume of a clip (PoseC3D input).

    Source: Duan et al., "Revisiting Skeleton-based Action Recognition"
    (CVPR 2022); arguments and semantics of PYSKL / MMAction2
    ``GeneratePoseTarget`` (see the module docstring), vectorised.
    Channels: keypoints ``0..V-1`` then limbs ``V..V+L-1`` when both are on
    (PYSKL's and MMAction2's ``GeneratePoseTarget`` with both maps on write limb
    ``i`` into channel ``i``, max-merged with keypoint ``i``, and leave channels
    ``V..V+L-1`` empty).

    Args:
        sigma: Gaussian std in pixels of the final ``img_shape``.
        use_score: weight by ``keypoint_score`` (else 1).
        with_kp, with_limb: which maps to draw (at least one).
        skeletons: limb pairs; default the layout's heatmap limbs
            (``SkeletonLayout.heatmap_limbs``; ``coco``'s 17 without a layout).
        double: also give the horizontally flipped clip (flip-test): the
            volume mirrored left-right with left/right channels swapped,
            stacked after the original along time (as the reference).
        left_kp, right_kp: joints swapped by the flip; default from
            ``layout`` (coco's without one).
        left_limb, right_limb: limb channels swapped by the flip; default
            derived from ``skeletons`` and the joint pairs.
        scaling: draw at ``img_shape * scaling`` (RGBPoseConv3D: 0.25);
            keypoints scale by ``x * scaling`` as the reference's, or with
            ``symmetric_window`` (the pixel-index geometry) by the
            half-pixel-centre rule of ``Resize(pixel_center=True)``.
        eps: scores below it are not drawn.
        layout: layout name/dict giving skeletons and flip pairs (default coco);
            all defaults are resolved by
            :class:`pyskl.skeleton.heatmap_spec.HeatmapSpec`.
        symmetric_window: exact 3-sigma windows, sub-pixel limbs as segments
            (mirror-exact); default False: the reference's windows, so PYSKL /
            MMAction2 checkpoints get their own inputs (module docstring).

    Required keys: ``keypoint`` (M, T, V, >=2) pixels, ``img_shape`` (H, W).
    Optional keys: ``keypoint_score`` (M, T, V), ``imgs`` (then the volume
    goes to ``heatmap_imgs``).
    Added keys: ``imgs`` (or ``heatmap_imgs``) (T or 2T, C, H', W') float32.

    Raises:
        ValueError: neither maps requested, NaN/inf keypoints (names the
            sample), a limb index beyond V, or flip pairs that do not map the
            skeleton onto itself.
    """

    required_keys = ('keypoint', 'img_shape')
    optional_keys = ('keypoint_score', 'imgs')
    added_keys = ('imgs', 'heatmap_imgs')

    def __init__(self, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
                 with_limb: bool = False, skeletons=None, double: bool = False,
                 left_kp=None, right_kp=None, left_limb=None, right_limb=None,
                 scaling: float = 1.0, eps: float = 1e-4, layout=None,
                 symmetric_window: bool = False):
        # one specification for this transform and the device drawer
        self.spec = HeatmapSpec.build(
            sigma=sigma, use_score=use_score, with_kp=with_kp, with_limb=with_limb,
            skeletons=skeletons, double=double, left_kp=left_kp, right_kp=right_kp,
            left_limb=left_limb, right_limb=right_limb, scaling=scaling, eps=eps,
            layout=layout, symmetric_window=symmetric_window)
        for name in ('sigma', 'use_score', 'with_kp', 'with_limb', 'skeletons', 'double',
                     'left_kp', 'right_kp', 'left_limb', 'right_limb', 'scaling', 'eps',
                     'symmetric_window'):
            setattr(self, name, getattr(self.spec, name))
        self._flip_channels = {}

    def flip_channels(self, V: int) -> np.ndarray:
        """Channel permutation of the mirrored volume for V joints: (C,) int64."""
        if V not in self._flip_channels:
            self._flip_channels[V] = self.spec.flip_channels(V)
        return self._flip_channels[V]

    def volume(self, kp: np.ndarray, score: np.ndarray, shape: Tuple[int, int],
               double: bool = False) -> np.ndarray:
        """(M, T, V, >=2) pixels + (M, T, V) scores -> (T, C, H, W) float32, or
        with ``double`` (2T, C, H, W): the mirrored volume after the original.

        One zeroed allocation for keypoint and limb channels and the mirror,
        channel-major in memory: the result is the (T, C, H, W) view of a
        (C, T, H, W) buffer, so ``FormatShape('NCTHW_Heatmap')`` of one view
        needs no copy and the mirror copies whole (T, H, W) blocks.
        """
        M, T, V = score.shape
        H, W = int(shape[0]), int(shape[1])
        C = (V if self.with_kp else 0) + (len(self.skeletons) if self.with_limb else 0)
        T2 = (2 if double else 1) * T
        buf = np.zeros((C, T2, H, W), np.float32)
        vol = buf[:, :T].transpose(1, 0, 2, 3)
        if self.with_kp:
            keypoint_heatmaps(kp, score, (H, W), self.sigma, self.eps, self.symmetric_window,
                              out=vol, channel0=0)
        if self.with_limb:
            limb_heatmaps(kp, score, self.skeletons, (H, W), self.sigma, self.eps,
                          self.symmetric_window, out=vol, channel0=V if self.with_kp else 0)
        if double:
            for c, src in enumerate(self.flip_channels(V).tolist()):
                buf[c, T:] = buf[src, :T, :, ::-1]
        return buf.transpose(1, 0, 2, 3)

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
            kp = (kp + 0.5) * self.scaling - 0.5 if self.symmetric_window else kp * self.scaling
        vol = self.volume(kp, score, (H, W), double=self.double)
        results['heatmap_imgs' if 'imgs' in results else 'imgs'] = vol
        return results
