"""``AAGCN``: the attention-enhanced adaptive GCN as a configuration of the
shared ST-GCN backbone."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from pyskl.registry import MODELS
from ..utils import bn_init, conv_init, unit_tcn
from .stgcn import STGCN


@MODELS.register_module()
class AAGCN(STGCN):
    """MS-AAGCN backbone (Shi et al., "Skeleton-Based Action Recognition with
    Multi-Stream Adaptive Graph Convolutional Networks", IEEE TIP 2020), as
    in PYSKL: the ST-GCN stage layout (10 stages, 64-128-256 channels, T
    halved at stages 5 and 8) with ``unit_aagcn`` graph units (learnt +
    data-dependent graphs, spatial / temporal / channel attention) and 9x1
    ``unit_tcn`` temporal units; BN over M*V*C of the input.

    Arguments as :class:`STGCN` (``gcn_*`` keywords go to ``unit_aagcn``:
    ``gcn_coff_embedding``, ``gcn_learned_graph`` (PYSKL: ``gcn_adaptive``),
    ``gcn_attention``); defaults
    differ in ``data_bn_type='MVC'``. Parameter and buffer names equal
    PYSKL's (``A``, ``data_bn``, ``gcn.{i}.gcn/tcn/residual``), and the
    initialisation is PYSKL's (``conv_init`` / ``bn_init`` on the units).
    With the coco layout, ``mode='spatial'`` and a 60-class ``GCNHead`` the
    recognizer has 3,760,228 parameters, as PYSKL's.

    Shape: input (N, M, T, V, C) -> output (N, M, C_out, T_out, V).
    """

    default_gcn_type = 'unit_aagcn'
    default_tcn_type = 'unit_tcn'

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 data_bn_type: Optional[str] = 'MVC', **kwargs):
        super().__init__(graph_cfg, in_channels=in_channels, base_channels=base_channels,
                         data_bn_type=data_bn_type, **kwargs)
        self.register_buffer('A', torch.tensor(self.graph.A, dtype=torch.float32))
        if isinstance(self.data_bn, nn.BatchNorm1d):
            bn_init(self.data_bn, 1)
        for block in self.gcn:
            if isinstance(block.tcn, unit_tcn):
                conv_init(block.tcn.conv)
                if isinstance(block.tcn.bn, nn.BatchNorm2d):
                    bn_init(block.tcn.bn, 1)
