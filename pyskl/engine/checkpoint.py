"""Trusted local checkpoint loader for mmengine on torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default. mmengine 0.10's
local loader calls ``torch.load(filename, map_location)``, so ``--resume`` and
``load_from`` fail on mmengine's own checkpoints (their ``meta`` and
``message_hub`` hold numpy and mmengine objects; mmengine issue #1655). The
smallest fix: re-register mmengine's loader for local paths (prefix ``''``)
with ``weights_only=False``. Only load checkpoints you trust -- a pickle can
run code (the same trust PYSKL, MMAction2 and torch < 2.6 assumed).
"""
from __future__ import annotations

import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local_trusted(filename: str, map_location=None):
    """Load a local checkpoint file with ``weights_only=False``.

    Raises:
        FileNotFoundError: ``filename`` is not a file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename!r} is not a file')
    return torch.load(filename, map_location=map_location, weights_only=False)
