"""Export a recognizer to ONNX and check the file with onnxruntime.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --output-file model.onnx \
        [--num-frames T] [--num-person M] [--input-size H W] [--opset 17] [--no-verify]

One clip per batch row; the batch axis is dynamic (fold clips / views into it and
average their scores to test several clips). Inputs and outputs, by family:

* GCN (ST-GCN, ST-GCN++, AAGCN, CTR-GCN, MS-G3D, DG-STGCN): input ``keypoint`` (N, M, T, V, C) float32 -- the
  output of the config's test pipeline for one clip;
* 3D CNN (PoseC3D SlowOnly / C3D / X3D): input ``imgs`` (N, C, T, H, W);
* EHGFormer: input ``pose2d`` (N, T, V, C) for one person, output
  ``action_label`` (N, num_classes), the reference's signature;
* RGBPoseConv3D: inputs ``imgs`` (N, 3, T, H, W) (RGB after mean/std) and
  ``heatmap_imgs`` (N, K, 4T, H/4, W/4);

output ``scores`` (N, num_classes): softmax class probabilities (RGBPoseConv3D:
also ``rgb_scores`` and ``pose_scores``; ``scores`` is their 1:1 mean). The data
preprocessor's normalisation is not part of the graph: feed what the model's
data preprocessor would hand the backbone.

Input shapes come from the config's test pipeline (``clip_len`` of its frame
sampler, ``num_person`` of ``FormatGCNInput``) unless given. The tool runs the
exported file with onnxruntime on the first test sample of the config's own data
(through its test pipeline and data preprocessor) plus two random rows -- random
input only, with a note, when that data cannot be read -- and prints the largest
difference to PyTorch; exit status 1 above
``--atol`` (default 1e-4). Needs the ``deploy`` extra (``pip install -e .[deploy]``:
onnx, onnxruntime, onnxscript).
"""
import argparse
import os.path as osp
import sys
import warnings
from typing import Dict, List, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


class ScoresModel(torch.nn.Module):
    """``model`` as a graph from backbone inputs to softmax class scores."""

    def __init__(self, model: torch.nn.Module, input_names: List[str]):
        super().__init__()
        self.model, self.input_names = model, list(input_names)

    def forward(self, *xs):
        inputs = dict(zip(self.input_names, xs)) if len(xs) > 1 else xs[0]
        if self.input_names == ['pose2d']:   # EHGFormer: one person (N, T, V, C)
            inputs = inputs[:, None]
        feats, _ = self.model.extract_feat(inputs)
        logits = self.model.cls_head(feats)
        if isinstance(logits, dict):         # RGBPoseHead
            rgb, pose = logits['rgb'].softmax(-1), logits['pose'].softmax(-1)
            return (rgb + pose) / 2, rgb, pose
        return logits.softmax(-1)


def test_pipeline_of(cfg) -> list:
    """The transforms of the config's test dataset."""
    return list(cfg.test_dataloader.dataset.get('pipeline', []))


def pipeline_defaults(cfg) -> Dict[str, object]:
    """T and M that the config's test pipeline gives one clip: ``clip_len`` of
    its frame sampler and ``num_person`` of ``FormatGCNInput``."""
    out = {}
    for t in test_pipeline_of(cfg):
        if t.get('type') in ('UniformSampleFrames', 'UniformSample', 'SampleFrames',
                             'MMUniformSampleFrames') and 'clip_len' in t:
            out['num_frames'] = t['clip_len']
        if t.get('type') == 'FormatGCNInput':
            out['num_person'] = t.get('num_person', 2)
    return out


def pipeline_example(cfg, model):
    """One clip of the first test sample, as the config's test pipeline and the
    model's data preprocessor hand it to the backbone: ``{name: tensor}`` with
    batch 1, or ``(None, reason)`` when the config's data cannot be read."""
    from pyskl.registry import DATASETS
    try:
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
        item = dataset[0]
    except Exception as e:  # noqa: BLE001 - reported, verification falls back
        return None, f'{type(e).__name__}: {e}'
    with torch.no_grad():
        batch = model.data_preprocessor(dict(inputs=[item['inputs']],
                                             data_samples=[item['data_samples']]), False)
    x = batch['inputs']
    if isinstance(x, dict):          # RGBPoseConv3D: {'imgs', 'heatmap_imgs'}
        return {k: v.flatten(0, 1)[:1] for k, v in x.items()}, None
    return x.flatten(0, 1)[:1], None


