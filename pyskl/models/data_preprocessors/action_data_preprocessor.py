"""``ActionDataPreprocessor``: batch the collated samples on the model's device."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseDataPreprocessor

from pyskl.registry import MODELS


@MODELS.register_module()
class ActionDataPreprocessor(BaseDataPreprocessor):
    """Stack ``inputs`` (a list of equally shaped tensors) into one batch
    tensor and move inputs and data samples to the model's device.

    Args:
        mean, std: optional per-channel normalisation of image inputs
            (N, views, C, T, H, W) -- RGB clips, as MMAction2.
        format_shape: MMAction2's argument; ``'NCTHW'`` (the only layout
            ``mean`` / ``std`` are applied in here) or None.
        **kwargs: mmengine ``BaseDataPreprocessor`` arguments
            (``non_blocking``); anything else raises ``TypeError``.

    Input: ``dict(inputs=[Tensor(...)] * N, data_samples=[...])``.
    Output: ``dict(inputs=Tensor(N, ...), data_samples=[...])``.

    Raises:
        ValueError: samples of different shapes (names the shapes); a
            ``format_shape`` other than NCTHW.
    """

    def __init__(self, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 format_shape: Optional[str] = None, **kwargs):
        if format_shape not in (None, 'NCTHW'):
            raise ValueError(f"ActionDataPreprocessor: format_shape={format_shape!r} is not "
                             "supported; pyskl normalises (N, views, C, T, H, W) clips ('NCTHW')")
        super().__init__(**kwargs)
        if mean is not None:
            self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1, 1), False)
            self.register_buffer('std', torch.tensor(std).view(-1, 1, 1, 1), False)
        else:
            self.mean = self.std = None

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) > 1:
                raise ValueError(f'cannot batch inputs of different shapes {sorted(shapes)}; '
                                 'check clip_len / num_person in the pipeline')
            inputs = torch.stack(list(inputs))
        if self.mean is not None:
            inputs = (inputs.float() - self.mean) / self.std
        return dict(inputs=inputs, data_samples=data.get('data_samples'))


@MODELS.register_module()
class MultiModalDataPreprocessor(BaseDataPreprocessor):
    """One data preprocessor per input key (MMAction2 ``MultiModalDataPreprocessor``).

    Args:
        preprocessors: ``{input key: preprocessor config}``, e.g.
            ``dict(imgs=dict(type='ActionDataPreprocessor', mean=..., std=...),
            heatmap_imgs=dict(type='ActionDataPreprocessor'))``.

    Input: ``dict(inputs=dict(key=[Tensor] * N), data_samples=[...])`` (what
    ``pseudo_collate`` makes of samples whose ``inputs`` are dicts).
    Output: ``dict(inputs=dict(key=Tensor(N, ...)), data_samples=[...])``.

    Raises:
        KeyError: an input key without a preprocessor, or the reverse.
    """

    def __init__(self, preprocessors: Dict[str, Dict]):
        super().__init__()
        self.preprocessors = nn.ModuleDict({k: MODELS.build(cfg)
                                            for k, cfg in preprocessors.items()})

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if not isinstance(inputs, dict) or set(inputs) != set(self.preprocessors):
            got = sorted(inputs) if isinstance(inputs, dict) else type(inputs).__name__
            raise KeyError(f'MultiModalDataPreprocessor: inputs {got} do not match the '
                           f'preprocessors {sorted(self.preprocessors)}')
        out = {k: pre(dict(inputs=inputs[k]), training)['inputs']
               for k, pre in self.preprocessors.items()}
        return dict(inputs=out, data_samples=data.get('data_samples'))
