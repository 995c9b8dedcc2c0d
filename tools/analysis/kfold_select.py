"""Choose epoch, streams and fusion weights on folds of the training split, then
train and test with them -- without looking at the test split before the end.

    # 1. k stratified folds inside the config's train split: train each stream on
    #    k-1 folds, validate every epoch on the held-out fold
    python tools/analysis/kfold_select.py configs/small/stgcnpp_small_utd-mhad-3d.py \\
        --streams j b --folds 3 --work-dir work_dirs/utd_select
    # 2. the chosen streams on the whole train split, tested on the test split, 3 seeds
    python tools/analysis/kfold_select.py configs/small/stgcnpp_small_utd-mhad-3d.py \\
        --work-dir work_dirs/utd_select --final --seeds 0 1 2

Folds are stratified by label, or with ``--group-field subject`` /
``--group-regex`` keep whole subjects (actor pairs) apart, like the test
protocol of a cross-subject split. Step 1 writes ``selection.json``: per stream and epoch the validation top-1
pooled over the folds, and the choice -- the epoch ``e*`` and stream weights
``w`` (first stream 1, the others from {0, 0.5, 1, 2}) that maximise the
top-1 of the fused class probabilities ``sum_s w_s p_s`` over all held-out
clips (ties: the later epoch, then the smaller weights); beside it, for fixed
rules, the clips the equal-weight fusion gets right per epoch with all streams
and with each left out (``equal_weights_val_correct``). Step 2 trains every
stream with ``w_s > 0`` on the whole train split for the config's schedule,
takes its epoch-``e*`` checkpoint, tests it (the config's multi-clip test)
and fuses with ``w``; ``final.json`` holds each seed's stream and fused top-1
and their mean and standard deviation; a final training whose checkpoint is
already in the work dir is not repeated, nor a test whose ``test.pkl`` came from
the same checkpoint, config, options and annotation file (``test_key.json``).
``--final --prior`` skips the selection: the last epoch and ``--streams`` with
equal weights, the choice a
recipe makes before it sees data (``selection.json`` says ``chosen_by:
prior``). ``--cfg-options`` reach every run
(``split=2``, ``fold=3``); ``--subset N`` keeps N training clips (a quick try).
Two recipes selected on the same folds (two work dirs, the same ``folds.pkl``)
are compared clip by clip by ``tools/analysis/compare_selections.py``.

A stream is a feature of the config (``j``, ``b``, ``jm``, ``bm``) or of another
model's config named with ``--member NAME=CONFIG`` (``--member ehg=configs/small/
ehgformer_small_jhmdb-2d.py --streams j b jm bm ehg.j``: an ensemble of models,
every member trained and validated on the same folds, fused like streams). The
members share the data options (``--cfg-options``) and must share the schedule
(the chosen epoch is one for all).

``--jobs N`` runs N trainings at a time (fold runs, then final runs), each in
its own process with its share of the CPUs (``OMP_NUM_THREADS``: two jobs of
one thread on a 2-core machine), output in ``<work-dir>/<fold|final>_<stream>_<n>.log``.
Every training leaves its result in the work dir (a fold run's validation
scores in ``<stream>_fold<f>/val_scores.npz``, a final run's checkpoints), so a
command that is stopped and run again repeats none that finished, and a final
training that was stopped midway continues from its newest checkpoint (a fold
run, which keeps no checkpoint, starts again).
"""
import argparse
import copy
import hashlib
import itertools
import json
import os
import os.path as osp
import pickle
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data'))

from pyskl.io import atomic_write  # noqa: E402

WEIGHTS = (0.0, 0.5, 1.0, 2.0)


class _Scores:
    """Collects the validation predictions of every epoch (a metric of the
    tool's own, added to the val evaluator)."""
    epochs: list = []


