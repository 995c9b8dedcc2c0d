"""Runtime glue for mmengine on current PyTorch (checkpoint loading,
distributed setup on CPU machines). Importing this module registers the
trusted local checkpoint loader."""
from .checkpoint import load_from_local_trusted
from .config import heatmap_on_device, load_config, resolve_variables
from .distributed import finish_distributed, setup_distributed
from .hooks import CheckInvalidLossHook
from .runner import StrictLoadRunner, build_runner

__all__ = ['load_from_local_trusted', 'setup_distributed', 'finish_distributed',
           'CheckInvalidLossHook', 'StrictLoadRunner', 'build_runner', 'load_config',
           'resolve_variables', 'heatmap_on_device']
