"""Two real people doing different known actions in one video: Weizmann-4
test clips placed side by side, for a known-answer test of per-person labels.

    python tools/data/weizmann_composite.py make --out data/weizmann4/composite
    python demo/demo_skeleton.py data/weizmann4/composite/wave1+jack.mp4 out.mp4 \\
        --config CONFIG --checkpoint CKPT --pose-backend mediapipe-multi \\
        --window 32 --stride 16 --pred-out data/weizmann4/composite/wave1+jack.json
    python tools/data/weizmann_composite.py score --out data/weizmann4/composite
    python tools/data/weizmann_composite.py poses --out data/weizmann4/composite  # fixtures
    # action segments: one person changing action (long<k>.mp4), the demo, then
    python tools/data/weizmann_composite.py long --out data/weizmann4/composite
    python tools/data/weizmann_composite.py score-long --out data/weizmann4/composite

``make``: for every pair of distinct classes (6 pairs of wave1, wave2, jack,
bend) one video ``OUT/<left>+<right>.mp4``: the left half is a test-split clip
of the first class, the right half one of the second (the original, not the
mirror, of the k-th test pair of each class, so the 6 videos use different
clips), separated by a ``--gap`` of the frames' median colour, ``--pad`` rows of
the frame edge repeated above and below (OpenCV's HOG person detector finds
no one in the tightly cropped strips without them), the shorter clip
looped to the longer one's length (capped at ``--max-frames``), every frame
upscaled x ``--scale`` (people are ~40 px tall in the 64 px strips) and
written at 25 fps. Test-split clips only: a model trained on the Weizmann-4
``train`` split (tools/data/weizmann4.py) has never seen these actors. The
ground truth goes to ``OUT/composites.json``: per video the two clips, their
labels and the x range (pixels of the video) of each half.

``poses``: runs a pose backend (``--pose-backend``, default
``mediapipe-multi``: HOG boxes + MediaPipe per crop, needs ``.[demo]``) on every
frame of each video, read as the demo reads it (``--short-side``, default 480),
and saves its raw detections, before tracking, to
``OUT/<name>.poses.npz`` (``count`` (T,) persons per frame, ``keypoint``
(sum(count), 17, 2) and ``keypoint_score`` (sum(count), 17) float16): what
the demo's estimator saw, for replaying the known-answer test without
MediaPipe (:class:`ReplayEstimator`).

``long`` / ``score-long``: one person changing action -- test clips of the
four classes one after the other (:func:`make_long`) -- and the demo's action
segments against the true ones (:func:`score_segments`: frame accuracy,
boundary error in frames).

``score``: reads each video's demo ``--pred-out`` JSON (``OUT/<name>.json``)
and counts, per window, each labelled person against the action of the half
its box centre lies in; prints and writes ``OUT/score.json``: person-windows
correct / total, windows with a person found in both halves, and the real
people (two a window) whose half's majority label is right, per video and
overall. Boxes are in the pixels of the demo's output video, whose short side
is the demo's ``--short-side`` (480 unless given): pass the same
``--short-side`` here.
"""
import argparse
import itertools
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import weizmann4  # noqa: E402
from pyskl.io import atomic_write  # noqa: E402

FPS = 25


def _test_originals(src):
    """``{class index: [strip path, ...]}``: the original (first) clip of each
    test pair, in id order."""
    by = {}
    for folder, cid, path in weizmann4.clips(src):
        by.setdefault(weizmann4.FOLDERS[folder], []).append((cid, path))
    out = {}
    for c, items in by.items():
        pairs = [items[i:i + 2] for i in range(0, len(items), 2)]
        out[c] = [(f'{weizmann4.CLASSES[c]}_{p[0][0]}', p[0][1])
                  for p in pairs[weizmann4.TRAIN_PAIRS:]]
    return out


def _write_video(frames: np.ndarray, dst: str, scale: int):
    """Frames (T, H, W, 3) uint8 upscaled x ``scale`` to ``dst`` (mp4v, FPS),
    through a temporary name. Returns ``(w, h)`` of the written frames."""
    h, w = frames.shape[1] * scale, frames.shape[2] * scale
    tmp = osp.splitext(dst)[0] + '.tmp.mp4'
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), FPS, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'cannot write {tmp} (OpenCV has no mp4v writer?)')
    for f in frames:
        writer.write(cv2.resize(f, (w, h), interpolation=cv2.INTER_CUBIC))
    writer.release()
    os.replace(tmp, dst)
    return w, h


