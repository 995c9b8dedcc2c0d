"""tools/analysis/compare_selections.py: clip-by-clip comparison of two
kfold_select selections, hand-built fold runs with known right/wrong clips."""
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import compare_selections  # noqa: E402


def _fold_runs(work, stream, right, epochs=2, names=None, classes=3):
    """Fold runs of ``stream`` in ``work``: two folds splitting the clips,
    ``right`` (bool per clip) at the last epoch (the earlier epochs all wrong);
    probabilities 0.6 on the predicted class."""
    right = np.asarray(right, bool)
    n = len(right)
    names = np.array(names or [f'c{i:02d}' for i in range(n)])
    labels = np.arange(n) % classes
    probs = np.full((epochs, n, classes), 0.2, np.float32)
    wrong = (labels + 1) % classes
    for e in range(epochs):
        pred = np.where(right, labels, wrong) if e == epochs - 1 else wrong
        probs[e, np.arange(n), pred] = 0.6
    half = n // 2
    for f, sl in enumerate((slice(0, half), slice(half, n))):
        d = osp.join(work, f'{stream}_fold{f}')
        os.makedirs(d, exist_ok=True)
        np.savez(osp.join(d, 'val_scores.npz'), names=names[sl], labels=labels[sl],
                 probs=probs[:, sl])
    return labels, probs


def test_counts_and_exact_mcnemar_by_hand(tmp_path):
    # 20 clips: both right on 4, only A on 5, only B on 9, both wrong on 2
    a = [1] * 4 + [1] * 5 + [0] * 9 + [0] * 2
    b = [1] * 4 + [0] * 5 + [1] * 9 + [0] * 2
    _fold_runs(str(tmp_path / 'A'), 'j', a)
    _fold_runs(str(tmp_path / 'B'), 'j', b)
    with open(tmp_path / 'A' / 'selection.json', 'w') as fh:
        json.dump(dict(streams=['j']), fh)
    out = compare_selections.main([str(tmp_path / 'A'), str(tmp_path / 'B'),
                                   '--json', str(tmp_path / 'c.json')])
    assert (out['clips'], out['right_a'], out['right_b'], out['right_both']) == (20, 9, 13, 4)
    assert (out['only_a'], out['only_b'], out['epoch']) == (5, 9, 2)
    # two-sided exact: 2 * P(X <= 5), X ~ Bin(14, 1/2) = 2 * (1+14+91+364+1001+2002) / 2^14
    assert out['p_mcnemar'] == pytest.approx(2 * 3473 / 16384, rel=1e-12)
    assert json.load(open(tmp_path / 'c.json')) == out
    # the first epoch: both wrong everywhere, nothing discordant
    first = compare_selections.compare(str(tmp_path / 'A'), str(tmp_path / 'B'), epoch=1)
    assert (first['right_a'], first['right_b'], first['p_mcnemar']) == (0, 0, 1.0)
    # the counts are symmetric in A and B
    rev = compare_selections.compare(str(tmp_path / 'B'), str(tmp_path / 'A'), ['j'])
    assert (rev['only_a'], rev['only_b'], rev['p_mcnemar']) == (9, 5, out['p_mcnemar'])


def test_streams_fused_with_equal_weights(tmp_path):
    # j wrong on clip 0 with 0.6 on the wrong class; b right on it with 0.9: fused right
    w = str(tmp_path / 'W')
    labels, pj = _fold_runs(w, 'j', [0, 1, 1, 1], epochs=1)
    assert labels[0] == 0 and pj[0, 0].argmax() == 1
    pb = pj.copy()
    pb[0, 0] = [0.9, 0.05, 0.05]
    for f, sl in enumerate((slice(0, 2), slice(2, 4))):
        os.makedirs(osp.join(w, f'b_fold{f}'))
        np.savez(osp.join(w, f'b_fold{f}', 'val_scores.npz'),
                 names=np.array(['c00', 'c01', 'c02', 'c03'])[sl], labels=labels[sl],
                 probs=pb[:, sl])
    names, right, epochs = compare_selections.right_per_clip(w, ['j'], None)
    assert right.tolist() == [False, True, True, True] and epochs == 1
    _, right, _ = compare_selections.right_per_clip(w, ['j', 'b'], None)
    assert right.tolist() == [True, True, True, True]


def test_errors_name_what_is_wrong(tmp_path):
    a, b, c = (str(tmp_path / x) for x in 'ABC')
    _fold_runs(a, 'j', [1, 0, 1, 0])
    _fold_runs(b, 'j', [1, 1, 1, 0], names=['c00', 'c01', 'x02', 'c03'])
    with pytest.raises(SystemExit, match="first difference at clip 2 .'c02'"):
        compare_selections.compare(a, b, ['j'])
    with pytest.raises(SystemExit, match="no fold run of stream 'b'"):
        compare_selections.compare(a, a, ['b'])
    with pytest.raises(SystemExit, match='no selection.json'):
        compare_selections.compare(a, a)
    with pytest.raises(SystemExit, match='--epoch 3 outside 1..2'):
        compare_selections.compare(a, a, ['j'], epoch=3)
    _fold_runs(c, 'j', [1, 0, 1, 0], epochs=3)
    with pytest.raises(SystemExit, match='2 epochs in .* 3 in'):
        compare_selections.compare(a, c, ['j'])
    os.remove(osp.join(c, 'j_fold0', 'val_scores.npz'))
    os.rmdir(osp.join(c, 'j_fold0'))
    with pytest.raises(SystemExit, match=r'fold runs \[1\], not 0..0'):
        compare_selections.compare(c, c, ['j'])
