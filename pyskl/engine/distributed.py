"""Distributed runs on machines without CUDA (gloo), and a clean exit.

mmengine 0.10 initialises ``torchrun`` jobs with ``backend='nccl'`` and
``torch.cuda.set_device`` and wraps the model with
``device_ids=[LOCAL_RANK]`` -- all three fail on a CPU machine. When CUDA is
absent, :func:`setup_distributed` initialises the gloo process group itself
(mmengine then skips its own ``init_dist``) and asks for
``MMDistributedDataParallel(device_ids=None)``. With CUDA nothing changes.
"""
from __future__ import annotations

import logging
import os
import sys

import torch
import torch.distributed as dist
from mmengine.config import Config


def setup_distributed(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` (and the process group on CPU) for ``launcher``."""
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise RuntimeError(f'launcher {launcher!r} without CUDA is not supported; use '
                           "'pytorch' (torchrun, gloo backend) or 'none'")
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper


def finish_distributed(exit_code: int = 0) -> None:
    """End a successful run cleanly.

    gloo processes sometimes abort in interpreter teardown after a
    successful run (a non-zero exit from ``torchrun``). After a barrier and
    ``destroy_process_group`` this flushes logs and streams and leaves with
    ``os._exit`` so the faulty teardown never runs. Single-process runs
    just return.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
