"""Weizmann-4 (../shared/data/weizmann4) -> videos, a video list and, after pose
extraction, a split annotation file for the RGB + pose configs.

    python tools/data/weizmann4.py videos --out data/weizmann4      # strips -> .mp4 + list
    python tools/data/custom_2d_skeleton.py --video-list data/weizmann4/videos.txt \
        --out data/weizmann4/poses.pkl --short-side 256 --num-proc 2  # MediaPipe (.[demo])
    python tools/data/weizmann4.py split --out data/weizmann4        # -> weizmann4_2d.pkl

``videos``: each clip (a horizontal strip of 64x64 RGBA frames) becomes
``OUT/videos/<class>_<id>.mp4`` at 25 fps, upscaled x4 to 256x256 (people are
~40 px tall in the strips, too small for the pose estimator), and a line
``path label`` of ``OUT/videos.txt``. Labels: 0 wave1, 1 wave2, 2 jack, 3 bend
(the strips' folders 0, 1, 3, 4).

``split``: adds ``split=dict(train=[...], test=[...])`` to the pose annotations:
per class, the clips sorted by id are pairs (original, mirror); the first 6 pairs
train, the last 3 test, so a clip and its mirror always share a split and, where
the ids follow the actors (wave1, wave2, bend; not jack, see the data README),
no actor is in both. Few-shot training splits ``train_1pair`` / ``train_2pair``: the
first 1 / 2 pairs of each class (8 / 16 clips), subsets of ``train`` (for fine-tuning
with few labels: docs/results.md, EHGFormer). Each annotation gets ``pair``
(``<class>_pair<k>``): the clip and its mirror share it, so folds made with
``kfold_select.py --group-field pair`` never split them.
"""
import argparse
import glob
import os
import os.path as osp
import sys

import cv2
import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from pyskl.io import atomic_write, dump_pickle, load_data  # noqa: E402

SHARED = os.environ.get('PYSKL_SHARED_DATA', osp.join(ROOT, '..', 'shared', 'data'))
FOLDERS = {'0': 0, '1': 1, '3': 2, '4': 3}
CLASSES = ('wave1', 'wave2', 'jack', 'bend')
TRAIN_PAIRS = 6
FEW_SHOT_PAIRS = (1, 2)


def clips(src: str):
    """``[(folder, id, path)]`` sorted by folder and id."""
    out = []
    for folder in sorted(FOLDERS):
        for path in sorted(glob.glob(osp.join(src, 'strips', folder, '*.png'))):
            out.append((folder, osp.splitext(osp.basename(path))[0], path))
    if not out:
        raise FileNotFoundError(f'no strips under {src}/strips: point --src at weizmann4')
    return out


def strip_frames(path: str, size: int = 64) -> np.ndarray:
    """(T, size, size, 3) uint8 BGR frames of one strip (alpha dropped)."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None or img.shape[1] % size or img.shape[0] != size:
        raise ValueError(f'{path}: not a strip of {size}x{size} frames')
    bgr = img[..., :3] if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return bgr.reshape(size, -1, size, 3).transpose(1, 0, 2, 3)


def make_videos(src: str, out: str, scale: int = 4) -> str:
    os.makedirs(osp.join(out, 'videos'), exist_ok=True)
    lines = []
    for folder, cid, path in clips(src):
        frames = strip_frames(path)
        name = osp.join(out, 'videos', f'{CLASSES[FOLDERS[folder]]}_{cid}.mp4')
        side = frames.shape[1] * scale
        writer = cv2.VideoWriter(name, cv2.VideoWriter_fourcc(*'mp4v'), 25, (side, side))
        for f in frames:
            writer.write(cv2.resize(f, (side, side), interpolation=cv2.INTER_CUBIC))
        writer.release()
        lines.append(f'{osp.abspath(name)} {FOLDERS[folder]}')
    listing = osp.join(out, 'videos.txt')
    with atomic_write(listing, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'wrote {len(lines)} videos and {listing}')
    return listing


def make_split(src: str, out: str) -> str:
    anns = load_data(osp.join(out, 'poses.pkl'), 'pose file')
    have = {a['frame_dir'] for a in anns}
    pair_of = {}
    split = dict(train=[], test=[], **{f'train_{n}pair': [] for n in FEW_SHOT_PAIRS})
    for folder in sorted(FOLDERS):
        names = [f'{CLASSES[FOLDERS[folder]]}_{cid}' for fo, cid, _ in clips(src) if fo == folder]
        for i, name in enumerate(names):               # pairs: ids 2k, 2k+1 in sorted order
            pair_of[name] = f'{CLASSES[FOLDERS[folder]]}_pair{i // 2}'
            if name in have:
                split['train' if i // 2 < TRAIN_PAIRS else 'test'].append(name)
                for n in FEW_SHOT_PAIRS:
                    if i // 2 < n:
                        split[f'train_{n}pair'].append(name)
    missing = sorted({f'{CLASSES[FOLDERS[fo]]}_{cid}' for fo, cid, _ in clips(src)} - have)
    for a in anns:                                  # a clip and its mirror: one group
        a['pair'] = pair_of.get(a['frame_dir'], a['frame_dir'])
    dst = osp.join(out, 'weizmann4_2d.pkl')
    dump_pickle(dict(split=split, annotations=anns), dst)
    print(f'wrote {dst}: train {len(split["train"])}, test {len(split["test"])} clips'
          + (f'; no poses for {missing}' if missing else ''))
    return dst


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('step', choices=['videos', 'split'])
    p.add_argument('--src', default=osp.join(SHARED, 'weizmann4'))
    p.add_argument('--out', default=osp.join('data', 'weizmann4'))
    args = p.parse_args(argv)
    return make_videos(args.src, args.out) if args.step == 'videos' else \
        make_split(args.src, args.out)


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
