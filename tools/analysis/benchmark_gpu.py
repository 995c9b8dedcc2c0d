"""Train and test throughput (samples/s) of each model family, with and without
AMP (bf16, fp16), channels-last(-3d) and torch.compile, on every visible GPU.

    python tools/analysis/benchmark_gpu.py --out benchmark.md            # one GPU (or CPU)
    torchrun --nproc_per_node 8 tools/analysis/benchmark_gpu.py --out benchmark.md   # DDP
    python tools/analysis/benchmark_gpu.py --tiny --device cpu           # a quick check

Each family is built from its NTU config (``FAMILIES``) and fed random inputs of
that config's shapes (GCN: (N, 1 clip, 2 persons, 100 frames, 17 joints, 3);
PoseC3D: (N, 1 clip, 17, 48, 56, 56); EHGFormer: 243 frames, 1 person). A train
step is forward + loss + backward + SGD step (DDP across the processes of
``torchrun``); a test step is a no-grad forward in eval mode. After ``--warmup``
steps, ``--iters`` steps are timed (synchronised on the GPU); samples/s count
every process's batch. A setting that cannot run (fp16 on a CPU, no compiler)
is reported with its reason instead of a number. ``--tiny`` shrinks inputs,
steps and batches so the whole grid runs on a CPU in seconds (the test).
Output: a Markdown table (``--out``) and JSON beside it.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FAMILIES = {
    'stgcnpp': 'configs/stgcnpp/stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py',
    'ctrgcn': 'configs/ctrgcn/ctrgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py',
    'posec3d': 'configs/posec3d/slowonly_r50_u48_240e_ntu60_xsub_keypoint.py',
    'ehgformer': 'configs/ehgformer/ehgformer_8xb8-joint-u243-300e_ntu60-xsub-keypoint-2d.py',
}


def make_inputs(family: str, batch: int, tiny: bool, device):
    if family == 'posec3d':
        t, s = (8, 32) if tiny else (48, 56)
        x = torch.rand(batch, 1, 17, t, s, s, device=device)
    elif family == 'ehgformer':
        x = torch.randn(batch, 1, 1, 27 if tiny else 243, 17, 3, device=device)
    else:
        x = torch.randn(batch, 1, 2, 16 if tiny else 100, 17, 3, device=device)
    return x


def samples(batch, num_classes, device):
    from pyskl.structures import ActionDataSample
    out = []
    for i in range(batch):
        ds = ActionDataSample()
        ds.set_gt_label(i % num_classes)
        out.append(ds)
    return out


def build(family: str, device, channels_last: bool, compile_: bool):
    from pyskl.engine import load_config
    from pyskl.engine.compile import compile_recognizer
    from pyskl.registry import MODELS
    cfg = load_config(osp.join(ROOT, FAMILIES[family]))
    if cfg.model.type == 'Recognizer3D':
        cfg.model.channels_last = bool(channels_last)
    model = MODELS.build(cfg.model).to(device)
    if compile_:
        compile_recognizer(model, {})
    return model, cfg.model.cls_head.num_classes


def time_steps(step, n, device) -> float:
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    sync()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    sync()
    return time.perf_counter() - t0


def bench_one(family, setting, args, device, world):
    amp, cl, comp = setting
    if amp == 'fp16' and device.type == 'cpu':
        return 'n/a (fp16 autocast: GPU)'
    if cl and family != 'posec3d':
        return 'n/a (3D CNNs only)'
    torch.manual_seed(0)
    model, num_classes = build(family, device, cl, comp)
    x = make_inputs(family, args.batch, args.tiny, device)
    ds = samples(args.batch, num_classes, device)
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP
        train_model = DDP(model, device_ids=[device.index] if device.type == 'cuda' else None)
    else:
        train_model = model
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    dtype = dict(bf16=torch.bfloat16, fp16=torch.float16).get(amp)
    scaler = torch.amp.GradScaler(device.type) if amp == 'fp16' else None

    def autocast():
        return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)

    def train_step():
        with autocast():
            loss = train_model(x, ds, mode='loss')['loss_cls']
        opt.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            opt.step()

    def test_step():
        with torch.no_grad(), autocast():
            model(x, ds, mode='predict')

    out = {}
    try:
        model.train()
        for _ in range(args.warmup):
            train_step()
        out['train'] = args.batch * world * args.iters / time_steps(train_step, args.iters,
                                                                     device)
        model.eval()
        for _ in range(args.warmup):
            test_step()
        out['test'] = args.batch * world * args.iters / time_steps(test_step, args.iters,
                                                                    device)
    except Exception as e:  # noqa: BLE001 - the table says why a setting could not run
        return f'n/a ({type(e).__name__}: {str(e).splitlines()[0][:60] if str(e) else ""})'
    return out


def table(results, devname, world) -> str:
    lines = [f'Device: {devname} x {world} process(es); samples/s, train / test', '',
             '| family | AMP | channels-last | compile | train | test |',
             '| --- | --- | --- | --- | --- | --- |']
    for r in results:
        v = r['result']
        cells = [f'{v["train"]:.1f}', f'{v["test"]:.1f}'] if isinstance(v, dict) else [v, '']
        lines.append(f'| {r["family"]} | {r["amp"]} | {"yes" if r["channels_last"] else "no"} '
                     f'| {"yes" if r["compile"] else "no"} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--families', nargs='+', default=list(FAMILIES), choices=list(FAMILIES))
    p.add_argument('--amp', nargs='+', default=['none', 'bf16', 'fp16'],
                   choices=['none', 'bf16', 'fp16'])
    p.add_argument('--channels-last', choices=['both', 'no', 'yes'], default='both')
    p.add_argument('--compile', choices=['both', 'no', 'yes'], default='both')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--iters', type=int, default=20)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--device', default=None, help="default: cuda if available, else cpu")
    p.add_argument('--tiny', action='store_true', help='small inputs, 2 steps (CPU check)')
    p.add_argument('--out', default=None, help='Markdown table (JSON beside it)')
    args = p.parse_args(argv)
    if args.tiny:
        args.batch, args.iters, args.warmup = min(args.batch, 2), 1, 1
    from pyskl.utils import register_all_modules
    register_all_modules()
    world = int(os.environ.get('WORLD_SIZE', 1))
    rank = int(os.environ.get('RANK', 0))
    dev = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if dev == 'cuda':
        local = int(os.environ.get('LOCAL_RANK', 0))
        torch.cuda.set_device(local)
        device = torch.device('cuda', local)
    else:
        device = torch.device(dev)
    if world > 1:
        torch.distributed.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
    grid = [(a, c, k) for a in args.amp
            for c in ((False, True) if args.channels_last == 'both' else
                      ((args.channels_last == 'yes'),))
            for k in ((False, True) if args.compile == 'both' else ((args.compile == 'yes'),))]
    results = []
    for fam in args.families:
        for amp, cl, comp in grid:
            if cl and fam != 'posec3d':
                continue
            res = bench_one(fam, (amp, cl, comp), args, device, world)
            results.append(dict(family=fam, amp=amp, channels_last=cl, compile=comp,
                                result=res))
            if rank == 0:
                print(results[-1], flush=True)
    devname = torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'
    text = table(results, devname, world)
    if rank == 0:
        print(text)
        if args.out:
            from pyskl.io import atomic_write
            with atomic_write(args.out, 'w') as f:
                f.write(text)
            with atomic_write(osp.splitext(args.out)[0] + '.json', 'w') as f:
                json.dump(dict(device=devname, world=world, batch=args.batch,
                               iters=args.iters, results=results), f, indent=1)
    if world > 1:
        torch.distributed.destroy_process_group()
    return results


if __name__ == '__main__':
    main()
