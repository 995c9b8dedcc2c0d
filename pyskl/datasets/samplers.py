"""``ClassSpecificDistributedSampler``: PYSKL's class resampling.

Each class ``c`` is drawn ``class_prob[c]`` times per epoch (a multiplier;
default 1): ``floor(mul)`` passes over all its samples plus a random
``frac(mul)`` of them, then everything shuffled and dealt to the ranks.
Rare classes get a multiplier above 1 to be seen more often. With a
``RepeatDataset`` the multipliers (and the default 1) are multiplied by its
``times``, as in PYSKL (``pyskl/datasets/samplers/distributed_sampler.py``).
"""
from __future__ import annotations

import math
from typing import Dict, Iterator, List, Optional, Sequence, Union

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from pyskl.registry import DATA_SAMPLERS


def _labels_and_times(dataset):
    times = 1
    inner = dataset
    from mmengine.dataset import RepeatDataset
    if isinstance(dataset, RepeatDataset):           # and MinLengthRepeatDataset
        times, inner = dataset.times, dataset.dataset
    labels = getattr(inner, 'labels', None)
    if labels is None:
        raise TypeError(f'ClassSpecificDistributedSampler: {type(inner).__name__} has no '
                        '`labels` (PoseDataset has)')
    return list(labels), times, inner


@DATA_SAMPLERS.register_module()
class ClassSpecificDistributedSampler(Sampler):
    """Args:
        dataset: a ``PoseDataset`` (or a ``RepeatDataset`` of one).
        class_prob: ``{label: multiplier}`` or a list indexed by label
            (multipliers >= 0); None: the dataset's ``class_prob``.
        shuffle: shuffle each epoch (seed + epoch, the same on every rank).
        seed: random seed; None: one shared by the ranks.

    Raises:
        ValueError: no multipliers, a negative one, or a label the dataset
            does not have.
    """

    def __init__(self, dataset, class_prob: Optional[Union[Dict[int, float], Sequence[float]]] = None,
                 shuffle: bool = True, seed: Optional[int] = None):
        self.dataset = dataset
        labels, times, inner = _labels_and_times(dataset)
        class_prob = class_prob if class_prob is not None else getattr(inner, 'class_prob', None)
        if class_prob is None:
            raise ValueError('ClassSpecificDistributedSampler: give class_prob (or set it on '
                             'the PoseDataset)')
        if not isinstance(class_prob, dict):
            class_prob = dict(enumerate(class_prob))
        class_prob = {int(k): float(v) for k, v in class_prob.items()}
        bad = {k: v for k, v in class_prob.items() if v < 0}
        if bad:
            raise ValueError(f'ClassSpecificDistributedSampler: negative multipliers {bad}')
        self.by_class: Dict[int, List[int]] = {}
        for i, lb in enumerate(labels):
            self.by_class.setdefault(int(lb), []).append(i)
        unknown = sorted(set(class_prob) - set(self.by_class))
        if unknown and len(class_prob) != max(self.by_class) + 1:
            raise ValueError(f'ClassSpecificDistributedSampler: class_prob names labels '
                             f'{unknown[:10]} that no sample has')
        self.mul = {c: class_prob.get(c, 1.0) * times for c in self.by_class}
        self.rank, self.world_size = get_dist_info()
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        n = sum(int(m // 1) * len(self.by_class[c]) + int((m % 1) * len(self.by_class[c]))
                for c, m in self.mul.items())
        self.num_samples = math.ceil(n / self.world_size)
        self.total_size = self.num_samples * self.world_size

    def __iter__(self) -> Iterator[int]:
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        indices: List[int] = []
        for c in sorted(self.by_class):
            members, m = self.by_class[c], self.mul[c]
            indices.extend(members * int(m // 1))
            rem = int((m % 1) * len(members))
            pick = torch.randperm(len(members), generator=g).tolist()[:rem]
            indices.extend(members[i] for i in pick)
        if self.shuffle:
            indices = [indices[i] for i in torch.randperm(len(indices), generator=g).tolist()]
        indices += indices[:self.total_size - len(indices)]
        return iter(indices[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
