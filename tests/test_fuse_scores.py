import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT, fixture_path

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import fuse_scores  # noqa: E402


def _dump(path, scores, labels, names=None):
    data = [dict(pred_score=torch.tensor(s, dtype=torch.float32), gt_label=torch.tensor([l]))
            for s, l in zip(scores, labels)]
    if names:
        for d, n in zip(data, names):
            d['frame_dir'] = n
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return str(path)


def test_hand_computed_fusion_and_alignment_by_name(tmp_path):
    # stream a right on sample x, wrong on y; b the opposite but more confident on y
    a = _dump(tmp_path / 'a.pkl', [[0.6, 0.4], [0.55, 0.45]], [0, 1], ['x', 'y'])
    b = _dump(tmp_path / 'b.pkl', [[0.1, 0.9], [0.3, 0.7]][::-1], [1, 0], ['y', 'x'])
    # b aligned by name: x -> [0.1, 0.9], y -> [0.3, 0.7]
    scores, labels = fuse_scores.fuse([a, b], [1, 1])
    np.testing.assert_allclose(scores, [[0.7, 1.3], [0.85, 1.15]])
    assert labels.tolist() == [0, 1]
    assert fuse_scores.report(scores, labels)['top1'] == 0.5
    scores, _ = fuse_scores.fuse([a, b], [3, 1])  # x: [1.9, 2.1], y: [1.95, 2.05]
    np.testing.assert_allclose(scores, [[1.9, 2.1], [1.95, 2.05]])


def test_mismatched_dumps_are_rejected(tmp_path):
    a = _dump(tmp_path / 'a.pkl', [[0.6, 0.4]], [0])
    b = _dump(tmp_path / 'b.pkl', [[0.6, 0.4]], [1])
    with pytest.raises(ValueError, match='labels do not match'):
        fuse_scores.fuse([a, b], [1, 1])
    with pytest.raises(ValueError, match='coefficients'):
        fuse_scores.fuse([a, b], [1])


def test_mmaction2_dumps_fuse_as_computed_by_hand():
    j = fixture_path('mmaction2_joint.pkl')
    b = fixture_path('mmaction2_bone.pkl')
    with open(j, 'rb') as f:
        dj = pickle.load(f)
    with open(b, 'rb') as f:
        db = pickle.load(f)
    correct = 0
    for x, y in zip(dj, db):
        s = x['pred_score'].double() + y['pred_score'].double()
        correct += int(s.argmax()) == int(x['gt_label'])
    res = fuse_scores.main(['--preds', j, b, '--coefficients', '1', '1'])
    assert res['top1'] == pytest.approx(correct / len(dj))
    assert res['top1'] == pytest.approx(56 / 60)


def test_nan_stream_makes_misses_not_hits(tmp_path, capsys):
    a = _dump(tmp_path / 'a.pkl', [[float('nan')] * 3] * 3, [0, 1, 2])
    b = _dump(tmp_path / 'b.pkl', [[0.2, 0.3, 0.5]] * 3, [0, 1, 2])
    scores, labels = fuse_scores.fuse([a, b], [1, 1])
    assert fuse_scores.report(scores, labels) == dict(top1=0.0, top5=0.0, mean1=0.0)
    assert 'NaN' in capsys.readouterr().err
    c = _dump(tmp_path / 'c.pkl', [[0.5] * 3] * 3, [0, 1, 2])   # all tied
    res = fuse_scores.report(*fuse_scores.fuse([c], [1]))
    assert res['top1'] == pytest.approx(1 / 3)


def test_main_names_a_missing_dump(tmp_path, capsys):
    """A missing dump file ends the tool with its path in one error line, exit status 2."""
    j = fixture_path('mmaction2_joint.pkl')
    missing = str(tmp_path / 'no_such_result.pkl')
    with pytest.raises(SystemExit) as e:
        fuse_scores.main(['--preds', j, missing])
    assert e.value.code == 2
    assert missing in capsys.readouterr().err
