"""Runtime glue for mmengine on current PyTorch (checkpoint loading,
distributed setup on CPU machines). Importing this module registers the
trusted local checkpoint loader."""
from .checkpoint import load_trusted_checkpoint
from .distributed import finish_distributed, setup_distributed

__all__ = ['load_trusted_checkpoint', 'setup_distributed', 'finish_distributed']
