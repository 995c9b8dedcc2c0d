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

``WorkDirLock(work_dir, wait=True)`` waits instead while the holder is a live
process on this host, then takes the lock: the selection and ablation tools
(``tools/analysis/kfold_select.py``, ``ablation.py``) train this way, so a
second command on the same work dir waits for a training the first is doing
and then uses its result (scores file, checkpoints) instead of mixing with it.
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

    Args:
        work_dir: the training's work dir (created if missing).
        config: the config path, recorded in the lock for the error message.
        wait: while a live process on this host holds the lock, wait for it
            to end (checking every ``poll`` seconds, saying once whom it
            waits for) instead of raising.
        poll: seconds between checks when waiting (default: the class's
            ``poll``, 10).

    Raises:
        WorkDirBusyError: another live training holds the lock (named); with
            ``wait``, only a lock of another host or an unreadable lock file,
            which cannot be checked.
    """
    name = '.train.lock'
    poll = 10.0

    def __init__(self, work_dir: str, config: Optional[str] = None, wait: bool = False,
                 poll: Optional[float] = None):
        self.work_dir = work_dir
        self.path = osp.join(work_dir, self.name)
        self.config = config
        self.wait = wait
        if poll is not None:
            self.poll = poll
        self._held = False

    def acquire(self) -> 'WorkDirLock':
        os.makedirs(self.work_dir, exist_ok=True)
        me = dict(pid=os.getpid(), host=socket.gethostname(),
                  started=time.strftime('%Y-%m-%d %H:%M:%S'), config=self.config)
        takeovers, waited, empty_reads = 0, False, 0
        while takeovers < 2:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = self._read()
                if other is None and empty_reads < 10 and osp.exists(self.path):
                    empty_reads += 1        # created, not yet written by its holder
                    time.sleep(0.1)
                    continue
                here = (other is not None and other.get('host') == me['host']
                        and isinstance(other.get('pid'), int))
                if here and not _alive(other['pid']):
                    import warnings
                    warnings.warn(f'{self.path}: taking over the lock of process '
                                  f"{other['pid']}, which is gone (a killed run)")
                    os.remove(self.path)
                    takeovers += 1
                    continue
                if here and self.wait:
                    if not waited:
                        print(f"{self.work_dir}: waiting for process {other['pid']} (started "
                              f"{other.get('started')}), which is training here", flush=True)
                        waited = True
                    time.sleep(self.poll)
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
