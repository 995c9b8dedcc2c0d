"""Engine guarantees: checkpoints that do not fit are refused (test, load_from,
--resume, inference API) unless a partial load is asked for; a training whose
loss becomes NaN stops before writing another checkpoint."""
import os.path as osp
import pickle
import sys

import pytest
import torch
from mmengine.hooks import Hook

from pyskl.engine.checkpoint import compare_state_dict, load_checked
from pyskl.registry import HOOKS, MODELS
from conftest import ROOT, make_synthetic_ann, shared_path

sys.path.insert(0, osp.join(ROOT, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402
from test_tools import JHMDB_CFG, tiny_opts  # noqa: E402


def _jhmdb_like_ann(tmp_path, n=4):
    ann = str(tmp_path / 'ann.pkl')
    data = make_synthetic_ann(ann, num_samples=n, num_classes=14, V=15, M=1, T=20)
    names = [a['frame_dir'] for a in data['annotations']]
    for a in data['annotations']:
        a['img_shape'] = (240, 320)
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train1=names, test1=names),
                         annotations=data['annotations']), f)
    return ann


@pytest.mark.shared
def test_test_tool_refuses_a_checkpoint_of_another_model(tmp_path):
    """PYSKL's HaGRID checkpoint (2 channels, 21 joints, 40 classes) on the
    JHMDB config: used to print warnings, test a half-random model and exit 0."""
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    ann = _jhmdb_like_ann(tmp_path)
    dump = tmp_path / 'r.pkl'
    with pytest.raises(RuntimeError) as err:
        test_tool.main([JHMDB_CFG, ckpt, '--work-dir', str(tmp_path / 'w'), '--dump', str(dump),
                        '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                        'log_level=WARNING'])
    msg = str(err.value)
    assert 'pyskl_stgcnpp_hagrid.pth does not fit' in msg
    assert 'missing in the checkpoint (252)' in msg and 'unexpected in the checkpoint (14)' in msg
    assert 'shape mismatch (299)' in msg
    assert 'backbone.data_bn.weight: checkpoint (42,) vs model (45,)' in msg
    assert not dump.exists()


@pytest.mark.shared
def test_load_from_is_strict_unless_partial_is_asked_for(tmp_path, caplog):
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    ann = _jhmdb_like_ann(tmp_path)
    with pytest.raises(RuntimeError, match='does not fit'):
        train_tool.main(tiny_opts(ann, tmp_path / 'a', extra=(f'load_from={ckpt}',)))
    # fine-tuning with a new head: asked for explicitly, and reported
    train_tool.main(tiny_opts(ann, tmp_path / 'b', extra=(f'load_from={ckpt}', 'load_partial=True',
                                                          'log_level=INFO')))
    assert (tmp_path / 'b' / 'epoch_1.pth').is_file()
    # (two runners started in the same second share mmengine's logger, so read every log)
    logs = ''.join(open(f).read() for f in tmp_path.glob('**/*.log'))
    assert 'Partial load of' in logs and 'newly initialised (shape mismatch)' in logs
    assert 'cls_head.fc_cls.weight' in logs


@pytest.mark.shared
def test_resume_is_always_strict(tmp_path):
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    ann = _jhmdb_like_ann(tmp_path)
    opts = tiny_opts(ann, tmp_path / 'w', extra=('load_partial=True',))
    with pytest.raises(RuntimeError, match='does not fit'):
        train_tool.main(opts[:1] + ['--resume', ckpt] + opts[1:])


def test_load_checked_reports_each_kind_of_mismatch():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    sd['module.extra'] = torch.zeros(1)
    sd['0.weight'] = torch.zeros(5, 3)
    del sd['1.bias'], sd['1.num_batches_tracked']
    missing, unexpected, mismatched = compare_state_dict(model, sd)
    assert missing == ['1.bias'] and unexpected == ['module.extra']
    assert mismatched == ['0.weight: checkpoint (5, 3) vs model (4, 3)']
    with pytest.raises(RuntimeError, match='missing in the checkpoint \\(1\\)'):
        load_checked(model, dict(state_dict=sd), revise_keys=())
    before = model[0].weight.clone()
    sd['1.weight'] = torch.full((4,), 7.)
    report = load_checked(model, dict(state_dict=sd), partial=True)
    assert report['unexpected'] == ['extra']       # module. stripped
    torch.testing.assert_close(model[0].weight, before)     # mis-shaped: untouched
    assert (model[1].weight == 7).all()


@HOOKS.register_module(force=True)
class _PoisonWeights(Hook):
    """Turns the classifier into NaN before the first iteration of epoch 2."""

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.epoch == 1 and batch_idx == 0:
            with torch.no_grad():
                runner.model.cls_head.fc_cls.weight.fill_(float('nan'))


def test_nan_loss_stops_training_before_the_next_checkpoint(tmp_path):
    ann = _jhmdb_like_ann(tmp_path)
    cfg = tmp_path / 'poison.py'
    cfg.write_text(f"_base_ = {JHMDB_CFG!r}\ncustom_hooks = [dict(type='_PoisonWeights')]\n")
    work = tmp_path / 'w'
    with pytest.raises(FloatingPointError, match='epoch 2, iteration 3 \\(loss=nan'):
        train_tool.main(tiny_opts(ann, work, epochs=3, config=str(cfg)))
    assert (work / 'epoch_1.pth').is_file()
    assert not (work / 'epoch_2.pth').exists() and not (work / 'epoch_3.pth').exists()
    assert [p.name for p in work.glob('best_*.pth')] == ['best_acc_top1_epoch_1.pth']


@pytest.mark.shared
def test_inference_api_lists_the_mis_shaped_keys():
    from pyskl.apis import init_recognizer
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    with pytest.raises(RuntimeError, match='shape mismatch.*\n.*backbone.data_bn'):
        init_recognizer(JHMDB_CFG, ckpt)
    assert MODELS.get('RecognizerGCN') is not None


def test_runner_is_registered_under_its_own_name():
    from pyskl.engine import StrictLoadRunner
    from pyskl.registry import RUNNERS
    assert RUNNERS.get('StrictLoadRunner') is StrictLoadRunner
    assert RUNNERS.get('LabelRangeError') is None    # an exception is not a runner


def test_run_config_formats_once_per_content_and_the_same_text(monkeypatch):
    """The runner's config is formatted by yapf once, not in every checkpoint; the
    text is mmengine's, and a changed value is formatted again."""
    import mmengine.config.config as mm_config
    from pyskl.engine.config import RunConfig, load_config
    cfg = load_config(JHMDB_CFG)
    expected = cfg.pretty_text
    calls = []
    real = mm_config.FormatCode
    monkeypatch.setattr(mm_config, 'FormatCode', lambda *a, **k: calls.append(1) or real(*a, **k))
    run_cfg = RunConfig.of(cfg)
    assert run_cfg.pretty_text == expected and run_cfg.pretty_text == expected
    assert len(calls) == 1
    run_cfg.train_cfg.max_epochs = 7
    text = run_cfg.pretty_text
    assert len(calls) == 2 and text != expected and 'max_epochs=7' in text.replace(' ', '')
    assert pickle.loads(pickle.dumps(run_cfg)).pretty_text == text


def test_two_runs_built_in_the_same_second_log_into_their_own_files(jhmdb_ann, tmp_path,
                                                                    monkeypatch):
    """mmengine names a run's logger / visualizer '<config>_<timestamp>' and reuses an
    instance of that name: without a distinct timestamp the second run would write its
    log into the first run's work dir."""
    import time
    from pyskl.engine import build_runner
    from conftest import tiny_jhmdb_train_cfg
    monkeypatch.setattr(time, 'strftime', lambda fmt, t=None: '20260101_000000')
    ann, _ = jhmdb_ann
    a = build_runner(tiny_jhmdb_train_cfg(ann, tmp_path / 'a'))
    b = build_runner(tiny_jhmdb_train_cfg(ann, tmp_path / 'b'))
    assert a.timestamp == '20260101_000000' and b.timestamp == '20260101_000000_1'
    assert a.experiment_name != b.experiment_name
    assert b.logger is not a.logger and b.visualizer is not a.visualizer
    for run, work in ((a, 'a'), (b, 'b')):
        files = [h.baseFilename for h in run.logger.handlers if hasattr(h, 'baseFilename')]
        assert files and all(f.startswith(str(tmp_path / work) + osp.sep) for f in files)
