"""Video (file, camera or stream) -> skeletons -> action label(s) -> annotated video.

    python demo/demo_skeleton.py VIDEO OUT.mp4 --config CFG --checkpoint CKPT \
        --label-map LABELS.txt [--device cpu] [--short-side 480] \
        [--window 48 --stride 16] [--pose-backend mediapipe] [--mode gesture]

VIDEO is a file, a camera index (``0``) or a stream URL. Poses come from an
offline MediaPipe backend (``pip install -e .[demo]``) or from mmdet + mmpose
(``--pose-backend mmpose --det-config ... --det-checkpoint ... --pose-config
... --pose-checkpoint ...``); they are tracked into persons and handed to any
pyskl recognizer (GCN or PoseC3D), in the layout its config was trained on
(COCO-17 as is, COCO-17 -> JHMDB-15 mapped, MediaPipe hands for
``--mode gesture``). An RGB + pose model (RGBPoseConv3D, configs/rgbpose_conv3d/)
also gets each window's frames, read from the same video file (files only),
and its two pathways' scores are fused 1:1.

Without ``--window`` a file is read whole and gets one label. With
``--window W [--stride S]`` (required for cameras and streams) frames are
processed as they come: every S frames the last W frames are classified,
each written frame shows the latest window's label (so labels lag by up to
S frames), and the per-window predictions go to ``--pred-out`` (JSON). At the
end of a video, frames after the last full stride get one more window that
ends at the last frame (reported, not drawn). A live run (camera, stream,
``--realtime``) stops when the source ends or disconnects, on q / Esc in the
``--show`` window, or on Ctrl-C; each way the outputs are written whole.

Every person gets a label of their own too (drawn at their box with the track
id; ``persons`` of each window in ``--pred-out``: ``{track_id, bbox, label,
score, topk, partner}``): a one-person model scores each track alone, a
two-person model (NTU's, SBU's) scores pairs of tracks chosen by proximity
(:func:`pair_by_proximity`); all persons of a window go through one forward.
"""
import argparse
import contextlib
import json
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import numpy as np
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from pyskl.apis import (PoseTracker, build_pose_estimator, config_layout,  # noqa: E402
                        inference_recognizer_batch, init_recognizer, load_label_map,
                        prepare_skeleton, sliding_windows)
from pyskl.apis.inference import get_test_pipeline  # noqa: E402
from pyskl.apis.drawing import draw_labels, draw_person_labels, draw_skeletons  # noqa: E402
from pyskl.structures import keypoint_boxes  # noqa: E402
from pyskl.io.live import LatestFrameReader, StageTimer, display_available  # noqa: E402
from pyskl.io import (VideoReadError, VideoSink, VideoSource, atomic_write,  # noqa: E402
                      check_output_path)


