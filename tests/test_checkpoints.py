"""Checkpoints are never lost or half-written: atomic saves, a clear error for a
truncated file, and --resume falling back to the newest readable checkpoint; a
transform failing in a data worker names the sample and the transform."""
import os
import os.path as osp
import sys

import mmengine.runner.runner as mm_runner
import pytest

from pyskl.datasets import PipelineError
from pyskl.engine.checkpoint import CorruptCheckpointError, load_from_local_trusted
from pyskl.registry import TRANSFORMS
from conftest import ROOT
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
    with pytest.raises(PipelineError) as err:
        train_tool.main(opts)
    msg = str(err.value)
    assert "sample 2 (frame_dir='S002')" in msg and str(ann) in msg
    assert 'transform _FailOnThirdSample failed: ValueError: bad joint count' in msg
