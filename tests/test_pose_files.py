"""Pose files users bring (tools/data/convert_pose_files.py, pyskl.io.pose_files).

Known answers come from the real files themselves: an excerpt of them is in
tests/data/pose_files_excerpt.json.gz ({path under ../shared/data/formats:
file text}; OpenPose frames are byte-identical copies, the MMPose file its
first 3 frames)."""
import gzip
import json
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

from conftest import ROOT, fixture_path, shared_path
from pyskl.io.pose_files import PoseFileError, read_pose_file
from pyskl.skeleton import get_layout
from pyskl.skeleton.mapping import TO_COCO

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import convert_pose_files  # noqa: E402

OP12 = 'openpose_json/body25_pixels_multiperson/video'
INFANT = 'openpose_json/body25_normalized_infant/sitting_0'
B25B = 'openpose_json/body25b_pose2sim_multiview/cam01_json'
KIN = 'openpose_json/kinetics_skeleton_stgcn_coco18/train/sAP-xS5P0Bw.json'
MMP = 'mmpose_json/mmpose_inferencer_wholebody133/multi-human.json'


@pytest.fixture(scope='module')
def formats(tmp_path_factory):
    """The excerpt written out as the files it was taken from."""
    root = tmp_path_factory.mktemp('formats')
    with gzip.open(fixture_path('pose_files_excerpt.json.gz'), 'rt') as f:
        for rel, text in json.load(f).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
    return root


def convert(args, out):
    code = convert_pose_files.main([str(a) for a in args] + ['--out', str(out)])
    with open(out, 'rb') as f:
        return code, pickle.load(f)


def test_coco_mappings_and_new_layouts_by_joint_name():
    coco = get_layout('coco').joint_names
    for layout, idx in TO_COCO.items():
        if layout == 'mediapipe':
            continue
        names = get_layout(layout).joint_names
        assert [names[i] for i in idx] == list(coco), layout
    for layout, V in (('body25', 25), ('body25b', 25), ('coco_wholebody', 133)):
        lay = get_layout(layout)
        assert lay.num_node == V and len(lay.inward) == V - 1      # a tree over all joints
        names, flip = lay.joint_names, lay.flip_index
        for i, n in enumerate(names):      # a flip swaps left and right, nothing else
            if n.startswith('face-'):
                continue
            swapped = n.replace('left', '#').replace('right', 'left').replace('#', 'right')
            assert names[flip[i]] == swapped, (layout, n, names[flip[i]])
        assert len(lay.bones) == V
    wb = get_layout('coco_wholebody')
    # face: jaw ends and eye corners mirror (iBUG-68 points 0 <-> 16, 36 <-> 45)
    assert wb.flip_index[23] == 39 and wb.flip_index[23 + 36] == 23 + 45
    assert wb.parents[91] == 9 and wb.parents[112] == 10       # hands hang from the wrists


def test_openpose_twelve_people_known_answer(formats, tmp_path):
    """Frame 5 of the real BODY_25 sequence holds 12 people: every one of them
    is, joint for joint, one track of the output at frame 5 (pixels as in the
    file, scores kept); --layout coco picks BODY_25's COCO joints."""
    files = sorted((formats / OP12).glob('*.json'))
    frame5 = json.loads(files[5].read_text())['people']
    assert len(frame5) == 12
    want = np.array([p['pose_keypoints_2d'] for p in frame5], np.float32).reshape(12, 25, 3)
    seq = read_pose_file(str(formats / OP12))
    assert seq.layout == 'body25' and not seq.normalized and len(seq.frames) == 7
    np.testing.assert_array_equal(seq.frames[5].keypoint, want[..., :2])
    code, data = convert([formats / OP12, '--img-shape', 720, 1280], tmp_path / 'a.pkl')
    assert code == 0 and len(data) == 1
    a = data[0]
    assert a['frame_dir'] == 'video' and a['keypoint'].shape[1:] == (7, 25, 2)
    assert a['img_shape'] == (720, 1280) and a['total_frames'] == 7 and a['label'] == -1
    for p in range(12):
        seen = want[p, :, 2] > 0
        hits = [m for m in range(len(a['keypoint']))
                if np.array_equal(a['keypoint'][m, 5][seen], want[p, seen, :2])
                and np.array_equal(a['keypoint_score'][m, 5], want[p, :, 2])]
        assert len(hits) == 1, p
    code, data = convert([formats / OP12, '--img-shape', 720, 1280, '--layout', 'coco',
                          '--max-person', 3], tmp_path / 'b.pkl')
    c = data[0]
    assert c['keypoint'].shape == (3, 7, 17, 2)
    # the most visible track, frame 0: COCO left_shoulder = BODY_25 joint 5,
    # left_eye = joint 16
    kp0 = np.array([p['pose_keypoints_2d'] for p in json.loads(files[0].read_text())['people']],
                   np.float32).reshape(-1, 25, 3)
    m = [i for i in range(len(kp0)) if np.array_equal(kp0[i, 5, :2], c['keypoint'][0, 0, 5])]
    assert len(m) == 1 and np.array_equal(kp0[m[0], 16, :2], c['keypoint'][0, 0, 1])


