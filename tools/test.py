"""Test a checkpoint (mmengine Runner) and optionally dump per-sample scores.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump result.pkl]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm}]

PYSKL flags are accepted too: ``--out result.pkl`` (= ``--dump``),
``--eval top_k_accuracy mean_class_accuracy`` (the metrics to compute) and
``--average-clips {prob,score}``, ``--fuse-conv-bn`` (BatchNorm folded into
the convolution before it: :mod:`pyskl.models.utils.fuse_conv_bn`).

From the command line to the Runner, in this file: ``parse_args`` ->
``pyskl.engine.load_config`` -> ``merge_args`` -> ``setup_distributed`` ->
``build_runner`` -> ``test``.

The dump is a list with one dict per test sample, as MMAction2 1.x writes:
``pred_score`` FloatTensor (num_classes,), ``pred_label`` LongTensor (1,),
``gt_label`` LongTensor (1,), plus the sample's metainfo (``frame_dir``...).

``--dump-features FEAT.pkl`` writes ``dict(frame_dir=[N], label=(N,),
feature=(N, C) float32)``: per test sample the features the head's last
linear layer sees (pooled over persons, time and joints or space), averaged
over the sample's clips -- PYSKL's ``test_cfg=dict(feat_ext=True)``, which is
accepted in a config too.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config  # noqa: E402

from pyskl.engine.config import DictAction  # noqa: E402
from pyskl.engine.user_errors import main_or_exit  # noqa: E402
from pyskl.engine import (build_runner, finish_distributed, load_config,  # noqa: E402
                          setup_distributed)
from pyskl.io import check_output_path  # noqa: E402
from pyskl.utils import register_all_modules  # noqa: E402
from pyskl.utils.malloc import keep_freed_memory  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Test a pyskl recognizer')
    p.add_argument('config', help='test config file path')
    p.add_argument('checkpoint', help='checkpoint file')
    p.add_argument('--dump', type=str, help='write per-sample predictions to this .pkl')
    p.add_argument('--out', type=str, help='PYSKL alias of --dump')
    p.add_argument('--dump-features', type=str, metavar='FEAT.pkl',
                   help='write per-sample pooled features (N, C) with labels and frame_dir '
                        "(PYSKL's test_cfg feat_ext)")
    p.add_argument('--eval', nargs='+', help='PYSKL: metrics, e.g. top_k_accuracy '
                   'mean_class_accuracy')
    p.add_argument('--average-clips', choices=['prob', 'score', 'none'],
                   help='how clip scores are averaged')
    p.add_argument('--work-dir', help='directory for logs, checkpoints and dumps')
    p.add_argument('--compile', action='store_true',
                   help="torch.compile the model's backbone and head (PYSKL's flag; eager "
                        'where compilation fails)')
    p.add_argument('--fuse-conv-bn', action='store_true',
                   help='fold each BatchNorm that directly follows a convolution into it '
                        "(PYSKL's flag; read off the data flow at the first batch, checked "
                        'against the unfolded output)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. train_cfg.max_epochs=2 or a variable: split=2')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    if args.compile:
        cfg.compile = cfg.get('compile') or True
    if args.fuse_conv_bn:
        cfg.fuse_conv_bn = True
    if args.work_dir:      # --work-dir > the config's work_dir > ./work_dirs/<config name>
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    evaluators = cfg.test_evaluator
    evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
    if args.eval:
        evaluators = [dict(type='AccMetric', metric_list=tuple(args.eval))]
    dump = args.dump or args.out
    if dump:
        evaluators.append(dict(type='DumpResults', out_file_path=dump))
    if args.dump_features:
        evaluators.append(dict(type='DumpFeatures', out_file_path=args.dump_features))
        cfg.model.test_cfg = dict(cfg.model.get('test_cfg') or {}, feat_ext=True)
    cfg.test_evaluator = evaluators
    if args.average_clips:
        cfg.model.setdefault('test_cfg', {})
        cfg.model.test_cfg = dict(cfg.model.test_cfg or {},
                                  average_clips=None if args.average_clips == 'none'
                                  else args.average_clips)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    keep_freed_memory()      # no page faults on reused activations (PYSKL_MALLOC=system: off)
    dump = args.dump or args.out
    outputs = [(f, flag) for f, flag in ((dump, '--dump'), (args.dump_features,
                                                             '--dump-features')) if f]
    for f, flag in outputs:     # before any work: a bad path must not cost the test run
        check_output_path(f, flag, inputs=[args.config, args.checkpoint],
                          suffixes=('.pkl', '.pickle'))
    if dump and args.dump_features and osp.abspath(dump) == osp.abspath(args.dump_features):
        raise SystemExit('tools/test.py: --dump and --dump-features name the same file')
    register_all_modules()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)
    for f, flag in outputs:     # nor may it replace the annotation file it is computed from
        check_output_path(f, flag, inputs=[cfg.test_dataloader.dataset.get('ann_file')])
    setup_distributed(cfg, args.launcher)
    runner = build_runner(cfg)
    runner.test()
    finish_distributed(0)


if __name__ == '__main__':
    main_or_exit(main, 'tools/test.py')
