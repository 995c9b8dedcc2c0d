"""``RGBPoseConv3D``: an RGB pathway and a pose (heatmap) pathway with
bilateral connections.

Source: Duan et al., "Revisiting Skeleton-based Action Recognition" (CVPR 2022),
Sec. 3.4; the two-pathway layout and lateral connections come from SlowFast
(Feichtenhofer et al., ICCV 2019): the RGB pathway plays SlowFast's slow one (few
frames, many channels, 4x the resolution of the heatmaps), the pose pathway the
fast one. Reference design: PYSKL / MMAction2 ``RGBPoseConv3D`` and
``ResNet3dPathway``; module and parameter names are theirs (``rgb_path``,
``pose_path``, ``layer{i}_lateral``, ``conv1_lateral``) so their checkpoints load.

Shapes with the NTU60 config of MMAction2's rgbpose_conv3d: RGB (N, 3, 8, 224, 224) -> (N, 2048, 8,
7, 7); heatmaps (N, 17, 32, 56, 56) -> (N, 512, 32, 7, 7).
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.utils.compat import ignore_compat_args
from .resnet3d import ResNet3d


class DeConvModule(nn.Module):
    """Transposed 3D conv + BN + ReLU that multiplies (T, H, W) by ``stride``
    exactly (``output_size`` is set), the pose pathway's upward lateral.

    Input (N, C_in, T, H, W) -> (N, C_out, s_t T, s_h H, s_w W).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Sequence[int],
                 stride: Sequence[int] = (1, 1, 1), padding: Sequence[int] = (0, 0, 0),
                 bias: bool = False):
        super().__init__()
        self.out_channels, self.stride = out_channels, tuple(stride)
        self.conv = nn.ConvTranspose3d(in_channels, out_channels, kernel_size, stride=stride,
                                       padding=padding, bias=bias)
        self.bn = nn.BatchNorm3d(out_channels)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5:
            raise ValueError(f'DeConvModule expects (N, C, T, H, W), got {tuple(x.shape)}')
        size = [d * s for d, s in zip(x.shape[2:], self.stride)]
        return self.relu(self.bn(self.conv(x, output_size=size)))


