"""FlatConv3d (pyskl/models/utils/flat_conv3d.py): 3-D convolutions whose kernel
is 1 x 1 in space run as 2-D convolutions on CPU -- same parameters, keys and
results as nn.Conv3d, and nn.Conv3d itself wherever the rewrite does not apply."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from conftest import assert_close_f32
from pyskl.models.utils.flat_conv3d import FlatConv3d


def _pair(cin, cout, k, seed=0, **kw):
    torch.manual_seed(seed)
    ref = nn.Conv3d(cin, cout, k, **kw)
    ours = FlatConv3d(cin, cout, k, **kw)
    ours.load_state_dict(ref.state_dict())          # the same keys: checkpoints load
    return ref, ours


@pytest.mark.parametrize('k,kw', [
    ((3, 1, 1), dict(padding=(1, 0, 0), bias=False)),          # SlowOnly's temporal conv
    ((1, 1, 1), dict()),                                        # pointwise, with bias
    ((3, 1, 1), dict(stride=(2, 1, 1), padding=(2, 0, 0), dilation=(2, 1, 1))),
    ((3, 1, 1), dict(padding=(1, 0, 0), groups=4)),
])
def test_flat_conv3d_equals_conv3d_forward_and_backward(k, kw, monkeypatch):
    ref, ours = _pair(8, 12, k, **kw)
    calls = []
    real = F.conv2d
    monkeypatch.setattr(F, 'conv2d', lambda *a, **b: calls.append(1) or real(*a, **b))
    x = torch.randn(2, 8, 9, 5, 6)
    xr, xo = x.clone().requires_grad_(), x.clone().requires_grad_()
    yr, yo = ref(xr), ours(xo)
    assert calls, 'the 2-D path was not taken'
    assert yo.shape == yr.shape
    terms = 8 * k[0]
    assert_close_f32(yo, yr, terms=terms, msg='output')
    g = torch.randn_like(yr)
    yr.backward(g)
    yo.backward(g)
    assert_close_f32(xo.grad, xr.grad, terms=12 * k[0], msg='input grad')
    assert_close_f32(ours.weight.grad, ref.weight.grad, terms=yr[0, 0].numel() * 2,
                     msg='weight grad')


@pytest.mark.parametrize('case', ['spatial kernel', 'spatial stride', 'spatial padding',
                                  'channels-last', 'tracing'])
def test_flat_conv3d_keeps_conv3d_where_the_rewrite_does_not_apply(case, monkeypatch):
    kw = {'spatial kernel': dict(kernel_size=(1, 3, 3)),
          'spatial stride': dict(kernel_size=1, stride=(1, 2, 2)),
          'spatial padding': dict(kernel_size=1, padding=(0, 1, 1))}.get(case,
                                                                         dict(kernel_size=1))
    torch.manual_seed(0)
    ours = FlatConv3d(4, 6, **kw)
    x = torch.randn(2, 4, 5, 6, 7)
    if case == 'channels-last':
        x = x.contiguous(memory_format=torch.channels_last_3d)
    called = []
    real = F.conv2d
    monkeypatch.setattr(F, 'conv2d', lambda *a, **b: called.append(1) or real(*a, **b))
    if case == 'tracing':
        traced = torch.jit.trace(ours, x, check_trace=False)   # no eager re-run
        assert 'conv2d' not in str(traced.graph) and not called
        y = traced(x)
    else:
        y = ours(x)
        assert not called
    ref = nn.Conv3d(4, 6, **kw)
    ref.load_state_dict(ours.state_dict())
    assert_close_f32(y, ref(x), terms=4 * 9, msg=case)


def test_posec3d_backbone_builds_its_convs_as_flat_conv3d():
    from pyskl.registry import MODELS
    from pyskl.utils import register_all_modules
    register_all_modules()
    bb = MODELS.build(dict(type='ResNet3dSlowOnly', depth=50, in_channels=17, base_channels=32,
                           num_stages=3, out_indices=(2, ), stage_blocks=(1, 1, 1),
                           conv1_stride_s=1, pool1_stride_s=1, inflate=(0, 1, 1),
                           spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 2)))
    convs = [m for m in bb.modules() if isinstance(m, nn.Conv3d)]
    assert convs and all(isinstance(m, FlatConv3d) for m in convs)
    assert bb.layer2[0].conv1.conv.kernel_size == (3, 1, 1)
