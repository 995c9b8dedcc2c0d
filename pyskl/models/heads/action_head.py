"""``ActionHeadClassification``: MotionBERT's classifier on per-joint features."""
from __future__ import annotations

import torch
import torch.nn as nn

from pyskl.registry import MODELS
from .base_head import BaseHead


@MODELS.register_module()
class ActionHeadClassification(BaseHead):
    """Dropout -> mean over T -> joints' features concatenated (V*C) -> mean
    over persons -> Linear -> BatchNorm -> ReLU -> Linear.

    Source: MotionBERT (Zhu et al., ICCV 2023) ``ActionHeadClassification``,
    as used by EHGFormer; hidden width ``max(2 * in_channels, 1024)`` unless
    given.

    Args:
        in_channels: C of the backbone features.
        num_joints: V.
        dropout: dropout probability on the features.

    Input (N, M, T, V, C) -> (N, num_classes) logits.

    Raises:
        ValueError: features whose V or C differ from ``num_joints`` /
            ``in_channels``.
    """

    def __init__(self, num_classes: int, in_channels: int, num_joints: int = 17,
                 dropout: float = 0.5, hidden_dim: int | None = None, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        hidden = hidden_dim or max(2 * in_channels, 1024)
        self.num_joints = num_joints
        self.dropout = nn.Dropout(dropout)
        self.fc1 = nn.Linear(in_channels * num_joints, hidden)
        self.bn = nn.BatchNorm1d(hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, num_classes)

    def _check(self, x: torch.Tensor) -> None:
        N, M, T, V, C = x.shape
        if (V != self.num_joints or C != self.in_channels) and not torch.jit.is_tracing():
            raise ValueError(f'ActionHeadClassification: features (N, M, T, V, C) = '
                             f'{tuple(x.shape)}, expected V={self.num_joints}, '
                             f'C={self.in_channels}')

    def pre_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(N, M, T, V, C) -> (N, hidden): the hidden layer's output (what the
        last linear layer sees)."""
        self._check(x)
        N, M, T, V, C = x.shape
        x = x.mean(dim=2).reshape(N, M, V * C).mean(dim=1)
        return self.relu(self.bn(self.fc1(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check(x)
        N, M, T, V, C = x.shape
        x = self.dropout(x).mean(dim=2).reshape(N, M, V * C).mean(dim=1)
        return self.fc2(self.relu(self.bn(self.fc1(x))))
