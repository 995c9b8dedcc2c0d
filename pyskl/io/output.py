"""Writing outputs so that nothing is lost: check the path before the work,
write to a temporary name beside it, rename when complete.

A result dump, a prediction JSON or a converted annotation file is written
only after minutes or hours of work; a missing folder, a path under a file or
a read-only folder found *then* loses the work, and a kill or full disk
half-way leaves a truncated file under the final name. Every tool calls
:func:`check_output_path` when it parses its arguments and writes through
:func:`atomic_write`.
"""
from __future__ import annotations

import contextlib
import os
import os.path as osp
import pickle
import sys
import tempfile
from typing import Iterable, Optional


class OutputPathError(OSError):
    """An output path that cannot be written (names the path and why)."""


def check_output_path(path: str, what: str = 'output', inputs: Iterable[str] = (),
                      suffixes: Optional[tuple] = None) -> str:
    """Check, before any work, that ``path`` can be written as a file.

    Args:
        path: the output file.
        what: what it is, for messages (``'--dump'``).
        inputs: the files the run reads; the output may not be one of them.
        suffixes: allowed file endings (``('.pkl', '.pickle')``), or None.

    Returns:
        The absolute path.

    Raises:
        OutputPathError: a folder (or a file where a folder should be) is
            missing, the path is a folder, the folder is not writable, the
            ending is wrong, or the output would replace an input.
    """
    if not path or not isinstance(path, str):
        raise OutputPathError(f'{what}: an output file name is needed, got {path!r}')
    full = osp.abspath(osp.expanduser(path))
    if osp.isdir(full):
        raise OutputPathError(f'{what} {path!r} is a folder; give a file name')
    if suffixes and not full.lower().endswith(tuple(suffixes)):
        raise OutputPathError(f'{what} {path!r}: must end with one of {list(suffixes)}')
    folder = osp.dirname(full)
    if not osp.isdir(folder):
        parent = folder
        while parent and not osp.exists(parent):
            parent = osp.dirname(parent)
        why = (f'{parent!r} is a file' if osp.isfile(parent)
               else f'folder {folder!r} does not exist')
        raise OutputPathError(f'{what} {path!r} cannot be written: {why}')
    for inp in inputs:
        if not inp:
            continue
        src = osp.abspath(osp.expanduser(inp))
        if src == full or (osp.exists(full) and osp.exists(src) and osp.samefile(src, full)):
            raise OutputPathError(f'{what} {path!r} is also an input of this run ({inp!r}); '
                                  'write the output elsewhere')
    try:    # a real write: catches read-only mounts that os.access misses
        fd, probe = tempfile.mkstemp(prefix='.pyskl-probe-', dir=folder)
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        raise OutputPathError(f'{what} {path!r} cannot be written: folder {folder!r} is not '
                              f'writable ({e.strerror or e})') from e
    return full


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'wb'):
    """Open a temporary file beside ``path`` for writing; on success it is
    flushed to disk and renamed to ``path`` (a reader never sees a partial
    file); on any error it is removed and ``path`` is left as it was."""
    full = osp.abspath(path)
    fd, tmp = tempfile.mkstemp(prefix=osp.basename(full) + '.', suffix='.part',
                               dir=osp.dirname(full))
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, full)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def dump_pickle(obj, path: str, protocol: int = 4) -> None:
    """Pickle ``obj`` to ``path`` through :func:`atomic_write`."""
    with atomic_write(path, 'wb') as f:
        pickle.dump(obj, f, protocol=protocol)


def write_dataset(data: dict, path: str, skipped: Iterable[str] = (),
                  what: str = 'samples', note: str = '') -> int:
    """Write a converted annotation file and report it, as the converters in
    ``tools/data`` do.

    Each entry of ``skipped`` (why an input was left out, naming it) goes to
    stderr; ``data`` (``dict(split=..., annotations=[...])``) is pickled to
    ``path`` through :func:`dump_pickle`; one line on stdout gives the count of
    annotations and the size of each split (and ``note``, e.g. what was left
    out on purpose).

    Returns:
        The exit status for the tool: 1 when anything was skipped, else 0.
    """
    skipped = list(skipped)
    for why in skipped:
        print(f'skipped {why}', file=sys.stderr)
    dump_pickle(data, path)
    splits = ', '.join(f'{k} {len(v)}' for k, v in (data.get('split') or {}).items())
    print(f'wrote {path}: {len(data["annotations"])} {what}'
          + (f', splits {splits}' if splits else '')
          + (f'; {len(skipped)} inputs skipped' if skipped else '')
          + (f'; {note}' if note else ''))
    return 1 if skipped else 0


def save_figure(fig, path: str, **kwargs) -> None:
    """Save a matplotlib figure to ``path`` through :func:`atomic_write` (the
    format is the file's ending, ``.png`` / ``.pdf`` / ``.svg``)."""
    fmt = osp.splitext(path)[1].lstrip('.').lower() or 'png'
    with atomic_write(path, 'wb') as f:
        fig.savefig(f, format=fmt, **kwargs)
