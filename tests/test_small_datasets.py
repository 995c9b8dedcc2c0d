"""Converters of the small real skeleton datasets: UTD-MHAD and SBU Kinect
Interaction (tools/data/utd_mhad.py, tools/data/sbu_kinect.py). Fixtures: one
real file of each (tests/data/small_datasets: UTD-MHAD a10_s1_t1 as released,
SBU s01s02/01/001 gzipped)."""
import gzip
import os.path as osp
import pickle
import shutil
import sys
from collections import Counter

import numpy as np
import pytest

from conftest import ROOT, fixture_path, shared_path
from pyskl.skeleton import get_layout

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import sbu_kinect  # noqa: E402
import utd_mhad  # noqa: E402


def test_utd_mhad_known_answer(tmp_path, capsys):
    from scipy.io import loadmat
    src = tmp_path / 'utd'
    src.mkdir()
    shutil.copy(fixture_path('small_datasets/a10_s1_t1_skeleton.mat'), src)
    shutil.copy(fixture_path('small_datasets/a10_s1_t1_skeleton.mat'),
                src / 'a3_s2_t4_skeleton.mat')
    (src / 'a1_s1_t1_skeleton.mat').write_bytes(b'not a mat file')
    out = tmp_path / 'u.pkl'
    assert utd_mhad.main(['--src', str(src), '--out', str(out)]) == 1     # the bad file
    said = capsys.readouterr()
    assert said.err.startswith('skipped ') and 'a1_s1_t1_skeleton.mat' in said.err
    assert f'wrote {out}: 2 sequences, splits train 1, test 1; 1 inputs skipped' in said.out
    assert sorted(x.name for x in tmp_path.iterdir()) == ['u.pkl', 'utd']     # no temp file
    data = pickle.load(open(out, 'rb'))
    a = {x['frame_dir']: x for x in data['annotations']}
    assert sorted(a) == ['a10_s1_t1', 'a3_s2_t4']
    d = loadmat(fixture_path('small_datasets/a10_s1_t1_skeleton.mat'))['d_skel']
    x = a['a10_s1_t1']
    assert x['label'] == 9 and x['subject'] == 1 and x['keypoint'].shape == (1, 76, 20, 3)
    np.testing.assert_array_equal(x['keypoint'][0, 5, 7], d[7, :, 5].astype(np.float32))
    assert data['split'] == dict(train=['a10_s1_t1'], test=['a3_s2_t4'])
    assert get_layout('utd_mhad').joint_names[7] == 'left_hand'


def test_sbu_known_answer_and_folds(tmp_path):
    src = tmp_path / 'sbu'
    for pair in ('s01s02', 's02s03'):
        d = src / pair / '01' / '001'
        d.mkdir(parents=True)
        with gzip.open(fixture_path('small_datasets/sbu_s01s02_01_001_skeleton_pos.txt.gz'),
                       'rb') as f:
            (d / 'skeleton_pos.txt').write_bytes(f.read())
    bad = src / 's04s02' / '03' / '001'
    bad.mkdir(parents=True)
    (bad / 'skeleton_pos.txt').write_text('1,2,3\n')
    out = tmp_path / 's.pkl'
    assert sbu_kinect.main(['--src', str(src), '--out', str(out)]) == 1
    data = pickle.load(open(out, 'rb'))
    x = data['annotations'][0]
    rows = np.loadtxt(src / 's01s02' / '01' / '001' / 'skeleton_pos.txt', delimiter=',')
    assert x['frame_dir'] == 's01s02_01_001' and x['label'] == 0
    assert x['keypoint'].shape == (2, len(rows), 15, 3)
    # person 2, frame 3, joint 4 (left elbow): values 1 + 45 + 12 .. of the row, in
    # metres by the dataset's inverse (x = 1280 - 2560 x', y = 960 - 1920 y', z = 1280 z' mm)
    xn, yn, zn = rows[3, 1 + 45 + 12:1 + 45 + 15]
    np.testing.assert_allclose(x['keypoint'][1, 3, 4],
                               [1.28 - 2.56 * xn, 0.96 - 1.92 * yn, 1.28 * zn], rtol=1e-6)
    assert x['keypoint'].dtype == np.float32
    # head to foot of person 1 in frame 0: a standing adult, 1.4-1.9 m
    assert 1.4 < np.linalg.norm(x['keypoint'][0, 0, 0] - x['keypoint'][0, 0, 11]) < 1.9
    assert sbu_kinect.main(['--src', str(src), '--out', str(out), '--coords',
                            'normalized']) == 1
    raw = pickle.load(open(out, 'rb'))['annotations'][0]['keypoint']
    np.testing.assert_array_equal(raw[1, 3, 4], np.float32([xn, yn, zn]))
    assert data['split']['fold1_val'] == ['s01s02_01_001']         # s01s02 is in fold 1
    assert data['split']['fold2_val'] == ['s02s03_01_001']


