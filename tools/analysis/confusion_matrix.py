"""Confusion matrix and per-class accuracy of a test dump.

    python tools/analysis/confusion_matrix.py RESULT.pkl[:MODALITY] --out cm.png \
        [--label-map LABELS.txt] [--normalize true|none]

Reads a ``tools/test.py --dump`` file (this project's or MMAction2's; an
RGBPoseConv3D dump needs ``:rgb``, ``:pose`` or ``:fused``), predicts the
highest score (ties to the lower class index; NaN rows count as misses, as in
:mod:`pyskl.evaluation.functional`), writes the confusion matrix as a PNG (rows:
true class, columns: predicted; row-normalised by default) and prints one line
per class: samples, correct, accuracy.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from fuse_scores import load_dump  # noqa: E402
from pyskl.evaluation.functional import label_rank  # noqa: E402
from pyskl.io import check_output_path, save_figure  # noqa: E402


def confusion(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(K, K) int64 counts: row = true class, column = predicted class; a
    sample with non-finite scores is counted in no column (a miss)."""
    K = scores.shape[1]
    hit = label_rank(scores, labels) == 0
    pred = np.where(np.isfinite(scores).all(1), np.nan_to_num(scores).argmax(1), -1)
    pred = np.where(hit, labels, pred)            # ties resolved as label_rank does
    cm = np.zeros((K, K), np.int64)
    ok = pred >= 0
    np.add.at(cm, (labels[ok], pred[ok]), 1)
    return cm


def plot(cm: np.ndarray, names: List[str], out: str, normalize: bool = True,
         title: Optional[str] = None) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    K = len(names)
    shown = cm / np.maximum(cm.sum(1, keepdims=True), 1) if normalize else cm
    size = max(4, 0.35 * K + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    im = ax.imshow(shown, cmap='Blues', vmin=0, vmax=1 if normalize else None)
    ax.set_xticks(range(K), names, rotation=90, fontsize=8 if K > 20 else 10)
    ax.set_yticks(range(K), names, fontsize=8 if K > 20 else 10)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    if K <= 30:
        for i in range(K):
            for j in range(K):
                if cm[i, j]:
                    ax.text(j, i, f'{shown[i, j]:.2f}' if normalize else str(cm[i, j]),
                            ha='center', va='center', fontsize=7,
                            color='white' if shown[i, j] > 0.5 * shown.max() else 'black')
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title(title or 'confusion matrix')
    fig.tight_layout()
    save_figure(fig, out, dpi=120)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('dump', help='tools/test.py --dump file, optionally FILE:modality')
    p.add_argument('--out', required=True, help='PNG to write')
    p.add_argument('--label-map', help='class names, one a line')
    p.add_argument('--normalize', choices=['true', 'none'], default='true')
    args = p.parse_args(argv)
    try:
        check_output_path(args.out, '--out', inputs=[args.dump])
        _, scores, labels = load_dump(args.dump)
    except (OSError, ValueError) as e:      # a missing / wrong dump or output: one line
        p.exit(2, f'{p.prog}: error: {e}\n')
    K = scores.shape[1]
    names = [f'{i}' for i in range(K)]
    if args.label_map:
        names = [l.strip() for l in open(args.label_map) if l.strip()]
        if len(names) != K:
            raise ValueError(f'{args.label_map}: {len(names)} names for {K} classes')
    cm = confusion(scores, labels)
    plot(cm, names, args.out, args.normalize == 'true', osp.basename(args.dump))
    counts = np.bincount(labels, minlength=K)        # NaN rows are in no column: misses
    per_class = np.diag(cm) / np.maximum(counts, 1)
    for i, name in enumerate(names):
        n = int(counts[i])
        if n:
            print(f'{name:24s} {n:5d} samples {int(cm[i, i]):5d} correct  {per_class[i]:.4f}')
    present = np.unique(labels)
    print(f'top-1 {np.trace(cm) / len(labels):.4f}  mean class {per_class[present].mean():.4f}'
          f'  -> {args.out}')
    return cm


if __name__ == '__main__':
    main()
