"""Classification accuracy functions on score arrays.

Degenerate scores are never rewarded:

* a sample whose score row holds a NaN or an infinity counts as a **miss**
  for every ``k`` (a diverged model scores 0, not 100 %);
* ties are broken by class index, lower first -- the same choice as
  ``argmax`` -- so a row of equal scores "predicts" class 0 only, and at most
  ``k`` classes are ever inside the top ``k``. (MMAction2 sorts the scores and
  keeps the last ``k``, which also never counts more than ``k`` classes; the
  reference ranking "label's score strictly below the k-th score" counted
  every tied class as a hit, so a constant score row scored 100 %.)
"""
from __future__ import annotations

from typing import List, Sequence

import numpy as np


def _check(scores, labels):
    scores = np.asarray(scores)
    labels = np.asarray(labels).reshape(-1)
    if scores.ndim != 2 or scores.shape[0] != labels.shape[0]:
        raise ValueError(f'scores must be (N, num_classes) with one label per row; got scores '
                         f'{scores.shape} and {labels.shape[0]} labels')
    if labels.size and (labels.min() < 0 or labels.max() >= scores.shape[1]):
        raise ValueError(f'labels must lie in [0, {scores.shape[1]}), got '
                         f'[{labels.min()}, {labels.max()}]')
    return scores, labels


def invalid_rows(scores: np.ndarray) -> np.ndarray:
    """(N,) bool: rows of ``scores`` (N, K) holding a NaN or an infinity."""
    return ~np.isfinite(np.asarray(scores, dtype=np.float64)).all(axis=1)


def label_rank(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Rank of each label among its row's scores: (N,) int64, 0 = best.

    ``rank = #(classes scoring higher) + #(classes with an equal score and a
    lower index)``; rows with a non-finite score get rank ``K`` (never a hit).
    """
    scores, labels = _check(scores, labels)
    n, k = scores.shape
    bad = invalid_rows(scores)
    s = np.where(bad[:, None], 0, scores)
    label_score = s[np.arange(n), labels][:, None]
    lower_index = np.arange(k)[None, :] < labels[:, None]
    rank = (s > label_score).sum(axis=1) + ((s == label_score) & lower_index).sum(axis=1)
    rank[bad] = k
    return rank


def top_k_accuracy(scores: np.ndarray, labels: np.ndarray, topk: Sequence[int] = (1,)) -> List[float]:
    """Fraction of samples whose label is among the ``k`` highest scores.

    Args:
        scores: (N, K) scores. labels: (N,) ints in ``[0, K)``.
        topk: the ``k`` values.

    Returns:
        one accuracy in [0, 1] per ``k``. Ties are broken by class index and
        rows with NaN / infinite scores count as misses (module docstring).

    Raises:
        ValueError: shapes that do not match or labels outside ``[0, K)``.
    """
    rank = label_rank(scores, labels)
    if rank.size == 0:
        return [0.0 for _ in topk]
    return [float((rank < k).mean()) for k in topk]


def mean_class_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean over the classes present in ``labels`` of the per-class top-1
    accuracy; top-1 as in :func:`top_k_accuracy` (ties to the lower index,
    non-finite rows are misses).

    Raises:
        ValueError: as :func:`top_k_accuracy`.
    """
    rank = label_rank(scores, labels)
    labels = np.asarray(labels).reshape(-1)
    if rank.size == 0:
        return 0.0
    hit = rank == 0
    classes = np.unique(labels)
    return float(np.mean([hit[labels == c].mean() for c in classes]))


def mean_average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean over classes (those with at least one positive) of the average
    precision: for class ``c``, samples ranked by ``scores[:, c]`` (ties in
    sample order), AP = mean over its positives of the precision at that
    positive's rank -- the multi-label metric of PYSKL / MMAction2
    (``mean_average_precision``).

    Args:
        scores: (N, K) scores. labels: (N, K) multi-hot (0 / 1).

    Raises:
        ValueError: shapes that differ, or no class with a positive.
    """
    scores = np.asarray(scores, np.float64)
    labels = np.asarray(labels) > 0
    if scores.shape != labels.shape or scores.ndim != 2:
        raise ValueError(f'mean_average_precision: scores {scores.shape} and multi-hot labels '
                         f'{labels.shape} must both be (N, K)')
    scores = np.where(np.isfinite(scores), scores, -np.inf)    # non-finite scores rank last
    aps = []
    for c in range(scores.shape[1]):
        pos = labels[:, c]
        if not pos.any():
            continue
        order = np.argsort(-scores[:, c], kind='stable')
        hits = pos[order]
        precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        aps.append(float(precision[hits].mean()))
    if not aps:
        raise ValueError('mean_average_precision: no class has a positive sample')
    return float(np.mean(aps))
