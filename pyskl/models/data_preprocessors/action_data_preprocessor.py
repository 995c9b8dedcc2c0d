"""``ActionDataPreprocessor``: batch the collated samples on the model's device."""
from __future__ import annotations

from typing import Dict

import torch
from mmengine.model import BaseDataPreprocessor

from pyskl.registry import MODELS


@MODELS.register_module()
class ActionDataPreprocessor(BaseDataPreprocessor):
    """Stack ``inputs`` (a list of equally shaped tensors) into one batch
    tensor and move inputs and data samples to the model's device.

    Input: ``dict(inputs=[Tensor(...)] * N, data_samples=[...])``.
    Output: ``dict(inputs=Tensor(N, ...), data_samples=[...])``.

    Raises:
        ValueError: samples of different shapes (names the shapes).
    """

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) > 1:
                raise ValueError(f'cannot batch inputs of different shapes {sorted(shapes)}; '
                                 'check clip_len / num_person in the pipeline')
            inputs = torch.stack(list(inputs))
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
