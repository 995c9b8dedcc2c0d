"""Custom data end to end: splits (tools/data/make_split.py), merging
(tools/data/merge_annotations.py), label maps, the mmdet + mmpose backend of
custom_2d_skeleton.py. Real data: the shipped JHMDB poses."""
import gzip
import os.path as osp
import pickle
import sys
import types
from collections import Counter

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import custom_2d_skeleton  # noqa: E402
import make_split  # noqa: E402
import merge_annotations  # noqa: E402

JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')


@pytest.fixture(scope='module')
def jhmdb():
    with gzip.open(JHMDB, 'rb') as f:
        return pickle.load(f)


def split_of(path):
    with open(path, 'rb') as f:
        return pickle.load(f)['split']


def test_split_by_regex_and_by_field(jhmdb, tmp_path):
    out = tmp_path / 's.pkl'
    assert make_split.main([JHMDB, '--out', str(out), '--regex', r'^([a-z]+)_', '--train',
                            'catch', 'clap', '--name', 'bycls']) == 0
    s = split_of(out)
    labels = {a['frame_dir']: a['label'] for a in jhmdb['annotations']}
    assert s['bycls_train'] and {labels[n] for n in s['bycls_train']} == {0, 1}
    assert set(s['bycls_train']) | set(s['bycls_val']) == set(labels)
    assert s['train1'] == jhmdb['split']['train1']          # existing splits kept
    make_split.main([JHMDB, '--out', str(out), '--field', 'label', '--train', '0', '1'])
    assert sorted(split_of(out)['train']) == sorted(s['bycls_train'])


def test_random_stratified_split_is_deterministic_and_balanced(jhmdb, tmp_path):
    a, b, c = (tmp_path / f'{x}.pkl' for x in 'abc')
    for path, seed in ((a, 0), (b, 0), (c, 1)):
        make_split.main([JHMDB, '--out', str(path), '--random', '0.75', '--stratified',
                         '--seed', str(seed), '--within', 'train1', '--name', 'inner'])
    sa, sb, sc = split_of(a), split_of(b), split_of(c)
    assert sa == sb and sa['inner_train'] != sc['inner_train']
    train1 = set(jhmdb['split']['train1'])
    assert set(sa['inner_train']) | set(sa['inner_val']) == train1
    assert not set(sa['inner_train']) & set(sa['inner_val'])
    labels = {x['frame_dir']: x['label'] for x in jhmdb['annotations']}
    per_class = Counter(labels[n] for n in train1)
    got = Counter(labels[n] for n in sa['inner_train'])
    for k, n in per_class.items():
        assert got[k] == round(0.75 * n), k
    assert sa['test1'] == jhmdb['split']['test1']           # the test split untouched


def test_kfold_stratified_and_grouped(jhmdb, tmp_path):
    out = tmp_path / 'k.pkl'
    make_split.main([JHMDB, '--out', str(out), '--kfold', '5', '--stratified', '--within',
                     'train1'])
    s = split_of(out)
    labels = {x['frame_dir']: x['label'] for x in jhmdb['annotations']}
    vals = [set(s[f'fold{f}_val']) for f in range(5)]
    assert set().union(*vals) == set(jhmdb['split']['train1'])
    assert sum(map(len, vals)) == len(jhmdb['split']['train1'])       # disjoint
    for f in range(5):
        assert set(s[f'fold{f}_train']) == set(jhmdb['split']['train1']) - vals[f]
    for k in set(labels.values()):
        counts = [sum(labels[n] == k for n in v) for v in vals]
        assert max(counts) - min(counts) <= 1, (k, counts)
    sizes = [len(v) for v in vals]
    assert max(sizes) - min(sizes) <= 1
    # groups stay whole: NTU-style names, grouped by subject
    anns = [dict(frame_dir=f'S001C001P{p:03d}R001A{a:03d}', label=a - 1, total_frames=1,
                 keypoint=np.zeros((1, 1, 17, 2), np.float32))
            for p in range(1, 8) for a in range(1, 4 + p % 3)]
    ann = tmp_path / 'ntu.pkl'
    ann.write_bytes(pickle.dumps(anns))
    make_split.main([str(ann), '--out', str(out), '--kfold', '3', '--group-regex', r'P(\d+)'])
    s = split_of(out)
    subject = {a['frame_dir']: a['frame_dir'][8:12] for a in anns}
    owners = Counter()
    for f in range(3):
        for p in {subject[n] for n in s[f'fold{f}_val']}:
            owners[p] += 1
    assert set(owners.values()) == {1} and len(owners) == 7


