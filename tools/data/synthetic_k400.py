"""A synthetic annotation file shaped like PYSKL's Kinetics-400 skeleton pickle.

    python tools/data/synthetic_k400.py --out data/synthetic_k400.pkl [--num-samples 240000]

PYSKL's ``k400_hrnet.pkl`` is a table of contents (its skeletons live in
kpfiles): per video ``frame_dir``, ``label``, ``img_shape`` /
``original_shape``, ``total_frames``, ``raw_file`` (the kpfile), and per
detected skeleton its frame (``frame_inds``) and box score (``box_score``),
plus ``valid`` (frames with a box score above each threshold). This script
writes a file with the same keys and realistic sizes -- 240 k videos of 10 s at
24-30 fps (240-300 frames), 0-4 detected persons per frame (1.5 on average),
int64 frame indices and float32 box scores -- for measuring the memory of data
loading (``tools/analysis/loader_memory.py``). It is generated, never committed;
the kpfiles are not written (the measurement does not decode skeletons).
"""
import argparse
import contextlib
import os
import os.path as osp
import pickle
import string
import sys

import numpy as np

RESOLUTIONS = ((360, 640), (480, 640), (720, 1280), (240, 320), (1080, 1920))


def make(num_samples: int, seed: int = 0):
    rng = np.random.RandomState(seed)
    letters = np.array(list(string.ascii_letters + string.digits + '-_'))
    anns = []
    for i in range(num_samples):
        T = int(rng.randint(240, 301))
        persons = rng.choice(5, size=T, p=[0.12, 0.45, 0.28, 0.1, 0.05])   # mean 1.51
        frame_inds = np.repeat(np.arange(T), persons).astype(np.int64)
        box_score = rng.beta(5, 2, size=len(frame_inds)).astype(np.float32)
        valid = {thr: int(len(np.unique(frame_inds[box_score >= thr])))
                 for thr in (0.3, 0.5, 0.7, 0.9)}
        start = int(rng.randint(0, 300))
        shape = RESOLUTIONS[rng.randint(len(RESOLUTIONS))]
        anns.append(dict(
            frame_dir=''.join(rng.choice(letters, 11)) + f'_{start:06d}_{start + 10:06d}',
            label=int(rng.randint(400)), img_shape=shape, original_shape=shape,
            total_frames=T, raw_file=f'data/k400/kpfiles/part_{i % 64}.pkl',
            frame_inds=frame_inds, box_score=box_score, valid=valid))
    return dict(split=dict(train=[a['frame_dir'] for a in anns]), annotations=anns)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True)
    p.add_argument('--num-samples', type=int, default=240_000)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args(argv)
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    from pyskl.io import OutputPathError, check_output_path, dump_pickle
    with contextlib.suppress(OSError):  # what cannot be made is named by the check below
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    try:
        out = check_output_path(args.out, '--out', suffixes=('.pkl',))
    except OutputPathError as e:
        p.error(str(e))
    dump_pickle(make(args.num_samples, args.seed), out, protocol=pickle.HIGHEST_PROTOCOL)
    print(f'wrote {args.out}: {args.num_samples} samples, '
          f'{osp.getsize(args.out) / 2**20:.0f} MiB')


if __name__ == '__main__':
    main()
