"""``CheckInvalidLossHook``: stop a training whose loss is NaN or infinite.

mmengine 0.10 has no such hook (mmdet/mmcv 1.x had one that only logged).
Without it a diverged run keeps training and checkpointing a NaN model.
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
