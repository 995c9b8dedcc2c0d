"""Command-line pieces shared by ``tools/train.py`` and ``tools/test.py``."""
from __future__ import annotations

import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


def add_common_args(p: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    p.add_argument('--work-dir', help='directory for logs, checkpoints and dumps')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. train_cfg.max_epochs=2')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_with_env(p: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_config_of(args) -> Config:
    """``args.config`` read by :func:`pyskl.engine.config.load_config` with
    ``--cfg-options`` merged before the late-bound variables are resolved."""
    from .config import load_config
    return load_config(args.config, args.cfg_options)


def apply_common_args(cfg: Config, args) -> Config:
    """Choose the work dir (``--work-dir`` > config ``work_dir`` >
    ``./work_dirs/<config name>``); ``--cfg-options`` were merged when the
    config was loaded (:func:`load_config_of`)."""
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg
