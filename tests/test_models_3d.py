"""3D CNN backbones, I3DHead and Recognizer3D (multi-view, device heatmaps)."""
import os.path as osp

import numpy as np
import pytest
import torch

from pyskl.datasets.transforms import FormatShape, GeneratePoseTarget
from pyskl.engine.config import load_config
from pyskl.registry import MODELS
from pyskl.structures import ActionDataSample
from conftest import ROOT, assert_close_f32

SLOWONLY = dict(type='ResNet3dSlowOnly', depth=50, in_channels=17, base_channels=8,
                num_stages=3, out_indices=(2,), stage_blocks=(1, 1, 1), conv1_stride_s=1,
                pool1_stride_s=1, inflate=(0, 1, 1), spatial_strides=(2, 2, 2),
                temporal_strides=(1, 1, 2))

BACKBONES = [
    (SLOWONLY, (2, 17, 8, 16, 16), (2, 128, 4, 2, 2)),
    (dict(type='ResNet3d', depth=18, in_channels=3, base_channels=8, num_stages=2,
          out_indices=(1,), spatial_strides=(1, 2)), (2, 3, 8, 32, 32), (2, 16, 4, 4, 4)),
    (dict(type='C3D', in_channels=17, base_channels=4, num_stages=3, temporal_downsample=False),
     (2, 17, 8, 16, 16), (2, 32, 8, 2, 2)),
    (dict(type='X3D', gamma_d=1, in_channels=17, base_channels=8, num_stages=3, se_ratio=1 / 16,
          use_swish=True, stage_blocks=(1, 2, 1), spatial_strides=(2, 2, 2)),
     (2, 17, 8, 32, 32), (2, 72, 8, 2, 2)),
]


@pytest.mark.parametrize('cfg,in_shape,out_shape', BACKBONES, ids=lambda v: str(v)[:30])
def test_backbone_shapes_finite_and_every_parameter_gets_a_gradient(cfg, in_shape, out_shape):
    torch.manual_seed(0)
    m = MODELS.build(cfg)
    m.init_weights()
    m.train()
    y = m(torch.rand(in_shape))
    assert tuple(y.shape) == out_shape and torch.isfinite(y).all()
    y.square().mean().backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None]
    assert not missing, missing


def test_slowonly_zero_init_residual_makes_blocks_start_as_identity_shortcuts():
    m = MODELS.build(SLOWONLY)
    m.init_weights()
    assert float(m.layer1[0].conv3.bn.weight.detach().abs().sum()) == 0
    m = MODELS.build(dict(SLOWONLY, frozen_stages=1))
    m.train()
    assert not any(p.requires_grad for p in m.layer1.parameters())
    assert all(p.requires_grad for p in m.layer2.parameters())


def test_bad_backbone_arguments_raise():
    with pytest.raises(ValueError, match='depth'):
        MODELS.build(dict(type='ResNet3d', depth=42))
    with pytest.raises(ValueError, match='num_stages'):
        MODELS.build(dict(type='C3D', num_stages=7))
    with pytest.raises(ValueError, match='spatial_strides'):
        MODELS.build(dict(SLOWONLY, spatial_strides=(2, 2)))


def _recognizer(**kw):
    cfg = dict(type='Recognizer3D', backbone=SLOWONLY,
               cls_head=dict(type='I3DHead', in_channels=128, num_classes=5), **kw)
    torch.manual_seed(0)
    return MODELS.build(cfg).eval()


def _samples(n, shape=(16, 16)):
    out = []
    for i in range(n):
        ds = ActionDataSample()
        ds.set_gt_label(i % 5)
        ds.set_metainfo(dict(img_shape=shape))
        out.append(ds)
    return out


def test_recognizer3d_max_testing_views_gives_the_same_scores():
    x = torch.rand(2, 4, 17, 8, 16, 16)
    full = _recognizer(test_cfg=dict(average_clips='prob'))
    chunked = _recognizer(test_cfg=dict(average_clips='prob', max_testing_views=3))
    with torch.no_grad():
        a = full(x, _samples(2), mode='predict')
        b = chunked(x, _samples(2), mode='predict')
    for da, db in zip(a, b):
        assert_close_f32(da.pred_score, db.pred_score, terms=4096, layers=12)
        assert abs(float(da.pred_score.sum()) - 1) < 1e-5


class _Feat(torch.nn.Module):
    def __init__(self, recognizer):
        super().__init__()
        self.recognizer = recognizer

    def forward(self, x):
        return self.recognizer.extract_feat(x)[0]


