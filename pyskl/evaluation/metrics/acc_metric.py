"""``AccMetric``: top-k and mean class accuracy, logged as MMAction2 does."""
from __future__ import annotations

import logging

from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pyskl.registry import METRICS
from ..functional import (invalid_rows, mean_average_precision, mean_class_accuracy,
                          top_k_accuracy)


@METRICS.register_module()
class AccMetric(BaseMetric):
    """Accuracy of ``pred_score`` against ``gt_label``.

    Keys (prefix ``acc``): ``acc/top1``, ``acc/top5`` (one per ``topk``),
    ``acc/mean1`` (mean class accuracy).

    With per-modality scores (``pred_score`` a dict, RGBPoseConv3D) the keys
    are MMAction2's -- ``acc/rgb_top1``, ``acc/pose_top1``, ...,
    ``acc/RGBPose_1:1_top1`` (also 2:1, 1:2) -- plus ``acc/top1`` / ``acc/top5``
    / ``acc/mean1`` of the 1:1 fusion.

    Degenerate scores are not rewarded: samples whose scores hold NaN or
    infinity count as misses (a warning gives their number) and ties are
    broken by class index (see :mod:`pyskl.evaluation.functional`), so a
    diverged model scores about chance or 0, never 100 %, and
    ``save_best='acc/top1'`` does not keep its checkpoint.

    Args:
        metric_list: any of ``'top_k_accuracy'``, ``'mean_class_accuracy'``,
            ``'mean_average_precision'`` (multi-label data: multi-hot
            ``gt_label``; key ``acc/mean_average_precision``; top-k there
            counts a sample whose top k hold one of its labels; mean class
            accuracy is single-label only).
        metric_options: ``dict(top_k_accuracy=dict(topk=(1, 5)))``.
    """

    default_prefix = 'acc'

    def __init__(self, metric_list: Sequence[str] = ('top_k_accuracy', 'mean_class_accuracy'),
                 metric_options: Optional[Dict] = None, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(metric_list, str):
            metric_list = (metric_list,)
        allowed = ('top_k_accuracy', 'mean_class_accuracy', 'mean_average_precision')
        bad = [m for m in metric_list if m not in allowed]
        if bad:
            raise ValueError(f'AccMetric: unknown metric(s) {bad}; allowed {allowed}')
        self.metric_list = tuple(metric_list)
        self.metric_options = metric_options or dict(top_k_accuracy=dict(topk=(1, 5)))

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for ds in data_samples:
            score = ds['pred_score']
            gt = ds['gt_label']
            label = (np.asarray(gt.float().cpu()) if gt.numel() > 1 and gt.is_floating_point()
                     else int(gt.reshape(-1)[0]))      # multi-hot (K,) or one class
            if isinstance(score, dict):        # RGBPoseConv3D: one score per modality
                pred = {k: np.asarray(v.float().cpu()) for k, v in score.items()}
            else:
                pred = np.asarray(score.float().cpu())
            self.results.append(dict(pred=pred, label=label))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        if isinstance(results[0]['label'], np.ndarray):
            return self._multilabel(np.stack([r['pred'] for r in results]),
                                    np.stack([r['label'] for r in results]))
        labels = np.array([r['label'] for r in results])
        if not isinstance(results[0]['pred'], dict):
            return self._metrics(np.stack([r['pred'] for r in results]), labels)
        # several modalities (MMAction2's keys): each one, and their fusions
        names = [n for n in results[0]['pred'] if n != 'fused']
        per = {n: np.stack([r['pred'][n] for r in results]) for n in names}
        out = {}
        for n in names:
            out.update({f'{n}_{k}': v for k, v in self._metrics(per[n], labels).items()})
        if {'rgb', 'pose'} <= set(names):
            for a, b in ((1, 1), (2, 1), (1, 2)):
                fused = self._metrics(a * per['rgb'] + b * per['pose'], labels)
                out.update({f'RGBPose_{a}:{b}_{k}': v for k, v in fused.items()})
                if (a, b) == (1, 1):    # also plain top1 / mean1: save_best='acc/top1' works
                    out.update(fused)
        return out

    def _multilabel(self, scores: np.ndarray, hot: np.ndarray) -> Dict[str, float]:
        out = {}
        if 'mean_average_precision' in self.metric_list:
            out['mean_average_precision'] = mean_average_precision(scores, hot)
        if 'top_k_accuracy' in self.metric_list:
            s = np.where(np.isfinite(scores), scores, -np.inf)
            order = np.argsort(-s, axis=1, kind='stable')
            for k in self.metric_options.get('top_k_accuracy', {}).get('topk', (1, 5)):
                if k <= scores.shape[1]:
                    top = np.take_along_axis(hot, order[:, :k], axis=1)
                    out[f'top{k}'] = float((top > 0).any(axis=1).mean())
        return out

    def _metrics(self, scores: np.ndarray, labels: np.ndarray) -> Dict[str, float]:
        bad = int(invalid_rows(scores).sum())
        if bad:
            print_log(f'AccMetric: {bad} of {len(labels)} samples have NaN or infinite scores; '
                      'they count as misses', logger='current', level=logging.WARNING)
        out = {}
        if 'top_k_accuracy' in self.metric_list:
            topk = self.metric_options.get('top_k_accuracy', {}).get('topk', (1, 5))
            topk = tuple(k for k in topk if k <= scores.shape[1])
            for k, acc in zip(topk, top_k_accuracy(scores, labels, topk)):
                out[f'top{k}'] = acc
        if 'mean_class_accuracy' in self.metric_list:
            out['mean1'] = mean_class_accuracy(scores, labels)
        if 'mean_average_precision' in self.metric_list:
            hot = np.zeros(scores.shape, np.float32)
            hot[np.arange(len(labels)), labels] = 1
            out['mean_average_precision'] = mean_average_precision(scores, hot)
        return out
