"""Randomness derived from (seed, epoch, rank, worker): a resumed training is
the same training.

Data augmentation (``Flip``, ``RandomScale``, ``RandomRot``,
``UniformSampleFrames``, ...) draws from numpy's and Python's global
generators, dropout from torch's. Left alone, their state at epoch ``e``
depends on everything drawn before it -- in the main process and in every
(persistent) data worker -- so a run resumed at epoch ``e`` from a
checkpoint draws different numbers than the run that was never interrupted
(PYSKL and MMAction2 behave so). Saving every generator is not enough: the
states of the worker processes cannot be captured.

Instead every generator is re-seeded at the start of each training epoch
from ``(seed, epoch, rank, worker)``: the main process by
:class:`pyskl.engine.hooks.EpochSeedHook` at the epoch's first iteration
(after the DataLoader iterator was created: creating it draws torch's worker
base seed, in the first epoch of a run only when workers persist), each data
worker (or the main process with ``num_workers=0``) when it prepares the
first sample of the epoch (``PoseDataset.prepare_data`` reads the epoch from
a shared-memory tensor the hook writes before the iterator exists). Which worker prepares which batch is fixed by the
DataLoader (round robin), so an epoch's random numbers depend on nothing
else, and resuming from the checkpoint of epoch ``e`` replays epochs
``e+1...`` exactly.
"""
from __future__ import annotations

import hashlib
import random
from typing import Optional

import numpy as np
import torch


def derive_seed(*parts) -> int:
    """A 32-bit seed from any tuple of ints / strings (stable across runs and
    platforms, unlike ``hash``)."""
    digest = hashlib.sha256(repr(tuple(parts)).encode()).digest()
    return int.from_bytes(digest[:4], 'little')


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class EpochSeed:
    """The (seed, epoch) of the current training epoch, in shared memory so
    that data workers forked before the epoch began see it.

    ``reseed_if_new_epoch(rank)`` is called by the dataset for every sample;
    it re-seeds the calling process once per epoch.
    """

    def __init__(self):
        self.state = torch.full((2,), -1, dtype=torch.int64).share_memory_()
        self._seen: Optional[tuple] = None

    def set(self, seed: int, epoch: int) -> None:
        self.state[0], self.state[1] = int(seed), int(epoch)

    def reseed_if_new_epoch(self, rank: int) -> None:
        seed, epoch = (int(v) for v in self.state)
        if epoch < 0 or (seed, epoch) == self._seen:
            return
        info = torch.utils.data.get_worker_info()
        worker = info.id if info is not None else -1
        seed_everything(derive_seed(seed, epoch, rank, 'worker', worker))
        self._seen = (seed, epoch)

    def __getstate__(self):  # a copy (e.g. a spawned worker) starts unseeded
        return dict(state=self.state, _seen=None)
