"""Shared temporal units of the GCN backbones: one plain temporal conv
(``unit_tcn``), the multi-branch unit of ST-GCN++ (``MultiBranchTCN``, PYSKL's
``mstcn``) and its DG-STGCN variant (``DGMultiBranchTCN``, PYSKL's ``dgmstcn``),
and the multi-scale unit of MS-G3D / CTR-GCN (``MultiScaleTCN``, a different
design). Parameter names match PYSKL so its checkpoints load.

PYSKL's lowercase names ``mstcn`` and ``dgmstcn`` stay as aliases of the first two
(``STGCN(tcn_type='mstcn')`` in PYSKL / MMAction2 configs).

Tensors are (N, C, T, V): batch (persons folded in), channels, frames, joints.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from .pointwise import PointwiseConv2d, pointwise_conv


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


class MultiBranchTCN(nn.Module):
    """Multi-branch temporal convolution of ST-GCN++ (PYSKL ``mstcn``; Duan et al. 2022).

    Branches (default ``ms_cfg``): 1x1 -> 3x1 conv with dilation 1..4, a
    1x1 -> 3x1 max-pool branch and a plain 1x1 branch; their outputs are
    concatenated, transformed by BN-ReLU-1x1 conv, then BN and dropout.
    Input (N, C_in, T, V) -> (N, C_out, ceil(T / stride), V).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 mid_channels: Optional[Union[int, float]] = None, dropout: float = 0.,
                 ms_cfg: Sequence = ((3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'),
                 stride: int = 1):
        super().__init__()
        num_branches = len(ms_cfg)
        if mid_channels is None:
            mid_channels = out_channels // num_branches
            rem_mid_channels = out_channels - mid_channels * (num_branches - 1)
        else:
            if isinstance(mid_channels, float):  # PYSKL: a fraction of out_channels
                mid_channels = int(out_channels * mid_channels)
            rem_mid_channels = mid_channels
        self.in_channels, self.out_channels = in_channels, out_channels
        self.act = nn.ReLU(inplace=True)   # after BNs only: their outputs are fresh
        branches = []
        for i, cfg in enumerate(ms_cfg):
            c = rem_mid_channels if i == 0 else mid_channels
            if cfg == '1x1':
                branches.append(PointwiseConv2d(in_channels, c, stride=(stride, 1)))
                continue
            head = [PointwiseConv2d(in_channels, c), nn.BatchNorm2d(c), self.act]
            if cfg[0] == 'max':
                tail = nn.MaxPool2d(kernel_size=(cfg[1], 1), stride=(stride, 1), padding=(1, 0))
            else:
                tail = unit_tcn(c, c, kernel_size=cfg[0], stride=stride, dilation=cfg[1],
                                norm=None)
            branches.append(nn.Sequential(*head, tail))
        self.branches = nn.ModuleList(branches)
        tin = mid_channels * (num_branches - 1) + rem_mid_channels
        self.transform = nn.Sequential(nn.BatchNorm2d(tin), self.act,
                                       PointwiseConv2d(tin, out_channels))
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
        if all(isinstance(bn, nn.Identity) for bn in bns):
            return True          # folded into the convs (pyskl.models.utils.fuse_conv_bn)
        first = bns[0]
        return all(type(bn) is nn.BatchNorm2d and bn.affine and bn.track_running_stats
                   and bn.momentum is not None and bn.training == first.training
                   and bn.momentum == first.momentum and bn.eps == first.eps
                   for bn in bns)

    def branch_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """The concatenated branch outputs (N, sum of branch C, T', V)."""
        if self.can_fuse():
            outs = self._forward_fused(x)
        else:
            outs = [branch(x) for branch in self.branches]
        return torch.cat(outs, dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.bn(self.transform(self.branch_outputs(x))))

    def _forward_fused(self, x: torch.Tensor):
        """Same result as running the branches one by one, with their leading
        1x1 convs (and BNs) concatenated into one conv / one BN call: one read
        of ``x`` and one larger GEMM instead of six small ones."""
        heads, plain = self._heads, self._plain
        convs = [self.branches[i][0] for i in heads] + [self.branches[i] for i in plain]
        y = pointwise_conv(x, torch.cat([c.weight for c in convs]),
                           torch.cat([c.bias for c in convs]))
        bns = [self.branches[i][1] for i in heads]
        if isinstance(bns[0], nn.Identity):   # BNs folded into the convs (inference)
            sizes = [self.branches[i][0].out_channels for i in heads]
            y_head, y_plain = self._split_heads(y, sum(sizes), convs)
            return self._tails(x, y_plain, F.relu(y_head), sizes)
        n_head = sum(bn.num_features for bn in bns)
        rm = torch.cat([bn.running_mean for bn in bns])
        rv = torch.cat([bn.running_var for bn in bns])
        use_batch_stats = bns[0].training         # the BNs' own mode (can_fuse checked)
        y_head, y_plain = self._split_heads(y, n_head, convs)
        h = F.batch_norm(y_head, rm, rv, torch.cat([bn.weight for bn in bns]),
                         torch.cat([bn.bias for bn in bns]), use_batch_stats, bns[0].momentum,
                         bns[0].eps)
        if use_batch_stats:
            with torch.no_grad():  # write the updated statistics back to each BN
                sizes = [bn.num_features for bn in bns]
                for bn, m, v in zip(bns, rm.split(sizes), rv.split(sizes)):
                    bn.running_mean.copy_(m)
                    bn.running_var.copy_(v)
                    bn.num_batches_tracked.add_(1)
        return self._tails(x, y_plain, F.relu(h, inplace=True), [bn.num_features for bn in bns])

    @staticmethod
    def _split_heads(y, n_head, convs):
        """The joint conv's output as (heads' channels, plain branches' channels),
        by ``split``: its backward is one concatenation, where two slices would
        each scatter into a zero-filled copy of ``y``'s gradient."""
        total = sum(c.out_channels for c in convs)     # y's channels, known statically
        if n_head == total:
            return y, y[:, :0]
        return y.split([n_head, total - n_head], dim=1)

    def _tails(self, x, y_plain, h, sizes):
        """The branch outputs from the heads' activations ``h`` (split by
        ``sizes``) and ``y_plain``, the plain branches' channels of the joint conv."""
        heads, plain = self._heads, self._plain
        outs = [None] * len(self.branches)
        for i, part in zip(heads, h.split(sizes, dim=1)):
            outs[i] = self.branches[i][3](part)
        if plain:
            parts = y_plain.split([self.branches[i].out_channels for i in plain], dim=1)
            for i, part in zip(plain, parts):
                outs[i] = part
        for i, b in enumerate(self.branches):
            if outs[i] is None:
                outs[i] = b(x)
        return outs


class DGMultiBranchTCN(MultiBranchTCN):
    """``MultiBranchTCN`` with DG-STGCN's dynamic joint-skeleton fusion (D-JSF).

    The branches run on the V joints plus one extra "skeleton" node (the
    mean over joints); before the transform, joint ``v`` receives
    ``add_coeff[v]`` times the skeleton node's features. ``add_coeff`` (size
    ``num_joints``, the first V entries used) starts at zero, so the unit
    starts as a plain ``MultiBranchTCN``. Source: DG-STGCN (Duan et al., arXiv
    2210.05895); PYSKL ``dgmstcn``. Input (N, C_in, T, V) -> (N, C_out,
    ceil(T / stride), V).

    Raises:
        ValueError: V > ``num_joints``.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 mid_channels: Optional[Union[int, float]] = None, num_joints: int = 25,
                 dropout: float = 0., ms_cfg: Sequence = ((3, 1), (3, 2), (3, 3), (3, 4),
                                                         ('max', 3), '1x1'),
                 stride: int = 1):
        super().__init__(in_channels, out_channels, mid_channels, dropout, ms_cfg, stride)
        self.num_joints = num_joints
        self.add_coeff = nn.Parameter(torch.zeros(num_joints))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        V = x.shape[-1]
        if V > self.num_joints and not torch.jit.is_tracing():
            raise ValueError(f'DGMultiBranchTCN: input has {V} joints, more than num_joints='
                             f'{self.num_joints}')
        out = self.branch_outputs(torch.cat([x, x.mean(-1, keepdim=True)], -1))
        feat = out[..., :V] + out[..., V:] * self.add_coeff[:V]
        return self.drop(self.bn(self.transform(feat)))


# PYSKL's names (STGCN tcn_type='mstcn' / 'dgmstcn' in its and MMAction2's configs)
mstcn = MultiBranchTCN
dgmstcn = DGMultiBranchTCN


def conv_init(conv: nn.Module) -> None:
    """Kaiming-normal (fan_out) weight, zero bias: PYSKL's ``conv_init``."""
    nn.init.kaiming_normal_(conv.weight, mode='fan_out')
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)


