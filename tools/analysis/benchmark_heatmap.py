"""Speed of GeneratePoseTarget: ours (vectorised) or MMAction2 1.2.0's.

    python tools/analysis/benchmark_heatmap.py --impl pyskl --save ours.npz
    python tools/analysis/benchmark_heatmap.py --impl mmaction2 --save mm.npz   # peer venv
    python tools/analysis/benchmark_heatmap.py --compare ours.npz mm.npz

Inputs (built with plain numpy from ``data/jhmdb/jhmdb_gt.pkl.gz``, identical in
both environments; run ``python tools/data/jhmdb_ddnet.py`` first):

* ``jhmdb``: the first test clip of JHMDB split 1 (1 person, 15 joints, its 14
  limbs), 48 frames sampled uniformly, cropped to the skeleton box grown by
  25 % and scaled to 64x64 (what PoseCompact + Resize do); ``jhmdb56``: the
  same clip at 56x56 (PoseC3D's training size);
* ``ntu-like``: two persons side by side in a 1920x1080 frame (two JHMDB test
  clips mapped to the 17 COCO joints), (2, 48, 17) at 56x56, COCO's 17 limbs,
  scores uniform in [0.5, 1];
* ``random``: (2, 48, 17) joints uniform over a 56x56 map (long, crossing
  limbs: the worst case for windowed drawing), scores uniform in [0, 1].

For each input, keypoint maps, limb maps and both at once (``kp+limb``: one
volume of K + L channels) are drawn (sigma 0.6) by the implementation's
``GeneratePoseTarget.transform`` -- the whole call, output allocation included,
as a pipeline calls it; the median of ``--iters`` runs after warm-up is
printed. (MMAction2's ``kp+limb`` volume has its limb maps in the keypoint
channels, an anchor bug, so ``--compare`` skips it.) ``--save`` keeps the volumes for
``--compare``. Never time two jobs at once.
"""
from __future__ import annotations

import argparse
import gzip
import os.path as osp
import pickle
import statistics
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Spelled out (not imported from pyskl): the MMAction2 side runs in a virtualenv
# without pyskl. Same values as pyskl's jhmdb layout edges and COCO_LIMBS.
JHMDB_LIMBS = ((0, 1), (0, 2), (0, 3), (0, 4), (1, 5), (1, 6), (3, 7), (7, 11), (4, 8),
               (8, 12), (5, 9), (9, 13), (6, 10), (10, 14))
COCO_LIMBS = ((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8), (8, 10),
              (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16), (11, 12))
# JHMDB joint feeding each COCO joint (face points get offsets below)
JHMDB_TO_COCO = (2, 2, 2, 2, 2, 4, 3, 8, 7, 12, 11, 6, 5, 10, 9, 14, 13)
FACE_OFFSET = (0, .1, -.1, .2, -.2)   # x-offsets of nose, eyes, ears in shoulder widths


def _sample(kp: np.ndarray, n: int = 48) -> np.ndarray:
    return kp[:, np.linspace(0, kp.shape[1] - 1, n).round().astype(int)]


def _compact(kp: np.ndarray, size: int) -> np.ndarray:
    """Crop to the square skeleton box grown by 25 %, scale to ``size``."""
    xy = kp.reshape(-1, 2)
    lo, hi = xy.min(0), xy.max(0)
    half = (hi - lo).max() / 2 * 1.25
    return ((kp - ((lo + hi) / 2 - half)) / (2 * half) * size).astype(np.float32)


