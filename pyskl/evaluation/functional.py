"""Classification accuracy functions on score arrays."""
from __future__ import annotations

from typing import List, Sequence

import numpy as np


def top_k_accuracy(scores: np.ndarray, labels: np.ndarray, topk: Sequence[int] = (1,)) -> List[float]:
    """Fraction of samples whose label is among the ``k`` highest scores.

    Args:
        scores: (N, K) scores. labels: (N,) ints.

    Returns:
        one accuracy in [0, 1] per ``k``. Ties count as misses only when
        the label's score is strictly below the k-th score.
    """
    scores = np.asarray(scores)
    labels = np.asarray(labels).reshape(-1)
    label_score = scores[np.arange(len(labels)), labels]
    # rank = number of classes scoring strictly higher than the label
    rank = (scores > label_score[:, None]).sum(axis=1)
    return [float((rank < k).mean()) for k in topk]


def mean_class_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean over classes present in ``labels`` of the per-class top-1 accuracy."""
    pred = np.asarray(scores).argmax(axis=1)
    labels = np.asarray(labels).reshape(-1)
    classes = np.unique(labels)
    return float(np.mean([(pred[labels == c] == c).mean() for c in classes]))