def _register_collector():
    from mmengine.evaluator import BaseMetric
    from pyskl.registry import METRICS
    if 'KfoldScoreCollector' in METRICS.module_dict:
        return

    @METRICS.register_module()
    class KfoldScoreCollector(BaseMetric):
        def process(self, data_batch, data_samples):
            for ds in data_samples:
                self.results.append((ds['frame_dir'], np.asarray(ds['pred_score'].float().cpu()),
                                     int(ds['gt_label'].reshape(-1)[0])))

        def compute_metrics(self, results):
            _Scores.epochs.append(sorted(results))
            return {}


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _run(config, opts, work_dir, seed, collect=False):
    """Train one config; returns the runner and its config. A final training
    that was stopped continues from the newest checkpoint in ``work_dir`` (as
    ``tools/train.py --resume``); one that never started begins at epoch 1.
    A fold run (``collect``) always begins at epoch 1: its per-epoch
    validation scores live in memory until the run ends, so a resumed run
    would miss the epochs before the checkpoint."""
    from pyskl.engine import build_runner, load_config
    from pyskl.engine.checkpoint import has_checkpoint
    cfg = load_config(config, opts)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed, deterministic=False)
    if has_checkpoint(work_dir) and not collect:
        cfg.resume, cfg.load_from = True, None
    cfg.log_level = 'WARNING'
    if collect:
        ev = cfg.val_evaluator
        ev = list(ev) if isinstance(ev, (list, tuple)) else [ev]
        cfg.val_evaluator = ev + [dict(type='KfoldScoreCollector')]
    runner = build_runner(cfg)
    runner.train()
    return runner, cfg


FEATS = ('j', 'b', 'jm', 'bm')


def stream_config(args, stream):
    """``(config, feat)`` of a stream: ``'b'`` -> the main config's bone
    stream, ``'ehg.j'`` -> member ``ehg``'s config, joint stream."""
    name, _, feat = stream.rpartition('.')
    return (args.members[name] if name else args.config), feat


def _fold_scores_path(args, stream, fold):
    return osp.join(args.work_dir, f'{stream}_fold{fold}', 'val_scores.npz')


def fold_run(args, cfg_opts, stream, fold):
    """Train ``stream`` on the other folds, validating on ``fold`` every epoch;
    returns ``[(frame_dirs, probs (N, C), labels)]`` per epoch. The scores are
    kept in ``<stream>_fold<fold>/val_scores.npz``: a run whose file exists is
    not repeated (an interrupted selection resumes; ``--jobs`` children). The
    run holds its folder's work-dir lock: another command on the same work dir
    waits for it and then reads its scores."""
    from pyskl.engine import WorkDirLock
    path = _fold_scores_path(args, stream, fold)
    if not osp.isfile(path):
        config, feat = stream_config(args, stream)
        with WorkDirLock(osp.dirname(path), config, wait=True):
            if not osp.isfile(path):       # or another command trained it meanwhile
                _fold_train(args, cfg_opts, stream, fold, path, config, feat)
    if not osp.isfile(path):               # no validation epoch in the schedule
        return []
    with np.load(path, allow_pickle=False) as z:
        names, labels, probs = z['names'], z['labels'], z['probs']
    return [(names, p, labels) for p in probs]


def _fold_train(args, cfg_opts, stream, fold, path, config, feat):
    """The training of :func:`fold_run`; writes ``path`` (nothing when the
    schedule validated no epoch)."""
    _Scores.epochs = []
    opts = dict(cfg_opts['opts'], ann_file=osp.join(args.work_dir, 'folds.pkl'),
                train_split=f'sel{fold}_train', val_split=f'sel{fold}_val', feats=[feat],
                # no checkpoint at all: a fold run's result is its scores file
                **{'default_hooks.checkpoint.interval': 10 ** 6,
                   'default_hooks.checkpoint.save_best': None,
                   'default_hooks.checkpoint.save_last': False})
    _, cfg = _run(config, opts, osp.dirname(path), args.seed, collect=True)
    if not _Scores.epochs:
        return
    if len(_Scores.epochs) != cfg.train_cfg.max_epochs:
        raise RuntimeError(
            f'{stream} fold {fold}: {len(_Scores.epochs)} epochs of validation scores, '
            f'expected {cfg.train_cfg.max_epochs} (validate every epoch)')
    names = np.array([r[0] for r in _Scores.epochs[0]])
    for ep in _Scores.epochs[1:]:
        assert [r[0] for r in ep] == list(names), 'validation clips changed between epochs'
    with atomic_write(path, 'wb') as fh:
        np.savez(fh, names=names, labels=np.array([r[2] for r in _Scores.epochs[0]]),
                 probs=np.stack([np.stack([_softmax(r[1]) for r in ep])
                                 for ep in _Scores.epochs]))


def _in_children(args, runs):
    """``--jobs``: the trainings ``runs`` (``('fold', stream, fold)`` or
    ``('final', stream, seed)``) each in a child process of this command line,
    ``--jobs`` at a time, output in ``<work-dir>/<kind>_<stream>_<n>.log``."""
    from pyskl.utils.jobs import python_command, run_parallel, strip_option
    base = strip_option(args.argv, '--jobs')
    cmds = [(python_command(osp.abspath(__file__), base + ['--run', f'{k}:{s}:{n}']),
             osp.join(args.work_dir, f'{k}_{s}_{n}.log')) for k, s, n in runs]
    try:
        run_parallel(cmds, args.jobs)
    except RuntimeError as err:
        raise SystemExit(f'kfold_select: {err}')


