"""Mixed precision on CPU: mmengine's ``AmpOptimWrapper`` runs on GPU / NPU / MLU /
MUSA only (it asserts one is there), so ``tools/train.py --amp`` on a CPU machine
uses this wrapper instead."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from pyskl.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward (``optim_context``: model forward and loss,
    as mmengine's ``train_step`` runs them) is under ``torch.autocast('cpu')``
    with bfloat16: matrix products and convolutions in bfloat16 (AMX / AVX512-BF16
    where the CPU has them), reductions, losses and the parameters and their
    gradients in float32. bfloat16 has float32's exponent range, so no loss
    scaling is needed (mmengine's ``AmpOptimWrapper`` scales for float16).

    Args:
        dtype: ``'bfloat16'`` (or ``torch.bfloat16``); float16 on CPU would need
            loss scaling and is refused.
        **kwargs: those of ``mmengine.optim.OptimWrapper``.

    Raises:
        ValueError: another ``dtype``.
    """

    def __init__(self, dtype='bfloat16', **kwargs):
        if dtype not in ('bfloat16', torch.bfloat16):
            raise ValueError(f'CPUAmpOptimWrapper: dtype must be bfloat16, got {dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
