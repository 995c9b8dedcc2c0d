"""The GCN zoo of PYSKL: AAGCN, CTR-GCN, MS-G3D, DG-STGCN.

Parameter counts are PYSKL's (recognizer with a 60-class GCNHead, NTU60 XSub 2D
configs); unit outputs are checked against straightforward per-subset /
per-scale implementations written here from the papers' equations, and a few
hand-computed cases.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pyskl.registry import MODELS
from conftest import assert_close_f32

DG_ARGS = dict(gcn_ratio=0.125, gcn_ctr='T', gcn_ada='T',
               tcn_ms_cfg=[(3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'])
DG_GRAPH = dict(mode='random', num_filter=8, init_off=.04, init_std=.02)

# name -> (backbone config, GCNHead in_channels, PYSKL's recognizer parameter count)
PYSKL_NTU60_2D = {
    'AAGCN': (dict(type='AAGCN', graph_cfg=dict(layout='coco', mode='spatial')), 256,
              3_760_228),
    'CTRGCN': (dict(type='CTRGCN', graph_cfg=dict(layout='coco', mode='spatial')), 256,
               1_436_496),
    'MSG3D': (dict(type='MSG3D', graph_cfg=dict(layout='coco', mode='binary_adj')), 384,
              2_975_763),
    'DGSTGCN': (dict(type='DGSTGCN', graph_cfg=dict(layout='coco', **DG_GRAPH), **DG_ARGS),
                256, 1_674_244),
    'DGSTGCN-nturgb+d': (dict(type='DGSTGCN', graph_cfg=dict(layout='nturgb+d', **DG_GRAPH),
                              **DG_ARGS), 256, 1_701_172),
}

# small versions for forward / backward tests: (config, output channels)
SMALL = {
    'AAGCN': (dict(type='AAGCN', graph_cfg=dict(layout='coco', mode='spatial'),
                   base_channels=8, num_stages=3, inflate_stages=[2], down_stages=[3]), 16),
    'CTRGCN': (dict(type='CTRGCN', graph_cfg=dict(layout='coco', mode='spatial'),
                    base_channels=8, num_stages=3, inflate_stages=[2], down_stages=[3]), 16),
    'MSG3D': (dict(type='MSG3D', graph_cfg=dict(layout='coco', mode='binary_adj'),
                   base_channels=6, num_gcn_scales=4, num_g3d_scales=2), 24),
    'DGSTGCN': (dict(type='DGSTGCN', graph_cfg=dict(layout='coco', **DG_GRAPH),
                     base_channels=16, num_stages=3, inflate_stages=[2], down_stages=[3],
                     **DG_ARGS), 32),
}


def _recognizer(backbone, in_channels, num_classes=60):
    return MODELS.build(dict(type='RecognizerGCN', backbone=backbone,
                             cls_head=dict(type='GCNHead', num_classes=num_classes,
                                           in_channels=in_channels)))


@pytest.mark.parametrize('name', sorted(PYSKL_NTU60_2D))
def test_parameter_count_equals_pyskl(name):
    backbone, cin, want = PYSKL_NTU60_2D[name]
    model = _recognizer(backbone, cin)
    assert sum(p.numel() for p in model.parameters()) == want


def test_pyskl_parameter_and_buffer_names():
    """A sample of the names in PYSKL's checkpoints of each model (read from
    PYSKL's module definitions)."""
    want = {
        'AAGCN': ['A', 'data_bn.weight', 'gcn.0.gcn.conv_d.2.weight', 'gcn.0.gcn.conv_a.0.bias',
                  'gcn.0.gcn.alpha', 'gcn.0.gcn.A', 'gcn.3.gcn.conv_sa.weight',
                  'gcn.3.gcn.fc2c.bias', 'gcn.4.gcn.down.1.running_var',
                  'gcn.4.residual.conv.weight', 'gcn.1.tcn.conv.weight', 'gcn.1.tcn.bn.bias'],
        'CTRGCN': ['A', 'data_bn.running_mean', 'net.0.gcn1.convs.2.conv4.weight',
                   'net.0.gcn1.A', 'net.0.gcn1.alpha', 'net.0.gcn1.down.0.weight',
                   'net.1.tcn1.branches.0.3.conv.weight', 'net.1.tcn1.branches.2.4.weight',
                   'net.1.tcn1.branches.3.1.bias', 'net.4.residual.bn.weight'],
        'MSG3D': ['A', 'data_bn.weight', 'gcn3d1.gcn3d.0.gcn3d.1.A',
                  'gcn3d1.gcn3d.1.gcn3d.1.PA', 'gcn3d2.gcn3d.0.gcn3d.1.mlp.layers.0.weight',
                  'gcn3d2.gcn3d.0.out_conv.weight', 'gcn3d3.gcn3d.1.out_bn.running_mean',
                  'sgcn1.0.PA', 'sgcn1.0.mlp.layers.1.weight', 'sgcn2.1.residual.conv.weight',
                  'sgcn3.2.branches.0.3.bn.weight', 'tcn3.branches.4.4.bias'],
        'DGSTGCN': ['data_bn.weight', 'gcn.0.gcn.A', 'gcn.0.gcn.pre.1.weight',
                    'gcn.0.gcn.post.weight', 'gcn.0.gcn.conv1.weight', 'gcn.0.gcn.beta',
                    'gcn.0.gcn.down.0.weight', 'gcn.1.tcn.add_coeff',
                    'gcn.1.tcn.branches.0.3.conv.weight', 'gcn.1.tcn.transform.2.weight',
                    'gcn.4.residual.conv.weight'],
    }
    for name, keys in want.items():
        state = MODELS.build(PYSKL_NTU60_2D[name][0]).state_dict()
        missing = [k for k in keys if k not in state]
        assert not missing, f'{name}: {missing}'
    # DG-STGCN has no top-level graph buffer, the others do (as PYSKL)
    assert 'A' not in MODELS.build(PYSKL_NTU60_2D['DGSTGCN'][0]).state_dict()


