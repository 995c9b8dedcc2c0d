"""Test scores of MMAction2 1.2.0 checkpoints, by this project or by MMAction2.

    python tools/analysis/interop_scores.py --impl pyskl [--out ours.json]
    /path/to/peer/python tools/analysis/interop_scores.py --impl mmaction2 --out mm.json
    python tools/analysis/interop_scores.py --compare ours.json mm.json

For each checkpoint of ``../shared/data/interop/`` (ST-GCN++ bone NTU60 2D,
PoseC3D SlowOnly keypoint NTU60), runs the 10-clip test of the config of the
same model -- ours through ``tools/test.py --dump``, MMAction2's own config from
its wheel through its Runner -- on the four ``ntu_like_2d_samples.pkl`` samples
(split ``xsub_val``) and writes the per-sample scores as JSON. The MMAction2
side needs a scratch virtualenv with ``mmaction2==1.2.0`` (docs/results.md);
the numbers it printed are kept in ``tests/test_interop.py``.
"""
import argparse
import json
import os
import os.path as osp
import pickle
import sys
import tempfile

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED = os.environ.get('PYSKL_SHARED_DATA', osp.join(ROOT, '..', 'shared', 'data'))

#: name -> (checkpoint, our config, MMAction2 config in its wheel)
MODELS = {
    'stgcnpp_bone': ('mmaction2_stgcnpp_ntu60_2d_bone.pth',
                     'configs/stgcnpp/stgcnpp_8xb16-bone-u100-80e_ntu60-xsub-keypoint-2d.py',
                     'skeleton/stgcnpp/stgcnpp_8xb16-bone-u100-80e_ntu60-xsub-keypoint-2d.py'),
    'posec3d_keypoint': ('mmaction2_posec3d_ntu60_keypoint.pth',
                         'configs/posec3d/slowonly_r50_u48_240e_ntu60_xsub_keypoint.py',
                         'skeleton/posec3d/slowonly_r50_8xb16-u48-240e_ntu60-xsub-keypoint.py'),
}


def _scores(dump_path):
    with open(dump_path, 'rb') as f:
        dump = pickle.load(f)
    return {str(i): [float(x) for x in d['pred_score']]
            for i, d in enumerate(dump)}


def run_pyskl(name, ann, work, num_samples=None):
    sys.path.insert(0, ROOT)
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import test as test_tool
    ckpt, cfg, _ = MODELS[name]
    dump = osp.join(work, f'{name}.pkl')
    test_tool.main([osp.join(ROOT, cfg), osp.join(SHARED, 'interop', ckpt), '--work-dir', work,
                    '--dump', dump, '--cfg-options', f'test_dataloader.dataset.ann_file={ann}',
                    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
                    'log_level=WARNING']
                   + ([f'test_dataloader.dataset.indices={num_samples}'] if num_samples else []))
    return _scores(dump)


def run_mmaction2(name, ann, work):
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
    from mmaction2_peer import import_mmaction2, mmaction2_config
    import_mmaction2(trusted_checkpoints=True)
    from mmengine.config import Config
    from mmengine.runner import Runner
    ckpt, _, mm_cfg = MODELS[name]
    cfg = Config.fromfile(mmaction2_config(mm_cfg))
    cfg.test_dataloader.dataset.ann_file = ann
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    dump = osp.join(work, f'{name}.pkl')
    cfg.test_evaluator = [dict(type='DumpResults', out_file_path=dump)]
    cfg.load_from = osp.join(SHARED, 'interop', ckpt)
    cfg.work_dir = work
    cfg.log_level = 'WARNING'
    Runner.from_cfg(cfg).test()
    return _scores(dump)


def compare(a_path, b_path):
    with open(a_path) as f:
        a = json.load(f)
    with open(b_path) as f:
        b = json.load(f)
    for name in a:
        diff = max(abs(x - y) for k in a[name] for x, y in zip(a[name][k], b[name][k]))
        agree = sum(max(range(len(a[name][k])), key=a[name][k].__getitem__)
                    == max(range(len(b[name][k])), key=b[name][k].__getitem__) for k in a[name])
        print(f'{name}: max |score difference| {diff:.3g}, same top-1 on {agree}/{len(a[name])}')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--impl', choices=['pyskl', 'mmaction2'], default='pyskl')
    p.add_argument('--models', nargs='+', default=sorted(MODELS), choices=sorted(MODELS))
    p.add_argument('--out', help='write the scores here (JSON)')
    p.add_argument('--compare', nargs=2, metavar=('A', 'B'), help='compare two --out files')
    args = p.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    sys.path.insert(0, ROOT)            # also in the MMAction2 peer environment
    from pyskl.io import atomic_write, check_output_path
    if args.out:
        check_output_path(args.out, '--out')
    ann = osp.join(SHARED, 'interop', 'ntu_like_2d_samples.pkl')
    run = run_pyskl if args.impl == 'pyskl' else run_mmaction2
    with tempfile.TemporaryDirectory() as work:
        res = {name: run(name, ann, work) for name in args.models}
    for name, scores in res.items():
        for k, s in scores.items():
            top = max(range(len(s)), key=s.__getitem__)
            print(f'{name} {k}: top-1 class {top} score {s[top]:.6f}')
    if args.out:
        with atomic_write(args.out, 'w') as f:
            json.dump(res, f, indent=1)
    return res


if __name__ == '__main__':
    main()
