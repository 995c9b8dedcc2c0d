"""Speed of a recognizer (train step and inference), ours or MMAction2's.

    python tools/analysis/benchmark.py [--impl pyskl|mmaction2|pyskl-ref]
        [--model stgcnpp|stgcn|aagcn|ctrgcn|msg3d|dgstgcn|posec3d] [--iters 20]
        [--malloc keep|system] [--mma-projects MMACTION2/projects] [--pyskl-src PYSKL]
        [--profile STEPS] [--batch N] [--ncthw] [--compile] [--amp bf16]

GCNs: the NTU60 2D backbone of MMAction2's config of that name (coco layout; CTR-GCN
and MS-G3D: MMAction2's ``projects/`` configs, the peer needs ``--mma-projects``) with a
60-class ``GCNHead``; DG-STGCN: PYSKL's NTU config, its reference PYSKL's own module
run standalone (``--impl pyskl-ref``, ``tools/analysis/pyskl_peer.py``); ST-GCN++ by
default (1.39M parameters). Train step: forward + cross-entropy + backward + SGD step
at input (16, 2, 100, 17, 3) (N, M, T, V, C).
``posec3d``: the SlowOnly-R50 backbone of MMAction2's
``slowonly_r50_8xb16-u48-240e_ntu60-xsub-keypoint`` config (17 heatmap channels,
stage blocks (4, 6, 3)) with a 60-class ``I3DHead``, input (N, 17, 48, 56, 56)
(N, C, T, H, W); N = ``--batch`` (default 16 for GCNs, 4 for posec3d: one CPU
step at 16 takes minutes). Ours gets its volumes in channels-last-3d memory, as
``Recognizer3D`` hands them to the backbone on CPU (``--ncthw``: the default
layout, as MMAction2 runs). Inference: ``torch.no_grad`` eval forward at batch 1
and N. Prints samples/s (median over ``--iters`` timed iterations after warm-up).
``--amp bf16``: forward and loss under ``torch.autocast`` of the CPU in bfloat16 (as
``tools/train.py --amp`` runs a CPU step), for either implementation, so that a ratio
compares like with like. Run the peer from a scratch virtualenv that has
``mmaction2==1.2.0`` (see docs/results.md); never time two jobs at once.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch
import torch.nn.functional as F

BACKBONES = {
    # MMAction2's NTU60 2D configs of the same names (stgcnpp / stgcn / 2s-agcn's AAGCN)
    'stgcnpp': dict(type='STGCN', gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn',
                    graph_cfg=dict(layout='coco', mode='spatial')),
    'stgcn': dict(type='STGCN', graph_cfg=dict(layout='coco', mode='stgcn_spatial')),
    'aagcn': dict(type='AAGCN', graph_cfg=dict(layout='coco', mode='spatial')),
}
HEAD = dict(type='GCNHead', num_classes=60, in_channels=256)
BACKBONES['posec3d'] = dict(
    type='ResNet3dSlowOnly', depth=50, in_channels=17, base_channels=32, num_stages=3,
    out_indices=(2, ), stage_blocks=(4, 6, 3), conv1_stride_s=1, pool1_stride_s=1,
    inflate=(0, 1, 1), spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 2),
    dilations=(1, 1, 1))
# MMAction2 ships these two in projects/ (not in its wheel): --mma-projects names that folder
BACKBONES['ctrgcn'] = dict(type='CTRGCN', graph_cfg=dict(layout='coco', mode='spatial'))
BACKBONES['msg3d'] = dict(type='MSG3D', graph_cfg=dict(layout='coco', mode='binary_adj'))
# PYSKL's DG-STGCN NTU config (coco layout); its reference is PYSKL's own module run
# standalone (--impl pyskl-ref --pyskl-src: tools/analysis/pyskl_peer.py)
BACKBONES['dgstgcn'] = dict(
    type='DGSTGCN', gcn_ratio=0.125, gcn_ctr='T', gcn_ada='T',
    tcn_ms_cfg=[(3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'], in_channels=3,
    graph_cfg=dict(layout='coco', mode='random', num_filter=8, init_off=0.04, init_std=0.02))
HEADS = dict(posec3d=dict(type='I3DHead', num_classes=60, in_channels=512, dropout_ratio=0.5),
             msg3d=dict(type='GCNHead', num_classes=60, in_channels=384))
SHAPES = dict(posec3d=(17, 48, 56, 56))


def keep_freed_memory():
    # pyskl/utils/malloc.py loaded by its path: the peer's virtualenv has no pyskl
    import importlib.util
    path = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'pyskl',
                    'utils', 'malloc.py')
    spec = importlib.util.spec_from_file_location('pyskl_malloc', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not mod.keep_freed_memory():
        print('--malloc keep: not glibc, malloc left as it is')


def build_pyskl(model='stgcnpp'):
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    from pyskl.utils import register_all_modules
    from pyskl.registry import MODELS
    register_all_modules()
    return MODELS.build(BACKBONES[model]), MODELS.build(HEADS.get(model, HEAD))


def build_mmaction2(model='stgcnpp', projects=None):
    from mmaction2_peer import import_mmaction2
    import_mmaction2()
    if model in ('ctrgcn', 'msg3d'):
        if not projects or not osp.isdir(osp.join(projects, model, 'models')):
            raise SystemExit(f'--model {model} --impl mmaction2: give --mma-projects, the '
                             'projects/ folder of an MMAction2 checkout (it holds '
                             f'{model}/models)')
        sys.path.insert(0, osp.join(projects, model))
        import models  # noqa: F401  (registers the project's backbone in mmaction's MODELS)
    from mmaction.registry import MODELS
    return MODELS.build(BACKBONES[model]), MODELS.build(HEADS.get(model, HEAD))


def build_pyskl_ref(model, src):
    """PYSKL's own backbone (a checkout at ``src``, run standalone) with
    MMAction2's ``GCNHead`` (the peer's Python)."""
    from pyskl_peer import build_pyskl_backbone
    if not src:
        raise SystemExit('--impl pyskl-ref: give --pyskl-src, a PYSKL checkout')
    from mmaction2_peer import import_mmaction2
    import_mmaction2()
    from mmaction.registry import MODELS
    return build_pyskl_backbone(src, BACKBONES[model]), MODELS.build(HEADS.get(model, HEAD))


CHANNELS_LAST = False     # posec3d, ours: the volumes converted in every call, as Recognizer3D does


def forward(backbone, head, x):
    if CHANNELS_LAST:
        x = x.contiguous(memory_format=torch.channels_last_3d)
    return head(backbone(x))


def time_it(fn, iters, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--impl', choices=['pyskl', 'mmaction2', 'pyskl-ref'], default='pyskl',
                   help="pyskl-ref: PYSKL's own backbone run standalone (--pyskl-src)")
    p.add_argument('--pyskl-src', default=None, metavar='DIR',
                   help='--impl pyskl-ref: a PYSKL checkout (github.com/kennymckormick/pyskl)')
    p.add_argument('--model', choices=sorted(BACKBONES), default='stgcnpp')
    p.add_argument('--iters', type=int, default=20)
    p.add_argument('--compile', action='store_true',
                   help='ours: torch.compile backbone and head as tools/train.py --compile does '
                        '(pyskl/engine/compile.py); the first step (compilation) is reported')
    p.add_argument('--mma-projects', default=None, metavar='DIR',
                   help="--impl mmaction2 with ctrgcn / msg3d: MMAction2's projects/ folder")
    p.add_argument('--ncthw', action='store_true',
                   help='posec3d, ours: keep the volumes NCTHW (Recognizer3D(channels_last=False))')
    p.add_argument('--batch', type=int, default=None,
                   help='train / inference batch (default 16; posec3d 4)')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--amp', choices=['bf16'], default=None,
                   help='forward and loss under torch.autocast on the CPU in bfloat16, '
                        'as tools/train.py --amp runs a CPU step')
    p.add_argument('--profile', type=int, default=0, metavar='STEPS',
                   help='after the timings, torch.profiler over STEPS train steps: '
                        'ms per step and the top operators by self CPU time')
    p.add_argument('--malloc', choices=['keep', 'system'], default='keep',
                   help="keep: glibc keeps freed memory, as tools/train.py and tools/test.py "
                        "set it (pyskl/utils/malloc.py); system: malloc as it is")
    args = p.parse_args()
    if args.malloc == 'keep':
        keep_freed_memory()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.impl == 'pyskl':
        backbone, head = build_pyskl(args.model)
    elif args.impl == 'pyskl-ref':
        backbone, head = build_pyskl_ref(args.model, args.pyskl_src)
    else:
        backbone, head = build_mmaction2(args.model, args.mma_projects)
    params = sum(p.numel() for m in (backbone, head) for p in m.parameters())
    if args.compile:
        if args.impl != 'pyskl':
            p.error('--compile: ours only (MMAction2 1.2.0 has no such flag)')
        from pyskl.engine.compile import CompiledForward
        for m, name in ((backbone, 'backbone'), (head, 'cls_head')):
            m.forward = CompiledForward(m, name, {})
    n = args.batch or (4 if args.model == 'posec3d' else 16)
    shape = (n, ) + SHAPES.get(args.model, (2, 100, 17, 3))
    x16 = torch.randn(shape)
    global CHANNELS_LAST
    CHANNELS_LAST = args.impl == 'pyskl' and args.model == 'posec3d' and not args.ncthw
    y16 = torch.randint(0, 60, (n, ))
    opt = torch.optim.SGD(list(backbone.parameters()) + list(head.parameters()), lr=0.01,
                          momentum=0.9)

    amp_dtype = torch.bfloat16 if args.amp == 'bf16' else None

    def autocast():
        return torch.autocast('cpu', dtype=amp_dtype, enabled=amp_dtype is not None)

    def train_step():
        opt.zero_grad()
        with autocast():
            loss = F.cross_entropy(forward(backbone, head, x16), y16)
        loss.backward()
        opt.step()

    backbone.train(), head.train()
    if args.compile:
        t0 = time.perf_counter()
        train_step()
        print(f'first (compiling) train step: {time.perf_counter() - t0:.1f} s')
    t_train = time_it(train_step, args.iters)
    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.profile):
                train_step()
        ops = sorted(prof.key_averages(), key=lambda k: -k.self_cpu_time_total)
        total = sum(k.self_cpu_time_total for k in ops)
        print(f'profile: {total / 1e3 / args.profile:.0f} ms per train step; ' + ', '.join(
            f'{k.key} {100 * k.self_cpu_time_total / total:.1f}%' for k in ops[:10]))
    backbone.eval(), head.eval()
    x1 = x16[:1].clone()
    with torch.no_grad(), autocast():
        t_inf1 = time_it(lambda: forward(backbone, head, x1), args.iters)
        t_inf16 = time_it(lambda: forward(backbone, head, x16), args.iters)
    print(f'impl={args.impl} model={args.model} torch={torch.__version__} threads={torch.get_num_threads()} '
          f'compile={args.compile} amp={args.amp} '
          f'malloc={args.malloc} params={params / 1e6:.3f}M'
          + (f' channels_last={CHANNELS_LAST}' if x16.dim() == 5 else ''))
    print(f'train step  {str(shape):17s}: {n / t_train:8.1f} samples/s  ({t_train * 1e3:.1f} ms)')
    print(f'inference batch 1:               {1 / t_inf1:8.1f} samples/s  ({t_inf1 * 1e3:.1f} ms)')
    print(f'inference batch {n:<2d}:              {n / t_inf16:8.1f} samples/s  ({t_inf16 * 1e3:.1f} ms)')


if __name__ == '__main__':
    main()