def select(args, cfg_opts, samples):
    from make_split import _value, kfold
    schedule_epochs(args, cfg_opts)       # one schedule for all members, or stop here
    if args.group_field or args.group_regex:      # whole subjects / actor pairs per fold
        groups = [_value(s, args.group_field, args.group_regex) for s in samples]
        folds = kfold(samples, args.folds, args.seed, groups=groups)
    else:
        folds = kfold(samples, args.folds, args.seed, stratified=True)
    ann = osp.join(args.work_dir, 'folds.pkl')
    data = dict(split={}, annotations=samples)
    for f in range(args.folds):
        data['split'][f'sel{f}_train'] = [s['frame_dir'] for s, g in zip(samples, folds) if g != f]
        data['split'][f'sel{f}_val'] = [s['frame_dir'] for s, g in zip(samples, folds) if g == f]
    with atomic_write(ann, 'wb') as fh:
        pickle.dump(data, fh, protocol=4)
    if args.jobs > 1:
        _in_children(args, [('fold', s, f) for s in args.streams for f in range(args.folds)
                            if not osp.isfile(_fold_scores_path(args, s, f))])
    scores = {}           # stream -> epoch -> (names, probs, labels) pooled over folds
    for stream in args.streams:
        pooled = None
        for f in range(args.folds):
            per_epoch = fold_run(args, cfg_opts, stream, f)
            if pooled is None:
                pooled = per_epoch
            else:
                if len(per_epoch) != len(pooled):
                    raise SystemExit(f'kfold_select: {stream} fold {f} has {len(per_epoch)} '
                                     f'epochs of scores, fold 0 has {len(pooled)}')
                pooled = [(np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]),
                           np.concatenate([a[2], b[2]])) for a, b in zip(pooled, per_epoch)]
        first = scores.get(args.streams[0])
        if first and pooled and not np.array_equal(first[0][0], pooled[0][0]):
            raise SystemExit(f'kfold_select: the validation clips of {stream} are not those of '
                             f'{args.streams[0]} in the same order; fusing them would pair '
                             'different clips')
        scores[stream] = pooled
    n_epochs = min(len(v or []) for v in scores.values())
    if n_epochs == 0:
        raise SystemExit('kfold_select: the fold runs recorded no validation epoch (is '
                         'train_cfg.val_interval larger than the schedule?)')
    curves = {s: [float((v[e][1].argmax(1) == v[e][2]).mean()) for e in range(n_epochs)]
              for s, v in scores.items()}
    best = None
    grids = [(1.0,)] + [WEIGHTS] * (len(args.streams) - 1)
    for e in range(n_epochs):
        labels = scores[args.streams[0]][e][2]
        for w in itertools.product(*grids):
            fused = sum(wi * scores[s][e][1] for wi, s in zip(w, args.streams))
            acc = float((fused.argmax(1) == labels).mean())
            key = (acc, e, -sum(w))
            if best is None or key > best[0]:
                best = (key, e, w)
    (acc, _, _), e, w = best
    equal = equal_weight_subsets(scores, args.streams, n_epochs)
    out = dict(config=args.config, members=args.members, cfg_options=cfg_opts['opts'],
               folds=args.folds, seed=args.seed, train_clips=len(samples),
               streams=list(args.streams), val_top1_per_epoch=curves, epoch=e + 1,
               weights={s: wi for s, wi in zip(args.streams, w)}, fused_val_top1=acc,
               val_clips=len(scores[args.streams[0]][0][2]), equal_weights_val_correct=equal)
    _write_json(osp.join(args.work_dir, 'selection.json'), out)
    for name, right in equal.items():
        print(f'equal weights, {name}: {right[-1]} of {out["val_clips"]} validation clips '
              f'right at the last epoch')
    print(f'chosen on {args.folds} folds of {len(samples)} training clips: epoch {e + 1}, '
          f'weights {out["weights"]}, fused validation top-1 {acc:.4f}')
    return out


