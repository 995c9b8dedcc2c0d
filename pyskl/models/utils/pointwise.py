"""1x1 (pointwise) convolutions of the GCN units as batched matrix products on CPU.

A 1x1 convolution of a contiguous (N, C_in, T, V) tensor is, per sample, the
matrix product ``W (C_out, C_in) @ x_n (C_in, T*V)``. On CPU, PyTorch runs
``nn.Conv2d`` through oneDNN, which reorders NCHW tensors to its blocked layout
and back around every call (and again in the backward pass); a batched GEMM
(``torch.baddbmm``) reads the tensor as it is. The GCN backbones spend most of
their time in 1x1 convolutions (the graph units' channel mixing, ST-GCN++'s
multi-branch heads and transform), so this path is what their CPU train step
gains most from (docs/results.md, issue 23).

Same result up to float rounding (a different summation order). The GEMM path
is taken on CPU for contiguous 4-D input at stride 1 with one group; anything
else (CUDA, where cuDNN is fast and channels-last matters; ONNX export and
tracing, so exported graphs keep ``Conv`` nodes; strided or grouped convs)
runs ``F.conv2d``.

Under ``torch.compile`` (CPU) a training graph gets the GEMM as one opaque
operator, ``torch.ops.pyskl.pointwise_conv``, with its own backward operator:
inductor sees it as it sees a convolution (a fixed contiguous output it does
not look into) and fuses the BatchNorm / ReLU / concatenation around it. As
plain ``bmm`` nodes the same GEMMs made inductor's fused BatchNorm kernels
several times slower, and as convolutions they run through oneDNN again
(docs/results.md, issue 23). Compiled inference graphs (no autograd) keep the
convolution.
"""
from __future__ import annotations

from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def _gemm_ok(x: torch.Tensor) -> bool:
    return (x.dim() == 4 and x.device.type == 'cpu' and x.is_contiguous()
            and not torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export())


def _gemm(x: torch.Tensor, weight: torch.Tensor,
          bias: Optional[torch.Tensor]) -> torch.Tensor:
    N, C, T, V = x.shape
    w = weight.view(weight.shape[0], C).expand(N, -1, -1)
    xm = x.view(N, C, T * V)
    y = torch.bmm(w, xm) if bias is None else torch.baddbmm(bias.view(1, -1, 1), w, xm)
    return y.view(N, -1, T, V)


# Under torch.compile the GEMM is one opaque operator (forward and backward), as a
# convolution is: inductor then keeps the (N, C, T, V) layout it was given around it
# and fuses the BatchNorm / ReLU / concatenation between them as it does between
# convolutions. Traced as plain bmm / baddbmm, the same GEMMs made inductor's fused
# BatchNorm kernels several times slower (docs/results.md, issue 23).
@torch.library.custom_op('pyskl::pointwise_conv', mutates_args=())
def _pointwise_op(x: torch.Tensor, weight: torch.Tensor,
                  bias: Optional[torch.Tensor]) -> torch.Tensor:
    return _gemm(x.contiguous(), weight.contiguous(), bias)


@_pointwise_op.register_fake
def _(x, weight, bias):
    N, _, T, V = x.shape
    return x.new_empty((N, weight.shape[0], T, V))


@torch.library.custom_op('pyskl::pointwise_conv_backward', mutates_args=())
def _pointwise_backward_op(grad: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                           with_bias: bool) -> List[torch.Tensor]:
    N, C, T, V = x.shape
    O = weight.shape[0]
    weight = weight.contiguous()
    g = grad.contiguous().view(N, O, T * V)
    grad_x = torch.bmm(weight.view(O, C).t().expand(N, -1, -1), g).view(N, C, T, V)
    grad_w = torch.bmm(g, x.contiguous().view(N, C, T * V).transpose(1, 2)).sum(0)
    out = [grad_x, grad_w.view_as(weight)]
    if with_bias:
        out.append(g.sum((0, 2)))
    return out


@_pointwise_backward_op.register_fake
def _(grad, x, weight, with_bias):
    out = [torch.empty_like(x, memory_format=torch.contiguous_format),
           torch.empty_like(weight, memory_format=torch.contiguous_format)]
    if with_bias:
        out.append(weight.new_empty((weight.shape[0], )))
    return out


def _setup_context(ctx, inputs, output):
    x, weight, bias = inputs
    ctx.save_for_backward(x, weight)
    ctx.with_bias = bias is not None


def _backward(ctx, grad):
    x, weight = ctx.saved_tensors
    grads = _pointwise_backward_op(grad, x, weight, ctx.with_bias)
    return grads[0], grads[1], (grads[2] if ctx.with_bias else None)


_pointwise_op.register_autograd(_backward, setup_context=_setup_context)


def pointwise_conv(x: torch.Tensor, weight: torch.Tensor,
                   bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.conv2d(x, weight, bias)`` for a 1x1 kernel at stride 1, one group.

    Args:
        x: (N, C_in, T, V).
        weight: (C_out, C_in, 1, 1).
        bias: (C_out,) or None.

    Returns:
        (N, C_out, T, V), contiguous.
    """
    if not _gemm_ok(x) or weight.dtype != x.dtype or (
            bias is not None and bias.dtype != x.dtype):
        return F.conv2d(x, weight, bias)
    if torch.compiler.is_compiling():
        # training: one opaque GEMM operator; inference: the convolution, which inductor
        # folds and fuses as it does other inference graphs (measured no faster as GEMM)
        if torch.is_grad_enabled():
            return _pointwise_op(x, weight, bias)
        return F.conv2d(x, weight, bias)
    return _gemm(x, weight, bias)


class PointwiseConv2d(nn.Conv2d):
    """``nn.Conv2d(in_channels, out_channels, 1, stride)`` that runs as a
    batched GEMM on CPU (``pointwise_conv``); parameters, state-dict keys and
    results are those of the ``nn.Conv2d`` it replaces (PYSKL checkpoints load
    unchanged). Input (N, C_in, T, V) -> (N, C_out, ceil(T / stride), V)."""

    def __init__(self, in_channels: int, out_channels: int, stride=1, bias: bool = True):
        super().__init__(in_channels, out_channels, kernel_size=1, stride=stride, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == (1, 1):
            return pointwise_conv(x, self.weight, self.bias)
        return super().forward(x)