def _write_json(obj, path: str):
    with atomic_write(path, 'w') as fh:
        json.dump(obj, fh, indent=1)


def compose(left: np.ndarray, right: np.ndarray, gap: int, max_frames: int,
            pad: int = 0) -> np.ndarray:
    """(T, 64 + 2 pad, 128 + gap, 3) uint8: ``left`` and ``right`` ((T_i, 64,
    64, 3)) side by side, the shorter looped to the longer's length (at most
    ``max_frames``), the gap filled with the clips' median colour, ``pad``
    rows of each frame's edge repeated above and below (the strips are cropped
    to the actor's height; a person detector needs room around the body)."""
    t = min(max(len(left), len(right)), max_frames)
    loop = lambda c: c[np.arange(t) % len(c)]  # noqa: E731
    a, b = loop(left), loop(right)
    fill = np.median(np.concatenate([a[:, :, :4], b[:, :, -4:]], 2).reshape(-1, 3), 0)
    mid = np.broadcast_to(fill.astype(np.uint8), (t, a.shape[1], gap, 3))
    out = np.concatenate([a, mid, b], 2)
    return np.pad(out, ((0, 0), (pad, pad), (0, 0), (0, 0)), mode='edge') if pad else out


def make(src: str, out: str, scale: int = 4, gap: int = 16, max_frames: int = 96,
         pad: int = 32):
    originals = _test_originals(src)
    os.makedirs(out, exist_ok=True)
    truth = []
    for k, (c1, c2) in enumerate(itertools.combinations(range(len(weizmann4.CLASSES)), 2)):
        (n1, p1), (n2, p2) = (originals[c1][k % len(originals[c1])],
                              originals[c2][k % len(originals[c2])])
        frames = compose(weizmann4.strip_frames(p1), weizmann4.strip_frames(p2), gap,
                         max_frames, pad)
        name = f'{weizmann4.CLASSES[c1]}+{weizmann4.CLASSES[c2]}'
        w, h = _write_video(frames, osp.join(out, name + '.mp4'), scale)
        half = 64 * scale
        truth.append(dict(video=name + '.mp4', frames=len(frames), size=[w, h],
                          left=dict(clip=n1, label=c1, cls=weizmann4.CLASSES[c1],
                                    x=[0, half]),
                          right=dict(clip=n2, label=c2, cls=weizmann4.CLASSES[c2],
                                     x=[w - half, w])))
    path = osp.join(out, 'composites.json')
    _write_json(truth, path)
    print(f'wrote {len(truth)} videos and {path}')
    return truth


def record_poses(out: str, backend: str = 'mediapipe-multi', short_side: int = 480):
    """Save the raw per-frame detections of ``backend`` on every composite
    video of ``out`` (see ``poses`` in the module docstring)."""
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    from pyskl.apis import build_pose_estimator
    from pyskl.io import VideoSource
    with open(osp.join(out, 'composites.json')) as fh:
        truth = json.load(fh)
    for v in truth:
        est = build_pose_estimator(backend)
        src = VideoSource(osp.join(out, v['video']), short_side)   # as the demo reads it
        count, kps, scs = [], [], []
        try:
            for frame in src:
                det = est(frame)
                count.append(len(det))
                kps.append(det.keypoint)
                scs.append(det.keypoint_score)
        finally:
            src.close()
            est.close()
        dst = osp.join(out, osp.splitext(v['video'])[0] + '.poses.npz')
        np.savez_compressed(dst + '.tmp.npz', count=np.array(count, np.int32), layout=est.layout,
                            keypoint=np.concatenate(kps).astype(np.float16),
                            keypoint_score=np.concatenate(scs).astype(np.float16))
        os.replace(dst + '.tmp.npz', dst)
        print(f'{dst}: {len(count)} frames, persons per frame {np.bincount(count).tolist()}')


class ReplayEstimator:
    """A pose estimator that hands out recorded detections
    (``<name>.poses.npz`` of :func:`record_poses`) frame by frame, in the
    demo's estimator interface (``layout``, ``__call__(frame)``, ``close``).

    Raises:
        IndexError: asked for more frames than were recorded.
    """

    def __init__(self, path: str):
        sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
        from pyskl.structures import PoseResult
        d = np.load(path)
        self.layout = str(d['layout'])
        ends = np.cumsum(d['count'])
        kp, sc = d['keypoint'].astype(np.float32), d['keypoint_score'].astype(np.float32)
        self.frames = [PoseResult(kp[e - n:e], sc[e - n:e]) for n, e in zip(d['count'], ends)]
        self.t = 0

    def __call__(self, frame):
        if self.t >= len(self.frames):
            raise IndexError(f'ReplayEstimator: {len(self.frames)} frames recorded, asked for more')
        self.t += 1
        return self.frames[self.t - 1]

    def close(self):
        pass


