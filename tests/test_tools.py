"""tools/train.py and tools/test.py end to end: real JHMDB smoke, --dump
format, --resume continuing at epoch 2, and dist_train.sh / dist_test.sh with 2
gloo processes."""
import copy
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch
from mmengine.hooks import Hook

from pyskl.registry import HOOKS
from conftest import ROOT, free_port, make_synthetic_ann, tiny_jhmdb_train_cfg

sys.path.insert(0, osp.join(ROOT, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402

JHMDB_CFG = osp.join(ROOT, 'configs', 'stgcnpp',
                     'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')


def tiny_opts(ann, work_dir, n_train=4, n_test=2, epochs=1, extra=(), config=JHMDB_CFG):
    return [config, '--work-dir', str(work_dir), '--cfg-options',
            f'train_dataloader.dataset.dataset.ann_file={ann}',
            f'train_dataloader.dataset.dataset.indices={n_train}',
            'train_dataloader.dataset.times=1', 'train_dataloader.batch_size=2',
            f'val_dataloader.dataset.ann_file={ann}', f'val_dataloader.dataset.indices={n_test}',
            f'test_dataloader.dataset.ann_file={ann}', f'test_dataloader.dataset.indices={n_test}',
            f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1',
            'default_hooks.checkpoint.interval=1', 'log_level=WARNING', *extra]


def test_real_jhmdb_two_iterations_train_then_test_dump(jhmdb_ann, tmp_path):
    ann, data = jhmdb_ann
    work = tmp_path / 'work'
    train_tool.main(tiny_opts(ann, work))  # 4 samples, batch 2: 2 iterations
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    dump, feats = tmp_path / 'result.pkl', tmp_path / 'feat.pkl'
    test_tool.main([JHMDB_CFG, str(ckpt), '--work-dir', str(work), '--dump', str(dump),
                    '--dump-features', str(feats),
                    '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                    'test_dataloader.dataset.indices=3', 'log_level=WARNING'])
    with open(dump, 'rb') as f:
        results = pickle.load(f)
    with open(feats, 'rb') as f:
        features = pickle.load(f)
    # features of the same samples, in the same order, with their labels
    assert features['frame_dir'] == [r['frame_dir'] for r in results]
    assert features['label'].tolist() == [int(r['gt_label']) for r in results]
    assert features['feature'].shape == (3, 128)      # the JHMDB ST-GCN++ head's channels
    assert features['feature'].dtype == 'float32'
    assert (features['feature'].std(0) > 0).any()
    assert isinstance(results, list) and len(results) == 3
    # the dump holds the first three test1 clips, in order, with their own labels
    by_name = {a['frame_dir']: a for a in data['annotations']}
    first = data['split']['test1'][:3]
    assert [r['frame_dir'] for r in results] == first
    for r, name in zip(results, first):
        assert r['pred_score'].shape == (14,) and r['pred_score'].dtype == torch.float32
        assert r['pred_label'].shape == (1,) and r['gt_label'].shape == (1,)
        assert int(r['gt_label']) == by_name[name]['label']
        assert int(r['pred_label']) == int(r['pred_score'].argmax())


@pytest.mark.parametrize('stream', ['keypoint', 'limb'])
def test_real_jhmdb_posec3d_two_iterations_train_then_multiclip_test(jhmdb_ann, tmp_path, stream):
    ann, data = jhmdb_ann
    cfg = osp.join(ROOT, 'configs', 'posec3d', f'slowonly_r50-tiny_u24_160e_jhmdb_{stream}.py')
    work = tmp_path / 'work'
    train_tool.main([cfg, '--work-dir', str(work), '--cfg-options',
                     f'train_dataloader.dataset.ann_file={ann}',
                     'train_dataloader.dataset.indices=4', 'train_dataloader.batch_size=2',
                     f'val_dataloader.dataset.ann_file={ann}', 'val_dataloader.dataset.indices=2',
                     'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                     'default_hooks.checkpoint.interval=1', 'log_level=WARNING'])
    ckpt = work / 'epoch_1.pth'
    dump = tmp_path / 'result.pkl'
    test_tool.main([cfg, str(ckpt), '--work-dir', str(work), '--dump', str(dump),
                    '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                    'test_dataloader.dataset.indices=2', 'log_level=WARNING'])
    with open(dump, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 2    # 10 clips x 2 flips averaged into one score per sample
    by_name = {a['frame_dir']: a for a in data['annotations']}
    assert [r['frame_dir'] for r in results] == data['split']['test1'][:2]
    for r in results:
        assert r['pred_score'].shape == (14,)
        assert int(r['gt_label']) == by_name[r['frame_dir']]['label']


def test_pyskl_test_flags_are_aliases(tmp_path):
    from mmengine.config import Config
    args = test_tool.parse_args([JHMDB_CFG, 'x.pth', '--eval', 'top_k_accuracy',
                                 '--out', str(tmp_path / 'r.pkl'), '--average-clips', 'score'])
    cfg = test_tool.merge_args(Config.fromfile(JHMDB_CFG), args)
    assert cfg.test_evaluator[0] == dict(type='AccMetric', metric_list=('top_k_accuracy',))
    assert cfg.test_evaluator[1]['type'] == 'DumpResults'
    assert cfg.model.test_cfg['average_clips'] == 'score'
    assert cfg.load_from == 'x.pth'
    args = train_tool.parse_args([JHMDB_CFG, '--validate', '--test-last', '--test-best',
                                  '--seed', '0', '--deterministic'])
    cfg = train_tool.merge_args(Config.fromfile(JHMDB_CFG), args)
    assert cfg.randomness == dict(seed=0, deterministic=True)


@HOOKS.register_module(force=True)
class _KillAfterFirstEpoch(Hook):
    priority = 'LOWEST'  # after CheckpointHook saved epoch_1.pth

    def after_train_epoch(self, runner):
        raise KeyboardInterrupt('simulated kill after epoch 1')


@HOOKS.register_module(force=True)
class _RecordResume(Hook):
    seen = {}

    def before_train_epoch(self, runner):
        if 'first_epoch' not in self.seen:
            self.seen['first_epoch'] = runner.epoch
            self.seen['optim'] = copy.deepcopy(runner.optim_wrapper.state_dict())


def test_resume_continues_at_epoch_two_with_same_optimizer_state(tmp_path):
    ann = str(tmp_path / 'ann.pkl')
    data = make_synthetic_ann(ann, num_samples=8, num_classes=14, V=15, M=1, T=20)
    for a in data['annotations']:
        a['img_shape'] = (240, 320)
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train1=[a['frame_dir'] for a in data['annotations']],
                                    test1=[a['frame_dir'] for a in data['annotations']]),
                         annotations=data['annotations']), f)
    work = tmp_path / 'work'

    def with_hook(hook):
        path = tmp_path / f'{hook}.py'
        path.write_text(f"_base_ = {JHMDB_CFG!r}\ncustom_hooks = [dict(type={hook!r})]\n")
        return str(path)

    with pytest.raises(KeyboardInterrupt):
        train_tool.main(tiny_opts(ann, work, epochs=2, config=with_hook('_KillAfterFirstEpoch')))
    assert (work / 'epoch_1.pth').is_file() and not (work / 'epoch_2.pth').exists()
    saved = torch.load(work / 'epoch_1.pth', weights_only=False)

    _RecordResume.seen.clear()
    opts = tiny_opts(ann, work, epochs=2, config=with_hook('_RecordResume'))
    train_tool.main(opts[:1] + ['--resume'] + opts[1:])
    assert _RecordResume.seen['first_epoch'] == 1  # 0-based: the second epoch
    assert (work / 'epoch_2.pth').is_file()
    got = _RecordResume.seen['optim']['state']
    want = saved['optimizer']['state']
    assert got.keys() == want.keys() and len(want) > 0
    for k in want:
        torch.testing.assert_close(got[k]['momentum_buffer'], want[k]['momentum_buffer'])


class _RunsCode:
    """Unpickling it calls ``os.system`` -- what an evil checkpoint does."""

    def __init__(self, flag):
        self.flag = flag

    def __reduce__(self):
        return (os.system, (f'touch {self.flag}',))


def test_weights_load_without_running_code_and_mmengine_is_untouched(tmp_path):
    """Checkpoint weights come through an allow-list unpickler (numpy meta and
    all), an embedded call is never made, and importing pyskl.engine leaves
    mmengine's own loader as mmengine ships it."""
    import numpy as np
    from mmengine.runner.checkpoint import CheckpointLoader

    import pyskl.engine  # noqa: F401
    from pyskl.engine.checkpoint import OpaqueObject, load_from_local_trusted, load_weights_file
    loader = CheckpointLoader._schemes['']
    assert loader.__module__.startswith('mmengine'), loader.__module__
    flag = tmp_path / 'ran'
    path = tmp_path / 'c.pth'
    w = torch.arange(6.).reshape(2, 3)
    torch.save(dict(meta=dict(seed=np.int64(3), hist=np.zeros(2), evil=_RunsCode(flag)),
                    state_dict={'fc.weight': w}), path)
    ckpt = load_weights_file(str(path))
    assert not flag.exists()
    assert torch.equal(ckpt['state_dict']['fc.weight'], w)
    assert int(ckpt['meta']['seed']) == 3 and ckpt['meta']['hist'].tolist() == [0, 0]
    assert isinstance(ckpt['meta']['evil'], OpaqueObject)
    # the trusted path (--resume from one's own work dir) is a plain full unpickle
    load_from_local_trusted(str(path))
    assert flag.exists()


def test_test_tool_does_not_run_code_from_a_checkpoint(tmp_path):
    """tools/test.py with a checkpoint whose unpickling would call os.system: the
    call is never made; the weights that do not fit are refused as usual."""
    flag = tmp_path / 'ran'
    ann = str(tmp_path / 'ann.pkl')
    data = make_synthetic_ann(ann, num_samples=4, num_classes=14, V=15, M=1, T=20)
    names = [a['frame_dir'] for a in data['annotations']]
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train1=names, test1=names),
                         annotations=data['annotations']), f)
    opts = tiny_opts(ann, tmp_path / 'work', n_train=4)
    ckpt = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={'x': torch.ones(1)}, meta=_RunsCode(flag)), ckpt)
    proc = subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'test.py'), opts[0], str(ckpt)]
                          + opts[1:], capture_output=True, text=True, timeout=300)
    assert not flag.exists()
    assert proc.returncode != 0 and 'does not fit the model' in proc.stderr


