"""RGBPoseConv3D: sizes and shapes of the published model, equality
with MMAction2 1.2.0 on the same weights (reference numbers kept in
tests/data), lateral-connection switches, and RGBPoseHead."""
import json
import os.path as osp
import sys

import pytest
import torch

from pyskl.registry import MODELS
from pyskl.structures import ActionDataSample
from conftest import ROOT, assert_close_f32

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import rgbpose_parity  # noqa: E402

with open(osp.join(ROOT, 'tests', 'data', 'mmaction2_1.2.0_rgbpose.json')) as f:
    REFERENCE = json.load(f)


def test_seed_002_model_sizes_and_shapes():
    with torch.device('meta'):
        backbone = MODELS.build(dict(rgbpose_parity.BACKBONE)).eval()
        head = MODELS.build(dict(rgbpose_parity.HEAD))
        rgb, pose = backbone(torch.empty(1, 3, 8, 224, 224), torch.empty(1, 17, 32, 56, 56))
    assert sum(p.numel() for p in backbone.parameters()) == 35_994_208
    assert sum(p.numel() for p in head.parameters()) == 153_720
    assert rgb.shape == (1, 2048, 8, 7, 7) and pose.shape == (1, 512, 32, 7, 7)


def test_mmaction2_state_dict_loads_unchanged_and_gives_the_same_logits():
    ours = rgbpose_parity.run('pyskl')
    assert ours['keys'] == REFERENCE['keys']        # names and shapes: no key changes
    assert ours['features'] == REFERENCE['features']
    for name in ('rgb', 'pose'):
        # ResNet3d pathways: 3x3x3 convs of up to 512 channels (~14k terms), ~50 layers
        assert_close_f32(ours['logits'][name], REFERENCE['logits'][name], terms=16384,
                         layers=50, msg=name)


def _small(**kw):
    cfg = dict(type='RGBPoseConv3D',
               rgb_pathway=dict(num_stages=4, lateral=True, lateral_infl=1,
                                lateral_activate=(0, 0, 1, 1), fusion_kernel=3,
                                base_channels=8, depth=18, conv1_kernel=(1, 3, 3),
                                inflate=(0, 0, 1, 1), with_pool2=False),
               pose_pathway=dict(num_stages=3, depth=18, stage_blocks=(1, 1, 1), lateral=True,
                                 lateral_inv=True, lateral_infl=4, lateral_activate=(0, 1, 1),
                                 fusion_kernel=3, in_channels=5, base_channels=4,
                                 out_indices=(2,), conv1_kernel=(1, 3, 3), conv1_stride_s=1,
                                 pool1_stride_s=1, inflate=(0, 1, 1),
                                 spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 1),
                                 with_pool2=False), **kw)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def _inputs():
    g = torch.Generator().manual_seed(1)
    return torch.rand(2, 3, 4, 32, 32, generator=g), torch.rand(2, 5, 16, 8, 8, generator=g)


def test_laterals_carry_each_pathway_into_the_other():
    model = _small().eval()
    imgs, heat = _inputs()
    with torch.no_grad():
        rgb, pose = model(imgs, heat)
        rgb2, pose2 = model(imgs, heat * 0)
        rgb3, pose3 = model(imgs * 0, heat)
    assert (rgb - rgb2).abs().max() > 1e-4       # heatmaps reach the RGB output
    assert (pose - pose3).abs().max() > 1e-4     # frames reach the pose output


@pytest.mark.parametrize('switch', ['rgb_detach', 'rgb_drop_path'])
def test_detach_and_drop_path_cut_the_pose_to_rgb_connection(switch):
    model = _small(**{switch: True if switch == 'rgb_detach' else 1.0}).train()
    imgs, heat = _inputs()
    heat.requires_grad_(True)
    rgb, _ = model(imgs, heat)
    rgb.sum().backward()
    # no gradient reaches the heatmaps through the RGB output
    assert heat.grad is None or heat.grad.abs().max() == 0


def test_rgbpose_head_loss_with_a_batch_of_num_classes_and_predict():
    head = MODELS.build(dict(type='RGBPoseHead', num_classes=4, in_channels=[16, 8],
                             loss_weights=[1., 2.], dropout=dict(rgb=0.5, pose=0.0)))
    feats = (torch.randn(4, 16, 2, 2, 2), torch.randn(4, 8, 4, 2, 2))
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]   # batch == num_classes
    losses = head.loss(feats, samples)
    assert set(losses) == {'rgb_loss_cls', 'rgb_top1_acc', 'pose_loss_cls', 'pose_top1_acc'}
    head.eval()
    scores = head(feats)
    pose_ce = torch.nn.functional.cross_entropy(scores['pose'], torch.arange(4))
    torch.testing.assert_close(head.loss(feats, samples)['pose_loss_cls'], 2 * pose_ce)
    out = head.predict(feats, samples)
    p = {k: torch.softmax(v, -1) for k, v in scores.items()}
    for i, ds in enumerate(out):
        torch.testing.assert_close(ds.pred_score['rgb'], p['rgb'][i])
        torch.testing.assert_close(ds.pred_score['fused'], (p['rgb'][i] + p['pose'][i]) / 2)
        assert int(ds.pred_label) == int((p['rgb'][i] + p['pose'][i]).argmax())
    with pytest.raises(ValueError, match='unknown loss components'):
        MODELS.build(dict(type='RGBPoseHead', num_classes=4, loss_components=['depth']))
