"""Reading checkpoints: weights safely, whole training states from one's own runs.

A ``.pth`` file is a pickle, and unpickling a file from an untrusted source can run
arbitrary code. So the project reads checkpoints in two ways, and never changes how
mmengine or torch read files for anybody else:

* :func:`load_weights_file` -- ``tools/test.py CHECKPOINT``, ``load_from``,
  ``init_recognizer``, ONNX export, ``merge_pretrain.py``. The file is unpickled by
  an allow-list unpickler: torch's own weights-only allow list (tensors, storages,
  ``OrderedDict``, dtypes) and NumPy arrays / scalars / dtypes are rebuilt; every
  other class or function the file names (``os.system``, ``builtins.getattr``,
  mmengine's ``HistoryBuffer``...) is *not called* but replaced by an inert
  :class:`OpaqueObject`. The state dict comes out whole; a file cannot run code.
* :func:`load_from_local_trusted` -- ``--resume`` from the run's own work dir:
  the whole training state (optimizer, ``message_hub`` with mmengine objects)
  is needed, so the file is unpickled with ``weights_only=False``. Resume only
  from work dirs you (or your own runs) wrote.

Annotation pickles (``ann_file``) are pickles too: read only files from a source
you trust (``docs/engine.md``).

``load_checked`` is the one place weights enter a model (``tools/test.py``,
``load_from``, ``--resume`` through :class:`pyskl.engine.StrictLoadRunner`, and
``init_recognizer``): a checkpoint that does not fit is refused with the list of
missing, unexpected and mis-shaped keys, unless a partial load is asked for.
"""
from __future__ import annotations

import glob
import os.path as osp
import pickle
import re
import types
import warnings
import zipfile
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch


class OpaqueObject:
    """What :func:`load_weights_file` puts where a checkpoint names a class or
    function outside the allow list: calling, building or filling it does
    nothing (no code of the file's choosing runs)."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return OpaqueObject()

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass

    def __repr__(self):
        return '<object not unpickled>'


def _allowed_globals() -> Dict[str, object]:
    from torch._weights_only_unpickler import _get_allowed_globals
    allowed = dict(_get_allowed_globals())
    core = getattr(np, '_core', None) or np.core
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed[f'{mod}._reconstruct'] = core.multiarray._reconstruct
        allowed[f'{mod}.scalar'] = core.multiarray.scalar
    allowed['numpy.ndarray'] = np.ndarray
    allowed['numpy.dtype'] = np.dtype
    for name in dir(getattr(np, 'dtypes', ())):
        if name.endswith('DType'):
            allowed[f'numpy.dtypes.{name}'] = getattr(np.dtypes, name)
    return allowed


class _AllowListUnpickler(pickle.Unpickler):
    _allowed: Optional[Dict[str, object]] = None

    def find_class(self, module, name):
        if _AllowListUnpickler._allowed is None:
            _AllowListUnpickler._allowed = _allowed_globals()
        obj = self._allowed.get(f'{module}.{name}')
        return obj if obj is not None else OpaqueObject


_allow_list_pickle = types.SimpleNamespace(Unpickler=_AllowListUnpickler, load=pickle.load,
                                           __name__='pyskl_allow_list_pickle')


def _read(filename: str, map_location, **load_args):
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename!r} is not a file')
    try:
        return torch.load(filename, map_location=map_location, **load_args)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile,
            ValueError, OSError) as err:     # a zip cut in its middle: OSError EINVAL
        raise CorruptCheckpointError(
            f'checkpoint {filename!r} cannot be read: truncated or corrupt '
            f'({type(err).__name__}: {err})') from err


def load_weights_file(filename: str, map_location='cpu'):
    """Read a checkpoint for its weights without running code from the file.

    Returns the unpickled checkpoint (``dict`` with ``state_dict``, or a bare
    state dict): tensors, containers, numbers, strings and NumPy values as
    saved; objects of any other class are :class:`OpaqueObject`.

    Raises:
        FileNotFoundError: ``filename`` is not a file.
        CorruptCheckpointError: it cannot be unpickled (names the file).
    """
    return _read(filename, map_location, weights_only=False, pickle_module=_allow_list_pickle)


def load_from_local_trusted(filename: str, map_location=None):
    """Read a whole local checkpoint (``weights_only=False``) -- for ``--resume``
    from one's own work dir only: a pickle from an untrusted source can run code.

    Raises:
        FileNotFoundError: ``filename`` is not a file.
        CorruptCheckpointError: it cannot be unpickled (names the file).
    """
    return _read(filename, map_location, weights_only=False)


class CheckpointMismatchError(RuntimeError):
    """A checkpoint whose tensors do not fit the model (lists the keys)."""


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file exists but cannot be unpickled (truncated, half-written
    or not a checkpoint)."""