def make_long(src: str, out: str, scale: int = 4, pad: int = 32, min_frames: int = 64,
              orders=((0, 2, 3, 1), (2, 1, 0, 3), (3, 0, 1, 2))):
    """Long videos of one person changing action: for each class order in
    ``orders`` the k-th test-split original clip of each class, one after the
    other (each looped to at least ``min_frames`` frames so that a window of
    32 fits inside an action), padded and upscaled as :func:`make`; writes
    ``OUT/long<k>.mp4`` and the true segments to ``OUT/long.json``
    (``[{video, frames, size, segments: [{start, end, cls}]}]``, end
    exclusive)."""
    originals = _test_originals(src)
    os.makedirs(out, exist_ok=True)
    truth = []
    for k, order in enumerate(orders):
        parts, segs, t = [], [], 0
        for c in order:
            name, path = originals[c][k % len(originals[c])]
            f = weizmann4.strip_frames(path)
            f = f[np.arange(max(len(f), min_frames)) % len(f)]
            parts.append(f)
            segs.append(dict(start=t, end=t + len(f), cls=weizmann4.CLASSES[c], clip=name))
            t += len(f)
        frames = np.concatenate(parts)
        frames = np.pad(frames, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='edge')
        name = f'long{k}'
        w, h = _write_video(frames, osp.join(out, name + '.mp4'), scale)
        truth.append(dict(video=name + '.mp4', frames=len(frames), size=[w, h], segments=segs))
    path = osp.join(out, 'long.json')
    _write_json(truth, path)
    print(f'wrote {len(truth)} long videos and {path}')
    return truth


def score_segments(pred_segments, true_segments, frames):
    """Predicted action segments (``[{start, end, label}]``, the demo's) against
    the true ones: ``frame_accuracy`` (frames inside predicted segments whose
    label is the true one, over the frames predicted), ``boundary_error``
    (per true boundary, the distance in frames to the nearest predicted one;
    None when nothing was predicted), the segment counts."""
    truth = np.full(frames, '', object)
    for s in true_segments:
        truth[s['start']:s['end']] = s['cls']
    covered = right = 0
    for s in pred_segments:
        a, b = max(0, s['start']), min(frames, s['end'])
        covered += max(0, b - a)
        right += int((truth[a:b] == s['label']).sum())
    true_b = [s['start'] for s in true_segments[1:]]
    pred_b = [s['start'] for s in pred_segments[1:]]
    err = [min(abs(b - p) for p in pred_b) if pred_b else None for b in true_b]
    return dict(frame_accuracy=right / covered if covered else 0.0, frames_covered=covered,
                boundary_error=err, true_segments=len(true_segments),
                predicted_segments=len(pred_segments))


def score_windows(windows, video, short_side=None):
    """Per-person correctness of one video's ``--pred-out`` windows against
    its ground truth entry ``video`` (see ``make``). Returns ``dict(correct,
    total, both_found, windows, people_right, left_right, right_right)``
    (the last two: ``people_right`` of each half). A person's half is where its
    box centre lies (left of the frame's middle: the left clip). ``correct /
    total`` counts labelled tracks (a person whose track broke into pieces
    counts once per piece); ``people_right`` counts the real people, two per
    window: right when the label most of that half's tracks got (strictly
    more than any other) is that half's action -- of ``2 x windows``."""
    from collections import Counter
    w, h = video['size']
    f = 1.0 if not short_side else short_side / min(w, h)
    mid = w * f / 2
    correct = total = both = people = 0
    per_side = {'left': 0, 'right': 0}
    for win in windows:
        by_side = {'left': [], 'right': []}
        for p in win.get('persons', []):
            x1, _, x2, _ = p['bbox']
            side = 'left' if (x1 + x2) / 2 < mid else 'right'
            by_side[side].append(p['label'])
            total += 1
            correct += int(p['label'] == video[side]['cls'])
        both += int(all(by_side.values()))
        for side, labels in by_side.items():
            top = Counter(labels).most_common(2)
            ok = int(bool(top) and top[0][0] == video[side]['cls'] and
                     (len(top) == 1 or top[0][1] > top[1][1]))
            people += ok
            per_side[side] += ok
    return dict(correct=correct, total=total, both_found=both, windows=len(windows),
                people_right=people, left_right=per_side['left'],
                right_right=per_side['right'])


