"""Merge annotation files into one.

    python tools/data/merge_annotations.py a.pkl b.pkl [c.pkl ...] --out merged.pkl \\
        [--prefix-names]

Annotations are concatenated in file order; splits of the same name are
joined (``train`` of a and of b -> one ``train``), others kept as they are.
Every ``frame_dir`` must name one sample: a name found in two files is an
error listing them, unless ``--prefix-names`` renames each sample (and its
split entries) ``<file stem>/<frame_dir>``. Samples of different joint
counts or channels (``keypoint`` (V, C)) are refused. Written under a
temporary name and renamed; no input is overwritten.
"""
import argparse
import os.path as osp
import sys
from collections import Counter

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from pyskl.io import check_output_path, dump_pickle  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('inputs', nargs='+', help='annotation files')
    p.add_argument('--out', required=True)
    p.add_argument('--prefix-names', action='store_true',
                   help='rename samples <file stem>/<frame_dir> (keeps same-named clips apart)')
    args = p.parse_args(argv)
    if len(args.inputs) < 2:
        p.error('give two or more annotation files')
    for f in args.inputs:
        if not osp.isfile(f):
            p.error(f'{f!r} does not exist')
    out = check_output_path(args.out, '--out', inputs=args.inputs, suffixes=('.pkl', '.pickle'))
    from pyskl.datasets.pose_dataset import load_annotation_file
    annotations, split, owner, shape = [], {}, {}, None
    for f in args.inputs:
        data = load_annotation_file(f)
        anns = data if isinstance(data, list) else data.get('annotations')
        if not isinstance(anns, list):
            p.error(f'{f}: not an annotation file (a list, or a dict with annotations)')
        stem = osp.splitext(osp.basename(f))[0]
        rename = (lambda n, s=stem: f'{s}/{n}') if args.prefix_names else (lambda n: n)
        names = [a['frame_dir'] for a in anns]
        dup = [n for n, c in Counter(names).items() if c > 1]
        if dup:
            p.error(f'{f}: frame_dir {dup[:5]} occur more than once within the file')
        clash = [n for n in map(rename, names) if n in owner]
        if clash:
            p.error(f'{len(clash)} frame_dir of {f} are in {owner[clash[0]]} too (e.g. '
                    f'{clash[:5]}); use --prefix-names to keep both')
        for a in anns:
            kp = a.get('keypoint')
            if isinstance(kp, np.ndarray):
                if shape is None:
                    shape = (kp.shape[2:], f)
                elif kp.shape[2:] != shape[0]:
                    p.error(f'{f}, sample {a["frame_dir"]!r}: keypoint (V, C) = '
                            f'{kp.shape[2:]}, {shape[1]} has {shape[0]}')
            name = rename(a['frame_dir'])
            owner[name] = f
            annotations.append(dict(a, frame_dir=name))
        if isinstance(data, dict):
            for k, v in (data.get('split') or {}).items():
                split.setdefault(k, []).extend(rename(n) for n in v)
    dump_pickle(dict(split=split, annotations=annotations), out)
    print(f'wrote {args.out}: {len(annotations)} samples from {len(args.inputs)} files; '
          f'splits ' + ', '.join(f'{k} {len(v)}' for k, v in split.items()))
    return 0


if __name__ == '__main__':
    from pyskl.engine.user_errors import main_or_exit
    main_or_exit(main, 'merge_annotations.py')
