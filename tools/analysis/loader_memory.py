"""Memory of training data loading: main process + dataloader workers.

    python tools/analysis/loader_memory.py ANN_FILE --workers 4 [--no-serialize]

Builds a ``PoseDataset`` of ``ANN_FILE`` (split ``train``), iterates one full
shuffled epoch through a ``DataLoader`` with ``--workers`` persistent workers (a
pipeline that reads every sample but returns only its label, so that what is
measured is the annotation store, not the transforms), then reads the memory
of the main process and of each worker from ``/proc/PID/smaps_rollup``:

* RSS: resident pages, shared ones counted in every process that maps them;
* PSS: each shared page divided among the processes sharing it -- their sum is
  the physical memory the job uses;

and prints both, summed, with the main process's PSS before the dataset was
built (torch and the rest of the program). ``--no-serialize`` keeps the
annotations as a list of Python dicts (``serialize_data=False``): every worker
that reads a sample writes its objects' reference counts, copying the pages
(copy-on-read). The default packs them into one buffer (mmengine's
``serialize_data``) that the workers share. Linux only.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def smaps(pid: int) -> dict:
    """``{'rss': MiB, 'pss': MiB}`` of a process."""
    out = {}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            key, _, rest = line.partition(':')
            if key in ('Rss', 'Pss'):
                out[key.lower()] = int(rest.split()[0]) / 1024
    return out


def label_only(results):
    return int(results['label'])


def as_list(batch):
    return batch


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('ann_file')
    p.add_argument('--workers', type=int, default=0)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--no-serialize', dest='serialize', action='store_false')
    p.add_argument('--json', help='append the result as one JSON line to this file')
    args = p.parse_args(argv)
    import torch
    from torch.utils.data import DataLoader
    from pyskl.datasets import PoseDataset
    base = smaps(os.getpid())
    t0 = time.time()
    ds = PoseDataset(args.ann_file, pipeline=[label_only], split='train',
                     serialize_data=args.serialize)
    built = time.time() - t0
    after_build = smaps(os.getpid())
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
                        collate_fn=as_list, persistent_workers=args.workers > 0,
                        generator=torch.Generator().manual_seed(0))
    it = iter(loader)
    n = 0
    t0 = time.time()
    for batch in it:
        n += len(batch)
    epoch = time.time() - t0
    procs = {'main': smaps(os.getpid())}
    for i, w in enumerate(getattr(it, '_workers', [])):
        procs[f'worker{i}'] = smaps(w.pid)
    res = dict(ann_file=args.ann_file, samples=n, workers=args.workers,
               serialize=args.serialize, base_pss_mib=round(base['pss']),
               main_after_build_pss_mib=round(after_build['pss']),
               rss_sum_mib=round(sum(v['rss'] for v in procs.values())),
               pss_sum_mib=round(sum(v['pss'] for v in procs.values())),
               per_process_pss_mib={k: round(v['pss']) for k, v in procs.items()},
               build_s=round(built, 1), epoch_s=round(epoch, 1))
    print(json.dumps(res))
    if args.json:
        with open(args.json, 'a') as f:
            f.write(json.dumps(res) + '\n')
    return res


if __name__ == '__main__':
    main()
