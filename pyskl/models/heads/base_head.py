"""Classification head base: loss, clip averaging and predictions."""
from __future__ import annotations

from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from pyskl.registry import MODELS

AVERAGE_CLIPS = ('prob', 'score', None)


def average_clip(cls_score: torch.Tensor, num_segs: int, mode: Optional[str] = 'prob'):
    """Average the scores of ``num_segs`` clips per sample.

    Args:
        cls_score: (N * num_segs, num_classes) logits.
        mode: ``'prob'`` softmax then mean, ``'score'`` or ``None`` mean of
            logits.

    Returns:
        (N, num_classes).

    Raises:
        ValueError: unknown mode.
    """
    if mode not in AVERAGE_CLIPS:
        raise ValueError(f'average_clips must be one of {AVERAGE_CLIPS}, got {mode!r}')
    s = cls_score.view(-1, num_segs, cls_score.shape[-1])
    if mode == 'prob':
        s = F.softmax(s, dim=-1)
    return s.mean(dim=1)


def gt_labels(data_samples: List, num_classes: int) -> torch.Tensor:
    """The batch's labels: (N,) int64, or (N, K) multi-hot floats when the
    samples carry multi-hot labels (``PoseDataset(multi_class=True)``)."""
    first = data_samples[0].gt_label
    if first.numel() == num_classes and first.is_floating_point():
        return torch.stack([ds.gt_label.reshape(-1) for ds in data_samples])
    return torch.cat([ds.gt_label.reshape(-1) for ds in data_samples])


class BaseHead(BaseModule):
    """Base of classification heads.

    Args:
        num_classes: number of classes K.
        in_channels: feature channels.
        loss_cls: loss config (default ``CrossEntropyLoss``).
        average_clips: default multi-clip averaging at test time
            (``'prob'``, ``'score'`` or ``None``); the recognizer's
            ``test_cfg['average_clips']`` takes precedence.
    """

    def __init__(self, num_classes: int, in_channels: int,
                 loss_cls: Dict = dict(type='CrossEntropyLoss'),
                 average_clips: Optional[str] = 'prob', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.loss_cls = MODELS.build(loss_cls)
        self.average_clips = average_clips

    def pre_logits(self, feats) -> torch.Tensor:
        """(N, C') features the last linear layer sees (pooled, before dropout):
        what ``tools/test.py --dump-features`` writes. Raises
        NotImplementedError for a head without it."""
        raise NotImplementedError(f'{type(self).__name__} has no pre_logits()')

    def loss(self, feats, data_samples: List, num_segs: int = 1) -> Dict[str, torch.Tensor]:
        """Loss and training top-1 for a batch; clip scores are averaged
        (``'score'``) when ``num_segs > 1``."""
        cls_score = self(feats)
        if num_segs > 1:
            cls_score = average_clip(cls_score, num_segs, 'score')
        labels = gt_labels(data_samples, self.num_classes).to(cls_score.device)
        loss = self.loss_cls(cls_score, labels)
        with torch.no_grad():
            pred = cls_score.argmax(-1)
            top1 = (labels[torch.arange(len(pred)), pred] > 0 if labels.dim() == 2
                    else pred == labels).float().mean()
        return dict(loss_cls=loss, top1_acc=top1)

    def predict(self, feats, data_samples: List, num_segs: int = 1,
                average_clips: Optional[str] = 'prob') -> List:
        """Write ``pred_score`` (K,) and ``pred_label`` (1,) into each sample."""
        scores = average_clip(self(feats), num_segs, average_clips)
        labels = scores.argmax(dim=-1)
        for ds, score, label in zip(data_samples, scores, labels):
            ds.set_pred_score(score.detach())
            ds.set_pred_label(label.detach())
        return data_samples
