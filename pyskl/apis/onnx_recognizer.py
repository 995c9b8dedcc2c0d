"""``OnnxRecognizer``: an exported ``.onnx`` recognizer where a checkpoint runs.

``init_recognizer(config, 'model.onnx')`` returns one; ``inference_recognizer``
and the demo use it like a PyTorch model: the config's test pipeline makes the
inputs, the config's data preprocessor normalises them (RGB mean / std), the
views (clips x flips) of each sample go through onnxruntime as one batch and
their softmax scores are averaged (``average_clips='prob'``, what the exported
graph computes per view). Files come from ``tools/deployment/export_onnx.py``
(input and output names documented there); onnxruntime is in the ``deploy`` extra.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import torch

from pyskl.registry import MODELS


class OnnxRecognizer:
    """Run an exported recognizer with onnxruntime (CPU).

    Args:
        path: the ``.onnx`` file.
        cfg: the config it was exported from (its data preprocessor is used).

    Raises:
        ImportError: onnxruntime is not installed (names the extra).
        ValueError: a config that draws heatmaps in the model
            (``Recognizer3D(heatmap=...)``), or inputs the file does not take.
    """

    def __init__(self, path: str, cfg):
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ImportError('running .onnx models needs onnxruntime: pip install -e '
                              '.[deploy]') from e
        self.cfg, self.path = cfg, path
        self.session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]
        pre = cfg.model.get('data_preprocessor') or dict(type='ActionDataPreprocessor')
        if cfg.model.get('heatmap') is not None:
            raise ValueError(f'{path}: this config draws heatmaps in the model '
                             '(Recognizer3D heatmap=...); export and run the config whose '
                             'pipelines draw them (GeneratePoseTarget) instead')
        self.data_preprocessor = MODELS.build(pre).eval()

    # PyTorch-module-like no-ops so init_recognizer / the demo can treat it alike
    def eval(self):
        return self

    def to(self, *args, **kwargs):
        return self

    def _run(self, inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        if sorted(inputs) != sorted(self.input_names):
            raise ValueError(f'{self.path}: takes inputs {self.input_names}, the pipeline '
                             f'gives {sorted(inputs)}')
        return dict(zip(self.output_names, self.session.run(None, inputs)))

    def test_step(self, data: Dict) -> List:
        """``data``: a ``pseudo_collate``-d batch of the test pipeline; returns the
        data samples with ``pred_score`` (and ``pred_label``) set."""
        batch = self.data_preprocessor(data, False)
        inputs, samples = batch['inputs'], batch['data_samples']
        arrays = inputs if isinstance(inputs, dict) else {self.input_names[0]: inputs}
        rank = {i.name: len(i.shape) for i in self.session.get_inputs()}
        for i, ds in enumerate(samples):
            views = {}
            for name, x in arrays.items():
                x = x[i]                                  # (views, ...) or one view
                if name in rank and x.dim() == rank[name] - 1:
                    x = x[None]
                views[name] = x.float().cpu().numpy()
            out = self._run(views)
            score = {k: torch.from_numpy(v.mean(0)) for k, v in out.items()}
            if len(score) > 1:          # RGBPoseConv3D: as RGBPoseHead.predict
                ds.set_pred_score(dict(rgb=score['rgb_scores'], pose=score['pose_scores'],
                                       fused=score['scores']))
                ds.set_pred_label(score['scores'].argmax())
            else:
                ds.set_pred_score(score['scores'])
                ds.set_pred_label(score['scores'].argmax())
        return samples
