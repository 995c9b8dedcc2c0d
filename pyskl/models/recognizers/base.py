"""Recognizer base: backbone + head, mmengine ``BaseModel`` modes."""
from __future__ import annotations

from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from pyskl.registry import MODELS


class BaseRecognizer(BaseModel):
    """Backbone -> head. ``forward(inputs, data_samples, mode)`` with
    ``mode`` = ``'loss'`` (dict of losses), ``'predict'`` (data samples with
    ``pred_score`` / ``pred_label``) or ``'tensor'`` (raw head output).

    Args:
        backbone, cls_head: model configs.
        train_cfg, test_cfg: optional dicts; ``test_cfg['average_clips']``
            (``'prob'``, ``'score'``, ``None``) overrides the head's;
            ``test_cfg['feat_ext']=True`` (PYSKL's key) adds ``pred_feature``
            (C',) to every predicted sample: the head's ``pre_logits``,
            averaged over the sample's clips (``tools/test.py
            --dump-features``).
        data_preprocessor: default ``ActionDataPreprocessor``.
    """

    def __init__(self, backbone: Dict, cls_head: Optional[Dict] = None,
                 train_cfg: Optional[Dict] = None, test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None, init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.cls_head = MODELS.build(cls_head) if cls_head is not None else None
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = dict(test_cfg or {})

    @property
    def average_clips(self) -> Optional[str]:
        if 'average_clips' in self.test_cfg:
            return self.test_cfg['average_clips']
        return getattr(self.cls_head, 'average_clips', 'prob')

    def extract_feat(self, inputs: torch.Tensor, data_samples: Optional[List] = None):
        """Returns ``(features, num_segs)``."""
        raise NotImplementedError

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        feats, num_segs = self.extract_feat(inputs, data_samples)
        if mode == 'tensor':
            return self.cls_head(feats) if self.cls_head is not None else feats
        if mode == 'loss':
            return self.cls_head.loss(feats, data_samples, num_segs=num_segs)
        if mode == 'predict':
            out = self.cls_head.predict(feats, data_samples, num_segs=num_segs,
                                        average_clips=self.average_clips)
            if self.test_cfg.get('feat_ext', False):
                pooled = self.cls_head.pre_logits(feats)
                pooled = pooled.reshape(len(out), num_segs, -1).mean(dim=1)
                for ds, f in zip(out, pooled):
                    ds.set_field(f.detach(), 'pred_feature')
            return out
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")
