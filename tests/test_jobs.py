"""pyskl.utils.jobs: trainings side by side, each with its share of the CPUs
(real child processes), failures named by their logs; and --jobs in the
selection and ablation tools (real JHMDB poses, a few clips): the children's
results are the ones the parent reads, and a second call trains nothing."""
import json
import os
import os.path as osp
import sys

import pytest

from conftest import ROOT
from pyskl.utils import jobs

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import ablation  # noqa: E402
import kfold_select  # noqa: E402

CFG = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_jhmdb-2d.py')
JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')
QUICK = ['--cfg-options', 'num_epochs=2', 'repeat_times=1', 'min_epoch_samples=0',
         'clip_len=8', f'ann_file={JHMDB}']


def test_strip_option():
    argv = ['cfg', '--jobs', '2', '--only', 'a', 'b', '--jobs=3', '--cfg-options', 'x=1']
    assert jobs.strip_option(argv, '--jobs') == ['cfg', '--only', 'a', 'b',
                                                 '--cfg-options', 'x=1']
    assert jobs.strip_option(argv, '--jobsx') == argv


def test_threads_are_shared_out(monkeypatch):
    monkeypatch.setattr(jobs, 'usable_cpus', lambda: 2)
    assert [jobs.threads_per_job(n) for n in (1, 2, 3)] == [2, 1, 1]
    monkeypatch.setattr(jobs, 'usable_cpus', lambda: 16)
    assert jobs.threads_per_job(3) == 5


def test_run_parallel_limits_concurrency_sets_threads_and_names_failures(tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, 'usable_cpus', lambda: 4)
    # each child records its OMP_NUM_THREADS and the time it ran
    code = ('import os, sys, time; t = time.time(); time.sleep(0.4); '
            'open(sys.argv[1], "w").write("%s %f %f" % (os.environ["OMP_NUM_THREADS"], t, '
            'time.time())); sys.exit(int(sys.argv[2]))')
    outs = [str(tmp_path / f'o{i}') for i in range(4)]
    cmds = [([sys.executable, '-c', code, o, '0'], str(tmp_path / 'logs' / f'{i}.log'))
            for i, o in enumerate(outs)]
    jobs.run_parallel(cmds, 2, poll=0.05)
    spans = []
    for o in outs:
        threads, t0, t1 = open(o).read().split()
        assert threads == '2'                        # 4 CPUs / 2 jobs
        spans.append((float(t0), float(t1)))
    # never more than 2 at once: at every start, at most one other run is going on
    for t0, _ in spans:
        assert sum(a <= t0 < b for a, b in spans) <= 2
    assert all(osp.isfile(c[1]) for c in cmds)
    bad = [([sys.executable, '-c', code, str(tmp_path / 'b0'), '0'], str(tmp_path / 'b0.log')),
           ([sys.executable, '-c', 'import sys; print("boom"); sys.exit(3)'],
            str(tmp_path / 'b1.log'))]
    with pytest.raises(RuntimeError, match=r'1 of 2 runs failed: exit status 3, log .*b1\.log'):
        jobs.run_parallel(bad, 2, poll=0.05)
    assert open(tmp_path / 'b1.log').read().strip() == 'boom'
    assert osp.isfile(tmp_path / 'b0')               # the other one still ran


def test_kfold_select_jobs_children_then_resume(tmp_path, monkeypatch):
    work = str(tmp_path / 'sel')
    args = [CFG, '--work-dir', work, '--streams', 'j', 'b', '--folds', '2', '--subset', '28',
            '--jobs', '2'] + QUICK
    sel = kfold_select.main(args)
    for s in ('j', 'b'):
        for f in (0, 1):
            assert osp.isfile(osp.join(work, f'{s}_fold{f}', 'val_scores.npz'))
            assert osp.isfile(osp.join(work, f'fold_{s}_{f}.log'))
    assert {k: len(v) for k, v in sel['val_top1_per_epoch'].items()} == {'j': 2, 'b': 2}
    # every clip of the training subset validated once per epoch, pooled over the folds
    per = kfold_select.fold_run(kfold_select.argparse.Namespace(work_dir=work), None, 'j', 0)
    assert len(per) == 2 and per[0][1].shape[1] == 14
    monkeypatch.setattr(kfold_select, '_run', lambda *a, **k: pytest.fail('trained again'))
    assert kfold_select.main(args) == sel             # resumes from the scores files
    monkeypatch.undo()
    fin = kfold_select.main([CFG, '--work-dir', work, '--final', '--seeds', '0', '--subset', '28',
                             '--jobs', '2'] + QUICK)
    used = [s for s, w in sel['weights'].items() if w > 0]
    for s in used:
        assert osp.isfile(osp.join(work, f'final_{s}_seed0', 'epoch_2.pth'))
        assert osp.isfile(osp.join(work, f'final_{s}_0.log'))
    assert set(fin['seeds'][0]) == {'seed', 'fused', *used}


def test_ablation_jobs_children_then_table(tmp_path, monkeypatch):
    from test_ablation import mini_jhmdb
    ann, _ = mini_jhmdb(tmp_path)
    work = str(tmp_path / 'abl')
    args = [CFG, '--work-dir', work, '--jobs', '2', '--only', 'recipe', 'no-Flip', 'test-1-clip',
            '--cfg-options', 'num_epochs=1', 'repeat_times=1', 'min_epoch_samples=0',
            'clip_len=8', f'ann_file={ann}']
    table = ablation.main(args)
    assert list(table) == ['recipe', 'no-Flip', 'test-1-clip']
    assert osp.isfile(osp.join(work, 'recipe.log')) and osp.isfile(osp.join(work, 'no-Flip.log'))
    assert not osp.exists(osp.join(work, 'test-1-clip.log'))     # tested by the parent
    assert json.load(open(osp.join(work, 'ablation.json'))) == table
    # a variant whose checkpoint exists (killed during its test) is tested, not retrained
    os.remove(osp.join(work, 'no-Flip', 'result.json'))
    import pyskl.engine as engine
    real = engine.build_runner

    def no_training(cfg):
        runner = real(cfg)
        runner.train = lambda: pytest.fail('retrained')
        return runner
    monkeypatch.setattr(engine, 'build_runner', no_training)
    again = ablation.main(strip_jobs(args))
    assert again['no-Flip']['top1'] == table['no-Flip']['top1']


def strip_jobs(argv):
    return jobs.strip_option(argv, '--jobs')
