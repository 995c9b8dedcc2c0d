"""``MSG3D``: multi-scale disentangled graph convolution with unified
spatial-temporal (G3D) pathways."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.skeleton import Graph, k_adjacency, normalize_digraph
from ..utils import MultiScaleTCN
from ..utils.pointwise import PointwiseConv2d
from .stgcn import input_bn


def multiscale_graphs(A: np.ndarray, num_scales: int) -> torch.Tensor:
    """(num_scales, V, V) float32: for k < num_scales, the column-normalised
    0/1 matrix of joints exactly k hops apart, plus self loops
    (disentangled multi-scale aggregation, MS-G3D Eq. 3)."""
    return torch.tensor(np.stack([normalize_digraph(k_adjacency(A, k, with_self=True))
                                  for k in range(num_scales)]), dtype=torch.float32)


class MLP(nn.Module):
    """1x1 conv (``PointwiseConv2d``: a GEMM on CPU) -> BN (-> ReLU) per layer,
    optional dropout before each conv; PYSKL's names (``layers.{i}``)."""

    def __init__(self, in_channels: int, out_channels: List[int], act: Optional[str] = 'ReLU',
                 dropout: float = 0.):
        super().__init__()
        channels = [in_channels] + list(out_channels)
        layers = []
        for cin, cout in zip(channels[:-1], channels[1:]):
            if dropout > 1e-3:
                layers.append(nn.Dropout(p=dropout))
            layers += [PointwiseConv2d(cin, cout), nn.BatchNorm2d(cout)]
            if act:
                layers.append(nn.ReLU())
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


