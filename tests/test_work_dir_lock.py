"""pyskl/engine/work_dir_lock.py with ``wait=True``, as the selection and
ablation tools train: a second command on a work dir waits for the training
holding it and then uses its result instead of training into it as well."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import ROOT
from pyskl.engine import WorkDirBusyError, WorkDirLock

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import kfold_select  # noqa: E402

# a process that takes the lock, says so, sleeps, writes ``result`` and ends; it
# loads the lock's module alone (standard library only), not pyskl with torch,
# whose import would be most of the test's time
HOLDER = textwrap.dedent('''
    import importlib.util, sys, time
    spec = importlib.util.spec_from_file_location('work_dir_lock', {module!r})
    mod = sys.modules['work_dir_lock'] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with mod.WorkDirLock({work!r}, 'holder.py'):
        print('held', flush=True)
        time.sleep({sleep})
        {write}
''')


def _holder(work, sleep=1.0, write='pass'):
    code = HOLDER.format(module=osp.join(ROOT, 'pyskl', 'engine', 'work_dir_lock.py'),
                         work=str(work), sleep=sleep, write=write)
    proc = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'held'       # the lock is taken
    return proc


def test_wait_takes_the_lock_after_its_holder_ends(tmp_path, capsys):
    done = tmp_path / 'done'              # the holder's last act before it lets go
    proc = _holder(tmp_path, write=f'open({str(done)!r}, "w").close()')
    with pytest.raises(WorkDirBusyError, match=str(proc.pid)):
        WorkDirLock(str(tmp_path)).acquire()               # without wait: refused
    with WorkDirLock(str(tmp_path), 'me.py', wait=True, poll=0.05):
        assert done.exists()                               # the holder had finished
        held = json.load(open(tmp_path / '.train.lock'))
        assert held['pid'] == os.getpid() and held['config'] == 'me.py'
    assert f'waiting for process {proc.pid}' in capsys.readouterr().out
    assert not (tmp_path / '.train.lock').exists() and proc.wait() == 0


def test_wait_cannot_check_a_lock_of_another_host(tmp_path):
    (tmp_path / '.train.lock').write_text(json.dumps(dict(
        pid=os.getpid(), host=socket.gethostname() + '-other', started='now', config='x.py')))
    with pytest.raises(WorkDirBusyError, match='-other'):
        WorkDirLock(str(tmp_path), wait=True, poll=0.05).acquire()


def test_fold_run_waits_for_another_command_and_reads_its_scores(tmp_path, monkeypatch):
    """Another selection command is training ``j`` on fold 0 (it holds the
    fold's lock, then writes the scores file): this one waits and reads that
    file instead of training the fold a second time."""
    work = tmp_path / 'sel'
    fold = work / 'j_fold0'
    write = ("import numpy as np; np.savez({path!r}, names=np.array(['a', 'b']), "
             "labels=np.array([0, 1]), probs=np.full((2, 2, 14), 1 / 14))").format(
                 path=str(fold / 'val_scores.npz'))
    proc = _holder(fold, sleep=1.0, write=write)
    monkeypatch.setattr(kfold_select, '_run', lambda *a, **k: pytest.fail('trained again'))
    args = kfold_select.argparse.Namespace(work_dir=str(work), config='c.py', members={},
                                           seed=0)
    monkeypatch.setattr(WorkDirLock, 'poll', 0.05)
    scores = kfold_select.fold_run(args, dict(opts={}), 'j', 0)
    assert proc.wait() == 0
    assert len(scores) == 2 and list(scores[0][0]) == ['a', 'b']
    assert np.allclose(scores[1][1], 1 / 14)
