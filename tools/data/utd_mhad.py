"""UTD-MHAD skeletons (``aA_sS_tT_skeleton.mat``) -> one annotation file.

    python tools/data/utd_mhad.py --src ../shared/data/utd_mhad --out data/utd_mhad/utd_mhad.pkl

UTD-MHAD (Chen, Jafari and Kehtarnavaz, ICIP 2015): 27 actions x 8 subjects x
4 trials, Kinect v1, 20 joints (layout ``utd_mhad``). Each file holds
``d_skel`` (20, 3, T), metres. Output: ``dict(split=..., annotations=...)``,
per sequence ``frame_dir`` = ``aA_sS_tT``, ``label`` = A - 1, ``subject`` = S,
``keypoint`` (1, T, 20, 3) float32, ``total_frames`` = T. Splits: the usual
cross-subject protocol, ``train`` = subjects 1, 3, 5, 7 and ``test`` = 2, 4,
6, 8. An unreadable file is reported and left out (exit status 1).
"""
import argparse
import glob
import os
import os.path as osp
import re
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import check_output_path, write_dataset  # noqa: E402

NAME = re.compile(r'a(\d+)_s(\d+)_t(\d+)_skeleton\.mat$')
TRAIN_SUBJECTS = (1, 3, 5, 7)


def read_sequence(path: str) -> np.ndarray:
    """(T, 20, 3) float32 of one file. Raises ValueError naming the file."""
    from scipy.io import loadmat
    try:
        d = loadmat(path)
    except Exception as e:  # noqa: BLE001 - scipy raises several types for a bad file
        raise ValueError(f'{path}: not a readable MATLAB file ({e})') from None
    skel = d.get('d_skel')
    if skel is None or skel.ndim != 3 or skel.shape[:2] != (20, 3) or skel.shape[2] < 1:
        raise ValueError(f'{path}: needs d_skel of shape (20, 3, T), got '
                         f'{None if skel is None else skel.shape}')
    kp = np.ascontiguousarray(skel.transpose(2, 0, 1), dtype=np.float32)
    if not np.isfinite(kp).all():
        raise ValueError(f'{path}: d_skel holds NaN or infinite values')
    return kp


def convert(src: str):
    annotations, failed = [], []
    files = sorted(glob.glob(osp.join(src, '*_skeleton.mat')))
    for f in files:
        m = NAME.search(osp.basename(f))
        if m is None:
            continue
        a, s, t = map(int, m.groups())
        try:
            kp = read_sequence(f)
        except ValueError as e:
            failed.append(str(e))
            continue
        annotations.append(dict(frame_dir=f'a{a}_s{s}_t{t}', label=a - 1, subject=s,
                                keypoint=kp[None], total_frames=int(kp.shape[0])))
    split = dict(train=[x['frame_dir'] for x in annotations if x['subject'] in TRAIN_SUBJECTS],
                 test=[x['frame_dir'] for x in annotations if x['subject'] not in TRAIN_SUBJECTS])
    return dict(split=split, annotations=annotations), failed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--src', required=True, help='folder of the *_skeleton.mat files')
    p.add_argument('--out', required=True)
    args = p.parse_args(argv)
    if not osp.isdir(args.src):
        p.error(f'--src {args.src!r} is not a folder')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    out = check_output_path(args.out, '--out', suffixes=('.pkl',))
    data, failed = convert(args.src)
    if not data['annotations']:
        p.error(f'--src {args.src!r} holds no readable aA_sS_tT_skeleton.mat file')
    return write_dataset(data, out, failed, 'sequences')


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'utd_mhad.py')
