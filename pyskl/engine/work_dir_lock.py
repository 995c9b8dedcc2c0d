"""One training per work dir: a lock file that names the run holding it.

Two trainings writing into one ``--work-dir`` at the same time mix their
checkpoints, configs and ``best_*.pth`` (both exit 0). ``tools/train.py``
takes :class:`WorkDirLock` on rank 0 before building the Runner; a second
training into the same folder stops at once with the other run's process
id, host, start time and config. The lock is released when the training
ends (also on an exception); a lock left by a killed run on this host
(its process is gone) is taken over with a warning. A lock written on
another host cannot be checked: delete ``work_dir/.train.lock`` once that
run is known to be over.
"""
from __future__ import annotations

import json
import os
import os.path as osp
import socket
import time
from typing import Optional


class WorkDirBusyError(RuntimeError):
    """The work dir is locked by another live training."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:         # exists, owned by someone else
        return True
    return True


class WorkDirLock:
    """``with WorkDirLock(work_dir, config=path): train()``.

    Raises:
        WorkDirBusyError: another live training holds the lock (named).
    """
    name = '.train.lock'

    def __init__(self, work_dir: str, config: Optional[str] = None):
        self.work_dir = work_dir
        self.path = osp.join(work_dir, self.name)
        self.config = config
        self._held = False

    def acquire(self) -> 'WorkDirLock':
        os.makedirs(self.work_dir, exist_ok=True)
        me = dict(pid=os.getpid(), host=socket.gethostname(),
                  started=time.strftime('%Y-%m-%d %H:%M:%S'), config=self.config)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = self._read()
                if other is not None and other.get('host') == me['host'] and \
                        isinstance(other.get('pid'), int) and not _alive(other['pid']):
                    import warnings
                    warnings.warn(f'{self.path}: taking over the lock of process '
                                  f"{other['pid']}, which is gone (a killed run)")
                    os.remove(self.path)
                    continue
                who = (f"process {other.get('pid')} on host {other.get('host')!r}, "
                       f"started {other.get('started')} with config {other.get('config')!r}"
                       if other else 'an unreadable lock file')
                raise WorkDirBusyError(
                    f'work dir {self.work_dir!r} is in use by another training ({who}); '
                    'give this run another --work-dir, or wait for that one to end. If that '
                    f'run is over (another host, crashed), delete {self.path!r}.') from None
            with os.fdopen(fd, 'w') as f:
                json.dump(me, f)
            self._held = True
            return self
        raise WorkDirBusyError(f'{self.path}: cannot take the lock')

    def _read(self) -> Optional[dict]:
        try:
            with open(self.path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._held:
            self._held = False
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
