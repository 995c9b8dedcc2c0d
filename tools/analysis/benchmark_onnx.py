"""Inference speed per sample: PyTorch vs onnxruntime on the same exported model.

    python tools/analysis/benchmark_onnx.py [--threads 2] [--iters 5] [--models stgcnpp posec3d]
        [--malloc keep|system] [--compile]

Models (their configs' initialisation; speed does not depend on the weights):
ST-GCN++ NTU60 2D, input (N, 2, 100, 17, 3); PoseC3D SlowOnly-R50 NTU60 keypoint,
input (N, 17, 48, 56, 56). Each is exported by ``tools/deployment/export_onnx.py``
(softmax scores) and both runtimes run the same graph at batch 1 and 16 with
``--threads`` threads -- PyTorch as built (``no_grad``) and as ``tools/test.py
--fuse-conv-bn`` runs it (BatchNorm folded, ``inference_mode``); prints the median ms per sample of ``--iters`` timed runs
after warm-up (``--malloc keep``: glibc keeps freed memory, as ``tools/test.py`` sets it).
Needs the ``deploy`` extra; nothing else should run meanwhile.
"""
import argparse
import copy
import os.path as osp
import sys
import tempfile

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools', 'deployment'))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark import time_it  # noqa: E402
from pyskl.models.utils.fuse_conv_bn import fuse_conv_bn_on_first_call  # noqa: E402


def median_ms(fn, iters: int) -> float:
    return time_it(fn, iters, warmup=2) * 1e3

MODELS_TO_TIME = {   # --models key: (printed name, config, export_onnx options)
    'stgcnpp': ('ST-GCN++ (N, 2, 100, 17, 3)',
        'configs/stgcnpp/stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py',
        ['--num-frames', '100', '--num-person', '2']),
    'posec3d': ('PoseC3D SlowOnly (N, 17, 48, 56, 56)',
        'configs/posec3d/slowonly_r50_u48_240e_ntu60_xsub_keypoint.py',
        ['--num-frames', '48', '--input-size', '56', '56']),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--batches', type=int, nargs='+', default=[1, 16])
    p.add_argument('--models', nargs='+', choices=sorted(MODELS_TO_TIME),
                   default=list(MODELS_TO_TIME))
    p.add_argument('--compile', action='store_true',
                   help='also time the fused model compiled as tools/test.py --compile '
                        '--fuse-conv-bn runs it (pyskl/engine/compile.py)')
    p.add_argument('--malloc', choices=['keep', 'system'], default='keep',
                   help='keep: as tools/test.py sets glibc malloc (pyskl/utils/malloc.py)')
    args = p.parse_args(argv)
    if args.malloc == 'keep':
        from pyskl.utils.malloc import keep_freed_memory
        keep_freed_memory()
    import onnxruntime as ort
    import export_onnx
    from pyskl.engine.config import load_config
    from pyskl.registry import MODELS
    from pyskl.utils import register_all_modules
    register_all_modules()
    torch.set_num_threads(args.threads)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    with tempfile.TemporaryDirectory() as tmp:
        for name, rel, extra in (MODELS_TO_TIME[k] for k in args.models):
            cfg_path = osp.join(ROOT, rel)
            out = osp.join(tmp, 'm.onnx')
            export_onnx.main([cfg_path, 'none', '--output-file', out, '--no-verify', *extra])
            cfg = load_config(cfg_path)
            model = export_onnx.ScoresModel(MODELS.build(cfg.model), ['x']).eval()
            sess = ort.InferenceSession(out, opts, providers=['CPUExecutionProvider'])
            in_name = sess.get_inputs()[0].name
            shape = [int(d) for d in sess.get_inputs()[0].shape[1:]]
            # the inference path: BatchNorm folded (tools/test.py --fuse-conv-bn), no autograd
            fused = copy.deepcopy(model)
            fuse_conv_bn_on_first_call(fused.model.backbone)
            if args.compile:
                from pyskl.engine.compile import compile_recognizer
                compiled = copy.deepcopy(model)
                fuse_conv_bn_on_first_call(compiled.model.backbone)
                compile_recognizer(compiled.model, {})
            for n in args.batches:
                x = torch.randn(n, *shape)
                with torch.no_grad():
                    fused(x)                       # folds at the first call
                    t_torch = median_ms(lambda: model(x), args.iters)
                with torch.inference_mode():
                    t_fused = median_ms(lambda: fused(x), args.iters)
                xn = x.numpy()
                t_ort = median_ms(lambda: sess.run(None, {in_name: xn}), args.iters)
                print(f'{name:38s} batch {n:3d}: PyTorch {t_torch / n:8.2f} ms/sample   '
                      f'fused + inference_mode {t_fused / n:8.2f}   '
                      f'onnxruntime {t_ort / n:8.2f} ms/sample   '
                      f'({t_torch / t_ort:.2f}x, fused {t_fused / t_ort:.2f}x)')
                if args.compile:
                    with torch.no_grad():
                        t_comp = median_ms(lambda: compiled(x), args.iters)
                    print(f'{name:38s} batch {n:3d}: fused + compiled {t_comp / n:8.2f} ms/sample'
                          f'   ({t_comp / t_ort:.2f}x onnxruntime)')


if __name__ == '__main__':
    main()
