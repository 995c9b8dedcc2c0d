"""EHGFormer: shapes, relation bias and hyperedge features against hand
computations, label files, gradients, and the parameter count of the reference."""
import numpy as np
import pytest
import torch

from pyskl.registry import MODELS
from conftest import assert_close_f32

SMALL = dict(type='EHGFormer', graph_cfg=dict(layout='coco'), joint_labels='coco_manual1',
             dim=16, depth=2, num_heads=4, maxlen=32)


def test_parameter_count_against_the_reference():
    """The reference's shape-exact count is 4,825,747 for the NTU60 2D model (dim 128,
    depth 6, 8 heads, 3 hyperedges, 60 classes). Ours has 1,057 fewer: the reference
    keeps an unused 3D-pose regression head (LayerNorm(128) + Linear(128, 3): 643) and
    stores, per block, its joint labels (17), incidence matrix (17 x 3) and merge weight
    (1) as parameters (6 x 69 = 414); here they are buffers or absent."""
    model = MODELS.build(dict(
        type='RecognizerGCN',
        backbone=dict(type='EHGFormer', graph_cfg=dict(layout='coco'),
                      joint_labels='coco_manual2'),
        cls_head=dict(type='ActionHeadClassification', num_classes=60, in_channels=128)))
    n = sum(p.numel() for p in model.parameters())
    assert n == 4_825_747 - 643 - 6 * (17 + 17 * 3 + 1) == 4_824_690


@pytest.mark.parametrize('layout,labels,V,T', [('coco', 'coco_manual1', 17, 5),
                                               ('coco', 'coco_manual2', 17, 32),
                                               ('jhmdb', 'jhmdb_manual1', 15, 9),
                                               ('sbu_x2', 'sbu_x2_manual1', 30, 6)])
def test_shapes_for_layouts_and_lengths(layout, labels, V, T):
    m = MODELS.build(dict(SMALL, graph_cfg=dict(layout=layout), joint_labels=labels)).eval()
    x = torch.randn(2, 2, T, V, 3)
    y = m(x)
    assert y.shape == (2, 2, T, V, 16) and torch.isfinite(y).all()
    assert m(x[:, 0]).shape == (2, T, V, 16)           # one person: (N, T, V, C)
    # persons are independent: the second person does not change the first one's features
    assert_close_f32(m(x[:, :1])[:, 0], y[:, 0], terms=256, layers=8)


def test_padded_second_person_and_bad_inputs():
    m = MODELS.build(SMALL).eval()
    x = torch.randn(1, 2, 8, 17, 3)
    x[:, 1] = 0                                          # a padded (absent) person
    assert torch.isfinite(m(x)).all()
    with pytest.raises(ValueError, match='maxlen=32'):
        m(torch.randn(1, 1, 33, 17, 3))
    with pytest.raises(ValueError, match='V=17, C=3'):
        m(torch.randn(1, 1, 8, 15, 3))


def test_relation_bias_starts_from_the_normalised_adjacency():
    m = MODELS.build(dict(SMALL, graph_cfg=dict(layout='jhmdb'), joint_labels='jhmdb_manual1'))
    rel = m.spatial_blocks[0].attn.relation.detach()
    assert rel.shape == (4, 15, 15)
    # by hand: joint 0 (neck) touches 1 (belly), 2 (face), 3, 4 (shoulders) and itself:
    # column-normalised, each of its 5 entries in column 0 is 1/5
    col = rel[0, :, 0]
    want = torch.zeros(15)
    want[[0, 1, 2, 3, 4]] = 1 / 5
    torch.testing.assert_close(col, want)
    # joint 13 (right ankle) touches only 9 (right knee) and itself
    want = torch.zeros(15)
    want[[9, 13]] = 1 / 2
    torch.testing.assert_close(rel[2, :, 13], want)
    assert torch.equal(rel[0], rel[3])                    # one copy per head
    none = MODELS.build(dict(SMALL, hyper_relation_bias='none'))
    torch.testing.assert_close(none.spatial_blocks[1].attn.relation[1], torch.eye(17))
    assert m.spatial_blocks[0].attn.relation_scale.item() == 1.0
    with pytest.raises(ValueError, match='uniform'):
        MODELS.build(dict(SMALL, hyper_relation_bias='full'))


def test_hyperedge_features_by_hand():
    labels = [[0, 0, 1, 2, 2, 2] + [1] * 11]             # 17 joints, 3 hyperedges
    m = MODELS.build(dict(SMALL, joint_labels=labels))
    block = m.hyper_blocks[0]
    with torch.no_grad():
        block.edge_proj.weight.copy_(torch.eye(16) * 2)   # projection = x 2
    x = torch.arange(17.)[None, :, None].repeat(1, 1, 16)  # joint v has features all = v
    e = block.edge_features(x)[0, :, 0]
    # hyperedge 0: joints 0, 1 -> mean 0.5; 2: joints 3, 4, 5 -> mean 4;
    # 1: joints 2 and 6..16 -> mean (2 + 6 + ... + 16) / 12
    mean1 = (2 + sum(range(6, 17))) / 12
    want = torch.tensor([0.5, 0.5, mean1, 4, 4, 4] + [mean1] * 11) * 2
    torch.testing.assert_close(e, want)