def parse_args(argv=None):
    """Command line options (PYSKL / MMAction2 demo names)."""
    p = argparse.ArgumentParser(description='pyskl skeleton-based action recognition demo')
    p.add_argument('video', help='video file, camera index or stream URL')
    p.add_argument('out', help='output video (.mp4 or .avi)')
    p.add_argument('--config', required=True, help='recognizer config file')
    p.add_argument('--checkpoint', required=True,
                   help='recognizer checkpoint (.pth), or an exported .onnx file')
    p.add_argument('--backend', choices=['pytorch', 'onnxruntime'], default=None,
                   help='run the recognizer with PyTorch or onnxruntime (default: by the '
                        'checkpoint file: .onnx -> onnxruntime)')
    p.add_argument('--label-map', help="class names, one a line (default: 'class <i>')")
    p.add_argument('--device', default='cpu', help="e.g. 'cpu', 'cuda:0'")
    p.add_argument('--short-side', type=int, default=480,
                   help='resize frames to this short side before pose estimation (px)')
    p.add_argument('--window', type=int, help='frames per classified window')
    p.add_argument('--stride', type=int, help='frames between windows (default: window)')
    p.add_argument('--mode', choices=['action', 'gesture'], default='action',
                   help='gesture: MediaPipe Hands keypoints (layout handmp)')
    p.add_argument('--pose-backend', default=None,
                   help='mediapipe (default), mediapipe-multi, mediapipe-hands or mmpose')
    p.add_argument('--det-config', help='mmdet config (--pose-backend mmpose)')
    p.add_argument('--det-checkpoint', help='mmdet checkpoint')
    p.add_argument('--det-score-thr', type=float, default=0.5)
    p.add_argument('--pose-config', help='mmpose config')
    p.add_argument('--pose-checkpoint', help='mmpose checkpoint')
    p.add_argument('--max-person', type=int, default=2, help='persons handed to the model')
    p.add_argument('--person-crop', type=float, default=None,
                   help='score each person in a square crop of this many times their extent '
                        '(models trained on clips framed around the actor); default: the '
                        'whole frame, as the scene')
    p.add_argument('--min-track-fraction', type=float, default=0.1,
                   help='a person is labelled in a window only if posed in at least this '
                   'fraction of its frames (default 0.1; 0: every track)')
    p.add_argument('--topk', type=int, default=3, help='labels written on the video')
    p.add_argument('--max-frames', type=int, help='stop after this many frames')
    p.add_argument('--pred-out', help='write the per-window predictions here (JSON)')
    p.add_argument('--smooth', type=int, default=3,
                   help='action segments: windows of the moving average of the scores')
    p.add_argument('--hold', type=int, default=2,
                   help='action segments: windows a new label must lead before it starts')
    p.add_argument('--show', action='store_true',
                   help='show the annotated frames in a window (q or Esc stops); without a '
                        'display the run goes on headless')
    p.add_argument('--realtime', action='store_true',
                   help='read a video file at its frame rate as a live source: frames the '
                        'recognizer has no time for are dropped (cameras and streams always)')
    args = p.parse_args(argv)
    for name in ('window', 'stride', 'short_side', 'max_person', 'topk', 'max_frames', 'smooth',
                 'hold'):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f'--{name.replace("_", "-")} must be at least 1, got {value}')
    if not 0 <= args.min_track_fraction <= 1:
        p.error(f'--min-track-fraction must be in [0, 1], got {args.min_track_fraction}')
    try:                # before any work: outputs that cannot be written cost nothing
        check_output_path(args.out, 'output video', inputs=[args.video],
                          suffixes=('.mp4', '.avi'))
        if args.pred_out:
            check_output_path(args.pred_out, '--pred-out', inputs=[args.video, args.out])
    except OSError as e:
        p.error(str(e))
    if args.pose_backend is None:
        args.pose_backend = 'mediapipe-hands' if args.mode == 'gesture' else 'mediapipe'
    if args.det_config or args.pose_config:
        args.pose_backend = 'mmpose'
    return args


def build_estimator(args):
    """The pose backend the options ask for (mmpose needs all four files)."""
    if args.pose_backend == 'mmpose':
        missing = [f'--{n.replace("_", "-")}' for n in
                   ('det_config', 'det_checkpoint', 'pose_config', 'pose_checkpoint')
                   if not getattr(args, n)]
        if missing:
            raise SystemExit(f'--pose-backend mmpose needs {", ".join(missing)}')
        return build_pose_estimator('mmpose', det_config=args.det_config,
                                    det_checkpoint=args.det_checkpoint,
                                    pose_config=args.pose_config,
                                    pose_checkpoint=args.pose_checkpoint,
                                    det_score_thr=args.det_score_thr, device=args.device)
    return build_pose_estimator(args.pose_backend)


def pair_by_proximity(centers: np.ndarray) -> List[List[int]]:
    """Group tracks into pairs for a two-person model: the two closest tracks
    (mean skeleton centre in the window, pixels) pair first, then the next
    closest of the rest, ...; an odd one out stays alone. Returns lists of
    indices, in the order of their first member."""
    n = len(centers)
    d = np.linalg.norm(centers[:, None] - centers[None], axis=-1)
    pairs, free = [], set(range(n))
    for flat in np.argsort(d, axis=None):
        i, j = divmod(int(flat), n)
        if i < j and i in free and j in free:
            pairs.append([i, j])
            free -= {i, j}
    groups = pairs + [[i] for i in sorted(free)]
    return sorted(groups, key=min)


