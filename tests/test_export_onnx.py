"""tools/deployment/export_onnx.py: every model family exports with a dynamic
batch axis, and onnxruntime gives PyTorch's scores (max |diff| < 1e-4) on a model
whose scores are far from uniform."""
import os.path as osp
import sys

import pytest
import torch

from pyskl.engine.config import load_config
from pyskl.registry import MODELS
from conftest import ROOT

pytest.importorskip('onnxruntime')
sys.path.insert(0, osp.join(ROOT, 'tools', 'deployment'))
import export_onnx  # noqa: E402

FAMILIES = {
    'stgcnpp': ('stgcnpp/stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py', []),
    'stgcn_3d': ('stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py', []),
    'posec3d_slowonly': ('posec3d/slowonly_r50_u48_240e_ntu60_xsub_keypoint.py', []),
    'c3d': ('posec3d/c3d_light_u48_240e_ntu60_xsub_keypoint.py', []),
    'x3d': ('posec3d/x3d_shallow_u48_240e_ntu60_xsub_keypoint.py', []),
    'rgbpose': ('rgbpose_conv3d/rgbpose_conv3d.py', ['--num-frames', '2']),
}


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_export_and_onnxruntime_agree(family, tmp_path, capsys):
    rel, extra = FAMILIES[family]
    config = osp.join(ROOT, 'configs', rel)
    model = MODELS.build(load_config(config).model)
    with torch.no_grad():        # peaky scores: a real check of the softmax outputs
        for name, p in model.cls_head.named_parameters():
            if name.endswith('weight'):
                p.mul_(300)
    ckpt = str(tmp_path / 'm.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    out = str(tmp_path / 'm.onnx')
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
                     else ['scores'])
