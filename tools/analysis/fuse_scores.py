"""Fuse the per-sample scores of several streams (j, b, jm, bm, ...).

    python tools/analysis/fuse_scores.py --preds j.pkl b.pkl jm.pkl bm.pkl \
        --coefficients 2 2 1 1 [--apply-softmax]

Reads dumps of ``tools/test.py --dump`` (this project or MMAction2 1.x: a list
of dicts with ``pred_score`` (num_classes,) and ``gt_label``); an RGBPoseConv3D
dump holds one score per modality: name it as ``result.pkl:rgb``,
``result.pkl:pose``. Samples are
matched by ``frame_dir`` when every dump has it, otherwise by position (the
labels must then agree). Prints top-1, top-5 and mean class accuracy of the
weighted sum; samples with NaN/inf scores count as misses and ties go to the
lower class index (:mod:`pyskl.evaluation.functional`). PYSKL's documented
weights: j:b = 1:1, j:b:jm:bm = 2:2:1:1.
"""
import argparse
import os.path as osp
import pickle
import sys
from typing import List, Sequence

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.evaluation import mean_class_accuracy, top_k_accuracy  # noqa: E402
from pyskl.evaluation.functional import invalid_rows  # noqa: E402
from pyskl.io import load_data  # noqa: E402


def _np(x):
    return np.asarray(x.cpu() if hasattr(x, 'cpu') else x, dtype=np.float64)


def load_dump(path: str):
    """Return ``(names or None, scores (N, K), labels (N,))`` of one dump.

    ``path`` may end in ``:MODALITY`` to pick one modality of a dump whose
    ``pred_score`` is a dict (RGBPoseConv3D: ``result.pkl:rgb``,
    ``result.pkl:pose``).

    Raises:
        ValueError: not a list of dicts with ``pred_score`` and ``gt_label``;
            a per-modality dump without (or with an unknown) modality.
    """
    modality = None
    if not osp.isfile(path) and ':' in path:
        path, modality = path.rsplit(':', 1)
    try:
        data = load_data(path, 'dump')
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        raise ValueError(f'dump {path!r} cannot be read (truncated or not a pickle): '
                         f'{type(e).__name__}: {e}') from None
    if not isinstance(data, list) or not data or not all(
            isinstance(d, dict) and 'pred_score' in d and 'gt_label' in d for d in data):
        raise ValueError(f'{path}: expected a non-empty list of dicts with pred_score and '
                         'gt_label (tools/test.py --dump output)')
    if isinstance(data[0]['pred_score'], dict):
        known = sorted(data[0]['pred_score'])
        if modality not in known:
            raise ValueError(f'{path}: scores per modality {known}; name one, e.g. '
                             f'{path}:{known[0]}' + (f' (not {modality!r})' if modality else ''))
        data = [dict(d, pred_score=d['pred_score'][modality]) for d in data]
    elif modality is not None:
        raise ValueError(f'{path}: has one score per sample, no modality {modality!r}')
    scores = np.stack([_np(d['pred_score']).reshape(-1) for d in data])
    labels = np.array([int(_np(d['gt_label']).reshape(-1)[0]) for d in data])
    names = [d['frame_dir'] for d in data] if all('frame_dir' in d for d in data) else None
    if names is not None and len(set(names)) != len(names):
        seen, dups = set(), []
        for n in names:
            if n in seen and n not in dups:
                dups.append(n)
            seen.add(n)
        raise ValueError(f'{path}: frame_dir {dups[:5]} occur more than once, so its rows '
                         'cannot be matched to the other dumps by name')
    return names, scores, labels


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def fuse(paths: Sequence[str], coefficients: Sequence[float], apply_softmax: bool = False):
    """Weighted sum of the streams' scores: ``(scores (N, K), labels (N,))``.

    Raises:
        ValueError: mismatched sample sets, labels or class counts.
    """
    if len(paths) != len(coefficients):
        raise ValueError(f'{len(paths)} dumps but {len(coefficients)} coefficients')
    bad_w = [w for w in coefficients if not np.isfinite(w)]
    if bad_w:
        raise ValueError(f'--coefficients must be finite numbers, got {list(coefficients)}')
    loaded = [load_dump(p) for p in paths]
    if not all(x[0] is not None for x in loaded):
        print('note: not every dump names its samples (frame_dir): rows are matched by '
              'position, checked by their labels', file=sys.stderr)
    names0, _, labels0 = loaded[0]
    fused = None
    for path, (names, scores, labels), w in zip(paths, loaded, coefficients):
        if names0 is not None and names is not None and all(x[0] is not None for x in loaded):
            if sorted(names) != sorted(names0):
                raise ValueError(f'{path}: its samples differ from those of {paths[0]}')
            order = {n: i for i, n in enumerate(names)}
            idx = [order[n] for n in names0]
            scores, labels = scores[idx], labels[idx]
        if scores.shape[0] != labels0.shape[0] or (labels != labels0).any():
            raise ValueError(f'{path}: samples or labels do not match {paths[0]}')
        if fused is not None and scores.shape[1] != fused.shape[1]:
            raise ValueError(f'{path}: {scores.shape[1]} classes, {paths[0]} has {fused.shape[1]}')
        bad = int(invalid_rows(scores).sum())
        if bad:
            print(f'warning: {path}: {bad} of {len(scores)} samples have NaN or infinite scores; '
                  'they count as misses', file=sys.stderr)
        s = softmax(scores) if apply_softmax else scores
        fused = w * s if fused is None else fused + w * s
    return fused, labels0


def report(scores: np.ndarray, labels: np.ndarray) -> dict:
    top1, top5 = top_k_accuracy(scores, labels, (1, min(5, scores.shape[1])))
    return dict(top1=top1, top5=top5, mean1=mean_class_accuracy(scores, labels))


def main(argv: List[str] = None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--preds', nargs='+', required=True, help='dump files')
    p.add_argument('--coefficients', nargs='+', type=float, help='one weight per dump (default 1)')
    p.add_argument('--apply-softmax', action='store_true', help='softmax each stream first')
    args = p.parse_args(argv)
    coef = args.coefficients or [1.0] * len(args.preds)
    try:
        scores, labels = fuse(args.preds, coef, args.apply_softmax)
    except (OSError, ValueError) as e:      # a missing / wrong dump: one line, no traceback
        p.exit(2, f'{p.prog}: error: {e}\n')
    res = report(scores, labels)
    print(f"Fused {len(args.preds)} streams {coef} on {len(labels)} samples: "
          f"top1 {res['top1']:.4f}  top5 {res['top5']:.4f}  mean_class {res['mean1']:.4f}")
    return res


if __name__ == '__main__':
    main()
