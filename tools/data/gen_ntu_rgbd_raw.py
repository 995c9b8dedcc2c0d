"""NTU RGB+D raw skeletons (``.skeleton`` files) -> one 3D annotation file.

    python tools/data/gen_ntu_rgbd_raw.py --data-path nturgb+d_skeletons \\
        --ignored-sample-path NTU_RGBD_samples_with_missing_skeletons.txt \\
        --out-folder data/skeleton --task ntu60 [--denoise] [--workers 4]

The command line of MMAction2 1.2.0's ``tools/data/skeleton/gen_ntu_rgbd_raw.py``
and the same output, ``{out-folder}/{task}_3d.pkl``:
``dict(split=..., annotations=[...])`` with splits ``xsub_train``/``xsub_val``
and ``xview_train``/``xview_val`` (ntu60) or ``xset_train``/``xset_val``
(ntu120); per sample ``frame_dir`` (the file name without ``.skeleton``),
``label`` (action id - 1), ``keypoint`` (M, T, 25, 3) float16 metres (Kinect
camera coordinates, M <= 2) and ``total_frames``. Bodies are chosen as
MMAction2 does (:func:`pyskl.io.ntu_skeleton.select_by_energy`); ``--denoise``
chooses them as PYSKL's ``ntu_preproc.py`` does (length, spread and motion
denoising, :func:`pyskl.io.ntu_skeleton.select_denoised`). ``--task ntu60``
takes the NTU60 samples (A001-A060, S001-S017) of the folder.

Files are parsed by ``--workers`` processes with a progress bar. Finished
chunks are kept in ``{out-folder}/.{name}.parts/``, so a killed run resumes
where it stopped; they are removed once the annotation file is written (under
a temporary name, then renamed). A truncated or malformed file is reported
with its name and line and left out; the others are converted (exit status
1 then, as ``custom_2d_skeleton.py`` and ``convert_pose_files.py``).
"""
import argparse
import hashlib
import json
import multiprocessing as mp
import os
import os.path as osp
import pickle
import shutil
import sys

from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import check_output_path, dump_pickle, write_dataset  # noqa: E402
from pyskl.io.ntu_skeleton import NTUName, convert_files, read_ignored_list  # noqa: E402

BENCHMARKS = dict(ntu60=('xsub', 'xview'), ntu120=('xsub', 'xset'))
CHUNK = 256


def list_samples(data_path: str, task: str, ignored: set):
    """Sorted sample names of ``data_path`` for ``task`` and what was left
    out: ``(names, {reason: count})``."""
    names, left = [], {}
    for f in sorted(os.listdir(data_path)):
        if not f.endswith('.skeleton'):
            continue
        name = f[:-len('.skeleton')]
        try:
            n = NTUName.parse(name)
        except ValueError:
            left['not an NTU sample name'] = left.get('not an NTU sample name', 0) + 1
            continue
        if name in ignored:
            left['in --ignored-sample-path'] = left.get('in --ignored-sample-path', 0) + 1
        elif task == 'ntu60' and (n.action > 60 or n.setup > 17):
            left['not an NTU60 sample'] = left.get('not an NTU60 sample', 0) + 1
        else:
            names.append(name)
    return names, left


