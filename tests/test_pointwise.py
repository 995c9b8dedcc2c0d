"""The GEMM path of 1x1 convolutions (pyskl/models/utils/pointwise.py) and the
malloc setting of the tools (pyskl/utils/malloc.py)."""
import os
import platform
import subprocess
import sys

import pytest
import torch
import torch.nn as nn

from conftest import ROOT, assert_close_f32
from pyskl.models.utils.pointwise import PointwiseConv2d, pointwise_conv


def _pair(cin, cout, stride=1, seed=0):
    torch.manual_seed(seed)
    ref = nn.Conv2d(cin, cout, 1, stride=stride)
    ours = PointwiseConv2d(cin, cout, stride=stride)
    ours.load_state_dict(ref.state_dict())      # the same keys (PYSKL checkpoints load)
    return ref, ours


@pytest.mark.parametrize('stride', [1, 2])
def test_pointwise_conv2d_equals_conv2d_forward_and_backward(stride):
    ref, ours = _pair(24, 40, (stride, 1))
    x = torch.randn(3, 24, 10, 17)
    xr, xo = x.clone().requires_grad_(), x.clone().requires_grad_()
    yr, yo = ref(xr), ours(xo)
    assert yo.shape == yr.shape == (3, 40, 10 // stride, 17) and yo.is_contiguous()
    assert_close_f32(yo, yr, terms=24, msg='output')
    g = torch.randn_like(yr)
    yr.backward(g)
    yo.backward(g)
    assert_close_f32(xo.grad, xr.grad, terms=40, msg='input grad')
    assert_close_f32(ours.weight.grad, ref.weight.grad, terms=3 * 10 * 17, msg='weight grad')
    assert_close_f32(ours.bias.grad, ref.bias.grad, terms=3 * 10 * 17, msg='bias grad')


def test_pointwise_conv_takes_the_gemm_path_only_where_it_applies(monkeypatch):
    calls = []
    real = torch.nn.functional.conv2d
    monkeypatch.setattr(torch.nn.functional, 'conv2d',
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    w, b = torch.randn(8, 4, 1, 1), torch.randn(8)
    x = torch.randn(2, 4, 5, 3)
    want = real(x, w, b)
    assert_close_f32(pointwise_conv(x, w, b), want, terms=4)
    assert calls == []                                   # contiguous CPU input: GEMM
    got = pointwise_conv(x.to(memory_format=torch.channels_last), w, b)
    assert calls == [1]                                  # channels-last: the convolution
    assert_close_f32(got, want, terms=4)
    assert_close_f32(pointwise_conv(x, w, None), real(x, w, None), terms=4)


def test_tools_keep_freed_memory_and_opt_out():
    code = ('from pyskl.utils.malloc import keep_freed_memory; '
            'print(keep_freed_memory(), keep_freed_memory())')
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop('PYSKL_MALLOC', None)
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    if sys.platform.startswith('linux') and platform.libc_ver()[0] == 'glibc':
        assert out == ['True', 'True']
    env['PYSKL_MALLOC'] = 'system'
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ['False', 'False']
