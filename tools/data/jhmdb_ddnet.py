"""Convert DD-Net's JHMDB ground-truth pickles into one pyskl annotation file.

    python tools/data/jhmdb_ddnet.py --src DDNET_JHMDB_FOLDER [--out data/jhmdb/jhmdb_gt.pkl.gz]

The repository ships the output (``data/jhmdb/jhmdb_gt.pkl.gz``, see
``data/jhmdb/README.md``); this tool re-creates it from the DD-Net authors'
published files (github.com/fandulu/DD-Net, folder ``data/JHMDB``).

Input: ``GT_{train,test}_{1,2,3}.pkl`` (DD-Net, Yang et al. 2019), each a dict
with ``pose`` (list of (T, 15, 2) float64, JHMDB ``pos_world``) and
``label`` (list of class names). Output: ``dict(split=..., annotations=...)``
with splits train1/test1/train2/test2/train3/test3 and one annotation per
distinct clip (the same clip appears in several split files; it is
identified by its pose array):

* ``keypoint`` (1, T, 15, 2) float32 pixels: ``x = 170 + 60 x``,
  ``y = 120 + 60 y`` (a 320x240 frame), ``keypoint_score`` (1, T, 15) = 1;
* ``img_shape = original_shape = (240, 320)``;
* ``label`` = index of the class name in the sorted 14 class names;
* ``frame_dir`` = ``<class>_<first 12 hex digits of the pose's SHA-1>``.
"""
import argparse
import gzip
import hashlib
import os
import os.path as osp
import pickle
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import load_data  # noqa: E402

CLASSES = ('catch', 'clap', 'golf', 'jump', 'pick', 'pour', 'pullup', 'push', 'run', 'sit',
           'stand', 'throw', 'walk', 'wave')
IMG_SHAPE = (240, 320)


def to_pixels(pose: np.ndarray) -> np.ndarray:
    """(T, 15, 2) pos_world -> (T, 15, 2) float32 pixels in a 320x240 frame."""
    out = np.empty(pose.shape, dtype=np.float32)
    out[..., 0] = 170 + 60 * pose[..., 0]
    out[..., 1] = 120 + 60 * pose[..., 1]
    return out


def convert(src: str) -> dict:
    """Read the six DD-Net files in ``src`` and return the annotation dict.

    Raises:
        FileNotFoundError: a split file is missing.
        ValueError: an unknown class name or a malformed pose array.
    """
    annotations, index, splits = [], {}, {}
    for s in (1, 2, 3):
        for part in ('train', 'test'):
            path = osp.join(src, f'GT_{part}_{s}.pkl')
            if not osp.isfile(path):
                raise FileNotFoundError(f'JHMDB split file {path!r} not found')
            try:
                data = load_data(path, 'DD-Net split file', encoding='latin1')
            except (pickle.UnpicklingError, EOFError) as e:
                raise ValueError(f'{path}: not a readable pickle ({type(e).__name__}: {e})') \
                    from None
            names = []
            for i, (pose, cls) in enumerate(zip(data['pose'], data['label'])):
                pose = np.asarray(pose)
                if cls not in CLASSES:
                    raise ValueError(f'{path}: sample {i} has unknown class {cls!r}')
                if pose.ndim != 3 or pose.shape[1:] != (15, 2) or len(pose) == 0:
                    raise ValueError(f'{path}: sample {i} pose has shape {pose.shape}, '
                                     'expected (T, 15, 2)')
                key = hashlib.sha1(np.ascontiguousarray(pose).tobytes()).hexdigest()
                if key not in index:
                    frame_dir = f'{cls}_{key[:12]}'
                    kp = to_pixels(pose)[None]
                    index[key] = frame_dir
                    annotations.append(dict(
                        frame_dir=frame_dir, label=CLASSES.index(cls),
                        total_frames=kp.shape[1], img_shape=IMG_SHAPE,
                        original_shape=IMG_SHAPE, keypoint=kp,
                        keypoint_score=np.ones(kp.shape[:3], dtype=np.float32)))
                names.append(index[key])
            splits[f'{part}{s}'] = names
    return dict(split=splits, annotations=annotations)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--src', required=True,
                   help="folder with DD-Net's GT_{train,test}_{1,2,3}.pkl")
    p.add_argument('--out', default='data/jhmdb/jhmdb_gt.pkl.gz')
    args = p.parse_args()
    out = osp.abspath(args.out)
    if osp.commonpath([out, osp.abspath(args.src)]) == osp.abspath(args.src):
        p.error(f'--out {args.out!r} lies inside --src {args.src!r}: outputs never go '
                'beside the inputs they are made from')
    data = convert(args.src)
    os.makedirs(osp.dirname(out), exist_ok=True)
    raw = pickle.dumps(data, protocol=4)
    if out.endswith('.gz'):    # the shipped file: gzip with a fixed header, byte-reproducible
        raw = gzip.compress(raw, compresslevel=9, mtime=0)
    tmp = out + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(raw)
    os.replace(tmp, out)
    sizes = {k: len(v) for k, v in data['split'].items()}
    print(f'wrote {args.out}: {len(data["annotations"])} clips, splits {sizes}')


if __name__ == '__main__':
    main()
