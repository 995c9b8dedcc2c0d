"""Video -> action: joint mappings, tracker, windows, video I/O, inference,
custom_2d_skeleton.py and demo_skeleton.py (with a scripted pose backend, so
that the suite needs no MediaPipe)."""
import json
import os
import os.path as osp
import pickle
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch

from conftest import ROOT, assert_close_f32, shared_path
from pyskl.apis import (PoseResult, PoseTracker, VideoReadError, VideoSource,
                        inference_recognizer, init_recognizer, prepare_skeleton,
                        sliding_windows)
from pyskl.apis import pose as pose_mod
from pyskl.apis.inference import get_test_pipeline
from pyskl.structures import box_iou, nms
from pyskl.skeleton import get_layout
from pyskl.skeleton.mapping import (COCO_TO_JHMDB, JHMDB_CENTER_PX, JHMDB_TORSO_PX,
                                    MEDIAPIPE_TO_COCO, coco_to_jhmdb, mediapipe_to_coco)

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
sys.path.insert(0, osp.join(ROOT, 'demo'))
import custom_2d_skeleton  # noqa: E402
import demo_skeleton  # noqa: E402

# MediaPipe Pose's 33 landmark names, in index order (MediaPipe documentation).
MEDIAPIPE_NAMES = (
    'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye',
    'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder',
    'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky',
    'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb', 'left_hip',
    'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'left_heel',
    'right_heel', 'left_foot_index', 'right_foot_index')
JHMDB_CFG = f'{ROOT}/configs/stgcnpp/stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'
HAGRID_CFG = f'{ROOT}/configs/stgcnpp/stgcnpp_hagrid-handmp-joint-2d.py'


