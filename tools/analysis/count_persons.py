"""Persons found per frame by a pose backend on videos: how often a
multi-person estimator loses someone (people who touch, occlusion).

    python tools/analysis/count_persons.py ../shared/data/videos/ntu_sample.avi \\
        --pose-backend mediapipe-multi --carry-frames 0     # the detector alone
    python tools/analysis/count_persons.py VIDEO ... --expect 2 --json out.json

Prints per video the histogram ``{persons: frames}``, the mean, and with
``--expect N`` the share of frames where exactly N people were posed (and the
first frame where fewer were). ``--carry-frames`` is
``MediaPipeMultiPose``'s (poses of people the detector missed, carried from
the previous frame; 0 = off). ``--json`` writes the same figures.
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def count(video, backend='mediapipe-multi', expect=None, short_side=480, **kwargs):
    """``dict(frames, histogram, mean[, exact, first_short])`` of one video,
    read as the demo reads it (``short_side``)."""
    from pyskl.apis import build_pose_estimator
    from pyskl.io import VideoSource
    est = build_pose_estimator(backend, **kwargs)
    src = VideoSource(video, short_side)
    n = []
    try:
        for frame in src:
            n.append(len(est(frame)))
    finally:
        src.close()
        est.close()
    n = np.array(n)
    out = dict(video=video, frames=len(n), histogram={int(k): int(v) for k, v in
                                                      enumerate(np.bincount(n)) if v},
               mean=float(n.mean()) if len(n) else 0.0)
    if expect is not None:
        out['exact'] = float((n == expect).mean()) if len(n) else 0.0
        short = np.nonzero(n < expect)[0]
        out['first_short'] = int(short[0]) if len(short) else None
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('videos', nargs='+')
    p.add_argument('--pose-backend', default='mediapipe-multi')
    p.add_argument('--carry-frames', type=int, default=None,
                   help='MediaPipeMultiPose carry_frames (default: its own)')
    p.add_argument('--hog-scale', type=float, default=None,
                   help='HOGPersonDetector scale (default: its own, by frame size; 0.5 was '
                        'the fixed scale before it)')
    p.add_argument('--no-mask-posed', action='store_true',
                   help='MediaPipeMultiPose mask_posed=False: a carried crop that finds '
                        'someone already posed is dropped, not looked at again with them '
                        'painted over')
    p.add_argument('--no-search-masked', action='store_true',
                   help='MediaPipeMultiPose search_masked=False: no whole-frame look with '
                        'everyone posed painted over for people nobody detected')
    p.add_argument('--short-side', type=int, default=480, help="as the demo's (default 480)")
    p.add_argument('--expect', type=int, default=None, help='people really in view')
    p.add_argument('--json', default=None)
    args = p.parse_args(argv)
    if args.json:
        from pyskl.io import OutputPathError, check_output_path
        try:
            check_output_path(args.json, '--json', suffixes=('.json',))
        except OutputPathError as e:
            p.error(str(e))
    kw = {} if args.carry_frames is None else dict(carry_frames=args.carry_frames)
    if args.no_mask_posed:
        kw['mask_posed'] = False
    if args.no_search_masked:
        kw['search_masked'] = False
    if args.hog_scale is not None:
        from pyskl.apis.pose import HOGPersonDetector
        kw['detector'] = HOGPersonDetector(scale=args.hog_scale)
    res = []
    for v in args.videos:
        r = count(v, args.pose_backend, args.expect, args.short_side, **kw)
        res.append(r)
        extra = '' if args.expect is None else (
            f', exactly {args.expect} in {100 * r["exact"]:.1f} % of frames, first short '
            f'frame {r["first_short"]}')
        print(f'{v}: {r["frames"]} frames, persons per frame {r["histogram"]}, mean '
              f'{r["mean"]:.2f}{extra}')
    if args.json:
        from pyskl.io import atomic_write
        with atomic_write(args.json, 'w') as fh:
            json.dump(dict(backend=args.pose_backend, carry_frames=args.carry_frames,
                           mask_posed=not args.no_mask_posed,
                           hog_scale=args.hog_scale, short_side=args.short_side,
                           videos=res), fh, indent=1)
    return res


if __name__ == '__main__':
    main()
