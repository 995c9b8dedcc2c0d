"""Window predictions -> action segments ``(start, end, label, score)``.

The rule (documented in docs/demo.md):

1. **Smoothing**: each window's class probabilities are averaged with those of
   its neighbours (a centred moving average over ``smooth`` windows; the
   ends use the windows there are).
2. **Hysteresis**: the current label changes only when another class has led
   the smoothed probabilities for ``hold`` consecutive windows; a shorter lead
   (a blip) is absorbed by the surrounding segment.
3. **Boundaries**: a window stands for its centre frame; a segment runs from
   half-way between the last window of the previous segment and its own first
   window to half-way after its last one (the first and last segments reach
   the first and last frame covered by any window), so segments tile the
   covered frames without gaps.

A segment's ``score`` is the mean smoothed probability of its label over its
windows.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np


def smooth_scores(scores: np.ndarray, smooth: int) -> np.ndarray:
    """(W, K) -> (W, K): centred moving average over ``smooth`` windows."""
    scores = np.asarray(scores, np.float64)
    if smooth <= 1 or len(scores) < 2:
        return scores
    half = smooth // 2
    csum = np.concatenate([np.zeros((1, scores.shape[1])), np.cumsum(scores, 0)])
    idx = np.arange(len(scores))
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + smooth - half, len(scores))
    return (csum[hi] - csum[lo]) / (hi - lo)[:, None]


def segments_from_windows(windows: Sequence[Tuple[int, int]], scores: np.ndarray,
                          labels: Optional[Sequence[str]] = None, smooth: int = 3,
                          hold: int = 2) -> List[Dict]:
    """Merge consecutive window predictions into segments.

    Args:
        windows: ``(start, end)`` frames of each window, in time order.
        scores: (W, K) class probabilities of the windows.
        labels: class names (default ``'class <i>'``).
        smooth: windows of the moving average (1: none).
        hold: windows another class must lead before the label changes.

    Returns:
        ``[{start, end, label, score, windows}]`` in time order (frames;
        ``windows``: how many windows the segment holds).

    Raises:
        ValueError: windows and scores of different lengths, or smooth / hold < 1.
    """
    scores = np.asarray(scores, np.float64)
    if len(windows) != len(scores):
        raise ValueError(f'segments_from_windows: {len(windows)} windows but {len(scores)} '
                         'score rows')
    if smooth < 1 or hold < 1:
        raise ValueError(f'smooth and hold must be >= 1, got {smooth}, {hold}')
    if not len(windows):
        return []
    names = list(labels) if labels is not None else [f'class {i}' for i in range(scores.shape[1])]
    sm = smooth_scores(scores, smooth)
    lead = sm.argmax(1)
    assign = np.empty(len(lead), np.int64)
    current, run_label, run = lead[0], lead[0], 0
    for i, c in enumerate(lead):
        if c == current:
            run = 0
        else:
            run = run + 1 if c == run_label else 1
            run_label = c
            if run >= hold:          # the new class has led for `hold` windows
                current = c
                assign[i - hold + 1:i] = c
                run = 0
        assign[i] = current
    centers = np.array([(s + e) / 2 for s, e in windows])
    first, last = min(s for s, _ in windows), max(e for _, e in windows)
    out: List[Dict] = []
    i = 0
    while i < len(assign):
        j = i
        while j + 1 < len(assign) and assign[j + 1] == assign[i]:
            j += 1
        start = first if i == 0 else int(round((centers[i - 1] + centers[i]) / 2))
        end = last if j == len(assign) - 1 else int(round((centers[j] + centers[j + 1]) / 2))
        c = int(assign[i])
        out.append(dict(start=start, end=end, label=names[c],
                        score=round(float(sm[i:j + 1, c].mean()), 4), windows=j - i + 1))
        i = j + 1
    return out
