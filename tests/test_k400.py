"""Kinetics-400 as PYSKL and MMAction2 release it: a table of contents
(frame_inds, box_score, valid) + kpfiles, read by PoseDataset and
DecompressPose; the K400 SlowOnly configs of both toolboxes.

tests/data/mmaction2_k400_toc_excerpt.pkl: the first 6 samples of MMAction2's
2023 test fixture ``tests/data/annotations/sample.pkl`` (a Kinetics table of
contents, no skeletons); tests/data/mmaction2_1.2.0_k400_slowonly.json: the
parameter count and state-dict shapes of MMAction2 1.2.0's K400 model (its
config built by its own registry in a scratch virtualenv)."""
import json
import os.path as osp
import pickle

import numpy as np
import pytest

from conftest import ROOT, fixture_path, shared_path
from pyskl.datasets import PoseDataset
from pyskl.datasets.pose_dataset import AnnotationError
from pyskl.engine.config import load_config
from pyskl.registry import MODELS

K400 = osp.join(ROOT, 'configs', 'posec3d')


def toc():
    with open(fixture_path('mmaction2_k400_toc_excerpt.pkl'), 'rb') as f:
        return pickle.load(f)


def skeletons(anno, rng):
    """(N, 17, 3) float16 skeletons for the N entries of a table of contents:
    a standing person (pixels inside img_shape) per entry, score 0.9."""
    h, w = anno['img_shape']
    base = np.array([[.5, .1], [.48, .08], [.52, .08], [.46, .09], [.54, .09], [.42, .2],
                     [.58, .2], [.38, .32], [.62, .32], [.36, .44], [.64, .44], [.45, .5],
                     [.55, .5], [.44, .7], [.56, .7], [.44, .9], [.56, .9]])
    n = len(anno['frame_inds'])
    xy = base[None] * [w * 0.4, h] + rng.uniform(0, w * 0.6, (n, 1, 1)) * [1, 0]
    return np.concatenate([xy, np.full((n, 17, 1), 0.9)], -1).astype(np.float16)


def released_mmaction2(tmp_path):
    """k400_2d.pkl (the table of contents) + kpfiles/<frame_dir>.pkl = {'keypoint'}."""
    data, rng = toc(), np.random.default_rng(0)
    kp_dir = tmp_path / 'kpfiles'
    kp_dir.mkdir()
    for a in data['annotations']:
        with open(kp_dir / f'{a["frame_dir"]}.pkl', 'wb') as f:
            pickle.dump(dict(keypoint=skeletons(a, rng)), f)
    data['split']['val'] = data['split']['train'][:2]
    ann = tmp_path / 'k400_2d.pkl'
    ann.write_bytes(pickle.dumps(data))
    return str(ann), str(kp_dir)


def released_pyskl(tmp_path):
    """k400_hrnet.pkl whose samples name their kpfile (raw_file), kpfiles
    {frame_dir: {'keypoint'}} holding several videos each."""
    data, rng = toc(), np.random.default_rng(0)
    parts = [{}, {}]
    for i, a in enumerate(data['annotations']):
        part = tmp_path / f'part_{i % 2}.pkl'
        parts[i % 2][a['frame_dir']] = dict(keypoint=skeletons(a, rng))
        a['raw_file'] = str(part)
    for i, p in enumerate(parts):
        (tmp_path / f'part_{i}.pkl').write_bytes(pickle.dumps(p))
    data['split']['val'] = data['split']['train'][:2]
    ann = tmp_path / 'k400_hrnet.pkl'
    ann.write_bytes(pickle.dumps(data))
    return str(ann)