def has_checkpoint(work_dir: str) -> bool:
    """Whether ``work_dir`` holds a checkpoint (a ``*.pth`` or a
    ``last_checkpoint`` pointer): the trigger of tools that train into a work
    dir and continue a stopped run with ``resume=True``."""
    return (osp.isfile(osp.join(work_dir, 'last_checkpoint'))
            or bool(glob.glob(osp.join(work_dir, '*.pth'))))


def find_resumable_checkpoint(work_dir: str, logger=None) -> Optional[str]:
    """The checkpoint ``--resume`` (without a path) continues from.

    The file named in ``WORK_DIR/last_checkpoint`` if it can be read; else
    (``last_checkpoint`` missing, empty, or naming a missing / unreadable
    file) the newest readable ``*.pth`` of ``work_dir`` by epoch / iteration
    number, saying so. ``None`` when there is none.
    """
    def warn(msg):
        (logger.warning if logger is not None else warnings.warn)(msg)

    def readable(path):
        try:
            load_from_local_trusted(path, map_location='cpu')
            return True
        except (CorruptCheckpointError, FileNotFoundError) as err:
            warn(f'resume: skipping {path}: {err}')
            return False

    named = None
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip() or None
        if named and readable(named):
            return named
    def step(path):
        m = re.search(r'(\d+)\.pth$', osp.basename(path))
        return (int(m.group(1)) if m else -1, osp.getmtime(path))
    candidates = sorted((p for p in glob.glob(osp.join(work_dir, '*.pth')) if p != named),
                        key=step, reverse=True)
    for path in candidates:
        if readable(path):
            warn(f'resume: {"last_checkpoint names " + repr(named) if named else "no last_checkpoint"}'
                 f'; falling back to the newest readable checkpoint {path}')
            return path
    return None


def _state_dict_of(checkpoint) -> Dict[str, torch.Tensor]:
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get('state_dict'), dict):
        return checkpoint['state_dict']
    if isinstance(checkpoint, dict):
        return checkpoint
    raise CheckpointMismatchError(f'not a checkpoint: a checkpoint is a dict (with a '
                                  f'state_dict), this file holds a {type(checkpoint).__name__}')