def person_frame(kp: np.ndarray, sc: np.ndarray, scale: float):
    """A person's (or pair's) skeletons in a square crop of their own:
    side ``scale`` x the larger side of the box around all their joints of
    the window, centred on it. Returns ``(keypoint, (side, side))``: the
    pixels relative to the crop's corner (missing joints stay 0). A model
    trained on clips framed around the actor (Weizmann, most of JHMDB) then
    sees each person of a wide scene framed the same way."""
    seen = sc > 0
    if not seen.any():
        return kp, (1, 1)
    pts = kp[seen]
    lo, hi = pts.min(0), pts.max(0)
    side = max(float((hi - lo).max()) * scale, 1.0)
    corner = (lo + hi) / 2 - side / 2
    out = np.where(seen[..., None], kp - corner.astype(np.float32), 0).astype(np.float32)
    return out, (int(round(side)), int(round(side)))


class WindowClassifier:
    """Classify frames [start, end) of a :class:`PoseTracker`'s tracks: the
    scene and each person.

    The ``max_person`` most visible tracks of the window are converted to the
    config's layout (:func:`prepare_skeleton`) and scored by the config's
    test pipeline. Each track also gets its own label: a one-person model
    (``FormatGCNInput(num_person=1)``, PoseC3D) scores every track's skeleton
    alone; a two-person model scores pairs chosen by proximity
    (:func:`pair_by_proximity`) and labels both members; all persons of a
    window go through one batched forward. ``clf(tracker, start, end)``
    returns a dict: ``start``, ``end`` (frames), ``start_s``, ``end_s``
    (seconds), ``tracks`` (ids), ``top`` ([(label, score)] * topk of the scene;
    empty with ``note='no person'`` when no track has a pose in the window),
    ``persons``: ``[{track_id, bbox (x1, y1, x2, y2) of its last pose in the
    window, label, score, topk, partner}]`` (``partner``: the other track of
    its pair, or None). With ``person_crop`` each person (pair) is scored in
    a square crop of their own (:func:`person_frame`) instead of the whole
    frame. A track posed in fewer than ``min_track_fraction`` of the window's
    frames gets no label of its own in that window (a one-frame false
    detection, someone stepping out of view); it still counts for the scene
    and is listed in ``tracks``.

    Raises:
        ValueError: the model's class count differs from the label map's.
    """

    def __init__(self, model, labels: Optional[List[str]], source_layout: str, img_shape,
                 max_person: int, topk: int, fps: float, video: Optional[str] = None,
                 person_crop: Optional[float] = None, min_track_fraction: float = 0.1):
        from mmengine.dataset import Compose
        self.model, self.labels = model, labels
        steps = get_test_pipeline(model.cfg)
        self.pipeline = Compose(steps)
        #: RGB + pose models (RGBPoseConv3D) read the window's frames from the file
        self.video = video if any(t.get('type') == 'MMDecode' for t in steps) else None
        self.target_layout = config_layout(model.cfg)
        self.source_layout, self.img_shape = source_layout, img_shape
        self.max_person, self.topk, self.fps = max_person, topk, fps
        self.person_crop = person_crop
        self.min_track_fraction = float(min_track_fraction)
        #: (start, end, scene scores, {track_id: scores}) of every window, for segments
        self.history = []
        fmt = [t for t in steps if t.get('type') == 'FormatGCNInput']
        #: persons the model takes at once (2: pairs; PoseC3D: 1 per volume)
        self.model_persons = int(fmt[0].get('num_person', 2)) if fmt else 1

    def __call__(self, tracker: PoseTracker, start: int, end: int) -> Dict:
        kp, sc, ids = tracker.arrays(start, end, self.max_person)
        pred = dict(start=start, end=end, start_s=round(start / self.fps, 3),
                    end_s=round(end / self.fps, 3), tracks=ids)
        if not ids:
            pred['top'] = []
            pred['note'] = 'no person'
            return pred
        # the scene (the most visible tracks together) and each person (or pair)
        pkp, psc, pids = tracker.arrays(start, end)         # every track of the window
        posed = (psc.sum(-1) > 0).sum(1)                    # frames each track is posed in
        keep = np.nonzero(posed >= max(1.0, self.min_track_fraction * (end - start)))[0]
        pkp, psc, pids = pkp[keep], psc[keep], [pids[m] for m in keep]
        if not pids:
            person_groups = []
        elif self.video is None:
            seen = psc.sum(-1) > 0                                      # (M, T)
            centers = np.stack([(pkp[m][seen[m]] * psc[m][seen[m]][..., None]).sum((0, 1)) /
                                max(psc[m][seen[m]].sum(), 1e-6) for m in range(len(pids))])
            person_groups = (pair_by_proximity(centers) if self.model_persons >= 2
                             else [[m] for m in range(len(pids))])
        else:
            person_groups = []          # RGB + pose: the scene only
        samples = []
        for g in [None] + person_groups:
            k, s = (kp, sc) if g is None else (pkp[g], psc[g])
            shape = self.img_shape
            if g is not None and self.person_crop:
                k, shape = person_frame(k, s, self.person_crop)
            sample = prepare_skeleton(k, s, shape, self.source_layout, self.target_layout)
            if self.video is not None:     # frames of this window, from the video file
                sample.update(filename=self.video, offset=start)
            samples.append(sample)
        scores = inference_recognizer_batch(self.model, samples, self.pipeline)
        labels = self.labels or [f'class {i}' for i in range(scores.shape[1])]
        if scores.shape[1] != len(labels):
            raise ValueError(f'the model has {scores.shape[1]} classes but the label map has '
                             f'{len(labels)} names')

        def top(row):
            return [(labels[i], round(float(row[i]), 4)) for i in np.argsort(-row)[:self.topk]]

        pred['top'] = top(scores[0])
        per_track = {}
        persons = []
        for g, row in zip(person_groups, scores[1:]):
            for m in g:
                seen = np.nonzero(psc[m].sum(-1) > 0)[0]
                if not len(seen):
                    continue
                last = seen[-1]
                box = keypoint_boxes(pkp[m, last][None], psc[m, last][None])[0]
                other = [pids[x] for x in g if x != m]
                best = top(row)
                per_track[int(pids[m])] = row
                persons.append(dict(track_id=int(pids[m]),
                                    bbox=[round(float(x), 1) for x in box],
                                    label=best[0][0], score=best[0][1], topk=best,
                                    partner=int(other[0]) if other else None))
        pred['persons'] = sorted(persons, key=lambda p: p['track_id'])
        self.history.append((start, end, scores[0], per_track))
        return pred

    def segments(self, smooth: int = 3, hold: int = 2) -> Dict:
        """Action segments of the scene and of each person over the windows
        classified so far (:func:`pyskl.apis.segments.segments_from_windows`):
        ``{'scene': [...], 'persons': {track_id: [...]}}``."""
        from pyskl.apis.segments import segments_from_windows
        hist = self.history
        out = dict(scene=segments_from_windows([(s, e) for s, e, _, _ in hist],
                                               np.array([sc for _, _, sc, _ in hist]).reshape(
                                                   len(hist), -1), self.labels, smooth, hold)
                   if hist else [], persons={})
        tracks = sorted({t for _, _, _, pt in hist for t in pt})
        for t in tracks:
            rows = [(s, e, pt[t]) for s, e, _, pt in hist if t in pt]
            out['persons'][t] = segments_from_windows([(s, e) for s, e, _ in rows],
                                                      np.stack([r for _, _, r in rows]),
                                                      self.labels, smooth, hold)
        return out