def run_one_iteration(config, tmp_path, opts):
    from mmengine.runner import Runner
    cfg = load_config(config, opts)
    cfg.work_dir = str(tmp_path / 'work')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.times = 1
    for ds in (cfg.train_dataloader.dataset.dataset, cfg.val_dataloader.dataset,
               cfg.test_dataloader.dataset):
        for t in ds.pipeline:             # short clips, small volumes: the data path is tested
            if t['type'] == 'UniformSampleFrames':
                t.update(clip_len=8, num_clips=min(t.get('num_clips', 1), 2))
            if t['type'] == 'Resize':
                t['scale'] = tuple(s if s < 0 else s // 2 for s in t['scale'])
    cfg.train_cfg.max_epochs = 1
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.test()


def test_mmaction2_release_trains_and_tests(tmp_path):
    """The MMAction2 form (k400_2d.pkl + one kpfile per video) through the K400
    keypoint config: one training epoch and a test."""
    ann, kp_dir = released_mmaction2(tmp_path)
    metrics = run_one_iteration(osp.join(K400, 'slowonly_r50_u48_240e_k400_keypoint.py'),
                                tmp_path, dict(ann_file=ann, kpfile_dir=kp_dir))
    assert set(metrics) == {'acc/top1', 'acc/top5', 'acc/mean1'}


def test_pyskl_release_trains_and_tests(tmp_path):
    """PYSKL's form (raw_file kpfiles of several videos) through the 346 limb config."""
    ann = released_pyskl(tmp_path)
    metrics = run_one_iteration(osp.join(K400, 'slowonly_r50_346_u48_240e_k400_limb.py'),
                                tmp_path, dict(ann_file=ann))
    assert set(metrics) == {'acc/top1', 'acc/top5', 'acc/mean1'}


def test_kpfiles_are_merged_and_missing_ones_named_at_load(tmp_path):
    ann, kp_dir = released_mmaction2(tmp_path)
    pipeline = [dict(type='DecompressPose', squeeze=True)]
    ds = PoseDataset(ann, pipeline, split='train', data_prefix=dict(skeleton=kp_dir))
    item = ds[0]
    a = toc()['annotations'][0]
    assert item['keypoint'].shape[1:3] == (len(np.unique(a['frame_inds'])), 17)
    import os
    os.remove(osp.join(kp_dir, 'JTlatknwOrY.pkl'))
    with pytest.raises(AnnotationError, match=r"1 of 6 samples have no kpfile.*JTlatknwOrY"):
        PoseDataset(ann, pipeline, split='train', data_prefix=dict(skeleton=kp_dir))
    with pytest.raises(AnnotationError, match='keypoint or raw_file'):
        PoseDataset(ann, pipeline, split='train')        # skeletons needed, none named
    assert len(PoseDataset(ann, [], split='train')) == 6       # metadata only: fine


def test_k400_models_are_mmaction2s_and_pyskls():
    """Parameter count and state-dict names/shapes of the K400 keypoint model
    equal MMAction2 1.2.0's (stage blocks 3, 4, 6 = PYSKL's slowonly_r50_346);
    the 463 variant has PYSKL's (4, 6, 3) blocks."""
    with open(fixture_path('mmaction2_1.2.0_k400_slowonly.json')) as f:
        ref = json.load(f)
    for name in ('slowonly_r50_u48_240e_k400_keypoint.py',
                 'slowonly_r50_346_u48_240e_k400_keypoint.py'):
        model = MODELS.build(load_config(osp.join(K400, name)).model)
        assert sum(p.numel() for p in model.parameters()) == ref['params'] == 3_208_560
        assert {k: list(v.shape) for k, v in model.state_dict().items()} == ref['shapes']
    m463 = MODELS.build(load_config(osp.join(K400, 'slowonly_r50_463_u48_240e_k400_keypoint.py'))
                        .model)
    assert [len(getattr(m463.backbone, f'layer{i}')) for i in (1, 2, 3)] == [4, 6, 3]


def test_pyskl_limb_channels_and_flip():
    """PYSKL's K400 limb configs draw PYSKL's 17 limbs in its order; the flip
    swaps its left_limb / right_limb channels."""
    from mmengine.dataset import Compose
    cfg = load_config(osp.join(K400, 'slowonly_r50_346_u48_240e_k400_limb.py'))
    gen = [t for t in Compose(cfg.test_pipeline).transforms
           if type(t).__name__ == 'GeneratePoseTarget'][0]
    assert gen.skeletons[:3] == ((0, 5), (0, 6), (5, 7)) and len(gen.skeletons) == 17
    flip = gen.spec.flip_channels(17)
    left, right = [0, 2, 3, 6, 7, 8, 12, 14], [1, 4, 5, 9, 10, 11, 13, 15]    # PYSKL's lists
    assert [int(flip[i]) for i in left] == right and int(flip[16]) == 16


@pytest.mark.shared
def test_mmaction2_sample_table_of_contents_known_answers():
    """MMAction2's own numbers on its sample.pkl (tests/datasets/test_pose_dataset.py
    of MMAction2 1.2.0): valid_ratio 0.2 at box_thr 0.9 keeps 84 videos, 0.3 at
    0.7 keeps 87; a box_thr without valid counts is refused."""
    path = shared_path('formats', 'pyskl_pkl', 'mmaction2_tests_sample_2023_k400style.pkl')
    assert len(PoseDataset(path, [], split='train', box_thr=0.5)) == 100
    for ratio, thr, n in ((0.2, 0.9, 84), (0.3, 0.7, 87)):
        ds = PoseDataset(path, [], split='train', valid_ratio=ratio, box_thr=thr)
        assert len(ds) == n
        for i in range(len(ds)):
            item = ds[i]
            assert np.all(item['box_score'][item['anno_inds']] >= thr)
            assert item['valid'][thr] / item['total_frames'] >= ratio
    with pytest.raises(AnnotationError, match='box_thr=0.55'):
        PoseDataset(path, [], split='train', valid_ratio=0.2, box_thr=0.55)
