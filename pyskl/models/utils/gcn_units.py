"""Shared GCN building blocks: one graph unit, one temporal unit, one
multi-scale temporal unit. Parameter names match PYSKL so its checkpoints load.

Tensors are (N, C, T, V): batch (persons folded in), channels, frames, joints.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


class unit_tcn(nn.Module):
    """Temporal convolution ``kernel_size x 1`` + BN (+ dropout).

    Source: ST-GCN (Yan et al., AAAI 2018). Input (N, C_in, T, V) ->
    (N, C_out, ceil(T / stride), V); ``padding`` keeps T at stride 1.

    Args:
        norm: ``'BN'`` or ``None`` (no normalisation).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 9,
                 stride: int = 1, dilation: int = 1, norm: Optional[str] = 'BN',
                 dropout: float = 0.):
        super().__init__()
        pad = (kernel_size + (kernel_size - 1) * (dilation - 1) - 1) // 2
        self.conv = nn.Conv2d(in_channels, out_channels, (kernel_size, 1), padding=(pad, 0),
                              stride=(stride, 1), dilation=(dilation, 1))
        self.bn = nn.BatchNorm2d(out_channels) if norm is not None else nn.Identity()
        self.drop = nn.Dropout(dropout, inplace=True)
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.bn(self.conv(x)))


