"""Batched torch heatmap volumes: PoseC3D's input drawn on the model's device.

Same maths, windows and arguments as the numpy ``GeneratePoseTarget`` (both take
them through :class:`pyskl.skeleton.heatmap_spec.HeatmapSpec`): Duan et al., "Revisiting
Skeleton-based Action Recognition" (CVPR 2022). Here every pixel of every map
is computed at once (a full grid per person, max over persons), which suits
a GPU; on a CPU the numpy transform is the faster path.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from pyskl.skeleton.heatmap_spec import HeatmapSpec


def _window_mask(lo: torch.Tensor, hi: torch.Tensor, coords: torch.Tensor, sigma: float,
                 size: int, symmetric: bool = False) -> torch.Tensor:
    """``coords`` inside the window of the numpy transform (reference
    ``[int(lo-3s), int(hi+3s)+1)`` or symmetric ``[ceil(lo-3s), floor(hi+3s)+1)``,
    clipped to ``[0, size)``); lo/hi (...,) -> mask (..., len(coords))."""
    low, high = lo.double() - 3 * sigma, hi.double() + 3 * sigma
    st = torch.ceil(low) if symmetric else torch.trunc(low)
    ed = (torch.floor(high) if symmetric else torch.trunc(high)) + 1
    st = torch.clamp(st, min=0)[..., None]
    ed = torch.clamp(ed, max=size)[..., None]
    return (coords >= st) & (coords < ed)


def keypoint_heatmaps_torch(kp: torch.Tensor, score: torch.Tensor, shape: Tuple[int, int],
                            sigma: float, eps: float = 1e-4,
                            symmetric_window: bool = False) -> torch.Tensor:
    """Keypoint maps. kp (B, M, T, V, >=2) pixels, score (B, M, T, V) ->
    (B, V, T, H, W) float32, max over persons."""
    H, W = shape
    xs = torch.arange(W, device=kp.device, dtype=torch.float32)
    ys = torch.arange(H, device=kp.device, dtype=torch.float32)
    k = -0.5 / sigma ** 2
    out = None
    for m in range(kp.shape[1]):
        mx, my = kp[:, m, ..., 0].float(), kp[:, m, ..., 1].float()           # (B, T, V)
        w = score[:, m].float()
        w = torch.where(w >= eps, w, torch.zeros_like(w))
        gx = torch.exp((xs - mx[..., None]) ** 2 * k) * _window_mask(mx, mx, xs, sigma, W,
                                                                    symmetric_window)
        gy = torch.exp((ys - my[..., None]) ** 2 * k) * _window_mask(my, my, ys, sigma, H,
                                                                    symmetric_window)
        maps = (gy * w[..., None])[..., :, None] * gx[..., None, :]          # (B, T, V, H, W)
        out = maps if out is None else torch.maximum(out, maps)
    return out.transpose(1, 2).contiguous()


def limb_heatmaps_torch(kp: torch.Tensor, score: torch.Tensor, limbs: Sequence[Sequence[int]],
                        shape: Tuple[int, int], sigma: float, eps: float = 1e-4,
                        symmetric_window: bool = False) -> torch.Tensor:
    """Limb maps. kp (B, M, T, V, >=2), score (B, M, T, V), L limbs ->
    (B, L, T, H, W) float32, max over persons."""
    H, W = shape
    lim = torch.as_tensor(limbs, dtype=torch.long, device=kp.device).reshape(-1, 2)
    x = torch.arange(W, device=kp.device, dtype=torch.float32)
    y = torch.arange(H, device=kp.device, dtype=torch.float32)
    k = -0.5 / sigma ** 2
    out = None
    for m in range(kp.shape[1]):
        P, s = kp[:, m, ..., :2].float(), score[:, m].float()
        A, B = P[:, :, lim[:, 0]], P[:, :, lim[:, 1]]                      # (B, T, L, 2)
        val = torch.minimum(s[:, :, lim[:, 0]], s[:, :, lim[:, 1]])
        val = torch.where(val >= eps, val, torch.zeros_like(val))
        u = B - A
        d2ab = (u ** 2).sum(-1)
        if not symmetric_window:
            # reference: a sub-pixel limb is a keypoint at its start, start score
            sub = d2ab < 1
            B = torch.where(sub[..., None], A, B)
            val = torch.where(sub & (val > 0), s[:, :, lim[:, 0]], val)
            u = torch.where(sub[..., None], torch.zeros_like(u), u)
            d2ab = torch.where(sub, torch.zeros_like(d2ab), d2ab)
        point = d2ab == 0                                  # a point: distance to A
        inv = torch.where(point, torch.zeros_like(d2ab),
                          1 / torch.where(point, torch.ones_like(d2ab), d2ab))
        lo, hi = torch.minimum(A, B), torch.maximum(A, B)
        dx = x - A[..., 0, None]                                           # (B, T, L, W)
        dy = y - A[..., 1, None]                                           # (B, T, L, H)
        ux, uy, inv = u[..., 0, None, None], u[..., 1, None, None], inv[..., None, None]
        c = ((dy[..., :, None] * uy + dx[..., None, :] * ux) * inv).clamp(0, 1)
        px = dx[..., None, :] - c * ux
        py = dy[..., :, None] - c * uy
        mask = (_window_mask(lo[..., 1], hi[..., 1], y, sigma, H, symmetric_window)[..., :, None]
                & _window_mask(lo[..., 0], hi[..., 0], x, sigma, W, symmetric_window)[..., None, :])
        maps = torch.exp((px * px + py * py) * k) * mask * val[..., None, None]
        out = maps if out is None else torch.maximum(out, maps)
    return out.transpose(1, 2).contiguous()


class HeatmapDrawer(nn.Module):
    """Draw PoseC3D volumes from keypoint tensors on their device.

    Arguments as ``GeneratePoseTarget`` (sigma, use_score, with_kp,
    with_limb, skeletons, double, left_kp, right_kp, left_limb, right_limb,
    eps, layout, symmetric_window), resolved and checked by
    :meth:`HeatmapSpec.build`; an unknown argument raises ``TypeError``. ``scaling`` is not supported here (it must
    stay 1).

    ``forward(kp, shape, double=None)``: kp (n, M, T, V, 3) = (x, y, score)
    pixels of the final ``img_shape`` ``shape`` = (H, W) -> (n, C, T, H, W),
    or with doubling (2n, C, T, H, W) where row ``2i + 1`` is row ``2i``
    mirrored left-right with left/right channels swapped (as the numpy
    transform). ``double=None`` uses the constructor's ``double`` (the
    flip-test switch; ``Recognizer3D`` passes False while training).

    Raises:
        TypeError: an unknown argument. ValueError: invalid arguments (from
            ``GeneratePoseTarget``), ``scaling != 1``, bad input shapes or
            NaN/inf keypoints.
    """

    def __init__(self, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
                 with_limb: bool = False, skeletons=None, double: bool = False,
                 left_kp=None, right_kp=None, left_limb=None, right_limb=None,
                 eps: float = 1e-4, layout=None, symmetric_window: bool = False,
                 scaling: float = 1.0):
        super().__init__()
        if scaling != 1:
            raise ValueError(f'HeatmapDrawer: scaling={scaling} is not supported; draw at the '
                             'final img_shape (scaling=1)')
        self.spec = HeatmapSpec.build(
            sigma=sigma, use_score=use_score, with_kp=with_kp, with_limb=with_limb,
            skeletons=skeletons, double=double, left_kp=left_kp, right_kp=right_kp,
            left_limb=left_limb, right_limb=right_limb, eps=eps, layout=layout,
            symmetric_window=symmetric_window)
        self.sigma, self.use_score, self.eps = sigma, use_score, eps
        self.with_kp, self.with_limb, self.double = with_kp, with_limb, double
        self.symmetric_window = symmetric_window
        self.skeletons = self.spec.skeletons

    def _volume(self, kp: torch.Tensor, score: torch.Tensor, shape) -> torch.Tensor:
        maps = []
        if self.with_kp:
            maps.append(keypoint_heatmaps_torch(kp, score, shape, self.sigma, self.eps,
                                                self.symmetric_window))
        if self.with_limb:
            maps.append(limb_heatmaps_torch(kp, score, self.skeletons, shape, self.sigma,
                                            self.eps, self.symmetric_window))
        return maps[0] if len(maps) == 1 else torch.cat(maps, dim=1)

    def forward(self, kp: torch.Tensor, shape: Tuple[int, int],
                double: Optional[bool] = None) -> torch.Tensor:
        if kp.dim() != 5 or kp.shape[-1] < 2:
            raise ValueError(f'HeatmapDrawer expects keypoints (n, M, T, V, 3), got '
                             f'{tuple(kp.shape)}')
        if not torch.isfinite(kp).all():
            raise ValueError('HeatmapDrawer: keypoints contain NaN or infinity')
        xy = kp[..., :2]
        if self.use_score and kp.shape[-1] > 2:
            score = kp[..., 2]
        else:
            score = torch.ones_like(kp[..., 0])
        vol = self._volume(xy, score, shape)                   # (n, C, T, H, W)
        if not (self.double if double is None else double):
            return vol
        idx = torch.as_tensor(self.spec.flip_channels(kp.shape[-2]), device=kp.device)
        fvol = vol.flip(-1).index_select(1, idx)
        return torch.stack([vol, fvol], dim=1).flatten(0, 1)
