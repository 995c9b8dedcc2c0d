"""Fold inference-mode BatchNorm into the convolution that feeds it.

``y = BN(conv(x))`` in eval mode is one convolution with the weights scaled
per output channel by ``s = gamma / sqrt(running_var + eps)`` and the bias
``(b - running_mean) * s + beta``; the BatchNorm becomes ``nn.Identity``.
That saves a pass over every such activation at inference (PYSKL's
``tools/test.py --fuse-conv-bn``; onnxruntime does the same when it loads an
exported graph).

Which BatchNorm follows which convolution is read off the *data flow* of one
forward pass, not off the order the modules are registered in: a BatchNorm is
folded only where its input is the very tensor a convolution returned,
unmodified (no in-place op in between), every call of that convolution feeds
it, and nothing else is fed by it. Registration order is what mmcv's
``fuse_conv_bn`` goes by (on ST-GCN++ it stops with a shape error: 96 conv
channels before a BatchNorm of 32); in a graph convolution (``unit_gcn``)
the BatchNorm registered right after the 1x1 convolution normalises the
product with the adjacency matrices, ``BN(sum_k A_k (W_k x + b_k))``: its
scale could be folded, its shift could not (it would be multiplied by the row
sums of ``A``), so those BatchNorms are left as they are. Modules that run
several layers in one functional call when their boolean ``fuse`` attribute is
set (``MultiBranchTCN``'s joint 1x1 convs) are read with it off; they take
folded (``nn.Identity``) BatchNorms on their fast path. After folding, the
module's output on the example input is compared with the unfolded one
(within 1e-4 of its largest magnitude); if it differs -- a convolution's
output used elsewhere as well -- every fold is undone and 0 is returned.
"""
from __future__ import annotations

import warnings
from typing import List, Tuple

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

from pyskl.engine.compile import outputs_differ

__all__ = ['fuse_conv_bn', 'fuse_conv_bn_on_first_call', 'fold_bn_into_conv']


def fold_bn_into_conv(conv: _ConvNd, bn: _BatchNorm) -> None:
    """``conv`` <- ``bn(conv(.))`` in place (``bn`` in eval mode, with running
    statistics). Raises ValueError where the two do not fit."""
    if conv.transposed:
        raise ValueError('a transposed convolution is not folded')
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError('a BatchNorm without running statistics cannot be folded')
    if conv.out_channels != bn.num_features:
        raise ValueError(f'{conv.out_channels} conv channels feed a BatchNorm of '
                         f'{bn.num_features}')
    with torch.no_grad():
        w = conv.weight
        scale = torch.rsqrt(bn.running_var.to(w.dtype) + bn.eps)
        if bn.weight is not None:
            scale = scale * bn.weight.to(w.dtype)
        shift = -bn.running_mean.to(w.dtype) * scale
        if bn.bias is not None:
            shift = shift + bn.bias.to(w.dtype)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(scale)
        conv.weight = nn.Parameter(w * scale.reshape(-1, *([1] * (w.dim() - 1))),
                                   requires_grad=w.requires_grad)
        conv.bias = nn.Parameter(bias * scale + shift, requires_grad=w.requires_grad)


def _eager_forward(module: nn.Module, args, kwargs):
    # the class's forward: not a compiled replacement (pyskl.engine.compile), not hooks
    return type(module).forward(module, *args, **kwargs)


def _pairs(module: nn.Module, args, kwargs) -> Tuple[List[Tuple[_ConvNd, _BatchNorm]], object]:
    """The (conv, bn) pairs of the data flow on one forward; and its output."""
    produced, calls, feeds, handles = {}, {}, {}, []

    def conv_hook(m, inp, out):
        calls[m] = calls.get(m, 0) + 1
        if isinstance(out, torch.Tensor):
            produced[id(out)] = (m, out, out._version)   # the tensor kept: ids stay unique

    def bn_hook(m, inp):
        x = inp[0] if inp else None
        rec = produced.get(id(x))
        ok = rec is not None and rec[1] is x and x._version == rec[2]
        feeds.setdefault(m, []).append(rec[0] if ok else None)

    # modules that run several layers as one functional call (MultiBranchTCN's
    # ``fuse``) go layer by layer while the data flow is read
    fast = [m for m in module.modules() if isinstance(getattr(m, 'fuse', None), bool)]
    flags = [m.fuse for m in fast]
    for m in module.modules():
        if isinstance(m, _ConvNd):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, _BatchNorm):
            handles.append(m.register_forward_pre_hook(bn_hook))
    try:
        for m in fast:
            m.fuse = False
        with torch.no_grad():
            out = _eager_forward(module, args, kwargs)
    finally:
        for h in handles:
            h.remove()
        for m, f in zip(fast, flags):
            m.fuse = f
    by_conv = {}
    for bn, convs in feeds.items():
        if convs[0] is not None and all(c is convs[0] for c in convs):
            by_conv.setdefault(convs[0], []).append(bn)
    pairs = []
    for conv, bns in by_conv.items():
        bn = bns[0]
        if (len(bns) == 1 and len(feeds[bn]) == calls[conv] and not conv.transposed
                and not bn.training and bn.running_mean is not None
                and conv.out_channels == bn.num_features):
            pairs.append((conv, bn))
    return pairs, out


def fuse_conv_bn(module: nn.Module, *args, **kwargs) -> int:
    """Fold every BatchNorm that directly follows a convolution in ``module``'s
    forward on ``module(*args, **kwargs)`` (see the module docstring), in place.

    ``module`` must be in eval mode (a BatchNorm in training mode is left
    alone). Returns the number of BatchNorms folded (0 after an undo, with a
    warning).
    """
    pairs, ref = _pairs(module, args, kwargs)
    if not pairs:
        return 0
    parents = {}
    for parent in module.modules():
        for name, child in parent._modules.items():
            if child is not None:
                parents.setdefault(id(child), []).append((parent, name))
    saved, swapped = [], []
    for conv, bn in pairs:
        saved.append((conv, conv.weight, conv.bias))
        fold_bn_into_conv(conv, bn)
        for parent, name in parents.get(id(bn), []):
            parent._modules[name] = nn.Identity()
            swapped.append((parent, name, bn))
    with torch.no_grad():
        out = _eager_forward(module, args, kwargs)
    why = outputs_differ(out, ref, exact=True, rtol=1e-4)
    if why is None:
        return len(pairs)
    for conv, w, bias in saved:
        conv.weight, conv.bias = w, bias
    for parent, name, bn in swapped:
        parent._modules[name] = bn
    warnings.warn(f'fuse_conv_bn: folding {len(pairs)} BatchNorms changed the output of '
                  f'{type(module).__name__} (it {why}); none folded')
    return 0


def fuse_conv_bn_on_first_call(module: nn.Module, log=None):
    """Fold ``module``'s BatchNorms at its first call, on that call's input
    (after a checkpoint has been loaded, as ``tools/test.py --fuse-conv-bn``
    needs); ``log(n)`` is called with the number folded. Returns the hook
    handle."""
    def hook(m, args, kwargs):
        handle.remove()
        if not m.training:
            n = fuse_conv_bn(m, *args, **kwargs)
            if log is not None:
                log(n)
    handle = module.register_forward_pre_hook(hook, with_kwargs=True)
    return handle
