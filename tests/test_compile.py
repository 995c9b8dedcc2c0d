"""--compile: backbone and head compiled in place (state-dict names unchanged),
eager fallback when compilation fails, outputs as eager."""
import os.path as osp
import shutil
import sys

import pytest
import torch

from conftest import ROOT, assert_close_f32, tiny_jhmdb_train_cfg
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


@pytest.mark.skipif(shutil.which('g++') is None and shutil.which('c++') is None,
                    reason='the inductor backend needs a C++ compiler')
@pytest.mark.skipif(bool(__import__('os').environ.get('ATEN_CPU_CAPABILITY')),
                    reason="inductor's CPU code with ATEN_CPU_CAPABILITY set is not trustworthy")
def test_inductor_train_step_gradients_match_eager():
    """A compiled training step (the pointwise GEMM operator, BatchNorm in train
    mode) gives eager's loss and parameter gradients."""
    x = torch.randn(4, 1, 2, 12, 17, 3, generator=torch.Generator().manual_seed(3))
    label = torch.tensor([0, 1, 2, 3])

    def grads(model):
        model.train()
        loss = torch.nn.functional.cross_entropy(model.cls_head(model.backbone(x[:, 0])), label)
        loss.backward()
        return loss.detach(), {n: p.grad for n, p in model.named_parameters()}

    want_loss, want = grads(tiny())
    model = tiny()
    compile_recognizer(model, {})
    got_loss, got = grads(model)
    if model.backbone.forward.failed:
        pytest.skip(f'inductor unavailable here: {model.backbone.forward.failed}')
    assert_close_f32(got_loss, want_loss, terms=8 * 9, layers=4, msg='loss')
    assert got.keys() == want.keys()
    # one scale for all gradients: a conv bias before BatchNorm has a zero gradient up to
    # rounding, which no relative tolerance of its own can judge
    scale = max(float(g.abs().max()) for g in want.values())
    for n in want:
        assert_close_f32(got[n], want[n], terms=4 * 12 * 17, layers=4, msg=n, scale=scale)


def test_runner_compiles_when_the_config_says_so(jhmdb_ann, tmp_path):
    """tools/train.py --compile sets cfg.compile; the runner wraps backbone and
    head of the built model (a backend that does not exist here: the wiring and
    the eager fallback, without the cost of compiling) and trains; the
    checkpoint keeps the plain state-dict names."""
    from pyskl.engine import build_runner
    ann, _ = jhmdb_ann
    cfg = tiny_jhmdb_train_cfg(ann, tmp_path, ['--compile'])
    assert cfg.compile is True
    cfg.compile = dict(backend='no_such_backend')
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


def _graph_targets(module, x, grad):
    seen = []

    def backend(gm, inputs):
        seen.extend(str(n.target) for n in gm.graph.nodes if n.op == 'call_function')
        return gm.forward

    torch._dynamo.reset()
    with torch.set_grad_enabled(grad):
        out = torch.compile(module, backend=backend)(x)
    return out, seen


def test_pointwise_convs_under_compile_train_as_one_gemm_op_and_infer_as_conv():
    """PointwiseConv2d hands dynamo one opaque GEMM operator in a training graph
    (no bmm for inductor to rewrite) and a convolution in an inference graph; the
    values are the convolution's, the gradients too."""
    from pyskl.models.utils.pointwise import PointwiseConv2d
    conv = PointwiseConv2d(6, 4)
    x = torch.randn(2, 6, 5, 3, requires_grad=True)
    got, seen = _graph_targets(conv, x, grad=True)
    assert any('pyskl.pointwise_conv' in t for t in seen), seen
    assert not any('bmm' in t or 'conv2d' in t for t in seen), seen
    want = torch.nn.functional.conv2d(x, conv.weight, conv.bias)
    assert_close_f32(got.detach(), want.detach(), terms=6)
    g = torch.randn_like(want)
    gx, gw, gb = torch.autograd.grad(got, (x, conv.weight, conv.bias), g)
    rx, rw, rb = torch.autograd.grad(want, (x, conv.weight, conv.bias), g)
    assert_close_f32(gx, rx, terms=4, msg='input grad')
    assert_close_f32(gw, rw, terms=2 * 5 * 3, msg='weight grad')
    assert_close_f32(gb, rb, terms=2 * 5 * 3, msg='bias grad')
    got, seen = _graph_targets(conv.eval(), x.detach(), grad=False)
    assert any('conv2d' in t for t in seen) and not any('pyskl' in t for t in seen), seen
    assert_close_f32(got, want.detach(), terms=6)


def test_pointwise_gemm_op_passes_the_custom_op_checks():
    """Schema, fake (meta) kernel, autograd registration and gradients of the
    operators torch.compile sees (torch.library.opcheck; gradcheck in float64)."""
    from pyskl.models.utils import pointwise as P
    x = torch.randn(2, 5, 4, 3, dtype=torch.float64, requires_grad=True)
    w = torch.randn(7, 5, 1, 1, dtype=torch.float64, requires_grad=True)
    b = torch.randn(7, dtype=torch.float64, requires_grad=True)
    torch.library.opcheck(P._pointwise_op, (x, w, b))
    torch.library.opcheck(P._pointwise_op, (x, w, None))
    assert torch.autograd.gradcheck(P._pointwise_op, (x, w, b))
    assert torch.autograd.gradcheck(lambda x, w: P._pointwise_op(x, w, None), (x, w))
    # a non-contiguous incoming gradient (as a permute in the graph gives it)
    y = P._pointwise_op(x, w, b)
    g = torch.randn(2, 3, 7, 4, dtype=torch.float64).permute(0, 2, 3, 1)
    got = torch.autograd.grad(y, (x, w, b), g)
    want = torch.autograd.grad(torch.nn.functional.conv2d(x, w, b), (x, w, b), g)
    for a, e in zip(got, want):
        torch.testing.assert_close(a, e)
