"""Keep freed memory in glibc's heap, so a CPU training step does not page-fault.

PyTorch allocates CPU tensors with the C library's ``malloc``. glibc serves
blocks above a threshold (at most 32 MiB) with a fresh ``mmap`` and gives them
back to the kernel when freed, so every large activation of every step is
zero-filled page by page again by the kernel; ST-GCN++'s activations at batch 16
(tens of MiB each) pay this in every forward and backward. With mmap disabled for
malloc and trimming off, freed blocks stay in the heap and are reused: the
process keeps its peak memory instead of returning it between steps. This is
glibc's documented ``mallopt`` tuning (the same effect Intel's PyTorch tuning
guide gets by preloading jemalloc or tcmalloc); it changes no result.

``tools/train.py`` and ``tools/test.py`` call ``keep_freed_memory()`` at start;
``PYSKL_MALLOC=system`` in the environment leaves malloc as it is. Elsewhere
than glibc (macOS, Windows, musl) it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1   # glibc malloc.h
M_MMAP_MAX = -4

_done = False


def keep_freed_memory() -> bool:
    """Set glibc's ``M_MMAP_MAX`` to 0 and ``M_TRIM_THRESHOLD`` to its
    largest value, once per process.

    Returns:
        True if glibc accepted both settings (or they were set before), False
        where they do not apply (not glibc, or ``PYSKL_MALLOC=system``).
    """
    global _done
    if _done:
        return True
    if os.environ.get('PYSKL_MALLOC', '') == 'system' or not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        mallopt = libc.mallopt
    except (OSError, AttributeError):   # musl and others have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, 2 ** 31 - 1))
    return _done