def compare_state_dict(model: torch.nn.Module, state_dict: Dict[str, torch.Tensor]
                       ) -> Tuple[List[str], List[str], List[str]]:
    """How ``state_dict`` fits ``model``: ``(missing, unexpected, mis-shaped)``
    key lists. BatchNorm ``num_batches_tracked`` counters missing from old
    checkpoints are not counted (torch fills them in)."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in state_dict if k not in own]
    mismatched = [f'{k}: checkpoint {tuple(state_dict[k].shape)} vs model {tuple(own[k].shape)}'
                  for k in own if k in state_dict and hasattr(state_dict[k], 'shape')
                  and tuple(state_dict[k].shape) != tuple(own[k].shape)]
    return missing, unexpected, mismatched


def apply_key_aliases(model: torch.nn.Module, state_dict: Dict) -> Dict:
    """Rename checkpoint keys by the ``checkpoint_key_aliases`` of the model's
    modules (``{old_prefix: new_prefix}`` relative to the module, e.g.
    MMAction2's ``cls_head.fc.`` -> ``cls_head.fc_cls.``). A key is renamed only
    when the model lacks it and has the new name."""
    own = model.state_dict().keys()
    renames = []
    for name, module in model.named_modules():
        for old, new in getattr(module, 'checkpoint_key_aliases', {}).items():
            base = f'{name}.' if name else ''
            renames.append((base + old, base + new))
    if not renames:
        return state_dict
    out = OrderedDict()
    for k, v in state_dict.items():
        for old, new in renames:
            if k.startswith(old) and k not in own and new + k[len(old):] in own:
                k = new + k[len(old):]
                break
        out[k] = v
    return out


def _listing(name: str, keys: List[str], limit: int = 20) -> str:
    if not keys:
        return ''
    more = f'\n    ... and {len(keys) - limit} more' if len(keys) > limit else ''
    return f'\n  {name} ({len(keys)}):\n    ' + '\n    '.join(keys[:limit]) + more


def load_checked(model: torch.nn.Module, checkpoint, source: str = 'checkpoint',
                 partial: bool = False,
                 revise_keys: Sequence[Tuple[str, str]] = ((r'^module\.', ''),)) -> Dict:
    """Load a checkpoint's weights into ``model``, refusing one that does not fit.

    Args:
        model: the (unwrapped) model.
        checkpoint: a loaded checkpoint (dict with ``state_dict``, or a bare
            state dict).
        source: the file name, for messages.
        partial: load only the keys whose names and shapes match (fine-tuning
            with a new head) instead of refusing the checkpoint.
        revise_keys: ``(regex, replacement)`` applied to the checkpoint's keys
            (``module.`` of DDP wrappers is stripped by default); then the
            modules' ``checkpoint_key_aliases`` (:func:`apply_key_aliases`).

    Returns:
        ``dict(missing=[...], unexpected=[...], mismatched=[...])`` -- with
        ``partial=True``, the model keys in ``missing`` and ``mismatched`` kept
        their fresh initialisation.

    Raises:
        RuntimeError: the checkpoint does not fit and ``partial`` is False; the
            message lists the missing, unexpected and mis-shaped keys.
    """
    state_dict = _state_dict_of(checkpoint)
    for pattern, repl in revise_keys:
        state_dict = OrderedDict((re.sub(pattern, repl, k), v) for k, v in state_dict.items())
    state_dict = apply_key_aliases(model, state_dict)
    missing, unexpected, mismatched = compare_state_dict(model, state_dict)
    report = dict(missing=missing, unexpected=unexpected, mismatched=mismatched)
    if (missing or unexpected or mismatched) and not partial:
        raise CheckpointMismatchError(
            f'{source} does not fit the model ({type(model).__name__}):'
            + _listing('missing in the checkpoint', missing)
            + _listing('unexpected in the checkpoint', unexpected)
            + _listing('shape mismatch', mismatched)
            + '\nUse the config the checkpoint was trained with; to fine-tune from it with a '
              'different head, load it partially (load_partial = True in the config or '
              '--cfg-options load_partial=True).')
    bad = {m.split(':')[0] for m in mismatched}
    model.load_state_dict(OrderedDict((k, v) for k, v in state_dict.items()
                                      if k not in bad and k not in unexpected), strict=False)
    return report


def partial_load_message(report: Dict, source: str) -> str:
    """One log message describing what a partial load left untouched."""
    fresh = report['missing'] + report['mismatched']
    return (f'Partial load of {source}: {len(fresh)} model keys left newly initialised, '
            f'{len(report["unexpected"])} checkpoint keys unused.'
            + _listing('newly initialised (missing)', report['missing'], 50)
            + _listing('newly initialised (shape mismatch)', report['mismatched'], 50)
            + _listing('unused', report['unexpected'], 50))
