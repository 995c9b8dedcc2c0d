"""Turn your own videos into a pyskl 2D-skeleton annotation file.

    python tools/data/custom_2d_skeleton.py --video-list LIST --out ann.pkl \
        [--num-proc 2] [--pose-backend mediapipe] [--short-side 480] \
        [--max-person 2] [--tmp-dir DIR]

LIST has one video a line: ``path [label]`` (label: a class index, as in
PYSKL / MMAction2). Each video is read with OpenCV, its poses estimated
frame by frame (offline MediaPipe by default: ``pip install -e .[demo]``)
and tracked into persons. The output is a list of samples that
``PoseDataset`` loads unchanged: ``frame_dir`` (file name without
extension), ``label``, ``img_shape`` = ``original_shape`` (h, w),
``total_frames``, ``keypoint`` (M, T, 17, 2) float32 pixels of the original
frames, ``keypoint_score`` (M, T, 17) float32 -- M persons, most visible
first.

Resumable: every finished video is kept as a part file in ``--tmp-dir``
(default ``OUT.parts/``) and skipped on a rerun. A video that cannot be
read, or in which nobody is found, is reported with its reason (and listed
in ``OUT.errors.txt``) while the others go on; the exit status is 1 when
some video failed.
"""
import argparse
from collections import Counter
import hashlib
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

import numpy as np
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.apis.pose import build_pose_estimator  # noqa: E402
from pyskl.apis.tracking import PoseTracker  # noqa: E402
from pyskl.io import (VideoSource, atomic_write, check_output_path, dump_pickle,  # noqa: E402
                      load_data)


def parse_video_list(path: str) -> List[Tuple[str, Optional[int]]]:
    """``[(video path, label or None), ...]`` from a list file.

    Raises:
        ValueError: a line whose label is not an integer (names the line).
    """
    items = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.strip().rsplit(maxsplit=1)
            if not parts:
                continue
            if len(parts) == 2 and not osp.exists(line.strip()):
                video, label = parts
                try:
                    items.append((video, int(label)))
                except ValueError:
                    raise ValueError(f'{path}:{n}: label {label!r} is not an integer '
                                     "(line format: 'path [label]')")
            else:
                items.append((line.strip(), None))
    return items


def part_name(video: str) -> str:
    """Part-file name of a video: its stem and a hash of its path."""
    stem = osp.splitext(osp.basename(video))[0]
    digest = hashlib.sha1(osp.abspath(video).encode()).hexdigest()[:10]
    return f'{stem}_{digest}.pkl'


_ESTIMATOR = None
_OPTIONS: Dict = {}


def _init_worker(options: Dict) -> None:
    global _ESTIMATOR, _OPTIONS
    _OPTIONS = options
    _ESTIMATOR = build_pose_estimator(options['backend'], **options.get('backend_args', {}))


def extract(video: str, label: Optional[int], estimator, short_side: Optional[int],
            max_person: Optional[int]) -> Dict:
    """One video's annotation (see the module docstring).

    Raises:
        pyskl.io.VideoReadError: unreadable or truncated video.
        ValueError: no person found in any frame.
    """
    tracker = PoseTracker()
    with VideoSource(video, short_side) as src:
        for t, frame in enumerate(src):
            tracker.update(estimator(frame), t)
        src.check_complete()          # a truncated file is an error, not a short clip
        (w0, h0), (w, h) = src.original_size, src.size
    kp, sc, ids = tracker.arrays(max_person=max_person, num_keypoints=estimator.num_keypoints)
    if not ids:
        raise ValueError(f'no person found in any of its {tracker.num_frames} frames')
    kp = kp * np.array([w0 / w, h0 / h], np.float32)
    ann = dict(frame_dir=osp.splitext(osp.basename(video))[0], total_frames=kp.shape[1],
               img_shape=(h0, w0), original_shape=(h0, w0), keypoint=kp.astype(np.float32),
               keypoint_score=sc.astype(np.float32))
    if label is not None:
        ann['label'] = label
    return ann


def process(item: Tuple[str, Optional[int], str]) -> Tuple[str, Optional[str]]:
    """Worker: extract one video into its part file; ``(video, error or None)``."""
    video, label, part = item
    try:
        ann = extract(video, label, _ESTIMATOR, _OPTIONS['short_side'], _OPTIONS['max_person'])
    except Exception as e:  # one bad video must not stop the others
        return video, f'{type(e).__name__}: {e}'
    dump_pickle(ann, part)           # atomic: a killed run leaves no half part
    return video, None