# ---------------------------------------------------------------- mappings
def test_mediapipe_to_coco_picks_the_same_named_joints():
    assert MEDIAPIPE_TO_COCO == (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
    names = [MEDIAPIPE_NAMES[i] for i in MEDIAPIPE_TO_COCO]
    assert tuple(names) == get_layout('coco').joint_names
    lm = np.stack([np.arange(33), -np.arange(33), np.ones(33)], -1)[None].repeat(2, 0)
    out = mediapipe_to_coco(lm)
    assert out.shape == (2, 17, 3)
    np.testing.assert_array_equal(out[1, :, 0], MEDIAPIPE_TO_COCO)
    with pytest.raises(ValueError, match='33'):
        mediapipe_to_coco(np.zeros((17, 3)))


def test_mediapipe_enum_agrees_when_installed():
    mp = pytest.importorskip('mediapipe')
    enum = mp.solutions.pose.PoseLandmark
    assert tuple(e.name.lower() for e in sorted(enum, key=int)) == MEDIAPIPE_NAMES


def test_coco_to_jhmdb_joints_by_hand():
    coco, jh = get_layout('coco').joint_names, get_layout('jhmdb').joint_names
    for j, c in enumerate(COCO_TO_JHMDB):
        if c >= 0:
            assert jh[j] == ('face' if coco[c] == 'nose' else coco[c])
    kp = np.zeros((1, 2, 17, 2), np.float32)
    kp[..., 5, :], kp[..., 6, :] = (110, 100), (90, 100)      # left / right shoulder
    kp[..., 11, :], kp[..., 12, :] = (105, 150), (95, 150)    # left / right hip
    kp[..., 0, :] = (100, 80)
    sc = np.ones((1, 2, 17), np.float32)
    sc[0, 1, 11] = 0.4
    out, osc = coco_to_jhmdb(kp, sc, normalize=False)
    assert out.shape == (1, 2, 15, 2) and osc.shape == (1, 2, 15)
    # torso axis hip-mid (100,150) -> shoulder-mid (100,100): neck 0.14 beyond, belly 0.23 up
    np.testing.assert_allclose(out[0, 0, 0], (100, 93), atol=1e-4)
    np.testing.assert_allclose(out[0, 0, 1], (100, 138.5), atol=1e-4)
    np.testing.assert_allclose(out[0, 0, 2], (100, 80))           # face = nose
    np.testing.assert_allclose(out[0, 0, 3], (90, 100))           # right shoulder
    assert osc[0, 1, 1] == pytest.approx(0.4) and osc[0, 1, 0] == 1   # belly: min score
    norm, _ = coco_to_jhmdb(kp, sc)
    # torso 50 px -> JHMDB_TORSO_PX, belly centred at JHMDB_CENTER_PX
    np.testing.assert_allclose(norm[0, :, 1], [JHMDB_CENTER_PX] * 2, atol=1e-3)
    np.testing.assert_allclose(norm[0, 0, 0, 1] - norm[0, 0, 1, 1],
                               -(50 + 7 - 11.5) * JHMDB_TORSO_PX / 50, rtol=1e-5)
    # two persons of different size and place: each is normalised on its own
    kp2 = np.concatenate([kp, kp * 2 + 300])
    norm2, _ = coco_to_jhmdb(kp2, np.ones((2, 2, 17), np.float32))
    np.testing.assert_allclose(norm2[1], norm2[0], atol=1e-3)
    sc[0, 0, 9] = 0.0                                            # missing left wrist
    out, osc = coco_to_jhmdb(kp, sc)
    assert osc[0, 0, 12] == 0 and (out[0, 0, 12] == 0).all()


# ---------------------------------------------------------------- tracking
def _person(cx, cy, V=17, h=100.0):
    """A stick person: joints spread around (cx, cy)."""
    ang = np.linspace(0, 2 * np.pi, V, endpoint=False)
    kp = np.stack([cx + 0.2 * h * np.cos(ang), cy + 0.5 * h * np.sin(ang)], -1)
    return kp.astype(np.float32)


def _frame(people, order=None):
    if not people:
        return PoseResult.empty(17)
    kps = [_person(*p) for p in people]
    if order is not None:
        kps = [kps[i] for i in order]
    return PoseResult(np.stack(kps), np.ones((len(kps), 17)))


def test_tracker_keeps_identities_of_crossing_people():
    tracker = PoseTracker()
    rng = np.random.RandomState(0)
    a_ids, b_ids = [], []
    for t in range(21):
        a, b = (10 * t, 200), (200 - 10 * t, 210)            # they cross at t = 10
        order = rng.permutation(2)
        ids = tracker.update(_frame([a, b], order))
        pos = {int(o): i for i, o in enumerate(order)}
        a_ids.append(ids[pos[0]])
        b_ids.append(ids[pos[1]])
    assert len(set(a_ids)) == 1 and len(set(b_ids)) == 1 and a_ids[0] != b_ids[0]
    kp, sc, ids = tracker.arrays()
    assert kp.shape == (2, 21, 17, 2) and (sc == 1).all()
    # each row is one person all along: x of its centre moves monotonically
    cx = kp.mean(2)[..., 0]
    assert all((np.diff(row) > 0).all() or (np.diff(row) < 0).all() for row in cx)


def test_tracker_survives_gaps_empty_frames_and_people_entering_leaving():
    tracker = PoseTracker(max_age=5)
    seen = []
    for t in range(30):
        people = []
        if 3 <= t < 25 and not 10 <= t < 13:                 # A: gap of 3 frames
            people.append((100 + t, 100))
        if 15 <= t < 20:                                      # B enters, leaves
            people.append((400, 120))
        seen.append(tracker.update(_frame(people)))
    assert seen[0] == [] and seen[29] == []                   # empty frames are fine
    a_ids = {ids[0] for t, ids in enumerate(seen) if 3 <= t < 25 and not 10 <= t < 13}
    assert a_ids == {0}                                       # same id across the gap
    kp, sc, ids = tracker.arrays()
    assert ids == [0, 1]                                      # A (19 frames) before B (5)
    assert sc[0, 10:13].sum() == 0 and sc[0, 3:10].all()
    assert sc[1, :15].sum() == 0 and sc[1, 15:20].all() and sc[1, 20:].sum() == 0
    kp, sc, ids = tracker.arrays(15, 20, max_person=1)
    assert kp.shape == (1, 5, 17, 2) and ids == [0]
    # a gap longer than max_age: the person comes back as a new track
    tracker = PoseTracker(max_age=2)
    for t in range(10):
        tracker.update(_frame([(100, 100)] if t < 3 or t >= 7 else []))
    assert [t.track_id for t in tracker.tracks] == [0, 1]


def test_tracker_second_stage_keeps_a_person_whose_pose_changes_shape():
    """A person who bends over: the pose's box goes from 40 x 100 px upright to
    150 x 30 px, centre 70 px lower -- no IoU / OKS similarity with the upright
    pose, so the first stage would start a new track. The second stage joins
    it to their own track (nearest centre, within half the person's size).
    Another person standing 300 px away keeps theirs; a detection far from
    every free track still starts a new one; center_dist=0 is the old rule."""
    def bent(cx, cy):
        kp = _person(cx, cy)
        return np.stack([cx + (kp[:, 1] - cy) * 1.5, cy + (kp[:, 0] - cx) * 0.75], -1)

    for center_dist, expect in ((0.5, [[0, 1], [0, 1], [0, 1, 2]]),
                                (0.0, [[0, 1], [0, 2], [0, 2, 3]])):
        tracker = PoseTracker(center_dist=center_dist)
        up = PoseResult(np.stack([_person(100, 200), _person(400, 200)]), np.ones((2, 17)))
        down = PoseResult(np.stack([_person(100, 200), bent(400, 270)]), np.ones((2, 17)))
        far = PoseResult(np.stack([_person(100, 200), bent(402, 272), _person(800, 200)]),
                         np.ones((3, 17)))
        got = [tracker.update(up), tracker.update(down), tracker.update(far)]
        assert got == expect, center_dist
    sim = tracker.similarity([tracker.tracks[1]], 1, PoseResult(bent(400, 270)[None],
                                                                np.ones((1, 17))))
    assert sim[0, 0] < tracker.min_similarity      # the first stage alone would not match


def test_tracker_arrays_with_nobody_and_order_checks():
    tracker = PoseTracker()
    for _ in range(4):
        tracker.update(PoseResult.empty(17))
    kp, sc, ids = tracker.arrays()
    assert kp.shape == (1, 4, 17, 2) and ids == [] and sc.sum() == 0
    with pytest.raises(ValueError, match='not after'):
        tracker.update(PoseResult.empty(17), frame_idx=2)
    with pytest.raises(ValueError, match=r'\(P, V, 2\)'):
        PoseResult(np.zeros((2, 17)), np.zeros((2, 17)))


# ---------------------------------------------------------------- windows
def test_sliding_window_bookkeeping():
    assert sliding_windows(10, None) == [(0, 10)]
    assert sliding_windows(3, 5) == [(0, 3)]
    assert sliding_windows(10, 4, 2) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    assert sliding_windows(10, 4, 3) == [(0, 4), (3, 7), (6, 10)]
    assert sliding_windows(10, 4) == [(0, 4), (4, 8), (6, 10)]     # last one moved back
    for n, w, s in [(100, 48, 16), (97, 10, 7), (11, 10, 10)]:
        win = sliding_windows(n, w, s)
        assert all(e - b == w for b, e in win) and win[-1][1] == n
        covered = np.zeros(n, bool)
        for b, e in win:
            covered[b:e] = True
        assert covered.all()
    with pytest.raises(ValueError):
        sliding_windows(10, 0)
    with pytest.raises(ValueError):
        sliding_windows(0, 4)


# ---------------------------------------------------------------- video I/O
def test_bad_video_paths_raise_clear_errors(tmp_path):
    with pytest.raises(VideoReadError, match='nope.mp4.*no such file'):
        VideoSource(str(tmp_path / 'nope.mp4'))
    junk = tmp_path / 'junk.mp4'
    junk.write_text('not a video')
    with pytest.raises(VideoReadError, match='junk.mp4'):
        VideoSource(str(junk))


@pytest.mark.shared
def test_real_video_is_read_and_resized():
    path = shared_path('videos', 'ntu_sample.avi')
    with VideoSource(path, short_side=240) as src:
        frames = list(src)
        assert src.original_size == (1920, 1080) and src.size == (427, 240)
        assert src.fps == pytest.approx(30, abs=0.5) and not src.live
    assert len(frames) == 72 and frames[0].shape == (240, 427, 3)


# ---------------------------------------------------------------- inference
def _by_hand(model, sample):
    """The config's test pipeline and the model's test_step, spelled out."""
    import copy
    from mmengine.dataset import Compose, pseudo_collate
    data = Compose(get_test_pipeline(model.cfg))(copy.deepcopy(sample))
    with torch.no_grad():
        return model.test_step(pseudo_collate([data]))[0].pred_score.numpy()


def test_prepare_skeleton_and_jhmdb_gcn_inference():
    kp = np.stack([_person(300 + t, 250) for t in range(20)])[None]
    sample = prepare_skeleton(kp, np.ones(kp.shape[:3]), (480, 640), 'coco', 'jhmdb')
    assert sample['keypoint'].shape == (1, 20, 15, 2) and sample['img_shape'] == (240, 320)
    model = init_recognizer(JHMDB_CFG, None)
    scores = inference_recognizer(model, sample)
    assert_close_f32(scores, _by_hand(model, sample), terms=4096, layers=12)
    with pytest.raises(ValueError, match="'openpose'"):
        prepare_skeleton(kp, np.ones(kp.shape[:3]), (480, 640), 'coco', 'openpose')


def test_posec3d_inference_on_tracked_coco_poses():
    cfg = f'{ROOT}/configs/posec3d/slowonly_r50-tiny_u24_160e_jhmdb_limb.py'
    kp = np.stack([_person(300 + 2 * t, 250) for t in range(30)])[None]
    sample = prepare_skeleton(kp, np.full(kp.shape[:3], 0.9), (480, 640), 'coco', 'jhmdb')
    model = init_recognizer(cfg, None)
    scores = inference_recognizer(model, sample)
    assert_close_f32(scores, _by_hand(model, sample), terms=4096, layers=12)


@pytest.mark.shared
def test_hagrid_checkpoint_runs_on_handmp_keypoints():
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    model = init_recognizer(HAGRID_CFG, ckpt)
    rng = np.random.RandomState(0)
    kp = (rng.rand(1, 12, 21, 2) * [640, 480]).astype(np.float32)
    sample = prepare_skeleton(kp, np.ones(kp.shape[:3]), (480, 640), 'handmp', 'handmp')
    assert 'keypoint_score' not in sample and sample['keypoint'].max() <= 1
    np.testing.assert_allclose(sample['keypoint'] * [640, 480], kp, rtol=1e-5)
    scores = inference_recognizer(model, sample)
    assert_close_f32(scores, _by_hand(model, sample), terms=4096, layers=12)
    other = dict(sample, keypoint=sample['keypoint'][:, ::-1].copy())    # time reversed
    assert np.abs(inference_recognizer(model, other) - scores).max() > 1e-4


@pytest.mark.shared
def test_mismatched_checkpoint_is_refused(tmp_path):
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    with pytest.raises(RuntimeError, match='does not fit the model'):
        init_recognizer(JHMDB_CFG, ckpt)


def test_mmpose_backend_without_packages_says_what_to_install():
    try:
        import mmdet  # noqa: F401
        import mmpose  # noqa: F401
        pytest.skip('mmdet and mmpose are installed')
    except ImportError:
        pass
    with pytest.raises(ImportError, match='mmdet and mmpose'):
        pose_mod.build_pose_estimator('mmpose', det_config='a', det_checkpoint='b',
                                      pose_config='c', pose_checkpoint='d')
    with pytest.raises(KeyError, match='mediapipe'):
        pose_mod.build_pose_estimator('nope')


@pytest.mark.shared
def test_box_iou_nms_by_hand_and_hog_on_a_real_frame():
    a = np.array([[0, 0, 10, 10]], np.float32)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 0, 0]], np.float32)
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0, 0]], rtol=1e-6)
    boxes = np.array([[0, 0, 10, 10, 0.5], [1, 0, 11, 10, 0.9], [30, 30, 40, 40, 0.7]],
                     np.float32)
    kept = nms(boxes, 0.4)                 # IoU(0, 1) = 90/110 > 0.4
    np.testing.assert_allclose(kept[:, 4], [0.9, 0.7])
    # OpenCV's HOG finds the two upright men of the first frame of the demo video
    with VideoSource(shared_path('videos', 'demo_skeleton.mp4'), 540) as src:
        frame = next(iter(src))
    if not hasattr(cv2, 'HOGDescriptor'):             # OpenCV 5 (the core install)
        with pytest.raises(ImportError, match="HOGDescriptor.*opencv-contrib-python"):
            pose_mod.HOGPersonDetector()
        return
    det = pose_mod.HOGPersonDetector()(frame)
    assert det.shape[1] == 5 and (np.diff(det[:, 4]) <= 0).all()
    people = det[(det[:, 3] - det[:, 1]) > 150]       # full-body boxes
    assert len(people) >= 2
    centres = np.sort((people[:, 0] + people[:, 2]) / 2)
    assert centres[-1] - centres[0] > 50             # two different people, side by side


