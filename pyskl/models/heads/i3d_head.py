"""``I3DHead``: global average pooling over (T, H, W) + FC, for 3D CNNs."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn

from pyskl.registry import MODELS
from .base_head import BaseHead


@MODELS.register_module()
class I3DHead(BaseHead):
    """Classifier for 3D CNN features.

    Input (N, C, T, H, W) -> average over T, H, W (``spatial_type='avg'``;
    ``None`` expects already pooled (N, C) or (N, C, 1, 1, 1)) -> dropout ->
    FC -> (N, num_classes) logits. Reference design: MMAction2 ``I3DHead``
    (``fc_cls`` parameter name kept).

    Args:
        spatial_type: ``'avg'`` or ``None``.
        dropout_ratio: dropout before the FC layer (``dropout`` is accepted too).
        init_std: std of the FC weight initialisation.

    Raises:
        ValueError: unknown ``spatial_type``.
    """

    def __init__(self, num_classes: int, in_channels: int, spatial_type: Optional[str] = 'avg',
                 dropout_ratio: float = 0.5, init_std: float = 0.01,
                 dropout: Optional[float] = None, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        if spatial_type not in ('avg', None):
            raise ValueError(f"I3DHead: spatial_type must be 'avg' or None, got {spatial_type!r}")
        p = dropout_ratio if dropout is None else dropout
        self.spatial_type = spatial_type
        self.dropout = nn.Dropout(p) if p > 0 else nn.Identity()
        self.fc_cls = nn.Linear(in_channels, num_classes)
        nn.init.normal_(self.fc_cls.weight, 0, init_std)
        nn.init.zeros_(self.fc_cls.bias)

    def pre_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, C): spatio-temporal average."""
        if self.spatial_type == 'avg' and x.dim() == 5:
            x = x.mean(dim=(2, 3, 4))
        return x.flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_cls(self.dropout(self.pre_logits(x)))
