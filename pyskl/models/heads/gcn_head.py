"""``GCNHead``: global average pooling over persons, frames and joints + FC."""
from __future__ import annotations

import torch
import torch.nn as nn

from pyskl.registry import MODELS
from .base_head import BaseHead


@MODELS.register_module()
class GCNHead(BaseHead):
    """Classifier for GCN features.

    Input (N, M, C, T, V) -> mean over T, V, then over M -> dropout -> FC
    -> (N, num_classes) logits. Reference design: PYSKL / MMAction2
    ``GCNHead``. The classifier is ``fc_cls`` as in PYSKL; MMAction2 1.x
    checkpoints name it ``fc`` and load unchanged (``checkpoint_key_aliases``,
    applied by :func:`pyskl.engine.checkpoint.load_checked`).

    Args:
        dropout: dropout probability before the FC layer.
        init_std: std of the FC weight initialisation.
    """

    #: checkpoint key prefixes of other toolboxes -> ours (MMAction2 1.x: ``fc``)
    checkpoint_key_aliases = {'fc.': 'fc_cls.'}

    def __init__(self, num_classes: int, in_channels: int, dropout: float = 0.,
                 init_std: float = 0.01, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc_cls = nn.Linear(in_channels, num_classes)
        nn.init.normal_(self.fc_cls.weight, 0, init_std)
        nn.init.zeros_(self.fc_cls.bias)

    def pre_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(N, M, C, T, V) -> (N, C): mean over time and joints, then persons."""
        return x.mean(dim=(3, 4)).mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc_cls(self.dropout(self.pre_logits(x)))