# ------------------------------------------------ tools with a scripted backend
class ScriptedPose(pose_mod.PoseEstimator):
    """A stand-in for MediaPipe: one person whose joints follow the frame's
    mean brightness (so that different videos give different skeletons)."""
    calls = 0

    def __call__(self, frame):
        ScriptedPose.calls += 1
        h, w = frame.shape[:2]
        m = float(frame.mean())
        return PoseResult(_person(w / 2 + m, h / 2, h=h / 3)[None], np.full((1, 17), 0.9))


@pytest.fixture
def scripted_backend(monkeypatch):
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'scripted', ScriptedPose)
    ScriptedPose.calls = 0
    return 'scripted'


@pytest.mark.shared
def test_custom_2d_skeleton_resumes_and_reports_bad_videos(tmp_path, scripted_backend):
    from pyskl.datasets import PoseDataset
    good = shared_path('videos', 'ntu_sample.avi')
    lst = tmp_path / 'list.txt'
    lst.write_text(f'{good} 1\n{tmp_path}/missing.mp4 0\n')
    out = str(tmp_path / 'ann.pkl')
    args = ['--video-list', str(lst), '--out', out, '--pose-backend', scripted_backend,
            '--short-side', '120']
    assert custom_2d_skeleton.main(args) == 1
    errors = open(out + '.errors.txt').read()
    assert 'missing.mp4' in errors and 'no such file' in errors
    with open(out, 'rb') as f:
        anns = pickle.load(f)
    assert len(anns) == 1 and anns[0]['frame_dir'] == 'ntu_sample' and anns[0]['label'] == 1
    assert anns[0]['keypoint'].shape == (1, 72, 17, 2) and anns[0]['img_shape'] == (1080, 1920)
    # keypoints are in pixels of the original frames (x scaled by 1920 / 213)
    assert anns[0]['keypoint'][..., 0].max() > 213
    ds = PoseDataset(out, pipeline=[])
    assert len(ds) == 1 and ds[0]['total_frames'] == 72
    calls = ScriptedPose.calls
    assert custom_2d_skeleton.main(args) == 1                 # rerun: the good one is skipped
    assert ScriptedPose.calls == calls
    # ... and the file trains the custom-dataset config for an iteration
    from mmengine.runner import Runner
    from pyskl.engine.config import load_config
    from test_configs import shrink
    cfg = load_config(f'{ROOT}/configs/stgcnpp/stgcnpp_1xb16-joint-u100-30e_custom-coco-2d.py')
    runner = Runner.from_cfg(shrink(cfg, out, tmp_path / 'work', n_train=1, n_test=1))
    runner.train()
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
    with pytest.raises(ValueError, match='list.txt:1'):
        lst.write_text(f'{tmp_path}/a b.mp4 x\n')
        custom_2d_skeleton.parse_video_list(str(lst))


