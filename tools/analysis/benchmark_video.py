"""Decoding speed of the sampled frames of a video: decord vs OpenCV.

    python tools/analysis/benchmark_video.py [VIDEO ...] [--frames 8 32] [--iters 5]

For each video (default: ``../shared/data/videos/*``) and each clip length,
reads ``clip_len`` uniformly spread frames (what ``MMDecode`` asks for one
RGB clip) with :func:`pyskl.io.read_frames`, opening the
file each time as a data loader worker does, and prints the median time and the
decoded frames per second of each backend. Run with ``OMP_NUM_THREADS=1`` and
nothing else running.
"""
import argparse
import glob
import os
import os.path as osp
import statistics
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from pyskl.io.video import decord, num_frames, read_frames  # noqa: E402

SHARED = os.environ.get('PYSKL_SHARED_DATA', osp.join(ROOT, '..', 'shared', 'data'))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('videos', nargs='*')
    p.add_argument('--frames', type=int, nargs='+', default=[8, 32])
    p.add_argument('--iters', type=int, default=5)
    args = p.parse_args(argv)
    videos = args.videos or sorted(glob.glob(osp.join(SHARED, 'videos', '*')))
    backends = ['opencv'] + (['decord'] if decord is not None else [])
    for path in videos:
        n = num_frames(path, 'opencv')
        for clip_len in args.frames:
            inds = (np.arange(clip_len) * n // clip_len).tolist()
            for backend in backends:
                read_frames(path, inds, backend)                  # warm-up
                times = []
                for _ in range(args.iters):
                    t0 = time.perf_counter()
                    frames = read_frames(path, inds, backend)
                    times.append(time.perf_counter() - t0)
                t = statistics.median(times)
                print(f'{osp.basename(path):28s} {n:4d} frames {frames.shape[1]}x'
                      f'{frames.shape[2]}  clip {clip_len:3d}  {backend:7s} {t * 1e3:8.1f} ms  '
                      f'{clip_len / t:7.1f} sampled frames/s')


if __name__ == '__main__':
    main()