def test_dist_train_and_dist_test_with_two_gloo_processes(tmp_path):
    """dist_train.sh trains with 2 processes; dist_test.sh with 2 processes on 3
    test samples (the sampler pads them to 4) dumps each sample once, in the
    dataset's order, with the scores and features one process gives."""
    ann = str(tmp_path / 'ann.pkl')
    data = make_synthetic_ann(ann, num_samples=8, num_classes=14, V=15, M=1, T=20)
    with open(ann, 'wb') as f:
        names = [a['frame_dir'] for a in data['annotations']]
        pickle.dump(dict(split=dict(train1=names, test1=names),
                         annotations=data['annotations']), f)
    env = dict(os.environ, PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               PORT=free_port(), OMP_NUM_THREADS='1')
    opts = tiny_opts(ann, tmp_path / 'work', n_train=8, n_test=3)
    cmd = ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), opts[0], '2'] + opts[1:]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ckpt = str(tmp_path / 'work' / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    dumps = {}
    for world in (2, 1):
        out = dict(dump=tmp_path / f'result{world}.pkl', feat=tmp_path / f'feat{world}.pkl')
        test_opts = [opts[0], ckpt, '--dump', str(out['dump']), '--dump-features',
                     str(out['feat'])] + opts[1:]
        if world == 2:
            cmd = ['bash', osp.join(ROOT, 'tools', 'dist_test.sh'), test_opts[0], ckpt, '2']
            proc = subprocess.run(cmd + test_opts[2:], env=dict(env, PORT=free_port()),
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        else:
            test_tool.main(test_opts)
        with open(out['dump'], 'rb') as f, open(out['feat'], 'rb') as g:
            dumps[world] = pickle.load(f), pickle.load(g)
    (res2, feat2), (res1, feat1) = dumps[2], dumps[1]
    assert [r['frame_dir'] for r in res2] == names[:3] == [r['frame_dir'] for r in res1]
    assert feat2['frame_dir'] == names[:3] and feat2['feature'].shape == feat1['feature'].shape
    for a, b in zip(res2, res1):
        torch.testing.assert_close(torch.as_tensor(a['pred_score']),
                                   torch.as_tensor(b['pred_score']), rtol=0, atol=1e-5)
    scale = float(abs(feat1['feature']).max())
    torch.testing.assert_close(torch.as_tensor(feat2['feature']), torch.as_tensor(feat1['feature']),
                               rtol=0, atol=1e-5 * scale)


@HOOKS.register_module(force=True)
class _RecordAmp(Hook):
    seen = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if 'wrapper' in self.seen:
            return
        self.seen['wrapper'] = type(runner.optim_wrapper).__name__
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        self.seen['before'] = {n: p.detach().clone() for n, p in model.named_parameters()}
        conv = next(m for m in model.backbone.modules() if isinstance(m, torch.nn.Conv2d))
        conv.register_forward_hook(self.record_dtype)

    def record_dtype(self, module, inputs, output):
        self.seen.setdefault('conv_out', output.dtype)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.seen.setdefault('loss', float(outputs['loss'].detach()))
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        self.seen['after'] = {n: (p.dtype, p.detach().clone()) for n, p in model.named_parameters()}


@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU path of --amp')
def test_amp_on_cpu_trains_in_bfloat16_with_float32_parameters(jhmdb_ann, tmp_path):
    """tools/train.py --amp on a CPU-only machine: mmengine's AmpOptimWrapper
    asserts a GPU, so the CPU gets CPUAmpOptimWrapper: convolutions in
    bfloat16, parameters (and their updates) in float32."""
    from pyskl.engine import build_runner
    ann, _ = jhmdb_ann
    _RecordAmp.seen.clear()
    cfg = tiny_jhmdb_train_cfg(ann, tmp_path, ['--amp'], n_train=4)
    cfg.custom_hooks = [dict(type='_RecordAmp')]
    build_runner(cfg).train()
    seen = _RecordAmp.seen
    assert seen['wrapper'] == 'CPUAmpOptimWrapper'
    assert seen['conv_out'] == torch.bfloat16
    assert torch.isfinite(torch.tensor(seen['loss']))
    assert all(dt == torch.float32 for dt, _ in seen['after'].values())
    moved = [n for n, (_, p) in seen['after'].items() if not torch.equal(p, seen['before'][n])]
    assert len(moved) > len(seen['after']) // 2


def test_cpu_amp_wrapper_refuses_float16():
    from pyskl.engine import CPUAmpOptimWrapper
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match='bfloat16'):
        CPUAmpOptimWrapper(dtype='float16', optimizer=opt)
