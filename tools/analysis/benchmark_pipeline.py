"""Per-sample time of the complete PoseC3D and ST-GCN++ train and test pipelines, ours or
MMAction2's.

    python tools/analysis/benchmark_pipeline.py --impl pyskl [--streams keypoint limb j b jm bm]
    /path/to/peer/python tools/analysis/benchmark_pipeline.py --impl mmaction2

What a data loader worker does for one sample: ``dataset[i]`` of the config's
train / test dataset (the annotation's frames sampled, decoded, compacted,
resized, cropped, flipped, the heatmap volume drawn, formatted and packed into
model inputs), on the samples of ``../shared/data/interop/ntu_like_2d_samples.pkl``
(two persons, 100 frames, COCO-17, 640x480). Ours: the configs
``slowonly_r50_u48_240e_ntu60_xsub_{keypoint,limb}.py``; MMAction2 1.2.0: its
``slowonly_r50_8xb16-u48-240e_ntu60-xsub-{keypoint,limb}.py`` from its wheel (run
from the scratch virtualenv of docs/results.md). Train: 48 frames at 56x56,
one clip; test: 10 clips x flip doubling at 64x64. Streams ``j``, ``b``, ``jm``,
``bm``: the ST-GCN++ NTU60 XSub 2D configs of the same names (ours:
``configs/stgcnpp/stgcnpp_8xb16-<joint|bone|joint-motion|bone-motion>-u100-80e_ntu60-xsub-keypoint-2d.py``;
MMAction2's ``skeleton/stgcnpp/`` file of that name): train 100 frames, one
clip; test 10 clips. Prints the median over
``--iters`` passes over the samples (after one warm-up pass) in ms per sample.
Run with ``OMP_NUM_THREADS=1`` (a data worker's thread) and nothing else running.
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED = os.environ.get('PYSKL_SHARED_DATA', osp.join(ROOT, '..', 'shared', 'data'))
ANN = osp.join(SHARED, 'interop', 'ntu_like_2d_samples.pkl')


GCN = {'j': 'joint', 'b': 'bone', 'jm': 'joint-motion', 'bm': 'bone-motion'}


def _gcn_name(stream):
    return f'stgcnpp_8xb16-{GCN[stream]}-u100-80e_ntu60-xsub-keypoint-2d.py'


def _unwrap(ds):
    """The dataset inside ``RepeatDataset``-like wrappers."""
    while 'dataset' in ds:
        ds = ds['dataset']
    return ds


def datasets_pyskl(stream):
    sys.path.insert(0, ROOT)
    from pyskl.engine.config import load_config
    from pyskl.registry import DATASETS
    from pyskl.utils import register_all_modules
    register_all_modules()
    path = (osp.join(ROOT, 'configs', 'stgcnpp', _gcn_name(stream)) if stream in GCN else
            osp.join(ROOT, 'configs', 'posec3d', f'slowonly_r50_u48_240e_ntu60_xsub_{stream}.py'))
    cfg = load_config(path, {'ann_file': ANN})
    train, test = _unwrap(cfg.train_dataloader.dataset), _unwrap(cfg.test_dataloader.dataset)
    return DATASETS.build(train), DATASETS.build(test)


def datasets_mmaction2(stream):
    from mmaction2_peer import import_mmaction2, mmaction2_config
    import_mmaction2()
    from mmengine.config import Config
    from mmaction.registry import DATASETS
    cfg = Config.fromfile(mmaction2_config(
        f'skeleton/stgcnpp/{_gcn_name(stream)}' if stream in GCN else
        f'skeleton/posec3d/slowonly_r50_8xb16-u48-240e_ntu60-xsub-{stream}.py'))
    train, test = _unwrap(cfg.train_dataloader.dataset), _unwrap(cfg.test_dataloader.dataset)
    train.ann_file = test.ann_file = ANN
    return DATASETS.build(train), DATASETS.build(test)


def time_dataset(ds, iters):
    for i in range(len(ds)):            # warm-up
        ds[i]
    per_pass = []
    for _ in range(iters):
        t0 = time.perf_counter()
        for i in range(len(ds)):
            out = ds[i]
        per_pass.append((time.perf_counter() - t0) / len(ds))
    return statistics.median(per_pass) * 1e3, tuple(out['inputs'].shape)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--impl', choices=['pyskl', 'mmaction2'], default='pyskl')
    p.add_argument('--streams', nargs='+', default=['keypoint', 'limb'],
                   choices=['keypoint', 'limb', *GCN])
    p.add_argument('--iters', type=int, default=5)
    args = p.parse_args(argv)
    np.random.seed(0)
    build = datasets_pyskl if args.impl == 'pyskl' else datasets_mmaction2
    for stream in args.streams:
        for split, ds in zip(('train', 'test'), build(stream)):
            ms, shape = time_dataset(ds, args.iters)
            print(f'{args.impl:9s} {stream:8s} {split:5s} pipeline -> inputs {shape}: '
                  f'{ms:8.3f} ms/sample')


if __name__ == '__main__':
    main()