def equal_weight_subsets(scores, streams, n_epochs):
    """The fixed-rule view of the fold scores, next to the weight search: per
    epoch, how many pooled validation clips the equal-weight fusion (sum of the
    streams' class probabilities) gets right with all ``streams`` and with each
    one left out (``'j+b+jm+bm'`` for ``--streams j b jm bm ehg.j`` without
    ``ehg.j``) -- what a rule like "the member joins if the fusion gets more
    clips right with it" reads. ``scores``: stream -> epoch -> (names, probs
    (N, classes), labels (N,)), the folds pooled in the same clip order for
    every stream. Returns ``{'+'.join(subset): [clips right per epoch]}``."""
    subsets = [tuple(streams)]
    if len(streams) > 1:
        subsets += [tuple(s for s in streams if s != left) for left in streams]
    out = {}
    for sub in subsets:
        right = []
        for e in range(n_epochs):
            fused = sum(scores[s][e][1] for s in sub)
            right.append(int((fused.argmax(1) == scores[sub[0]][e][2]).sum()))
        out['+'.join(sub)] = right
    return out


def final_options(opts):
    """The options of a final training run: no validation loop at all (it would be
    on the training split, and mmengine validates at the last epoch whatever the
    interval), every epoch's checkpoint kept."""
    return dict(opts, val_dataloader=None, val_cfg=None, val_evaluator=None)


def prior_selection(args, cfg_opts):
    """The recipe's choice made before seeing any data: the last epoch and
    ``--streams`` fused with equal weights (PYSKL's practice), written as
    ``selection.json`` (``chosen_by: 'prior'``) for ``--final``."""
    out = dict(config=args.config, members=args.members, cfg_options=cfg_opts['opts'],
               chosen_by='prior', streams=list(args.streams), epoch=schedule_epochs(args, cfg_opts),
               weights={s: 1.0 for s in args.streams})
    path = osp.join(args.work_dir, 'selection.json')
    if osp.isfile(path):
        with open(path) as fh:
            old = json.load(fh)
        if (old.get('chosen_by') != 'prior' or old['weights'] != out['weights']
                or old.get('members', {}) != out['members']):
            raise SystemExit(f'{path} holds another selection; use another --work-dir')
    _write_json(path, out)
    return out


def schedule_epochs(args, cfg_opts):
    """The schedule's length in epochs, one for the config and every member
    (``SystemExit`` naming the configs where they differ)."""
    from pyskl.engine import load_config
    epochs = {}
    for config in [args.config] + [args.members[k] for k in sorted(args.members)]:
        cfg = load_config(config, copy.deepcopy(cfg_opts['opts']))
        epochs[config] = int(cfg.train_cfg.max_epochs)
    if len(set(epochs.values())) > 1:
        raise SystemExit('kfold_select: the members train for different numbers of epochs '
                         f'({epochs}); one epoch is chosen for all, so give them one schedule')
    return epochs[args.config]


def final_train(args, cfg_opts, stream, seed):
    """The final training of one stream and seed on the whole train split (a
    ``--jobs`` child's work). Holds the run's work-dir lock: another command
    on the same work dir waits for it, then finds its checkpoints."""
    from pyskl.engine import WorkDirLock
    config, feat = stream_config(args, stream)
    opts = dict(cfg_opts['opts'], feats=[feat])
    work = osp.join(args.work_dir, f'final_{stream}_seed{seed}')
    last = osp.join(work, f'epoch_{schedule_epochs(args, cfg_opts)}.pth')
    with WorkDirLock(work, config, wait=True):
        if not osp.isfile(last):          # or another command trained it meanwhile
            _run(config, final_options(opts), work, seed)


def _test_key(ckpt, config, opts, ann_file):
    """What a final test's ``test.pkl`` was computed from: the checkpoint's
    content (SHA-256; a checkpoint written again by another training is tested
    again whatever its size and modification time), the test annotation file
    (path, size, modification time: it may be gigabytes), the config and the
    options. A rerun of ``--final`` reuses the dump only when all of them are the
    same (delete ``test_key.json`` to test again, e.g. after updating pyskl)."""
    def stat(path, content=False):
        if not (isinstance(path, str) and osp.isfile(path)):
            return repr(path)
        if content:
            h = hashlib.sha256()
            with open(path, 'rb') as fh:
                for block in iter(lambda: fh.read(1 << 20), b''):
                    h.update(block)
            return [osp.abspath(path), h.hexdigest()]
        st = os.stat(path)
        return [osp.abspath(path), st.st_size, st.st_mtime_ns]
    key = dict(checkpoint=stat(ckpt, content=True), data=stat(ann_file),
               config=osp.abspath(config), options=opts)
    return json.loads(json.dumps(key, sort_keys=True, default=repr))


