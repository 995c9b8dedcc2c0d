"""SBU Kinect Interaction skeletons -> one annotation file with the published folds.

    python tools/data/sbu_kinect.py --src ../shared/data/sbu_kinect --out data/sbu/sbu.pkl

SBU Kinect Interaction (Yun et al., CVPR Workshops 2012), the clean set: 21
actor-pair sets ``sXXsYY``, 8 two-person interactions (approaching,
departing, kicking, pushing, shaking hands, hugging, exchanging, punching),
``sXXsYY/CC/NNN/skeleton_pos.txt`` with one row per frame: the frame number,
then 2 persons x 15 joints x (x, y, z) in the dataset's normalised
coordinates (layout ``sbu``). Output: ``dict(split=..., annotations=...)``,
per sequence ``frame_dir`` = ``sXXsYY_CC_NNN``, ``label`` = CC - 1,
``actor_pair`` = ``sXXsYY``, ``keypoint`` (2, T, 15, 3) float32,
``total_frames``.

Coordinates (``--coords``): ``world`` (default) undoes the release's
normalisation with the inverse distributed with the dataset -- x = 1280 -
2560 x', y = 960 - 1920 y', z = 1280 z' (millimetres; 10000 / 7.8125 = 1280;
that README is not among the files converted here, and the scales are
checked on the data instead, below) -- and writes metres, as NTU RGB+D's
are: the three axes then share one unit, so a 3D rotation
(``PreNormalize3D``, ``RandomRot``) keeps bones their length. The
normalised values scale x, y and z differently (by 1/2560, 1/1920, 1/1280):
over the 282 clean sequences, the mean within-sequence coefficient of
variation of the 14 bone lengths is 0.052 in them and 0.023 in world
coordinates, lower than under any nearby scaling tried (e.g. 0.031 with z
scaled by 1000 or 1600). ``normalized`` keeps the file's values. Splits
``fold{k}_train`` / ``fold{k}_val``, k = 1..5: the published 5-fold
cross-validation by actor pair (Yun et al. 2012; the folds of the
co-occurrence-learning release). A malformed file is reported and left
out (exit status 1).
"""
import argparse
import glob
import os
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import check_output_path, write_dataset  # noqa: E402

#: the published folds (actor pairs held out in each)
FOLDS = (('s01s02', 's03s04', 's05s02', 's06s04'),
         ('s02s03', 's02s07', 's03s05', 's05s03'),
         ('s01s03', 's01s07', 's07s01', 's07s03'),
         ('s02s01', 's02s06', 's03s02', 's03s06'),
         ('s04s02', 's04s03', 's04s06', 's06s02', 's06s03'))


def read_sequence(path: str) -> np.ndarray:
    """(2, T, 15, 3) float32. Raises ValueError naming the file and line."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                v = [float(x) for x in line.strip().split(',')]
            except ValueError:
                raise ValueError(f'{path}: line {n}: not comma-separated numbers') from None
            if len(v) != 1 + 2 * 15 * 3:
                raise ValueError(f'{path}: line {n}: {len(v)} values, the format has 91 '
                                 '(frame number, 2 x 15 x 3)')
            rows.append(v[1:])
    if not rows:
        raise ValueError(f'{path}: no frame')
    return np.asarray(rows, np.float32).reshape(-1, 2, 15, 3).transpose(1, 0, 2, 3).copy()


#: world = WORLD_OFFSET + WORLD_SCALE * normalised, metres (the dataset's inverse, above)
WORLD_SCALE = np.array([-2.560, -1.920, 1.280], np.float32)
WORLD_OFFSET = np.array([1.280, 0.960, 0.0], np.float32)


def to_world(kp: np.ndarray) -> np.ndarray:
    """Normalised SBU coordinates (..., 3) -> metres in the Kinect's frame."""
    return (WORLD_OFFSET + WORLD_SCALE * kp).astype(np.float32)


def convert(src: str, coords: str = 'world'):
    if coords not in ('world', 'normalized'):
        raise ValueError(f"coords must be 'world' or 'normalized', got {coords!r}")
    annotations, failed = [], []
    for f in sorted(glob.glob(osp.join(src, 's??s??', '??', '???', 'skeleton_pos.txt'))):
        seq, cls, pair = (osp.basename(x) for x in (osp.dirname(f), osp.dirname(osp.dirname(f)),
                                                    osp.dirname(osp.dirname(osp.dirname(f)))))
        try:
            kp = read_sequence(f)
        except ValueError as e:
            failed.append(str(e))
            continue
        if coords == 'world':
            kp = to_world(kp)
        annotations.append(dict(frame_dir=f'{pair}_{cls}_{seq}', label=int(cls) - 1,
                                actor_pair=pair, keypoint=kp, total_frames=int(kp.shape[1])))
    split = {}
    for k, held in enumerate(FOLDS, 1):
        split[f'fold{k}_train'] = [a['frame_dir'] for a in annotations
                                   if a['actor_pair'] not in held]
        split[f'fold{k}_val'] = [a['frame_dir'] for a in annotations if a['actor_pair'] in held]
    return dict(split=split, annotations=annotations), failed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--src', required=True, help='folder of the sXXsYY sets')
    p.add_argument('--out', required=True)
    p.add_argument('--coords', choices=('world', 'normalized'), default='world',
                   help='world: metres, one unit on all axes (default); normalized: the '
                   "file's values")
    args = p.parse_args(argv)
    if not osp.isdir(args.src):
        p.error(f'--src {args.src!r} is not a folder')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    out = check_output_path(args.out, '--out', suffixes=('.pkl',))
    data, failed = convert(args.src, args.coords)
    if not data['annotations']:
        p.error(f'--src {args.src!r} holds no sXXsYY/CC/NNN/skeleton_pos.txt')
    return write_dataset(data, out, failed, 'sequences')


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'sbu_kinect.py')