class mstcn(nn.Module):
    """Multi-scale temporal convolution of ST-GCN++ (PYSKL, Duan et al. 2022).

    Branches (default ``ms_cfg``): 1x1 -> 3x1 conv with dilation 1..4, a
    1x1 -> 3x1 max-pool branch and a plain 1x1 branch; their outputs are
    concatenated, transformed by BN-ReLU-1x1 conv, then BN and dropout.
    Input (N, C_in, T, V) -> (N, C_out, ceil(T / stride), V).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 mid_channels: Optional[int] = None, dropout: float = 0.,
                 ms_cfg: Sequence = ((3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'),
                 stride: int = 1):
        super().__init__()
        num_branches = len(ms_cfg)
        if mid_channels is None:
            mid_channels = out_channels // num_branches
            rem_mid_channels = out_channels - mid_channels * (num_branches - 1)
        else:
            rem_mid_channels = mid_channels
        self.in_channels, self.out_channels = in_channels, out_channels
        self.act = nn.ReLU()
        branches = []
        for i, cfg in enumerate(ms_cfg):
            c = rem_mid_channels if i == 0 else mid_channels
            if cfg == '1x1':
                branches.append(nn.Conv2d(in_channels, c, kernel_size=1, stride=(stride, 1)))
                continue
            head = [nn.Conv2d(in_channels, c, kernel_size=1), nn.BatchNorm2d(c), self.act]
            if cfg[0] == 'max':
                tail = nn.MaxPool2d(kernel_size=(cfg[1], 1), stride=(stride, 1), padding=(1, 0))
            else:
                tail = unit_tcn(c, c, kernel_size=cfg[0], stride=stride, dilation=cfg[1],
                                norm=None)
            branches.append(nn.Sequential(*head, tail))
        self.branches = nn.ModuleList(branches)
        tin = mid_channels * (num_branches - 1) + rem_mid_channels
        self.transform = nn.Sequential(nn.BatchNorm2d(tin), self.act,
                                       nn.Conv2d(tin, out_channels, kernel_size=1))
        self.bn = nn.BatchNorm2d(out_channels)
        self.drop = nn.Dropout(dropout, inplace=True)
        self._heads, self._plain = self._fusable()
        #: allow the fused fast path (used only when ``can_fuse()``)
        self.fuse = True

    def _fusable(self):
        """Indices of branches whose leading 1x1 conv can run as one conv:
        ``[conv, bn, relu, tail]`` heads, plus the plain ``1x1`` branch at
        stride 1."""
        heads, plain = [], []
        for i, b in enumerate(self.branches):
            if isinstance(b, nn.Sequential) and len(b) == 4:
                heads.append(i)
            elif isinstance(b, nn.Conv2d) and b.stride == (1, 1):
                plain.append(i)
        return heads, plain

    def can_fuse(self) -> bool:
        """Whether the fused path computes exactly what the branches would.

        Checked at every call, since fine-tuning freezes BNs (``eval()`` on
        them inside a training model) and ``convert_sync_batchnorm`` swaps
        them: every head BN must be a plain ``nn.BatchNorm2d`` (not SyncBN,
        whose statistics span processes), affine, tracking running
        statistics, and all must share one mode (``training``), momentum
        (not ``None``) and eps."""
        if not self.fuse or len(self._heads) < 2:
            return False
        bns = [self.branches[i][1] for i in self._heads]
        first = bns[0]
        return all(type(bn) is nn.BatchNorm2d and bn.affine and bn.track_running_stats
                   and bn.momentum is not None and bn.training == first.training
                   and bn.momentum == first.momentum and bn.eps == first.eps
                   for bn in bns)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.can_fuse():
            outs = self._forward_fused(x)
        else:
            outs = [branch(x) for branch in self.branches]
        feat = torch.cat(outs, dim=1)
        return self.drop(self.bn(self.transform(feat)))

    def _forward_fused(self, x: torch.Tensor):
        """Same result as running the branches one by one, with their leading
        1x1 convs (and BNs) concatenated into one conv / one BN call: one read
        of ``x`` and one larger GEMM instead of six small ones."""
        heads, plain = self._heads, self._plain
        convs = [self.branches[i][0] for i in heads] + [self.branches[i] for i in plain]
        y = F.conv2d(x, torch.cat([c.weight for c in convs]), torch.cat([c.bias for c in convs]))
        bns = [self.branches[i][1] for i in heads]
        n_head = sum(bn.num_features for bn in bns)
        rm = torch.cat([bn.running_mean for bn in bns])
        rv = torch.cat([bn.running_var for bn in bns])
        use_batch_stats = bns[0].training         # the BNs' own mode (can_fuse checked)
        h = F.batch_norm(y[:, :n_head], rm, rv, torch.cat([bn.weight for bn in bns]),
                         torch.cat([bn.bias for bn in bns]), use_batch_stats, bns[0].momentum,
                         bns[0].eps)
        if use_batch_stats:
            with torch.no_grad():  # write the updated statistics back to each BN
                sizes = [bn.num_features for bn in bns]
                for bn, m, v in zip(bns, rm.split(sizes), rv.split(sizes)):
                    bn.running_mean.copy_(m)
                    bn.running_var.copy_(v)
                    bn.num_batches_tracked.add_(1)
        h = F.relu(h)
        outs = [None] * len(self.branches)
        for i, part in zip(heads, h.split([bn.num_features for bn in bns], dim=1)):
            outs[i] = self.branches[i][3](part)
        start = n_head
        for i in plain:
            c = self.branches[i].out_channels
            outs[i] = y[:, start:start + c]
            start += c
        for i, b in enumerate(self.branches):
            if outs[i] is None:
                outs[i] = b(x)
        return outs


class unit_gcn(nn.Module):
    """Spatial graph convolution over K adjacency subsets.

    ``y = act(BN(sum_k conv_k(x) A_k) + res)``. Source: ST-GCN (Yan et al.,
    AAAI 2018); adaptive variants of PYSKL:

    * ``adaptive=None``: fixed ``A`` (buffer).
    * ``'importance'``: ``A * PA``, PA a learnt mask initialised to 1 (ST-GCN's
      edge importance).
    * ``'offset'``: ``A + PA``, PA initialised ~U(-1e-6, 1e-6).
    * ``'init'``: ``A`` itself is a learnt parameter (ST-GCN++).

    Args:
        A: (K, V, V) adjacency tensor.
        conv_pos: ``'pre'`` (1x1 conv to K*C_out then aggregate) or
            ``'post'`` (aggregate then 1x1 conv).
        with_res: add a residual (1x1 conv + BN if channels change).

    Input (N, C_in, T, V) -> (N, C_out, T, V).
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 adaptive: Optional[str] = 'importance', conv_pos: str = 'pre',
                 with_res: bool = False, norm: str = 'BN', act: str = 'ReLU'):
        super().__init__()
        if adaptive not in (None, 'init', 'offset', 'importance'):
            raise ValueError(f'unit_gcn: unknown adaptive mode {adaptive!r}')
        if conv_pos not in ('pre', 'post'):
            raise ValueError(f'unit_gcn: conv_pos must be pre or post, got {conv_pos!r}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_subsets = A.size(0)
        self.adaptive, self.conv_pos, self.with_res = adaptive, conv_pos, with_res
        if adaptive == 'offset':
            self.PA = nn.Parameter(torch.empty_like(A).uniform_(-1e-6, 1e-6))
        elif adaptive == 'importance':
            self.PA = nn.Parameter(torch.ones_like(A))
        if adaptive == 'init':
            self.A = nn.Parameter(A.clone())
        else:
            self.register_buffer('A', A.clone())
        if with_res and in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))
        elif with_res:
            self.down = nn.Identity()
        if conv_pos == 'pre':
            self.conv = nn.Conv2d(in_channels, out_channels * self.num_subsets, 1)
        else:
            self.conv = nn.Conv2d(self.num_subsets * in_channels, out_channels, 1)
        if norm != 'BN':
            raise ValueError(f"unit_gcn: only norm='BN' is supported, got {norm!r}")
        self.bn = nn.BatchNorm2d(out_channels)
        self.act = nn.ReLU() if act == 'ReLU' else nn.Identity()

    def graph(self) -> torch.Tensor:
        """The adjacency in use: (K, V, V)."""
        if self.adaptive == 'importance':
            return self.A * self.PA
        if self.adaptive == 'offset':
            return self.A + self.PA
        return self.A

    def forward(self, x: torch.Tensor, A: Optional[torch.Tensor] = None) -> torch.Tensor:
        N, C, T, V = x.shape
        res = self.down(x) if self.with_res else 0
        A = self.graph()
        K = self.num_subsets
        if self.conv_pos == 'pre':
            # sum_k conv_k(x) @ A_k as ONE matmul over (k, v), contiguous result
            x = self.conv(x).view(N, K, -1, T, V)                    # (N, K, C_out, T, V)
            x = x.permute(0, 2, 3, 1, 4).reshape(-1, K * V)          # (N*C_out*T, K*V)
            x = torch.mm(x, A.reshape(K * V, V)).view(N, -1, T, V)   # (N, C_out, T, V)
        else:
            x = torch.einsum('nctv,kvw->nkctw', x, A).reshape(N, -1, T, V)  # (N, K*C_in, T, V)
            x = self.conv(x)
        return self.act(self.bn(x) + res)
