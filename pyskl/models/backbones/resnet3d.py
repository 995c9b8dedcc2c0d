"""3D ResNets: ``ResNet3d`` and its PoseC3D form ``ResNet3dSlowOnly``.

Source: Carreira & Zisserman, "Quo Vadis, Action Recognition?" (I3D, CVPR
2017) for inflated 3D ResNets; Feichtenhofer et al., "SlowFast Networks"
(ICCV 2019) for the SlowOnly pathway; Duan et al., "Revisiting
Skeleton-based Action Recognition" (CVPR 2022) for its use on heatmap
volumes. Module and parameter names follow MMAction2 / PYSKL (``conv1``,
``layer{i}.{j}.conv{1,2,3}``, ``downsample``; mmcv ``ConvModule`` with
``.conv`` / ``.bn``) so their checkpoints load.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple, Union

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


def _ntuple(x, n: int) -> Tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,) * n


class BasicBlock3d(nn.Module):
    """Two 3x3 (or 1x3x3) convs with a residual connection (ResNet-18/34).

    Args:
        inplanes, planes: input / output channels (expansion 1).
        spatial_stride, temporal_stride: strides of the first conv.
        dilation: spatial dilation. downsample: module for the shortcut.
        inflate: 3x3x3 first conv (else 1x3x3).
    """

    expansion = 1

    def __init__(self, inplanes: int, planes: int, spatial_stride: int = 1,
                 temporal_stride: int = 1, dilation: int = 1, downsample=None,
                 inflate: bool = True, inflate_style: str = '3x1x1',
                 conv_cfg: Dict = CONV3D, norm_cfg: Dict = BN3D, act_cfg: Dict = RELU):
        super().__init__()
        kt = 3 if inflate else 1
        self.conv1 = ConvModule(inplanes, planes, (kt, 3, 3),
                                stride=(temporal_stride, spatial_stride, spatial_stride),
                                padding=(kt // 2, dilation, dilation), dilation=(1, dilation, dilation),
                                bias=False, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.conv2 = ConvModule(planes, planes * self.expansion, (1, 3, 3), padding=(0, 1, 1),
                                bias=False, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=None)
        self.downsample = downsample
        self.relu = nn.ReLU(inplace=True)

    def last_norm(self) -> nn.Module:
        return self.conv2.bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + identity)


class Bottleneck3d(nn.Module):
    """1x1 -> 3x3 -> 1x1 bottleneck (x4 channels) with a residual connection.

    With ``inflate`` the first conv is 3x1x1 (``inflate_style='3x1x1'``,
    SlowOnly) or the middle one 3x3x3 (``'3x3x3'``). Strides sit on the
    middle conv (``pytorch`` style).
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, spatial_stride: int = 1,
                 temporal_stride: int = 1, dilation: int = 1, downsample=None,
                 inflate: bool = True, inflate_style: str = '3x1x1',
                 conv_cfg: Dict = CONV3D, norm_cfg: Dict = BN3D, act_cfg: Dict = RELU):
        super().__init__()
        if inflate_style not in ('3x1x1', '3x3x3'):
            raise ValueError(f"inflate_style must be '3x1x1' or '3x3x3', got {inflate_style!r}")
        k1, k2 = (1, 1, 1), (1, 3, 3)
        if inflate:
            k1, k2 = ((3, 1, 1), k2) if inflate_style == '3x1x1' else (k1, (3, 3, 3))
        common = dict(bias=False, conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.conv1 = ConvModule(inplanes, planes, k1, padding=(k1[0] // 2, 0, 0),
                                act_cfg=act_cfg, **common)
        self.conv2 = ConvModule(planes, planes, k2,
                                stride=(temporal_stride, spatial_stride, spatial_stride),
                                padding=(k2[0] // 2, dilation, dilation),
                                dilation=(1, dilation, dilation), act_cfg=act_cfg, **common)
        self.conv3 = ConvModule(planes, planes * self.expansion, 1, act_cfg=None, **common)
        self.downsample = downsample
        self.relu = nn.ReLU(inplace=True)

    def last_norm(self) -> nn.Module:
        return self.conv3.bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv3(self.conv2(self.conv1(x))) + identity)


@MODELS.register_module()
class ResNet3d(BaseModule):
    """Inflated 3D ResNet.

    Input (N, C_in, T, H, W) -> stem (conv1 + max pool) -> stages. Output:
    the feature of stage ``out_indices[0]`` (N, C, T', H', W'), or a tuple
    when several stages are requested.

    Args:
        depth: 18, 34, 50, 101 or 152 (block type and default blocks).
        in_channels, base_channels: input channels; planes of stage 1
            (stage i has ``base_channels * 2**i`` planes).
        num_stages: 1..4. stage_blocks: blocks per stage (default by depth).
        out_indices: stages whose outputs are returned.
        spatial_strides, temporal_strides, dilations: per stage.
        conv1_kernel, conv1_stride_s, conv1_stride_t: stem conv.
        pool1_stride_s, pool1_stride_t: stem max pool (3x3 spatial window).
        conv1_stride, pool1_stride: PYSKL's spelling, ``(temporal, spatial)``
            pairs; when given they override the ``_s`` / ``_t`` arguments.
        with_pool1: use the stem max pool. with_pool2: temporal max pool
            (2x1x1) after stage 1.
        inflate: per stage (or per block) inflation flags.
        inflate_style: '3x1x1' or '3x3x3'.
        frozen_stages: stages (0 = stem) whose parameters are frozen.
        norm_eval: keep BN layers in eval mode during training.
        zero_init_residual: last BN of every block initialised to 0.
        pretrained: accepted for config compatibility and ignored (a warning
            says so); load weights with ``load_from`` (+ ``load_partial``).
        pretrained2d, with_cp, non_local, non_local_cfg: MMAction2 / PYSKL
            arguments accepted and ignored, with a warning unless they ask
            for nothing (:mod:`pyskl.utils.compat`).

    Raises:
        ValueError: unknown depth, bad num_stages or per-stage lengths.
        TypeError: an unknown argument.
    """

    arch_settings = {18: (BasicBlock3d, (2, 2, 2, 2)), 34: (BasicBlock3d, (3, 4, 6, 3)),
                     50: (Bottleneck3d, (3, 4, 6, 3)), 101: (Bottleneck3d, (3, 4, 23, 3)),
                     152: (Bottleneck3d, (3, 8, 36, 3))}

    def __init__(self, depth: int = 50, pretrained: Optional[str] = None, in_channels: int = 3,
                 base_channels: int = 64, num_stages: int = 4, stage_blocks=None,
                 out_indices: Sequence[int] = (3,), spatial_strides=(1, 2, 2, 2),
                 temporal_strides=(1, 1, 1, 1), dilations=(1, 1, 1, 1),
                 conv1_kernel=(3, 7, 7), conv1_stride_s: int = 2, conv1_stride_t: int = 1,
                 pool1_stride_s: int = 2, pool1_stride_t: int = 1, with_pool1: bool = True,
                 with_pool2: bool = True, inflate=(1, 1, 1, 1), inflate_style: str = '3x1x1',
                 conv_cfg: Dict = CONV3D, norm_cfg: Dict = BN3D, act_cfg: Dict = RELU,
                 frozen_stages: int = -1, norm_eval: bool = False,
                 zero_init_residual: bool = True, conv1_stride=None, pool1_stride=None,
                 init_cfg=None, **kwargs):
        super().__init__(init_cfg=init_cfg)
        if pretrained is None:
            kwargs.pop('pretrained2d', None)         # meaningless without pretrained
        ignore_compat_args(type(self).__name__, dict(kwargs, pretrained=pretrained),
                           dict(pretrained=None, pretrained2d=False, with_cp=False,
                                non_local=(0, 0, 0, 0), non_local_cfg=dict()))
        if conv1_stride is not None:
            conv1_stride_t, conv1_stride_s = conv1_stride
        if pool1_stride is not None:
            pool1_stride_t, pool1_stride_s = pool1_stride
        if depth not in self.arch_settings:
            raise ValueError(f'ResNet3d: depth must be one of {sorted(self.arch_settings)}, '
                             f'got {depth}')
        if not 1 <= num_stages <= 4:
            raise ValueError(f'ResNet3d: num_stages must be 1..4, got {num_stages}')
        block, default_blocks = self.arch_settings[depth]
        stage_blocks = tuple(stage_blocks or default_blocks)[:num_stages]
        per_stage = dict(spatial_strides=spatial_strides, temporal_strides=temporal_strides,
                         dilations=dilations, stage_blocks=stage_blocks)
        for name, val in per_stage.items():
            if len(val) < num_stages:
                raise ValueError(f'ResNet3d: {name} has {len(val)} entries for '
                                 f'{num_stages} stages')
        if max(out_indices) >= num_stages:
            raise ValueError(f'ResNet3d: out_indices {out_indices} beyond {num_stages} stages')
        self.depth, self.pretrained = depth, pretrained
        self.in_channels, self.base_channels = in_channels, base_channels
        self.num_stages, self.stage_blocks = num_stages, stage_blocks
        self.out_indices = tuple(out_indices)
        self.frozen_stages, self.norm_eval = frozen_stages, norm_eval
        self.zero_init_residual = zero_init_residual
        self.with_pool1, self.with_pool2 = with_pool1, with_pool2
        inflate = _ntuple(inflate, num_stages)
        k = _ntuple(conv1_kernel, 3)
        cfgs = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)

        self.conv1 = ConvModule(in_channels, base_channels, k,
                                stride=(conv1_stride_t, conv1_stride_s, conv1_stride_s),
                                padding=tuple((i - 1) // 2 for i in k), bias=False, **cfgs)
        self.maxpool = nn.MaxPool3d((1, 3, 3), stride=(pool1_stride_t, pool1_stride_s,
                                                       pool1_stride_s), padding=(0, 1, 1))
        self.pool2 = nn.MaxPool3d((2, 1, 1), stride=(2, 1, 1))
        self.conv_cfg, self.norm_cfg, self.act_cfg = conv_cfg, norm_cfg, act_cfg
        self.block = block
        self.res_layers = []
        inplanes = base_channels
        for i, n in enumerate(stage_blocks):
            planes = base_channels * 2 ** i
            inplanes += self.extra_inplanes(i)
            layer = self.make_res_layer(block, inplanes, planes, n, spatial_strides[i],
                                        temporal_strides[i], dilations[i], inflate[i],
                                        inflate_style, **cfgs)
            inplanes = planes * block.expansion
            self.add_module(f'layer{i + 1}', layer)
            self.res_layers.append(f'layer{i + 1}')
        self.feat_dim = inplanes

    def extra_inplanes(self, stage: int) -> int:
        """Channels concatenated to the input of ``stage`` from elsewhere (0;
        lateral connections of two-pathway networks add some)."""
        return 0

    @staticmethod
    def make_res_layer(block, inplanes: int, planes: int, blocks: int, spatial_stride: int = 1,
                       temporal_stride: int = 1, dilation: int = 1, inflate=1,
                       inflate_style: str = '3x1x1', conv_cfg: Dict = CONV3D,
                       norm_cfg: Dict = BN3D, act_cfg: Dict = RELU) -> nn.Sequential:
        """One stage: ``blocks`` blocks, the first one strided; a 1x1x1
        conv + BN shortcut when the shape changes."""
        inflate = _ntuple(inflate, blocks)
        downsample = None
        if spatial_stride != 1 or temporal_stride != 1 or inplanes != planes * block.expansion:
            downsample = ConvModule(inplanes, planes * block.expansion, 1,
                                    stride=(temporal_stride, spatial_stride, spatial_stride),
                                    bias=False, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                                    act_cfg=None)
        common = dict(dilation=dilation, inflate_style=inflate_style, conv_cfg=conv_cfg,
                      norm_cfg=norm_cfg, act_cfg=act_cfg)
        layers = [block(inplanes, planes, spatial_stride, temporal_stride,
                        downsample=downsample, inflate=inflate[0] == 1, **common)]
        for j in range(1, blocks):
            layers.append(block(planes * block.expansion, planes, inflate=inflate[j] == 1,
                                **common))
        return nn.Sequential(*layers)

    def init_weights(self) -> None:
        """Kaiming-normal convs, unit BNs, zero last BN per block (if set)."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        init_conv3d_bn(self)
        if self.zero_init_residual:
            for m in self.modules():
                if isinstance(m, (Bottleneck3d, BasicBlock3d)):
                    nn.init.zeros_(m.last_norm().weight)

    def train(self, mode: bool = True):
        super().train(mode)
        stages = [self.conv1] + [getattr(self, n) for n in self.res_layers]
        freeze_and_norm_eval(self, stages, self.frozen_stages, self.norm_eval, mode)
        return self

    def forward(self, x: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        x = self.conv1(x)
        if self.with_pool1:
            x = self.maxpool(x)
        outs = []
        for i, name in enumerate(self.res_layers):
            x = getattr(self, name)(x)
            if i == 0 and self.with_pool2:
                x = self.pool2(x)
            if i in self.out_indices:
                outs.append(x)
        return outs[0] if len(outs) == 1 else tuple(outs)


@MODELS.register_module()
class ResNet3dSlowOnly(ResNet3d):
    """SlowOnly pathway: a ResNet3d with a 1x7x7 stem, no temporal pooling,
    and inflation only in the late stages (default ``(0, 0, 1, 1)``).

    PoseC3D (Duan et al., CVPR 2022) uses it on heatmap volumes with
    ``in_channels=17, base_channels=32, num_stages=3, out_indices=(2,),
    stage_blocks=(4, 6, 3), conv1_stride_s=1, pool1_stride_s=1,
    inflate=(0, 1, 1), spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 2)``:
    2.0M parameters, 512 output channels.
    """

    def __init__(self, conv1_kernel=(1, 7, 7), conv1_stride_t: int = 1,
                 pool1_stride_t: int = 1, inflate=(0, 0, 1, 1), with_pool2: bool = False,
                 lateral: bool = False, **kwargs):
        if lateral:
            raise ValueError('ResNet3dSlowOnly: lateral connections (SlowFast) are not '
                             'supported')
        super().__init__(conv1_kernel=conv1_kernel, conv1_stride_t=conv1_stride_t,
                         pool1_stride_t=pool1_stride_t, inflate=inflate,
                         with_pool2=with_pool2, **kwargs)
