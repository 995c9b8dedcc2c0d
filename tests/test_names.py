"""Clear names, PYSKL's kept as aliases where its configs and checkpoints need them."""
import numpy as np
import pytest
import torch

from pyskl.datasets.transforms import GenSkeFeat, JointToBone, ToMotion
from pyskl.models.backbones.stgcn import TCN_UNITS
from pyskl.models.utils import (DGMultiBranchTCN, MultiBranchTCN, MultiScaleTCN, dgmstcn, mstcn,
                                unit_aagcn)
import pyskl.models.utils as units


def test_no_two_names_differ_only_by_case():
    names = [n for n in dir(units) if not n.startswith('_')]
    lowered = {}
    for n in names:
        lowered.setdefault(n.lower(), []).append(n)
    assert not [v for v in lowered.values() if len(v) > 1]


def test_tcn_units_have_clear_names_and_pyskl_aliases():
    assert mstcn is MultiBranchTCN and dgmstcn is DGMultiBranchTCN
    assert MultiScaleTCN is not MultiBranchTCN
    assert TCN_UNITS['mstcn'] is TCN_UNITS['MultiBranchTCN'] is MultiBranchTCN
    assert TCN_UNITS['dgmstcn'] is DGMultiBranchTCN


def test_aagcn_learned_graph_and_its_pyskl_name():
    A = torch.rand(3, 5, 5)
    names = lambda m: sorted(dict(m.named_parameters()))  # noqa: E731
    new, old = unit_aagcn(4, 8, A, learned_graph=False), unit_aagcn(4, 8, A, adaptive=False)
    assert names(new) == names(old) and 'A' not in names(new)
    assert 'A' in names(unit_aagcn(4, 8, A)) and 'A' in names(unit_aagcn(4, 8, A, adaptive=True))
    with pytest.raises(TypeError, match='adaptive'):
        unit_aagcn(4, 8, A, adaptive='init')       # unit_gcn's mode strings mean nothing here
    with pytest.raises(ValueError, match='not both'):
        unit_aagcn(4, 8, A, learned_graph=False, adaptive=True)


def test_feature_transforms_take_layout_and_pyskl_dataset():
    rng = np.random.RandomState(0)
    kp = rng.rand(1, 4, 17, 2).astype(np.float32)
    sc = rng.rand(1, 4, 17).astype(np.float32)
    a = GenSkeFeat(layout='coco', feats=['b'])(dict(keypoint=kp.copy(), keypoint_score=sc.copy()))
    b = GenSkeFeat(dataset='coco', feats=['b'])(dict(keypoint=kp.copy(), keypoint_score=sc.copy()))
    np.testing.assert_array_equal(a['keypoint'], b['keypoint'])
    assert GenSkeFeat('coco').layout.name == 'coco'
    assert JointToBone(dataset='coco').layout.name == ToMotion(layout='coco').layout.name == 'coco'
    with pytest.raises(ValueError, match='disagree'):
        GenSkeFeat(layout='coco', dataset='nturgb+d')