def _aggregate(A: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``sum_v A[k, v, u] x[n, c, t, v]`` stacked over k as channels:
    (K, V, V), (N, C, T, V) -> (N, K*C, T, V)."""
    N, C, T, V = x.shape
    K = A.shape[0]
    y = x.reshape(N * C * T, V) @ A.permute(1, 0, 2).reshape(V, K * V)   # (NCT, K*V)
    return y.view(N, C, T, K, V).permute(0, 3, 1, 2, 4).reshape(N, K * C, T, V)


class MSGCN(nn.Module):
    """Multi-scale spatial graph convolution: aggregate over the k-hop graphs
    (plus a learnt offset ``PA``, initialised ~U(-1e-6, 1e-6)) and mix the
    stacked scales with an :class:`MLP`. Input (N, C_in, T, V) -> (N, C_out,
    T, V)."""

    def __init__(self, num_scales: int, in_channels: int, out_channels: int, A: np.ndarray,
                 dropout: float = 0., act: Optional[str] = 'ReLU'):
        super().__init__()
        self.num_scales = num_scales
        self.register_buffer('A', multiscale_graphs(A, num_scales))
        self.PA = nn.Parameter(torch.empty_like(self.A).uniform_(-1e-6, 1e-6))
        self.mlp = MLP(in_channels * num_scales, [out_channels], act=act, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(_aggregate(self.A + self.PA, x))


class UnfoldTemporalWindows(nn.Module):
    """Sliding temporal windows laid out along the joint axis:
    (N, C, T, V) -> (N, C, T', window_size * V), T' = number of windows."""

    def __init__(self, window_size: int, window_stride: int, window_dilation: int = 1):
        super().__init__()
        self.window_size, self.window_stride = window_size, window_stride
        self.window_dilation = window_dilation
        self.padding = (window_size + (window_size - 1) * (window_dilation - 1) - 1) // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        x = F.unfold(x, kernel_size=(self.window_size, 1), dilation=(self.window_dilation, 1),
                     stride=(self.window_stride, 1), padding=(self.padding, 0))
        x = x.view(N, C, self.window_size, -1, V).permute(0, 1, 3, 2, 4)
        return x.reshape(N, C, -1, self.window_size * V)


class ST_MSGCN(nn.Module):
    """Multi-scale graph convolution on the spatial-temporal graph of a
    window of ``window_size`` frames (every joint linked to its neighbours
    and itself in every frame of the window). Input (N, C_in, T', ws*V)."""

    def __init__(self, in_channels: int, out_channels: int, A: np.ndarray, num_scales: int,
                 window_size: int, residual: bool = False, dropout: float = 0.,
                 act: Optional[str] = 'ReLU'):
        super().__init__()
        self.num_scales, self.window_size = num_scales, window_size
        A = np.asarray(A, dtype=np.float64)
        A_st = np.tile(A + np.eye(len(A)), (window_size, window_size))
        self.register_buffer('A', multiscale_graphs(A_st, num_scales))
        self.V = len(A_st)
        self.PA = nn.Parameter(torch.empty_like(self.A).uniform_(-1e-6, 1e-6))
        self.mlp = MLP(in_channels * num_scales, [out_channels], act=act, dropout=dropout)
        if not residual:
            self.residual = None
        elif in_channels == out_channels:
            self.residual = nn.Identity()
        else:
            self.residual = MLP(in_channels, [out_channels], act=None)
        self.act = nn.ReLU() if act == 'ReLU' else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.mlp(_aggregate(self.A + self.PA, x))
        if self.residual is not None:
            out = out + self.residual(x)
        return self.act(out)


class MSG3DBlock(nn.Module):
    """One G3D pathway: unfold windows, ``ST_MSGCN``, collapse the window
    axis with a (1, ws, 1) Conv3d, BN (no activation). The first block
    (``first=True``, PYSKL: ``in_channels == 3``) changes the channels in
    the graph conv, the others in the collapse."""

    def __init__(self, in_channels: int, out_channels: int, A: np.ndarray, num_scales: int,
                 window_size: int, window_stride: int, window_dilation: int,
                 first: bool = False):
        super().__init__()
        self.window_size, self.out_channels = window_size, out_channels
        self.embed_channels_in = in_channels
        self.embed_channels_out = out_channels if first else in_channels
        self.in1x1 = nn.Identity()
        self.gcn3d = nn.Sequential(
            UnfoldTemporalWindows(window_size, window_stride, window_dilation),
            ST_MSGCN(self.embed_channels_in, self.embed_channels_out, A, num_scales,
                     window_size))
        self.out_conv = nn.Conv3d(self.embed_channels_out, out_channels,
                                  kernel_size=(1, window_size, 1))
        self.out_bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, _, T, V = x.shape
        x = self.gcn3d(self.in1x1(x))
        x = x.view(N, self.embed_channels_out, -1, self.window_size, V)
        return self.out_bn(self.out_conv(x).squeeze(3))


class MW_MSG3DBlock(nn.Module):
    """Sum of G3D pathways with different window sizes (default 3 and 5)."""

    def __init__(self, in_channels: int, out_channels: int, A: np.ndarray, num_scales: int,
                 window_sizes: Sequence[int] = (3, 5), window_stride: int = 1,
                 window_dilations: Sequence[int] = (1, 1), first: bool = False):
        super().__init__()
        self.gcn3d = nn.ModuleList(
            MSG3DBlock(in_channels, out_channels, A, num_scales, ws, window_stride, wd, first)
            for ws, wd in zip(window_sizes, window_dilations))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return sum(g(x) for g in self.gcn3d)


@MODELS.register_module()
class MSG3D(BaseModule):
    """MS-G3D backbone (Liu et al., "Disentangling and Unifying Graph
    Convolutions for Skeleton-Based Action Recognition", CVPR 2020), as in
    PYSKL: three stages, each the ReLU of the sum of a G3D pathway
    (``gcn3d{i}``: windows of 3 and 5 frames, ``num_g3d_scales`` scales)
    and a factorised pathway (``sgcn{i}``: ``MSGCN`` with ``num_gcn_scales``
    scales and two ``MultiScaleTCN``), followed by an ``MultiScaleTCN`` (``tcn{i}``);
    channels ``base_channels`` x (1, 2, 4), T halved in stages 2 and 3.
    The graph is ``Graph(mode='binary_adj')``. Parameter and buffer names
    equal PYSKL's. With the coco layout and a 60-class ``GCNHead`` (384
    input channels) the recognizer has 2,975,763 parameters, as PYSKL's.

    Args:
        in_channels: C of the input.
        graph_cfg: ``dict(layout=..., mode='binary_adj')``.
        num_person: M of the input BN (over M*V*C).
        tcn_dropout: dropout of the ``tcn{i}`` units.

    Shape: input (N, M, T, V, C) -> output (N, M, 4 * base_channels, T / 4, V).
    """

    def __init__(self, graph_cfg: Dict, in_channels: int = 3, base_channels: int = 96,
                 num_gcn_scales: int = 13, num_g3d_scales: int = 6, num_person: int = 2,
                 tcn_dropout: float = 0., init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.graph = Graph(**graph_cfg)
        A = self.graph.A[0]
        self.register_buffer('A', torch.tensor(A, dtype=torch.float32))
        self.num_point = A.shape[-1]
        self.in_channels, self.base_channels = in_channels, base_channels
        self.data_bn = nn.BatchNorm1d(self.num_point * in_channels * num_person)
        c1, c2, c3 = base_channels, base_channels * 2, base_channels * 4
        self.out_channels = c3
        for i, (cin, cout, stride) in enumerate(((in_channels, c1, 1), (c1, c2, 2),
                                                 (c2, c3, 2)), start=1):
            gcn_out = c1 if i == 1 else cin   # stage 1 widens in the graph conv
            setattr(self, f'gcn3d{i}', MW_MSG3DBlock(cin, cout, A, num_g3d_scales,
                                                     window_stride=stride, first=i == 1))
            sgcn = nn.Sequential(MSGCN(num_gcn_scales, cin, gcn_out, A),
                                 MultiScaleTCN(gcn_out, cout, stride=stride), MultiScaleTCN(cout, cout))
            sgcn[-1].act = nn.Identity()
            setattr(self, f'sgcn{i}', sgcn)
            setattr(self, f'tcn{i}', MultiScaleTCN(cout, cout, tcn_dropout=tcn_dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M = x.shape[:2]
        x = input_bn(self.data_bn, x, 'MVC', 'MSG3D')
        for i in (1, 2, 3):
            x = F.relu(getattr(self, f'sgcn{i}')(x) + getattr(self, f'gcn3d{i}')(x))
            x = getattr(self, f'tcn{i}')(x)
        return x.reshape((N, M) + x.shape[1:])
