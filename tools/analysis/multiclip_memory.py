"""Peak memory of multi-clip PoseC3D testing of one NTU-sized sample.

    python tools/analysis/multiclip_memory.py --mode pipeline --max-testing-views 0
    python tools/analysis/multiclip_memory.py --mode pipeline --max-testing-views 2
    python tools/analysis/multiclip_memory.py --mode device --max-testing-views 2

Model: the NTU60 XSub keypoint SlowOnly config (2.0M parameters). Sample: 2
persons x 100 frames x 17 COCO joints in a 1920x1080 frame. Test pipeline:
10 clips x 48 frames, 64x64, flip doubling = 20 views.

* ``pipeline``: heatmaps drawn by ``GeneratePoseTarget`` in the data
  pipeline (all 20 views, (20, 17, 48, 64, 64) float32 = 267 MB), then the
  model runs ``max-testing-views`` views at a time (0 = all at once);
* ``device``: the same model drawing on its device
  (``slowonly_r50_u48_240e_ntu60_xsub_keypoint_ondevice.py``): the pipeline ships
  keypoints only and ``Recognizer3D``'s drawer makes one chunk of
  ``max-testing-views`` views right before the backbone sees it.

Prints the size of what the pipeline hands to the model and the growth of
the process's peak resident memory (``ru_maxrss``) over the test step, i.e.
beyond the imports and the built model. One measurement per process.
"""
from __future__ import annotations

import argparse
import os.path as osp
import resource
import sys

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
CONFIG = osp.join(ROOT, 'configs', 'posec3d', 'slowonly_r50_u48_240e_ntu60_xsub_keypoint.py')


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ntu_sample(seed: int = 0) -> dict:
    """Two persons walking in place: joints jitter around two body boxes."""
    rng = np.random.RandomState(seed)
    base = rng.uniform([0, 0], [200, 500], (1, 1, 17, 2))
    kp = np.concatenate([base + [700, 300], base + [1100, 320]]) + rng.normal(0, 5, (2, 100, 17, 2))
    return dict(frame_dir='ntu_like', label=0, total_frames=100, img_shape=(1080, 1920),
                original_shape=(1080, 1920), keypoint=kp.astype(np.float32),
                keypoint_score=rng.uniform(0.5, 1, (2, 100, 17)).astype(np.float32),
                test_mode=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--mode', choices=['pipeline', 'device'], default='pipeline')
    p.add_argument('--max-testing-views', type=int, default=2,
                   help='views per backbone call at test time; 0 = all at once')
    args = p.parse_args(argv)
    from mmengine.dataset import Compose, pseudo_collate
    from pyskl.registry import MODELS
    from pyskl.utils import register_all_modules
    register_all_modules()
    from pyskl.engine.config import load_config
    cfg = load_config(CONFIG.replace('.py', '_ondevice.py') if args.mode == 'device' else CONFIG)
    cfg.model.test_cfg['max_testing_views'] = args.max_testing_views or None
    model = MODELS.build(cfg.model).eval()
    pipeline = Compose(cfg.test_pipeline)
    torch.set_grad_enabled(False)
    before = peak_mb()
    data = pipeline(ntu_sample())
    inputs = data['inputs']
    handed = inputs.numel() * inputs.element_size() / 2 ** 20
    pipe_peak = peak_mb()
    out = model.test_step(pseudo_collate([data]))
    print(f'mode={args.mode} max_testing_views={args.max_testing_views or "all"}: pipeline hands '
          f'the model {tuple(inputs.shape)} = {handed:.1f} MB; peak RSS with the model built '
          f'{before:.0f} MB, after the pipeline {pipe_peak:.0f} MB, after the test step '
          f'{peak_mb():.0f} MB; score sum {float(out[0].pred_score.sum()):.3f}')


if __name__ == '__main__':
    main()
