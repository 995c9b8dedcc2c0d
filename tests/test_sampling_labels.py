"""Class resampling (ClassSpecificDistributedSampler, PYSKL's class_prob) and
multi-label data (PoseDataset(multi_class=True), BCELossWithLogits, mean
average precision)."""
import gzip
import os.path as osp
import pickle
from collections import Counter

import numpy as np
import pytest
import torch

from conftest import ROOT
from pyskl.datasets import ClassSpecificDistributedSampler, PoseDataset
from pyskl.datasets.pose_dataset import AnnotationError
from pyskl.evaluation.functional import mean_average_precision

JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')


@pytest.fixture(scope='module')
def jhmdb():
    with gzip.open(JHMDB, 'rb') as f:
        return pickle.load(f)


def test_class_prob_draws_each_class_its_multiplier(jhmdb):
    ds = PoseDataset(JHMDB, split='train1', class_prob={0: 2.0, 1: 0.5})
    per_class = Counter(ds.labels)
    s = ClassSpecificDistributedSampler(ds, seed=3)
    drawn = list(s)
    got = Counter(ds.labels[i] for i in drawn)
    assert got[0] == 2 * per_class[0] and got[1] == int(0.5 * per_class[1])
    assert all(got[c] == per_class[c] for c in per_class if c > 1)
    assert len(drawn) == len(s) == sum(got.values())
    assert Counter(i for i in drawn if ds.labels[i] == 0) == Counter(
        {i: 2 for i, lb in enumerate(ds.labels) if lb == 0})      # every class-0 sample twice
    assert list(s) == drawn                     # the same epoch: the same order
    s.set_epoch(1)
    assert list(s) != drawn and Counter(ds.labels[i] for i in s) == got
    # a RepeatDataset multiplies every multiplier by its times, as PYSKL
    from mmengine.dataset import RepeatDataset
    rep = RepeatDataset(ds, times=3)
    n0, n1 = per_class[0], per_class[1]
    rest = sum(per_class.values()) - n0 - n1
    assert len(ClassSpecificDistributedSampler(rep, seed=0)) == \
        3 * rest + 6 * n0 + n1 + int(0.5 * n1)          # class 1: 0.5 x 3 = 1.5 passes
    with pytest.raises(ValueError, match='negative'):
        ClassSpecificDistributedSampler(ds, class_prob=[-1.0])


def test_class_prob_without_its_sampler_is_a_config_error(tmp_path):
    from pyskl.engine.config import ConfigError, load_config
    cfg = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    with pytest.raises(ConfigError, match='ClassSpecificDistributedSampler'):
        load_config(cfg, {'train_dataloader.dataset.dataset.class_prob': [2.0] * 14})
    c = load_config(cfg, {'train_dataloader.dataset.dataset.class_prob': [2.0] * 14,
                          'train_dataloader.sampler': dict(type='ClassSpecificDistributedSampler')})
    assert c.train_dataloader.sampler.type == 'ClassSpecificDistributedSampler'


def test_mean_average_precision_known_answer():
    scores = np.array([[.9, .1], [.8, .7], [.3, .2], [.1, .6]])
    hot = np.array([[1, 0], [0, 1], [1, 0], [0, 0]])
    # class 0: positives ranked 1st and 3rd -> (1 + 2/3) / 2; class 1: ranked 1st -> 1
    assert mean_average_precision(scores, hot) == pytest.approx((5 / 6 + 1) / 2)
    with pytest.raises(ValueError, match='no class'):
        mean_average_precision(scores, np.zeros_like(hot))


def multilabel_file(jhmdb, path):
    anns = [dict(a, label=[a['label'], (a['label'] + 1) % 14] if i % 2 else a['label'])
            for i, a in enumerate(jhmdb['annotations'])]
    path.write_bytes(pickle.dumps(dict(split=jhmdb['split'], annotations=anns)))
    return str(path), anns


