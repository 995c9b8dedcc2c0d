"""Time one training step of a 3D-CNN config, with and without channels-last.

    python tools/analysis/benchmark_train_step.py CONFIG --shape 16 15 24 32 32 \
        [--iters 10] [--threads 1]

Builds the config's model (``Recognizer3D``), feeds random volumes of
``--shape`` (N, C, T, H, W) and random labels, and times forward + loss +
backward + SGD step, once with ``channels_last`` False and once True
(alternating rounds, median seconds per sample over ``--iters`` timed steps
after two warm-up steps). Never time two jobs at once.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.engine.config import load_config  # noqa: E402

from pyskl.registry import MODELS  # noqa: E402
from pyskl.structures import ActionDataSample  # noqa: E402
from pyskl.utils import register_all_modules  # noqa: E402


def step_times(model, x, samples, iters):
    """Seconds per training step (list of ``iters`` timings)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    out = []
    for i in range(iters + 2):
        t = time.perf_counter()
        loss = model(x, samples, mode='loss')['loss_cls']
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:
            out.append(time.perf_counter() - t)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--shape', type=int, nargs=5, required=True, help='N C T H W')
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = load_config(args.config)
    n = args.shape[0]
    x = torch.rand(*args.shape)
    num_classes = cfg.model.cls_head.num_classes
    samples = []
    for i in range(n):
        ds = ActionDataSample()
        ds.set_gt_label(i % num_classes)
        samples.append(ds)
    times = {False: [], True: []}
    for _ in range(args.rounds):
        for cl in (False, True):
            torch.manual_seed(0)
            model = MODELS.build(dict(cfg.model, channels_last=cl)).train()
            times[cl] += step_times(model, x, samples, args.iters)
    res = {cl: statistics.median(t) / n for cl, t in times.items()}
    print(f'{osp.basename(args.config)} input {tuple(args.shape)}, {args.threads} thread(s): '
          f'{res[False] * 1000:.1f} ms/sample (NCTHW), {res[True] * 1000:.1f} ms/sample '
          f'(channels_last_3d), {res[False] / res[True]:.2f}x')
    return res


if __name__ == '__main__':
    main()
