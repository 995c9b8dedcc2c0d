"""``CTRGCN``: channel-wise topology refinement GCN."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.skeleton import Graph
from pyskl.utils.compat import ignore_compat_args
from ..utils import MultiScaleTCN, block_residual, unit_ctrgcn
from .stgcn import input_bn


class CTRGCNBlock(nn.Module):
    """``unit_ctrgcn`` -> ``MultiScaleTCN`` (two dilations of a 5x1 kernel plus
    max-pool and 1x1 branches, no inner residual), plus a block residual.
    PYSKL names: ``gcn1``, ``tcn1``, ``residual``. Input (N, C_in, T, V)."""

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor, stride: int = 1,
                 residual: bool = True, kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2), tcn_dropout: float = 0.):
        super().__init__()
        self.gcn1 = unit_ctrgcn(in_channels, out_channels, A)
        self.tcn1 = MultiScaleTCN(out_channels, out_channels, kernel_size=kernel_size, stride=stride,
                          dilations=dilations, residual=False, tcn_dropout=tcn_dropout)
        self.tcn1.init_weights()
        self.relu = nn.ReLU()
        self.residual = block_residual(in_channels, out_channels, stride, residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = 0 if self.residual is None else self.residual(x)
        return self.relu(self.tcn1(self.gcn1(x)) + res)


@MODELS.register_module()
class CTRGCN(BaseModule):
    """CTR-GCN backbone (Chen et al., "Channel-wise Topology Refinement Graph
    Convolution for Skeleton-Based Action Recognition", ICCV 2021), as in
    PYSKL: 10 ``CTRGCNBlock`` stages (64-128-256 channels, T halved at
    stages 5 and 8), BN over M*V*C of the input. Parameter and buffer
    names equal PYSKL's (``A``, ``data_bn``, ``net.{i}.gcn1/tcn1/residual``).
    With the coco layout, ``mode='spatial'`` and a 60-class ``GCNHead`` the
    recognizer has 1,436,496 parameters, as PYSKL's.

    Args:
        graph_cfg: ``dict(layout=..., mode=...)`` for :class:`pyskl.skeleton.Graph`.
        in_channels: C of the input.
        base_channels: channels of the first stage (doubled at each of
            ``inflate_stages``).
        num_person: M of the input BN.
        kernel_size, dilations, tcn_dropout: of every block's ``MultiScaleTCN``
            (no dropout in the first block, as PYSKL).
        pretrained: accepted for PYSKL config compatibility and ignored (a
            warning says so); load weights with ``load_from``.

    Shape: input (N, M, T, V, C) -> output (N, M, C_out, T_out, V).
    """

    def __init__(self, graph_cfg: Dict, in_channels: int = 3, base_channels: int = 64,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8), num_person: int = 2,
                 kernel_size: int = 5, dilations: Sequence[int] = (1, 2),
                 tcn_dropout: float = 0., pretrained: Optional[str] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        ignore_compat_args('CTRGCN', dict(pretrained=pretrained), dict(pretrained=None))
        self.graph = Graph(**graph_cfg)
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        self.register_buffer('A', A)
        self.num_person, self.base_channels = num_person, base_channels
        self.data_bn = nn.BatchNorm1d(num_person * in_channels * A.size(1))
        tcn = dict(kernel_size=kernel_size, dilations=dilations)
        modules = [CTRGCNBlock(in_channels, base_channels, A, residual=False, **tcn)]
        cur = base_channels
        for i in range(2, num_stages + 1):
            out = cur * (1 + (i in inflate_stages))
            modules.append(CTRGCNBlock(cur, out, A, stride=1 + (i in down_stages),
                                       tcn_dropout=tcn_dropout, **tcn))
            cur = out
        self.out_channels = cur
        self.net = nn.ModuleList(modules)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M = x.shape[:2]
        x = input_bn(self.data_bn, x, 'MVC', 'CTRGCN')
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])