@pytest.mark.shared
def test_demo_windows_on_a_real_video(tmp_path, scripted_backend, monkeypatch):
    video = shared_path('videos', 'demo_skeleton.mp4')
    model = init_recognizer(JHMDB_CFG, None)
    ckpt = str(tmp_path / 'jhmdb.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    out, preds = str(tmp_path / 'out.mp4'), str(tmp_path / 'preds.json')
    labels = f'{ROOT}/tools/data/label_map/jhmdb.txt'
    res = demo_skeleton.main([video, out, '--config', JHMDB_CFG, '--checkpoint', ckpt,
                              '--label-map', labels, '--pose-backend', scripted_backend,
                              '--short-side', '120', '--window', '8', '--stride', '4',
                              '--max-frames', '16', '--pred-out', preds])
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (4, 12), (8, 16)]
    names = open(labels).read().split()
    assert all(len(p['top']) == 3 and p['top'][0][0] in names for p in res)
    assert json.load(open(preds))['windows'][1]['start'] == 4
    cap = cv2.VideoCapture(out)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 16
    assert int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == 120
    # a tail shorter than a stride: one more window ending at the last frame
    res = demo_skeleton.main([video, out, '--config', JHMDB_CFG, '--checkpoint', ckpt,
                              '--label-map', labels, '--pose-backend', scripted_backend,
                              '--short-side', '120', '--window', '8', '--stride', '4',
                              '--max-frames', '14'])
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (4, 12), (6, 14)]
    # a stream URL (file:// through OpenCV's FFmpeg, as rtsp:// or http:// would be):
    # frames as they come, so --window is required
    url = 'file://' + osp.abspath(video)
    with VideoSource(url, 120) as src:
        assert src.live and src.num_frames is None
    with pytest.raises(SystemExit, match='--window'):
        demo_skeleton.main([url, out, '--config', JHMDB_CFG, '--checkpoint', ckpt,
                            '--pose-backend', scripted_backend])
    # the newest frame only: how many frames are dropped depends on the machine's
    # speed (a file read as a stream comes much faster than it is processed), so
    # assert what holds either way ...
    live = [url, out, '--config', JHMDB_CFG, '--checkpoint', ckpt, '--pose-backend',
            scripted_backend, '--short-side', '120', '--window', '8', '--max-frames', '16',
            '--pred-out', preds]
    res = demo_skeleton.main(live)
    timing = json.load(open(preds))['timing']
    n = timing['frames']
    assert 1 <= n <= 16 and timing['source_frames_read'] >= n + timing['dropped']
    spans = [(p['start'], p['end']) for p in res]
    if n < 8:                      # shorter than one window: the whole stream
        assert spans == [(0, n)]
    else:
        assert spans[0] == (0, 8) and all(e - s == 8 for s, e in spans)
        assert spans[-1][1] == n and len(spans) == (2 if n > 8 else 1)
        assert all(a < b for a, b in (p['source_frames'] for p in res if 'source_frames' in p))
    # ... and, with a reader that keeps every frame, the exact windows
    class EveryFrame:
        def __init__(self, source, realtime=False):
            self.source, self.read, self.dropped, self.error = source, 0, 0, None

        def __iter__(self):
            for i, frame in enumerate(self.source):
                self.read += 1
                yield i, time.perf_counter(), frame

        def stop(self):
            pass
    monkeypatch.setattr(demo_skeleton, 'LatestFrameReader', EveryFrame)
    res = demo_skeleton.main(live)
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (8, 16)]
    assert [p['source_frames'] for p in res] == [[0, 7], [8, 15]]
    assert res[0]['top'][0][0].startswith('class ')          # no --label-map
    # whole-video mode: one label for all frames
    res = demo_skeleton.main([video, out, '--config', JHMDB_CFG, '--checkpoint', ckpt,
                              '--label-map', labels, '--pose-backend', scripted_backend,
                              '--short-side', '120', '--max-frames', '10'])
    assert [(p['start'], p['end']) for p in res] == [(0, 10)]


