"""Every shipped config builds; NTU configs train and test one iteration."""
import glob
import os.path as osp

import pytest
import torch
from pyskl.engine.config import load_config
from mmengine.dataset import Compose

from pyskl.registry import MODELS
from conftest import ROOT, assert_close_f32, make_synthetic_ann

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '*', '*.py')))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]
ZOO = ('aagcn', 'ctrgcn', 'msg3d', 'dgstgcn')
# every ST-GCN / ST-GCN++ / PoseC3D NTU config, and the joint stream of each zoo family
# (the zoo's other streams differ only in `feats`, which the ST-GCN++ ones exercise)
NTU = [c for c in CONFIGS if '_ntu' in c and (osp.basename(osp.dirname(c)) not in ZOO
                                             or '-joint-u100' in c)
       and not c.endswith('_finetune.py')    # = their base, plus load_from
       and not (('-xview-' in c or '-xset-' in c) and '/posec3d/' not in c)]
# the GCN XView / XSet configs are their XSub sibling with other split names
# (test_xview_and_xset_configs_are_their_xsub_sibling_with_other_splits)


def test_configs_found():
    assert len(NTU) >= 32 and any('jhmdb' in c for c in CONFIGS)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_config_builds(path):
    cfg = load_config(path)
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
    if ds.type in ('RepeatDataset', 'MinLengthRepeatDataset'):
        ds.times = 1
        ds.pop('min_length', None)                      # no epoch floor in a smoke test
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
    cfg = shrink(load_config(path), ann, tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
    metrics = runner.test()
    assert set(metrics) == {'acc/top1', 'acc/top5', 'acc/mean1'}


GCN_FAMILIES = ('stgcn', 'stgcnpp', 'aagcn', 'ctrgcn', 'dgstgcn', 'msg3d')


def test_xview_and_xset_configs_are_their_xsub_sibling_with_other_splits():
    """Every GCN NTU60 XSub config has an XView sibling and every NTU120 XSub
    one an XSet sibling (PYSKL ships them all); resolved, a sibling differs
    only in the split names of its datasets."""
    pairs = []
    for fam in GCN_FAMILIES:
        for c in sorted(glob.glob(osp.join(ROOT, 'configs', fam, '*_ntu*-xsub-*.py'))):
            bench = 'xview' if '_ntu60-' in c else 'xset'
            pairs.append((c, c.replace('-xsub-', f'-{bench}-'), bench))
    assert len(pairs) == 96
    for xsub, other, bench in pairs:
        assert osp.isfile(other), f'{osp.basename(xsub)} has no {bench} sibling'
        ds = load_config(other)
        diffs = _paths(load_config(xsub).to_dict(), ds.to_dict())
        assert diffs, other
        for d in diffs:
            assert d[-1] == 'split' or d[-1] in ('train_split', 'test_split'), (other, d)
        train = ds.train_dataloader.dataset
        train = train.get('dataset', train)
        assert train.split == f'{bench}_train'
        assert ds.test_dataloader.dataset.split == ds.val_dataloader.dataset.split == \
            f'{bench}_val'


@pytest.mark.parametrize('name', ['slowonly_r50_u48_240e_ntu60_xsub_limb.py',
                                  'slowonly_r50-tiny_u24_160e_jhmdb_keypoint.py'])
def test_heatmaps_drawn_on_the_device_train_and_test_like_the_pipeline(name, tmp_path):
    """The *_ondevice config names the drawer in the model (Recognizer3D heatmap=...):
    a model trained that way tests to the same scores through the CPU-drawn config."""
    import pickle
    from pyskl.engine import build_runner
    path = osp.join(ROOT, 'configs', 'posec3d', name)
    device_path = path.replace('.py', '_ondevice.py')
    cfg = load_config(device_path)
    assert cfg.model.heatmap.double is True and 'heatmap' not in (
        cfg.model.get('data_preprocessor') or {})
    assert cfg.test_pipeline[-2].type == 'FormatGCNInput'
    ann = str(tmp_path / 'ntu.pkl')
    make_synthetic_ann(ann, num_samples=4, num_classes=3, V=15 if 'jhmdb' in name else 17,
                       M=1 if 'jhmdb' in name else 2, T=40)
    if 'jhmdb' in name:   # JHMDB splits are train1/test1
        with open(ann, 'rb') as f:
            d = pickle.load(f)
        d['split'] = dict(train1=d['split']['xsub_train'], test1=d['split']['xsub_val'])
        with open(ann, 'wb') as f:
            pickle.dump(d, f)
    runner = build_runner(shrink(cfg, ann, tmp_path / 'work'))
    assert runner.model.heatmap is not None
    runner.train()
    scores = {}
    for config in (device_path, path):
        cfg = shrink(load_config(config), ann, tmp_path / 'w')
        cfg.load_from = str(tmp_path / 'work' / 'epoch_1.pth')
        dump = str(tmp_path / f'dump_{osp.basename(config)}.pkl')
        cfg.test_evaluator = [dict(type='DumpResults', out_file_path=dump)]
        build_runner(cfg).test()
        with open(dump, 'rb') as f:
            scores[config] = torch.stack([r['pred_score'] for r in pickle.load(f)])
    a, b = scores[device_path], scores[path]
    assert a.shape == b.shape and b.shape[0] == 1
    # volumes drawn by two implementations (numpy / torch exp), then the same SlowOnly
    assert_close_f32(a, b, terms=16384, layers=12)


# ------------------------------------------------------------------ config families
STANDALONE = {'stgcnpp_hagrid-handmp-joint-2d.py'}   # test-only, no family


def _own_keys(path):
    import ast
    tree = ast.parse(open(path).read())
    keys = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        for t in targets:
            for n in (t.elts if isinstance(t, ast.Tuple) else [t]):
                if isinstance(n, ast.Name):
                    keys.add(n.id)
    return keys - {'_base_'}


def _paths(a, b, path=()):
    """Paths at which two config trees differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in set(a) | set(b):
            out += _paths(a.get(k), b.get(k), path + (k,)) if k in a and k in b else [path + (k,)]
        return out
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in _paths(x, y, path + (i,))]
    return [] if a == b else [path]


def _placeholders(tree, path=()):
    """``{path: names}`` of the late-bound placeholders in a raw config tree."""
    import re
    if isinstance(tree, str):
        names = set(re.findall(r'\{([A-Za-z_]\w*)\}', tree))
        return {path: names} if names else {}
    items = tree.items() if isinstance(tree, dict) else (
        enumerate(tree) if isinstance(tree, (list, tuple)) else [])
    out = {}
    for k, v in items:
        out.update(_placeholders(v, path + (k,)))
    return out


@pytest.mark.parametrize('path', [c for c in CONFIGS if osp.basename(c) not in STANDALONE],
                         ids=lambda p: osp.basename(p))
def test_child_differs_from_its_base_only_where_it_means_to(path):
    """Every config is a short child of a family base; resolved, it differs from
    its base only under the keys it sets itself or where the base uses a
    late-bound variable that the child (directly or through other variables)
    changes."""
    from mmengine.config import Config
    base_rel = Config._get_base_files(path)
    assert len(base_rel) == 1, f'{path}: one _base_ expected'
    base = osp.normpath(osp.join(osp.dirname(path), base_rel[0]))
    own = _own_keys(path)
    # rgb_only restates its pipelines; the *_weizmann4 children swap data, sizes and schedule;
    # a small recipe's member (ehgformer_small_*) sets its model and its dataset's lines
    max_lines = 110 if 'rgbpose_conv3d' in path else 50 if 'ehgformer_small' in path else 45
    max_keys = 20 if 'weizmann4' in path else 16 if 'ehgformer_small' in path else 12
    assert len(own) <= max_keys and len(open(path).read().splitlines()) <= max_lines, \
        f'{osp.basename(path)} is not a short child: {sorted(own)}'
    raw = Config.fromfile(base).to_dict()
    holes = _placeholders(raw)
    changed = set(own)
    for _ in range(5):     # variables that use changed variables change too
        changed |= {p[0] for p, names in holes.items() if names & changed}
    explained = [p for p, names in holes.items() if names & changed]
    diffs = _paths(load_config(base).to_dict(), load_config(path).to_dict())
    bad = [d for d in diffs if d[0] not in own and not any(d[:len(e)] == e for e in explained)]
    assert not bad, f'{osp.basename(path)} changes {bad[:5]} without saying so'
    assert diffs or own <= {'feats', 'with_kp', 'with_limb'}


def test_one_override_changes_the_jhmdb_split_everywhere():
    cfg = load_config(osp.join(ROOT, 'configs', 'stgcnpp',
                               'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'),
                      dict(split=2))
    assert cfg.train_dataloader.dataset.dataset.split == 'train2'
    assert cfg.val_dataloader.dataset.split == 'test2'
    assert cfg.test_dataloader.dataset.split == 'test2'
    cfg = load_config(osp.join(ROOT, 'configs', 'posec3d',
                               'slowonly_r50-tiny_u24_240e_jhmdb_limb.py'), dict(split=3))
    assert {cfg.train_dataloader.dataset.split, cfg.test_dataloader.dataset.split} == \
        {'train3', 'test3'}


def test_stream_and_data_overrides_reach_every_pipeline_and_dataset():
    cfg = load_config(osp.join(ROOT, 'configs', 'stgcnpp',
                               'stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py'),
                      dict(feats=['b', 'bm'], ann_file='x.pkl'))
    for dl in ('val_dataloader', 'test_dataloader'):
        assert cfg[dl].dataset.pipeline[1].feats == ['b', 'bm']
        assert cfg[dl].dataset.ann_file == 'x.pkl'
    assert cfg.train_dataloader.dataset.dataset.pipeline[1].feats == ['b', 'bm']


def test_unresolved_and_unknown_variables_are_errors(tmp_path):
    from pyskl.datasets import PoseDataset
    bad = tmp_path / 'bad.py'
    bad.write_text("split = 1\ntrain_dataloader = dict(dataset=dict(split='train{spilt}'))\n")
    with pytest.raises(KeyError, match='spilt'):
        load_config(str(bad))
    with pytest.raises(ValueError, match='unresolved config variable'):
        PoseDataset(ann_file='{ann_file}')


# ------------------------------------------------------------------ plain mmengine
RUNTIME = osp.join(ROOT, 'configs', '_base_', 'default_runtime.py')
STRUCTURE = ('model', 'train_pipeline', 'val_pipeline', 'test_pipeline', 'train_dataloader',
             'val_dataloader', 'test_dataloader', 'val_evaluator', 'test_evaluator',
             'train_cfg', 'param_scheduler', 'optim_wrapper')


def _chain(path):
    from mmengine.config import Config
    chain = [osp.normpath(path)]
    while True:
        bases = Config._get_base_files(chain[-1])
        assert len(bases) <= 1, f'{chain[-1]}: one _base_ at most'
        if not bases:
            return chain
        chain.append(osp.normpath(osp.join(osp.dirname(chain[-1]), bases[0])))


ALL_CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '*', '*.py')))


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_is_plain_mmengine_with_model_and_pipelines_in_two_files(path):
    """Every config (bases included) loads with plain Config.fromfile; its model,
    pipelines, dataloaders and schedule are written in itself and at most one family
    base, whose only parent is default_runtime.py (hooks and logging only)."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'pyskl'
    chain = _chain(path)
    assert chain[-1] == osp.normpath(RUNTIME) or path == RUNTIME, chain
    structural = [f for f in chain if f != osp.normpath(RUNTIME)]
    assert len(structural) <= 2, f'{osp.basename(path)}: model/pipelines in {structural}'
    if len(structural) == 2:
        assert osp.basename(osp.dirname(structural[1])) == '_base_', structural
    import ast
    tree = ast.parse(open(RUNTIME).read())
    runtime_keys = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
    assert not runtime_keys & set(STRUCTURE)


def test_variables_stand_for_leaves_only(tmp_path):
    """A variable may not stand for a transform or a pipeline: the structure is
    written where it is used."""
    bad = tmp_path / 'bad.py'
    bad.write_text("prenorm = dict(type='PreNormalize2D')\n"
                   "train_pipeline = ['{prenorm}', dict(type='PoseDecode')]\n")
    with pytest.raises(ValueError, match="variable 'prenorm'"):
        load_config(str(bad))
    ok = tmp_path / 'ok.py'
    ok.write_text("clip_len = dict(RGB=8, Pose=32)\nfeats = ['b']\nprenorm = 'PreNormalize3D'\n"
                  "train_pipeline = [dict(type='{prenorm}'), dict(type='U', clip_len='{clip_len}',"
                  " feats='{feats}', name='x{prenorm}')]\n")
    cfg = load_config(str(ok))
    assert cfg.train_pipeline[0].type == 'PreNormalize3D'
    assert cfg.train_pipeline[1].clip_len == dict(RGB=8, Pose=32)
    assert cfg.train_pipeline[1].feats == ['b'] and cfg.train_pipeline[1].name == 'xPreNormalize3D'


def test_plain_config_fromfile_runs_through_build_runner(jhmdb_ann, tmp_path):
    """The documented line: build_runner(Config.fromfile(path)) resolves the variables
    (the Runner is built from a resolved copy; the caller's config is untouched)."""
    from mmengine.config import Config
    from pyskl.engine import build_runner
    path = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(dict(split=2))
    cfg.work_dir = str(tmp_path)
    runner = build_runner(cfg)
    assert cfg.train_dataloader.dataset.dataset.split == '{train_split}'
    ds = runner.train_dataloader.dataset
    assert len(ds) == 5 * 433 and ds.dataset.split == 'train2'
    assert runner.test_dataloader.dataset.split == 'test2'
