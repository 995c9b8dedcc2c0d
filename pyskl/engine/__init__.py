"""Runtime glue for mmengine on current PyTorch (checkpoint loading,
distributed setup on CPU machines). Importing it changes nothing in mmengine
or torch: the project's own loading goes through :mod:`.checkpoint`."""
from .checkpoint import load_from_local_trusted, load_weights_file
from .config import load_config, resolve_variables
from .distributed import finish_distributed, setup_distributed
from .hooks import CheckInvalidLossHook
from .optim_wrapper import CPUAmpOptimWrapper
from .runner import StrictLoadRunner, build_runner
from .work_dir_lock import WorkDirBusyError, WorkDirLock

__all__ = ['WorkDirBusyError', 'WorkDirLock', 'load_from_local_trusted', 'load_weights_file', 'setup_distributed', 'finish_distributed',
           'CheckInvalidLossHook', 'CPUAmpOptimWrapper', 'StrictLoadRunner', 'build_runner', 'load_config',
           'resolve_variables']
