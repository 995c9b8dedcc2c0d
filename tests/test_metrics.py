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
