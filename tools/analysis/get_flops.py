"""Parameters and FLOPs (multiply-adds) of a config's model.

Uses mmengine's complexity analysis (a jit trace with per-operator handles,
einsum and matmul included); one multiply-add counts as one FLOP, as in the
PoseC3D / PYSKL tables.

    python tools/analysis/get_flops.py CONFIG --shape 1 17 48 64 64

``--shape`` is the model input: (N, C, T, H, W) for 3D CNNs (Recognizer3D),
(N, M, T, V, C) for GCNs (RecognizerGCN).
"""
from __future__ import annotations

import argparse
import sys

import torch
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config

from pyskl.engine.config import load_config
from pyskl.registry import MODELS
from pyskl.utils import register_all_modules


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Count parameters and FLOPs of a model')
    p.add_argument('config', help='config file')
    p.add_argument('--shape', type=int, nargs='+',
                   help='input shape, e.g. 1 17 48 64 64 (N C T H W) or 1 2 100 17 3')
    p.add_argument('--input', nargs='+', action='append', metavar='KEY N',
                   help='a named input of a multi-input model (RGBPoseConv3D), repeatable: '
                        '--input imgs 1 3 8 224 224 --input heatmap_imgs 1 17 32 56 56')
    args = p.parse_args(argv)
    if (args.shape is None) == (args.input is None):
        p.error('give --shape, or --input KEY DIMS for each input of a multi-input model')
    return args


def complexity(cfg: Config, shape):
    """Return ``(flops, params)`` of ``cfg.model`` in eval mode on a zero
    input of ``shape`` -- or, for a multi-input model, ``shape`` a dict
    ``{input key: shape}`` -- (backbone + head, no data preprocessing)."""
    model = MODELS.build(cfg.model).eval()
    keys = list(shape) if isinstance(shape, dict) else None

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = model

        def forward(self, *xs):
            feats, _ = self.m.extract_feat(dict(zip(keys, xs)) if keys else xs[0])
            return self.m.cls_head(feats)

    xs = tuple(torch.zeros(s) for s in shape.values()) if keys else (torch.zeros(shape),)
    with torch.no_grad():
        flops = FlopAnalyzer(Wrapped(), xs)
        flops.unsupported_ops_warnings(False)
        flops.uncalled_modules_warnings(False)
        total = flops.total()
    return total, parameter_count(model)['']


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config)
    shape = args.shape if args.shape else {k: [int(d) for d in dims] for k, *dims in args.input}
    try:
        flops, params = complexity(cfg, shape)
    except (RuntimeError, ValueError, IndexError) as e:   # a shape the model cannot take
        print(f'get_flops.py: error: the model of {args.config} cannot run on input '
              f'{shape}: {type(e).__name__}: {str(e).splitlines()[0]}', file=sys.stderr)
        sys.exit(2)
    print(f'Input shape: {shape if isinstance(shape, dict) else tuple(shape)}')
    print(f'Flops: {flops / 1e9:.2f} GFLOPs (multiply-adds)')
    print(f'Params: {params / 1e6:.3f} M')


if __name__ == '__main__':
    main()
