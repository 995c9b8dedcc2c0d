"""Freezing stages and BN statistics of CNN backbones (shared by 3D CNNs)."""
from __future__ import annotations

from typing import Sequence

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


def freeze_and_norm_eval(model: nn.Module, stages: Sequence[nn.Module], frozen_stages: int,
                         norm_eval: bool, mode: bool) -> None:
    """After ``model.train(mode)``: put ``stages[:frozen_stages + 1]`` in eval
    mode with gradients off, and with ``norm_eval`` every BN of ``model`` in
    eval mode while training."""
    for m in stages[:frozen_stages + 1]:
        m.eval()
        for p in m.parameters():
            p.requires_grad = False
    if mode and norm_eval:
        for m in model.modules():
            if isinstance(m, _BatchNorm):
                m.eval()
