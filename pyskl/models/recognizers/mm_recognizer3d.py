"""``MMRecognizer3D``: several input volumes (RGB clips + pose heatmaps) -> one
two-pathway backbone -> a head with one classifier per modality."""
from __future__ import annotations

from typing import Dict

import torch

from pyskl.registry import MODELS
from .base import BaseRecognizer


@MODELS.register_module()
class MMRecognizer3D(BaseRecognizer):
    """Recognizer of ``RGBPoseConv3D`` (reference design: MMAction2
    ``MMRecognizer3D``).

    Inputs: ``dict(imgs=(N, views, 3, T, H, W), heatmap_imgs=(N, views, K,
    T', H', W'))`` (a 5-D tensor is one view); views (clips x flips) are
    folded into the batch, the backbone is called with the dict's keys as
    keyword arguments, and the head averages the views' scores per sample and
    per modality (``average_clips``).

    Raises:
        ValueError: inputs that are not a dict of 5-D / 6-D tensors with the
            same batch size and view count.
    """

    def extract_feat(self, inputs: Dict[str, torch.Tensor], data_samples=None):
        if not isinstance(inputs, dict) or not inputs:
            raise ValueError('MMRecognizer3D expects inputs dict(imgs=..., heatmap_imgs=...), '
                             f'got {type(inputs).__name__}')
        flat, views = {}, set()
        for key, x in inputs.items():
            if x.dim() == 5:
                x = x[:, None]
            if x.dim() != 6:
                raise ValueError(f'MMRecognizer3D: inputs[{key!r}] must be (N, views, C, T, H, '
                                 f'W), got {tuple(x.shape)}')
            views.add((int(x.shape[0]), int(x.shape[1])))
            flat[key] = x.flatten(0, 1)
        if len(views) != 1:
            raise ValueError(f'MMRecognizer3D: inputs disagree on (N, views): {sorted(views)}')
        return self.backbone(**flat), views.pop()[1]
