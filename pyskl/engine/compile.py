"""``torch.compile`` of a recognizer's backbone and head, with eager fallback.

``compile_recognizer(model, options)`` replaces the ``forward`` of
``model.backbone`` and ``model.cls_head`` by a compiled version (modules,
parameters and state-dict names stay as they are, so checkpoints load and save
unchanged; DDP wraps the model as usual). The first call of each compiles
(its time is logged); when compilation fails -- no C++ compiler for the
inductor backend, an unsupported op, an old torch -- one warning names the
reason and that part runs eagerly from then on; so it does when the first
compiled output is not the eager one (a miscompiled kernel; checked once: in
eval mode against the eager values, in training for NaN / infinity). The data preprocessor (and,
for PoseC3D with on-device heatmaps, the drawer) stays eager.

On CPU, inductor's layout optimisation (turning the activations around
convolutions channels-last) is off for these compilations
(``options={'layout_optimization': False}``, with a ``mode``'s own options
kept) unless the config's ``options`` set it: on ST-GCN++'s (N, C, T, V)
activations it made the BatchNorm and copy kernels around every convolution
slower than eager PyTorch's, and the compiled train step slower than the eager
one (docs/results.md, issue 23). On GPUs it stays as inductor sets it. The
device is read from the first call's input tensors.

Config: ``compile = True`` or ``compile = dict(backend='inductor',
mode='max-autotune', dynamic=None, ...)`` (``torch.compile``'s arguments);
``tools/train.py --compile`` / ``tools/test.py --compile`` (PYSKL's flag) set it.
"""
from __future__ import annotations

import time
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log


class CompiledForward:
    """``forward`` of one module, compiled on first use, eager after a failure."""

    def __init__(self, module: torch.nn.Module, name: str, options: Dict):
        self.module = module
        self.eager = module.forward
        self.name = name
        self.options = options
        self.failed: Optional[str] = None
        self.first = True
        self.compiled = None          # made at the first call, when the device is known

    def _fail(self, err: Exception) -> None:
        self.failed = f'{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ""}'
        print_log(f'--compile: {self.name} runs eagerly, compilation failed ({self.failed})',
                  logger='current', level=30)

    def __call__(self, *args, **kwargs):
        if self.failed:
            return self.eager(*args, **kwargs)
        start = time.perf_counter()
        try:
            if self.compiled is None:
                self.compiled = torch.compile(self.eager, **compile_arguments(self.options, args))
            out = self.compiled(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - compilation happens at the first call
            self._fail(e)
            return self.eager(*args, **kwargs)
        if self.first:
            self.first = False
            print_log(f'--compile: {self.name} compiled in {time.perf_counter() - start:.1f} s '
                      '(first call)', logger='current')
            # a miscompiled kernel: checked against eager once -- in full in eval mode,
            # for NaN / infinity in training (dropout makes the values differ)
            finite = all(bool(torch.isfinite(t).all()) for t in flat_tensors(out)
                         if t.is_floating_point())
            if not self.module.training or not finite:
                ref = self.eager(*args, **kwargs)
                why = outputs_differ(out, ref, exact=not self.module.training)
                if why:
                    self._fail(RuntimeError(f'the compiled forward {why}'))
                    return ref
        return out


def compile_arguments(options: Dict, args: Sequence) -> Dict:
    """``torch.compile`` keyword arguments for a call with ``args``: ``options``
    as given, plus inductor's ``layout_optimization=False`` when the input
    tensors are on CPU and the backend is inductor (a ``mode`` is turned into
    its inductor options, since ``torch.compile`` takes one or the other).

    Args:
        options: ``torch.compile`` keyword arguments from the config (not changed).
        args: the positional arguments of the first call; the device is read from
            its tensors.

    Returns:
        A new dict of keyword arguments.

    Raises:
        RuntimeError: from ``torch._inductor.list_mode_options`` for an
            unknown ``mode`` (``CompiledForward`` then runs eagerly, with a warning).
    """
    cpu = any(isinstance(a, torch.Tensor) and a.device.type == 'cpu' for a in args)
    if not cpu or options.get('backend', 'inductor') != 'inductor':
        return dict(options)
    inductor = dict(options.get('options') or {})
    if 'layout_optimization' in inductor:
        return dict(options)
    out = dict(options)
    mode = out.pop('mode', None)
    if mode is not None:
        from torch._inductor import list_mode_options
        inductor = {**list_mode_options(mode), **inductor}
    inductor['layout_optimization'] = False
    out['options'] = inductor
    return out


def flat_tensors(out) -> List[torch.Tensor]:
    """The tensors of a module's output (a tensor, or tuples / lists / dicts of
    them, nested), in order; anything else is left out."""
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for x in out for t in flat_tensors(x)]
    if isinstance(out, dict):
        return [t for x in out.values() for t in flat_tensors(x)]
    return []


def outputs_differ(out, ref, exact: bool, rtol: float = 1e-3) -> Optional[str]:
    """Why an output is not the reference one, or None: another structure, NaN /
    infinity the reference does not have, or (``exact``) another shape or a
    difference beyond ``rtol`` of the largest |value| (float32 reordering
    stays near 1e-6). Used for compiled against eager forwards and for folded
    against unfolded BatchNorms (:mod:`pyskl.models.utils.fuse_conv_bn`)."""
    a, b = flat_tensors(out), flat_tensors(ref)
    if len(a) != len(b):
        return 'gave another structure than the reference'
    for x, y in zip(a, b):
        if not (x.is_floating_point() and y.is_floating_point()):
            continue
        x, y = x.detach(), y.detach()
        if not bool(torch.isfinite(x).all()) and bool(torch.isfinite(y).all()):
            return 'gave NaN or infinite values where the reference does not'
        if exact:
            if x.shape != y.shape:
                return f'gave shape {tuple(x.shape)}, the reference {tuple(y.shape)}'
            scale = float(y.abs().max()) if y.numel() else 0.0
            if float((x - y).abs().max()) > rtol * max(scale, 1e-12):
                return 'differs from the reference beyond float32 rounding'
    return None


def compile_options(value) -> Optional[Dict]:
    """``cfg.compile`` -> ``torch.compile`` keyword arguments, or None (off).

    Raises:
        TypeError: neither a bool nor a dict.
    """
    if value is None or value is False:
        return None
    if value is True:
        return {}
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(f'compile must be True, False or a dict of torch.compile arguments, got '
                    f'{value!r}')


def compile_recognizer(model: torch.nn.Module, options: Dict) -> torch.nn.Module:
    """Compile ``model.backbone`` and ``model.cls_head`` in place (see the
    module docstring); returns ``model``."""
    for name in ('backbone', 'cls_head'):
        part = getattr(model, name, None)
        if part is not None and not isinstance(part.forward, CompiledForward):
            part.forward = CompiledForward(part, f'{type(model).__name__}.{name}', options)
    return model
