"""``X3D``: expanded efficient 3D CNN (the shallow PoseC3D variant).

Source: Feichtenhofer, "X3D: Expanding Architectures for Efficient Video
Recognition" (CVPR 2020); PoseC3D (Duan et al., CVPR 2022) uses a shallow
X3D (3 stages, no SE, ReLU) on heatmap volumes. Module names follow
MMAction2 / PYSKL (``conv1_s``, ``conv1_t``, ``layer{i}``, ``conv5``).
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.utils.compat import ignore_compat_args
from ..utils.freeze import freeze_and_norm_eval
from ..utils.init import init_conv3d_bn

CONV3D = dict(type='Conv3d')
BN3D = dict(type='BN3d', requires_grad=True)
RELU = dict(type='ReLU', inplace=True)


def round_width(width: float, multiplier: float, min_width: int = 8, divisor: int = 8) -> int:
    """Scale a channel count and round it to a multiple of ``divisor``."""
    if not multiplier:
        return int(width)
    width *= multiplier
    out = max(min_width, int(width + divisor / 2) // divisor * divisor)
    return int(out + divisor if out < 0.9 * width else out)


class SEModule(nn.Module):
    """Squeeze-and-excitation: channel gates from global average pooling."""

    def __init__(self, channels: int, ratio: float):
        super().__init__()
        mid = round_width(channels, ratio)
        self.avg_pool = nn.AdaptiveAvgPool3d(1)
        self.fc1 = nn.Conv3d(channels, mid, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv3d(mid, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))


class BlockX3D(nn.Module):
    """1x1x1 expand -> 3x3x3 depthwise (strided) [-> SE] -> act -> 1x1x1
    project, plus a residual connection."""

    def __init__(self, inplanes: int, planes: int, outplanes: int, spatial_stride: int = 1,
                 downsample: Optional[nn.Module] = None, se_ratio: Optional[float] = None,
                 use_swish: bool = True, conv_cfg: Dict = CONV3D, norm_cfg: Dict = BN3D,
                 act_cfg: Dict = RELU):
        super().__init__()
        common = dict(bias=False, conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.conv1 = ConvModule(inplanes, planes, 1, act_cfg=act_cfg, **common)
        self.conv2 = ConvModule(planes, planes, 3, stride=(1, spatial_stride, spatial_stride),
                                padding=1, groups=planes, act_cfg=None, **common)
        self.se_module = SEModule(planes, se_ratio) if se_ratio is not None else None
        self.swish = nn.SiLU() if use_swish else nn.Identity()
        self.conv3 = ConvModule(planes, outplanes, 1, act_cfg=None, **common)
        self.downsample = downsample
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.conv1(x))
        if self.se_module is not None:
            out = self.se_module(out)
        out = self.conv3(self.swish(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


@MODELS.register_module()
class X3D(BaseModule):
    """X3D backbone.

    Input (N, C_in, T, H, W) -> stem (1x3x3 conv, spatial stride 2, then a
    5x1x1 depthwise conv) -> stages -> 1x1x1 ``conv5`` ->
    (N, feat_dim, T, H', W') with ``feat_dim = round(base * 2**(S-1) *
    gamma_b)`` (216 for the PoseC3D shallow config).

    Args:
        gamma_w, gamma_b, gamma_d: width, bottleneck and depth expansions.
        in_channels, base_channels: input channels; stage-1 width.
        num_stages: 1..4. stage_blocks: blocks per stage before ``gamma_d``.
        spatial_strides: per stage.
        se_style: SE in ``'half'`` (every other) or ``'all'`` blocks.
        se_ratio: SE reduction ratio, None for no SE.
        use_swish: swish after the depthwise conv (else identity).
        frozen_stages, norm_eval, zero_init_residual: as ``ResNet3d``.
        pretrained, with_cp: accepted and ignored, with a warning unless
            they ask for nothing (:mod:`pyskl.utils.compat`).

    Raises:
        ValueError: bad num_stages, spatial_strides length or se_style.
        TypeError: an unknown argument.
    """

    def __init__(self, gamma_w: float = 1.0, gamma_b: float = 2.25, gamma_d: float = 2.2,
                 pretrained=None, in_channels: int = 3, base_channels: int = 24,
                 num_stages: int = 4, stage_blocks: Sequence[int] = (1, 2, 5, 3),
                 spatial_strides: Sequence[int] = (2, 2, 2, 2), frozen_stages: int = -1,
                 se_style: str = 'half', se_ratio: Optional[float] = 1 / 16,
                 use_swish: bool = True, conv_cfg: Dict = CONV3D, norm_cfg: Dict = BN3D,
                 act_cfg: Dict = RELU, norm_eval: bool = False, zero_init_residual: bool = True,
                 init_cfg=None, **kwargs):
        super().__init__(init_cfg=init_cfg)
        ignore_compat_args('X3D', dict(kwargs, pretrained=pretrained),
                           dict(pretrained=None, with_cp=False))
        if not 1 <= num_stages <= 4 or len(spatial_strides) != num_stages:
            raise ValueError(f'X3D: num_stages must be 1..4 with one spatial stride each, got '
                             f'{num_stages} and {spatial_strides}')
        if se_style not in ('half', 'all'):
            raise ValueError(f"X3D: se_style must be 'half' or 'all', got {se_style!r}")
        self.base_channels = round_width(base_channels, gamma_w)
        self.stage_blocks = [int(math.ceil(gamma_d * b)) if gamma_d else b
                             for b in stage_blocks][:num_stages]
        self.frozen_stages, self.norm_eval = frozen_stages, norm_eval
        self.zero_init_residual = zero_init_residual
        cfgs = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        c = self.base_channels
        self.conv1_s = ConvModule(in_channels, c, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1),
                                  bias=False, conv_cfg=conv_cfg, norm_cfg=None, act_cfg=None)
        self.conv1_t = ConvModule(c, c, (5, 1, 1), padding=(2, 0, 0), groups=c, bias=False,
                                  act_cfg=act_cfg, **cfgs)
        self.res_layers = []
        inplanes = c
        for i, n in enumerate(self.stage_blocks):
            width = c * 2 ** i
            planes = int(width * gamma_b)
            stride = spatial_strides[i]
            downsample = None
            if stride != 1 or inplanes != width:
                downsample = ConvModule(inplanes, width, 1, stride=(1, stride, stride),
                                        bias=False, act_cfg=None, **cfgs)
            blocks = []
            for j in range(n):
                use_se = se_style == 'all' or j % 2 == 0
                blocks.append(BlockX3D(inplanes if j == 0 else width, planes, width,
                                       stride if j == 0 else 1, downsample if j == 0 else None,
                                       se_ratio if use_se else None, use_swish,
                                       act_cfg=act_cfg, **cfgs))
            inplanes = width
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            self.res_layers.append(f'layer{i + 1}')
        self.feat_dim = int(inplanes * gamma_b)
        self.conv5 = ConvModule(inplanes, self.feat_dim, 1, bias=False, act_cfg=act_cfg, **cfgs)

    def init_weights(self) -> None:
        """Kaiming-normal convs, unit BNs, zero last BN per block (if set)."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        init_conv3d_bn(self)
        if self.zero_init_residual:
            for m in self.modules():
                if isinstance(m, BlockX3D):
                    nn.init.zeros_(m.conv3.bn.weight)

    def train(self, mode: bool = True):
        super().train(mode)
        stages = [nn.ModuleList([self.conv1_s, self.conv1_t])] + \
            [getattr(self, n) for n in self.res_layers]
        freeze_and_norm_eval(self, stages, self.frozen_stages, self.norm_eval, mode)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1_t(self.conv1_s(x))
        for name in self.res_layers:
            x = getattr(self, name)(x)
        return self.conv5(x)
