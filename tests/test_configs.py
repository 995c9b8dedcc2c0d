"""Every shipped config builds; NTU configs train and test one iteration."""
import glob
import os.path as osp
import sys

import pytest
from mmengine.config import Config
from mmengine.dataset import Compose

from pyskl.registry import MODELS
from conftest import ROOT, make_synthetic_ann

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '*', '*.py')))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]
NTU = [c for c in CONFIGS if '_ntu' in c]


def test_configs_found():
    assert len(NTU) >= 32 and any('jhmdb' in c for c in CONFIGS)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'pyskl'
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    for key in ('train_pipeline', 'val_pipeline', 'test_pipeline'):
        if key in cfg:
            Compose(cfg[key])


def shrink(cfg, ann_file, work_dir, n_train=2, n_test=1):
    """Point a config at a tiny annotation file: one train, one test iteration
    of short clips (clip_len <= 8, <= 2 test clips; the rest as configured)."""
    cfg.work_dir = str(work_dir)
    for key in ('train_dataloader', 'test_dataloader'):
        pipeline = cfg[key].dataset.get('pipeline') or cfg[key].dataset.dataset.pipeline
        for step in pipeline:
            if step['type'] in ('UniformSampleFrames', 'UniformSample'):
                step['clip_len'] = min(step['clip_len'], 8)
                step['num_clips'] = min(step.get('num_clips', 1), 2)
    ds = cfg.train_dataloader.dataset
    if ds.type == 'RepeatDataset':
        ds.times = 1
        ds = ds.dataset
    ds.ann_file, ds.indices = ann_file, n_train
    cfg.train_dataloader.update(batch_size=n_train, num_workers=0, persistent_workers=False)
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.test_dataloader.dataset.update(ann_file=ann_file, indices=n_test)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_level = 'WARNING'
    return cfg


@pytest.mark.parametrize('path', NTU, ids=lambda p: osp.basename(p))
def test_ntu_config_one_train_and_test_iteration(path, tmp_path):
    from mmengine.runner import Runner
    is3d = path.endswith('3d.py')
    ann = str(tmp_path / 'ntu.pkl')
    make_synthetic_ann(ann, num_samples=4, num_classes=3, V=25 if is3d else 17,
                       C=3 if is3d else 2, with_score=not is3d, T=40)
    cfg = shrink(Config.fromfile(path), ann, tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
    metrics = runner.test()
    assert set(metrics) == {'acc/top1', 'acc/top5', 'acc/mean1'}


@pytest.mark.parametrize('name', ['slowonly_r50_u48_240e_ntu60_xsub_limb.py',
                                  'slowonly_r50-tiny_u24_160e_jhmdb_keypoint.py'])
def test_heatmap_on_device_switch_trains_and_tests(name, tmp_path):
    """The config switch moves heatmap drawing into the data preprocessor."""
    from mmengine.runner import Runner
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    from multiclip_memory import load_config
    cfg = load_config(osp.join(ROOT, 'configs', 'posec3d', name), True, str(tmp_path))
    assert cfg.model.data_preprocessor.heatmap.double is True
    assert cfg.test_pipeline[-2].type == 'FormatGCNInput'
    ann = str(tmp_path / 'ntu.pkl')
    make_synthetic_ann(ann, num_samples=4, num_classes=3, V=15 if 'jhmdb' in name else 17,
                       M=1 if 'jhmdb' in name else 2, T=40)
    if 'jhmdb' in name:   # JHMDB splits are train1/test1
        import pickle
        with open(ann, 'rb') as f:
            d = pickle.load(f)
        d['split'] = dict(train1=d['split']['xsub_train'], test1=d['split']['xsub_val'])
        with open(ann, 'wb') as f:
            pickle.dump(d, f)
    cfg = shrink(cfg, ann, tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    assert runner.model.data_preprocessor.heatmap is not None
    runner.train()
    metrics = runner.test()
    assert 0 <= metrics['acc/top1'] <= 1
