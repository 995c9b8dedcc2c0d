"""Default weight initialisation of the 3D CNN backbones (ResNet3d, X3D, C3D)."""
from __future__ import annotations

import torch.nn as nn
from mmengine.model.weight_init import constant_init, kaiming_init
from torch.nn.modules.batchnorm import _BatchNorm


def init_conv3d_bn(model: nn.Module) -> None:
    """Kaiming-normal (fan_out, ReLU) weights and zero biases for every
    ``Conv3d`` of ``model``; weight 1, bias 0 for every BatchNorm -- the
    initialisation of PYSKL's / MMAction2's 3D backbones (mmengine's
    ``kaiming_init`` / ``constant_init``)."""
    for m in model.modules():
        if isinstance(m, nn.Conv3d):
            kaiming_init(m)
        elif isinstance(m, _BatchNorm):
            constant_init(m, 1)
