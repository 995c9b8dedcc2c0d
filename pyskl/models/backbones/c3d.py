"""``C3D``: plain 3x3x3 conv stacks (the light PoseC3D variant).

Source: Tran et al., "Learning Spatiotemporal Features with 3D Convolutional
Networks" (ICCV 2015); the light, BN-equipped, MLP-free form used on heatmap
volumes by PoseC3D (Duan et al., CVPR 2022). Parameter names follow PYSKL
(``conv1a``, ``conv2a``, ``conv3a/b``, ``conv4a/b``, ``conv5a/b``).
"""
from __future__ import annotations

from typing import Dict

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.utils.compat import ignore_compat_args
from ..utils.init import init_conv3d_bn


@MODELS.register_module()
class C3D(BaseModule):
    """C3D backbone without the flatten + MLP top.

    Input (N, C_in, T, H, W) -> (N, 8 * base_channels, T', H', W'). Layers:
    conv1a | pool 1x2x2 | conv2a | pool | conv3a, conv3b | pool | conv4a,
    conv4b [| pool | conv5a, conv5b]; ``num_stages`` counts the pools as
    PYSKL does (3: up to conv4b, 4: up to conv5b). Pools are average pools,
    2x2x2 with ``temporal_downsample``, else 1x2x2.

    Args:
        in_channels, base_channels: input channels; channels of conv1a.
        num_stages: 3 or 4.
        temporal_downsample: pools halve T too.
        conv_cfg, norm_cfg, act_cfg: mmcv layer configs (BN3d + ReLU).
        pretrained: accepted for config compatibility and ignored (a warning
            says so); load weights with ``load_from``.

    Raises:
        ValueError: num_stages not 3 or 4.
    """

    def __init__(self, in_channels: int = 3, base_channels: int = 64, num_stages: int = 4,
                 temporal_downsample: bool = True, conv_cfg: Dict = dict(type='Conv3d'),
                 norm_cfg: Dict = dict(type='BN3d'), act_cfg: Dict = dict(type='ReLU'),
                 pretrained=None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        ignore_compat_args('C3D', dict(pretrained=pretrained), dict(pretrained=None))
        if num_stages not in (3, 4):
            raise ValueError(f'C3D: num_stages must be 3 or 4, got {num_stages}')
        self.num_stages = num_stages
        conv = dict(kernel_size=3, padding=1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                    act_cfg=act_cfg)
        pool = (2, 2, 2) if temporal_downsample else (1, 2, 2)
        c = base_channels
        widths = [(in_channels, c), (c, 2 * c), (2 * c, 4 * c), (4 * c, 8 * c), (8 * c, 8 * c)]
        self.conv1a = ConvModule(*widths[0], **conv)
        self.pool1 = nn.AvgPool3d((1, 2, 2), (1, 2, 2))
        self.conv2a = ConvModule(*widths[1], **conv)
        self.pool2 = nn.AvgPool3d(pool, pool)
        self.conv3a = ConvModule(*widths[2], **conv)
        self.conv3b = ConvModule(widths[2][1], widths[2][1], **conv)
        self.pool3 = nn.AvgPool3d(pool, pool)
        self.conv4a = ConvModule(*widths[3], **conv)
        self.conv4b = ConvModule(widths[3][1], widths[3][1], **conv)
        if num_stages == 4:
            self.pool4 = nn.AvgPool3d(pool, pool)
            self.conv5a = ConvModule(*widths[4], **conv)
            self.conv5b = ConvModule(widths[4][1], widths[4][1], **conv)
        self.feat_dim = 8 * c

    def init_weights(self) -> None:
        """Kaiming-normal convs (zero biases), unit BNs."""
        super().init_weights()
        if self.init_cfg is None:
            init_conv3d_bn(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv2a(self.pool1(self.conv1a(x)))
        x = self.conv3b(self.conv3a(self.pool2(x)))
        x = self.conv4b(self.conv4a(self.pool3(x)))
        if self.num_stages == 4:
            x = self.conv5b(self.conv5a(self.pool4(x)))
        return x