def test_channels_last_gives_the_same_scores_and_gradients():
    x = torch.rand(2, 2, 17, 8, 16, 16, generator=torch.Generator().manual_seed(0))
    plain = _recognizer(test_cfg=dict(average_clips='prob'), channels_last=False)
    cl = _recognizer(test_cfg=dict(average_clips='prob'))      # default: channels-last on CPU
    seen = []
    for m in (plain, cl):
        m.backbone.register_forward_pre_hook(lambda m, args: seen.append(
            args[0].is_contiguous(memory_format=torch.channels_last_3d)))
    with torch.no_grad():
        a = plain(x, _samples(2), mode='predict')
        b = cl(x, _samples(2), mode='predict')
    assert seen == [False, True]
    # True / False hold on any device; tracing (ONNX export) keeps NCTHW volumes
    seen.clear()
    forced = _recognizer(test_cfg=dict(average_clips='prob'), channels_last=True)
    forced.backbone.register_forward_pre_hook(lambda m, args: seen.append(
        args[0].is_contiguous(memory_format=torch.channels_last_3d)))
    with torch.no_grad():
        forced(x, _samples(2), mode='predict')
        torch.jit.trace(_Feat(forced), x[:1], check_trace=False)
    assert seen == [True, False]
    for da, db in zip(a, b):
        assert_close_f32(da.pred_score, db.pred_score, terms=4096, layers=12)
    # gradients: each float32 path against a float64 run of the same model (no
    # dropout, training-mode BatchNorm). conv1's weight gradient sums 8192
    # products of signed factors much larger than the result, so its float32
    # error is not bounded relative to max|grad| by the sqrt(terms) rule: on this
    # input 4e-6 of max|grad| (ATEN_CPU_CAPABILITY default / avx2 / avx512, 1 and 2
    # threads), on other random inputs up to 0.6 %, against ~100 % for a wrong layout.
    import copy
    exact = copy.deepcopy(plain).double()
    grads = []
    for m, inp in ((plain, x), (cl, x), (exact, x.double())):
        m.train()
        m.cls_head.dropout.p = 0.0
        loss = m(inp, _samples(2), mode='loss')['loss_cls']
        loss.backward()
        grads.append((loss.detach().double(), m.backbone.conv1.conv.weight.grad.double()))
    (la, ga), (lb, gb), (l64, g64) = grads
    assert_close_f32(la, l64, terms=4096, layers=12)
    assert_close_f32(lb, l64, terms=4096, layers=12)
    top = float(g64.abs().max())
    for g in (ga, gb):
        assert float((g - g64).abs().max()) <= 0.02 * top
    assert float((gb - ga).norm() / ga.norm()) < 0.01          # the same direction


def test_device_heatmaps_equal_pipeline_heatmaps_end_to_end():
    """Recognizer3D(heatmap=...) draws the same volumes the CPU pipeline does."""
    rng = np.random.RandomState(0)
    kp = rng.uniform(0, 16, (2, 16, 17, 2)).astype(np.float32)         # 2 clips x 8 frames
    score = rng.uniform(0.2, 1, (2, 16, 17)).astype(np.float32)
    r = GeneratePoseTarget(double=True)(dict(keypoint=kp, keypoint_score=score,
                                             img_shape=(16, 16)))
    r = FormatShape('NCTHW_Heatmap')(dict(r, clip_len=8, num_clips=2))
    cpu_views = torch.from_numpy(r['imgs'])[None]          # (1, 4, 17, 8, 16, 16): clips, then flips
    pipeline_model = _recognizer(test_cfg=dict(average_clips='prob'))
    device_model = _recognizer(test_cfg=dict(average_clips='prob', max_testing_views=2),
                               heatmap=dict(double=True))
    device_model.load_state_dict(pipeline_model.state_dict())
    kps = np.concatenate([kp, score[..., None]], -1).reshape(2, 2, 8, 17, 3).transpose(1, 0, 2, 3, 4)
    data = dict(inputs=[torch.from_numpy(np.ascontiguousarray(kps))], data_samples=_samples(1))
    with torch.no_grad():
        data = device_model.data_preprocessor(data)
        a = device_model(**data, mode='predict')[0].pred_score
        b = pipeline_model(cpu_views, _samples(1), mode='predict')[0].pred_score
    assert_close_f32(a, b, terms=4096, layers=12)


def test_device_heatmaps_need_one_img_shape_per_batch():
    model = _recognizer(heatmap=dict())
    x = torch.rand(2, 1, 1, 8, 17, 3)
    with pytest.raises(ValueError, match='img_shape'):
        model(x, _samples(1, (16, 16)) + _samples(1, (20, 20)), mode='predict')


def test_the_data_preprocessor_no_longer_takes_a_heatmap():
    """Drawing belongs to the recognizer: the old preprocessor argument is refused
    by name, not silently ignored."""
    with pytest.raises(TypeError, match='heatmap'):
        MODELS.build(dict(type='ActionDataPreprocessor', heatmap=dict()))


def test_get_flops_reports_the_published_posec3d_figures():
    import sys
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    from get_flops import complexity
    cfg = load_config(osp.join(ROOT, 'configs', 'posec3d',
                                   'slowonly_r50_u48_240e_ntu60_xsub_keypoint.py'))
    flops, params = complexity(cfg, (1, 17, 48, 64, 64))
    assert round(params / 1e6, 1) == 2.0
    assert round(flops / 1e9, 1) == 20.6


def test_recognizer3d_rejects_inputs_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r'\(N, views, C, T, H, W\)'):
        _recognizer()(torch.rand(2, 17, 8, 16), _samples(2), mode='predict')


def test_preprocessor_normalises_rgb_clips_per_channel():
    pre = MODELS.build(dict(type='ActionDataPreprocessor', mean=[10., 20., 30.], std=[2., 4., 5.]))
    clip = torch.zeros(1, 3, 2, 4, 4)                 # (views, C, T, H, W)
    clip[:, 1] = 28.
    out = pre(dict(inputs=[clip, clip], data_samples=None))['inputs']
    assert out.shape == (2, 1, 3, 2, 4, 4)
    assert float(out[0, 0, 0, 0, 0, 0]) == -5.0 and float(out[1, 0, 1, 1, 2, 3]) == 2.0