def test_hyper_attention_equals_the_equation():
    """softmax_m((q_v . e_m + w_h . e_m) / sqrt(d)) v_m per head, from the weights."""
    m = MODELS.build(SMALL).eval()
    block = m.hyper_blocks[1]
    torch.manual_seed(0)
    with torch.no_grad():
        block.attn.edge_bias.normal_()
    x = torch.randn(3, 17, 16)
    e = torch.randn(3, 17, 16)
    att = block.attn
    q = att.q(x).view(3, 17, 4, 4)
    v = att.kv(x)[..., 16:].view(3, 17, 4, 4)
    ee = e.view(3, 17, 4, 4)
    out = torch.zeros(3, 17, 4, 4)
    for h in range(4):
        logits = (q[:, :, h] @ ee[:, :, h].transpose(1, 2)
                  + (ee[:, :, h] @ att.edge_bias[h])[:, None, :]) / 2.0   # sqrt(4)
        out[:, :, h] = logits.softmax(-1) @ v[:, :, h]
    want = att.proj(out.reshape(3, 17, 16))
    assert_close_f32(att(x, e), want, terms=256, layers=8)
    # the recorded (visualisation) path computes the same
    att.record = []
    assert_close_f32(att(x, e), want, terms=256, layers=8)
    assert att.record[0].shape == (3, 4, 17, 17)


def test_sbu_label_file_groups_each_persons_parts():
    """sbu_x2_manual1 (hyper_labels/README.md): per person head-trunk / arms /
    legs, the second person's ids 3 higher; checked by joint name."""
    from pyskl.models.backbones.ehgformer import load_joint_labels
    from pyskl.skeleton import get_layout
    names = get_layout('sbu_x2').joint_names
    (labels,) = load_joint_labels('sbu_x2_manual1', len(names))
    part = {'head': 0, 'neck': 0, 'torso': 0, 'shoulder': 1, 'elbow': 1, 'hand': 1,
            'hip': 2, 'knee': 2, 'foot': 2}
    want = [part[n.rsplit('_', 1)[0].split('_')[-1]] + 3 * (int(n.rsplit('_', 1)[1]) - 1)
            for n in names]
    assert labels == want


def test_label_files_are_checked_against_the_layout(tmp_path):
    bad = tmp_path / 'bad.yaml'
    bad.write_text('joint_label: [[0, 1, 2]]\n')
    with pytest.raises(ValueError, match='bad.yaml: hyper head 0 labels 3 joints, the layout '
                                         'has 17'):
        MODELS.build(dict(SMALL, joint_labels=str(bad)))
    gap = tmp_path / 'gap.yaml'
    gap.write_text('joint_label: [[0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]]\n')
    with pytest.raises(ValueError, match='each used'):
        MODELS.build(dict(SMALL, joint_labels=str(gap)))
    with pytest.raises(FileNotFoundError, match='nope'):
        MODELS.build(dict(SMALL, joint_labels='nope'))
    with pytest.raises(ValueError, match='15 joints, the layout has 17'):
        MODELS.build(dict(SMALL, joint_labels='jhmdb_manual1'))


def test_every_parameter_receives_a_gradient():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='RecognizerGCN', backbone=dict(SMALL, drop_path_rate=0.),
                              cls_head=dict(type='ActionHeadClassification', num_classes=5,
                                            in_channels=16, hidden_dim=32)))
    with torch.no_grad():       # zero-initialised edge bias would block nothing, but be sure
        for p in model.parameters():
            if not p.abs().sum():
                p.normal_(0, 0.1)
    x = torch.randn(4, 2, 8, 17, 3)
    loss = model.cls_head(model.backbone(x)).logsumexp(-1).mean()
    loss.backward()
    from test_gcn_zoo import _biases_before_batchnorm   # the head's fc1 bias: zero by design
    before_bn = _biases_before_batchnorm(model)
    assert before_bn == {'cls_head.fc1.bias'}
    dead = [n for n, p in model.named_parameters()
            if p.grad is None or not torch.isfinite(p.grad).all()
            or (not p.grad.abs().sum() and n not in before_bn)]
    assert not dead, dead


def test_head_averages_time_then_persons():
    head = MODELS.build(dict(type='ActionHeadClassification', num_classes=3, in_channels=2,
                             num_joints=2, dropout=0., hidden_dim=4)).eval()
    x = torch.randn(1, 2, 5, 2, 2)
    feat = x.mean(2).reshape(1, 2, 4).mean(1)
    want = head.fc2(torch.relu(head.bn(head.fc1(feat))))
    torch.testing.assert_close(head(x), want)
    with pytest.raises(ValueError, match='V=2, C=2'):
        head(torch.randn(1, 2, 5, 3, 2))
    assert np.isclose(MODELS.build(dict(type='ActionHeadClassification', num_classes=3,
                                        in_channels=600)).fc1.out_features, 1200)