@pytest.mark.shared
def test_whole_real_datasets_convert(tmp_path):
    out = tmp_path / 'u.pkl'
    assert utd_mhad.main(['--src', shared_path('utd_mhad'), '--out', str(out)]) == 0
    u = pickle.load(open(out, 'rb'))
    assert len(u['annotations']) == 861 and len(u['split']['train']) == 431
    assert sorted(Counter(a['label'] for a in u['annotations'])) == list(range(27))
    out = tmp_path / 's.pkl'
    assert sbu_kinect.main(['--src', shared_path('sbu_kinect'), '--out', str(out)]) == 0
    s = pickle.load(open(out, 'rb'))
    assert len(s['annotations']) == 282
    pairs = {a['frame_dir']: a['actor_pair'] for a in s['annotations']}
    vals = [set(s['split'][f'fold{k}_val']) for k in range(1, 6)]
    assert set().union(*vals) == set(pairs) and sum(map(len, vals)) == 282
    for k in range(5):          # an actor pair is in one fold only
        assert not {pairs[n] for n in vals[k]} & {pairs[n] for n in s['split'][
            f'fold{k + 1}_train']}
    # world coordinates keep bones their length as people turn (the normalised values,
    # scaled differently per axis, do not): mean within-sequence coefficient of variation
    # of the 14 bone lengths, 0.023 against 0.052
    bones = [(a, b) for a, b in get_layout('sbu').inward if a != b]

    def bone_cv(anns):
        cvs = []
        for a in anns:
            for i, j in bones:
                d = np.linalg.norm(a['keypoint'][:, :, i] - a['keypoint'][:, :, j], axis=-1)
                cvs.append(d.std(1) / d.mean(1))
        return float(np.mean(cvs))
    assert sbu_kinect.main(['--src', shared_path('sbu_kinect'), '--out', str(out),
                            '--coords', 'normalized']) == 0
    world, norm = bone_cv(s['annotations']), bone_cv(pickle.load(open(out, 'rb'))['annotations'])
    assert abs(world - 0.023) < 0.002 and abs(norm - 0.052) < 0.003


def _real_sbu_sample(tmp_path):
    """The fixture sequence (SBU s01s02/01/001) converted by tools/data/sbu_kinect.py."""
    src = tmp_path / 'sbu' / 's01s02' / '01' / '001'
    src.mkdir(parents=True)
    with gzip.open(fixture_path('small_datasets/sbu_s01s02_01_001_skeleton_pos.txt.gz'),
                   'rb') as f:
        (src / 'skeleton_pos.txt').write_bytes(f.read())
    out = tmp_path / 's.pkl'
    assert sbu_kinect.main(['--src', str(tmp_path / 'sbu'), '--out', str(out)]) == 0
    return pickle.load(open(out, 'rb'))['annotations'][0]