def test_split_errors(jhmdb, tmp_path, capsys):
    out = str(tmp_path / 'o.pkl')
    with open(out, 'wb') as f:
        pickle.dump(jhmdb, f)
    for args, why in (([JHMDB, '--out', out, '--regex', 'x'], '--train'),
                      ([JHMDB, '--out', out, '--random', '1.5'], '(0, 1)'),
                      ([JHMDB, '--out', out, '--kfold', '1'], 'K >= 2'),
                      ([JHMDB, '--out', out, '--regex', r'^(zzz)_', '--train', 'zzz'],
                       'does not match'),
                      ([JHMDB, '--out', out, '--field', 'label', '--train', '99'], 'empty'),
                      ([JHMDB, '--out', out, '--random', '0.5', '--within', 'nope'], 'nope')):
        with pytest.raises(SystemExit) as e:
            make_split.main(args)
        assert e.value.code == 2 and why in capsys.readouterr().err, args
    from pyskl.io import OutputPathError
    with pytest.raises(OutputPathError, match='also an input'):      # exit 2 from the shell
        make_split.main([out, '--out', out, '--random', '0.5'])


def test_merge_joins_splits_and_refuses_clashes(jhmdb, tmp_path, capsys):
    anns = jhmdb['annotations']
    a = dict(split=dict(train=[x['frame_dir'] for x in anns[:10]]), annotations=anns[:10])
    b = dict(split=dict(train=[x['frame_dir'] for x in anns[10:15]],
                        val=[x['frame_dir'] for x in anns[15:20]]), annotations=anns[10:20])
    pa, pb, out = tmp_path / 'a.pkl', tmp_path / 'b.pkl', tmp_path / 'm.pkl'
    pa.write_bytes(pickle.dumps(a))
    pb.write_bytes(pickle.dumps(b))
    assert merge_annotations.main([str(pa), str(pb), '--out', str(out)]) == 0
    m = pickle.load(open(out, 'rb'))
    assert [x['frame_dir'] for x in m['annotations']] == [x['frame_dir'] for x in anns[:20]]
    assert m['split']['train'] == a['split']['train'] + b['split']['train']
    assert m['split']['val'] == b['split']['val']
    np.testing.assert_array_equal(m['annotations'][12]['keypoint'], anns[12]['keypoint'])
    with pytest.raises(SystemExit):
        merge_annotations.main([str(pa), str(pa), '--out', str(out)])
    assert 'are in' in capsys.readouterr().err
    pa2 = tmp_path / 'a2.pkl'
    pa2.write_bytes(pa.read_bytes())
    merge_annotations.main([str(pa), str(pa2), '--out', str(out), '--prefix-names'])
    m = pickle.load(open(out, 'rb'))
    assert m['split']['train'][0] == f'a/{anns[0]["frame_dir"]}' and len(m['annotations']) == 20
    c = dict(split={}, annotations=[dict(anns[0], frame_dir='other',
                                         keypoint=np.zeros((1, 5, 17, 2), np.float32))])
    pc = tmp_path / 'c.pkl'
    pc.write_bytes(pickle.dumps(c))
    with pytest.raises(SystemExit):
        merge_annotations.main([str(pa), str(pc), '--out', str(out)])
    assert '(V, C)' in capsys.readouterr().err