def bn_init(bn: nn.Module, scale: float) -> None:
    """BatchNorm weight = ``scale``, bias = 0: PYSKL's ``bn_init``."""
    nn.init.constant_(bn.weight, scale)
    nn.init.zeros_(bn.bias)


def conv_branch_init(conv: nn.Conv2d, branches: int) -> None:
    """Normal(0, sqrt(2 / (C_out * C_in * k * branches))) weight, zero bias:
    the initialisation of one of ``branches`` summed convs (2s-AGCN / AAGCN)."""
    w = conv.weight
    nn.init.normal_(w, 0, math.sqrt(2. / (w.size(0) * w.size(1) * w.size(2) * branches)))
    nn.init.zeros_(conv.bias)


def init_conv_bn(module: nn.Module) -> None:
    """``conv_init`` on every Conv2d of ``module``, weight 1 / bias 0 on every
    BatchNorm2d (PYSKL's initialisation of AAGCN / CTR-GCN units)."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            conv_init(m)
        elif isinstance(m, nn.BatchNorm2d):
            bn_init(m, 1)


def channel_proj(in_channels: int, out_channels: int) -> nn.Module:
    """The residual of a graph unit: identity, or 1x1 conv + BN when the
    channels change (PYSKL's ``down``: ``down.0`` conv, ``down.1`` BN)."""
    if in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(PointwiseConv2d(in_channels, out_channels), nn.BatchNorm2d(out_channels))


def block_residual(in_channels: int, out_channels: int, stride: int = 1,
                   residual: bool = True) -> Optional[nn.Module]:
    """The residual of a GCN block / ``MultiScaleTCN``: ``None`` (no residual),
    identity, or a 1x1 ``unit_tcn`` when channels or T change."""
    if not residual:
        return None
    if in_channels == out_channels and stride == 1:
        return nn.Identity()
    return unit_tcn(in_channels, out_channels, kernel_size=1, stride=stride)


class MultiScaleTCN(nn.Module):
    """Multi-scale temporal convolution of MS-G3D (Liu et al., CVPR 2020),
    also used by CTR-GCN (Chen et al., ICCV 2021); not ST-GCN++'s ``MultiBranchTCN``.

    Branches: one per dilation (1x1 conv, BN, act, ``unit_tcn`` of
    ``kernel_size`` with BN), a 1x1 -> 3x1 max-pool -> BN branch and a 1x1
    conv + BN branch (the last gets the channel remainder). Outputs are
    concatenated, the residual is added, then act and dropout.
    Input (N, C_in, T, V) -> (N, C_out, ceil(T / stride), V).

    Args:
        kernel_size: temporal kernel, or one per dilation.
        residual: ``False`` (none), ``True`` (identity, or 1x1 ``unit_tcn``
            when the shape changes).
        act: ``'ReLU'`` or ``None`` (identity).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: Union[int, Sequence[int]] = 3, stride: int = 1,
                 dilations: Sequence[int] = (1, 2, 3, 4), residual: bool = True,
                 act: Optional[str] = 'ReLU', tcn_dropout: float = 0.):
        super().__init__()
        num_branches = len(dilations) + 2
        bc = out_channels // num_branches
        bc_rem = out_channels - bc * (num_branches - 1)
        if isinstance(kernel_size, int):
            kernel_size = [kernel_size] * len(dilations)
        if len(kernel_size) != len(dilations):
            raise ValueError(f'MultiScaleTCN: {len(kernel_size)} kernel sizes for {len(dilations)} '
                             'dilations')
        make_act = (lambda: nn.ReLU()) if act == 'ReLU' else (lambda: nn.Identity())
        branches = [nn.Sequential(PointwiseConv2d(in_channels, bc), nn.BatchNorm2d(bc), make_act(),
                                  unit_tcn(bc, bc, ks, stride=stride, dilation=d))
                    for ks, d in zip(kernel_size, dilations)]
        branches.append(nn.Sequential(
            PointwiseConv2d(in_channels, bc), nn.BatchNorm2d(bc), make_act(),
            nn.MaxPool2d(kernel_size=(3, 1), stride=(stride, 1), padding=(1, 0)),
            nn.BatchNorm2d(bc)))
        branches.append(nn.Sequential(PointwiseConv2d(in_channels, bc_rem, stride=(stride, 1)),
                                      nn.BatchNorm2d(bc_rem)))
        self.branches = nn.ModuleList(branches)
        self.residual = block_residual(in_channels, out_channels, stride, residual)
        self.act = make_act()
        self.drop = nn.Dropout(tcn_dropout)

    def init_weights(self) -> None:
        """PYSKL's CTR-GCN initialisation: ``conv_init`` on every Conv2d,
        BN weight 1 / bias 0."""
        init_conv_bn(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.cat([branch(x) for branch in self.branches], dim=1)
        if self.residual is not None:
            out = out + self.residual(x)
        return self.drop(self.act(out))
