"""Training hooks: ``CheckInvalidLossHook`` stops a training whose loss is NaN
or infinite (mmengine 0.10 has no such hook; without it a diverged run keeps
training and checkpointing a NaN model); ``EpochSeedHook`` makes each epoch's
random numbers a function of (seed, epoch, rank, worker), so ``--resume``
replays the interrupted run exactly (:mod:`pyskl.utils.epoch_seed`).
"""
from __future__ import annotations

import math
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, is_distributed
from mmengine.hooks import Hook

from pyskl.registry import HOOKS


def _as_float(v) -> float:
    return float(v.detach().float().mean()) if isinstance(v, torch.Tensor) else float(v)


@HOOKS.register_module()
class CheckInvalidLossHook(Hook):
    """Raise ``FloatingPointError`` as soon as a logged loss is NaN or infinite.

    Runs after every ``interval``-th training iteration, before the
    checkpoint hook, so the last checkpoint on disk is the last good one.
    Under DDP the verdict is all-reduced, so every rank stops at the same
    iteration instead of waiting for the others.

    Args:
        interval: check every ``interval`` iterations (1: every one).

    Raises:
        FloatingPointError: names the epoch, the iteration and the loss terms
            that are not finite.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, interval: int = 1):
        if interval < 1:
            raise ValueError(f'CheckInvalidLossHook: interval must be >= 1, got {interval}')
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        values = {k: _as_float(v) for k, v in outputs.items() if 'loss' in k}
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        flag = torch.tensor([float(bool(bad))])
        if is_distributed():
            all_reduce(flag)
        if flag.item() > 0:
            where = f'epoch {runner.epoch + 1}, iteration {runner.iter + 1}'
            what = ', '.join(f'{k}={v}' for k, v in bad.items()) or 'on another rank'
            raise FloatingPointError(
                f'training loss is not finite at {where} ({what}); training stopped so that no '
                'checkpoint of a diverged model is written. Lower the learning rate, check the '
                'data for NaN/inf keypoints, or resume from the last good checkpoint.')


def _epoch_seeds(dataset):
    """The ``EpochSeed`` objects of a dataset and the datasets it wraps."""
    found, todo, seen = [], [dataset], set()
    while todo:
        d = todo.pop()
        if d is None or id(d) in seen:
            continue
        seen.add(id(d))
        if getattr(d, 'epoch_seed', None) is not None:
            found.append(d.epoch_seed)
        todo.append(getattr(d, 'dataset', None))
        todo.extend(getattr(d, 'datasets', None) or [])
    return found


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Re-seed every random generator at the start of each training epoch.

    The main process (dropout, anything drawn outside the data pipeline) is
    seeded from ``(runner.seed, epoch, rank)``, and the epoch is published to
    the training dataset's workers, which re-seed themselves from
    ``(seed, epoch, rank, worker)`` at their first sample of the epoch. A run
    resumed from the checkpoint of epoch ``e`` therefore continues exactly as
    the uninterrupted run (bit-for-bit on CPU; with ``--deterministic`` on
    GPU), whatever ``num_workers`` is.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def _seed(runner) -> int:
        return runner.seed if runner.seed is not None else 0

    def before_train_epoch(self, runner) -> None:
        # before the epoch's DataLoader iterator exists: workers see the new epoch
        for es in _epoch_seeds(runner.train_dataloader.dataset):
            es.set(self._seed(runner), runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        # the main process at the first iteration, i.e. after the iterator was created:
        # creating it draws torch's worker base seed in some epochs only (persistent
        # workers: the first epoch of a run), which must not shift the model's draws
        if batch_idx == 0:
            from mmengine.dist import get_rank
            from pyskl.utils.epoch_seed import derive_seed, seed_everything
            seed_everything(derive_seed(self._seed(runner), runner.epoch, get_rank(), 'main'))
