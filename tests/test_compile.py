"""--compile: backbone and head compiled in place (state-dict names unchanged),
eager fallback when compilation fails, outputs as eager."""
import os.path as osp
import shutil
import sys

import pytest
import torch

from conftest import ROOT, assert_close_f32
from pyskl.engine.compile import CompiledForward, compile_options, compile_recognizer
from pyskl.registry import MODELS

sys.path.insert(0, osp.join(ROOT, 'tools'))

TINY = dict(type='RecognizerGCN',
            backbone=dict(type='STGCN', graph_cfg=dict(layout='coco', mode='spatial'),
                          base_channels=8, num_stages=2, inflate_stages=[], down_stages=[]),
            cls_head=dict(type='GCNHead', num_classes=5, in_channels=8))


def tiny():
    torch.manual_seed(0)
    return MODELS.build(TINY).eval()


def test_options():
    assert compile_options(None) is None and compile_options(False) is None
    assert compile_options(True) == {} and compile_options(dict(mode='x')) == dict(mode='x')
    with pytest.raises(TypeError, match='compile must be'):
        compile_options('yes')


def test_eager_backend_gives_the_same_outputs_and_keys():
    x = torch.randn(2, 1, 2, 12, 17, 3, generator=torch.Generator().manual_seed(1))
    ref = tiny()
    want = ref(x)
    keys = list(ref.state_dict())
    model = compile_recognizer(tiny(), dict(backend='eager'))
    assert isinstance(model.backbone.forward, CompiledForward)
    assert list(model.state_dict()) == keys
    torch.testing.assert_close(model(x), want, rtol=0, atol=0)


def test_failed_compilation_falls_back_to_eager(caplog):
    x = torch.randn(1, 1, 2, 12, 17, 3)
    want = tiny()(x)
    model = compile_recognizer(tiny(), dict(backend='no_such_backend'))
    torch.testing.assert_close(model(x), want, rtol=0, atol=0)
    assert model.backbone.forward.failed and model.cls_head.forward.failed
    torch.testing.assert_close(model(x), want, rtol=0, atol=0)          # and stays eager


@pytest.mark.skipif(shutil.which('gcc') is None and shutil.which('cc') is None,
                    reason='the inductor backend needs a C++ compiler')
@pytest.mark.skipif(bool(__import__('os').environ.get('ATEN_CPU_CAPABILITY')),
                    reason="inductor's CPU code with ATEN_CPU_CAPABILITY set is not trustworthy "
                    '(seen: compile errors under default, NaN and wrong logits under avx2); '
                    'the guard falls back to eager there')
def test_inductor_matches_eager_within_float32_rounding():
    x = torch.randn(2, 1, 2, 12, 17, 3, generator=torch.Generator().manual_seed(2))
    want = tiny()(x)
    model = compile_recognizer(tiny(), {})
    got = model(x)
    if model.backbone.forward.failed:       # the fallback worked; the machine cannot compile
        torch.testing.assert_close(got, want, rtol=0, atol=0)
        pytest.skip(f'inductor unavailable here: {model.backbone.forward.failed}')
    assert_close_f32(got, want, terms=8 * 9, layers=4)


def test_runner_compiles_when_the_config_says_so(jhmdb_ann, tmp_path):
    """tools/train.py --compile sets cfg.compile; the runner wraps backbone and
    head of the built model (a backend that does not exist here: the wiring and
    the eager fallback, without the cost of compiling) and trains; the
    checkpoint keeps the plain state-dict names."""
    import train as train_tool
    from pyskl.engine import build_runner, load_config
    ann, _ = jhmdb_ann
    cfg = load_config(osp.join(ROOT, 'configs', 'stgcnpp',
                               'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'),
                      {'ann_file': ann, 'clip_len': 8})
    args = train_tool.parse_args(['x.py', '--compile'])
    cfg = train_tool.merge_args(cfg, args)
    assert cfg.compile is True
    cfg.compile = dict(backend='no_such_backend')
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.dataset.dataset.indices = 2
    cfg.train_dataloader.dataset.times = 1
    cfg.train_dataloader.batch_size = 2
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = 1
    cfg.log_level = 'WARNING'
    runner = build_runner(cfg)
    assert isinstance(runner.model.backbone.forward, CompiledForward)
    runner.train()
    assert runner.model.backbone.forward.failed          # fell back, training went on
    ckpt = torch.load(osp.join(tmp_path, 'epoch_1.pth'), weights_only=False)
    assert not any('_orig_mod' in k for k in ckpt['state_dict'])


def test_a_non_finite_compiled_output_falls_back_to_eager():
    """A compiled forward whose first output is NaN where eager is finite (a
    miscompiled kernel) is dropped for the eager one, with a warning."""
    model = tiny()
    x = torch.randn(1, 1, 2, 12, 17, 3)
    want = model(x)
    fwd = CompiledForward(model.cls_head, 'head', dict(backend='eager'))
    fwd.compiled = lambda *a, **k: torch.full((1, 5), float('nan'))
    model.cls_head.forward = fwd
    torch.testing.assert_close(model(x), want, rtol=0, atol=0)
    assert 'NaN' in fwd.failed
    # in eval mode a compiled output off by more than float32 rounding is dropped too
    fwd = CompiledForward(model.cls_head, 'head', dict(backend='eager'))
    fwd.compiled = lambda *a, **k: fwd.eager(*a, **k) * 1.01
    model.cls_head.forward = fwd
    torch.testing.assert_close(model(x), want, rtol=0, atol=0)
    assert 'beyond float32 rounding' in fwd.failed


def test_compile_arguments_switch_layout_optimisation_off_on_cpu_only():
    from pyskl.engine.compile import compile_arguments
    cpu, meta = torch.zeros(1), torch.zeros(1, device='meta')
    assert compile_arguments({}, (cpu, )) == {'options': {'layout_optimization': False}}
    # a mode becomes its inductor options (torch.compile takes one or the other)
    got = compile_arguments(dict(mode='max-autotune-no-cudagraphs', dynamic=False), (cpu, ))
    assert got == dict(dynamic=False, options=dict(max_autotune=True,
                                                   coordinate_descent_tuning=True,
                                                   layout_optimization=False))
    # the config's own setting, another backend, another device: as given
    own = dict(options=dict(layout_optimization=True))
    assert compile_arguments(own, (cpu, )) == own
    assert compile_arguments(dict(backend='eager'), (cpu, )) == dict(backend='eager')
    assert compile_arguments(dict(mode='default'), (meta, )) == dict(mode='default')


def test_pointwise_convs_stay_convolutions_under_compile():
    """PointwiseConv2d runs a batched GEMM eagerly on CPU, but hands dynamo a
    convolution (which inductor fuses with its neighbours); same values."""
    from pyskl.models.utils.pointwise import PointwiseConv2d
    conv = PointwiseConv2d(6, 4).eval()
    x = torch.randn(2, 6, 5, 3)
    seen = []

    def backend(gm, inputs):
        seen.extend(str(n.target) for n in gm.graph.nodes if n.op == 'call_function')
        return gm.forward

    torch._dynamo.reset()
    got = torch.compile(conv, backend=backend)(x)
    assert any('conv2d' in t for t in seen) and not any('bmm' in t for t in seen), seen
    assert_close_f32(got, torch.nn.functional.conv2d(x, conv.weight, conv.bias), terms=6)
