"""Is one recipe better than another on the training folds, or is the gap noise?
Compare two ``kfold_select.py`` selections clip by clip, with McNemar's exact test.

    python tools/analysis/compare_selections.py work_dirs/sbu_stretch work_dirs/sbu_flip
    python tools/analysis/compare_selections.py A B --streams j b jm bm --epoch 12 --json cmp.json

Both work dirs must hold the fold runs (``<stream>_fold<f>/val_scores.npz``) of
the same folds (the same ``folds.pkl``: the same clips, in the same order, are
checked). For each, the equal-weight fusion of ``--streams`` (default: the
streams of A's ``selection.json``) at ``--epoch`` (default: the last) is taken
per clip as right or wrong; the table counts the clips right in A, in B, in
only A (``b``) and only B (``c``). Only those ``b + c`` discordant clips say
which recipe is better; under "no difference" each is equally likely to fall
either way, so the two-sided exact McNemar p-value is
``min(1, 2 P(X <= min(b, c)))`` with ``X ~ Binomial(b + c, 1/2)``
(``scipy.stats.binomtest``; McNemar, Psychometrika 1947). A small p says the
gap is unlikely under no difference; a large one says the folds cannot tell
the two apart -- e.g. SBU's fold 1 training folds (227 clips): the mirror's
214 against 210 clips right came from 9 against 5 discordant clips, p = 0.42
(docs/results.md, seventeenth run), and it did not carry to the test folds.
One seed of each: the test does not know how much a seed moves a recipe.

Prints the table; ``--json`` also writes it (atomically). Errors (exit with a
message naming the work dir, stream or clip): a missing fold run, fold runs
of different clips or epochs, an epoch out of range.
"""
import argparse
import glob
import json
import os.path as osp
import re
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from pyskl.io import atomic_write  # noqa: E402


def pooled_scores(work_dir, stream):
    """``(names (N,), labels (N,), probs (E, N, C))`` of ``stream``'s fold runs
    in ``work_dir``, the folds pooled in fold order (as kfold_select pools them)."""
    paths = glob.glob(osp.join(work_dir, f'{stream}_fold*', 'val_scores.npz'))
    folds = sorted(int(m.group(1)) for p in paths
                   if (m := re.search(r'_fold(\d+)$', osp.dirname(p))))
    if not folds:
        raise SystemExit(f'compare_selections: no fold run of stream {stream!r} in {work_dir} '
                         f'({stream}_fold<f>/val_scores.npz)')
    if folds != list(range(len(folds))):
        raise SystemExit(f'compare_selections: {work_dir}: stream {stream!r} has fold runs '
                         f'{folds}, not 0..{len(folds) - 1} (a fold run missing?)')
    names, labels, probs = [], [], []
    for f in folds:
        with np.load(osp.join(work_dir, f'{stream}_fold{f}', 'val_scores.npz'),
                     allow_pickle=False) as z:
            names.append(z['names'])
            labels.append(z['labels'])
            probs.append(z['probs'])
    if len({p.shape[0] for p in probs}) != 1:
        raise SystemExit(f'compare_selections: {work_dir}: the fold runs of {stream!r} have '
                         f'{[p.shape[0] for p in probs]} epochs')
    return np.concatenate(names), np.concatenate(labels), np.concatenate(probs, axis=1)


def right_per_clip(work_dir, streams, epoch):
    """``(names, right (N,) bool, epochs)``: the equal-weight fusion of
    ``streams`` at ``epoch`` (1-based; None: the last) right or wrong per clip."""
    names = labels = fused = None
    for s in streams:
        n, lab, p = pooled_scores(work_dir, s)
        if names is None:
            names, labels, fused = n, lab, p.copy()
            continue
        if not np.array_equal(n, names) or p.shape[0] != fused.shape[0]:
            raise SystemExit(f'compare_selections: {work_dir}: stream {s!r} has other clips or '
                             f'epochs than {streams[0]!r}')
        fused += p
    epochs = fused.shape[0]
    e = epochs if epoch is None else epoch
    if not 1 <= e <= epochs:
        raise SystemExit(f'compare_selections: --epoch {e} outside 1..{epochs} ({work_dir})')
    return names, fused[e - 1].argmax(-1) == labels, epochs


def mcnemar_exact(b, c):
    """Two-sided exact McNemar p-value of ``b`` against ``c`` discordant clips."""
    if b + c == 0:
        return 1.0
    from scipy.stats import binomtest
    return float(binomtest(b, b + c, 0.5).pvalue)


def compare(dir_a, dir_b, streams=None, epoch=None):
    """The comparison as a dict (see the module docstring)."""
    if streams is None:
        sel = osp.join(dir_a, 'selection.json')
        if not osp.isfile(sel):
            raise SystemExit(f'compare_selections: no selection.json in {dir_a}; name the '
                             'streams with --streams')
        with open(sel) as fh:
            streams = json.load(fh)['streams']
    names_a, a, ep_a = right_per_clip(dir_a, streams, epoch)
    names_b, b, ep_b = right_per_clip(dir_b, streams, epoch)
    if ep_a != ep_b and epoch is None:
        raise SystemExit(f'compare_selections: {ep_a} epochs in {dir_a}, {ep_b} in {dir_b}; '
                         'name one with --epoch')
    if len(names_a) != len(names_b) or not np.array_equal(names_a, names_b):
        diff = next((i for i, (x, y) in enumerate(zip(names_a, names_b)) if x != y),
                    min(len(names_a), len(names_b)))
        first = str(names_a[diff] if diff < len(names_a) else names_b[diff])
        raise SystemExit(f'compare_selections: the folds differ: {len(names_a)} clips in '
                         f'{dir_a}, {len(names_b)} in {dir_b}, first difference at clip '
                         f'{diff} ({first!r}); compare runs of the same folds.pkl')
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    return dict(a=dir_a, b=dir_b, streams=list(streams),
                epoch=ep_a if epoch is None else epoch, clips=int(len(a)),
                right_a=int(a.sum()), right_b=int(b.sum()), right_both=int((a & b).sum()),
                only_a=only_a, only_b=only_b, p_mcnemar=mcnemar_exact(only_a, only_b))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('work_dir_a')
    p.add_argument('work_dir_b')
    p.add_argument('--streams', nargs='+', help="fused with equal weights (default: A's "
                   'selection.json streams)')
    p.add_argument('--epoch', type=int, help='1-based (default: the last)')
    p.add_argument('--json', help='also write the result here')
    args = p.parse_args(argv)
    out = compare(args.work_dir_a, args.work_dir_b, args.streams, args.epoch)
    n = out['clips']
    print(f"{'+'.join(out['streams'])}, epoch {out['epoch']}, {n} validation clips")
    print(f"  A {out['a']}: {out['right_a']} right ({100 * out['right_a'] / n:.2f} %)")
    print(f"  B {out['b']}: {out['right_b']} right ({100 * out['right_b'] / n:.2f} %)")
    print(f"  right in both {out['right_both']}, only in A {out['only_a']}, "
          f"only in B {out['only_b']}: exact McNemar p = {out['p_mcnemar']:.3g}")
    if args.json:
        with atomic_write(args.json, 'w') as fh:
            json.dump(out, fh, indent=1)
    return out


if __name__ == '__main__':
    main()
