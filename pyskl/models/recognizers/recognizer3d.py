"""``Recognizer3D``: clip volumes (RGB or pose heatmaps) -> 3D CNN -> head."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import torch

from pyskl.registry import MODELS
from ..utils.heatmap import HeatmapDrawer
from .base import BaseRecognizer


def _img_shape(data_samples: Optional[List]) -> Tuple[int, int]:
    """The common ``img_shape`` (H, W) of a batch's data samples."""
    shapes = {tuple(int(v) for v in ds.metainfo['img_shape']) for ds in data_samples or []
              if 'img_shape' in ds.metainfo}
    if len(shapes) != 1:
        raise ValueError('Recognizer3D: drawing heatmaps on the device needs one img_shape '
                         f'shared by the batch (meta key img_shape), got {sorted(shapes)}')
    return shapes.pop()


@MODELS.register_module()
class Recognizer3D(BaseRecognizer):
    """3D CNN recognizer (PoseC3D, C3D, X3D, SlowOnly). Reference design:
    MMAction2 ``Recognizer3D``.

    Inputs: (N, views, C, T, H, W) volumes (or (N, C, T, H, W) for one
    view); views (clips x flips) are folded into the batch and their scores
    averaged per sample (``average_clips``).

    **Heatmaps on the model's device.** With ``heatmap`` (the
    ``GeneratePoseTarget`` arguments of the test pipeline) the recognizer owns a
    :class:`~pyskl.models.utils.heatmap.HeatmapDrawer`: the pipelines end with
    ``FormatGCNInput`` + ``PackActionInputs`` and deliver keypoints
    (N, views, M, T, V, 3) = (x, y, score) in pixels of the final ``img_shape``,
    and each chunk of views is drawn on the device right before the backbone
    sees it (flip doubling, ``double``, at test time only).

    ``test_cfg['max_testing_views']``: at test time, run the backbone on at
    most this many views at once, so that only one chunk's volumes (drawn
    heatmaps included) and activations are alive together.

    Args:
        heatmap: optional ``GeneratePoseTarget`` arguments (no ``type``) of the
            device drawer, above.
        channels_last: hand the backbone its volumes in
            ``torch.channels_last_3d`` memory format (same values, other
            strides), so every layer takes oneDNN's / cuDNN's channels-last
            kernels instead of reordering each activation. ``None`` (default):
            on CPU yes (the PoseC3D SlowOnly-R50 train step 1.5x, X3D 1.8x at
            2 threads: docs/results.md), elsewhere no -- on CUDA channels-last
            pays mainly with AMP (``tools/analysis/benchmark_gpu.py``), set
            True there. ``True`` / ``False``: always / never. Scores are the
            same up to float rounding; tracing and ONNX export see NCTHW
            volumes (graphs unchanged).
        Other arguments: :class:`BaseRecognizer`.

    Raises:
        ValueError: inputs of the wrong rank, or a batch with mixed
            ``img_shape`` when drawing heatmaps.
    """

    def __init__(self, *args, heatmap: Optional[Dict] = None,
                 channels_last: Optional[bool] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.heatmap = HeatmapDrawer(**heatmap) if heatmap is not None else None
        self.channels_last = None if channels_last is None else bool(channels_last)

    def _use_channels_last(self, volumes: torch.Tensor) -> bool:
        if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
            return False
        if self.channels_last is None:
            return volumes.device.type == 'cpu'
        return self.channels_last

    def _to_backbone(self, volumes: torch.Tensor) -> torch.Tensor:
        """Run the backbone on (B, C, T, H, W) volumes (channels-last where
        ``channels_last`` says so)."""
        if self._use_channels_last(volumes):
            volumes = volumes.contiguous(memory_format=torch.channels_last_3d)
        return self.backbone(volumes)

    def extract_feat(self, inputs: torch.Tensor, data_samples=None):
        drawer = self.heatmap
        if inputs.dim() == 5:
            inputs = inputs[:, None]
        if inputs.dim() != 6:
            expected = '(N, views, M, T, V, 3) keypoints' if drawer is not None else \
                '(N, views, C, T, H, W)'
            raise ValueError(f'Recognizer3D expects inputs {expected}, got {tuple(inputs.shape)}')
        rows = inputs.flatten(0, 1)                  # one row per view (per clip with a drawer)
        per_row = 1
        make = lambda x: x  # noqa: E731
        if drawer is not None:
            shape = _img_shape(data_samples)
            double = drawer.double and not self.training    # flip-test at test time only
            per_row = 2 if double else 1
            make = lambda x: drawer(x, shape, double)  # noqa: E731
        num_views = inputs.shape[1] * per_row
        max_views = self.test_cfg.get('max_testing_views')
        if self.training or not max_views:
            return self._to_backbone(make(rows)), num_views
        step = max(1, int(max_views) // per_row)
        feats = [self._to_backbone(make(rows[i:i + step])) for i in range(0, len(rows), step)]
        return torch.cat(feats), num_views
