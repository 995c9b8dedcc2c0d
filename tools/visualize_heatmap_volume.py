"""Animate a sample's keypoint and limb heatmap volumes next to its skeleton.

    python tools/visualize_heatmap_volume.py data/jhmdb/jhmdb_gt.pkl.gz \
        --sample 0 --layout jhmdb --out vis.gif

Writes a GIF (``.gif``) or MP4 (``.mp4``) with one frame per sampled frame:
the skeleton (joints and layout edges), the keypoint heatmaps and the limb
heatmaps (maximum over channels, jet colours) -- the three columns of the
PoseC3D figures. The volumes come from the same transforms as the
PoseC3D configs: UniformSampleFrames (test mode) -> PoseDecode ->
PoseCompact (hw_ratio 1) -> Resize (size x size) -> GeneratePoseTarget.
"""
from __future__ import annotations

import argparse
import os.path as osp
import sys

import cv2
import numpy as np
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from pyskl.datasets.transforms import (GeneratePoseTarget, PoseCompact, PoseDecode,  # noqa: E402
                                       Resize, UniformSampleFrames)
from pyskl.apis.drawing import draw_labels, draw_skeletons  # noqa: E402
from pyskl.io import VideoSink, check_output_path  # noqa: E402
from pyskl.datasets.pose_dataset import AnnotationError, load_annotation_file  # noqa: E402



def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('ann_file', help='PYSKL/MMAction2 annotation pickle')
    p.add_argument('--sample', default='0', help='index or frame_dir of the sample')
    p.add_argument('--layout', default='coco', help='skeleton layout of the keypoints')
    p.add_argument('--out', default='heatmap_volume.gif', help='.gif or .mp4')
    p.add_argument('--clip-len', type=int, default=48)
    p.add_argument('--size', type=int, default=64, help='heatmap side in pixels')
    p.add_argument('--sigma', type=float, default=0.6)
    p.add_argument('--scale', type=int, default=4, help='display pixels per heatmap pixel')
    p.add_argument('--fps', type=float, default=8)
    args = p.parse_args(argv)
    for name in ('clip_len', 'size', 'scale'):
        if getattr(args, name) < 1:
            p.error(f'--{name.replace("_", "-")} must be at least 1, got {getattr(args, name)}')
    for name in ('sigma', 'fps'):
        if not getattr(args, name) > 0:
            p.error(f'--{name} must be positive, got {getattr(args, name)}')
    try:
        check_output_path(args.out, '--out', inputs=[args.ann_file], suffixes=('.gif', '.mp4'))
    except OSError as e:
        p.error(str(e))
    return args


class NoSuchSample(AnnotationError, KeyError):
    """The sample asked for is not in the file."""


def load_sample(ann_file: str, key: str) -> dict:
    """One annotation by index or ``frame_dir``; raises KeyError naming the file."""
    data = load_annotation_file(ann_file)
    anns = data['annotations'] if isinstance(data, dict) else data
    if key.isdigit() and int(key) < len(anns):
        return dict(anns[int(key)])
    for a in anns:
        if a['frame_dir'] == key:
            return dict(a)
    raise NoSuchSample(f'{ann_file}: no sample {key!r} (give an index < {len(anns)} or a '
                       'frame_dir)')


def volumes(sample: dict, layout, clip_len: int, size: int, sigma: float):
    """Returns (keypoint (T, V, 2) of person 0 in heatmap pixels, keypoint
    volume (T, V, H, W), limb volume (T, L, H, W))."""
    r = dict(sample, test_mode=True)
    if 'keypoint_score' not in r:
        r['keypoint_score'] = np.ones(r['keypoint'].shape[:3], np.float32)
    for t in (UniformSampleFrames(clip_len, test_mode=True), PoseDecode(),
              PoseCompact(hw_ratio=1.0, allow_imgpad=True),
              Resize(scale=(size, size), keep_ratio=False)):
        r = t(r)
    kp_vol = GeneratePoseTarget(sigma=sigma, with_kp=True, layout=layout)(dict(r))['imgs']
    limb_vol = GeneratePoseTarget(sigma=sigma, with_kp=False, with_limb=True,
                                  layout=layout)(dict(r))['imgs']
    return r['keypoint'], r['keypoint_score'], kp_vol, limb_vol


def colour(vol: np.ndarray, scale: int) -> np.ndarray:
    """(C, H, W) maps in [0, 1] -> (H*scale, W*scale, 3) uint8 jet image."""
    m = np.clip(vol.max(axis=0), 0, 1)
    img = cv2.applyColorMap((m * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def skeleton(kp: np.ndarray, score: np.ndarray, layout: str, size: int, scale: int) -> np.ndarray:
    """One frame's persons (kp (M, V, 2) heatmap pixels) drawn on a white
    ``size * scale`` canvas (pixel centres scaled: ``(x + 0.5) * scale``)."""
    canvas = np.full((size * scale, size * scale, 3), 255, np.uint8)
    return draw_skeletons(canvas, (kp + 0.5) * scale, score, layout, threshold=0,
                          joint_color=(20, 140, 20))


def write(frames, out: str, fps: float) -> None:
    if out.endswith('.gif'):
        from PIL import Image
        imgs = [Image.fromarray(f[..., ::-1]) for f in frames]
        imgs[0].save(out, save_all=True, append_images=imgs[1:], duration=int(1000 / fps),
                     loop=0)
    else:
        h, w = frames[0].shape[:2]
        sink = VideoSink(out, fps, (w, h))
        for f in frames:
            sink.write(f)
        sink.close()


def main(argv=None):
    args = parse_args(argv)
    sample = load_sample(args.ann_file, args.sample)
    kp, score, kp_vol, limb_vol = volumes(sample, args.layout, args.clip_len, args.size,
                                          args.sigma)
    frames = []
    for t in tqdm(range(kp_vol.shape[0]), desc='rendering'):
        panels = [skeleton(kp[:, t], score[:, t], args.layout, args.size, args.scale),
                  colour(kp_vol[t], args.scale), colour(limb_vol[t], args.scale)]
        frame = np.concatenate([np.pad(p, ((4, 4), (4, 4), (0, 0)), constant_values=255)
                                for p in panels], axis=1)
        draw_labels(frame, [f'{sample["frame_dir"]}  t={t}'])
        frames.append(frame)
    write(frames, args.out, args.fps)
    print(f'wrote {args.out}: {len(frames)} frames of {frames[0].shape[1]}x{frames[0].shape[0]}')


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'tools/visualize_heatmap_volume.py')
