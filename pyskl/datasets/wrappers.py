"""``MinLengthRepeatDataset``: repeat a small dataset enough times that one
epoch has at least a given number of samples."""
from __future__ import annotations

import math

from mmengine.dataset import RepeatDataset

from pyskl.registry import DATASETS


@DATASETS.register_module()
class MinLengthRepeatDataset(RepeatDataset):
    """mmengine's ``RepeatDataset`` (``times`` passes over ``dataset`` an
    epoch) with a floor: when ``times * len(dataset) < min_length`` the
    dataset is repeated ``ceil(min_length / len(dataset))`` times instead.
    A schedule in epochs then means the same number of optimiser steps for a
    dataset of 50 clips as for one of 500, where a plain repeat count gives
    the small one a tenth of the steps (too few to converge).

    Args:
        dataset: the dataset (or its config).
        times: the repeat count for datasets large enough (as ``RepeatDataset``).
        min_length: samples an epoch has at least; 0 = plain ``RepeatDataset``.
        lazy_init: as ``RepeatDataset``.

    Attributes:
        times: the repeat count in use (set when the dataset is loaded).

    Raises:
        ValueError: ``times < 1``, ``min_length < 0``, or an empty dataset.
    """

    def __init__(self, dataset, times: int, min_length: int = 0, lazy_init: bool = False):
        if int(times) < 1 or int(min_length) < 0:
            raise ValueError(f'MinLengthRepeatDataset: times must be >= 1 and min_length >= 0, '
                             f'got times={times}, min_length={min_length}')
        self.requested_times, self.min_length = int(times), int(min_length)
        super().__init__(dataset, self.requested_times, lazy_init)

    def full_init(self):
        if self._fully_initialized:
            return
        super().full_init()
        if self._ori_len == 0:
            raise ValueError('MinLengthRepeatDataset: the wrapped dataset is empty')
        self.times = max(self.requested_times, math.ceil(self.min_length / self._ori_len))
