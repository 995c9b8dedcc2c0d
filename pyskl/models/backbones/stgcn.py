"""``STGCN``: one backbone for ST-GCN and ST-GCN++."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.skeleton import Graph
from pyskl.utils.compat import ignore_compat_args
from ..utils import (DGMultiBranchTCN, MultiBranchTCN, block_residual, dggcn, unit_aagcn,
                     unit_gcn, unit_tcn)

EPS = 1e-4


#: spatial units a block can use (``gcn_type``), and temporal ones (``tcn_type``)
GCN_UNITS = {'unit_gcn': unit_gcn, 'unit_aagcn': unit_aagcn, 'dggcn': dggcn}
#: PYSKL's names 'mstcn' / 'dgmstcn' are the ones its and MMAction2's configs use
TCN_UNITS = {'unit_tcn': unit_tcn, 'MultiBranchTCN': MultiBranchTCN,
             'DGMultiBranchTCN': DGMultiBranchTCN, 'mstcn': MultiBranchTCN,
             'dgmstcn': DGMultiBranchTCN}


class STGCNBlock(nn.Module):
    """Graph unit -> temporal unit, plus a residual; input (N, C_in, T, V).

    The block of ST-GCN, ST-GCN++, AAGCN and DG-STGCN (they differ only in
    the units; PYSKL's ``STGCNBlock`` / ``AAGCNBlock`` / ``DGBlock`` have
    the same ``gcn`` / ``tcn`` / ``residual`` parameter names).

    Args:
        A: (K, V, V) adjacency.
        stride: temporal stride.
        residual: block residual (identity, or 1x1 ``unit_tcn`` when the
            shape changes).
        gcn_cfg: ``type`` (a key of ``GCN_UNITS``, default ``'unit_gcn'``)
            and the unit's arguments (``adaptive``, ``with_res``, ...).
        tcn_cfg: ``type`` (a key of ``TCN_UNITS``: ``'unit_tcn'`` 9x1,
            ``'MultiBranchTCN'`` = PYSKL's ``'mstcn'``, ``'DGMultiBranchTCN'`` =
            ``'dgmstcn'``) and its arguments (``dropout``, ...).

    Raises:
        ValueError: an unknown unit type.
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor, stride: int = 1,
                 residual: bool = True, gcn_cfg: Optional[Dict] = None,
                 tcn_cfg: Optional[Dict] = None):
        super().__init__()
        gcn_cfg = dict(gcn_cfg or {})
        tcn_cfg = dict(tcn_cfg or {})
        gcn_type = gcn_cfg.pop('type', 'unit_gcn')
        tcn_type = tcn_cfg.pop('type', 'unit_tcn')
        if gcn_type not in GCN_UNITS:
            raise ValueError(f'STGCNBlock: gcn type must be one of {sorted(GCN_UNITS)}, '
                             f'got {gcn_type!r}')
        if tcn_type not in TCN_UNITS:
            raise ValueError(f'STGCNBlock: tcn type must be one of {sorted(TCN_UNITS)}, '
                             f'got {tcn_type!r}')
        self.gcn = GCN_UNITS[gcn_type](in_channels, out_channels, A, **gcn_cfg)
        if tcn_type == 'unit_tcn':
            tcn_cfg.setdefault('kernel_size', 9)
        self.tcn = TCN_UNITS[tcn_type](out_channels, out_channels, stride=stride, **tcn_cfg)
        self.relu = nn.ReLU(inplace=True)   # on the fresh sum tcn(gcn(x)) + res
        self.residual = block_residual(in_channels, out_channels, stride, residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = 0 if self.residual is None else self.residual(x)
        return self.relu(self.tcn(self.gcn(x)) + res)


def input_bn(bn: nn.Module, x: torch.Tensor, mode: Optional[str],
             owner: str = 'backbone') -> torch.Tensor:
    """Normalise a GCN input per joint and coordinate, as PYSKL's ``data_bn``.

    Args:
        bn: ``BatchNorm1d`` over M*V*C (``mode='MVC'``) or V*C (``'VC'``), or
            an identity (``None``).
        x: (N, M, T, V, C).

    Returns:
        (N*M, C, T, V), persons folded into the batch.

    Raises:
        ValueError: the input's M*V*C or V*C does not match the BN (the
            model's ``num_person`` / layout vs the data).
    """
    N, M, T, V, C = x.shape
    x = x.permute(0, 1, 3, 4, 2).contiguous()  # (N, M, V, C, T)
    if isinstance(bn, nn.modules.batchnorm._BatchNorm):
        width = M * V * C if mode == 'MVC' else V * C
        if bn.num_features != width and not torch.jit.is_tracing():
            what = (f'num_person * V * C = {bn.num_features}, i.e. num_person='
                    f'{bn.num_features // (V * C)} for this input' if mode == 'MVC'
                    else f'V * C = {bn.num_features}')
            raise ValueError(f'{owner}: input (N, M, T, V, C) = {(N, M, T, V, C)} does not '
                             f'fit the input BatchNorm ({what}); set '
                             'num_person / in_channels / the graph layout to match the data')
        x = bn(x.view(N, M * V * C, T) if mode == 'MVC' else x.view(N * M, V * C, T))
    return x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2).reshape(N * M, C, T, V)