def label_lines(pred: Optional[Dict]) -> List[str]:
    """Text lines drawn on a frame for a window's prediction."""
    if pred is None:
        return ['(waiting for the first window)']
    if not pred['top']:
        return ['no person']
    return [f'{name}: {score:.2f}' for name, score in pred['top']]


def draw_persons(frame, det, ids, pred: Optional[Dict]):
    """Each detected person's own label (``#id label score``) at its box."""
    if not pred or not pred.get('persons') or not len(det):
        return frame
    by_id = {p['track_id']: p for p in pred['persons']}
    boxes, texts = [], []
    for box, tid in zip(det.bbox, ids):
        if tid in by_id:
            boxes.append(box)
            texts.append(f"#{tid} {by_id[tid]['label']} {by_id[tid]['score']:.2f}")
    return draw_person_labels(frame, np.array(boxes).reshape(-1, 4), texts) if boxes else frame


def _show(frame) -> bool:
    """Show ``frame`` in the demo's window; True when q or Esc was pressed."""
    import cv2
    cv2.imshow('pyskl demo', frame)
    return (cv2.waitKey(1) & 0xFF) in (27, ord('q'))


@contextlib.contextmanager
def _stop_on_interrupt(live: bool):
    """Ctrl-C ends a live run (a camera never ends by itself) the way a source
    that stops does: the frames processed so far are classified and the video
    and ``--pred-out`` are written whole. On a file it aborts as usual."""
    try:
        yield
    except KeyboardInterrupt:
        if not live:
            raise
        print('interrupted: stopping the live run, keeping what was processed')


