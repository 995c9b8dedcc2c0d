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
runs ``F.conv2d``; so does code being compiled by ``torch.compile``: inductor
fuses the BatchNorm / ReLU around a convolution it sees, and a batched GEMM
there cost the compiled ST-GCN++ train step more than it saved (docs/results.md,
issue 23).
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def _gemm_ok(x: torch.Tensor) -> bool:
    return (x.dim() == 4 and x.device.type == 'cpu' and x.is_contiguous()
            and not torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export()
            and not torch.compiler.is_compiling())


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
    if not _gemm_ok(x) or weight.dtype != x.dtype:
        return F.conv2d(x, weight, bias)
    N, C, T, V = x.shape
    w = weight.view(weight.shape[0], C).expand(N, -1, -1)
    xm = x.view(N, C, T * V)
    y = torch.bmm(w, xm) if bias is None else torch.baddbmm(bias.view(1, -1, 1), w, xm)
    return y.view(N, -1, T, V)


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
