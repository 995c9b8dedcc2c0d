"""Write the ``split`` dict of an annotation file: by a field or a regex on
``frame_dir``, at random, stratified by label, or k-fold.

    # cross-subject, as NTU: the number after P in frame_dir, these subjects train
    python tools/data/make_split.py ann.pkl --out ann_split.pkl --regex 'P(\\d+)' \\
        --train 1 2 4 5 8 --name xsub
    # by a field of the samples (its values that train)
    python tools/data/make_split.py ann.pkl --out o.pkl --field subject --train 1 3 5 7
    # at random, 80 % training, the same class balance in both parts
    python tools/data/make_split.py ann.pkl --out o.pkl --random 0.8 --stratified --seed 0
    # k folds (fold{k}_train / fold{k}_val), stratified, or keeping groups together
    python tools/data/make_split.py ann.pkl --out o.pkl --kfold 5 --stratified --seed 0
    python tools/data/make_split.py ann.pkl --out o.pkl --kfold 5 --group-regex 'S(\\d+)'

Splits are named ``{name}_train`` / ``{name}_val`` (``--name``; default
``train`` / ``val`` without a prefix), or ``{name}fold{k}_train`` / ``_val``
for k-fold. Splits already in the file are kept unless a new one has their
name. ``--within SPLIT`` carves the new splits from one existing split only
(folds inside a training set; its test split stays untouched). Deterministic:
the same file, options and ``--seed`` give the same splits. Written under a
temporary name and renamed; the input is never overwritten.
"""
import argparse
import os.path as osp
import re
import sys
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import check_output_path, dump_pickle  # noqa: E402


def _value(sample: dict, field: Optional[str], regex: Optional[str]) -> str:
    if regex is not None:
        m = re.search(regex, sample['frame_dir'])
        if m is None:
            raise ValueError(f'frame_dir {sample["frame_dir"]!r} does not match {regex!r}')
        return m.group(1) if m.groups() else m.group(0)
    if field not in sample:
        raise ValueError(f'sample {sample["frame_dir"]!r} has no field {field!r}')
    return str(sample[field])


def _same(a: str, b: str) -> bool:
    """``'007' == '7'`` for numbers; strings compared as they are."""
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def by_value(samples: List[dict], train: Sequence[str], field=None, regex=None):
    train_names, val_names = [], []
    for s in samples:
        v = _value(s, field, regex)
        (train_names if any(_same(v, t) for t in train) else val_names).append(s['frame_dir'])
    return train_names, val_names


def random_split(samples: List[dict], fraction: float, seed: int, stratified: bool):
    """``fraction`` of the samples (of each class when ``stratified``,
    rounded, at least one of a class with two or more) train."""
    rng = np.random.default_rng(seed)
    groups = _by_label(samples) if stratified else {None: list(range(len(samples)))}
    train = set()
    for _, idx in sorted(groups.items(), key=lambda kv: str(kv[0])):
        idx = np.array(idx)[rng.permutation(len(idx))]
        n = int(round(fraction * len(idx)))
        if stratified and len(idx) >= 2:
            n = min(max(n, 1), len(idx) - 1)
        train.update(idx[:n].tolist())
    names = [s['frame_dir'] for s in samples]
    return ([n for i, n in enumerate(names) if i in train],
            [n for i, n in enumerate(names) if i not in train])


def _by_label(samples):
    groups = defaultdict(list)
    for i, s in enumerate(samples):
        if 'label' not in s:
            raise ValueError(f'--stratified: sample {s["frame_dir"]!r} has no label')
        groups[s['label']].append(i)
    return groups


def kfold(samples: List[dict], k: int, seed: int, stratified: bool = False,
          groups: Optional[List[str]] = None) -> List[int]:
    """The fold (0..k-1) of each sample.

    * plain: a random permutation dealt round-robin (fold sizes differ by <= 1);
    * ``stratified``: each class dealt round-robin on its own, continuing
      where the previous class stopped (class proportions within one sample
      per fold);
    * ``groups``: whole groups dealt to the fold that has the fewest samples
      so far, largest groups first (no group in two folds).
    """
    rng = np.random.default_rng(seed)
    n = len(samples)
    fold = np.zeros(n, np.int64)
    if groups is not None:
        members = defaultdict(list)
        for i, g in enumerate(groups):
            members[g].append(i)
        if len(members) < k:
            raise ValueError(f'--kfold {k}: only {len(members)} groups')
        names = sorted(members)
        order = [names[i] for i in rng.permutation(len(names))]
        order.sort(key=lambda g: -len(members[g]))            # stable: ties stay shuffled
        size = np.zeros(k, np.int64)
        for g in order:
            f = int(np.argmin(size))
            fold[members[g]] = f
            size[f] += len(members[g])
        return fold.tolist()
    if stratified:
        start = 0
        for _, idx in sorted(_by_label(samples).items(), key=lambda kv: str(kv[0])):
            idx = np.array(idx)[rng.permutation(len(idx))]
            fold[idx] = (start + np.arange(len(idx))) % k
            start = (start + len(idx)) % k
        return fold.tolist()
    perm = rng.permutation(n)
    fold[perm] = np.arange(n) % k
    return fold.tolist()