def test_normalized_openpose_is_scaled_and_body25b_is_its_own_layout(formats, tmp_path):
    first = json.loads(sorted((formats / INFANT).glob('*.json'))[0].read_text())
    x, y, s = first['people'][0]['pose_keypoints_2d'][:3]
    seq = read_pose_file(str(formats / INFANT))
    assert seq.normalized
    with pytest.raises(PoseFileError, match='normalised'):
        seq.to_pixels(None)
    code, data = convert([formats / INFANT, '--img-shape', 480, 640], tmp_path / 'a.pkl')
    kp, sc = data[0]['keypoint'], data[0]['keypoint_score']
    m = int(np.argmax(sc[:, 0, 0]))
    np.testing.assert_allclose(kp[m, 0, 0], [x * 640, y * 480], rtol=1e-6)
    assert sc[m, 0, 0] == np.float32(s)
    seq = read_pose_file(str(formats / B25B), openpose_model='BODY_25B')
    assert seq.layout == 'body25b'
    code, data = convert([formats / B25B, '--openpose-model', 'BODY_25B', '--img-shape',
                          1080, 1920, '--layout', 'coco'], tmp_path / 'b.pkl')
    raw = np.array(json.loads(sorted((formats / B25B).glob('*.json'))[0].read_text())[
        'people'][0]['pose_keypoints_2d'], np.float32).reshape(25, 3)
    assert np.array_equal(data[0]['keypoint'][0, 0], raw[:17, :2])     # COCO order already


def test_kinetics_skeleton_empty_frames_label_and_frame_size(formats, tmp_path):
    """ST-GCN's file: 299 frames, all but one empty; [0, 1] coordinates of the
    340x256 frames; label_index kept."""
    d = json.loads((formats / KIN).read_text())
    full = [f for f in d['data'] if f['skeleton']]
    assert len(d['data']) == 299 and len(full) == 1
    code, data = convert([formats / KIN], tmp_path / 'k.pkl')
    a = data[0]
    assert a['label'] == d['label_index'] == 199 and a['img_shape'] == (256, 340)
    assert a['total_frames'] == 299 and a['keypoint'].shape == (1, 299, 18, 2)
    t = full[0]['frame_index'] - 1
    pose = np.array(full[0]['skeleton'][0]['pose'], np.float32).reshape(18, 2)
    np.testing.assert_allclose(a['keypoint'][0, t], pose * [340, 256], rtol=1e-6)
    assert (a['keypoint_score'][0, np.arange(299) != t] == 0).all()


def test_mmpose_wholebody_known_answer_and_coco_body(formats, tmp_path):
    d = json.loads((formats / MMP).read_text())
    inst = d[1]['instances'][1]
    code, data = convert([formats / MMP, '--img-shape', 720, 1280], tmp_path / 'w.pkl')
    a = data[0]
    assert a['keypoint'].shape[2] == 133 and a['total_frames'] == 3
    want = np.array(inst['keypoints'], np.float32)
    hits = [m for m in range(len(a['keypoint'])) if np.array_equal(a['keypoint'][m, 1], want)]
    assert len(hits) == 1
    np.testing.assert_array_equal(a['keypoint_score'][hits[0], 1],
                                  np.clip(np.array(inst['keypoint_scores'], np.float32), 0, 1))
    code, data = convert([formats / MMP, '--img-shape', 720, 1280, '--layout', 'coco'],
                         tmp_path / 'c.pkl')
    assert np.array_equal(data[0]['keypoint'][hits[0], 1], want[:17])


