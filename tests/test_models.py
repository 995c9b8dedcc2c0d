import pytest
import torch

from pyskl.registry import MODELS
from pyskl.structures import ActionDataSample
from conftest import ROOT, assert_close_f32, shared_path

SMALL_BACKBONES = {
    'STGCN': dict(type='STGCN', graph_cfg=dict(layout='coco', mode='stgcn_spatial'),
                  base_channels=8, num_stages=3, inflate_stages=[2], down_stages=[3]),
}
SMALL_HEADS = {'GCNHead': dict(type='GCNHead', num_classes=5, in_channels=16, dropout=0.1)}
RECOGNIZERS = {'RecognizerGCN': (dict(type='RecognizerGCN', backbone=SMALL_BACKBONES['STGCN'],
                                      cls_head=SMALL_HEADS['GCNHead']), (2, 2, 2, 12, 17, 3))}
VARIANTS = {
    'stgcn': dict(),
    'stgcnpp': dict(gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn',
                    graph_cfg=dict(layout='coco', mode='spatial')),
    'offset_post': dict(gcn_adaptive='offset', gcn_conv_pos='post', tcn_dropout=0.1),
    'binary': dict(gcn_adaptive=None, graph_cfg=dict(layout='coco', mode='binary_adj'),
                   data_bn_type='MVC'),
}


def _registered(kind):
    import pyskl.models as pm
    names = []
    for name in pm.__dict__:
        obj = getattr(pm, name)
        if isinstance(obj, type) and MODELS.get(name) is obj:
            names.append((name, obj))
    return names


def test_registry_covers_every_model_class():
    registered = {n for n, _ in _registered('all')}
    from test_models_3d import BACKBONES as BACKBONES_3D
    from test_gcn_zoo import SMALL as ZOO
    tested = set(SMALL_BACKBONES) | set(SMALL_HEADS) | set(RECOGNIZERS) | set(ZOO) | {
        'EHGFormer', 'ActionHeadClassification',  # tests/test_ehgformer.py
        'CrossEntropyLoss', 'BCELossWithLogits',  # tests/test_sampling_labels.py
        'ActionDataPreprocessor', 'I3DHead', 'Recognizer3D',
        'RGBPoseConv3D', 'ResNet3dPathway', 'RGBPoseHead', 'MMRecognizer3D',
        'MultiModalDataPreprocessor'} | {  # tests/test_rgbpose*.py
        cfg['type'] for cfg, _, _ in BACKBONES_3D}
    assert registered <= tested, f'untested models: {registered - tested}'


def _check_grads(model):
    missing = [n for n, p in model.named_parameters() if p.requires_grad and
               (p.grad is None or not torch.isfinite(p.grad).all())]
    assert not missing, f'parameters without a finite gradient: {missing}'


@pytest.mark.parametrize('variant', sorted(VARIANTS))
def test_stgcn_variants_forward_backward(variant):
    cfg = dict(SMALL_BACKBONES['STGCN'], **VARIANTS[variant])
    m = MODELS.build(cfg)
    x = torch.randn(2, 2, 12, 17, 3)
    y = m(x)
    assert y.shape == (2, 2, 16, 6, 17)
    assert torch.isfinite(y).all()
    y.square().mean().backward()
    _check_grads(m)


def test_stgcn_per_stage_tuple_options():
    m = MODELS.build(dict(SMALL_BACKBONES['STGCN'], gcn_adaptive=('init', 'importance', None)))
    assert [b.gcn.adaptive for b in m.gcn] == ['init', 'importance', None]
    with pytest.raises(TypeError, match='unexpected'):
        MODELS.build(dict(SMALL_BACKBONES['STGCN'], foo=1))


