"""Shared spatial (graph) units of the GCN backbones: ``unit_gcn`` (ST-GCN,
ST-GCN++), ``unit_aagcn`` (AAGCN), ``unit_ctrgcn`` (CTR-GCN), ``dggcn``
(DG-STGCN). Parameter names match PYSKL so its checkpoints load.

Tensors are (N, C, T, V): batch (persons folded in), channels, frames, joints.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .pointwise import PointwiseConv2d, pointwise_conv
from .tcn_units import bn_init, channel_proj, conv_branch_init, init_conv_bn


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
        if with_res:
            self.down = channel_proj(in_channels, out_channels)
        if conv_pos == 'pre':
            self.conv = PointwiseConv2d(in_channels, out_channels * self.num_subsets)
        else:
            self.conv = PointwiseConv2d(self.num_subsets * in_channels, out_channels)
        if norm != 'BN':
            raise ValueError(f"unit_gcn: only norm='BN' is supported, got {norm!r}")
        self.bn = nn.BatchNorm2d(out_channels)
        # in place: it acts on the fresh sum BN(x) + res (the BN backward needs its input only)
        self.act = nn.ReLU(inplace=True) if act == 'ReLU' else nn.Identity()

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
        if self.conv_pos == 'pre' and C < self.out_channels and not torch.jit.is_tracing():
            # narrower input (the first unit, the unit before a stage widens): the same
            # sum_k W_k x A_k + b_k A_k, aggregated first, on K*C_in instead of K*C_out channels.
            # Eager only: traced (ONNX export, FLOP counting) the unit stays conv-first, the
            # reference's graph and FLOPs
            Co = self.out_channels
            z = torch.matmul(x.reshape(N, 1, C * T, V), A)           # (N, K, C_in*T, V)
            w = self.conv.weight.view(K, Co, C).transpose(0, 1).reshape(Co, K * C)
            b = (self.conv.bias.view(K, Co).t() @ A.sum(1)).unsqueeze(1)   # (C_out, 1, V)
            b = b.expand(Co, T, V).reshape(1, Co, T * V)
            x = torch.baddbmm(b, w.expand(N, Co, K * C), z.view(N, K * C, T * V))
            x = x.view(N, Co, T, V)
        elif self.conv_pos == 'pre':
            # sum_k conv_k(x) @ A_k as ONE matmul over (k, v), contiguous result
            x = self.conv(x).view(N, K, -1, T, V)                    # (N, K, C_out, T, V)
            x = x.permute(0, 2, 3, 1, 4).reshape(-1, K * V)          # (N*C_out*T, K*V)
            x = torch.mm(x, A.reshape(K * V, V)).view(N, -1, T, V)   # (N, C_out, T, V)
        else:
            x = torch.einsum('nctv,kvw->nkctw', x, A).reshape(N, -1, T, V)  # (N, K*C_in, T, V)
            x = self.conv(x)
        return self.act(self.bn(x) + res)


def _stacked_conv1x1(convs, x: torch.Tensor) -> torch.Tensor:
    """Run several 1x1 ``nn.Conv2d`` on the same input as one conv: their
    outputs concatenated along channels."""
    return pointwise_conv(x, torch.cat([c.weight for c in convs]),
                          torch.cat([c.bias for c in convs]))


class unit_aagcn(nn.Module):
    """Adaptive graph convolution with spatial / temporal / channel attention.

    For each subset k: ``A_k + alpha * tanh(theta_k(x)^T phi_k(x) / (C' T))``
    (a learnt graph plus a data-dependent one from embeddings of C' =
    C_out / ``coff_embedding`` channels), aggregation, then a 1x1 conv per
    subset, summed; BN, residual, ReLU; then (``attention``) spatial,
    temporal and channel attention, each as ``y * a + y``. Source: MS-AAGCN
    (Shi et al., "Skeleton-Based Action Recognition with Multi-Stream
    Adaptive Graph Convolutional Networks", IEEE TIP 2020); PYSKL
    ``unit_aagcn`` (names, initialisation).

    Args:
        A: (K, V, V) adjacency; a parameter if ``learned_graph``, else a buffer.
        coff_embedding: C_out / C' of the graph embeddings.
        learned_graph: learn ``A`` and add the data-dependent graph (default);
            False: the fixed ``A`` only.
        adaptive: PYSKL's name of ``learned_graph`` (a bool here; ``unit_gcn``'s
            ``adaptive`` is a mode string), accepted so PYSKL configs
            (``gcn_adaptive=True``) load; giving both is an error.
        attention: spatial, temporal and channel attention.

    Input (N, C_in, T, V) -> (N, C_out, T, V).
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 coff_embedding: int = 4, learned_graph: bool = True, attention: bool = True,
                 adaptive: Optional[bool] = None):
        super().__init__()
        if adaptive is not None:
            if not isinstance(adaptive, bool):
                raise TypeError(f'unit_aagcn: adaptive (PYSKL\'s name of learned_graph) must be '
                                f'True or False, got {adaptive!r}')
            if learned_graph is not True and learned_graph != adaptive:
                raise ValueError('unit_aagcn: give learned_graph or its PYSKL name adaptive, '
                                 'not both')
            learned_graph = adaptive
        self.inter_c = out_channels // coff_embedding
        self.in_c, self.out_c = in_channels, out_channels
        self.num_subset = K = A.shape[0]
        self.learned_graph, self.attention = bool(learned_graph), attention
        V = A.shape[-1]
        self.conv_d = nn.ModuleList(PointwiseConv2d(in_channels, out_channels) for _ in range(K))
        if self.learned_graph:
            self.A = nn.Parameter(A.clone())
            self.alpha = nn.Parameter(torch.zeros(1))
            self.conv_a = nn.ModuleList(PointwiseConv2d(in_channels, self.inter_c) for _ in range(K))
            self.conv_b = nn.ModuleList(PointwiseConv2d(in_channels, self.inter_c) for _ in range(K))
        else:
            self.register_buffer('A', A.clone())
        if attention:
            self.conv_ta = nn.Conv1d(out_channels, 1, 9, padding=4)
            ker_joint = V if V % 2 else V - 1
            self.conv_sa = nn.Conv1d(out_channels, 1, ker_joint, padding=(ker_joint - 1) // 2)
            self.fc1c = nn.Linear(out_channels, out_channels // 2)
            self.fc2c = nn.Linear(out_channels // 2, out_channels)
        self.down = channel_proj(in_channels, out_channels)
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.init_weights()

    def init_weights(self) -> None:
        init_conv_bn(self)
        bn_init(self.bn, 1e-6)
        for conv in self.conv_d:
            conv_branch_init(conv, self.num_subset)
        if self.attention:
            nn.init.zeros_(self.conv_ta.weight)
            nn.init.zeros_(self.conv_ta.bias)
            nn.init.xavier_normal_(self.conv_sa.weight)
            nn.init.zeros_(self.conv_sa.bias)
            nn.init.kaiming_normal_(self.fc1c.weight)
            nn.init.zeros_(self.fc1c.bias)
            nn.init.zeros_(self.fc2c.weight)
            nn.init.zeros_(self.fc2c.bias)

    def graphs(self, x: torch.Tensor) -> torch.Tensor:
        """The graphs in use for input ``x``: (N, K, V, V), or (1, K, V, V)
        without ``learned_graph``."""
        if not self.learned_graph:
            return self.A[None]
        N, _, T, V = x.shape
        K, Ci = self.num_subset, self.inter_c
        ab = _stacked_conv1x1(list(self.conv_a) + list(self.conv_b), x)  # (N, 2*K*Ci, T, V)
        a, b = ab.view(N, 2, K, Ci * T, V).unbind(1)                     # (N, K, Ci*T, V)
        rel = torch.tanh(a.transpose(-1, -2) @ b / (Ci * T))              # (N, K, V, V)
        return self.A[None] + rel * self.alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        K = self.num_subset
        A = self.graphs(x)
        agg = (x.reshape(N, 1, C * T, V) @ A).view(N, K * C, T, V)       # sum_v x[v] A[v, w]
        # sum_k conv_d[k](agg_k) == one conv over the K*C stacked channels
        w = torch.cat([c.weight for c in self.conv_d], dim=1)
        b = torch.stack([c.bias for c in self.conv_d]).sum(0)
        y = self.relu(self.bn(pointwise_conv(agg, w, b)) + self.down(x))
        if self.attention:
            se = torch.sigmoid(self.conv_sa(y.mean(-2)))       # (N, 1, V)
            y = y * se.unsqueeze(-2) + y
            se = torch.sigmoid(self.conv_ta(y.mean(-1)))       # (N, 1, T)
            y = y * se.unsqueeze(-1) + y
            se = torch.sigmoid(self.fc2c(self.relu(self.fc1c(y.mean((-1, -2))))))  # (N, C)
            y = y * se[..., None, None] + y
        return y


class CTRGC(nn.Module):
    """Channel-wise topology refinement graph convolution for one subset.

    ``Z = sum_u (alpha * xi(tanh(phi(x)_u - psi(x)_v)) + A)[c, u, v] x3[c, t, u]``
    with phi/psi 1x1 convs to R channels (mean over T), xi a 1x1 conv R ->
    C_out and x3 a 1x1 conv of x: every output channel gets its own refined
    graph. Source: CTR-GCN (Chen et al., ICCV 2021); PYSKL ``CTRGC``.
    R = 8 if C_in <= 16 else C_in // ``rel_reduction``.

    Input (N, C_in, T, V), graph A (V, V) -> (N, C_out, T, V).
    """

    def __init__(self, in_channels: int, out_channels: int, rel_reduction: int = 8):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.rel_channels = 8 if in_channels <= 16 else in_channels // rel_reduction
        self.conv1 = PointwiseConv2d(in_channels, self.rel_channels)
        self.conv2 = PointwiseConv2d(in_channels, self.rel_channels)
        self.conv3 = PointwiseConv2d(in_channels, out_channels)
        self.conv4 = PointwiseConv2d(self.rel_channels, out_channels)

    def forward(self, x: torch.Tensor, A: Optional[torch.Tensor] = None,
                alpha: torch.Tensor | float = 1) -> torch.Tensor:
        x1, x2 = self.conv1(x).mean(-2), self.conv2(x).mean(-2)           # (N, R, V)
        rel = torch.tanh(x1.unsqueeze(-1) - x2.unsqueeze(-2))             # (N, R, V, V)
        graph = self.conv4(rel) * alpha + (A if A is not None else 0)    # (N, C, V, V)
        return torch.einsum('ncuv,nctu->nctv', graph, self.conv3(x))


class unit_ctrgcn(nn.Module):
    """Sum of one :class:`CTRGC` per subset of A, then BN, residual, ReLU.

    Source: CTR-GCN (Chen et al., "Channel-wise Topology Refinement Graph
    Convolution for Skeleton-Based Action Recognition", ICCV 2021); PYSKL
    ``unit_ctrgcn`` (names, initialisation). The K subsets run as one
    stacked computation. Input (N, C_in, T, V) -> (N, C_out, T, V).
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor):
        super().__init__()
        self.in_c, self.out_c = in_channels, out_channels
        self.inter_c = out_channels // 4
        self.num_subset = A.shape[0]
        self.convs = nn.ModuleList(CTRGC(in_channels, out_channels)
                                   for _ in range(self.num_subset))
        self.down = channel_proj(in_channels, out_channels)
        self.A = nn.Parameter(A.clone())
        self.alpha = nn.Parameter(torch.zeros(1))
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.init_weights()

    def init_weights(self) -> None:
        init_conv_bn(self)
        bn_init(self.bn, 1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, _, T, V = x.shape
        K, convs = self.num_subset, self.convs
        R, C = convs[0].rel_channels, self.out_c
        # every subset's conv1 / conv2 in one conv call, on the temporal mean of x: a 1x1
        # conv is linear, so mean_t(conv(x)) = conv(mean_t(x)) -- T times fewer columns
        x12 = _stacked_conv1x1([c.conv1 for c in convs] + [c.conv2 for c in convs],
                               x.mean(-2, keepdim=True)).view(N, 2, K, R, V)
        x3 = _stacked_conv1x1([c.conv3 for c in convs], x).view(N, K, C, T, V)
        rel = torch.tanh(x12[:, 0].unsqueeze(-1) - x12[:, 1].unsqueeze(-2))  # (N, K, R, V, V)
        w4 = torch.cat([c.conv4.weight for c in convs])                      # (K*C, R, 1, 1)
        b4 = torch.cat([c.conv4.bias for c in convs])
        rel = F.conv2d(rel.reshape(N, K * R, V, V), w4, b4, groups=K).view(N, K, C, V, V)
        graph = rel * self.alpha + self.A[None, :, None]                     # (N, K, C, V, V)
        # sum over subsets k and source joints u
        z = (x3.permute(0, 2, 3, 1, 4).reshape(N, C, T, K * V)
             @ graph.permute(0, 2, 1, 3, 4).reshape(N, C, K * V, V))         # (N, C, T, V)
        return self.relu(self.bn(z) + self.down(x))


class dggcn(nn.Module):
    """Dynamic group graph convolution of DG-STGCN.

    ``pre`` (1x1 conv + BN + act) maps x to K groups of C' = ``ratio`` *
    C_out channels; each group aggregates over its own graph: the learnt
    ``A_k`` plus ``alpha`` times a channel-wise term (``ctr``:
    ``ctr_act(x1[c, u] - x2[c, v])``) plus ``beta`` times an affinity term
    (``ada``: ``ada_act(sum_c x1[c, u] x2[c, v])`` over u), x1 / x2 1x1 convs
    of x averaged over T (per frame with ``'NA'``); ``post`` (1x1 conv)
    mixes the groups; BN, residual, act. Source: DG-STGCN (Duan et al.,
    arXiv 2210.05895); PYSKL ``dggcn``.

    Args:
        A: (K, V, V) initial graphs (``Graph(mode='random')``), learnt.
        ratio: C' / C_out (``None``: 1 / K).
        ctr, ada: ``'T'`` (pooled over T), ``'NA'`` (per frame) or ``None``.
        subset_wise: one alpha / beta per group instead of a shared one.
        ctr_act, ada_act: ``'tanh'``, ``'relu'``, ``'sigmoid'`` or
            ``'softmax'`` (over the source joint u).

    Input (N, C_in, T, V) -> (N, C_out, T, V).
    """

    ACTS = ('tanh', 'relu', 'sigmoid', 'softmax')

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 ratio: Optional[float] = 0.25, ctr: Optional[str] = 'T',
                 ada: Optional[str] = 'T', subset_wise: bool = False,
                 ada_act: str = 'softmax', ctr_act: str = 'tanh', norm: str = 'BN',
                 act: str = 'ReLU'):
        super().__init__()
        for name, value, allowed in (('ctr', ctr, (None, 'NA', 'T')),
                                     ('ada', ada, (None, 'NA', 'T')),
                                     ('ctr_act', ctr_act, self.ACTS),
                                     ('ada_act', ada_act, self.ACTS),
                                     ('norm', norm, ('BN',)), ('act', act, ('ReLU',))):
            if value not in allowed:
                raise ValueError(f'dggcn: {name}={value!r}, expected one of {allowed}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_subsets = K = A.size(0)
        self.ctr, self.ada, self.ctr_act, self.ada_act = ctr, ada, ctr_act, ada_act
        self.subset_wise = subset_wise
        self.ratio = 1 / K if ratio is None else ratio
        self.mid_channels = mid = int(self.ratio * out_channels)
        self.act = nn.ReLU()
        self.A = nn.Parameter(A.clone())
        self.pre = nn.Sequential(PointwiseConv2d(in_channels, mid * K), nn.BatchNorm2d(mid * K),
                                 self.act)
        self.post = PointwiseConv2d(mid * K, out_channels)
        self.alpha = nn.Parameter(torch.zeros(K))
        self.beta = nn.Parameter(torch.zeros(K))
        if ada or ctr:
            self.conv1 = PointwiseConv2d(in_channels, mid * K)
            self.conv2 = PointwiseConv2d(in_channels, mid * K)
        self.down = channel_proj(in_channels, out_channels)
        self.bn = nn.BatchNorm2d(out_channels)

    @staticmethod
    def _act(name: str, x: torch.Tensor) -> torch.Tensor:
        if name == 'softmax':
            return x.softmax(-2)
        return getattr(torch, name)(x)

    def _scale(self, g: torch.Tensor, coeff: torch.Tensor) -> torch.Tensor:
        # g: (N, K, C|1, T|1, V, V)
        return g * (coeff.view(1, -1, 1, 1, 1, 1) if self.subset_wise else coeff[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, t, v = x.shape
        K, mid = self.num_subsets, self.mid_channels
        res = self.down(x)
        pre_x = self.pre(x).view(n, K, mid, t, v)
        A = self.A[None, :, None, None]                                  # (1, K, 1, 1, V, V)
        if self.ctr is not None or self.ada is not None:
            src = x if 'NA' in (self.ctr, self.ada) else x.mean(-2, keepdim=True)
            x12 = _stacked_conv1x1([self.conv1, self.conv2], src)
            x1, x2 = x12.view(n, 2, K, mid, -1, v).unbind(1)             # (N, K, C', T|1, V)
            if self.ctr is not None:
                g = self._act(self.ctr_act, x1.unsqueeze(-1) - x2.unsqueeze(-2))
                A = A + self._scale(g, self.alpha)                       # (N, K, C', T|1, V, V)
            if self.ada is not None:
                g = torch.einsum('nkctv,nkctw->nktvw', x1, x2)[:, :, None]
                A = A + self._scale(self._act(self.ada_act, g), self.beta)
        # y[c, t, w] = sum_v pre_x[c, t, v] A[c|1, t|1, v, w]
        if A.shape[3] == 1:   # one graph for all frames: batched (T, V) @ (V, V)
            out = pre_x @ A.squeeze(3)                                   # (N, K, C', T, V)
        else:
            out = (pre_x.unsqueeze(-2) @ A).squeeze(-2)
        out = self.post(out.reshape(n, K * mid, t, v))
        return self.act(self.bn(out) + res)