def test_real_jhmdb_two_iterations_train_then_test(jhmdb_ann, tmp_path):
    import os.path as osp
    import pickle
    import sys
    from conftest import ROOT
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import test as test_tool
    import train as train_tool
    from test_tools import tiny_opts
    cfg = osp.join(ROOT, 'configs', 'ehgformer', 'ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    ann, _ = jhmdb_ann
    work = tmp_path / 'work'
    train_tool.main(tiny_opts(ann, work, config=cfg))        # 4 clips, batch 2
    dump = tmp_path / 'r.pkl'
    test_tool.main([cfg, str(work / 'epoch_1.pth'), '--work-dir', str(work), '--dump', str(dump),
                    '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                    'test_dataloader.dataset.indices=2', 'log_level=WARNING'])
    with open(dump, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 2 and results[0]['pred_score'].shape == (14,)


def test_fine_tuning_loads_the_backbone_and_reinitialises_the_head(tmp_path):
    """A 60-class model's weights into a 14-class one with the same backbone:
    ``load_partial`` loads the backbone and reports the re-initialised classifier."""
    from pyskl.engine.checkpoint import load_checked
    src = MODELS.build(dict(type='RecognizerGCN', backbone=dict(SMALL),
                            cls_head=dict(type='ActionHeadClassification', num_classes=60,
                                          in_channels=16)))
    dst = MODELS.build(dict(type='RecognizerGCN', backbone=dict(SMALL),
                            cls_head=dict(type='ActionHeadClassification', num_classes=14,
                                          in_channels=16)))
    report = load_checked(dst, dict(state_dict=src.state_dict()), source='pretrained',
                          partial=True)
    for k, v in src.backbone.state_dict().items():
        assert torch.equal(dst.backbone.state_dict()[k], v)
    assert report['missing'] == [] and report['unexpected'] == []
    assert [m.split(':')[0] for m in report['mismatched']] == ['cls_head.fc2.weight',
                                                              'cls_head.fc2.bias']


def test_visualize_attention_writes_every_map(jhmdb_ann, tmp_path):
    import os.path as osp
    import sys
    from conftest import ROOT
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import visualize_attention
    ann, data = jhmdb_ann
    cfg = osp.join(ROOT, 'configs', 'ehgformer', 'ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    out = tmp_path / 'attn'
    frame_dir = data['split']['test1'][3]
    written = visualize_attention.main([cfg, 'none', '--sample', frame_dir, '--out-dir', str(out),
                                        '--cfg-options', f'ann_file={ann}',
                                        'model.backbone.depth=2', 'model.backbone.num_heads=2'])
    # 2 layers x 2 heads x 3 kinds + the summary
    assert len(written) == 2 * 2 * 3 + 1 and all(osp.getsize(p) > 1000 for p in written)
    assert (out / 'layer1_temporal_head1.png').is_file() and (out / 'summary.png').is_file()
    assert frame_dir in (out / 'prediction.txt').read_text()


def test_recorded_attention_maps_are_distributions():
    import os.path as osp
    import sys
    from conftest import ROOT
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import visualize_attention
    model = MODELS.build(dict(type='RecognizerGCN', backbone=dict(SMALL),
                              cls_head=dict(type='ActionHeadClassification', num_classes=5,
                                            in_channels=16))).eval()
    x = torch.randn(1, 1, 1, 6, 17, 3)
    _, maps = visualize_attention.collect(model, x)
    assert [len(v) for v in maps.values()] == [2, 2, 2]
    assert maps['spatial'][0].shape == (4, 17, 17) and maps['temporal'][1].shape == (4, 6, 6)
    for layers in maps.values():
        for m in layers:
            np.testing.assert_allclose(m.sum(-1), 1, rtol=1e-5)
    # recording off again: the model runs without keeping maps
    assert model.backbone.spatial_blocks[0].attn.record is None


@pytest.mark.parametrize('rows', [15, 30])
def test_attention_softmax_and_its_gradient_match_torch(rows):
    from pyskl.models.backbones.ehgformer import _softmax
    x = (torch.randn(6, 4, rows, rows, dtype=torch.float64) * 5).requires_grad_()
    g = torch.randn(6, 4, rows, rows, dtype=torch.float64)
    y = _softmax(x)
    (gx,) = torch.autograd.grad(y, x, g)
    x2 = x.detach().clone().requires_grad_()
    y2 = torch.softmax(x2, -1)
    (gx2,) = torch.autograd.grad(y2, x2, g)
    torch.testing.assert_close(y, y2, rtol=0, atol=1e-12)
    torch.testing.assert_close(gx, gx2, rtol=0, atol=1e-12 * gx2.abs().max().item())
    assert torch.autograd.gradcheck(_softmax, (x[:1, :1, :4, :5].detach().requires_grad_(),))
    with torch.no_grad():                       # the inference path: the same values
        torch.testing.assert_close(_softmax(x), y.detach(), rtol=0, atol=1e-12)
