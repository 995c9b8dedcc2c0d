"""One policy for unknown arguments: every registered transform, model, metric
and hook raises an error naming the class and the argument; accepted
compatibility arguments warn when they are ignored (pyskl.utils.compat)."""
import os.path as osp
import tempfile
import warnings

import pytest

from pyskl.registry import HOOKS, METRICS, MODELS, TRANSFORMS
from pyskl.skeleton import Graph

GCN = dict(type='STGCN', graph_cfg=dict(layout='coco'))
REQUIRED = {
    'DumpResults': dict(out_file_path=osp.join(tempfile.gettempdir(), 'never_written.pkl')),
    'DumpFeatures': dict(out_file_path=osp.join(tempfile.gettempdir(), 'never_written.pkl')),
    'CenterCrop': dict(crop_size=8), 'PadTo': dict(length=10), 'Resize': dict(scale=(8, 8)),
    'UniformSample': dict(clip_len=4), 'UniformSampleFrames': dict(clip_len=4),
    'GCNHead': dict(num_classes=2, in_channels=4), 'I3DHead': dict(num_classes=2, in_channels=4),
    'RecognizerGCN': dict(backbone=GCN), 'Recognizer3D': dict(backbone=dict(type='C3D')),
    'STGCN': dict(graph_cfg=dict(layout='coco')), 'Flip': dict(layout='coco'),
    'Flip3D': dict(layout='coco'),
    'AAGCN': dict(graph_cfg=dict(layout='coco')), 'CTRGCN': dict(graph_cfg=dict(layout='coco')),
    'MSG3D': dict(graph_cfg=dict(layout='coco', mode='binary_adj')),
    'EHGFormer': dict(graph_cfg=dict(layout='coco'), dim=8, depth=1, num_heads=2),
    'ActionHeadClassification': dict(num_classes=2, in_channels=4),
    'DGSTGCN': dict(graph_cfg=dict(layout='coco', mode='random', num_filter=2)),
    'RGBPoseHead': dict(num_classes=2), 'MMUniformSampleFrames': dict(clip_len=dict(RGB=8)),
    'MultiModalDataPreprocessor': dict(preprocessors=dict(imgs=dict(
        type='ActionDataPreprocessor'))),
    'MMRecognizer3D': dict(backbone=dict(type='C3D')),
}
CASES = [(R, name) for R in (TRANSFORMS, MODELS, METRICS, HOOKS) for name in sorted(R.module_dict)]


@pytest.mark.parametrize('registry,name', CASES, ids=[n for _, n in CASES])
def test_unknown_argument_is_an_error_naming_class_and_argument(registry, name):
    cfg = dict(type=name, **REQUIRED.get(name, {}))
    registry.build(dict(cfg))                                   # builds without it
    with pytest.raises((TypeError, ValueError)) as err:
        registry.build(dict(cfg, not_an_argument=1))
    msg = str(err.value)
    assert 'not_an_argument' in msg and name in msg, msg


def test_compatibility_arguments_warn_only_when_ignored():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        Graph('coco', nx_node=1)                                # harmless value: silent
        MODELS.build(dict(type='ResNet3dSlowOnly', depth=50, pretrained2d=True, with_cp=False,
                          non_local=(0, 0, 0, 0), lateral=False))
        TRANSFORMS.build(dict(type='CenterCrop', crop_size=8, lazy=False))
    with pytest.warns(UserWarning, match='Graph: init_std=0.5 is accepted .* but ignored'):
        Graph('coco', init_std=0.5)
    with pytest.warns(UserWarning, match='ResNet3dSlowOnly: with_cp=True'):
        MODELS.build(dict(type='ResNet3dSlowOnly', with_cp=True))
    with pytest.warns(UserWarning, match='pretrained=.*ignored'):
        MODELS.build(dict(type='STGCN', graph_cfg=dict(layout='coco'), pretrained='x.pth'))
    with pytest.warns(UserWarning, match='lazy=True'):
        TRANSFORMS.build(dict(type='Resize', scale=(8, 8), lazy=True))
    with pytest.raises(ValueError, match="format_shape='NCHW'"):
        MODELS.build(dict(type='ActionDataPreprocessor', format_shape='NCHW'))