def make_inputs(ann_file: str):
    """Return {name: (keypoint, score, limbs, (H, W))}."""
    with open(ann_file, 'rb') as f:
        raw = f.read()
    data = pickle.loads(gzip.decompress(raw) if raw[:2] == b'\x1f\x8b' else raw)
    by_name = {a['frame_dir']: a for a in data['annotations']}
    test = [by_name[n] for n in data['split']['test1']]
    jh = _compact(_sample(test[0]['keypoint']), 64)
    persons = []
    for shift, a in zip((-500, 500), test[1:3]):
        k = _sample(a['keypoint'])[0]                                   # (48, 15, 2)
        coco = k[:, JHMDB_TO_COCO].copy()
        width = np.abs(k[:, 4, 0] - k[:, 3, 0])[:, None]
        coco[:, :5, 0] += np.array(FACE_OFFSET) * width
        persons.append(coco * 3 + np.array([960 + shift - 480, 200]))  # 320x240 -> NTU frame
    ntu = _compact(np.stack(persons), 56)
    rng = np.random.RandomState(0)
    return {
        'jhmdb': (jh, np.ones(jh.shape[:3], np.float32), JHMDB_LIMBS, (64, 64)),
        'jhmdb56': (jh * (56 / 64), np.ones(jh.shape[:3], np.float32), JHMDB_LIMBS, (56, 56)),
        'ntu-like': (ntu, rng.uniform(0.5, 1, ntu.shape[:3]).astype(np.float32), COCO_LIMBS,
                     (56, 56)),
        'random': (rng.uniform(0, 56, (2, 48, 17, 2)).astype(np.float32),
                   rng.uniform(0, 1, (2, 48, 17)).astype(np.float32), COCO_LIMBS, (56, 56)),
    }


MODES = {'keypoint': (True, False), 'limb': (False, True), 'kp+limb': (True, True)}


def build(impl: str, mode: str, limbs):
    with_kp, with_limb = MODES[mode]
    kw = dict(sigma=0.6, use_score=True, with_kp=with_kp, with_limb=with_limb,
              skeletons=limbs)
    if impl == 'pyskl':
        sys.path.insert(0, ROOT)
        from pyskl.datasets.transforms import GeneratePoseTarget
    else:
        from mmaction.datasets.transforms.pose_transforms import GeneratePoseTarget
    return GeneratePoseTarget(**kw)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--impl', choices=['pyskl', 'mmaction2'], default='pyskl')
    p.add_argument('--ann-file', default=osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz'))
    p.add_argument('--iters', type=int, default=20)
    p.add_argument('--modes', nargs='+', default=list(MODES), choices=list(MODES))
    p.add_argument('--inputs', nargs='+', help='subset of the inputs (default: all)')
    p.add_argument('--save', help='write the volumes (T, C, H, W) to this .npz')
    p.add_argument('--compare', nargs=2, metavar=('A', 'B'),
                   help='print the max abs difference of two --save files and exit')
    args = p.parse_args(argv)
    if args.compare:
        a, b = (np.load(f) for f in args.compare)
        for k in a.files:
            if k.endswith('kp+limb'):
                continue
            d = np.abs(a[k] - b[k])
            print(f'{k:18s} max |a-b| = {d.max():.3g}   pixels differing by >1e-5: '
                  f'{(d > 1e-5).mean() * 100:.3f} %')
        return
    sys.path.insert(0, ROOT)            # also in the MMAction2 peer environment
    from pyskl.io import atomic_write, check_output_path
    if args.save:
        if not args.save.endswith('.npz'):      # as numpy.savez names it
            args.save += '.npz'
        check_output_path(args.save, '--save')
    volumes = {}
    for name, (kp, score, limbs, shape) in make_inputs(args.ann_file).items():
        if args.inputs and name not in args.inputs:
            continue
        for what in args.modes:
            t = build(args.impl, what, limbs)

            def run():
                return t.transform(dict(keypoint=kp.copy(), keypoint_score=score.copy(),
                                        img_shape=shape))['imgs']
            for _ in range(3):
                vol = run()
            times = []
            for _ in range(args.iters):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
            volumes[f'{name}-{what}'] = vol
            print(f'{args.impl:9s} {name:8s} {what:8s} input {tuple(kp.shape)} -> '
                  f'{tuple(vol.shape)}: {statistics.median(times) * 1e3:8.2f} ms')
    if args.save:
        with atomic_write(args.save, 'wb') as fh:
            np.savez_compressed(fh, **volumes)


if __name__ == '__main__':
    main()
