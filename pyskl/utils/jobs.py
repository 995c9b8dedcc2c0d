"""Run several trainings side by side, each pinned to its share of the CPUs.

A 2-core machine trains two small models at once faster than one after the
other only when each uses one thread: two torch processes that each take both
cores slow each other down many times over. :func:`run_parallel` starts at most
``jobs`` commands at a time with ``OMP_NUM_THREADS`` (and MKL's) set to
``threads_per_job(jobs)``, sends each one's output to its own log file, and
reports every command that failed by its log. The selection and ablation tools
(``tools/analysis/kfold_select.py --jobs``, ``ablation.py --jobs``) use it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Sequence

THREAD_VARS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return os.cpu_count() or 1


def threads_per_job(jobs: int) -> int:
    """Threads each of ``jobs`` concurrent runs gets: the usable CPUs shared out,
    at least one."""
    return max(1, usable_cpus() // max(1, jobs))


def strip_option(argv: Sequence[str], name: str, nargs: int = 1) -> list:
    """``argv`` without ``name`` and its ``nargs`` values (``--name V`` or
    ``--name=V``), every occurrence; for re-running a command line in a child."""
    out, i = [], 0
    argv = list(argv)
    while i < len(argv):
        a = argv[i]
        if a == name:
            i += 1 + nargs
            continue
        if a.startswith(name + '='):
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def run_parallel(commands: Sequence[tuple], jobs: int, poll: float = 0.5) -> None:
    """Run ``commands`` (``(argv, log_path)`` pairs), at most ``jobs`` at a time.

    Each child gets ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` =
    :func:`threads_per_job` and writes stdout and stderr to ``log_path`` (its
    folder is created). Returns when all have ended.

    Raises:
        RuntimeError: one or more commands exited non-zero; the message names
            each with its exit status and log file (the others still ran).
    """
    jobs = max(1, int(jobs))
    env = dict(os.environ, **{k: str(threads_per_job(jobs)) for k in THREAD_VARS})
    pending = list(commands)
    running, failed = [], []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                argv, log = pending.pop(0)
                os.makedirs(os.path.dirname(os.path.abspath(log)), exist_ok=True)
                fh = open(log, 'w')
                proc = subprocess.Popen(list(argv), stdout=fh, stderr=subprocess.STDOUT,
                                        env=env)
                running.append((proc, fh, argv, log))
                print(f'started ({len(running)}/{jobs} running): log {log}', flush=True)
            for item in list(running):
                proc, fh, argv, log = item
                if proc.poll() is not None:
                    fh.close()
                    running.remove(item)
                    if proc.returncode:
                        failed.append((proc.returncode, log))
            if running:
                time.sleep(poll)
    except BaseException:
        for proc, fh, _, _ in running:   # interrupted: do not leave orphans training
            proc.terminate()
        for proc, fh, _, _ in running:
            proc.wait()
            fh.close()
        raise
    if failed:
        lines = '; '.join(f'exit status {rc}, log {log}' for rc, log in failed)
        raise RuntimeError(f'{len(failed)} of {len(commands)} runs failed: {lines}')


def python_command(script: str, argv: Sequence[str]) -> list:
    """``argv`` for running ``script`` with this interpreter."""
    return [sys.executable, script, *argv]