def test_multilabel_dataset_gives_multi_hot_labels(jhmdb, tmp_path):
    ann, anns = multilabel_file(jhmdb, tmp_path / 'ml.pkl')
    with pytest.raises(AnnotationError, match='multi_class=True'):
        PoseDataset(ann, split='train1')
    with pytest.raises(ValueError, match='num_classes'):
        PoseDataset(ann, split='train1', multi_class=True)
    with pytest.raises(AnnotationError, match='num_classes=5'):
        PoseDataset(ann, split='train1', multi_class=True, num_classes=5)
    ds = PoseDataset(ann, split='train1', multi_class=True, num_classes=14)
    by_name = {a['frame_dir']: a['label'] for a in anns}
    for i in range(4):
        info = ds.get_data_info(i)
        want = np.zeros(14, np.float32)
        want[np.asarray(by_name[info['frame_dir']]).reshape(-1)] = 1
        np.testing.assert_array_equal(info['label'], want)


def test_multilabel_training_with_bce_and_map(jhmdb, tmp_path):
    """One epoch of ST-GCN++ on multi-label JHMDB (BCELossWithLogits), tested with
    mean average precision and top-k."""
    from mmengine.runner import Runner
    from pyskl.engine.config import load_config
    ann, _ = multilabel_file(jhmdb, tmp_path / 'ml.pkl')
    cfg = load_config(osp.join(ROOT, 'configs', 'stgcnpp',
                               'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'),
                      {'ann_file': ann})
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = cfg[key].dataset
        ds = ds.get('dataset', ds)
        ds.update(multi_class=True, num_classes=14, indices=6)
        cfg[key].update(batch_size=3, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.times = 1
    cfg.model.cls_head.loss_cls = dict(type='BCELossWithLogits')
    cfg.model.test_cfg = dict(average_clips='score')
    cfg.val_evaluator = cfg.test_evaluator = dict(
        type='AccMetric', metric_list=('mean_average_precision', 'top_k_accuracy'))
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert set(metrics) == {'acc/mean_average_precision', 'acc/top1', 'acc/top5'}
    assert 0 < metrics['acc/mean_average_precision'] <= 1
    from pyskl.models.losses import BCELossWithLogits
    with pytest.raises(ValueError, match='multi-hot'):
        BCELossWithLogits()(torch.zeros(2, 14), torch.tensor([1, 2]))


def test_min_length_repeat_gives_small_datasets_the_same_epoch_length():
    """MinLengthRepeatDataset: ``times`` passes, or enough that an epoch has
    ``min_length`` samples; the sampler sees its repeat count."""
    from mmengine.dataset import RepeatDataset
    from pyskl.datasets import MinLengthRepeatDataset
    from pyskl.registry import DATASETS
    ds = PoseDataset(JHMDB, split='train1')                     # 433 clips
    assert MinLengthRepeatDataset(ds, times=5, min_length=2000).times == 5
    small = PoseDataset(JHMDB, split='test1')                    # 176 clips
    rep = MinLengthRepeatDataset(small, times=5, min_length=2000)
    assert rep.times == 12 and len(rep) == 12 * 176 >= 2000 > 11 * 176
    assert isinstance(rep, RepeatDataset) and rep[176 * 7 + 3]['frame_dir'] == small[3]['frame_dir']
    assert MinLengthRepeatDataset(small, times=5).times == 5     # min_length 0: plain repeat
    built = DATASETS.build(dict(type='MinLengthRepeatDataset', times=2, min_length=500,
                                dataset=dict(type='PoseDataset', ann_file=JHMDB, split='test1')))
    assert built.times == 3
    cp = PoseDataset(JHMDB, split='test1', class_prob={0: 2.0})
    s = ClassSpecificDistributedSampler(MinLengthRepeatDataset(cp, 1, min_length=500), seed=0)
    n0 = Counter(cp.labels)[0]
    assert len(s) == 3 * (176 - n0) + 6 * n0
    for bad in (dict(times=0), dict(times=1, min_length=-1)):
        with pytest.raises(ValueError, match='MinLengthRepeatDataset'):
            MinLengthRepeatDataset(small, **bad)