def test_flip3d_mirrors_a_normalised_real_sbu_scene_into_a_normalised_one(tmp_path):
    """Flip3D after PreNormalize3D (the SBU config's joints) on the real
    sequence, both persons in one graph: normalising the mirrored scene gives
    the mirror of the normalised one (the first frame's shoulders stay on the
    x axis), bone lengths are kept, and mirroring twice gives the scene back.
    Fails if the pairs swapped were not the layout's left/right joints."""
    from pyskl.datasets.transforms import Flip3D, MergePersons, PreNormalize3D
    sample = _real_sbu_sample(tmp_path)
    norm = PreNormalize3D(zaxis=[2, 1], xaxis=[6, 3], center=2)   # configs/small/..._sbu-3d.py
    merge = MergePersons(num_person=2)
    flip = Flip3D(flip_ratio=1.0, layout='sbu_x2')
    kp = merge(norm(dict(sample)))['keypoint']                       # (1, T, 30, 3)
    flipped = flip(merge(norm(dict(sample))))
    fk = flipped['keypoint']
    assert flipped['flip'] is True and fk.shape == kp.shape
    assert not np.allclose(fk, kp, atol=1e-3)
    scale = float(np.abs(kp).max())
    # mirrored person by person before normalising (pairs of 'sbu'): the same scene
    raw = Flip3D(flip_ratio=1.0, layout='sbu')(dict(sample))
    np.testing.assert_allclose(merge(norm(raw))['keypoint'], fk, atol=1e-5 * scale)
    # PreNormalize3D put the first frame's shoulder line (joints 6, 3) on the x
    # axis; in the mirror it is still there, pointing the same way
    before, after = kp[0, 0, 6] - kp[0, 0, 3], fk[0, 0, 6] - fk[0, 0, 3]
    np.testing.assert_allclose([before[1:], after[1:]], 0, atol=1e-5 * scale)
    assert before[0] > 0.2 and after[0] == pytest.approx(before[0], rel=1e-5)
    a, b = np.array(get_layout('sbu_x2').inward).T

    def length(k):
        return np.linalg.norm(k[..., a, :] - k[..., b, :], axis=-1)
    # the mirror keeps every bone's length; left and right bones trade places
    np.testing.assert_allclose(np.sort(length(fk)), np.sort(length(kp)), atol=1e-5 * scale)
    back = Flip3D(flip_ratio=1.0, layout='sbu_x2')(dict(flipped))['keypoint']
    np.testing.assert_array_equal(back, kp)


def test_3d_base_flip_off_draws_as_before_and_on_mirrors(tmp_path):
    """The 3D base keeps ``Flip3D`` in its training pipeline at ``flip = 0.0``:
    it must draw no random number there, so the pipeline gives sample for sample
    what it gave without the entry (earlier trainings reproduce); at
    ``flip=0.5`` about half the draws mirror (layout ``sbu_x2`` after
    MergePersons). Real SBU sequence."""
    from mmcv.transforms import Compose

    from pyskl.engine import load_config
    from pyskl.utils import register_all_modules
    register_all_modules()
    sample = _real_sbu_sample(tmp_path)
    cfg_path = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_sbu-3d.py')

    def pipeline(drop_flip=False, upto_flip=False, **opts):
        steps = load_config(cfg_path, opts).train_dataloader.dataset.dataset.pipeline
        types = [s['type'] for s in steps]
        assert types.count('Flip3D') == 1
        if upto_flip:
            steps = steps[:types.index('Flip3D') + 1]
        return Compose([s for s in steps if not (drop_flip and s['type'] == 'Flip3D')])

    def run(pipe, n=6):
        np.random.seed(3)
        return [pipe(dict(sample)) for _ in range(n)]
    off, without = run(pipeline()), run(pipeline(drop_flip=True))
    for a, b in zip(off, without):
        np.testing.assert_array_equal(a['inputs'].numpy(), b['inputs'].numpy())
    assert all(a['flip'] is False for a in run(pipeline(upto_flip=True)))
    on = run(pipeline(upto_flip=True, flip=0.5), n=40)
    flips = sum(a['flip'] for a in on)
    assert 8 <= flips <= 32         # binomial(40, 0.5): outside this with p < 1e-4
