"""One label per person in the demo (demo/demo_skeleton.py WindowClassifier):
each track of a window scored alone by a one-person model, pairs chosen by
proximity for a two-person model, all in one batched forward."""
import os.path as osp
import sys

import numpy as np
import torch

from conftest import ROOT
from pyskl.apis import PoseTracker, inference_recognizer, init_recognizer, prepare_skeleton
from pyskl.structures import PoseResult

sys.path.insert(0, osp.join(ROOT, 'demo'))
import demo_skeleton  # noqa: E402

JHMDB = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
NTU2D = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py')


def person(cx, cy, t, wave):
    """A COCO-17 stick person at (cx, cy) whose arms move with frame t."""
    ang = np.linspace(0, 2 * np.pi, 17, endpoint=False)
    kp = np.stack([cx + 20 * np.cos(ang), cy + 50 * np.sin(ang)], -1)
    kp[9:11, 1] -= wave * 30 * np.sin(t / 3)          # wrists
    kp[13:17] += wave * np.array([40.0, -60.0])       # a waving person also kicks
    return kp.astype(np.float32)


def tracked(centres, T=24):
    tr = PoseTracker()
    for t in range(T):
        kp = np.stack([person(cx, cy, t, w) for cx, cy, w in centres])
        tr.update(PoseResult(kp, np.full(kp.shape[:2], 0.9, np.float32)), t)
    return tr


def classifier(cfg, seed=0):
    torch.manual_seed(seed)
    model = init_recognizer(cfg, None)
    with torch.no_grad():
        for p in model.cls_head.parameters():
            p.mul_(50)                                  # scores far from uniform
    return demo_skeleton.WindowClassifier(model, None, 'coco', (480, 640), max_person=2,
                                          topk=3, fps=25.0)


def test_pairs_by_proximity():
    c = np.array([[0, 0], [500, 0], [10, 0], [505, 2], [1000, 0]], np.float32)
    assert demo_skeleton.pair_by_proximity(c) == [[0, 2], [1, 3], [4]]
    assert demo_skeleton.pair_by_proximity(c[:1]) == [[0]]


def test_each_person_is_scored_alone_by_a_one_person_model():
    clf = classifier(JHMDB)
    assert clf.model_persons == 1
    tr = tracked([(150, 240, 1.0), (480, 240, 0.0)])
    pred = clf(tr, 0, 24)
    assert [p['track_id'] for p in pred['persons']] == [0, 1]
    kp, sc, ids = tr.arrays(0, 24)
    for p in pred['persons']:
        m = ids.index(p['track_id'])
        alone = inference_recognizer(clf.model, prepare_skeleton(
            kp[m:m + 1], sc[m:m + 1], (480, 640), 'coco', 'jhmdb'), clf.pipeline)
        assert p['label'] == f'class {int(alone.argmax())}'
        np.testing.assert_allclose(p['score'], alone.max(), atol=1e-4)   # rounded to 4 places
        assert p['partner'] is None and len(p['topk']) == 3
        x1, y1, x2, y2 = p['bbox']
        cx = 150 if m == 0 else 480
        assert x1 < cx < x2 and y1 < 240 < y2       # the box is that person's
    # two different motions, two different score vectors
    assert pred['persons'][0]['topk'] != pred['persons'][1]['topk']


def test_a_two_person_model_labels_pairs_chosen_by_proximity():
    clf = classifier(NTU2D)
    assert clf.model_persons == 2
    tr = tracked([(100, 240, 1.0), (600, 240, 0.0), (160, 240, 0.5)])
    pred = clf(tr, 0, 24)
    by = {p['track_id']: p for p in pred['persons']}
    assert by[0]['partner'] == 2 and by[2]['partner'] == 0 and by[1]['partner'] is None
    assert by[0]['topk'] == by[2]['topk']                # a pair shares its label
    empty = clf(PoseTracker(), 0, 0)
    assert empty['top'] == [] and empty['note'] == 'no person'


def test_segments_of_the_scene_and_each_person():
    clf = classifier(JHMDB)
    tr = tracked([(150, 240, 1.0), (480, 240, 0.0)], T=40)
    for s in range(0, 25, 8):
        clf(tr, s, s + 16)
    seg = clf.segments(smooth=1, hold=1)
    assert sorted(seg['persons']) == [0, 1]
    for segs in [seg['scene']] + list(seg['persons'].values()):
        assert segs[0]['start'] == 0 and segs[-1]['end'] == 40      # the covered frames
        assert all(a['end'] == b['start'] for a, b in zip(segs, segs[1:]))   # no gaps
        assert sum(s['windows'] for s in segs) == 4


