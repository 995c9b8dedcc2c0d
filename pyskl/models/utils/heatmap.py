"""Batched torch heatmap volumes: PoseC3D's input drawn on the model's device.

Same maths and windows as the numpy ``GeneratePoseTarget``
(:mod:`pyskl.datasets.transforms.heatmap`): Duan et al., "Revisiting
Skeleton-based Action Recognition" (CVPR 2022). Here every pixel of every map
is computed at once (a full grid per person, max over persons), which suits
a GPU; on a CPU the numpy transform is the faster path.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn

from pyskl.datasets.transforms.heatmap import GeneratePoseTarget
from pyskl.skeleton.layouts import swap_index


def _window_mask(lo: torch.Tensor, hi: torch.Tensor, coords: torch.Tensor, sigma: float,
                 size: int) -> torch.Tensor:
    """``coords`` inside the window ``[max(ceil(lo-3s),0), min(floor(hi+3s)+1,
    size))``; lo/hi (...,) -> mask (..., len(coords))."""
    st = torch.clamp(torch.ceil(lo - 3 * sigma), min=0)[..., None]
    ed = torch.clamp(torch.floor(hi + 3 * sigma) + 1, max=size)[..., None]
    return (coords >= st) & (coords < ed)


def keypoint_heatmaps_torch(kp: torch.Tensor, score: torch.Tensor, shape: Tuple[int, int],
                            sigma: float, eps: float = 1e-4) -> torch.Tensor:
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
        gx = torch.exp((xs - mx[..., None]) ** 2 * k) * _window_mask(mx, mx, xs, sigma, W)
        gy = torch.exp((ys - my[..., None]) ** 2 * k) * _window_mask(my, my, ys, sigma, H)
        maps = (gy * w[..., None])[..., :, None] * gx[..., None, :]          # (B, T, V, H, W)
        out = maps if out is None else torch.maximum(out, maps)
    return out.transpose(1, 2).contiguous()


def limb_heatmaps_torch(kp: torch.Tensor, score: torch.Tensor, limbs: Sequence[Sequence[int]],
                        shape: Tuple[int, int], sigma: float, eps: float = 1e-4) -> torch.Tensor:
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
        mask = (_window_mask(lo[..., 1], hi[..., 1], y, sigma, H)[..., :, None]
                & _window_mask(lo[..., 0], hi[..., 0], x, sigma, W)[..., None, :])
        maps = torch.exp((px * px + py * py) * k) * mask * val[..., None, None]
        out = maps if out is None else torch.maximum(out, maps)
    return out.transpose(1, 2).contiguous()


class HeatmapDrawer(nn.Module):
    """Draw PoseC3D volumes from keypoint tensors on their device.

    Arguments as ``GeneratePoseTarget`` (sigma, use_score, with_kp,
    with_limb, skeletons, double, left_kp, right_kp, eps, layout).

    ``forward(kp, shape, double=None)``: kp (n, M, T, V, 3) = (x, y, score)
    pixels of the final ``img_shape`` ``shape`` = (H, W) -> (n, C, T, H, W),
    or with doubling (2n, C, T, H, W) where row ``2i + 1`` is the flipped
    view of row ``2i`` (x -> W - 1 - x, left/right joints swapped).
    ``double=None`` uses the constructor's ``double`` (the flip-test switch;
    ``Recognizer3D`` passes False while training).
    """

    def __init__(self, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
                 with_limb: bool = False, skeletons=None, double: bool = False,
                 left_kp=None, right_kp=None, eps: float = 1e-4, layout=None, **kwargs):
        super().__init__()
        ref = GeneratePoseTarget(  # one source of argument checks and defaultssigma=sigma, use_score=use_score, with_kp=with_kp,
                                 with_limb=with_limb, skeletons=skeletons, double=double,
                                 left_kp=left_kp, right_kp=right_kp, eps=eps, layout=layout)
        self.sigma, self.use_score, self.eps = sigma, use_score, eps
        self.with_kp, self.with_limb, self.double = with_kp, with_limb, double
        self.skeletons = ref.skeletons
        self.left_kp, self.right_kp = ref.left_kp, ref.right_kp

    def _volume(self, kp: torch.Tensor, score: torch.Tensor, shape) -> torch.Tensor:
        maps = []
        if self.with_kp:
            maps.append(keypoint_heatmaps_torch(kp, score, shape, self.sigma, self.eps))
        if self.with_limb:
            maps.append(limb_heatmaps_torch(kp, score, self.skeletons, shape, self.sigma,
                                            self.eps))
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
        vol = self._volume(xy, score, shape)
        if not (self.double if double is None else double):
            return vol
        idx = torch.as_tensor(swap_index(kp.shape[-2], self.left_kp, self.right_kp),
                              device=kp.device)
        fxy = xy[..., idx, :].clone()
        missing = (fxy == 0).all(dim=-1)
        fxy[..., 0] = torch.where(missing, fxy[..., 0], shape[1] - 1 - fxy[..., 0])
        fvol = self._volume(fxy, score[..., idx], shape)
        return torch.stack([vol, fvol], dim=1).flatten(0, 1)
