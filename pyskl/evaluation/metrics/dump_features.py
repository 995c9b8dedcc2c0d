"""``DumpFeatures``: per-sample pooled backbone features with labels and
names, for linear probes, retrieval or t-SNE (PYSKL's ``feat_ext``)."""
from __future__ import annotations

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pyskl.io.output import check_output_path, dump_pickle
from pyskl.registry import METRICS


@METRICS.register_module()
class DumpFeatures(BaseMetric):
    """Write ``dict(frame_dir=[N], label=(N,) int64, feature=(N, C) float32)``
    to ``out_file_path`` (.pkl), one row per test sample in dataset order.
    The features are ``pred_feature`` of the predictions: the recognizer adds
    it with ``test_cfg['feat_ext']=True`` (the head's ``pre_logits``, averaged
    over the sample's clips; ``tools/test.py --dump-features`` sets both).

    Raises:
        OutputPathError: the path cannot be written (checked at build time).
        KeyError: a prediction without ``pred_feature``.
    """

    def __init__(self, out_file_path: str, collect_device: str = 'cpu', collect_dir=None):
        check_output_path(out_file_path, 'DumpFeatures out_file_path',
                          suffixes=('.pkl', '.pickle'))
        super().__init__(collect_device=collect_device, collect_dir=collect_dir)
        self.out_file_path = out_file_path

    def process(self, data_batch, data_samples) -> None:
        for ds in data_samples:
            if 'pred_feature' not in ds:
                raise KeyError('DumpFeatures: the prediction has no pred_feature; set the '
                               "model's test_cfg feat_ext=True")
            label = ds.get('gt_label', -1)
            self.results.append(dict(
                frame_dir=ds.get('frame_dir'),
                label=int(np.asarray(label.cpu() if hasattr(label, 'cpu') else label).reshape(-1)[0]),
                feature=ds['pred_feature'].float().cpu().numpy()))

    def compute_metrics(self, results: list) -> dict:
        out = dict(frame_dir=[r['frame_dir'] for r in results],
                   label=np.array([r['label'] for r in results], np.int64),
                   feature=np.stack([r['feature'] for r in results]).astype(np.float32))
        dump_pickle(out, self.out_file_path)
        print_log(f'Features {out["feature"].shape} saved to {self.out_file_path}.',
                  logger='current')
        return {}
