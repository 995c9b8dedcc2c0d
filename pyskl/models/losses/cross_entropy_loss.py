"""Cross-entropy classification loss."""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from pyskl.registry import MODELS


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy, mean over the batch.

    Args:
        loss_weight: multiplier of the loss.
        class_weight: optional per-class weights (num_classes,).
        label_smoothing: label smoothing epsilon in [0, 1)
            (Szegedy et al., 2016).

    Inputs: ``cls_score`` (N, num_classes) logits, ``label`` (N,) int64.
    """

    def __init__(self, loss_weight: float = 1.0, class_weight: Optional[Sequence[float]] = None,
                 label_smoothing: float = 0.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.label_smoothing = label_smoothing
        self.class_weight = None if class_weight is None else torch.tensor(class_weight)

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        w = None if self.class_weight is None else self.class_weight.to(cls_score)
        return self.loss_weight * F.cross_entropy(cls_score, label, weight=w,
                                                  label_smoothing=self.label_smoothing)
