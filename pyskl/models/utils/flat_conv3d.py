"""3-D convolutions whose kernel is 1 x 1 in space, run as 2-D convolutions on CPU.

A ``Conv3d`` with kernel (kt, 1, 1), spatial stride 1, no spatial padding and
spatial dilation 1 -- the temporal convolutions of SlowOnly / PoseC3D
bottlenecks (Feichtenhofer et al., SlowFast, ICCV 2019; Duan et al., PoseC3D,
CVPR 2022) -- treats every pixel alike, so on (N, C, T, H, W) it is exactly the
2-D convolution with kernel (kt, 1) of the same tensor viewed as
(N, C, T, H * W). On CPU PyTorch sends such 3-D convolutions to its reference
``slow_conv3d`` (an unfold + GEMM, and a slower backward), while the 2-D form
goes through oneDNN; the train step of the PoseC3D backbone spends most of its
convolution time there (docs/results.md, issue 23).

Same parameters, state-dict keys and result (up to float rounding: another
summation order) as ``nn.Conv3d``; PYSKL and MMAction2 checkpoints load
unchanged. The 2-D path is taken on CPU only, outside tracing and ONNX export
(exported graphs keep their ``Conv`` nodes and FLOP counts); CUDA (cuDNN), a
spatial kernel, stride, padding or dilation, and channels-last input run
``nn.Conv3d`` as it is.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class FlatConv3d(nn.Conv3d):
    """``nn.Conv3d`` (same arguments) that runs its (kt, 1, 1) kernels as
    ``F.conv2d`` over (T, H * W) on CPU. Input (N, C_in, T, H, W) ->
    (N, C_out, T', H, W), T' as for ``nn.Conv3d``."""

    def _flat(self, x: torch.Tensor) -> bool:
        return (self.kernel_size[1:] == (1, 1) and self.stride[1:] == (1, 1)
                and self.dilation[1:] == (1, 1) and self.padding_mode == 'zeros'
                and isinstance(self.padding, tuple) and self.padding[1:] == (0, 0)
                and x.device.type == 'cpu' and x.dim() == 5 and x.is_contiguous()
                and not torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._flat(x):
            return super().forward(x)
        N, C, T, H, W = x.shape
        w = self.weight
        y = F.conv2d(x.view(N, C, T, H * W), w.view(w.shape[0], w.shape[1], w.shape[2], 1),
                     self.bias, (self.stride[0], 1), (self.padding[0], 0),
                     (self.dilation[0], 1), self.groups)
        return y.view(N, y.shape[1], y.shape[2], H, W)
