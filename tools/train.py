"""Train a recognizer from a config (mmengine Runner).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--no-validate] [--auto-scale-lr] [--seed S] [--deterministic]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm}]

PYSKL flags are accepted too: ``--validate`` (the default), ``--test-last``
and ``--test-best`` (test the last / best checkpoint after training).

From the command line to the Runner, in this file: ``parse_args`` ->
``pyskl.engine.load_config`` (``Config.fromfile``, ``--cfg-options``, variables) ->
``merge_args`` (the flags) -> ``setup_distributed`` -> ``build_runner`` -> ``train``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config  # noqa: E402
from mmengine.dist import get_rank  # noqa: E402

from pyskl.engine.config import DictAction  # noqa: E402
from pyskl.engine.user_errors import main_or_exit  # noqa: E402
from pyskl.engine import (WorkDirBusyError, WorkDirLock, build_runner,  # noqa: E402
                          finish_distributed, load_config,
                          setup_distributed)
from pyskl.utils import register_all_modules  # noqa: E402
from pyskl.utils.malloc import keep_freed_memory  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a pyskl recognizer')
    p.add_argument('config', help='train config file path')
    p.add_argument('--resume', nargs='?', type=str, const='auto',
                   help='resume from CKPT, or from the latest checkpoint in work-dir '
                        'when no path is given')
    p.add_argument('--amp', action='store_true',
                   help='automatic mixed precision (GPU: float16 with loss scaling, '
                        "mmengine's AmpOptimWrapper; CPU: bfloat16 autocast, CPUAmpOptimWrapper)")
    p.add_argument('--no-validate', action='store_true', help='no validation during training')
    p.add_argument('--validate', action='store_true', help='PYSKL flag; validation is the default')
    p.add_argument('--test-last', action='store_true', help='test the final model after training')
    p.add_argument('--test-best', action='store_true', help='test the best checkpoint after training')
    p.add_argument('--auto-scale-lr', action='store_true',
                   help='scale the lr by actual / auto_scale_lr.base_batch_size')
    p.add_argument('--seed', type=int, default=None, help='random seed')
    p.add_argument('--diff-rank-seed', action='store_true', help='different seed per rank')
    p.add_argument('--deterministic', action='store_true', help='deterministic cuDNN/algorithms')
    p.add_argument('--work-dir', help='directory for logs, checkpoints and dumps')
    p.add_argument('--compile', action='store_true',
                   help="torch.compile the model's backbone and head (PYSKL's flag; eager "
                        'where compilation fails)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. train_cfg.max_epochs=2 or a variable: split=2')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    """Fold the command-line flags into the config."""
    if args.compile:
        cfg.compile = cfg.get('compile') or True
    if args.work_dir:      # --work-dir > the config's work_dir > ./work_dirs/<config name>
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        from mmengine.device import get_device
        if get_device() == 'cpu':     # mmengine's AmpOptimWrapper refuses a CPU-only machine
            cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
            cfg.optim_wrapper.setdefault('dtype', 'bfloat16')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    randomness = dict(cfg.get('randomness') or {})
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.deterministic:
        randomness['deterministic'] = True
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if randomness:
        randomness.setdefault('seed', None)
        cfg.randomness = randomness
    return cfg


def best_checkpoint(runner):
    for hook in runner.hooks:
        path = getattr(hook, 'best_ckpt_path', None)
        if path:
            return path
    return None


def main(argv=None):
    args = parse_args(argv)
    keep_freed_memory()      # no page faults on reused activations (PYSKL_MALLOC=system: off)
    register_all_modules()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)
    setup_distributed(cfg, args.launcher)
    lock = WorkDirLock(cfg.work_dir, osp.abspath(args.config))
    if get_rank() == 0:     # one training per work dir (the lock names the holder)
        try:
            lock.acquire()
        except WorkDirBusyError as e:
            print(f'tools/train.py: error: {e}', file=sys.stderr)
            sys.exit(2)
    try:
        runner = build_runner(cfg)
        runner.train()
        if args.test_last:
            runner.test()
        if args.test_best:
            path = best_checkpoint(runner)
            if path is None:
                runner.logger.warning('--test-best: no best checkpoint was saved '
                                      '(no validation?)')
            else:
                runner.load_checkpoint(path)
                runner.test()
    finally:
        lock.release()
    finish_distributed(0)


if __name__ == '__main__':
    main_or_exit(main, 'tools/train.py')