def _close_window():
    import cv2
    cv2.destroyAllWindows()


def main(argv=None):
    """Run the demo; returns the list of window predictions."""
    args = parse_args(argv)
    labels = load_label_map(args.label_map) if args.label_map else None
    src = VideoSource(args.video, args.short_side)
    if src.live and not args.window:
        raise SystemExit(f'{args.video!r} is a camera or stream: give --window (and --stride)')
    is_onnx = args.checkpoint.endswith('.onnx')
    if args.backend is not None and (args.backend == 'onnxruntime') != is_onnx:
        raise SystemExit(f'--backend {args.backend} needs a '
                         f"{'.onnx file' if args.backend == 'onnxruntime' else 'checkpoint'}"
                         f', got {args.checkpoint!r} (tools/deployment/export_onnx.py exports)')
    model = init_recognizer(args.config, args.checkpoint, args.device)
    estimator = build_estimator(args)
    w, h = src.size
    clf = WindowClassifier(model, labels, estimator.layout, (h, w), args.max_person,
                           args.topk, src.fps, video=args.video, person_crop=args.person_crop,
                           min_track_fraction=args.min_track_fraction)
    if clf.video is not None and src.live:
        raise SystemExit(f'{args.video!r} is a camera or stream: an RGB + pose model reads '
                         'the frames of each window from a video file')
    live = src.live or args.realtime
    if live and not args.window:
        raise SystemExit('--realtime reads the file as a live source: give --window')
    tracker = PoseTracker()
    sink = VideoSink(args.out, src.fps, src.size)
    reader = LatestFrameReader(src, realtime=args.realtime) if live else None
    frames = reader if live else ((i, None, f) for i, f in enumerate(src))
    show = args.show and display_available()
    if args.show and not show:
        print('--show: no display (DISPLAY / WAYLAND_DISPLAY unset): running headless')
    timer = StageTimer()
    total = src.num_frames if args.max_frames is None else min(
        args.max_frames, src.num_frames or args.max_frames)
    preds, current = [], None
    buffered = []          # whole-video mode: (frame, pose, ids) until the label is known
    source_index = []      # the source frame of each processed frame (gaps: dropped)
    stride = args.stride or args.window
    wall = time.perf_counter()
    bar = tqdm(total=None if live else total, desc='pose + tracking', unit='frame')
    try:
        frames = iter(frames)
        t = -1
        with _stop_on_interrupt(live):
            while args.max_frames is None or t + 1 < args.max_frames:
                with timer('decode'):               # waiting for the next frame
                    item = next(frames, None)
                if item is None:
                    break
                idx, captured, frame = item
                t += 1
                source_index.append(idx)
                bar.update(1)
                with timer('pose'):
                    det = estimator(frame)
                with timer('tracking'):
                    ids = tracker.update(det, t)
                if not args.window:
                    buffered.append((frame, det, ids))
                    continue
                if t + 1 >= args.window and (t + 1 - args.window) % stride == 0:
                    with timer('recognition'):
                        current = clf(tracker, t + 1 - args.window, t + 1)
                    if live:
                        current['source_frames'] = [source_index[t + 1 - args.window], idx]
                    preds.append(current)
                    tracker.forget_before(t + 2 - args.window)
                with timer('drawing'):
                    frame = draw_skeletons(frame, det.keypoint, det.keypoint_score,
                                           estimator.layout, ids)
                    frame = draw_persons(frame, det, ids, current)
                    frame = draw_labels(frame, label_lines(current))
                    sink.write(frame)
                    if show and _show(frame):
                        break
                if captured is not None:
                    timer.add('latency', (time.perf_counter() - captured) * 1000.0)
        n = tracker.num_frames
        if n == 0:
            raise SystemExit(f'{args.video!r}: no frame was read')
        if args.max_frames is None and not live:
            src.check_complete()
        if not args.window or not preds:
            # whole video (or a stream shorter than one window): one label
            (start, end), = sliding_windows(n, None)
            current = clf(tracker, start, end)
            preds.append(current)
        elif preds[-1]['end'] < n:
            # the frames after the last full stride: one more window ending at the
            # last frame (as sliding_windows does); reported, not drawn
            start, end = sliding_windows(n, args.window, stride)[-1]
            preds.append(clf(tracker, start, end))
        for frame, det, ids in buffered:
            frame = draw_skeletons(frame, det.keypoint, det.keypoint_score, estimator.layout,
                                   ids)
            frame = draw_persons(frame, det, ids, current)
            sink.write(draw_labels(frame, label_lines(current)))
    except BaseException:
        sink.close(keep=False)          # no partial output video
        raise
    finally:
        bar.close()
        if reader is not None:
            reader.stop()
        sink.close()
        src.close()
        estimator.close()
        if show:
            _close_window()
    wall = time.perf_counter() - wall
    timing = dict(stages=timer.summary(), frames=n, wall_s=round(wall, 3),
                  fps=round(n / wall, 2) if wall > 0 else None,
                  source_frames_read=reader.read if reader else t + 1,
                  dropped=reader.dropped if reader else 0)
    if reader is not None and reader.error is not None:
        print(f'the source stopped: {type(reader.error).__name__}: {reader.error}')
    print('timing (ms per frame; recognition per window): ' + ', '.join(
        f"{k} {v['mean_ms']:.1f} (p95 {v['p95_ms']:.1f})" for k, v in timing['stages'].items())
        + f"; {timing['fps']} frames/s, {timing['dropped']} dropped")
    for p in preds:
        top = ', '.join(f'{n} {s:.3f}' for n, s in p['top']) or p.get('note', '')
        print(f"frames {p['start']}-{p['end'] - 1} ({p['start_s']:.1f}-{p['end_s']:.1f} s): "
              f'{top}')
    print(f'wrote {sink.count} frames to {args.out}')
    segments = clf.segments(args.smooth, args.hold)
    for s in segments['scene']:
        print(f"segment frames {s['start']}-{s['end'] - 1}: {s['label']} {s['score']:.3f}")
    if args.pred_out:
        with atomic_write(args.pred_out, 'w') as f:
            json.dump(dict(video=args.video, config=args.config, checkpoint=args.checkpoint,
                           fps=src.fps, windows=preds, timing=timing,
                           segments=dict(scene=segments['scene'],
                                         persons={str(k): v for k, v in
                                                  segments['persons'].items()})), f, indent=1)
    return preds


if __name__ == '__main__':
    try:
        main()
    except (VideoReadError, OSError) as err:     # a bad input named in one line, exit 2
        print(f'demo_skeleton.py: error: {err}', file=sys.stderr)
        sys.exit(2)
