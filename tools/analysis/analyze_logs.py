"""Curves and training time from mmengine's JSON logs (MMAction2's analyze_logs.py).

    python tools/analysis/analyze_logs.py plot_curve LOG.json [LOG2.json ...] \
        --keys loss acc/top1 [--legend a b] --out curves.png
    python tools/analysis/analyze_logs.py cal_train_time LOG.json [...]

LOG.json is ``WORK_DIR/<timestamp>/vis_data/scalars.json`` (or the
``<timestamp>.json`` beside it) written by every training: training lines
carry ``step`` = iteration, validation lines (``acc/...`` keys) ``step`` =
epoch. ``plot_curve`` draws one panel per key -- training keys against the
iteration, validation keys against the epoch -- with one line per log.
``cal_train_time`` prints the mean, fastest and slowest iteration time.

Raises:
    ValueError: a log without any of the requested keys (names the log and
        the keys it has).
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import OutputPathError, check_output_path, save_figure  # noqa: E402


def load_log(path: str) -> Dict[str, List]:
    """``{key: [(step, value), ...]}`` of one JSON-lines log; the timing keys
    of validation lines are kept apart as ``val/time``, ``val/data_time``."""
    out: Dict[str, List] = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            step = rec.get('step')
            train = 'iter' in rec
            for k, v in rec.items():
                if k not in ('step', 'epoch', 'iter') and isinstance(v, (int, float)):
                    if not train and k in ('time', 'data_time'):
                        k = f'val/{k}'
                    out.setdefault(k, []).append((step, v))
    return out


def plot_curve(logs: Sequence[str], keys: Sequence[str], out: str,
               legend: Sequence[str] = None) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    data = [load_log(p) for p in logs]
    for p, d in zip(logs, data):
        if not any(k in d for k in keys):
            raise ValueError(f'{p}: none of {list(keys)} logged; keys are {sorted(d)}')
    legend = list(legend or [osp.basename(osp.dirname(osp.dirname(p))) or p for p in logs])
    fig, axes = plt.subplots(len(keys), 1, figsize=(7, 2.8 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        for d, name in zip(data, legend):
            if key in d:
                steps, values = zip(*d[key])
                ax.plot(steps, values, marker='o' if len(steps) < 40 else None,
                        markersize=3, label=name)
        ax.set_ylabel(key)
        ax.set_xlabel('epoch' if key.startswith('acc/') else 'iteration')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out, dpi=110)
    plt.close(fig)


def cal_train_time(logs: Sequence[str]) -> None:
    for p in logs:
        times = [v for _, v in load_log(p).get('time', [])]
        if not times:
            raise ValueError(f'{p}: no training time logged')
        mean = sum(times) / len(times)
        print(f'{p}: {len(times)} logged iterations, mean {mean:.4f} s/iter, fastest '
              f'{min(times):.4f}, slowest {max(times):.4f}')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='task', required=True)
    c = sub.add_parser('plot_curve')
    c.add_argument('logs', nargs='+')
    c.add_argument('--keys', nargs='+', default=['loss'])
    c.add_argument('--legend', nargs='+')
    c.add_argument('--out', required=True)
    t = sub.add_parser('cal_train_time')
    t.add_argument('logs', nargs='+')
    args = p.parse_args(argv)
    if args.task == 'plot_curve':
        try:
            check_output_path(args.out, '--out', inputs=args.logs,
                              suffixes=('.png', '.pdf', '.svg', '.jpg'))
        except OutputPathError as e:
            p.error(str(e))
        plot_curve(args.logs, args.keys, args.out, args.legend)
        print(f'wrote {args.out}')
    else:
        cal_train_time(args.logs)


if __name__ == '__main__':
    main()