def _read_json(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _write_json(path, obj, **kwargs):
    """Write ``obj`` as indented JSON through :func:`atomic_write` (a killed
    command leaves the previous file or none, never half of one)."""
    with atomic_write(path, 'w') as fh:
        json.dump(obj, fh, indent=1, **kwargs)


def final(args, cfg_opts):
    sel_path = osp.join(args.work_dir, 'selection.json')
    if args.prior:
        prior_selection(args, cfg_opts)
    if not osp.isfile(sel_path):
        raise SystemExit(f'{sel_path} does not exist: run the selection (without --final) first')
    with open(sel_path) as fh:
        sel = json.load(fh)
    streams = [s for s, w in sel['weights'].items() if w > 0]
    chosen = sel.get('members', {})
    for s in streams:
        name = s.rpartition('.')[0]
        if name and args.members.get(name) != chosen.get(name):
            raise SystemExit(f'{sel_path} chose stream {s!r} of member {name}={chosen.get(name)}; '
                             f'run --final with --member {name}={chosen.get(name)}')
    ckpt_of = {(s, seed): osp.join(args.work_dir, f'final_{s}_seed{seed}',
                                   f'epoch_{sel["epoch"]}.pth')
               for seed in args.seeds for s in streams}
    if args.jobs > 1:
        _in_children(args, [('final', s, seed) for (s, seed), c in ckpt_of.items()
                            if not osp.isfile(c)])
    per_seed = []
    for seed in args.seeds:
        probs, labels, accs = {}, None, {}
        for s in streams:
            wd = osp.join(args.work_dir, f'final_{s}_seed{seed}')
            config, feat = stream_config(args, s)
            opts = dict(cfg_opts['opts'], feats=[feat])
            ckpt = osp.join(wd, f'epoch_{sel["epoch"]}.pth')
            if not osp.isfile(ckpt):          # a finished training is not repeated
                final_train(args, cfg_opts, s, seed)
            from pyskl.engine import build_runner, load_config
            tcfg = load_config(config, opts)
            dump = osp.join(wd, 'test.pkl')
            key = _test_key(ckpt, config, opts, tcfg.test_dataloader.dataset.get('ann_file'))
            key_path = osp.join(wd, 'test_key.json')
            if not (osp.isfile(dump) and _read_json(key_path) == key):
                # test (again) unless test.pkl was written from this very checkpoint,
                # config, options and annotation file
                if osp.isfile(key_path):
                    os.remove(key_path)
                tcfg.work_dir = wd
                tcfg.load_from, tcfg.log_level = ckpt, 'WARNING'
                tcfg.test_evaluator = [dict(type='AccMetric'),
                                       dict(type='DumpResults', out_file_path=dump)]
                build_runner(tcfg).test()
                _write_json(key_path, key, sort_keys=True)
            with open(dump, 'rb') as fh:
                res = pickle.load(fh)
            p = np.stack([np.asarray(r['pred_score'].float()) for r in res])
            labels = np.array([int(r['gt_label'].reshape(-1)[0]) for r in res])
            probs[s] = p
            accs[s] = float((p.argmax(1) == labels).mean())
        fused = sum(sel['weights'][s] * probs[s] for s in streams)
        accs['fused'] = float((fused.argmax(1) == labels).mean())
        per_seed.append(dict(seed=seed, **accs))
        print(f'seed {seed}: ' + ', '.join(f'{k} {v:.4f}' for k, v in accs.items()))
    fused = np.array([r['fused'] for r in per_seed])
    out = dict(selection=sel, seeds=per_seed, fused_mean=float(fused.mean()),
               fused_std=float(fused.std(ddof=1)) if len(fused) > 1 else 0.0)
    _write_json(osp.join(args.work_dir, 'final.json'), out)
    print(f'test top-1 (fused, {len(fused)} seeds): {100 * out["fused_mean"]:.2f} +- '
          f'{100 * out["fused_std"]:.2f} %')
    return out


def _interleaved(samples, n):
    """The first ``n`` of ``samples`` taken class by class in turn (a quick
    subset that keeps every class)."""
    by = {}
    for a in samples:
        by.setdefault(a.get('label', -1), []).append(a)
    out, queues = [], [list(v) for _, v in sorted(by.items(), key=lambda kv: str(kv[0]))]
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def main(argv=None):
    from pyskl.engine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--streams', nargs='+', default=['j', 'b', 'jm', 'bm'],
                   help='streams to train and fuse: j, b, jm, bm of the config (default all '
                   'four, docs/small_datasets.md), NAME.FEAT of a --member')
    p.add_argument('--member', action='append', default=[], metavar='NAME=CONFIG',
                   help='another model of the ensemble: its streams are NAME.j, NAME.b, ...')
    p.add_argument('--folds', type=int, default=3)
    p.add_argument('--seed', type=int, default=0, help='folds and selection runs')
    p.add_argument('--group-field', help='keep samples of one value of this field (subject) '
                   'in one fold, as a cross-subject test does (default: stratified folds)')
    p.add_argument('--group-regex', help='the same, with a regex group on frame_dir')
    p.add_argument('--final', action='store_true', help='train on the train split, test')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='--final seeds')
    p.add_argument('--prior', action='store_true',
                   help='--final without a selection: the last epoch, --streams with equal '
                   'weights (no fold runs)')
    p.add_argument('--subset', type=int, default=None, help='keep N training clips')
    p.add_argument('--jobs', type=int, default=1,
                   help='trainings at a time, each in its own process with its share of the '
                   'CPUs (OMP_NUM_THREADS); default 1')
    p.add_argument('--run', help=argparse.SUPPRESS)   # a --jobs child: KIND:STREAM:N
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    argv = list(sys.argv[1:] if argv is None else argv)
    args = p.parse_args(argv)
    args.argv = argv
    if args.jobs < 1:
        p.error('--jobs must be >= 1')
    if args.folds < 2:
        p.error('--folds must be >= 2')
    if args.prior and not args.final:
        p.error('--prior goes with --final')
    args.members = {}
    for m in args.member:
        name, eq, config = m.partition('=')
        if not (eq and name.isidentifier() and config):
            p.error(f'--member {m!r}: expected NAME=CONFIG (NAME a word: letters, digits, _)')
        if not osp.isfile(config):
            p.error(f'--member {m!r}: no config file {config!r}')
        args.members[name] = config
    for s in args.streams:
        name, _, feat = s.rpartition('.')
        if feat not in FEATS or (name and name not in args.members):
            p.error(f'--streams {s!r}: a stream is one of {", ".join(FEATS)} or NAME.FEAT of a '
                    f'--member (members: {", ".join(args.members) or "none"})')
    if len(set(args.streams)) != len(args.streams):
        p.error(f'--streams {" ".join(args.streams)}: a stream named twice')
    from pyskl.utils import register_all_modules
    register_all_modules()
    _register_collector()
    from pyskl.engine import load_config
    from pyskl.datasets.pose_dataset import load_annotation_file
    cfg = load_config(args.config, copy.deepcopy(args.cfg_options))
    ds = cfg.train_dataloader.dataset
    ds = ds.get('dataset', ds)
    data = load_annotation_file(ds.ann_file)
    split = data['split'][ds.split] if isinstance(data, dict) else None
    if split is None:
        p.error(f'{ds.ann_file}: the config trains on split {ds.split!r}, which the file lacks')
    keep = set(split)
    samples = [a for a in data['annotations'] if a['frame_dir'] in keep]
    opts = dict(args.cfg_options)
    if args.subset:
        samples = _interleaved(samples, args.subset)
        sub = osp.join(args.work_dir, 'subset.pkl')
        os.makedirs(args.work_dir, exist_ok=True)
        test_split = cfg.test_dataloader.dataset.split
        test_keep = set(data['split'][test_split])
        tests = _interleaved([a for a in data['annotations'] if a['frame_dir'] in test_keep],
                             max(4, args.subset // 4))
        if not (args.run and osp.isfile(sub)):     # a --jobs child reads its parent's
            raw = pickle.dumps(dict(split={ds.split: [a['frame_dir'] for a in samples],
                                           test_split: [a['frame_dir'] for a in tests]},
                                    annotations=samples + tests))
            old = None
            if osp.isfile(sub):
                with open(sub, 'rb') as fh:
                    old = fh.read()
            if raw != old:    # rewritten only when it changes (the final tests key on it)
                with atomic_write(sub, 'wb') as fh:
                    fh.write(raw)
        opts['ann_file'] = sub
    os.makedirs(args.work_dir, exist_ok=True)
    cfg_opts = dict(opts=opts)
    if args.run:                        # one training of a --jobs parent
        kind, stream, n = args.run.split(':')
        if kind == 'final':
            return final_train(args, cfg_opts, stream, int(n))
        return fold_run(args, cfg_opts, stream, int(n))
    if args.final:
        return final(args, cfg_opts)
    return select(args, cfg_opts, samples)


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'kfold_select.py')
