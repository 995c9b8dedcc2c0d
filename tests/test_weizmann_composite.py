"""The known-answer test of one label per person (issue: per-person actions):
two real Weizmann actors side by side, each doing a different action, posed
by the offline estimator, labelled by a model trained on the other actors.

The composites are made from the real strips (tools/data/weizmann_composite.py,
test-split clips only). The estimator's raw detections on two of them were
recorded once with MediaPipe (``poses`` step, fixtures
``tests/data/weizmann_composite/*.poses.npz``) and are replayed here, so the
demo runs end to end (video, tracking, per-person windows, --pred-out) without
MediaPipe. The model: ``stgcnpp_c16_weizmann4.py`` (the small-dataset recipe,
base_channels 16) trained on the Weizmann-4 train split, seed 0, stored in
float16 arrays (``stgcnpp_c16_weizmann4_fp16.npz``, trained with
``python tools/train.py tests/data/weizmann_composite/stgcnpp_c16_weizmann4.py --seed 0``
then converted)."""
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT, fixture_path, shared_path

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
sys.path.insert(0, osp.join(ROOT, 'demo'))
import demo_skeleton  # noqa: E402
import weizmann4  # noqa: E402
import weizmann_composite  # noqa: E402

CFG = fixture_path('weizmann_composite/stgcnpp_c16_weizmann4.py')
VIDEOS = ('wave1+jack', 'wave1+wave2')


def load_fixture_model():
    """The state dict stored as one float16 array and an index of (name,
    shape, dtype) (one array: a few hundred small tensors cost more in a
    zip's headers than in data)."""
    d = np.load(fixture_path('weizmann_composite/stgcnpp_c16_weizmann4_fp16.npz'))
    flat, sd, at = d['flat'].astype(np.float32), {}, 0
    for name, shape, dtype in json.loads(str(d['index'])):
        n = int(np.prod(shape))
        sd[name] = torch.from_numpy(flat[at:at + n].reshape(shape).copy()).to(getattr(torch, dtype))
        at += n
    assert at == len(flat)
    return sd


@pytest.fixture(scope='module')
def composites(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('composite'))
    truth = weizmann_composite.make(shared_path('weizmann4'), out)
    return out, {osp.splitext(v['video'])[0]: v for v in truth}


@pytest.mark.shared
def test_composites_hold_two_test_actors_of_different_classes(composites):
    import cv2
    out, truth = composites
    assert sorted(truth) == sorted(f'{a}+{b}' for i, a in enumerate(weizmann4.CLASSES)
                                   for b in weizmann4.CLASSES[i + 1:])
    clips = set()
    for name, v in truth.items():
        left, right = name.split('+')
        assert v['left']['cls'] == left and v['right']['cls'] == right
        clips |= {v['left']['clip'], v['right']['clip']}
        cap = cv2.VideoCapture(osp.join(out, v['video']))
        ok, frame = cap.read()
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        cap.release()
        assert ok and frame.shape == (512, 576, 3) and n == v['frames'] <= 96
        assert v['left']['x'] == [0, 256] and v['right']['x'] == [320, 576]
    # test-split originals only, ids in the test half of each class (pairs 6-8)
    for c in clips:
        cls, cid = c.rsplit('_', 1)
        ids = sorted(i for f, i, _ in weizmann4.clips(shared_path('weizmann4'))
                     if weizmann4.CLASSES[weizmann4.FOLDERS[f]] == cls)
        assert ids.index(cid) >= 2 * weizmann4.TRAIN_PAIRS and ids.index(cid) % 2 == 0


def test_the_composite_frame_is_two_clips_and_a_gap():
    a = np.full((10, 64, 64, 3), 10, np.uint8)
    b = np.full((4, 64, 64, 3), 200, np.uint8)
    b[1] = 201
    f = weizmann_composite.compose(a, b, 16, 96)
    assert f.shape == (10, 64, 144, 3)
    assert (f[:, :, :64] == 10).all() and (f[:, :, 80:] == f[np.arange(10), :, 80:]).all()
    assert (f[5, :, 80:] == 201).all() and (f[4, :, 80:] == 200).all()   # looped: 5 % 4 = 1
    assert weizmann_composite.compose(a, b, 16, 6).shape[0] == 6
    p = weizmann_composite.compose(a, b, 16, 96, pad=5)
    assert p.shape == (10, 74, 144, 3) and (p[:, :5] == p[:, 5:6]).all() and (p[:, 5:69] == f).all()