def test_label_maps():
    folder = osp.join(ROOT, 'tools', 'data', 'label_map')
    sizes = dict(nturgbd_60=60, nturgbd_120=120, k400=400, gym=99, ucf101=101, hmdb51=51,
                 diving48=48, jhmdb=14, weizmann4=4)
    names = {}
    for name, n in sizes.items():
        with open(osp.join(folder, f'{name}.txt')) as f:
            lines = f.read().splitlines()
        assert len(lines) == n and all(x.strip() for x in lines), name
        # FineGYM's Gym99 list names one element twice (lines 59 and 71: two
        # classes of the balance beam with the same name); every other name is unique
        assert len(set(lines)) == n - (name == 'gym'), name
        names[name] = lines
    assert names['nturgbd_120'][:60] == names['nturgbd_60']
    assert names['nturgbd_60'][0] == 'drink water' and names['k400'][0] == 'abseiling'


def test_mmpose_backend_flags_checked_before_any_video(tmp_path, capsys, monkeypatch):
    videos = tmp_path / 'list.txt'
    videos.write_text('x.mp4 0\n')
    base = ['--video-list', str(videos), '--out', str(tmp_path / 'o.pkl'),
            '--pose-backend', 'mmpose']
    import importlib.util
    real_find = importlib.util.find_spec
    if real_find('mmdet') is None:
        with pytest.raises(SystemExit):
            custom_2d_skeleton.main(base)
        assert 'needs mmdet and mmpose' in capsys.readouterr().err
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda n, *a: object() if n in ('mmdet', 'mmpose') else real_find(n, *a))
    with pytest.raises(SystemExit):
        custom_2d_skeleton.main(base)
    assert 'needs --det-config' in capsys.readouterr().err
    files = []
    for flag in ('--det-config', '--det-ckpt', '--pose-config', '--pose-ckpt'):
        files += [flag, str(tmp_path / flag.strip('-'))]
    with pytest.raises(SystemExit):
        custom_2d_skeleton.main(base + files)
    err = capsys.readouterr().err
    assert '--det-config' in err and 'does not exist' in err


def test_mmpose_backend_keeps_persons_by_score_and_area(monkeypatch):
    """PYSKL's rule: person boxes scoring above det_score_thr and of at least
    det_area_thr px^2 go to the pose model (mmdet / mmpose replaced by fakes)."""
    boxes = np.array([[0, 0, 100, 100], [0, 0, 30, 30], [10, 10, 90, 200], [0, 0, 50, 50]],
                     np.float32)
    inst = types.SimpleNamespace(labels=np.array([0, 0, 0, 1]), scores=np.array([.9, .9, .6, .99]),
                                 bboxes=boxes)
    seen = {}

    class Det:
        pred_instances = types.SimpleNamespace(cpu=lambda: types.SimpleNamespace(
            numpy=lambda: inst))

    def topdown(model, frame, b, bbox_format):
        seen['boxes'] = b
        return [types.SimpleNamespace(pred_instances=types.SimpleNamespace(
            keypoints=np.ones((1, 17, 2)), keypoint_scores=np.full((1, 17), 1.2))) for _ in b]

    mmdet = types.ModuleType('mmdet.apis')
    mmdet.init_detector = lambda c, k, device: 'det'
    mmdet.inference_detector = lambda m, f: Det()
    mmpose = types.ModuleType('mmpose.apis')
    mmpose.init_model = lambda c, k, device: 'pose'
    mmpose.inference_topdown = topdown
    for name, mod in (('mmdet', types.ModuleType('mmdet')), ('mmdet.apis', mmdet),
                      ('mmpose', types.ModuleType('mmpose')), ('mmpose.apis', mmpose)):
        monkeypatch.setitem(sys.modules, name, mod)
    from pyskl.apis.pose import build_pose_estimator
    est = build_pose_estimator('mmpose', det_config='c', det_checkpoint='k', pose_config='c',
                               pose_checkpoint='k', det_score_thr=0.7, det_area_thr=1600)
    r = est(np.zeros((240, 320, 3), np.uint8))
    np.testing.assert_array_equal(seen['boxes'], boxes[:1])    # score, class and area rules
    assert len(r) == 1 and float(r.keypoint_score.max()) == 1.0