@pytest.mark.parametrize('name', sorted(SMALL))
def test_forward_shape_and_every_parameter_trains(name):
    torch.manual_seed(0)
    cfg, cout = SMALL[name]
    model = MODELS.build(cfg)
    # zero-initialised parameters (attention gates, graph mixing weights, D-JSF
    # coefficients) block the gradient of what feeds them: give them values
    with torch.no_grad():
        for p in model.parameters():
            if not p.abs().sum():
                p.normal_(0, 0.5)
    x = torch.randn(2, 2, 16, 17, 3)
    y = model(x)
    assert y.shape == (2, 2, cout, 4 if name == 'MSG3D' else 8, 17)   # T 16 -> 1 or 2 halvings
    assert torch.isfinite(y).all()
    y.square().mean().backward()
    # a conv bias right before a training-mode BatchNorm has a zero gradient by
    # construction (the BN removes it); it only has to have a (finite) gradient
    before_bn = _biases_before_batchnorm(model)
    dead = [n for n, p in model.named_parameters()
            if p.grad is None or not torch.isfinite(p.grad).all()
            or (not p.grad.abs().sum() and n not in before_bn)]
    assert not dead, f'parameters without a gradient: {dead}'


def _biases_before_batchnorm(model):
    names = set()
    for prefix, module in model.named_modules():
        children = list(module.named_children())
        for (name, a), (_, b) in zip(children, children[1:]):
            if isinstance(a, (torch.nn.Conv2d, torch.nn.Linear)) and a.bias is not None and isinstance(
                    b, torch.nn.modules.batchnorm._BatchNorm):
                names.add(f'{prefix}.{name}.bias' if prefix else f'{name}.bias')
    return names


def test_mvc_input_bn_names_the_person_count():
    model = MODELS.build(dict(SMALL['CTRGCN'][0], num_person=2))
    with pytest.raises(ValueError, match='num_person=2'):
        model(torch.randn(2, 1, 16, 17, 3))


# ---------------------------------------------------------------------------
# units against per-subset implementations of the papers' equations


def _conv(conv, x):
    return F.conv2d(x, conv.weight, conv.bias)


def _bn(bn, x):  # eval-mode BatchNorm
    return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False)


