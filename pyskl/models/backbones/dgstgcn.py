"""``DGSTGCN``: dynamic group GCN as a configuration of the shared ST-GCN
backbone."""
from __future__ import annotations

from typing import Optional

from pyskl.registry import MODELS
from .stgcn import STGCN


@MODELS.register_module()
class DGSTGCN(STGCN):
    """DG-STGCN backbone (Duan et al., "DG-STGCN: Dynamic Spatial-Temporal
    Modeling for Skeleton-based Action Recognition", arXiv 2210.05895), as
    in PYSKL: the ST-GCN stage layout with ``dggcn`` graph units (K learnt
    graphs from ``Graph(mode='random', num_filter=K)`` refined per sample)
    and ``dgmstcn`` temporal units (multi-scale temporal conv with dynamic
    joint-skeleton fusion).

    Arguments as :class:`STGCN`; ``gcn_*`` keywords go to ``dggcn``
    (``gcn_ratio``, ``gcn_ctr``, ``gcn_ada``, ...), ``tcn_*`` to ``dgmstcn``
    (``tcn_ms_cfg``, ``tcn_dropout``, ...); ``act`` / ``norm`` go to
    ``dggcn``. Parameter names equal PYSKL's. With the coco
    layout, ``mode='random', num_filter=8``, ``gcn_ratio=0.125`` and a
    60-class ``GCNHead`` the recognizer has 1,674,244 parameters
    (1,701,172 with ``nturgb+d``), as PYSKL's.

    Shape: input (N, M, T, V, C) -> output (N, M, C_out, T_out, V).
    """

    default_gcn_type = 'dggcn'
    default_tcn_type = 'dgmstcn'

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 data_bn_type: Optional[str] = 'VC', **kwargs):
        for common in ('act', 'norm'):  # dgmstcn's BN / ReLU are fixed
            if common in kwargs:
                kwargs['gcn_' + common] = kwargs.pop(common)
        super().__init__(graph_cfg, in_channels=in_channels, base_channels=base_channels,
                         data_bn_type=data_bn_type, **kwargs)
