"""Classification losses: softmax cross-entropy (single label) and binary
cross-entropy on logits (multi-label)."""
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


@MODELS.register_module()
class BCELossWithLogits(nn.Module):
    """Binary cross-entropy on logits for multi-label data (MMAction2's
    ``BCELossWithLogits``), mean over samples and classes.

    Args:
        loss_weight: multiplier of the loss.
        class_weight: optional per-class weights (num_classes,).

    Inputs: ``cls_score`` (N, num_classes) logits, ``label`` (N, num_classes)
    multi-hot floats (``PoseDataset(multi_class=True)`` gives them).
    """

    def __init__(self, loss_weight: float = 1.0, class_weight: Optional[Sequence[float]] = None):
        super().__init__()
        self.loss_weight = loss_weight
        self.class_weight = None if class_weight is None else torch.tensor(class_weight)

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        if label.shape != cls_score.shape:
            raise ValueError(f'BCELossWithLogits: labels {tuple(label.shape)} must be multi-hot '
                             f'like the scores {tuple(cls_score.shape)} (PoseDataset '
                             'multi_class=True, num_classes=K)')
        w = None if self.class_weight is None else self.class_weight.to(cls_score)
        return self.loss_weight * F.binary_cross_entropy_with_logits(
            cls_score, label.to(cls_score.dtype), weight=w)
