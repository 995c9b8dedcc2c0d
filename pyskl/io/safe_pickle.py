"""Reading data pickles (annotation files, result dumps, pose files) without
running code from them.

Unpickling calls whatever class or function the file names, so a pickle from
an untrusted source can run any code (``os.system`` ...). Data files need
none of that: PYSKL's and MMAction2's annotation pickles hold dicts, lists,
strings, numbers and NumPy arrays; MMAction2's ``--dump`` files add torch
tensors. :func:`loads_data` rebuilds exactly those and refuses any other
global with :class:`UnsafePickleError`, naming the file and the global.

Trust model (docs/reliability.md):

* data pickles -- restricted as above; a legacy file that needs more (an
  object of some class) is read in full only when the user says they trust
  it: ``PYSKL_TRUST_PICKLES=1`` in the environment;
* checkpoints -- :func:`pyskl.engine.checkpoint.load_weights_file` (weights
  only, never code); ``--resume`` reads the run's own work dir in full.
"""
from __future__ import annotations

import _compat_pickle
import gzip
import io
import os
import pickle
from typing import Callable, Dict, Optional

import numpy as np

TRUST_ENV = 'PYSKL_TRUST_PICKLES'


class UnsafePickleError(pickle.UnpicklingError):
    """A data pickle names a class or function that data does not need."""


def trusted_by_user() -> bool:
    """``PYSKL_TRUST_PICKLES`` is set to 1 / true / yes."""
    return os.environ.get(TRUST_ENV, '').strip().lower() in ('1', 'true', 'yes')


def _load_tensor_bytes(b: bytes):
    # torch.storage._load_from_bytes reads nested bytes with weights_only=False;
    # the nested file is a tensor storage, which the weights-only reader rebuilds
    import torch
    return torch.load(io.BytesIO(b), weights_only=True)


def _data_globals() -> Dict[str, Callable]:
    allowed = {
        **{f'builtins.{t.__name__}': t for t in (list, dict, tuple, str, bytes, int, float,
                                                 bool)},
        'builtins.set': set, 'builtins.frozenset': frozenset, 'builtins.complex': complex,
        'builtins.slice': slice, 'builtins.bytearray': bytearray, 'builtins.range': range,
        'collections.OrderedDict': __import__('collections').OrderedDict,
        'collections.defaultdict': __import__('collections').defaultdict,
        '_codecs.encode': __import__('codecs').encode,   # bytes in protocol-2 pickles
        'numpy.ndarray': np.ndarray, 'numpy.dtype': np.dtype,
    }
    core = getattr(np, '_core', None) or np.core
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed[f'{mod}._reconstruct'] = core.multiarray._reconstruct
        allowed[f'{mod}.scalar'] = core.multiarray.scalar
    for mod in ('numpy.core.numeric', 'numpy._core.numeric'):
        # protocol 5 (pickle.HIGHEST_PROTOCOL): an array from its raw buffer;
        # NumPy refuses an object dtype there
        allowed[f'{mod}._frombuffer'] = core.numeric._frombuffer
    for name in dir(getattr(np, 'dtypes', ())):
        if name.endswith('DType'):
            allowed[f'numpy.dtypes.{name}'] = getattr(np.dtypes, name)
    return allowed


_TORCH_GLOBALS = ('torch._utils._rebuild_tensor_v2', 'torch.storage._load_from_bytes')


class _DataUnpickler(pickle.Unpickler):
    _allowed: Optional[Dict[str, Callable]] = None

    def __init__(self, file, source: str, what: str, **kwargs):
        super().__init__(file, **kwargs)
        self.source, self.what = source, what

    def find_class(self, module: str, name: str):
        # Python 2 names (``__builtin__.bytes`` in protocols 0-2), mapped as
        # pickle itself maps them; no Python 3 module carries such a name
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        full = f'{module}.{name}'
        if _DataUnpickler._allowed is None:
            _DataUnpickler._allowed = _data_globals()
        if full in self._allowed:
            return self._allowed[full]
        if full in _TORCH_GLOBALS:
            if full == 'torch.storage._load_from_bytes':
                return _load_tensor_bytes
            import torch._utils
            return torch._utils._rebuild_tensor_v2
        raise UnsafePickleError(
            f'{self.what} {self.source!r} names {full!r}, which a data file does not need '
            '(only dicts, lists, strings, numbers, NumPy arrays and torch tensors are read); '
            'it may run code when unpickled. If the file comes from a source you trust, '
            f'read it with {TRUST_ENV}=1 in the environment.')


def loads_data(raw: bytes, source: str, what: str = 'data file', encoding: str = 'ASCII'):
    """Unpickle the bytes of a data pickle (gzip-compressed or not).

    Args:
        raw: the file's bytes; gzip is recognised by its magic bytes.
        source: the file's name, for messages.
        what: what the file is, for messages (``'annotation file'``).
        encoding: for Python 2 pickles (``'latin1'``), as :func:`pickle.load`.

    Raises:
        UnsafePickleError: the file names a global outside the data allow list
            (and ``PYSKL_TRUST_PICKLES`` is not set).
        pickle.UnpicklingError, EOFError, ...: not a (complete) pickle.
    """
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    if trusted_by_user():
        return pickle.loads(raw, encoding=encoding)
    return _DataUnpickler(io.BytesIO(raw), source, what, encoding=encoding).load()


def load_data(path: str, what: str = 'data file', encoding: str = 'ASCII'):
    """Read a local data pickle with :func:`loads_data`.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UnsafePickleError / pickle.UnpicklingError / EOFError: see
            :func:`loads_data`.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{what} {path!r} does not exist')
    with open(path, 'rb') as f:
        raw = f.read()
    return loads_data(raw, path, what, encoding=encoding)