def family_inputs(cfg, args) -> Dict[str, Tuple[int, ...]]:
    """Input names and shapes (batch 1) of the config's model."""
    model = cfg.model
    backbone = model.backbone.type
    if model.type == 'RecognizerGCN':
        in_channels = model.backbone.get('in_channels', 3)
        from pyskl.skeleton import get_layout
        V = get_layout(model.backbone.graph_cfg.layout).num_node
        if backbone == 'EHGFormer':      # the EHGFormer repository's signature: one person
            return dict(pose2d=(1, args.num_frames, V, in_channels))
        return dict(keypoint=(1, args.num_person, args.num_frames, V, in_channels))
    H, W = args.input_size
    if backbone == 'RGBPoseConv3D':
        K = model.backbone.get('pose_pathway', {}).get('in_channels', 17)
        return dict(imgs=(1, 3, args.num_frames, H, W),
                    heatmap_imgs=(1, K, 4 * args.num_frames, H // 4, W // 4))
    return dict(imgs=(1, model.backbone.get('in_channels', 3), args.num_frames, H, W))


def export(cfg, checkpoint, out: str, args) -> float:
    """Export, verify with onnxruntime, return the largest |difference|."""
    import numpy as np
    from pyskl.engine.checkpoint import load_checked, load_weights_file
    from pyskl.registry import MODELS
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_checked(model, load_weights_file(checkpoint, map_location='cpu'),
                     source=f'checkpoint {checkpoint}')
    shapes = family_inputs(cfg, args)
    names = list(shapes)
    wrapped = ScoresModel(model, names).eval()
    multi = type(model.cls_head).__name__ == 'RGBPoseHead'
    out_names = ['scores', 'rgb_scores', 'pose_scores'] if multi else ['scores']
    if names == ['pose2d']:
        out_names = ['action_label']
    example = tuple(torch.randn(*s) for s in shapes.values())
    with warnings.catch_warnings():      # the TorchScript exporter: exact on these models
        warnings.simplefilter('ignore', DeprecationWarning)
        torch.onnx.export(wrapped, example, out, input_names=names, output_names=out_names,
                          dynamic_axes={n: {0: 'batch'} for n in names + out_names},
                          opset_version=args.opset, dynamo=False)
    wrapped.eval()
    if not args.verify:
        return 0.0
    import onnxruntime as ort
    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    real, why = pipeline_example(cfg, model)
    if real is not None:
        if names == ['pose2d']:
            real = real[:, 0]
        real = tuple(real[n] for n in names) if isinstance(real, dict) else (real,)
        for n, x in zip(names, real):
            if tuple(x.shape[1:]) != tuple(shapes[n][1:]):
                why = (f'{n}: its test pipeline gives one clip of shape (N, '
                       f'{", ".join(map(str, x.shape[1:]))}), the file is exported for (N, '
                       f'{", ".join(map(str, shapes[n][1:]))}) by --num-frames / --num-person / '
                       '--input-size')
                real = None
                break
    if real is None:
        print(f'note: not checked on the config\'s test data ({why}); checking on random '
              'input of the exported shape', file=sys.stderr)
        test = tuple(torch.randn(3, *s[1:]) for s in shapes.values())     # another batch size
    else:
        # the real clip and random rows: another batch size, real values
        test = tuple(torch.cat([x, torch.randn(2, *x.shape[1:])]) for x in real)
        print(f'checked on the first test sample of the config '
              f'({cfg.test_dataloader.dataset.get("ann_file")}) and two random rows')
    got = session.run(None, {n: x.numpy().astype('float32') for n, x in zip(names, test)})
    with torch.no_grad():
        want = wrapped(*test)
    want = want if isinstance(want, tuple) else (want,)
    return max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint file, or 'none' for the config's "
                                      'initialisation')
    p.add_argument('--output-file', required=True)
    p.add_argument('--num-frames', type=int, default=None,
                   help="T of the input (default: the clip_len of the config's test pipeline; "
                        'RGBPoseConv3D: RGB frames)')
    p.add_argument('--num-person', type=int, default=None,
                   help="M (GCN; default: FormatGCNInput's num_person of the test pipeline)")
    p.add_argument('--input-size', type=int, nargs=2, default=None, metavar=('H', 'W'),
                   help='3D CNN input size (default 64 64; RGBPoseConv3D 224 224)')
    p.add_argument('--opset', type=int, default=17)
    p.add_argument('--atol', type=float, default=1e-4)
    p.add_argument('--no-verify', dest='verify', action='store_false')
    args = p.parse_args(argv)
    from pyskl.engine.config import load_config
    from pyskl.io import check_output_path
    from pyskl.utils import register_all_modules
    register_all_modules()
    for name in ('num_frames', 'num_person'):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f'--{name.replace("_", "-")} must be at least 1, got {v}')
    if args.input_size is not None and min(args.input_size) < 1:
        p.error(f'--input-size must be positive, got {args.input_size}')
    try:
        check_output_path(args.output_file, '--output-file', inputs=[args.config, args.checkpoint],
                          suffixes=('.onnx',))
    except OSError as e:
        p.error(str(e))
    cfg = load_config(args.config)
    rgbpose = cfg.model.backbone.type == 'RGBPoseConv3D'
    defaults = pipeline_defaults(cfg)       # the shapes of the config's own test pipeline
    if args.num_person is None:
        args.num_person = defaults.get('num_person', 2)
    if args.num_frames is None:
        T = defaults.get('num_frames')
        if isinstance(T, dict):             # RGBPoseConv3D: dict(RGB=8, Pose=32)
            T = T.get('RGB')
        if T is not None:
            args.num_frames = int(T)
        elif cfg.model.backbone.type == 'EHGFormer':
            args.num_frames = cfg.model.backbone.get('maxlen', 243)
        elif cfg.model.type == 'RecognizerGCN':
            args.num_frames = 100
        else:
            args.num_frames = 8 if rgbpose else 48
    if args.input_size is None:
        args.input_size = (224, 224) if rgbpose else (64, 64)
    ckpt = None if args.checkpoint.lower() == 'none' else args.checkpoint
    diff = export(cfg, ckpt, args.output_file, args)
    shapes = family_inputs(cfg, args)
    print(f'wrote {args.output_file}: inputs ' + ', '.join(
        f'{n} (N, {", ".join(map(str, s[1:]))})' for n, s in shapes.items()))
    if args.verify:
        print(f'onnxruntime vs PyTorch on a batch of 3: max |difference| {diff:.3g}')
        if diff > args.atol:
            print(f'export_onnx: difference above --atol {args.atol}', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
