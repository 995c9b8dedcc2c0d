"""--fuse-conv-bn: BatchNorm folded into the convolution that feeds it, read off
the data flow (pyskl.models.utils.fuse_conv_bn); outputs as unfolded."""
import os.path as osp
import pickle
import sys

import pytest
import torch
from torch import nn

from conftest import ROOT
from pyskl.engine import load_config
from pyskl.models.utils.fuse_conv_bn import fold_bn_into_conv, fuse_conv_bn
from pyskl.models.utils.gcn_units import unit_gcn
from pyskl.models.utils.tcn_units import MultiBranchTCN
from pyskl.registry import MODELS

sys.path.insert(0, osp.join(ROOT, 'tools'))
JHMDB_J = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')


def _random_bn_stats(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=g) * 2 - 1)
            m.running_var.copy_(torch.rand(n, generator=g) * 1.5 + 0.5)
            with torch.no_grad():
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.rand(n, generator=g) - 0.5)
    return model.eval()


def _rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


@pytest.mark.parametrize('conv', [nn.Conv2d(3, 4, 3, padding=1),
                                  nn.Conv3d(3, 4, (1, 3, 3), bias=False),
                                  nn.Conv1d(3, 4, 5, groups=1)])
def test_fold_is_the_eval_batchnorm(conv):
    bn = _random_bn_stats(nn.Sequential(conv, {nn.Conv1d: nn.BatchNorm1d, nn.Conv2d:
                                               nn.BatchNorm2d, nn.Conv3d: nn.BatchNorm3d}
                                        [type(conv)](4)))[1]
    x = torch.randn(2, 3, *([6] * (conv.weight.dim() - 2)))
    with torch.no_grad():
        want = bn(conv(x))
        fold_bn_into_conv(conv, bn)
        got = conv(x)
    assert _rel(got, want) < 1e-6
    with pytest.raises(ValueError, match='8 conv channels'):
        fold_bn_into_conv(nn.Conv2d(3, 8, 1), nn.BatchNorm2d(4))


def test_stgcnpp_folds_the_tcn_batchnorms_not_the_graph_ones():
    """In ST-GCN++ the BNs after a conv fold (multi-branch heads, the final BN of
    each temporal unit, residual projections); the graph convolution's BN (it
    normalises sum_k A_k conv_k(x), whose shift a conv bias cannot carry) and
    the BN before the transform's ReLU stay; the output does not change."""
    torch.manual_seed(0)
    model = _random_bn_stats(MODELS.build(load_config(JHMDB_J).model).backbone)
    x = torch.randn(2, 1, 32, 15, 3)
    with torch.no_grad():
        want = model(x)
    n_bn = sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert fuse_conv_bn(model, x) == 65 and n_bn == 85
    with torch.no_grad():
        got = model(x)
    assert _rel(got, want) < 1e-5
    gcns = [m for m in model.modules() if isinstance(m, unit_gcn)]
    tcns = [m for m in model.modules() if isinstance(m, MultiBranchTCN)]
    assert len(gcns) == 10 and all(isinstance(g.bn, nn.BatchNorm2d) for g in gcns)
    assert all(isinstance(t.bn, nn.Identity) and isinstance(t.transform[0], nn.BatchNorm2d)
               for t in tcns)
    assert all(t.can_fuse() for t in tcns)        # the joint 1x1 path still runs


def test_a_conv_output_used_twice_is_not_folded():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)

        def forward(self, x):
            y = self.conv(x)
            return self.bn(y) + y

    class InPlace(Twice):
        def forward(self, x):
            y = self.conv(x)
            y.mul_(2)
            return self.bn(y)

    x = torch.randn(2, 3, 5, 5)
    m = _random_bn_stats(Twice())
    with torch.no_grad():
        want = m(x)
    with pytest.warns(UserWarning, match='changed the output'):
        assert fuse_conv_bn(m, x) == 0
    assert isinstance(m.bn, nn.BatchNorm2d)
    with torch.no_grad():
        assert torch.equal(m(x), want)
    m = _random_bn_stats(InPlace())
    assert fuse_conv_bn(m, x) == 0 and isinstance(m.bn, nn.BatchNorm2d)
    m = _random_bn_stats(Twice()).train()            # training mode: nothing folded
    assert fuse_conv_bn(m, x) == 0


def test_posec3d_folds_every_batchnorm():
    cfg = load_config(osp.join(ROOT, 'configs', 'posec3d',
                               'slowonly_r50-tiny_u24_160e_jhmdb_keypoint.py'))
    torch.manual_seed(0)
    model = _random_bn_stats(MODELS.build(cfg.model).backbone)
    x = torch.randn(1, 15, 8, 32, 32)
    with torch.no_grad():
        want = model(x)
    n_bn = sum(isinstance(m, nn.BatchNorm3d) for m in model.modules())
    assert fuse_conv_bn(model, x) == n_bn > 10
    with torch.no_grad():
        assert _rel(model(x), want) < 1e-5


def test_tools_test_fuse_conv_bn_gives_the_same_scores(jhmdb_ann, tmp_path):
    """tools/test.py --fuse-conv-bn on a real checkpoint-shaped model (random BN
    statistics, saved and loaded): the dumped scores equal the unfolded run's."""
    import test as test_tool
    ann, data = jhmdb_ann
    torch.manual_seed(0)
    model = MODELS.build(load_config(JHMDB_J).model)
    _random_bn_stats(model)
    ckpt = str(tmp_path / 'm.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    names = data['split']['test1'][:3]
    opts = ['--cfg-options', f'ann_file={ann}', 'clip_len=16',
            f'test_dataloader.dataset.indices={len(names)}', 'test_pipeline.2.num_clips=2']
    scores = {}
    for flag in ([], ['--fuse-conv-bn']):
        out = str(tmp_path / f'r{len(flag)}.pkl')
        test_tool.main([JHMDB_J, ckpt, '--work-dir', str(tmp_path / f'w{len(flag)}'),
                        '--dump', out] + flag + opts)
        scores[len(flag)] = torch.stack([r['pred_score'] for r in pickle.load(open(out, 'rb'))])
    assert scores[0].shape == (3, 14)
    assert _rel(scores[1], scores[0]) < 1e-5 and not torch.equal(scores[0][0], scores[0][1])



@pytest.mark.parametrize('family', ['stgcn', 'aagcn', 'ctrgcn', 'msg3d', 'dgstgcn'])
def test_the_gcn_zoo_folds_without_changing_the_output(family):
    cfg = load_config(osp.join(ROOT, 'configs', family,
                               f'{family}_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'))
    torch.manual_seed(0)
    model = _random_bn_stats(MODELS.build(cfg.model).backbone)
    x = torch.randn(2, 1, 16, 15, 3)
    with torch.no_grad():
        want = model(x)
    assert fuse_conv_bn(model, x) >= 12
    with torch.no_grad():
        assert _rel(model(x), want) < 1e-5