def mmpose_backend_args(args, parser) -> Dict:
    """The mmpose backend's arguments, checked before any video is read: the
    four files given and present, mmdet and mmpose importable."""
    import importlib.util
    missing = [m for m in ('mmdet', 'mmpose') if importlib.util.find_spec(m) is None]
    if missing:
        parser.error(f"--pose-backend mmpose needs {' and '.join(missing)} (and the full "
                     'mmcv they build on): pip install mmdet mmpose; the offline default is '
                     '--pose-backend mediapipe')
    files = dict(det_config=args.det_config, det_checkpoint=args.det_ckpt,
                 pose_config=args.pose_config, pose_checkpoint=args.pose_ckpt)
    flags = dict(det_config='--det-config', det_checkpoint='--det-ckpt',
                 pose_config='--pose-config', pose_checkpoint='--pose-ckpt')
    for key, path in files.items():
        if not path:
            parser.error(f'--pose-backend mmpose needs {flags[key]} (a local file; PYSKL '
                         'downloads its defaults, this tool downloads nothing)')
        if not osp.isfile(path):
            parser.error(f'{flags[key]} {path!r} does not exist')
    return dict(files, det_score_thr=args.det_score_thr, det_area_thr=args.det_area_thr,
                device=args.device)


def main(argv=None) -> int:
    """Command line entry; returns the exit status (1 if a video failed)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--video-list', required=True, help="text file: 'path [label]' per line")
    p.add_argument('--out', required=True, help='output annotation .pkl')
    p.add_argument('--num-proc', type=int, default=1, help='worker processes')
    p.add_argument('--pose-backend', default='mediapipe',
                   help='mediapipe, mediapipe-multi (several people), mediapipe-hands, or '
                        "mmpose (mmdet + mmpose HRNet, PYSKL's pipeline: --det-config ...)")
    g = p.add_argument_group("--pose-backend mmpose (PYSKL's flags; local files, nothing is "
                             'downloaded)')
    g.add_argument('--det-config', help='mmdet person detector config (PYSKL: '
                   'faster_rcnn_r50_fpn_1x_coco-person.py)')
    g.add_argument('--det-ckpt', help='its checkpoint file')
    g.add_argument('--pose-config', help='mmpose top-down config (PYSKL: '
                   'hrnet_w32_coco_256x192.py)')
    g.add_argument('--pose-ckpt', help='its checkpoint file')
    g.add_argument('--det-score-thr', type=float, default=0.7,
                   help='keep person boxes scoring above this (PYSKL: 0.7)')
    g.add_argument('--det-area-thr', type=float, default=1600,
                   help='keep person boxes of at least this area, px^2 (PYSKL: 1600)')
    g.add_argument('--device', default='cpu', help="e.g. 'cuda:0'")
    p.add_argument('--short-side', type=int, default=480,
                   help='resize frames to this short side for pose estimation (px)')
    p.add_argument('--max-person', type=int, help='keep at most this many persons per video')
    p.add_argument('--tmp-dir', help='part files (default: OUT.parts)')
    args = p.parse_args(argv)
    backend_args = {}
    if args.pose_backend == 'mmpose':
        backend_args = mmpose_backend_args(args, p)

    items = parse_video_list(args.video_list)
    if not items:
        raise SystemExit(f'{args.video_list}: no video listed')
    stems = [osp.splitext(osp.basename(v))[0] for v, _ in items]
    dups = sorted(x for x, n in Counter(stems).items() if n > 1)
    if dups:            # frame_dir is the file name: it must name one video only
        raise SystemExit(f'{args.video_list}: several videos share the name(s) {dups[:10]} '
                         '(frame_dir is the file name without extension); rename them')
    try:
        check_output_path(args.out, '--out', inputs=[args.video_list] + [v for v, _ in items])
    except OSError as e:
        raise SystemExit(str(e)) from None
    tmp_dir = args.tmp_dir or args.out + '.parts'
    os.makedirs(tmp_dir, exist_ok=True)
    parts = [osp.join(tmp_dir, part_name(v)) for v, _ in items]
    todo = [(v, lab, part) for (v, lab), part in zip(items, parts) if not osp.exists(part)]
    print(f'{len(items)} videos, {len(items) - len(todo)} already done, {len(todo)} to do')
    options = dict(backend=args.pose_backend, short_side=args.short_side,
                   max_person=args.max_person, backend_args=backend_args)
    errors = {}
    if todo:
        bar = tqdm(total=len(todo), desc='videos', unit='video')
        if args.num_proc > 1:
            import multiprocessing as mp
            with mp.get_context('spawn').Pool(args.num_proc, _init_worker, (options,)) as pool:
                for video, err in pool.imap_unordered(process, todo):
                    errors.update({video: err} if err else {})
                    bar.update()
        else:
            _init_worker(options)
            for item in todo:
                video, err = process(item)
                errors.update({video: err} if err else {})
                bar.update()
        bar.close()
    for video, err in errors.items():
        print(f'[failed] {video}: {err}')
    annotations = []
    for (video, _), part in zip(items, parts):
        if osp.exists(part):
            annotations.append(load_data(part, 'part file'))
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    dump_pickle(annotations, args.out)
    err_file = args.out + '.errors.txt'
    if errors:
        with atomic_write(err_file, 'w') as f:
            f.writelines(f'{v}\t{e}\n' for v, e in errors.items())
    elif osp.exists(err_file):
        os.remove(err_file)
    print(f'wrote {len(annotations)} annotations to {args.out}'
          + (f'; {len(errors)} failed (listed in {err_file})' if errors else ''))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