def _randomise(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
        for m in module.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return module.eval()


def test_unit_aagcn_equals_per_subset_equations():
    from pyskl.models.utils import unit_aagcn
    K, V, Cin, Cout, T = 3, 7, 4, 8, 5
    A = torch.rand(K, V, V)
    unit = _randomise(unit_aagcn(Cin, Cout, A, coff_embedding=2))
    x = torch.randn(2, Cin, T, V)
    N = x.shape[0]
    y = 0
    for k in range(K):
        a = _conv(unit.conv_a[k], x).permute(0, 3, 1, 2).reshape(N, V, -1)   # (N, V, C'T)
        b = _conv(unit.conv_b[k], x).reshape(N, -1, V)                        # (N, C'T, V)
        Ak = unit.A[k] + unit.alpha * torch.tanh(a @ b / a.shape[-1])
        y = y + _conv(unit.conv_d[k], (x.reshape(N, Cin * T, V) @ Ak).view(N, Cin, T, V))
    y = F.relu(_bn(unit.bn, y) + _bn(unit.down[1], _conv(unit.down[0], x)))
    s = torch.sigmoid(unit.conv_sa(y.mean(-2)))                  # spatial attention
    y = y * s.unsqueeze(-2) + y
    t = torch.sigmoid(unit.conv_ta(y.mean(-1)))                  # temporal attention
    y = y * t.unsqueeze(-1) + y
    c = torch.sigmoid(unit.fc2c(F.relu(unit.fc1c(y.mean((-1, -2))))))   # channel attention
    y = y * c[..., None, None] + y
    assert_close_f32(unit(x), y, terms=256, layers=4)


def test_unit_ctrgcn_equals_per_channel_graph_equations():
    from pyskl.models.utils import unit_ctrgcn
    K, V, Cin, Cout, T = 3, 6, 4, 8, 5
    unit = _randomise(unit_ctrgcn(Cin, Cout, torch.rand(K, V, V)))
    x = torch.randn(2, Cin, T, V)
    N = x.shape[0]
    z = torch.zeros(N, Cout, T, V)
    for k, g in enumerate(unit.convs):
        m1, m2 = _conv(g.conv1, x).mean(2), _conv(g.conv2, x).mean(2)   # (N, R, V)
        x3 = _conv(g.conv3, x)
        for n in range(N):
            rel = torch.tanh(m1[n][:, :, None] - m2[n][:, None, :])     # (R, U, V)
            G = torch.einsum('cr,ruv->cuv', g.conv4.weight[:, :, 0, 0], rel) \
                + g.conv4.bias[:, None, None]
            G = unit.alpha * G + unit.A[k]                              # (C, U, V)
            for c in range(Cout):
                z[n, c] += x3[n, c] @ G[c]                              # (T, U) @ (U, V)
    want = F.relu(_bn(unit.bn, z) + _bn(unit.down[1], _conv(unit.down[0], x)))
    assert_close_f32(unit(x), want, terms=256, layers=4)


@pytest.mark.parametrize('ctr,ada,subset_wise', [('T', 'T', False), ('T', None, True),
                                                 (None, 'NA', False), (None, None, False)])
def test_dggcn_equals_per_group_equations(ctr, ada, subset_wise):
    from pyskl.models.utils import dggcn
    K, V, Cin, Cout, T = 4, 5, 6, 8, 3
    unit = _randomise(dggcn(Cin, Cout, torch.rand(K, V, V), ratio=0.5, ctr=ctr, ada=ada,
                            subset_wise=subset_wise))
    x = torch.randn(2, Cin, T, V)
    N, mid = x.shape[0], unit.mid_channels
    pre = F.relu(_bn(unit.pre[1], _conv(unit.pre[0], x)))
    out = torch.zeros(N, K * mid, T, V)
    for n in range(N):
        for k in range(K):
            a_k = unit.alpha[k] if subset_wise else unit.alpha[0]
            b_k = unit.beta[k] if subset_wise else unit.beta[0]
            for t in range(T):
                src = x[n:n + 1] if 'NA' in (ctr, ada) else x[n:n + 1].mean(2, keepdim=True)
                tt = t if 'NA' in (ctr, ada) else 0
                x1 = _conv(unit.conv1, src)[0, k * mid:(k + 1) * mid, tt] if (ctr or ada) else None
                x2 = _conv(unit.conv2, src)[0, k * mid:(k + 1) * mid, tt] if (ctr or ada) else None
                for c in range(mid):
                    G = unit.A[k].clone()
                    if ctr:
                        G = G + a_k * torch.tanh(x1[c][:, None] - x2[c][None, :])
                    if ada:
                        G = G + b_k * torch.softmax(x1.T @ x2, dim=0)   # over the source joint
                    out[n, k * mid + c, t] = pre[n, k * mid + c, t] @ G
    want = F.relu(_bn(unit.bn, _conv(unit.post, out)) + (
        _bn(unit.down[1], _conv(unit.down[0], x)) if Cin != Cout else x))
    assert_close_f32(unit(x), want, terms=256, layers=4)


def test_dgmstcn_fuses_the_skeleton_node_with_add_coeff():
    from pyskl.models.utils import dgmstcn, mstcn
    torch.manual_seed(0)
    dg = _randomise(dgmstcn(12, 12, num_joints=25))
    plain = mstcn(12, 12).eval()
    plain.load_state_dict({k: v for k, v in dg.state_dict().items() if k != 'add_coeff'})
    x = torch.randn(2, 12, 6, 5)
    # branches on V joints + the mean joint; joint v gets add_coeff[v] * the mean node
    feats = plain.branch_outputs(torch.cat([x, x.mean(-1, keepdim=True)], -1))
    mixed = feats[..., :5] + feats[..., 5:] * dg.add_coeff[:5]
    want = _bn(plain.bn, plain.transform(mixed))
    assert_close_f32(dg(x), want, terms=256, layers=4)
    with torch.no_grad():
        dg.add_coeff.zero_()
    assert_close_f32(dg(x), plain(torch.cat([x, x.mean(-1, keepdim=True)], -1))[..., :5],
                     terms=256, layers=4)
    with pytest.raises(ValueError, match='num_joints=25'):
        dg(torch.randn(1, 12, 6, 26))


def test_k_adjacency_on_a_path_graph_by_hand():
    from pyskl.skeleton import k_adjacency
    # path 0 - 1 - 2 - 3
    A = np.zeros((4, 4))
    for i, j in [(0, 1), (1, 2), (2, 3)]:
        A[i, j] = A[j, i] = 1
    np.testing.assert_array_equal(k_adjacency(A, 0), np.eye(4))
    np.testing.assert_array_equal(k_adjacency(A, 1), A)
    two = np.zeros((4, 4))
    two[0, 2] = two[2, 0] = two[1, 3] = two[3, 1] = 1
    np.testing.assert_array_equal(k_adjacency(A, 2), two)
    three = np.zeros((4, 4))
    three[0, 3] = three[3, 0] = 1
    np.testing.assert_array_equal(k_adjacency(A, 3, with_self=True), three + np.eye(4))


def test_msgcn_aggregates_each_hop_scale():
    from pyskl.models.backbones.msg3d import MSGCN
    from pyskl.skeleton import k_adjacency, normalize_digraph
    A = np.zeros((4, 4))
    for i, j in [(0, 1), (1, 2), (2, 3)]:
        A[i, j] = A[j, i] = 1
    unit = _randomise(MSGCN(3, 2, 5, A))
    x = torch.randn(2, 2, 3, 4)
    parts = []
    for k in range(3):
        G = torch.tensor(normalize_digraph(k_adjacency(A, k, with_self=True)),
                         dtype=torch.float32) + unit.PA[k]
        parts.append(torch.einsum('nctv,vu->nctu', x, G))
    lin, bn = unit.mlp.layers[0], unit.mlp.layers[1]
    want = F.relu(_bn(bn, _conv(lin, torch.cat(parts, 1))))
    assert_close_f32(unit(x), want, terms=256, layers=4)


def test_unfold_temporal_windows_by_hand():
    from pyskl.models.backbones.msg3d import UnfoldTemporalWindows
    x = torch.arange(1., 5.).view(1, 1, 4, 1).repeat(1, 1, 1, 2)   # frame t holds t+1
    x[..., 1] *= 10                                                 # joint 1: 10 (t+1)
    y = UnfoldTemporalWindows(3, 1)(x)          # windows (t-1, t, t+1), zero padded
    assert y.shape == (1, 1, 4, 6)
    want = torch.tensor([[0, 0, 1, 10, 2, 20], [1, 10, 2, 20, 3, 30],
                         [2, 20, 3, 30, 4, 40], [3, 30, 4, 40, 0, 0]], dtype=torch.float32)
    torch.testing.assert_close(y[0, 0], want)
    y2 = UnfoldTemporalWindows(3, 2)(x)         # stride 2: windows centred on t = 0, 2
    torch.testing.assert_close(y2[0, 0], want[[0, 2]])


def test_st_msgcn_graph_links_every_frame_of_the_window():
    from pyskl.models.backbones.msg3d import ST_MSGCN
    A = np.array([[0, 1], [1, 0]], dtype=float)
    unit = ST_MSGCN(1, 1, A, num_scales=2, window_size=2)
    # scale 0: self loops only; scale 1: all 4 window nodes connected (self included),
    # column-normalised -> 1/4 each
    np.testing.assert_allclose(unit.A[0].numpy(), np.eye(4))
    np.testing.assert_allclose(unit.A[1].numpy(), np.full((4, 4), 0.25))


def test_mstcn_equals_branch_equations():
    from pyskl.models.utils import MultiScaleTCN
    unit = _randomise(MultiScaleTCN(6, 12, kernel_size=3, stride=2, dilations=(1, 2)))
    x = torch.randn(2, 6, 8, 3)
    outs = []
    for d, br in zip((1, 2), unit.branches[:2]):
        h = F.relu(_bn(br[1], _conv(br[0], x)))
        tc = br[3]
        h = F.conv2d(h, tc.conv.weight, tc.conv.bias, stride=(2, 1), padding=(d, 0),
                     dilation=(d, 1))
        outs.append(_bn(tc.bn, h))
    br = unit.branches[2]
    h = F.max_pool2d(F.relu(_bn(br[1], _conv(br[0], x))), (3, 1), (2, 1), (1, 0))
    outs.append(_bn(br[4], h))
    br = unit.branches[3]
    outs.append(_bn(br[1], F.conv2d(x, br[0].weight, br[0].bias, stride=(2, 1))))
    res = _bn(unit.residual.bn, F.conv2d(x, unit.residual.conv.weight, unit.residual.conv.bias,
                                         stride=(2, 1)))
    want = F.relu(torch.cat(outs, 1) + res)
    assert [o.shape[1] for o in outs] == [3, 3, 3, 3]
    assert_close_f32(unit(x), want, terms=256, layers=4)


def test_random_graph_mode():
    from pyskl.skeleton import Graph
    np.random.seed(0)
    A = Graph('coco', **DG_GRAPH).A
    assert A.shape == (8, 17, 17)
    assert abs(A.mean() - 0.04) < 0.005 and abs(A.std() - 0.02) < 0.005
    with pytest.raises(TypeError, match='unexpected'):
        Graph('coco', mode='random', num_filters=8)


def test_zoo_configs_build_and_run(tmp_path):
    from pyskl.engine.config import load_config
    import glob
    import os.path as osp
    from conftest import ROOT
    for m in ('aagcn', 'ctrgcn', 'msg3d', 'dgstgcn'):
        files = sorted(glob.glob(osp.join(ROOT, 'configs', m, '*.py')))
        # NTU60 XSub/XView and NTU120 XSub/XSet x 2D/3D x 4 streams + JHMDB x 4 streams
        assert len(files) == 36, m
        for f in files:
            cfg = load_config(f)
            if 'jhmdb' in f:
                V, M = 15, 1
            else:
                V, M = (25 if '3d' in osp.basename(f) else 17), 2
            if f.endswith('joint-u100-80e_ntu60-xsub-keypoint-3d.py') or 'jhmdb' in f and 'joint-u32' in f:
                model = MODELS.build(cfg.model).eval()
                with torch.no_grad():
                    out = model(torch.randn(1, 1, M, 16, V, 3), mode='tensor')
                assert out.shape == (1, cfg.model.cls_head.num_classes)


def test_aagcn_equals_mmaction2_on_the_same_weights():
    """MMAction2 1.2.0's AAGCN (a port of PYSKL's), run in a scratch virtualenv by
    tools/analysis/aagcn_parity.py: same state-dict keys and shapes, and the same
    float64 output (pooled over T, V) on deterministic weights."""
    import json
    import os.path as osp
    import sys
    from conftest import ROOT
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    import aagcn_parity
    with open(osp.join(ROOT, 'tests', 'data', 'mmaction2_1.2.0_aagcn.json')) as f:
        ref = json.load(f)
    ours = aagcn_parity.run('pyskl')
    assert ours['keys'] == ref['keys'] and ours['shape'] == ref['shape']
    np.testing.assert_allclose(ours['pooled'], ref['pooled'], rtol=1e-9, atol=1e-6)
