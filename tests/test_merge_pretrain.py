"""tools/data/merge_pretrain.py on small fake checkpoints: the merged RGBPoseConv3D
computes exactly what the two single-stream models computed, loads strictly,
and a checkpoint that does not fit is refused with the keys named."""
import copy
import os.path as osp
import sys

import pytest
import torch

from pyskl.engine.checkpoint import load_checked
from pyskl.registry import MODELS
from conftest import ROOT, assert_close_f32

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import merge_pretrain  # noqa: E402

RGB = dict(num_stages=4, depth=18, lateral=True, lateral_infl=1, lateral_activate=(0, 0, 1, 1),
           fusion_kernel=3, base_channels=8, conv1_kernel=(1, 3, 3), inflate=(0, 0, 1, 1),
           with_pool2=False)
POSE = dict(num_stages=3, depth=18, stage_blocks=(1, 1, 1), lateral=True, lateral_inv=True,
            lateral_infl=4, lateral_activate=(0, 1, 1), fusion_kernel=3, in_channels=5,
            base_channels=4, out_indices=(2,), conv1_kernel=(1, 3, 3), conv1_stride_s=1,
            pool1_stride_s=1, inflate=(0, 1, 1), spatial_strides=(2, 2, 2),
            temporal_strides=(1, 1, 1), with_pool2=False)


def _single(cfg, num_classes=3, seed=0):
    """A single-stream model: the pathway without laterals + an I3DHead."""
    torch.manual_seed(seed)
    single = dict(cfg, lateral=False)
    backbone = MODELS.build(dict(type='ResNet3dPathway', **single))
    backbone.init_weights()
    with torch.no_grad():          # non-trivial BN statistics
        for m in backbone.modules():
            if isinstance(m, torch.nn.BatchNorm3d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
    head = MODELS.build(dict(type='I3DHead', num_classes=num_classes,
                             in_channels=backbone.feat_dim))
    sd = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    sd.update({f'cls_head.{k}': v for k, v in head.state_dict().items()})
    return backbone.eval(), sd


def _target(num_classes=3):
    torch.manual_seed(1)
    return MODELS.build(dict(
        type='MMRecognizer3D',
        backbone=dict(type='RGBPoseConv3D', rgb_pathway=copy.deepcopy(RGB),
                      pose_pathway=copy.deepcopy(POSE)),
        cls_head=dict(type='RGBPoseHead', num_classes=num_classes,
                      in_channels=[64, 16])))


def test_merged_model_computes_what_the_single_streams_computed():
    rgb_model, rgb_sd = _single(RGB, seed=2)
    pose_model, pose_sd = _single(POSE, seed=3)
    target = _target()
    merged, padded, fresh = merge_pretrain.merge(rgb_sd, pose_sd, target.state_dict())
    assert padded and all('layer3.0' in k or 'layer4.0' in k or 'layer2.0' in k for k in padded)
    assert fresh and all('_lateral' in k for k in fresh)
    load_checked(target, dict(state_dict=merged))        # complete and strict
    target.eval()
    imgs, heat = torch.rand(2, 3, 4, 32, 32), torch.rand(2, 5, 16, 8, 8)
    with torch.no_grad():
        x_rgb, x_pose = target.backbone(imgs, heat)
        assert_close_f32(x_rgb, rgb_model(imgs), terms=4096, layers=12)
        assert_close_f32(x_pose, pose_model(heat), terms=4096, layers=12)
    torch.testing.assert_close(merged['cls_head.fc_rgb.weight'], rgb_sd['cls_head.fc_cls.weight'])
    torch.testing.assert_close(merged['cls_head.fc_pose.bias'], pose_sd['cls_head.fc_cls.bias'])


def test_checkpoints_that_do_not_fit_are_refused(tmp_path, capsys):
    _, rgb_sd = _single(RGB)
    _, pose_sd = _single(dict(POSE, in_channels=7))       # other heatmap channels
    with pytest.raises(merge_pretrain.MergeError, match='pose: backbone.conv1.conv.weight'):
        merge_pretrain.merge(rgb_sd, pose_sd, _target().state_dict())
    _, pose_sd = _single(POSE, num_classes=5)             # other class count
    with pytest.raises(merge_pretrain.MergeError, match='cls_head.fc_cls.weight'):
        merge_pretrain.merge(rgb_sd, pose_sd, _target().state_dict())
    with pytest.raises(merge_pretrain.MergeError, match='no place for rgb: backbone.extra'):
        merge_pretrain.merge(dict(rgb_sd, **{'backbone.extra': torch.zeros(1)}),
                             _single(POSE)[1], _target().state_dict())


def test_main_writes_the_merged_checkpoint_atomically(tmp_path):
    rgb_sd, pose_sd = _single(RGB, seed=2)[1], _single(POSE, seed=3)[1]
    torch.save(dict(state_dict=rgb_sd), tmp_path / 'rgb.pth')
    torch.save(pose_sd, tmp_path / 'pose.pth')            # a bare state dict works too
    target = _target()
    cfg = tmp_path / 'small_rgbpose.py'
    cfg.write_text(f'model = dict(type="MMRecognizer3D", backbone=dict(type="RGBPoseConv3D", '
                   f'rgb_pathway={RGB!r}, pose_pathway={POSE!r}), cls_head=dict('
                   f'type="RGBPoseHead", num_classes=3, in_channels=[64, 16]))\n')
    out = tmp_path / 'new' / 'init.pth'                   # its folder is made
    assert merge_pretrain.main([str(tmp_path / 'rgb.pth'), str(tmp_path / 'pose.pth'),
                                str(out), '--config', str(cfg)]) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ['init.pth']   # no temp file left
    saved = torch.load(out, weights_only=True)
    merged, _, fresh = merge_pretrain.merge(rgb_sd, pose_sd, target.state_dict())
    assert saved['state_dict'].keys() == merged.keys()
    for k, v in merged.items():        # fresh (lateral) tensors: the tool's own initialisation
        assert saved['state_dict'][k].shape == v.shape, k
        assert k in fresh or torch.equal(saved['state_dict'][k], v), k
    assert 0 < len(fresh) < len(merged) // 2
    assert saved['meta']['merged_from'] == [str(tmp_path / 'rgb.pth'), str(tmp_path / 'pose.pth')]


@pytest.mark.parametrize('out, why', [('rgb.pth', 'also an input'),
                                      ('rgb.pth/x.pth', 'is a file'),
                                      ('init.ckpt', "must end with one of")])
def test_main_refuses_an_output_it_cannot_write_before_any_work(tmp_path, capsys, out, why):
    (tmp_path / 'rgb.pth').write_bytes(b'')    # never read: the output is checked first
    with pytest.raises(SystemExit):
        merge_pretrain.main([str(tmp_path / 'rgb.pth'), str(tmp_path / 'pose.pth'),
                             str(tmp_path / out)])
    assert why in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['rgb.pth']
