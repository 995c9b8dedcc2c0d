"""``RGBPoseHead``: one classifier per pathway of ``RGBPoseConv3D``."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from pyskl.registry import MODELS
from .base_head import BaseHead, average_clip


@MODELS.register_module()
class RGBPoseHead(BaseHead):
    """Average-pooled RGB and pose features, each through its own dropout and FC.

    Reference design: PYSKL / MMAction2 ``RGBPoseHead`` (parameter names
    ``fc_rgb``, ``fc_pose``). Unlike MMAction2 1.2.0 (whose ``loss_by_feat`` fails with an
    ``AttributeError`` on a batch of exactly ``num_classes`` samples), such a batch
    trains like any other.

    Args:
        num_classes: classes K.
        in_channels: ``(C_rgb, C_pose)`` feature channels (2048, 512).
        loss_components: the pathways whose losses are trained
            (``'rgb'``, ``'pose'``).
        loss_weights: one weight per component (or one for all).
        dropout: probability for both, or ``dict(rgb=p, pose=q)``.
        init_std: std of the FC weight initialisation.

    Shapes: ``forward((rgb (N, C_rgb, T, H, W), pose (N, C_pose, T', H, W)))``
    -> ``dict(rgb=(N, K), pose=(N, K))`` logits. ``loss`` returns
    ``{name}_loss_cls`` (weighted) and ``{name}_top1_acc`` per component;
    ``predict`` writes ``pred_score = dict(rgb=(K,), pose=(K,), fused=(K,))``
    (clips averaged per pathway; ``fused`` is their 1:1 mean, so
    ``tools/test.py --dump`` holds all three) and ``pred_label`` of ``fused``.

    Raises:
        ValueError: unknown loss components, or a weight count that differs
            from the component count.
    """

    MODALITIES = ('rgb', 'pose')

    def __init__(self, num_classes: int, in_channels: Sequence[int] = (2048, 512),
                 loss_cls: Dict = dict(type='CrossEntropyLoss'),
                 loss_components: Sequence[str] = ('rgb', 'pose'),
                 loss_weights: Union[float, Sequence[float]] = 1.,
                 dropout: Union[float, Dict[str, float]] = 0.5, init_std: float = 0.01,
                 average_clips: Optional[str] = 'prob', init_cfg=None):
        super().__init__(num_classes, tuple(in_channels), loss_cls=loss_cls,
                         average_clips=average_clips, init_cfg=init_cfg)
        bad = [c for c in loss_components if c not in self.MODALITIES]
        if bad:
            raise ValueError(f'RGBPoseHead: unknown loss components {bad}; use {self.MODALITIES}')
        if isinstance(loss_weights, (int, float)):
            loss_weights = [float(loss_weights)] * len(loss_components)
        if len(loss_weights) != len(loss_components):
            raise ValueError(f'RGBPoseHead: {len(loss_weights)} loss weights for '
                             f'{len(loss_components)} components')
        self.loss_components, self.loss_weights = tuple(loss_components), tuple(loss_weights)
        if not isinstance(dropout, dict):
            dropout = dict(rgb=dropout, pose=dropout)
        self.dropout_rgb = nn.Dropout(dropout['rgb'])
        self.dropout_pose = nn.Dropout(dropout['pose'])
        self.fc_rgb = nn.Linear(in_channels[0], num_classes)
        self.fc_pose = nn.Linear(in_channels[1], num_classes)
        for fc in (self.fc_rgb, self.fc_pose):
            nn.init.normal_(fc.weight, 0, init_std)
            nn.init.zeros_(fc.bias)

    def pre_logits(self, feats: Tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """(RGB, pose) features -> (N, C_rgb + C_pose): each averaged over
        time and space, concatenated."""
        return torch.cat([f.mean(dim=(2, 3, 4)) if f.dim() == 5 else f.flatten(1)
                          for f in feats], dim=1)

    def forward(self, feats: Tuple[torch.Tensor, torch.Tensor]) -> Dict[str, torch.Tensor]:
        rgb, pose = (f.mean(dim=(2, 3, 4)) if f.dim() == 5 else f.flatten(1) for f in feats)
        return dict(rgb=self.fc_rgb(self.dropout_rgb(rgb)),
                    pose=self.fc_pose(self.dropout_pose(pose)))

    def loss(self, feats, data_samples: List, num_segs: int = 1) -> Dict[str, torch.Tensor]:
        scores = self(feats)
        labels = torch.cat([ds.gt_label.reshape(-1) for ds in data_samples])
        losses = {}
        for name, weight in zip(self.loss_components, self.loss_weights):
            score = scores[name]
            if num_segs > 1:
                score = average_clip(score, num_segs, 'score')
            labels = labels.to(score.device)
            losses[f'{name}_loss_cls'] = self.loss_cls(score, labels) * weight
            with torch.no_grad():
                losses[f'{name}_top1_acc'] = (score.argmax(-1) == labels).float().mean()
        return losses

    def predict(self, feats, data_samples: List, num_segs: int = 1,
                average_clips: Optional[str] = 'prob') -> List:
        scores = {name: average_clip(s, num_segs, average_clips)
                  for name, s in self(feats).items()}
        scores['fused'] = sum(scores.values()) / len(scores)
        for i, ds in enumerate(data_samples):
            ds.set_pred_score({name: s[i].detach() for name, s in scores.items()})
            ds.set_pred_label(scores['fused'][i].argmax().detach())
        return data_samples
