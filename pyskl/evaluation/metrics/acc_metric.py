"""``AccMetric``: top-k and mean class accuracy, logged as MMAction2 does."""
from __future__ import annotations

import logging

from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pyskl.registry import METRICS
from ..functional import invalid_rows, mean_class_accuracy, top_k_accuracy


@METRICS.register_module()
class AccMetric(BaseMetric):
    """Accuracy of ``pred_score`` against ``gt_label``.

    Keys (prefix ``acc``): ``acc/top1``, ``acc/top5`` (one per ``topk``),
    ``acc/mean1`` (mean class accuracy).

    Degenerate scores are not rewarded: samples whose scores hold NaN or
    infinity count as misses (a warning gives their number) and ties are
    broken by class index (see :mod:`pyskl.evaluation.functional`), so a
    diverged model scores about chance or 0, never 100 %, and
    ``save_best='acc/top1'`` does not keep its checkpoint.

    Args:
        metric_list: any of ``'top_k_accuracy'``, ``'mean_class_accuracy'``.
        metric_options: ``dict(top_k_accuracy=dict(topk=(1, 5)))``.
    """

    default_prefix = 'acc'

    def __init__(self, metric_list: Sequence[str] = ('top_k_accuracy', 'mean_class_accuracy'),
                 metric_options: Optional[Dict] = None, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(metric_list, str):
            metric_list = (metric_list,)
        allowed = ('top_k_accuracy', 'mean_class_accuracy')
        bad = [m for m in metric_list if m not in allowed]
        if bad:
            raise ValueError(f'AccMetric: unknown metric(s) {bad}; allowed {allowed}')
        self.metric_list = tuple(metric_list)
        self.metric_options = metric_options or dict(top_k_accuracy=dict(topk=(1, 5)))

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for ds in data_samples:
            score = ds['pred_score']
            label = ds['gt_label']
            self.results.append(dict(pred=np.asarray(score.float().cpu()),
                                     label=int(label.reshape(-1)[0])))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        scores = np.stack([r['pred'] for r in results])
        labels = np.array([r['label'] for r in results])
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
        return out
