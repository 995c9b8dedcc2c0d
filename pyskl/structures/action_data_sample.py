"""``ActionDataSample``: one sample's label and prediction (MMAction2 layout)."""
from __future__ import annotations

from typing import Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement


class ActionDataSample(BaseDataElement):
    """Data fields: ``gt_label`` LongTensor (1,), ``pred_score`` FloatTensor
    (num_classes,), ``pred_label`` LongTensor (1,). ``to_dict()`` gives the
    per-sample dict that ``tools/test.py --dump`` writes, as MMAction2 1.x.
    """

    def set_gt_label(self, label: Union[int, np.integer, torch.Tensor]) -> 'ActionDataSample':
        """An int label -> (1,) int64; a multi-hot float array (K,) -> (K,)
        float32 (multi-label data)."""
        arr = np.asarray(label.cpu() if isinstance(label, torch.Tensor) else label)
        if arr.ndim == 1 and arr.size > 1 and np.issubdtype(arr.dtype, np.floating):
            self.gt_label = torch.as_tensor(arr, dtype=torch.float32)
        else:
            self.gt_label = torch.as_tensor(label, dtype=torch.long).reshape(1)
        return self

    def set_pred_score(self, score: torch.Tensor) -> 'ActionDataSample':
        self.pred_score = score
        return self

    def set_pred_label(self, label: torch.Tensor) -> 'ActionDataSample':
        self.pred_label = torch.as_tensor(label, dtype=torch.long).reshape(1)
        return self
