"""The errors that mean "the input is wrong", not "the code is wrong".

Each names its culprit (file, sample, key, argument). A command-line tool
ends with one line ``TOOL: error: MESSAGE`` and exit status 2 on any of them
(:func:`main_or_exit`); other exceptions keep their traceback, as bugs should.
"""
from __future__ import annotations

import sys
from typing import Callable


def user_errors() -> tuple:
    """The exception classes :func:`main_or_exit` reports in one line."""
    from pyskl.datasets.pose_dataset import AnnotationError, PipelineError
    from pyskl.io import OutputPathError, UnsafePickleError, VideoReadError

    from .checkpoint import CheckpointMismatchError, CorruptCheckpointError
    from .config import ConfigError
    from .runner import LabelRangeError
    from .work_dir_lock import WorkDirBusyError
    return (ConfigError, AnnotationError, PipelineError, CorruptCheckpointError,
            CheckpointMismatchError, LabelRangeError,
            OutputPathError, UnsafePickleError, VideoReadError, WorkDirBusyError,
            FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def main_or_exit(main: Callable, prog: str) -> None:
    """Run ``main()``; a user error ends the process with one line and exit 2."""
    errors = user_errors()
    try:
        main()
    except errors as err:
        print(f'{prog}: error: {err}', file=sys.stderr)
        sys.exit(2)
