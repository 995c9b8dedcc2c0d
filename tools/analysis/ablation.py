"""Remove each component of a recipe in turn: train and test one run per
variant, and write the table of what each component is worth.

    python tools/analysis/ablation.py configs/small/stgcnpp_small_utd-mhad-3d.py \\
        --work-dir work_dirs/utd_ablation --seed 0
    python tools/analysis/ablation.py CONFIG --work-dir W --list      # the variants only

The variants are read off the config, so the tool works on any GCN config:

- ``recipe``: the config as it is;
- ``no-<Transform>``: one augmentation of the training pipeline removed
  (``Flip``, ``Flip3D``, ``RandomRot``, ``RandomScale``, ``RandomGaussianNoise``,
  ``RandomResizedCrop``; a flip with ``flip_ratio=0`` is off and has no variant);
- ``no-temporal-crop``: ``UniformSampleFrames.p_interval`` set to ``(1, 1)``
  (whole clips) where the recipe crops;
- ``no-<PreNormalize2D|PreNormalize3D>``: the normalisation removed from every
  pipeline (train, val and test), so raw coordinates reach the model;
- ``no-label-smoothing`` and ``no-dropout``: the head's label smoothing / dropout
  set to 0 where the recipe uses them;
- ``persons-apart``: where the recipe merges P persons into one graph
  (``MergePersons``, layout ``'<name>_xP'``), each person its own graph again
  (layout ``'<name>'``, ``FormatGCNInput(num_person=P)``);
- ``width-64``: ``base_channels`` 64 (and the head's input width scaled to
  match) where the recipe is narrower;
- ``test-1-clip``: the ``recipe`` checkpoint tested with one clip instead of the
  config's ``num_clips`` (no training of its own; needs ``recipe``).

Every variant trains on the config's train split for the config's schedule
with ``--seed`` (one seed: say so when you report it), the validation loop
switched off, and tests its last checkpoint with the config's test pipeline.
``W/<variant>/result.json`` holds its test top-1 and mean class accuracy; a
variant whose result exists is not run again, one whose last checkpoint
exists is tested without training again, and one stopped midway continues
from its newest epoch checkpoint (one kept per variant), so an interrupted
ablation resumes
(and the ``recipe`` row can reuse an earlier training of the same config and
seed: copy its last checkpoint to ``W/recipe/``). ``W/ablation.json`` and
``W/ablation.md`` (a Markdown table with the change from ``recipe``) are
rewritten after every variant. ``--only`` runs a subset (in the order given),
``--cfg-options`` reach every run. ``--jobs N``
trains N variants at a time, each in its own process with its share of the
CPUs (``OMP_NUM_THREADS``; 2 jobs of one thread on a 2-core machine), its
output in ``W/<variant>.log``.
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from pyskl.io import atomic_write  # noqa: E402

AUGMENTATIONS = ('Flip', 'Flip3D', 'RandomRot', 'RandomScale', 'RandomGaussianNoise',
                 'RandomResizedCrop')
PIPELINES = ('train', 'val', 'test')


def _dataset(cfg, which):
    ds = cfg[f'{which}_dataloader']['dataset']
    return ds['dataset'] if 'RepeatDataset' in ds.get('type', '') else ds


def _pipeline(cfg, which):
    return _dataset(cfg, which)['pipeline']


def _drop(cfg, kind, which=('train',)):
    for w in which:
        ds = _dataset(cfg, w)
        ds['pipeline'] = [t for t in ds['pipeline'] if t['type'] != kind]


def _set_transform(cfg, kind, which, **kwargs):
    for w in which:
        for t in _pipeline(cfg, w):
            if t['type'] == kind:
                t.update(kwargs)


def _persons_apart(cfg, persons):
    """Undo ``MergePersons``: every ``layout='<name>_x<persons>'`` back to
    ``'<name>'``, ``MergePersons`` off, ``FormatGCNInput`` keeping ``persons``."""
    suffix = f'_x{persons}'

    def walk(node):
        if isinstance(node, dict) or hasattr(node, '_cfg_dict'):      # mmengine Config too
            for k, v in list(node.items()):
                if k == 'layout' and isinstance(v, str) and v.endswith(suffix):
                    node[k] = v[:-len(suffix)]
                else:
                    walk(v)
            if node.get('type') == 'MergePersons':
                node['num_person'] = None
            elif node.get('type') == 'FormatGCNInput':
                node['num_person'] = persons
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)
    walk(cfg)


def variants(cfg):
    """``{name: (description, edit)}`` for the config: ``edit(cfg)`` changes a
    copy of the config in place (see the module docstring for the rules)."""
    out = {'recipe': ('the recipe as configured', lambda c: None)}
    train = _pipeline(cfg, 'train')
    for t in train:
        if t['type'] in AUGMENTATIONS and t.get('flip_ratio', 0.5) != 0:   # a flip that is off
            out[f'no-{t["type"]}'] = (f'without {t["type"]} in training',
                                      lambda c, k=t['type']: _drop(c, k))
    for t in train:
        if t['type'] == 'UniformSampleFrames' and tuple(t.get('p_interval', (1, 1))) != (1, 1):
            out['no-temporal-crop'] = (f'p_interval {tuple(t["p_interval"])} -> (1, 1)',
                                       lambda c: _set_transform(c, 'UniformSampleFrames',
                                                                ('train',), p_interval=(1, 1)))
    for kind in ('PreNormalize2D', 'PreNormalize3D'):
        if any(t['type'] == kind for t in train):
            out[f'no-{kind}'] = (f'without {kind} (train, val, test)',
                                 lambda c, k=kind: _drop(c, k, PIPELINES))
    head = cfg.model.get('cls_head', {})
    if head.get('loss_cls', {}).get('label_smoothing', 0):
        out['no-label-smoothing'] = (
            f'label smoothing {head["loss_cls"]["label_smoothing"]} -> 0',
            lambda c: c.model.cls_head.loss_cls.__setitem__('label_smoothing', 0.0))
    if head.get('dropout', 0):
        out['no-dropout'] = (f'head dropout {head["dropout"]} -> 0',
                             lambda c: c.model.cls_head.__setitem__('dropout', 0.0))
    merged = [t['num_person'] for t in train
              if t['type'] == 'MergePersons' and t.get('num_person') not in (None, 1)]
    if merged:
        out['persons-apart'] = (f'the {merged[0]} persons as separate graphs, not one',
                                lambda c, n=merged[0]: _persons_apart(c, n))
    base = cfg.model.get('backbone', {}).get('base_channels')
    if base and base < 64 and 'in_channels' in head:
        def wider(c, base=base):
            c.model.backbone.base_channels = 64
            c.model.cls_head.in_channels = c.model.cls_head.in_channels * 64 // base
        out['width-64'] = (f'base_channels {base} -> 64', wider)
    for t in _pipeline(cfg, 'test'):
        if t['type'] == 'UniformSampleFrames' and t.get('num_clips', 1) > 1:
            out['test-1-clip'] = (f'the recipe checkpoint tested with 1 clip instead of '
                                  f'{t["num_clips"]}', None)
    return out


def _train(cfg, work_dir, seed):
    """Train ``cfg`` into ``work_dir`` unless its last checkpoint is there;
    holds the work-dir lock (another command on the same folder waits for
    this training and then uses its checkpoint)."""
    from pyskl.engine import WorkDirLock
    ckpt = osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    if osp.isfile(ckpt):                     # trained already: only the test is missing
        return ckpt
    with WorkDirLock(work_dir, getattr(cfg, 'filename', None), wait=True):
        if not osp.isfile(ckpt):             # or another command trained it meanwhile
            _train_locked(cfg, work_dir, seed)
    return ckpt


def _train_locked(cfg, work_dir, seed):
    from pyskl.engine import build_runner
    from pyskl.engine.checkpoint import has_checkpoint
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed, deterministic=False)
    # no validation loop (mmengine validates at the last epoch whatever the interval)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)
    if has_checkpoint(work_dir):             # a stopped training continues from its checkpoint
        cfg.resume, cfg.load_from = True, None
    cfg.log_level = 'WARNING'
    build_runner(cfg).train()


def _test(cfg, work_dir, ckpt):
    from pyskl.engine import build_runner
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.load_from, cfg.log_level = ckpt, 'WARNING'
    cfg.test_evaluator = [dict(type='AccMetric')]
    metrics = build_runner(cfg).test()
    return dict(top1=float(metrics['acc/top1']), mean_class=float(metrics['acc/mean1']))


def _write(work_dir, table):
    rec = table.get('recipe', {}).get('top1')
    table = dict(sorted(table.items(), key=lambda kv: kv[0] != 'recipe'))
    lines = ['| variant | change | test top-1 | vs recipe | mean class |',
             '| --- | --- | --- | --- | --- |']
    for name, r in table.items():
        delta = '' if rec is None or name == 'recipe' else f'{100 * (r["top1"] - rec):+.2f}'
        lines.append(f'| {name} | {r["change"]} | {100 * r["top1"]:.2f} | {delta} | '
                     f'{100 * r["mean_class"]:.2f} |')
    for name, text in (('ablation.json', json.dumps(table, indent=1)),
                       ('ablation.md', '\n'.join(lines) + '\n')):
        with atomic_write(osp.join(work_dir, name), 'w') as fh:
            fh.write(text)
    return '\n'.join(lines)


def main(argv=None):
    from pyskl.engine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--only', nargs='+', help='variants to run, in this order')
    p.add_argument('--list', action='store_true', help='print the variants and exit')
    p.add_argument('--jobs', type=int, default=1,
                   help='variants trained at a time, each in its own process (default 1)')
    p.add_argument('--no-table', action='store_true', help=argparse.SUPPRESS)  # a --jobs child
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    argv = list(sys.argv[1:] if argv is None else argv)
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error('--jobs must be >= 1')
    from pyskl.engine import load_config
    from pyskl.utils import register_all_modules
    register_all_modules()
    cfg = load_config(args.config, copy.deepcopy(args.cfg_options))
    found = variants(cfg)
    if args.list:
        for name, (what, _) in found.items():
            print(f'{name:22s} {what}')
        return found
    names = args.only or list(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        p.error(f'variants {unknown} do not apply to {args.config}; it has {list(found)}')
    os.makedirs(args.work_dir, exist_ok=True)
    table = {}
    done = osp.join(args.work_dir, 'ablation.json')
    if osp.isfile(done):
        with open(done) as fh:
            table = json.load(fh)
    if args.jobs > 1:
        _train_in_children(argv, args, names)
    for name in names:
        what, edit = found[name]
        wd = osp.join(args.work_dir, name)
        res_path = osp.join(wd, 'result.json')
        if osp.isfile(res_path):
            with open(res_path) as fh:
                table[name] = json.load(fh)
            continue
        vcfg = copy.deepcopy(cfg)
        if name == 'test-1-clip':
            ckpt = osp.join(args.work_dir, 'recipe', f'epoch_{cfg.train_cfg.max_epochs}.pth')
            if not osp.isfile(ckpt):
                print(f'ablation: test-1-clip needs {ckpt} (run the recipe variant first); '
                      'skipped')
                continue
            _set_transform(vcfg, 'UniformSampleFrames', ('test',), num_clips=1)
        else:
            edit(vcfg)
            ckpt = _train(vcfg, wd, args.seed)
        os.makedirs(wd, exist_ok=True)
        res = dict(change=what, seed=args.seed, **_test(vcfg, wd, ckpt))
        with atomic_write(res_path, 'w') as fh:
            json.dump(res, fh, indent=1)
        table[name] = res
        print(f'{name}: test top-1 {100 * res["top1"]:.2f}')
        if not args.no_table:
            _write(args.work_dir, table)
    if args.no_table:
        return table
    print(_write(args.work_dir, table))
    return table


def _train_in_children(argv, args, names):
    """``--jobs``: every variant with no result yet (but ``test-1-clip``, which
    trains nothing) runs in a child process of this command line, ``--jobs``
    at a time; the parent then reads their results and writes the table."""
    from pyskl.utils.jobs import python_command, run_parallel, strip_option
    base = strip_option(argv, '--jobs')
    todo = [n for n in names if n != 'test-1-clip'
            and not osp.isfile(osp.join(args.work_dir, n, 'result.json'))]
    cmds = [(python_command(osp.abspath(__file__), base + ['--no-table', '--only', n]),
             osp.join(args.work_dir, f'{n}.log')) for n in todo]
    try:
        run_parallel(cmds, args.jobs)
    except RuntimeError as err:
        raise SystemExit(f'ablation: {err}')


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'ablation.py')