def test_scoring_counts_each_half():
    video = dict(size=[576, 256], left=dict(cls='wave1'), right=dict(cls='jack'))
    windows = [dict(persons=[dict(bbox=[20, 0, 200, 250], label='wave1'),
                             dict(bbox=[350, 0, 560, 250], label='wave1')]),
               dict(persons=[dict(bbox=[350, 0, 560, 250], label='jack')])]
    r = weizmann_composite.score_windows(windows, video)
    assert r == dict(correct=2, total=3, both_found=1, windows=2, people_right=2, left_right=1,
                     right_right=1)
    # a person in two pieces: counted per piece, and once as a person (the majority)
    pieces = [dict(persons=[dict(bbox=[20, 0, 200, 250], label='wave1'),
                            dict(bbox=[350, 0, 560, 250], label='jack'),
                            dict(bbox=[360, 0, 550, 250], label='jack'),
                            dict(bbox=[370, 0, 540, 250], label='bend')]),
              dict(persons=[dict(bbox=[350, 0, 560, 250], label='jack'),
                            dict(bbox=[360, 0, 550, 250], label='wave1')])]   # a tie: wrong
    r = weizmann_composite.score_windows(pieces, video)
    assert r == dict(correct=4, total=6, both_found=1, windows=2, people_right=2, left_right=1,
                     right_right=1)
    # boxes of a demo run with --short-side 128: half the pixels
    half = [dict(persons=[dict(bbox=[10, 0, 100, 125], label='wave1'),
                          dict(bbox=[175, 0, 280, 125], label='jack')])]
    assert weizmann_composite.score_windows(half, video, 128)['correct'] == 2


@pytest.mark.shared
@pytest.mark.parametrize('name', VIDEOS)
def test_each_person_gets_their_own_action(composites, name, tmp_path, monkeypatch):
    out, truth = composites
    ckpt = str(tmp_path / 'model.pth')
    torch.save(dict(state_dict=load_fixture_model()), ckpt)
    poses = fixture_path(f'weizmann_composite/{name}.poses.npz')
    monkeypatch.setattr(demo_skeleton, 'build_estimator',
                        lambda args: weizmann_composite.ReplayEstimator(poses))
    labels = str(tmp_path / 'labels.txt')
    with open(labels, 'w') as f:
        f.write('\n'.join(weizmann4.CLASSES) + '\n')
    pred_out = str(tmp_path / 'pred.json')
    demo_skeleton.main([osp.join(out, f'{name}.mp4'), str(tmp_path / 'out.mp4'),
                        '--config', CFG, '--checkpoint', ckpt, '--label-map', labels,
                        '--window', '32', '--stride', '8', '--person-crop', '1.5',
                        '--pred-out', pred_out])
    windows = json.load(open(pred_out))['windows']
    r = weizmann_composite.score_windows(windows, truth[name], 480)   # the demo's short side
    assert r['windows'] >= 4 and r['both_found'] == r['windows']
    assert r['correct'] / r['total'] >= 0.75, r


def test_segment_scoring_against_known_boundaries():
    true = [dict(start=0, end=50, cls='wave1'), dict(start=50, end=100, cls='jack')]
    pred = [dict(start=4, end=56, label='wave1'), dict(start=56, end=96, label='jack')]
    r = weizmann_composite.score_segments(pred, true, 100)
    assert r['boundary_error'] == [6] and r['frames_covered'] == 92
    assert r['frame_accuracy'] == pytest.approx((46 + 40) / 92)
    r = weizmann_composite.score_segments([dict(start=0, end=100, label='bend')], true, 100)
    assert r['frame_accuracy'] == 0 and r['boundary_error'] == [None]


@pytest.mark.shared
def test_long_videos_hold_one_clip_of_each_class(tmp_path):
    import cv2
    truth = weizmann_composite.make_long(shared_path('weizmann4'), str(tmp_path))
    assert len(truth) == 3
    for v in truth:
        segs = v['segments']
        assert sorted(s['cls'] for s in segs) == sorted(weizmann4.CLASSES)
        assert segs[0]['start'] == 0 and segs[-1]['end'] == v['frames']
        assert all(a['end'] == b['start'] for a, b in zip(segs, segs[1:]))
        assert all(s['end'] - s['start'] >= 64 for s in segs)
        cap = cv2.VideoCapture(str(tmp_path / v['video']))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == v['frames']
        cap.release()