class NobodyPose(pose_mod.PoseEstimator):
    """A backend that never finds anyone."""

    def __call__(self, frame):
        return PoseResult.empty(17)


@pytest.mark.shared
def test_videos_without_anybody_do_not_crash(tmp_path, monkeypatch):
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'nobody', NobodyPose)
    video = shared_path('videos', 'ntu_sample.avi')
    model = init_recognizer(JHMDB_CFG, None)
    ckpt = str(tmp_path / 'jhmdb.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    res = demo_skeleton.main([video, str(tmp_path / 'o.mp4'), '--config', JHMDB_CFG,
                              '--checkpoint', ckpt, '--pose-backend', 'nobody',
                              '--short-side', '120', '--window', '8', '--max-frames', '12'])
    assert [p['note'] for p in res] == ['no person', 'no person'] and not res[0]['top']
    lst = tmp_path / 'list.txt'
    lst.write_text(f'{video} 0\n')
    out = str(tmp_path / 'ann.pkl')
    assert custom_2d_skeleton.main(['--video-list', str(lst), '--out', out,
                                    '--pose-backend', 'nobody', '--short-side', '120']) == 1
    assert 'no person found in any of its 72 frames' in open(out + '.errors.txt').read()


def test_apis_by_concept_box_ops_and_video_io_in_one_place():
    """Box geometry and the pose result import without any pose backend;
    importing the APIs imports no backend package; one module opens videos."""
    code = ('import sys; import pyskl.structures as s; '
            'assert not [m for m in sys.modules if m.startswith("pyskl.apis")], "apis"; '
            'import pyskl.apis; '
            'assert "mediapipe" not in sys.modules and "mmpose" not in sys.modules, "backend"')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=ROOT)
    opened = []
    for dirpath, _, files in os.walk(osp.join(ROOT, 'pyskl')):
        for f in files:
            if f.endswith('.py'):
                p = osp.join(dirpath, f)
                if 'cv2.VideoCapture(' in open(p).read() or 'cv2.VideoWriter(' in open(p).read():
                    opened.append(osp.relpath(p, ROOT))
    assert opened == ['pyskl/io/video.py'], opened