def test_people_entering_leaving_and_short_tracks():
    """A person who leaves at frame 12, one who enters at frame 16 for 6 frames (a
    track shorter than the window): both are labelled, each box is their last pose;
    a window with nobody says so."""
    clf = classifier(JHMDB)
    tr = PoseTracker()
    for t in range(30):
        people = []
        if t < 12:
            people.append(person(150, 240, t, 1.0))
        if 16 <= t < 22:
            people.append(person(480, 240, t, 0.0))
        kp = np.stack(people) if people else np.zeros((0, 17, 2), np.float32)
        tr.update(PoseResult(kp, np.full(kp.shape[:2], 0.9, np.float32)), t)
    pred = clf(tr, 0, 24)
    assert len(pred['persons']) == 2
    left, entered = sorted(pred['persons'], key=lambda p: p['bbox'][0])
    assert left['bbox'][0] < 150 < left['bbox'][2] and entered['bbox'][0] < 480 < entered['bbox'][2]
    assert clf(tr, 24, 30)['note'] == 'no person'


def test_person_frame_crops_each_person_square_around_their_joints():
    kp = np.zeros((1, 2, 3, 2), np.float32)
    kp[0, 0] = [[100, 200], [140, 260], [120, 300]]          # extent 40 x 100
    kp[0, 1, :2] = [[110, 210], [130, 250]]
    sc = np.ones((1, 2, 3), np.float32)
    sc[0, 1, 2] = 0                                           # a missing joint
    out, shape = demo_skeleton.person_frame(kp, sc, 1.5)
    assert shape == (150, 150)                                # 1.5 x the larger side
    corner = np.array([120 - 75, 250 - 75], np.float32)       # centred on the box
    np.testing.assert_allclose(out[0, 0], kp[0, 0] - corner)
    assert (out[0, 1, 2] == 0).all()
    # in its own frame a person scores the same wherever they stand; in the
    # whole frame (a COCO model: pixels normalised by the frame), position matters
    coco_cfg = osp.join(ROOT, 'tests', 'data', 'weizmann_composite', 'stgcnpp_c16_weizmann4.py')

    def person_topk(cx, crop):
        clf = classifier(coco_cfg)
        clf.person_crop = crop
        return clf(tracked([(cx, 240, 1.0)]), 0, 24)['persons'][0]['topk']
    assert person_topk(150, 1.5) == person_topk(480, 1.5)
    assert person_topk(150, None) != person_topk(480, None)


def test_a_one_frame_detection_gets_no_label_of_its_own():
    """A false detection seen in one frame of a 24-frame window (below the
    default 10 % of the window's frames) is listed among the window's tracks
    but gets no person label; with ``min_track_fraction=0`` it does."""
    clf = classifier(JHMDB)
    tr = PoseTracker()
    for t in range(24):
        people = [person(150, 240, t, 1.0)]
        if t == 10:
            people.append(person(480, 240, t, 0.0))
        kp = np.stack(people)
        tr.update(PoseResult(kp, np.full(kp.shape[:2], 0.9, np.float32)), t)
    pred = clf(tr, 0, 24)
    assert sorted(pred['tracks']) == [0, 1]
    assert [p['track_id'] for p in pred['persons']] == [0]
    clf.min_track_fraction = 0.0
    assert [p['track_id'] for p in clf(tr, 0, 24)['persons']] == [0, 1]
    clf.min_track_fraction = 1.0          # posed in every frame: track 0 only
    assert [p['track_id'] for p in clf(tr, 0, 24)['persons']] == [0]
    assert [p['track_id'] for p in clf(tr, 8, 24)['persons']] == [0]


def test_min_track_fraction_out_of_range_is_refused(tmp_path, capsys):
    import pytest
    with pytest.raises(SystemExit):
        demo_skeleton.parse_args(['in.mp4', str(tmp_path / 'o.mp4'), '--config', 'c.py',
                                  '--checkpoint', 'c.pth', '--min-track-fraction', '1.5'])
    assert '--min-track-fraction must be in [0, 1], got 1.5' in capsys.readouterr().err
