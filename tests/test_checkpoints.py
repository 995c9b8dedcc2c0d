"""Checkpoints are never lost or half-written: atomic saves, a clear error for a
truncated file, and --resume falling back to the newest readable checkpoint; a
transform failing in a data worker names the sample and the transform."""
import multiprocessing
import os
import os.path as osp
import sys

import mmengine.runner.runner as mm_runner
import pytest
import torch
from mmengine.hooks import Hook

from pyskl.datasets import PipelineError
from pyskl.engine.checkpoint import CorruptCheckpointError, load_from_local_trusted
from pyskl.registry import HOOKS, TRANSFORMS
from conftest import ROOT, free_port
from test_engine import _jhmdb_like_ann

sys.path.insert(0, osp.join(ROOT, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402
from test_tools import JHMDB_CFG, tiny_opts  # noqa: E402


def _truncate(path):
    size = osp.getsize(path)
    with open(path, 'r+b') as f:
        f.truncate(size // 2)


def _resume(opts):
    return opts[:1] + ['--resume'] + opts[1:]


def _epoch(path):
    return load_from_local_trusted(str(path), map_location='cpu')['meta']['epoch']


def test_truncated_checkpoint_is_an_error_naming_the_file(tmp_path):
    ann = _jhmdb_like_ann(tmp_path)
    work = tmp_path / 'w'
    train_tool.main(tiny_opts(ann, work))
    ckpt = work / 'epoch_1.pth'
    _truncate(ckpt)
    with pytest.raises(CorruptCheckpointError, match=f"checkpoint '{ckpt}' cannot be read"):
        test_tool.main([JHMDB_CFG, str(ckpt), '--work-dir', str(tmp_path / 't'),
                        '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                        'log_level=WARNING'])
    with pytest.raises(CorruptCheckpointError, match='epoch_1.pth'):     # --resume CKPT too
        train_tool.main(tiny_opts(ann, tmp_path / 'w2')[:1] + ['--resume', str(ckpt)]
                        + tiny_opts(ann, tmp_path / 'w2')[1:])


def _logs(work):
    return ''.join(open(f).read() for f in work.glob('*/*.log'))


def test_resume_falls_back_to_the_newest_readable_checkpoint(tmp_path):
    ann = _jhmdb_like_ann(tmp_path)
    work = tmp_path / 'w'
    no_best = ('default_hooks.checkpoint.save_best=None',)
    train_tool.main(tiny_opts(ann, work, epochs=2, extra=no_best))
    _truncate(work / 'epoch_2.pth')                       # e.g. a copy cut short
    train_tool.main(_resume(tiny_opts(ann, work, epochs=3, extra=no_best)))
    logs = _logs(work)
    assert f"skipping {work / 'epoch_2.pth'}: checkpoint" in logs
    assert f"falling back to the newest readable checkpoint {work / 'epoch_1.pth'}" in logs
    # resumed from epoch 1: epochs 2 and 3 were trained again
    assert _epoch(work / 'epoch_2.pth') == 2 and _epoch(work / 'epoch_3.pth') == 3
    # an empty last_checkpoint (killed while the pointer was written) is no loss either
    (work / 'last_checkpoint').write_text('')
    train_tool.main(_resume(tiny_opts(ann, work, epochs=4, extra=no_best)))
    assert 'no last_checkpoint; falling back to the newest readable checkpoint ' \
           f"{work / 'epoch_3.pth'}" in _logs(work)
    assert _epoch(work / 'epoch_4.pth') == 4


def test_kill_during_save_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    ann = _jhmdb_like_ann(tmp_path)
    work = tmp_path / 'w'
    real_save = mm_runner.save_checkpoint

    def killed_while_saving(checkpoint, filename, *args, **kwargs):
        if checkpoint['meta']['epoch'] == 2:
            with open(filename, 'wb') as f:          # half a file, then the process dies
                f.write(b'PK\x03\x04 half written')
            raise KeyboardInterrupt('killed during save')
        return real_save(checkpoint, filename, *args, **kwargs)

    monkeypatch.setattr(mm_runner, 'save_checkpoint', killed_while_saving)
    with pytest.raises(KeyboardInterrupt):
        train_tool.main(tiny_opts(ann, work, epochs=2))
    monkeypatch.setattr(mm_runner, 'save_checkpoint', real_save)
    assert not (work / 'epoch_2.pth').exists()           # no half-written file under its name
    assert _epoch(work / 'epoch_1.pth') == 1             # the previous one is whole
    assert (work / 'last_checkpoint').read_text().strip() == str(work / 'epoch_1.pth')
    train_tool.main(_resume(tiny_opts(ann, work, epochs=2)))
    assert _epoch(work / 'epoch_2.pth') == 2
    assert not [f for f in os.listdir(work) if '.tmp' in f]   # the dead write is cleaned up


@TRANSFORMS.register_module()
class _FailOnThirdSample:
    """Raises on the sample whose frame_dir is S002."""

    def __call__(self, results):
        if results['frame_dir'] == 'S002':
            raise ValueError('bad joint count')
        return results


@pytest.mark.parametrize('workers', [0, 2])
def test_a_failing_transform_names_the_sample_and_transform(tmp_path, workers):
    ann = _jhmdb_like_ann(tmp_path)
    cfg = tmp_path / 'failing.py'
    cfg.write_text(f"_base_ = {JHMDB_CFG!r}\n"
                   "train_pipeline = [dict(type='_FailOnThirdSample')] + _base_.train_pipeline\n"
                   "train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))\n")
    opts = tiny_opts(ann, tmp_path / 'w', config=str(cfg),
                     extra=(f'train_dataloader.num_workers={workers}',
                            f'train_dataloader.persistent_workers={workers > 0}'))
    before = set(multiprocessing.active_children())
    with pytest.raises(PipelineError) as err:
        train_tool.main(opts)
    assert set(multiprocessing.active_children()) <= before   # the failed run's workers are gone
    msg = str(err.value)
    assert "sample 2 (frame_dir='S002')" in msg and str(ann) in msg
    assert 'transform _FailOnThirdSample failed: ValueError: bad joint count' in msg


class _KillMidEpoch2(Hook):
    """Simulates a pre-emption: the process dies in the middle of epoch 2."""

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.epoch == 1 and batch_idx == 1:
            raise KeyboardInterrupt('pre-empted')


HOOKS.register_module(module=_KillMidEpoch2)


@pytest.mark.parametrize('workers', [0, 2])
def test_killed_and_resumed_training_equals_the_uninterrupted_one(jhmdb_ann, tmp_path, workers):
    """Real JHMDB clips, the full augmentation pipeline (Flip, RandomScale, RandomRot,
    random temporal crops) and dropout; 3 epochs of 3 iterations."""
    ann, _ = jhmdb_ann

    def opts(work, config=JHMDB_CFG):
        o = tiny_opts(ann, work, n_train=6, epochs=3, config=config, extra=(
            f'train_dataloader.num_workers={workers}',
            f'train_dataloader.persistent_workers={workers > 0}'))
        return o[:1] + ['--seed', '0', '--deterministic'] + o[1:]

    before = set(multiprocessing.active_children())
    train_tool.main(opts(tmp_path / 'straight'))
    # persistent workers are shut down when the training returns, not left to the GC
    assert set(multiprocessing.active_children()) <= before
    killer = tmp_path / 'killed.py'
    killer.write_text(f"_base_ = {JHMDB_CFG!r}\ncustom_hooks = [dict(type='_KillMidEpoch2')]\n")
    with pytest.raises(KeyboardInterrupt):
        train_tool.main(opts(tmp_path / 'resumed', config=str(killer)))
    assert not (tmp_path / 'resumed' / 'epoch_2.pth').exists()
    assert set(multiprocessing.active_children()) <= before    # ... and when it is interrupted
    train_tool.main(_resume(opts(tmp_path / 'resumed')))
    a = load_from_local_trusted(str(tmp_path / 'straight' / 'epoch_3.pth'))['state_dict']
    b = load_from_local_trusted(str(tmp_path / 'resumed' / 'epoch_3.pth'))['state_dict']
    assert a.keys() == b.keys()
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f'resumed run differs in {len(differ)} tensors, e.g. {differ[:3]}'


KILL_HOOK = '''
from mmengine.hooks import Hook
from pyskl.registry import HOOKS


@HOOKS.register_module()
class _KillMidEpoch2Dist(Hook):
    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.epoch == 1 and batch_idx == 1:
            raise KeyboardInterrupt('pre-empted')
'''


@pytest.mark.parametrize('workers', [0, 2])
def test_killed_and_resumed_dist_training_equals_the_uninterrupted_one(jhmdb_ann, tmp_path,
                                                                       workers):
    """dist_train.sh with 2 gloo processes: each rank's randomness is derived from
    (seed, epoch, rank, worker), so the resumed run replays the interrupted one."""
    import subprocess
    ann, _ = jhmdb_ann
    (tmp_path / 'killhook.py').write_text(KILL_HOOK)
    killer = tmp_path / 'killed.py'
    killer.write_text(f"_base_ = {JHMDB_CFG!r}\ncustom_hooks = [dict(type='_KillMidEpoch2Dist')]\n"
                      "custom_imports = dict(imports=['killhook'], allow_failed_imports=False)\n")
    env = dict(os.environ, PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               PORT=free_port(), OMP_NUM_THREADS='1',
               PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get('PYTHONPATH', ''))

    def run(work, config=JHMDB_CFG, resume=False):
        o = tiny_opts(ann, work, n_train=12, epochs=3, config=config, extra=(
            f'train_dataloader.num_workers={workers}',
            f'train_dataloader.persistent_workers={workers > 0}'))
        cmd = (['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), o[0], '2', '--seed', '0',
                '--deterministic'] + (['--resume'] if resume else []) + o[1:])
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)

    proc = run(tmp_path / 'straight')
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = run(tmp_path / 'resumed', config=str(killer))
    assert proc.returncode != 0 and 'pre-empted' in proc.stderr
    assert not (tmp_path / 'resumed' / 'epoch_2.pth').exists()
    proc = run(tmp_path / 'resumed', resume=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    a = load_from_local_trusted(str(tmp_path / 'straight' / 'epoch_3.pth'))['state_dict']
    b = load_from_local_trusted(str(tmp_path / 'resumed' / 'epoch_3.pth'))['state_dict']
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f'resumed run differs in {len(differ)} tensors, e.g. {differ[:3]}'