def _split_prefixed(kwargs: Dict, num_stages: int, owner: str = 'STGCN'):
    """PYSKL passes block options as ``gcn_*`` / ``tcn_*`` keyword arguments,
    a tuple of length ``num_stages`` meaning one value per stage. Returns
    per-stage ``(gcn_cfg, tcn_cfg)`` override dicts."""
    per_stage = [({}, {}) for _ in range(num_stages)]
    for key, value in kwargs.items():
        if key.startswith('gcn_'):
            slot = 0
        elif key.startswith('tcn_'):
            slot = 1
        else:
            raise TypeError(f'{owner} got an unexpected argument {key!r}')
        for i in range(num_stages):
            v = value[i] if isinstance(value, tuple) and len(value) == num_stages else value
            per_stage[i][slot][key[4:]] = v
    return per_stage


@MODELS.register_module()
class STGCN(BaseModule):
    """Spatial-temporal GCN backbone: ST-GCN (Yan et al., AAAI 2018) and
    ST-GCN++ (Duan et al., "PYSKL", ACM MM 2022).

    ST-GCN: ``graph_cfg=dict(layout=..., mode='stgcn_spatial')`` and the
    defaults (``gcn_adaptive='importance'``, 9x1 ``unit_tcn``).
    ST-GCN++: ``gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn'``,
    ``mode='spatial'``.

    Stage ``i`` (1-based) halves T if ``i in down_stages`` and multiplies
    channels by ``ch_ratio`` if ``i in inflate_stages``. Block options go in
    ``gcn_cfg`` / ``tcn_cfg`` dicts or, as in PYSKL configs, as
    ``gcn_<name>=`` / ``tcn_<name>=`` keywords (a tuple of ``num_stages``
    values gives one value per stage). Parameter names equal PYSKL's.

    Args:
        graph_cfg: ``dict(layout=..., mode=...)`` for :class:`pyskl.skeleton.Graph`.
        in_channels: C of the input (2 or 3 per feature, times #features).
        base_channels: channels of the first stage.
        data_bn_type: ``'VC'`` (BN over V*C), ``'MVC'`` or ``None``.
        num_person: M, for ``'MVC'``.
        pretrained: accepted for PYSKL config compatibility and ignored (a
            warning says so); load weights with ``load_from``.

    Raises:
        TypeError: an argument that is neither a named one nor ``gcn_*`` /
            ``tcn_*``.

    Shape: input (N, M, T, V, C) -> output (N, M, C_out, T_out, V).

    Example:
        >>> import torch
        >>> m = STGCN(graph_cfg=dict(layout='coco', mode='spatial'), gcn_adaptive='init',
        ...           gcn_with_res=True, tcn_type='mstcn')
        >>> m(torch.randn(2, 2, 100, 17, 3)).shape
        torch.Size([2, 2, 256, 25, 17])
    """

    #: the units of every block unless ``gcn_type`` / ``tcn_type`` say otherwise
    default_gcn_type = 'unit_gcn'
    default_tcn_type = 'unit_tcn'

    def __init__(self, graph_cfg: Dict, in_channels: int = 3, base_channels: int = 64,
                 data_bn_type: Optional[str] = 'VC', ch_ratio: float = 2, num_person: int = 2,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8), gcn_cfg: Optional[Dict] = None,
                 tcn_cfg: Optional[Dict] = None, pretrained: Optional[str] = None,
                 init_cfg=None, **kwargs):
        super().__init__(init_cfg=init_cfg)
        ignore_compat_args(type(self).__name__, dict(pretrained=pretrained), dict(pretrained=None))
        self.graph = Graph(**graph_cfg)
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        V = A.size(1)
        self.data_bn_type = data_bn_type
        if data_bn_type == 'MVC':
            self.data_bn = nn.BatchNorm1d(num_person * in_channels * V)
        elif data_bn_type == 'VC':
            self.data_bn = nn.BatchNorm1d(in_channels * V)
        else:
            self.data_bn = nn.Identity()
        stage_cfgs = [({'type': self.default_gcn_type, **(gcn_cfg or {}), **g},
                       {'type': self.default_tcn_type, **(tcn_cfg or {}), **t})
                      for g, t in _split_prefixed(kwargs, num_stages, type(self).__name__)]
        stage_cfgs[0][1].pop('dropout', None)  # no dropout in the first stage (as PYSKL)
        self.in_channels, self.base_channels = in_channels, base_channels
        self.ch_ratio = ch_ratio
        self.inflate_stages, self.down_stages = tuple(inflate_stages), tuple(down_stages)
        modules = []
        if in_channels != base_channels:
            g, t = stage_cfgs[0]
            modules.append(STGCNBlock(in_channels, base_channels, A, 1, residual=False,
                                      gcn_cfg=g, tcn_cfg=t))
        inflate_times = 0
        cur = base_channels
        for i in range(2, num_stages + 1):
            inflate_times += i in self.inflate_stages
            out = int(base_channels * ch_ratio ** inflate_times + EPS)
            g, t = stage_cfgs[i - 1]
            modules.append(STGCNBlock(cur, out, A, 1 + (i in self.down_stages),
                                      gcn_cfg=g, tcn_cfg=t))
            cur = out
        self.out_channels = cur
        self.gcn = nn.ModuleList(modules)
        self.num_stages = len(modules)
        self.pretrained = pretrained

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M = x.shape[:2]
        x = input_bn(self.data_bn, x, self.data_bn_type, type(self).__name__)
        for block in self.gcn:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])  # (N, M, C_out, T_out, V)