def make_split(names, task: str):
    split = {}
    for bench in BENCHMARKS[task]:
        train = [n for n in names if NTUName.parse(n).is_train(bench)]
        split[f'{bench}_train'] = train
        split[f'{bench}_val'] = [n for n in names if not NTUName.parse(n).is_train(bench)]
    return split


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data-path', required=True, help='folder of the .skeleton files')
    p.add_argument('--ignored-sample-path', default=None,
                   help='list of samples with missing skeletons (the official file or '
                        "MMAction2's copy)")
    p.add_argument('--out-folder', required=True)
    p.add_argument('--task', default='ntu60', choices=sorted(BENCHMARKS))
    p.add_argument('--out-name', default=None, help='file name (default {task}_3d.pkl)')
    p.add_argument('--denoise', action='store_true',
                   help="choose bodies as PYSKL's ntu_preproc.py (length, spread, motion)")
    p.add_argument('--length-threshold', type=int, default=11,
                   help='--denoise: bodies of at most this many frames are noise')
    p.add_argument('--wh-ratio', type=float, default=0.8,
                   help='--denoise: a frame is valid when width <= wh_ratio * height')
    p.add_argument('--spread-noise-ratio', type=float, default=0.69754,
                   help='--denoise: a body with this fraction of invalid frames is noise')
    p.add_argument('--dtype', default='float16', choices=('float16', 'float32'),
                   help='keypoint dtype (MMAction2 and PYSKL write float16)')
    p.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1))
    args = p.parse_args(argv)
    if not osp.isdir(args.data_path):
        p.error(f'--data-path {args.data_path!r} is not a folder')
    if args.ignored_sample_path is not None and not osp.isfile(args.ignored_sample_path):
        p.error(f'--ignored-sample-path {args.ignored_sample_path!r} does not exist')
    if args.workers < 1 or args.length_threshold < 0 or not 0 < args.wh_ratio or \
            not 0 < args.spread_noise_ratio <= 1:
        p.error('--workers >= 1, --length-threshold >= 0, --wh-ratio > 0 and '
                '0 < --spread-noise-ratio <= 1')
    src = osp.abspath(args.data_path)
    if osp.commonpath([osp.abspath(args.out_folder), src]) == src:
        p.error(f'--out-folder {args.out_folder!r} lies inside --data-path: outputs never go '
                'beside the inputs they are made from')
    os.makedirs(args.out_folder, exist_ok=True)
    name = args.out_name or f'{args.task}_3d.pkl'
    out = check_output_path(osp.join(args.out_folder, name), '--out-folder',
                            inputs=[args.ignored_sample_path], suffixes=('.pkl',))

    names, left = list_samples(args.data_path, args.task, read_ignored_list(
        args.ignored_sample_path))
    if not names:
        p.error(f'--data-path {args.data_path!r} holds no {args.task} .skeleton file')
    options = dict(denoise=args.denoise, dtype=args.dtype)
    if args.denoise:
        options.update(length_threshold=args.length_threshold, wh_ratio=args.wh_ratio,
                       spread_noise_ratio=args.spread_noise_ratio)
    # finished chunks, keyed by the options and the list of names: a resumed run
    # with other options or files starts afresh
    key = hashlib.sha1(json.dumps([options, names]).encode()).hexdigest()[:12]
    parts = osp.join(args.out_folder, f'.{name}.parts', key)
    os.makedirs(parts, exist_ok=True)
    chunks = [names[i:i + CHUNK] for i in range(0, len(names), CHUNK)]
    todo = [i for i in range(len(chunks)) if not osp.exists(osp.join(parts, f'{i:05d}.pkl'))]
    jobs = [([osp.join(args.data_path, n + '.skeleton') for n in chunks[i]], options)
            for i in todo]
    bar = tqdm(total=len(names), initial=len(names) - sum(len(chunks[i]) for i in todo),
               unit='file', desc=f'{args.task} skeletons', disable=None)
    with mp.get_context('spawn').Pool(args.workers) if args.workers > 1 and len(jobs) > 1 \
            else _Serial() as pool:
        for i, result in zip(todo, pool.imap(convert_files, jobs)):
            dump_pickle(result, osp.join(parts, f'{i:05d}.pkl'))
            bar.update(len(result))
    bar.close()

    annotations, failed = [], []
    for i in range(len(chunks)):
        with open(osp.join(parts, f'{i:05d}.pkl'), 'rb') as f:
            for anno, why in pickle.load(f):
                (annotations.append(anno) if anno is not None else failed.append(why))
    kept = [a['frame_dir'] for a in annotations]
    notes = ', '.join(f'{v} {k}' for k, v in left.items())
    status = write_dataset(dict(split=make_split(kept, args.task), annotations=annotations),
                           out, skipped=failed, note=f'left out: {notes}' if notes else '')
    shutil.rmtree(osp.dirname(parts), ignore_errors=True)
    return status


class _Serial:
    """The Pool interface in this process (one worker, or one chunk)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap(fn, jobs):
        return map(fn, jobs)


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'gen_ntu_rgbd_raw.py')