def load(path: str):
    from pyskl.datasets.pose_dataset import load_annotation_file
    data = load_annotation_file(path)
    if isinstance(data, list):
        return dict(split={}, annotations=data)
    if not isinstance(data, dict) or 'annotations' not in data:
        raise SystemExit(f'{path}: not an annotation file (a list, or a dict with annotations)')
    return dict(split=dict(data.get('split') or {}), annotations=data['annotations'],
                **{k: v for k, v in data.items() if k not in ('split', 'annotations')})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('ann_file')
    p.add_argument('--out', required=True)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument('--regex', help='a regex on frame_dir; its first group is the value')
    mode.add_argument('--field', help='a key of the samples whose value decides')
    mode.add_argument('--random', type=float, metavar='FRACTION',
                      help='this fraction trains, the rest validates')
    mode.add_argument('--kfold', type=int, metavar='K', help='K folds')
    p.add_argument('--train', nargs='+', help='--regex / --field: the values that train')
    p.add_argument('--stratified', action='store_true', help='--random / --kfold: by label')
    p.add_argument('--group-regex', help='--kfold: samples whose frame_dir gives the same '
                   'value stay in one fold (subjects, actor pairs)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--name', default='', help='prefix of the split names')
    p.add_argument('--within', help='carve the new splits from this existing split only')
    args = p.parse_args(argv)
    if (args.regex or args.field) and not args.train:
        p.error('--regex / --field need --train VALUE ...')
    if args.random is not None and not 0 < args.random < 1:
        p.error('--random FRACTION must be in (0, 1)')
    if args.kfold is not None and args.kfold < 2:
        p.error('--kfold K needs K >= 2')
    if args.group_regex and (args.kfold is None or args.stratified):
        p.error('--group-regex goes with --kfold, without --stratified')
    if not osp.isfile(args.ann_file):
        p.error(f'{args.ann_file!r} does not exist')
    out = check_output_path(args.out, '--out', inputs=[args.ann_file],
                            suffixes=('.pkl', '.pickle'))
    data = load(args.ann_file)
    samples = data['annotations']
    if args.within is not None:
        if args.within not in data['split']:
            p.error(f'--within {args.within!r}: the file has splits {sorted(data["split"])}')
        keep = set(data['split'][args.within])
        samples = [s for s in samples if s['frame_dir'] in keep]
    prefix = f'{args.name}_' if args.name else ''
    try:
        if args.kfold is not None:
            groups = ([_value(s, None, args.group_regex) for s in samples]
                      if args.group_regex else None)
            folds = kfold(samples, args.kfold, args.seed, args.stratified, groups)
            new: Dict[str, List[str]] = {}
            for f in range(args.kfold):
                new[f'{args.name}fold{f}_train'] = [s['frame_dir'] for s, g in zip(samples, folds)
                                                   if g != f]
                new[f'{args.name}fold{f}_val'] = [s['frame_dir'] for s, g in zip(samples, folds)
                                                 if g == f]
        else:
            if args.random is not None:
                train, val = random_split(samples, args.random, args.seed, args.stratified)
            else:
                train, val = by_value(samples, args.train, args.field, args.regex)
            new = {f'{prefix}train': train, f'{prefix}val': val}
    except ValueError as e:
        p.error(str(e))
    empty = [k for k, v in new.items() if not v]
    if empty:
        p.error(f'split(s) {empty} would be empty; check --train / --regex / the fraction')
    data['split'].update(new)
    dump_pickle(data, out)
    print(f'wrote {args.out}: ' + ', '.join(f'{k} {len(v)}' for k, v in new.items()))
    return 0


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'make_split.py')
