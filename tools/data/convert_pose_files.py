"""Pose files of your own videos (OpenPose, MMPose, ST-GCN Kinetics-skeleton JSON)
-> one pyskl 2D-skeleton annotation file.

    python tools/data/convert_pose_files.py INPUT [INPUT ...] --out ann.pkl \\
        [--list LIST] [--format auto] [--layout native|coco] [--img-shape H W] \\
        [--openpose-model BODY_25|BODY_25B|COCO] [--max-person N] [--label L]

An INPUT is one video's poses -- a folder of OpenPose ``*_keypoints.json``
frame files, an MMPose inferencer ``.json`` or a Kinetics-skeleton ``.json``
-- or a folder of such videos (subfolders / JSON files). LIST has one INPUT a
line, ``path [label]`` (as ``custom_2d_skeleton.py``'s video list).

The files carry no identities: people are linked across frames by
:class:`pyskl.apis.tracking.PoseTracker` (most visible first, cut to
``--max-person``). Scores are kept. Coordinates come out in pixels: [0, 1]
coordinates are scaled by ``--img-shape H W`` (Kinetics-skeleton: 256x340,
the frames ST-GCN posed); pixel coordinates need ``--img-shape`` too (the
frame size the pipelines normalise by). ``--layout coco`` keeps the 17 COCO
body keypoints of BODY_25 / BODY_25B / COCO-18 / COCO-WholeBody (what
PYSKL's and MMAction2's 2D checkpoints take); ``native`` keeps the file's
layout (``body25``, ``body25b``, ``openpose``, ``coco``, ``coco_wholebody``:
graph, flip pairs and bones in ``pyskl.skeleton``).

Output: a list of samples ``PoseDataset`` reads (``frame_dir``, ``label``,
``keypoint`` (M, T, V, 2) float32 pixels, ``keypoint_score`` (M, T, V),
``total_frames``, ``img_shape`` = ``original_shape``), written under a
temporary name and renamed. An input that cannot be read is reported with
its reason and left out; the exit status is then 1.
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.apis.tracking import PoseTracker  # noqa: E402
from pyskl.io import check_output_path, dump_pickle  # noqa: E402
from pyskl.io.pose_files import FORMATS, PoseFileError, read_pose_file  # noqa: E402
from pyskl.skeleton.mapping import TO_COCO, to_coco  # noqa: E402
from pyskl.structures import PoseResult  # noqa: E402


class FrameSizeNeeded(PoseFileError):
    """Pixel coordinates and no ``--img-shape``: an argument is missing, not a
    file broken -- the run stops."""


def expand_inputs(path: str):
    """The videos of an INPUT: itself (a pose file, or a folder of OpenPose
    frame files), or the entries of a folder of videos."""
    if not osp.isdir(path):
        return [path]
    entries = sorted(os.listdir(path))
    jsons = [e for e in entries if e.endswith('.json')]
    if jsons:
        import json
        try:
            with open(osp.join(path, jsons[0])) as f:
                first = json.load(f)
        except (OSError, ValueError):
            first = None
        if isinstance(first, dict) and 'people' in first:
            return [path]                           # one OpenPose video
        return [osp.join(path, e) for e in jsons]
    return [osp.join(path, e) for e in entries if osp.isdir(osp.join(path, e))]


def to_sample(seq, layout: str, img_shape, max_person, label, tracker_args) -> dict:
    """A :class:`PoseSequence` -> one annotation (tracked, pixels, layout)."""
    if img_shape is None and seq.img_shape is None and seq.normalized:
        raise FrameSizeNeeded(f'{seq.source}: coordinates normalised to [0, 1] and no frame '
                              'size: give --img-shape H W to scale them to pixels')
    seq.to_pixels(img_shape)
    if seq.img_shape is None:
        raise FrameSizeNeeded(f'{seq.source}: pixel coordinates and no frame size: give '
                              '--img-shape H W (the pipelines normalise by it)')
    frames = seq.frames
    if layout == 'coco':
        if seq.layout not in TO_COCO:
            raise PoseFileError(f'{seq.source}: layout {seq.layout} has no COCO keypoints')
        frames = [PoseResult(to_coco(r.keypoint, seq.layout),
                             to_coco(r.keypoint_score[..., None], seq.layout)[..., 0])
                  for r in frames]
    tracker = PoseTracker(**tracker_args)
    for r in frames:
        tracker.update(r)
    V = frames[0].keypoint.shape[1]
    kp, sc, _ = tracker.arrays(max_person=max_person, num_keypoints=V)
    h, w = (int(x) for x in seq.img_shape)
    label = seq.label if label is None else label
    return dict(frame_dir=seq.name, label=-1 if label is None else int(label),
                keypoint=kp.astype(np.float32), keypoint_score=sc.astype(np.float32),
                total_frames=int(kp.shape[1]), img_shape=(h, w), original_shape=(h, w))


def parse_list(path: str):
    items = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(maxsplit=1)
            if len(parts) == 2 and not osp.exists(line):
                try:
                    items.append((parts[0], int(parts[1])))
                    continue
                except ValueError:
                    raise SystemExit(f'{path}:{n}: label {parts[1]!r} is not an integer '
                                     "(line format: 'path [label]')") from None
            items.append((line, None))
    return items


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('inputs', nargs='*', help='pose files / folders (see the module doc)')
    p.add_argument('--list', default=None, help="file of 'path [label]' lines")
    p.add_argument('--out', required=True, help='annotation file to write (.pkl)')
    p.add_argument('--format', default='auto', choices=('auto',) + FORMATS)
    p.add_argument('--layout', default='native', choices=('native', 'coco'))
    p.add_argument('--openpose-model', default=None, choices=('BODY_25', 'BODY_25B', 'COCO'),
                   help='OpenPose model of 25-joint files (default BODY_25)')
    p.add_argument('--img-shape', type=int, nargs=2, default=None, metavar=('H', 'W'),
                   help='frame size in pixels (scales [0, 1] coordinates)')
    p.add_argument('--coords', default='auto', choices=('auto', 'pixels', 'normalized'))
    p.add_argument('--max-person', type=int, default=None, help='keep the N most visible')
    p.add_argument('--label', type=int, default=None, help='label of every input')
    p.add_argument('--ignore-scores', action='store_true',
                   help='MMPose-like files whose third value is not a confidence')
    p.add_argument('--max-age', type=int, default=15, help='tracker: frames a person may be '
                   'missed before a new track starts')
    args = p.parse_args(argv)
    if not args.inputs and not args.list:
        p.error('give pose files / folders, or --list')
    if args.img_shape is not None and min(args.img_shape) < 1:
        p.error('--img-shape H W must be positive')
    if args.max_person is not None and args.max_person < 1:
        p.error('--max-person must be >= 1')
    items = [(x, None) for x in args.inputs] + (parse_list(args.list) if args.list else [])
    for path, _ in items:
        if not osp.exists(path):
            p.error(f'input {path!r} does not exist')
    out = check_output_path(args.out, '--out', inputs=[x for x, _ in items],
                            suffixes=('.pkl', '.pickle'))
    samples, failed = [], []
    for path, label in items:
        for video in expand_inputs(path):
            kw = dict(openpose_model=args.openpose_model, coords=args.coords)
            if args.ignore_scores:
                kw['ignore_scores'] = True
            try:
                seq = read_pose_file(video, args.format, **kw)
                samples.append(to_sample(seq, args.layout, args.img_shape, args.max_person,
                                         label if label is not None else args.label,
                                         dict(max_age=args.max_age)))
            except FrameSizeNeeded as e:
                p.error(str(e))
            except PoseFileError as e:
                failed.append(str(e))
                print(f'skipped {e}', file=sys.stderr)
                continue
            s = samples[-1]
            print(f'{s["frame_dir"]}: {seq.layout} -> {s["keypoint"].shape[2]} joints, '
                  f'{s["keypoint"].shape[0]} persons, {s["total_frames"]} frames')
    names = [s['frame_dir'] for s in samples]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SystemExit(f'two inputs give the same frame_dir {dupes[:5]}: rename them '
                         '(frame_dir is the file or folder name)')
    if not samples:
        print('nothing converted', file=sys.stderr)
        return 1
    dump_pickle(samples, out)
    print(f'wrote {args.out}: {len(samples)} samples' +
          (f'; {len(failed)} inputs skipped' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'convert_pose_files.py')
