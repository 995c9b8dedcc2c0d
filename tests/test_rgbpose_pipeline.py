"""RGB + pose pipelines on real video files: decord / OpenCV reading with clear
errors, frames and keypoints moving together through compact / resize / crop /
flip into the quarter-size heatmaps, and RGBPoseConv3D trained and tested from
its config for an iteration (dump with per-modality scores, fused by
fuse_scores.py)."""
import os.path as osp
import pickle
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose

from pyskl.io.video import VideoReadError, decord, num_frames, read_frames
from conftest import ROOT, shared_path

BACKENDS = ['opencv'] + (['decord'] if decord is not None else [])


def write_video(path, T=24, H=240, W=320, marker=None):
    """A black MJPG video; ``marker(t) -> (x, y)`` draws a 9x9 white square."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 25, (W, H))
    for t in range(T):
        frame = np.full((H, W, 3), 30, np.uint8)
        frame[:, :, 2] = (t * 7) % 255                      # frame index in the red channel
        if marker is not None:
            x, y = marker(t)
            frame[y - 4:y + 5, x - 4:x + 5] = 255
        out.write(frame)
    out.release()
    return str(path)


def person(T, x0=120., y0=70.):
    """(1, T, 17, 2) keypoints of a 100x130 px person drifting right; joint 0 at
    the marker."""
    rng = np.random.RandomState(0)
    base = np.stack([rng.uniform(0, 100, 17), rng.uniform(0, 130, 17)], -1)
    base[0] = (50, 20)
    kp = base[None] + np.array([x0, y0]) + np.arange(T)[:, None, None] * np.array([2., 0.])
    return kp[None].astype(np.float32)


@pytest.mark.parametrize('backend', BACKENDS)
def test_video_frames_are_read_once_in_order_with_named_errors(backend, tmp_path):
    path = write_video(tmp_path / 'v.avi')
    assert num_frames(path, backend) == 24
    frames = read_frames(path, [5, 0, 5, 23], backend)
    assert frames.shape == (4, 240, 320, 3) and frames.dtype == np.uint8
    red = frames[:, 100, 10, 0].astype(int)                  # RGB order: red first
    np.testing.assert_allclose(red, [35, 0, 35, 161], atol=4)
    with pytest.raises(VideoReadError, match=r"v.avi.*frame 30 requested"):
        read_frames(path, [0, 30], backend, total_frames=31)
    with pytest.raises(VideoReadError, match='no such file'):
        read_frames(str(tmp_path / 'missing.mp4'), [0], backend)
    junk = tmp_path / 'junk.mp4'
    junk.write_bytes(b'not a video' * 100)
    with pytest.raises(VideoReadError, match='junk.mp4'):
        read_frames(str(junk), [0], backend)


@pytest.mark.shared
def test_decord_and_opencv_read_the_real_video_alike():
    if decord is None:
        pytest.skip('decord not installed')
    path = shared_path('videos', 'S001C001P001R001A001_rgb.avi')
    a = read_frames(path, [0, 50], 'decord').astype(int)
    b = read_frames(path, [0, 50], 'opencv').astype(int)
    assert a.shape == b.shape == (2, 1080, 1920, 3) and np.abs(a - b).mean() < 1


@pytest.mark.parametrize('seed', [0, 1])
def test_keypoint_stays_on_its_pixel_in_frames_and_heatmaps(tmp_path, seed):
    """The marker drawn at joint 0 and the joint's heatmap peak stay together
    through MMCompact, Resize, RandomResizedCrop, Resize, Flip and the
    quarter-size heatmap (pixel-index geometry options)."""
    T = 24
    kp = person(T)
    path = write_video(tmp_path / 'm.avi', T, marker=lambda t: tuple(int(v) for v in kp[0, t, 0]))
    pipe = Compose([
        dict(type='MMUniformSampleFrames', clip_len=dict(RGB=4, Pose=4), test_mode=True),
        dict(type='MMDecode'),
        dict(type='MMCompact', hw_ratio=1., allow_imgpad=True),
        dict(type='Resize', scale=(128, 128), keep_ratio=False, pixel_center=True),
        dict(type='RandomResizedCrop', area_range=(0.7, 0.9)),
        dict(type='Resize', scale=(96, 96), keep_ratio=False, pixel_center=True),
        dict(type='Flip', flip_ratio=1.0, layout='coco', pixel_center=True),
        dict(type='GeneratePoseTarget', sigma=0.7, scaling=0.25, symmetric_window=True)])
    np.random.seed(seed)
    r = pipe(dict(frame_dir='m', filename=path, total_frames=T, img_shape=(240, 320),
                  keypoint=kp.copy(), keypoint_score=np.ones(kp.shape[:3], np.float32)))
    imgs, heat = np.stack(r['imgs']), r['heatmap_imgs']
    assert imgs.shape == (4, 96, 96, 3) and heat.shape == (4, 17, 24, 24)
    # same clip length: both modalities sampled the same frames
    np.testing.assert_array_equal(r['RGB_inds'], r['Pose_inds'])
    for j in range(4):
        ys, xs = np.nonzero(imgs[j, :, :, 1] > 150)           # the marker's pixels
        x, y = r['keypoint'][0, j, 0]
        assert len(xs) > 20
        assert abs(xs.mean() - x) < 1.0 and abs(ys.mean() - y) < 1.0   # frame pixel
        py, px = np.unravel_index(heat[j, 0].argmax(), heat[j, 0].shape)
        assert abs(px - ((x + 0.5) / 4 - 0.5)) <= 0.75 and abs(py - ((y + 0.5) / 4 - 0.5)) <= 0.75


# COCO-17 joints in a unit person box (x, y): head, arms, hips, legs
TEMPLATE = np.array([[.5, .08], [.55, .05], [.45, .05], [.6, .07], [.4, .07], [.7, .25],
                     [.3, .25], [.8, .42], [.2, .42], [.85, .58], [.15, .58], [.62, .55],
                     [.38, .55], [.63, .75], [.37, .75], [.64, .95], [.36, .95]], np.float32)


def weizmann_sample(tmp_path, cls_folder, label):
    """A real Weizmann clip as a video, with keypoints placed in the actor's
    box (foreground = pixels far from the clip's median frame): real frames,
    template poses (MediaPipe is not installed here)."""
    sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
    import weizmann4
    import glob
    strip = sorted(glob.glob(shared_path('weizmann4', 'strips', cls_folder) + '/*.png'))[0]
    frames = weizmann4.strip_frames(strip)[:40]                    # (T, 64, 64, 3) BGR
    path = str(tmp_path / f'w{label}.mp4')
    out = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25, (64, 64))
    for f in frames:
        out.write(f)
    out.release()
    fg = np.abs(frames.astype(int) - np.median(frames, 0)).sum(-1) > 60
    kp = np.zeros((1, len(frames), 17, 2), np.float32)
    for t, m in enumerate(fg):
        ys, xs = np.nonzero(m)
        if len(xs):
            lo, hi = np.array([xs.min(), ys.min()]), np.array([xs.max(), ys.max()])
            kp[0, t] = lo + TEMPLATE * np.maximum(hi - lo, 1)
    return dict(frame_dir=f'w{label}', label=label, total_frames=len(frames),
                img_shape=(64, 64), original_shape=(64, 64), keypoint=kp,
                keypoint_score=np.ones(kp.shape[:3], np.float32))


@pytest.mark.shared
def test_rgbpose_conv3d_config_trains_and_tests_on_real_clips(tmp_path):
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    import fuse_scores
    from pyskl.engine import build_runner, load_config
    anns = [weizmann_sample(tmp_path, '0', 0), weizmann_sample(tmp_path, '3', 1)]
    ann = tmp_path / 'ann.pkl'
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train=['w0', 'w1'], test=['w0', 'w1']),
                         annotations=anns), f)
    cfg = load_config(osp.join(ROOT, 'configs', 'rgbpose_conv3d', 'rgbpose_conv3d.py'),
                      dict(ann_file=str(ann), video_dir=str(tmp_path), train_split='train',
                           test_split='test', num_classes=2, num_epochs=1))
    for key in ('train_dataloader', 'test_dataloader'):
        dl = cfg[key]
        dl.update(batch_size=2 if key == 'train_dataloader' else 1, num_workers=0,
                  persistent_workers=False)
        ds = dl.dataset.get('dataset', dl.dataset)
        for step in ds.pipeline:
            if step['type'] == 'MMUniformSampleFrames':
                step['clip_len'] = dict(RGB=2, Pose=8)
                step['num_clips'] = min(step.get('num_clips', 1), 2)
            if step['type'] == 'Resize':
                step['scale'] = (64, 64) if step['scale'][0] == 256 else (48, 48)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    dump = str(tmp_path / 'result.pkl')
    cfg.test_evaluator = [dict(type='AccMetric'), dict(type='DumpResults', out_file_path=dump)]
    cfg.work_dir, cfg.log_level = str(tmp_path / 'work'), 'WARNING'
    runner = build_runner(cfg)
    runner.train()
    metrics = runner.test()
    assert {'acc/rgb_top1', 'acc/pose_top1', 'acc/RGBPose_1:1_top1', 'acc/top1'} <= set(metrics)
    with open(dump, 'rb') as f:
        results = pickle.load(f)
    assert [r['frame_dir'] for r in results] == ['w0', 'w1']
    assert set(results[0]['pred_score']) == {'rgb', 'pose', 'fused'}
    fused, labels = fuse_scores.fuse([f'{dump}:rgb', f'{dump}:pose'], [1, 1])
    want = np.stack([(r['pred_score']['rgb'] + r['pred_score']['pose']).numpy() for r in results])
    np.testing.assert_allclose(fused, want, rtol=1e-6)
    dumped = fuse_scores.load_dump(f'{dump}:fused')[1]
    np.testing.assert_allclose(dumped, want / 2, rtol=1e-6)
    assert fuse_scores.report(fused, labels)['top1'] == metrics['acc/top1']
    with pytest.raises(ValueError, match='name one'):
        fuse_scores.load_dump(dump)


@pytest.mark.shared
def test_demo_runs_rgbpose_conv3d_on_a_raw_video(tmp_path, monkeypatch):
    """Poses from a (scripted) estimator, frames from the same file, one
    prediction per window, written on the output video (pyskl #250, mmaction2
    #2660: no raw-video path in the references)."""
    sys.path.insert(0, osp.join(ROOT, 'demo'))
    sys.path.insert(0, osp.join(ROOT, 'tests'))
    import demo_skeleton
    from test_apis import ScriptedPose
    from pyskl.apis import init_recognizer
    from pyskl.apis import pose as pose_mod
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'scripted', ScriptedPose)
    cfg = tmp_path / 'rgbpose_small.py'
    base = osp.join(ROOT, 'configs', 'rgbpose_conv3d', 'rgbpose_conv3d.py')
    cfg.write_text(f"_base_ = {base!r}\n"
                   "num_classes = 3\nclip_len = dict(RGB=2, Pose=8)\n"
                   "test_pipeline = [\n"
                   "    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=1,\n"
                   "         test_mode=True),\n"
                   "    dict(type='MMDecode'), dict(type='MMCompact', hw_ratio=1.),\n"
                   "    dict(type='Resize', scale=(64, 64), keep_ratio=False),\n"
                   "    dict(type='GeneratePoseTarget', sigma=0.7, use_score=True, with_kp=True,\n"
                   "         with_limb=False, scaling=0.25),\n"
                   "    dict(type='FormatShape', input_format='NCTHW'),\n"
                   "    dict(type='PackActionInputs', collect_keys=('imgs', 'heatmap_imgs'))]\n")
    model = init_recognizer(str(cfg), None)
    ckpt = str(tmp_path / 'rgbpose.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    video = shared_path('videos', 'ntu_sample.avi')
    out = str(tmp_path / 'out.mp4')
    res = demo_skeleton.main([video, out, '--config', str(cfg), '--checkpoint', ckpt,
                              '--pose-backend', 'scripted', '--short-side', '120',
                              '--window', '8', '--stride', '8', '--max-frames', '16'])
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (8, 16)]
    assert all(len(p['top']) == 3 for p in res)
    # the second window read frames 8..15 of the file: its scores differ from the first's
    assert res[0]['top'] != res[1]['top']
    assert cv2.VideoCapture(out).get(cv2.CAP_PROP_FRAME_COUNT) == 16


@pytest.mark.shared
def test_compress_nturgbd_resizes_renames_resumes_and_reports(tmp_path):
    import shutil
    sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
    import compress_nturgbd
    src = tmp_path / 'raw'
    src.mkdir()
    shutil.copy(shared_path('videos', 'S001C001P001R001A001_rgb.avi'), src)
    (src / 'S002C001P001R001A001_rgb.avi').write_bytes(b'junk' * 10)
    dst = tmp_path / 'videos'
    args = ['--src', str(src), '--dst', str(dst), '--num-proc', '1', '--short-side', '270']
    assert compress_nturgbd.main(args) == 1              # the junk file fails, the rest goes on
    out = dst / 'S001C001P001R001A001.mp4'
    assert num_frames(str(out), 'opencv') == 103
    assert read_frames(str(out), [0, 102], 'opencv').shape == (2, 270, 480, 3)
    assert 'S002C001P001R001A001_rgb.avi: cannot be opened' in (dst / 'errors.txt').read_text()
    mtime = out.stat().st_mtime_ns
    compress_nturgbd.main(args)                          # rerun: finished videos are skipped
    assert out.stat().st_mtime_ns == mtime and not list(dst.glob('*.part.mp4'))


@pytest.mark.shared
def test_weizmann4_split_pairs_and_few_shot(tmp_path):
    """``weizmann4.py split`` on the real strip listing: 6 pairs per class train, 3 test, a
    clip and its mirror in one split, and the few-shot splits are the first 1 / 2 pairs of
    each class (subsets of train)."""
    sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
    import weizmann4
    src = osp.dirname(shared_path('weizmann4', 'strips'))
    names = [f'{weizmann4.CLASSES[weizmann4.FOLDERS[fo]]}_{cid}'
             for fo, cid, _ in weizmann4.clips(src)]
    with open(tmp_path / 'poses.pkl', 'wb') as f:
        pickle.dump([dict(frame_dir=n) for n in names], f)
    with open(weizmann4.make_split(src, str(tmp_path)), 'rb') as f:
        split = pickle.load(f)['split']
    assert (len(split['train']), len(split['test'])) == (48, 24)
    assert not set(split['train']) & set(split['test'])
    for n, size in ((1, 8), (2, 16)):
        few = split[f'train_{n}pair']
        assert len(few) == size and set(few) <= set(split['train'])
        for cls in weizmann4.CLASSES:
            ids = sorted(int(x.split('_')[1]) for x in few if x.startswith(cls + '_'))
            all_ids = sorted(int(x.split('_')[1]) for x in names if x.startswith(cls + '_'))
            assert ids == all_ids[:2 * n]                  # whole (original, mirror) pairs
    for cls in weizmann4.CLASSES:                           # (original, mirror) share a split
        ordered = [x for x in names if x.startswith(cls + '_')]
        for a, b in zip(ordered[::2], ordered[1::2]):
            assert (a in split['test']) == (b in split['test'])
