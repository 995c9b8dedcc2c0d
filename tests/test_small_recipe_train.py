"""The small-dataset recipe's child configs (configs/small/) build and train
two iterations, then test, on real data of their own dataset: JHMDB (shipped),
UTD-MHAD and SBU (one real sequence each, tests/data/small_datasets, through
their converters), Weizmann-4 (real MediaPipe poses of two Weizmann actors,
tests/data/weizmann_composite). The recipe's epoch floor and repeats are
turned off (two iterations, not 2000 samples)."""
import gzip
import os.path as osp
import pickle
import shutil
import sys

import numpy as np
import pytest

from conftest import ROOT, fixture_path

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import sbu_kinect  # noqa: E402
import utd_mhad  # noqa: E402

SMALL = osp.join(ROOT, 'configs', 'small')


def _two_of(ann, name_a, name_b, label_b, out, **split):
    """Two samples: ``ann`` and a copy of it relabelled, in one file."""
    a = dict(ann, frame_dir=name_a)
    b = dict(ann, frame_dir=name_b, label=label_b)
    b['keypoint'] = ann['keypoint'][:, ::-1].copy()                 # the clip reversed
    if 'keypoint_score' in ann:
        b['keypoint_score'] = ann['keypoint_score'][:, ::-1].copy()
    names = [name_a, name_b]
    with open(out, 'wb') as f:
        pickle.dump(dict(split={k: names for k in split.values()}, annotations=[a, b]), f)
    return out


def jhmdb(tmp):
    with gzip.open(osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz'), 'rb') as f:
        d = pickle.load(f)
    keep = d['split']['train1'][:2]
    anns = [a for a in d['annotations'] if a['frame_dir'] in keep]
    out = str(tmp / 'jhmdb.pkl')
    with open(out, 'wb') as f:
        pickle.dump(dict(split=dict(train1=keep, test1=keep), annotations=anns), f)
    return out


def utd(tmp):
    src = tmp / 'utd'
    src.mkdir()
    shutil.copy(fixture_path('small_datasets/a10_s1_t1_skeleton.mat'), src)
    assert utd_mhad.main(['--src', str(src), '--out', str(tmp / 'u.pkl')]) == 0
    ann = pickle.load(open(tmp / 'u.pkl', 'rb'))['annotations'][0]
    return _two_of(ann, 'a10_s1_t1', 'a3_s2_t1', 2, str(tmp / 'utd.pkl'),
                   a='train', b='test')


def sbu(tmp):
    d = tmp / 'sbu' / 's01s02' / '01' / '001'
    d.mkdir(parents=True)
    with gzip.open(fixture_path('small_datasets/sbu_s01s02_01_001_skeleton_pos.txt.gz'),
                   'rb') as f:
        (d / 'skeleton_pos.txt').write_bytes(f.read())
    assert sbu_kinect.main(['--src', str(tmp / 'sbu'), '--out', str(tmp / 's.pkl')]) == 0
    ann = pickle.load(open(tmp / 's.pkl', 'rb'))['annotations'][0]
    return _two_of(ann, 's01s02_01_001', 's01s02_05_001', 4, str(tmp / 'sbu.pkl'),
                   a='fold1_train', b='fold1_val')


def weizmann(tmp):
    """The left person of the wave1+jack composite (wave1) and the right one
    (jack), from the recorded MediaPipe detections."""
    d = np.load(fixture_path('weizmann_composite/wave1+jack.poses.npz'))
    ends = np.cumsum(d['count'])
    kp = d['keypoint'].astype(np.float32)
    sc = d['keypoint_score'].astype(np.float32)
    frames = [(kp[e - n:e], sc[e - n:e]) for n, e in zip(d['count'], ends) if n == 2]
    anns = []
    for side, label in ((0, 0), (1, 2)):
        k = np.stack([f[0][np.argsort(f[0][:, :, 0].mean(1))][side] for f in frames])[None]
        s = np.stack([f[1][np.argsort(f[0][:, :, 0].mean(1))][side] for f in frames])[None]
        anns.append(dict(frame_dir=f'p{side}', label=label, keypoint=k, keypoint_score=s,
                         total_frames=k.shape[1], img_shape=(480, 540),
                         original_shape=(480, 540)))
    out = str(tmp / 'weiz.pkl')
    with open(out, 'wb') as f:
        pickle.dump(dict(split=dict(train=['p0', 'p1'], test=['p0', 'p1']), annotations=anns), f)
    return out


CASES = {'stgcnpp_small_jhmdb-2d.py': jhmdb, 'ehgformer_small_jhmdb-2d.py': jhmdb,
         'stgcnpp_small_utd-mhad-3d.py': utd,
         'stgcnpp_small_sbu-3d.py': sbu, 'ehgformer_small_sbu-3d.py': sbu,
         'stgcnpp_small_weizmann4-2d.py': weizmann}


def test_every_child_config_is_covered():
    import glob
    assert sorted(osp.basename(p) for p in glob.glob(osp.join(SMALL, '*.py'))) == sorted(CASES)


@pytest.mark.parametrize('name', sorted(CASES))
def test_child_config_trains_two_iterations_on_its_data(name, tmp_path):
    from mmengine.runner import Runner
    from pyskl.engine import load_config
    from pyskl.utils import register_all_modules
    register_all_modules()
    ann = CASES[name](tmp_path)
    batch = 2 if name.startswith('ehgformer') else 1     # its head's BatchNorm needs 2
    cfg = load_config(osp.join(SMALL, name), dict(
        ann_file=ann, repeat_times=batch, min_epoch_samples=0, batch_size=batch,
        num_epochs=1, clip_len=8))
    assert cfg.train_dataloader.dataset.type == 'MinLengthRepeatDataset'
    cfg.work_dir = str(tmp_path / 'work')
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'UniformSampleFrames':
            step['num_clips'] = 1
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2                          # two samples, batch 1 (or twice, batch 2)
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
    metrics = runner.test()
    assert 0 <= metrics['acc/top1'] <= 1
