"""tools/deployment/export_onnx.py: every model family exports with a dynamic
batch axis, and onnxruntime gives PyTorch's scores (max |diff| < 1e-4) on a model
whose scores are far from uniform."""
import os.path as osp
import sys

import pytest
import torch

from conftest import ROOT, assert_close_f32

pytest.importorskip('onnxruntime')
sys.path.insert(0, osp.join(ROOT, 'tools', 'deployment'))
import export_onnx  # noqa: E402

FAMILIES = {
    'stgcnpp': ('stgcnpp/stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', []),
    'stgcn_3d': ('stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py', []),
    'aagcn': ('aagcn/aagcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', []),
    'ctrgcn': ('ctrgcn/ctrgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', []),
    'msg3d': ('msg3d/msg3d_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py', []),
    'dgstgcn': ('dgstgcn/dgstgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', []),
    'ehgformer': ('ehgformer/ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py', []),
    'posec3d_slowonly': ('posec3d/slowonly_r50_u48_240e_ntu60_xsub_keypoint.py', []),
    'c3d': ('posec3d/c3d_light_u48_240e_ntu60_xsub_keypoint.py', []),
    'x3d': ('posec3d/x3d_shallow_u48_240e_ntu60_xsub_keypoint.py', []),
    'rgbpose': ('rgbpose_conv3d/rgbpose_conv3d.py', ['--num-frames', '2']),
}


def _export(config, tmp_path):
    """A seeded model with classifier weights x300 (scores far from uniform),
    saved as a checkpoint: ``(model, checkpoint path, .onnx path to write)``."""
    from pyskl.apis import init_recognizer
    torch.manual_seed(0)
    model = init_recognizer(config, None)
    with torch.no_grad():
        for name, p in model.cls_head.named_parameters():
            if name.endswith('weight'):
                p.mul_(300)
    ckpt = str(tmp_path / 'm.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    out = str(tmp_path / 'm.onnx')
    return model, ckpt, out


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_export_and_onnxruntime_agree(family, tmp_path, capsys):
    rel, extra = FAMILIES[family]
    config = osp.join(ROOT, 'configs', rel)
    _, ckpt, out = _export(config, tmp_path)     # peaky scores: a real check of the softmax
    args = [config, ckpt, '--output-file', out, '--num-frames', '8', '--input-size', '32', '32',
            *extra]
    assert export_onnx.main(args) == 0
    text = capsys.readouterr().out
    diff = float(text.split('max |difference| ')[1].split()[0])
    assert diff < 1e-4
    import onnx
    graph = onnx.load(out).graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    names = [o.name for o in graph.output]
    assert names == (['scores', 'rgb_scores', 'pose_scores'] if family == 'rgbpose'
                     else ['action_label'] if family == 'ehgformer' else ['scores'])
    if family == 'ehgformer':   # the EHGFormer repository's signature: pose2d (N, T, V, C), one person
        dims = graph.input[0].type.tensor_type.shape.dim
        assert graph.input[0].name == 'pose2d' and [d.dim_value for d in dims[1:]] == [8, 15, 3]


@pytest.mark.parametrize('rel,args', [
    # T and M from the config's test pipeline (32 frames, 1 person; 24 frames)
    ('stgcnpp/stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py', []),
    ('posec3d/slowonly_r50-tiny_u24_160e_jhmdb_limb.py', ['--input-size', '36', '36'])])
def test_inference_api_runs_the_onnx_file_like_the_checkpoint(rel, args, tmp_path):
    """Multi-clip (and flip) test-time inference through onnxruntime gives the
    PyTorch model's scores."""
    import numpy as np
    from pyskl.apis import inference_recognizer, init_recognizer
    from pyskl.apis.onnx_recognizer import OnnxRecognizer
    config = osp.join(ROOT, 'configs', rel)
    model, ckpt, out = _export(config, tmp_path)
    assert export_onnx.main([config, ckpt, '--output-file', out, *args]) == 0
    onnx_model = init_recognizer(config, out)
    assert isinstance(onnx_model, OnnxRecognizer)
    rng = np.random.RandomState(0)
    kp = rng.uniform(50, 250, (1, 40, 15, 2)).astype(np.float32)
    kp += np.linspace(0, 30, 40)[None, :, None, None].astype(np.float32)
    sample = dict(frame_dir='x', keypoint=kp, keypoint_score=np.ones(kp.shape[:3], np.float32),
                  total_frames=40, img_shape=(240, 320), label=-1)
    want = inference_recognizer(model, sample)
    got = inference_recognizer(onnx_model, sample)
    assert want.max() > 2 / len(want)                 # far from a uniform score
    # onnxruntime's kernels vs torch's: a GCN of 256 channels x 9-frame kernels, ~20 layers
    assert_close_f32(got, want, terms=4096, layers=20)


@pytest.mark.shared
def test_demo_runs_an_onnx_file(tmp_path, monkeypatch):
    from conftest import shared_path
    sys.path.insert(0, osp.join(ROOT, 'demo'))
    sys.path.insert(0, osp.join(ROOT, 'tests'))
    import demo_skeleton
    from test_apis import ScriptedPose
    from pyskl.apis import pose as pose_mod
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'scripted', ScriptedPose)
    config = osp.join(ROOT, 'configs', 'stgcnpp',
                      'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    _, ckpt, out = _export(config, tmp_path)
    assert export_onnx.main([config, ckpt, '--output-file', out, '--num-frames', '32',
                             '--num-person', '1']) == 0
    video = shared_path('videos', 'demo_skeleton.mp4')
    common = [video, str(tmp_path / 'o.mp4'), '--config', config, '--pose-backend', 'scripted',
              '--short-side', '120', '--window', '8', '--max-frames', '16']
    a = demo_skeleton.main(common + ['--checkpoint', out, '--backend', 'onnxruntime'])
    b = demo_skeleton.main(common + ['--checkpoint', ckpt])
    assert [p['top'][0][0] for p in a] == [p['top'][0][0] for p in b]
    for pa, pb in zip(a, b):
        assert abs(pa['top'][0][1] - pb['top'][0][1]) < 1e-3
    with pytest.raises(SystemExit, match='--backend onnxruntime needs a .onnx file'):
        demo_skeleton.main(common + ['--checkpoint', ckpt, '--backend', 'onnxruntime'])