@MODELS.register_module()
class ResNet3dPathway(ResNet3d):
    """A ``ResNet3d`` that takes lateral features from another pathway.

    Stage ``i`` (0 = the stem's output) whose ``lateral_activate[i]`` is set
    receives, concatenated to its input, the other pathway's features through
    ``conv1_lateral`` (i = 0) or the other pathway's ``layer{i}_lateral``; this
    pathway's own ``layer{i+1}_lateral`` modules send its stage-``i`` output
    the other way.

    Args:
        lateral: build lateral connections.
        lateral_inv: the other pathway is slower (fewer frames): laterals are
            transposed convs that multiply T by ``speed_ratio`` and divide
            channels by ``lateral_infl`` (the pose pathway); else strided convs
            that divide T and scale channels by ``lateral_infl / channel_ratio``.
        lateral_norm: BN + ReLU after the (non-inverted) lateral convs.
        speed_ratio, channel_ratio: frame and channel ratios of the pathways.
        fusion_kernel: temporal kernel of the lateral convs.
        lateral_infl: channel inflation of the laterals.
        lateral_activate: per stage, whether it receives lateral features.
        **kwargs: :class:`ResNet3d` arguments.
    """

    def __init__(self, lateral: bool = False, lateral_inv: bool = False,
                 lateral_norm: bool = False, speed_ratio: int = 8, channel_ratio: int = 8,
                 fusion_kernel: int = 5, lateral_infl: int = 2,
                 lateral_activate: Sequence[int] = (1, 1, 1, 1), **kwargs):
        # read by extra_inplanes() while ResNet3d builds the stages
        self.lateral, self.lateral_inv, self.lateral_norm = lateral, lateral_inv, lateral_norm
        self.speed_ratio, self.channel_ratio = speed_ratio, channel_ratio
        self.fusion_kernel, self.lateral_infl = fusion_kernel, lateral_infl
        self.lateral_activate = tuple(lateral_activate)
        super().__init__(**kwargs)
        if lateral and len(self.lateral_activate) < self.num_stages:
            raise ValueError(f'ResNet3dPathway: lateral_activate has '
                             f'{len(self.lateral_activate)} entries for {self.num_stages} stages')
        self.lateral_connections = []
        if not lateral:
            return
        if self.lateral_activate[0]:
            self.conv1_lateral = self._lateral(self.base_channels)
        for i in range(self.num_stages - 1):
            if self.lateral_activate[i + 1]:
                name = f'layer{i + 1}_lateral'
                self.add_module(name, self._lateral(self.base_channels * 2 ** i
                                                    * self.block.expansion))
                self.lateral_connections.append(name)

    def _lateral(self, inplanes: int) -> nn.Module:
        """The lateral module sending a ``inplanes``-channel feature of this
        pathway to the other one."""
        k, s = (self.fusion_kernel, 1, 1), (self.speed_ratio, 1, 1)
        pad = ((self.fusion_kernel - 1) // 2, 0, 0)
        if self.lateral_inv:
            return DeConvModule(inplanes * self.channel_ratio,
                                inplanes * self.channel_ratio // self.lateral_infl, k,
                                stride=s, padding=pad)
        norm = dict(norm_cfg=self.norm_cfg, act_cfg=self.act_cfg) if self.lateral_norm else \
            dict(norm_cfg=None, act_cfg=None)
        return ConvModule(inplanes // self.channel_ratio,
                          inplanes * self.lateral_infl // self.channel_ratio, k, stride=s,
                          padding=pad, bias=False, conv_cfg=self.conv_cfg, **norm)

    def extra_inplanes(self, stage: int) -> int:
        if not (self.lateral and self.lateral_activate[stage]):
            return 0
        # channels entering the stage in this pathway: the stem's, or the
        # previous stage's output
        planes = self.base_channels if stage == 0 else \
            self.base_channels * 2 ** (stage - 1) * self.block.expansion
        if self.lateral_inv:
            return planes * self.channel_ratio // self.lateral_infl
        return planes * self.lateral_infl // self.channel_ratio

    def init_weights(self) -> None:
        super().init_weights()
        for name in self.lateral_connections + (['conv1_lateral'] if
                                                hasattr(self, 'conv1_lateral') else []):
            for m in getattr(self, name).modules():
                if isinstance(m, (nn.Conv3d, nn.ConvTranspose3d)):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')


@MODELS.register_module()
class RGBPoseConv3D(BaseModule):
    """Two-pathway 3D CNN on RGB clips and pose heatmap volumes.

    The RGB pathway has 4 stages, the pose pathway 3; pose stage ``k`` runs
    beside RGB stage ``k + 1``. After RGB stages 2, 3 (pose stages 1, 2) each
    pathway's output is sent through its partner's lateral module and
    concatenated to the partner's features.

    Args:
        speed_ratio: pose frames per RGB frame (32 / 8 = 4).
        channel_ratio: RGB channels per pose channel.
        rgb_detach, pose_detach: stop the gradient of the features entering
            the RGB (pose) pathway from the other one.
        rgb_drop_path, pose_drop_path: during training, probability of zeroing
            all lateral features entering the RGB (pose) pathway in a forward.
        rgb_pathway, pose_pathway: :class:`ResNet3dPathway` arguments (the
            MMAction2 ``rgbpose_conv3d`` defaults).
        pretrained: accepted for config compatibility and ignored (a warning
            says so); load weights with ``load_from``.

    Shapes: ``forward(imgs (N, 3, T, H, W), heatmap_imgs (N, K, 4T, H/4, W/4))``
    -> ``(rgb (N, 2048, T, H/32, W/32), pose (N, 512, 4T, H/32, W/32))``.

    Raises:
        ValueError: drop-path probabilities outside [0, 1], or pathways that
            do not have 4 (RGB) and 3 (pose) stages.
    """

    def __init__(self, speed_ratio: int = 4, channel_ratio: int = 4, rgb_detach: bool = False,
                 pose_detach: bool = False, rgb_drop_path: float = 0.,
                 pose_drop_path: float = 0.,
                 rgb_pathway: Optional[Dict] = None, pose_pathway: Optional[Dict] = None,
                 pretrained: Optional[str] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        ignore_compat_args('RGBPoseConv3D', dict(pretrained=pretrained), dict(pretrained=None))
        for name, p in (('rgb_drop_path', rgb_drop_path), ('pose_drop_path', pose_drop_path)):
            if not 0 <= p <= 1:
                raise ValueError(f'RGBPoseConv3D: {name} must lie in [0, 1], got {p}')
        rgb = dict(num_stages=4, lateral=True, lateral_infl=1, lateral_activate=(0, 0, 1, 1),
                   fusion_kernel=7, base_channels=64, conv1_kernel=(1, 7, 7),
                   inflate=(0, 0, 1, 1), with_pool2=False)
        pose = dict(num_stages=3, stage_blocks=(4, 6, 3), lateral=True, lateral_inv=True,
                    lateral_infl=16, lateral_activate=(0, 1, 1), fusion_kernel=7,
                    in_channels=17, base_channels=32, out_indices=(2,), conv1_kernel=(1, 7, 7),
                    conv1_stride_s=1, conv1_stride_t=1, pool1_stride_s=1, pool1_stride_t=1,
                    inflate=(0, 1, 1), spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 1),
                    dilations=(1, 1, 1), with_pool2=False)
        rgb = dict(rgb_pathway) if rgb_pathway is not None else rgb
        pose = dict(pose_pathway) if pose_pathway is not None else pose
        for cfg in (rgb, pose):
            if cfg.get('lateral'):
                cfg.update(speed_ratio=speed_ratio, channel_ratio=channel_ratio)
        self.speed_ratio, self.channel_ratio = speed_ratio, channel_ratio
        self.rgb_path = ResNet3dPathway(**rgb)
        self.pose_path = ResNet3dPathway(**pose)
        if self.rgb_path.num_stages != 4 or self.pose_path.num_stages != 3:
            raise ValueError('RGBPoseConv3D: the RGB pathway needs 4 stages and the pose '
                             f'pathway 3, got {self.rgb_path.num_stages} and '
                             f'{self.pose_path.num_stages}')
        self.rgb_detach, self.pose_detach = rgb_detach, pose_detach
        self.rgb_drop_path, self.pose_drop_path = rgb_drop_path, pose_drop_path

    def init_weights(self) -> None:
        self.rgb_path.init_weights()
        self.pose_path.init_weights()

    @staticmethod
    def _send(lateral: Optional[nn.Module], x: torch.Tensor, detach: bool,
              drop: bool) -> Optional[torch.Tensor]:
        if lateral is None:
            return None
        out = lateral(x.detach() if detach else x)
        return torch.zeros_like(out) if drop else out

    def forward(self, imgs: torch.Tensor,
                heatmap_imgs: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        rgb, pose = self.rgb_path, self.pose_path
        drop_rgb = self.training and self.rgb_drop_path > 0 and \
            torch.rand(1, device='cpu').item() < self.rgb_drop_path
        drop_pose = self.training and self.pose_drop_path > 0 and \
            torch.rand(1, device='cpu').item() < self.pose_drop_path
        x_rgb = rgb.layer1(rgb.maxpool(rgb.conv1(imgs)))
        x_pose = pose.maxpool(pose.conv1(heatmap_imgs))
        for k in (1, 2):        # pose stage k beside RGB stage k + 1, then exchange
            x_rgb = getattr(rgb, f'layer{k + 1}')(x_rgb)
            x_pose = getattr(pose, f'layer{k}')(x_pose)
            to_rgb = self._send(getattr(rgb, f'layer{k + 1}_lateral', None), x_pose,
                                self.rgb_detach, drop_rgb)
            to_pose = self._send(getattr(pose, f'layer{k}_lateral', None), x_rgb,
                                 self.pose_detach, drop_pose)
            if to_rgb is not None:
                x_rgb = torch.cat((x_rgb, to_rgb), dim=1)
            if to_pose is not None:
                x_pose = torch.cat((x_pose, to_pose), dim=1)
        return rgb.layer4(x_rgb), pose.layer3(x_pose)