def test_malformed_files_are_named_and_the_rest_converted(formats, tmp_path, capsys):
    bad = tmp_path / 'bad'
    bad.mkdir()
    (bad / 'cut.json').write_text((formats / KIN).read_text()[:500])
    (bad / 'nobody.json').write_text(json.dumps([{'frame_id': 0, 'instances': []}]))
    d = json.loads((formats / MMP).read_text())
    d[2]['instances'][0]['keypoints'] = d[2]['instances'][0]['keypoints'][:100]
    (bad / 'short.json').write_text(json.dumps(d))
    op = tmp_path / 'op'
    op.mkdir()
    (op / 'x_000000000000_keypoints.json').write_text(json.dumps(
        {'people': [{'pose_keypoints_2d': [1.0] * 75}, {'pose_keypoints_2d': [1.0] * 54}]}))
    code, data = convert([bad, op, formats / KIN], tmp_path / 'o.pkl')
    err = capsys.readouterr().err
    assert code == 1 and [a['frame_dir'] for a in data] == ['sAP-xS5P0Bw']
    for name, why in (('cut.json', 'not a readable JSON'), ('nobody.json', 'nobody'),
                      ('short.json', 'frame 2, instance 0: keypoints (100, 2)'),
                      ('x_000000000000_keypoints.json', 'person 1 has 18 joints')):
        line = [ln for ln in err.splitlines() if name in ln]
        assert len(line) == 1 and why in line[0], (name, err)
    with pytest.raises(SystemExit):
        convert_pose_files.main([str(formats / OP12), '--out', str(tmp_path / 'x.pkl')])
    assert '--img-shape' in capsys.readouterr().err      # pixels need the frame size
    with pytest.raises(SystemExit) as e:
        convert_pose_files.main([str(tmp_path / 'none'), '--out', str(tmp_path / 'y.pkl')])
    assert e.value.code == 2


@pytest.mark.shared
def test_every_real_pose_file_converts(tmp_path):
    """All real files of ../shared/data/formats (OpenPose BODY_25 pixels and
    normalised, BODY_25B, Kinetics-skeleton, MMPose COCO-WholeBody, the
    COCO-17 variant with --ignore-scores): every frame's people are kept."""
    f = shared_path('formats')
    runs = [([osp.join(f, 'openpose_json', 'body25_pixels_multiperson', 'video'),
              osp.join(f, 'openpose_json', 'body25_normalized_infant'),
              osp.join(f, 'openpose_json', 'kinetics_skeleton_stgcn_coco18', 'train'),
              osp.join(f, 'openpose_json', 'kinetics_skeleton_stgcn_coco18', 'val'),
              osp.join(f, 'mmpose_json', 'mmpose_inferencer_wholebody133')], []),
            ([osp.join(f, 'openpose_json', 'body25b_pose2sim_multiview')],
             ['--openpose-model', 'BODY_25B']),
            ([osp.join(f, 'mmpose_json', 'pct_coco17_custom', 'hanging_annotated.json')],
             ['--ignore-scores'])]
    names = []
    for inputs, extra in runs:
        code, data = convert(inputs + extra + ['--img-shape', 720, 1280], tmp_path / 'o.pkl')
        assert code == 0
        names += [a['frame_dir'] for a in data]
        for a in data:
            per_frame = (a['keypoint_score'].sum(-1) > 0).sum(0)
            assert per_frame.max() <= len(a['keypoint'])
            if a['frame_dir'] == 'video':       # the 12-person frame is whole
                assert per_frame.max() == 12 and a['total_frames'] == 150
    assert len(names) == 17 and 'multi-human' in names and 'cam04_json' in names