def test_stgcnpp_ntu_size_matches_published():
    m = MODELS.build(dict(type='STGCN', graph_cfg=dict(layout='coco', mode='spatial'),
                          gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn'))
    head = MODELS.build(dict(type='GCNHead', num_classes=60, in_channels=256))
    n = sum(p.numel() for p in m.parameters()) + sum(p.numel() for p in head.parameters())
    assert round(n / 1e6, 2) == 1.39  # MMAction2's model zoo: 1.39M
    assert m(torch.randn(1, 2, 100, 17, 3)).shape == (1, 2, 256, 25, 17)


def test_head_pools_and_loss():
    head = MODELS.build(SMALL_HEADS['GCNHead'])
    feats = torch.randn(4, 2, 16, 3, 17, requires_grad=True)
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(4)]
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_cls', 'top1_acc'} and losses['loss_cls'] > 0
    losses['loss_cls'].backward()
    _check_grads(head)


@pytest.mark.parametrize('name', sorted(RECOGNIZERS))
def test_recognizers_train_and_predict(name):
    cfg, shape = RECOGNIZERS[name]
    model = MODELS.build(cfg)
    N, nc = shape[:2]
    data = dict(inputs=[torch.randn(shape[1:]) for _ in range(N)],
                data_samples=[ActionDataSample().set_gt_label(1) for _ in range(N)])
    batch = model.data_preprocessor(data, training=True)
    assert batch['inputs'].shape == shape
    losses = model(**batch, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    _check_grads(model)
    model.eval()
    with torch.no_grad():
        batch = model.data_preprocessor(data)
        logits = model(**batch, mode='tensor')             # (N * num_clips, K)
        out = model(**batch, mode='predict')
    # 'prob' averaging: the mean over clips of each clip's softmax
    expected = torch.softmax(logits.view(N, nc, -1), dim=-1).mean(dim=1)
    assert len(out) == N
    for ds, want in zip(out, expected):
        torch.testing.assert_close(ds.pred_score, want)
        assert ds.pred_label.shape == (1,)
        assert int(ds.pred_label) == int(ds.pred_score.argmax())


def test_average_clips_modes():
    from pyskl.models.heads.base_head import average_clip
    s = torch.tensor([[0., 0.], [2., 0.]])
    torch.testing.assert_close(average_clip(s, 2, 'score'), torch.tensor([[1., 0.]]))
    p = torch.softmax(s, -1).mean(0, keepdim=True)
    torch.testing.assert_close(average_clip(s, 2, 'prob'), p)
    with pytest.raises(ValueError):
        average_clip(s, 2, 'max')


@pytest.mark.shared
def test_pyskl_hagrid_checkpoint_loads_without_missing_or_unexpected_keys():
    from pyskl.engine.config import load_config
    ckpt = shared_path('checkpoints', 'pyskl_stgcnpp_hagrid.pth')
    cfg = load_config(f'{ROOT}/configs/stgcnpp/stgcnpp_hagrid-handmp-joint-2d.py')
    model = MODELS.build(cfg.model)
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    state = state.get('state_dict', state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == []
    # and it still predicts: a hand skeleton gives a valid distribution
    model.eval()
    with torch.no_grad():
        out = model(torch.rand(1, 1, 1, 10, 21, 2), mode='tensor')
    assert out.shape == (1, 40) and torch.isfinite(out).all()


def test_unit_gcn_matmul_equals_einsum_reference():
    from pyskl.models.utils import unit_gcn
    torch.manual_seed(0)
    A = torch.rand(3, 17, 17)
    for conv_pos in ('pre', 'post'):
        m = unit_gcn(8, 16, A, adaptive='importance', conv_pos=conv_pos, with_res=True).eval()
        torch.nn.init.uniform_(m.PA, 0.5, 1.5)
        x = torch.randn(4, 8, 10, 17)
        Aeff = m.A * m.PA
        if conv_pos == 'pre':
            ref = torch.einsum('nkctv,kvw->nctw', m.conv(x).view(4, 3, 16, 10, 17), Aeff)
        else:
            ref = m.conv(torch.einsum('nctv,kvw->nkctw', x, Aeff).reshape(4, -1, 10, 17))
        ref = m.act(m.bn(ref) + m.down(x))
        assert_close_f32(m(x), ref, terms=1024, layers=4)


@pytest.mark.parametrize('stride', [1, 2])
def test_mstcn_fused_equals_branch_by_branch(stride):
    import copy
    from pyskl.models.utils import mstcn
    torch.manual_seed(0)
    a = mstcn(16, 24, stride=stride, dropout=0.0)
    assert a.can_fuse()
    b = copy.deepcopy(a)
    b.fuse = False
    x = torch.randn(3, 16, 12, 5)
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = a(xa), b(xb)
    assert_close_f32(ya, yb, terms=1024, layers=4)
    (ya * torch.arange(ya.numel()).view_as(ya).sin()).sum().backward()
    (yb * torch.arange(yb.numel()).view_as(yb).sin()).sum().backward()
    assert_close_f32(xa.grad, xb.grad, terms=1024, layers=8)
    # relative to the largest gradient of the unit (the biases before training-mode
    # BatchNorms have zero gradients by construction, up to rounding)
    gmax = max(float(p.grad.abs().max()) for p in b.parameters())
    for (n, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert_close_f32(pa.grad, pb.grad, terms=1024, layers=8, msg=n, scale=gmax)
    for (n, ba), (_, bb) in zip(a.named_buffers(), b.named_buffers()):
        torch.testing.assert_close(ba, bb, msg=n)   # running stats written back
    a.eval(), b.eval()
    assert_close_f32(a(x), b(x), terms=1024, layers=4)


def _mstcn_pair(seed=0):
    import copy
    from pyskl.models.utils import mstcn
    torch.manual_seed(seed)
    a = mstcn(16, 24, dropout=0.0)
    with torch.no_grad():      # non-trivial running statistics
        for m in a.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    b = copy.deepcopy(a)
    b.fuse = False             # the branch-by-branch reference
    return a, b


def test_mstcn_with_frozen_bns_in_a_training_model_equals_the_reference():
    """Fine-tuning freezes BNs (eval mode) inside a training model: the fused
    path used self.training for them, normalising with batch statistics and
    moving the frozen running statistics."""
    a, b = _mstcn_pair()
    for m in (a, b):
        m.train()
        for bn in m.modules():
            if isinstance(bn, torch.nn.BatchNorm2d):
                bn.eval()
    x = torch.randn(3, 16, 12, 5)
    frozen = {n: t.clone() for n, t in a.named_buffers()}
    assert_close_f32(a(x), b(x), terms=1024, layers=4)
    for n, t in a.named_buffers():
        torch.testing.assert_close(t, frozen[n], msg=n)     # statistics untouched
    # one frozen head BN among training ones: modes differ -> not fused, still equal
    a, b = _mstcn_pair(1)
    a.branches[0][1].eval(), b.branches[0][1].eval()
    assert not a.can_fuse()
    assert_close_f32(a(x), b(x), terms=1024, layers=4)


def test_mstcn_after_convert_sync_batchnorm_is_not_fused():
    a, b = _mstcn_pair(2)
    a = torch.nn.SyncBatchNorm.convert_sync_batchnorm(a)
    b = torch.nn.SyncBatchNorm.convert_sync_batchnorm(b)
    assert isinstance(a.branches[0][1], torch.nn.SyncBatchNorm) and not a.can_fuse()
    a.eval(), b.eval()
    x = torch.randn(3, 16, 12, 5)
    assert_close_f32(a(x), b(x), terms=1024, layers=4)


@pytest.mark.parametrize('rel', [
    'stgcnpp/stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py',
    'ehgformer/ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py',
    'posec3d/slowonly_r50-tiny_u24_160e_jhmdb_keypoint.py',
    'rgbpose_conv3d/rgbpose_conv3d.py'])
def test_pre_logits_are_what_the_last_linear_layer_sees(rel):
    """--dump-features writes the head's pre_logits: the last linear layer of
    the head applied to them gives the head's logits (eval mode), for each
    head type (GCN, EHGFormer, I3D, RGBPose); predict(feat_ext) averages them
    over each sample's clips."""
    import os.path as osp
    from conftest import ROOT
    from pyskl.engine.config import load_config
    from pyskl.registry import MODELS
    torch.manual_seed(0)
    cfg = load_config(osp.join(ROOT, 'configs', rel))
    model = MODELS.build(cfg.model).eval()
    head = model.cls_head
    if 'rgbpose' in rel:
        feats = (torch.randn(4, 2048, 2, 2, 2), torch.randn(4, 512, 2, 2, 2))
        pre = head.pre_logits(feats)
        out = head(feats)
        torch.testing.assert_close(head.fc_rgb(pre[:, :2048]), out['rgb'])
        torch.testing.assert_close(head.fc_pose(pre[:, 2048:]), out['pose'])
        return
    if 'ehgformer' in rel:
        feats = torch.randn(4, 1, 6, head.num_joints, head.in_channels)
        last = head.fc2
    elif 'posec3d' in rel:
        feats = torch.randn(4, head.in_channels, 2, 3, 3)
        last = head.fc_cls
    else:
        feats = torch.randn(4, 1, head.in_channels, 6, 15)
        last = head.fc_cls
    pre = head.pre_logits(feats)
    assert pre.dim() == 2 and pre.shape[0] == 4
    torch.testing.assert_close(last(pre), head(feats))
    # feat_ext in predict: two samples of two clips -> the mean of each pair
    model.test_cfg['feat_ext'] = True
    pooled = head.pre_logits(feats).reshape(2, 2, -1).mean(1)
    model.extract_feat = lambda inputs, data_samples=None: (feats, 2)
    got = model(None, [ActionDataSample(), ActionDataSample()], mode='predict')
    torch.testing.assert_close(torch.stack([g.pred_feature for g in got]), pooled)
    assert all(g.pred_score.shape == (head.num_classes,) for g in got)
