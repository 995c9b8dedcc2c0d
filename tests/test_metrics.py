import numpy as np
import pytest
import torch

from pyskl.evaluation import AccMetric, mean_class_accuracy, top_k_accuracy


def test_top_k_and_mean_class_known_answers():
    scores = np.array([[0.1, 0.7, 0.2],    # label 1: rank 0
                       [0.5, 0.3, 0.2],    # label 2: rank 2
                       [0.2, 0.3, 0.5],    # label 1: rank 1
                       [0.6, 0.1, 0.3]])   # label 0: rank 0
    labels = np.array([1, 2, 1, 0])
    assert top_k_accuracy(scores, labels, (1, 2, 3)) == [0.5, 0.75, 1.0]
    # class 0: 1/1, class 1: 1/2, class 2: 0/1 -> mean 0.5
    assert mean_class_accuracy(scores, labels) == pytest.approx(0.5)


def test_acc_metric_keys_as_mmaction2():
    m = AccMetric()
    samples = [dict(pred_score=torch.tensor([0.1, 0.9] + [0.0] * 4), gt_label=torch.tensor([1])),
               dict(pred_score=torch.tensor([0.9, 0.1] + [0.0] * 4), gt_label=torch.tensor([1]))]
    m.process(None, samples)
    out = m.evaluate(2)
    assert out == {'acc/top1': 0.5, 'acc/top5': 1.0, 'acc/mean1': 0.5}
    with pytest.raises(ValueError, match='unknown metric'):
        AccMetric(metric_list=('auc',))


def test_nan_scores_are_misses_not_hits():
    labels = np.array([0, 1, 2, 1])
    nan = np.full((4, 3), np.nan)
    assert top_k_accuracy(nan, labels, (1, 2, 3)) == [0.0, 0.0, 0.0]
    assert mean_class_accuracy(nan, labels) == 0.0
    one_bad = np.eye(3)[labels].astype(float)
    one_bad[1, 2] = np.inf     # a diverged row, even though its label scores highest
    assert top_k_accuracy(one_bad, labels, (1,)) == [0.75]


def test_ties_count_for_one_class_only():
    labels = np.array([0, 1, 2, 1])
    const = np.ones((4, 3))
    # ties go to the lower class index, as argmax: only the class-0 sample is a top-1 hit
    assert top_k_accuracy(const, labels, (1, 2, 3)) == [0.25, 0.75, 1.0]
    assert mean_class_accuracy(const, labels) == pytest.approx(1 / 3)
    # a tie between the label and a higher-index class is a hit, with a lower one a miss
    s = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    assert top_k_accuracy(s, np.array([0, 1]), (1, 2)) == [0.5, 1.0]


def test_acc_metric_does_not_reward_a_diverged_model():
    for bad in (float('nan'), 1.0):     # all NaN, or all equal
        m = AccMetric()
        samples = [dict(pred_score=torch.full((6,), bad), gt_label=torch.tensor([i % 6]))
                   for i in range(12)]
        m.process(None, samples)
        out = m.evaluate(12)
        expected = 0.0 if bad != bad else 2 / 12      # constant: the two class-0 samples
        assert out['acc/top1'] == pytest.approx(expected)
        assert out['acc/top5'] <= 10 / 12 + 1e-9
        assert out['acc/mean1'] == pytest.approx(1 / 6 if bad == bad else 0.0)  # class 0: 1, rest 0


def test_bad_labels_raise():
    with pytest.raises(ValueError, match='labels must lie'):
        top_k_accuracy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match='one label per row'):
        top_k_accuracy(np.zeros((2, 3)), np.array([0]))
