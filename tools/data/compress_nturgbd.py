"""Compress NTU RGB+D videos for RGBPoseConv3D: 1920x1080 .avi -> 960x540 .mp4.

    python tools/data/compress_nturgbd.py --src data/nturgbd_raw --dst data/nturgbd_videos \
        [--num-proc 8] [--short-side 540]

RGBPoseConv3D (Duan et al., CVPR 2022; MMAction2's recipe), step 0: every ``*_rgb.avi`` under SRC becomes ``DST/<name>.mp4``
(``S001C001P001R001A001_rgb.avi`` -> ``S001C001P001R001A001.mp4``, the
``frame_dir`` of the annotations), resized to ``--short-side`` with OpenCV
(area interpolation), all frames kept. Several processes, a progress bar; a
finished video is written to a temporary name and renamed, so a rerun skips it
and an interrupted one leaves no half file. Per-video errors are listed in
``DST/errors.txt`` and the others go on (exit status 1 if any failed).
MMDecode rescales the 1080p keypoints of the annotations to the smaller frames.
"""
import argparse
import glob
import multiprocessing as mp
import os
import os.path as osp
import sys
from typing import Optional, Tuple

import cv2
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import atomic_write  # noqa: E402
from pyskl.io.video import incomplete  # noqa: E402


def target_name(src: str) -> str:
    """``.../S001C001P001R001A001_rgb.avi`` -> ``S001C001P001R001A001.mp4``."""
    stem = osp.splitext(osp.basename(src))[0]
    if stem.endswith('_rgb'):
        stem = stem[:-4]
    return stem + '.mp4'


def compress(job: Tuple[str, str, int]) -> Tuple[str, Optional[str]]:
    """Compress one video; returns ``(src, error or None)``."""
    src, dst, short_side = job
    if osp.exists(dst):
        return src, None
    cap = cv2.VideoCapture(src)
    if not cap.isOpened():
        return src, 'cannot be opened'
    fps = cap.get(cv2.CAP_PROP_FPS) or 30
    declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    tmp = dst + '.part.mp4'
    writer, n = None, 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            h, w = frame.shape[:2]
            s = short_side / min(h, w)
            size = (int(round(w * s / 2)) * 2, int(round(h * s / 2)) * 2)
            if writer is None:
                writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
                if not writer.isOpened():
                    return src, f'OpenCV cannot write {tmp}'
            writer.write(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
            n += 1
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    short = incomplete(src, n, declared)
    if n == 0 or short:
        if osp.exists(tmp):
            os.remove(tmp)
        return src, 'no frame could be decoded' if n == 0 else short
    os.replace(tmp, dst)
    return src, None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--src', default='data/nturgbd_raw')
    p.add_argument('--dst', default='data/nturgbd_videos')
    p.add_argument('--pattern', default='*_rgb.avi')
    p.add_argument('--short-side', type=int, default=540)
    p.add_argument('--num-proc', type=int, default=max(1, (os.cpu_count() or 2) // 2))
    args = p.parse_args(argv)
    videos = sorted(glob.glob(osp.join(args.src, '**', args.pattern), recursive=True))
    if not videos:
        print(f'compress_nturgbd: no {args.pattern} under {args.src}', file=sys.stderr)
        return 1
    os.makedirs(args.dst, exist_ok=True)
    jobs = [(v, osp.join(args.dst, target_name(v)), args.short_side) for v in videos]
    errors = []
    with mp.get_context('spawn').Pool(args.num_proc) as pool:
        for src, err in tqdm(pool.imap_unordered(compress, jobs), total=len(jobs),
                             desc='compressing'):
            if err:
                errors.append(f'{src}: {err}')
    if errors:
        with atomic_write(osp.join(args.dst, 'errors.txt'), 'w') as f:
            f.write('\n'.join(errors) + '\n')
        print(f'{len(errors)} of {len(jobs)} videos failed, see {args.dst}/errors.txt',
              file=sys.stderr)
        return 1
    print(f'{len(jobs)} videos in {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