def score(out: str, short_side=None):
    with open(osp.join(out, 'composites.json')) as fh:
        truth = json.load(fh)
    per, c, t, pr, n, most = {}, 0, 0, 0, 0, 0
    for v in truth:
        pred = osp.join(out, osp.splitext(v['video'])[0] + '.json')
        if not osp.isfile(pred):
            raise FileNotFoundError(f'{pred}: run demo/demo_skeleton.py on {v["video"]} '
                                    'with --pred-out first')
        with open(pred) as fh:
            windows = json.load(fh)
        windows = windows['windows'] if isinstance(windows, dict) else windows
        r = score_windows(windows, v, short_side)
        per[v['video']] = r
        c, t = c + r['correct'], t + r['total']
        pr, n = pr + r['people_right'], n + 2 * r['windows']
        most += sum(int(2 * r[k] > r['windows']) for k in ('left_right', 'right_right'))
        print(f'{v["video"]}: {r["correct"]}/{r["total"]} person-windows right, both persons '
              f'found in {r["both_found"]}/{r["windows"]} windows, people right '
              f'{r["people_right"]}/{2 * r["windows"]}')
    res = dict(videos=per, correct=c, total=t, rate=c / t if t else 0.0,
               people_right=pr, people=n, people_rate=pr / n if n else 0.0,
               persons_right_in_most_windows=most, persons=2 * len(truth))
    _write_json(res, osp.join(out, 'score.json'))
    print(f'overall: {c}/{t} = {100 * res["rate"]:.1f} % of person-windows labelled right; '
          f'{pr}/{n} = {100 * res["people_rate"]:.1f} % of the people (2 a window) right; '
          f'{most} of {2 * len(truth)} people right in most of their windows')
    return res


def score_long(out: str):
    """Scores each ``long<k>.json`` demo output against ``long.json``: the
    segments of its longest person track (one person is in view), or the
    scene's when no person was labelled; prints and writes
    ``OUT/score_long.json``."""
    with open(osp.join(out, 'long.json')) as fh:
        truth = json.load(fh)
    res = {}
    for v in truth:
        with open(osp.join(out, osp.splitext(v['video'])[0] + '.json')) as fh:
            pred = json.load(fh)
        persons = pred['segments'].get('persons') or {}
        if persons:                  # the person's own segments (the longest track)
            segs = max(persons.values(), key=lambda ss: sum(x['end'] - x['start'] for x in ss))
        else:
            segs = pred['segments']['scene']
        r = score_segments(segs, v['segments'], v['frames'])
        res[v['video']] = r
        print(f"{v['video']}: {r['predicted_segments']} segments for {r['true_segments']}, "
              f"frame accuracy {100 * r['frame_accuracy']:.1f} % of {r['frames_covered']} "
              f"frames, boundary errors {r['boundary_error']} frames")
    _write_json(res, osp.join(out, 'score_long.json'))
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('step', choices=['make', 'poses', 'score', 'long', 'score-long'])
    p.add_argument('--pose-backend', default='mediapipe-multi', help='poses: the backend')
    p.add_argument('--src', default=osp.join(weizmann4.SHARED, 'weizmann4'))
    p.add_argument('--out', default=osp.join('data', 'weizmann4', 'composite'))
    p.add_argument('--scale', type=int, default=4)
    p.add_argument('--gap', type=int, default=16, help='pixels between the clips (strip scale)')
    p.add_argument('--max-frames', type=int, default=96)
    p.add_argument('--pad', type=int, default=32, help='rows above and below (strip scale)')
    p.add_argument('--short-side', type=int, default=None,
                   help="the demo run's --short-side (poses: default 480, the demo's)")
    args = p.parse_args(argv)
    if args.step == 'make':
        return make(args.src, args.out, args.scale, args.gap, args.max_frames, args.pad)
    if args.step == 'long':
        return make_long(args.src, args.out, args.scale, args.pad)
    if args.step == 'score-long':
        return score_long(args.out)
    if args.step == 'poses':
        return record_poses(args.out, args.pose_backend, args.short_side or 480)
    return score(args.out, args.short_side)


if __name__ == '__main__':
    main()
