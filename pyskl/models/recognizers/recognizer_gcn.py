"""``RecognizerGCN``: skeleton sequences -> GCN backbone -> head."""
from __future__ import annotations

import torch

from pyskl.registry import MODELS
from .base import BaseRecognizer


@MODELS.register_module()
class RecognizerGCN(BaseRecognizer):
    """GCN recognizer. Inputs (N, num_clips, M, T, V, C) -- or
    (N, M, T, V, C) for one clip. Clips are folded into the batch; the head
    averages persons, and clip scores are averaged per sample
    (``average_clips``).
    """

    def extract_feat(self, inputs: torch.Tensor, data_samples=None):
        if inputs.dim() == 5:
            inputs = inputs[:, None]
        if inputs.dim() != 6:
            raise ValueError('RecognizerGCN expects inputs (N, num_clips, M, T, V, C), got '
                             f'{tuple(inputs.shape)}')
        N, nc = inputs.shape[:2]
        x = inputs.reshape((N * nc,) + inputs.shape[2:])  # (N*nc, M, T, V, C)
        return self.backbone(x), nc
