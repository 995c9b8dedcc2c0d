"""tools/analysis/kfold_select.py: folds carved from the training split only,
selection of epoch and stream weights on them, then the final train + test
(a few clips and epochs of the real JHMDB poses)."""
import json
import os
import os.path as osp
import pickle
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import kfold_select  # noqa: E402

CFG = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_jhmdb-2d.py')
EHG = osp.join(ROOT, 'configs', 'small', 'ehgformer_small_jhmdb-2d.py')
JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')
QUICK = ['--cfg-options', 'num_epochs=2', 'repeat_times=1', 'min_epoch_samples=0', 'clip_len=8', f'ann_file={JHMDB}']


def test_selection_never_sees_the_test_split_then_final_runs(tmp_path):
    import gzip
    with gzip.open(JHMDB, 'rb') as f:
        data = pickle.load(f)
    work = str(tmp_path / 'sel')
    out = kfold_select.main([CFG, '--work-dir', work, '--streams', 'j', 'b', '--folds', '2',
                             '--subset', '28'] + QUICK)
    folds = pickle.load(open(osp.join(work, 'folds.pkl'), 'rb'))
    names = {a['frame_dir'] for a in folds['annotations']}
    assert names <= set(data['split']['train1']) and not names & set(data['split']['test1'])
    v0, v1 = set(folds['split']['sel0_val']), set(folds['split']['sel1_val'])
    assert not v0 & v1 and v0 | v1 == names and len(names) == 28
    assert set(folds['split']['sel0_train']) == v1                    # 2 folds: each other's
    labels = {a['frame_dir']: a['label'] for a in folds['annotations']}
    assert len({labels[n] for n in names}) == 14                     # every class kept
    sel = json.load(open(osp.join(work, 'selection.json')))
    assert sel == out and sel['weights']['j'] == 1.0 and sel['epoch'] in (1, 2)
    assert {k: len(v) for k, v in sel['val_top1_per_epoch'].items()} == {'j': 2, 'b': 2}
    assert sel['weights']['b'] in kfold_select.WEIGHTS
    # the equal-weight fusions, counted again from the fold runs' own score files
    import numpy as np
    z = {(s, f): np.load(osp.join(work, f'{s}_fold{f}', 'val_scores.npz')) for s in 'jb' for f in (0, 1)}
    probs = {s: np.concatenate([z[s, 0]['probs'], z[s, 1]['probs']], axis=1) for s in 'jb'}
    labels = np.concatenate([z['j', 0]['labels'], z['j', 1]['labels']])
    right = lambda p: [int(k) for k in (p.argmax(-1) == labels).sum(-1)]  # noqa: E731
    assert sel['val_clips'] == 28
    assert sel['equal_weights_val_correct'] == {
        'j+b': right(probs['j'] + probs['b']), 'b': right(probs['b']), 'j': right(probs['j'])}
    assert [r / 28 for r in right(probs['j'])] == pytest.approx(sel['val_top1_per_epoch']['j'])
    fin = kfold_select.main([CFG, '--work-dir', work, '--final', '--seeds', '0',
                             '--subset', '28'] + QUICK)
    assert [s['seed'] for s in fin['seeds']] == [0]
    assert 0 <= fin['fused_mean'] <= 1 and fin['fused_std'] == 0.0
    used = [s for s, w in sel['weights'].items() if w > 0]
    assert set(fin['seeds'][0]) == {'seed', 'fused', *used}
    left = [osp.join(d, f) for d, _, fs in os.walk(work) for f in fs if f.endswith(('.part', '.tmp'))]
    assert not left                         # every output renamed from its temporary name



def test_stopped_fold_run_starts_again_from_epoch_one(tmp_path):
    """A fold run keeps no checkpoint (its result is its scores file); one
    found in its folder (an earlier version's killed run left its best one) is
    not resumed from: run again, the fold trains from epoch 1 (its per-epoch
    scores were only in memory), so every epoch of every fold is scored and
    the epochs of the folds line up."""
    import numpy as np
    work = tmp_path / 'sel'
    args = [CFG, '--work-dir', str(work), '--streams', 'j', '--folds', '2', '--subset', '28'] + QUICK
    whole = kfold_select.main(args)
    fold = work / 'j_fold0'
    assert not list(fold.glob('*.pth')) and not (fold / 'last_checkpoint').exists()
    # a readable epoch-1 checkpoint of this fold's training, as a killed run left it
    kfold_select._run(CFG, dict(num_epochs=1, repeat_times=1, min_epoch_samples=0, clip_len=8,
                                ann_file=str(work / 'folds.pkl'), train_split='sel0_train',
                                val_split='sel0_val'), str(fold), 0)
    assert list(fold.glob('epoch_1.pth'))
    (fold / 'val_scores.npz').unlink()
    again = kfold_select.main(args)
    with np.load(fold / 'val_scores.npz') as z:
        assert z['probs'].shape[:2] == (2, 14)      # both epochs, 14 validation clips
    assert len(again['val_top1_per_epoch']['j']) == 2
    assert again['val_top1_per_epoch'] == whole['val_top1_per_epoch']


def test_failed_json_write_keeps_the_previous_file(tmp_path):
    """selection.json / final.json go through ``_write_json``: a write that
    fails half-way (here an object JSON cannot encode, after a key written)
    leaves the previous file whole and no temporary file."""
    path = tmp_path / 'selection.json'
    kfold_select._write_json(str(path), dict(epoch=15, weights=dict(j=1.0)))
    before = path.read_bytes()
    with pytest.raises(TypeError):
        kfold_select._write_json(str(path), dict(epoch=14, weights=object()))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ['selection.json']

def test_equal_weight_subsets_hand_computed():
    """Three clips, two classes, one epoch: the fusion of all streams and of
    each one left out, counted by hand."""
    import numpy as np
    names, labels = np.array(['a', 'b', 'c']), np.array([0, 1, 1])
    p = {'j': [[.9, .1], [.6, .4], [.3, .7]],       # right: a, c
         'b': [[.4, .6], [.2, .8], [.45, .55]],     # right: b, c
         'ehg.j': [[.7, .3], [.9, .1], [.8, .2]]}   # right: a
    scores = {s: [(names, np.array(v), labels)] for s, v in p.items()}
    out = kfold_select.equal_weight_subsets(scores, ['j', 'b', 'ehg.j'], 1)
    # all three: a 2.0 / 1.0 (right), b 1.7 / 1.3 (wrong), c 1.55 / 1.45 (wrong);
    # j + b: a 1.3 / 0.7, b 0.8 / 1.2, c 0.75 / 1.45 (all right)
    assert out == {'j+b+ehg.j': [1], 'b+ehg.j': [1], 'j+ehg.j': [1], 'j+b': [3]}
    assert kfold_select.equal_weight_subsets(scores, ['b'], 1) == {'b': [2]}


def test_streams_scored_on_other_clips_are_not_fused(tmp_path, monkeypatch):
    """Fusion pairs the streams' scores clip by clip: a stream whose fold
    scores list the clips in another order stops the selection."""
    import numpy as np
    labels = np.zeros(3, dtype=int)
    order = {'j': ['a', 'b', 'c'], 'b': ['c', 'b', 'a']}
    monkeypatch.setattr(kfold_select, 'fold_run', lambda args, opts, s, f: [
        (np.array(order[s]), np.full((3, 14), 1 / 14), labels)])
    with pytest.raises(SystemExit, match='validation clips of b are not those of j'):
        kfold_select.main([CFG, '--work-dir', str(tmp_path / 'w'), '--streams', 'j', 'b',
                           '--folds', '2', '--subset', '28'] + QUICK)


def test_group_folds_keep_subjects_apart(tmp_path, monkeypatch):
    """--group-regex: the folds of the selection hold whole groups (here the
    first letter of the class name, a stand-in for a subject id)."""
    calls = []
    monkeypatch.setattr(kfold_select, '_run', lambda *a, **k: calls.append(a) or (None, None))
    monkeypatch.setattr(kfold_select._Scores, 'epochs', [])
    work = str(tmp_path / 'g')
    try:
        kfold_select.main([CFG, '--work-dir', work, '--streams', 'j', '--folds', '2',
                           '--subset', '40', '--group-regex', r'^(\w)'] + QUICK)
    except SystemExit as e:                    # no scores from the stubbed runs
        assert 'no validation epoch' in str(e)
    folds = pickle.load(open(osp.join(work, 'folds.pkl'), 'rb'))
    g = lambda n: n[0]  # noqa: E731
    v0, v1 = folds['split']['sel0_val'], folds['split']['sel1_val']
    assert v0 and v1 and not {g(n) for n in v0} & {g(n) for n in v1}
    assert len(calls) == 2


def test_prior_choice_trains_without_fold_runs(tmp_path, monkeypatch):
    """--final --prior: the last epoch and the given streams at equal weights,
    written as the selection, with no fold run."""
    work = str(tmp_path / 'prior')
    monkeypatch.setattr(kfold_select, 'select', lambda *a: pytest.fail('fold runs'))
    fin = kfold_select.main([CFG, '--work-dir', work, '--final', '--prior', '--streams', 'j',
                             '--seeds', '0', '--subset', '28'] + QUICK)
    sel = json.load(open(osp.join(work, 'selection.json')))
    assert sel['chosen_by'] == 'prior' and sel['epoch'] == 2 and sel['weights'] == {'j': 1.0}
    assert fin['seeds'][0]['fused'] == fin['seeds'][0]['j']
    with pytest.raises(SystemExit, match='another selection'):
        kfold_select.main([CFG, '--work-dir', work, '--final', '--prior', '--streams', 'j', 'b',
                           '--seeds', '0', '--subset', '28'] + QUICK)
    with pytest.raises(SystemExit):
        kfold_select.main([CFG, '--work-dir', work, '--prior'] + QUICK)


def test_stopped_final_training_continues_from_its_checkpoint(tmp_path, monkeypatch):
    """A final training stopped after epoch 1 (its epoch-2 checkpoint missing,
    ``last_checkpoint`` naming epoch 1) continues from there when the command is
    run again -- epoch 1 is not trained again -- and ends with the weights of
    the uninterrupted run."""
    import torch
    work = tmp_path / 'stop'
    args = [CFG, '--work-dir', str(work), '--final', '--prior', '--streams', 'j', '--seeds', '0',
            '--subset', '28'] + QUICK
    whole = kfold_select.main(args)
    wd = work / 'final_j_seed0'
    assert not list(wd.glob('best_*.pth'))     # a final run has no validation loop
    ref = torch.load(wd / 'epoch_2.pth', map_location='cpu', weights_only=False)['state_dict']
    (wd / 'epoch_2.pth').unlink()
    (wd / 'last_checkpoint').write_text(str(wd / 'epoch_1.pth'))
    first = (wd / 'epoch_1.pth').stat().st_mtime_ns
    again = kfold_select.main(args)
    assert (wd / 'epoch_1.pth').stat().st_mtime_ns == first        # not trained again
    new = torch.load(wd / 'epoch_2.pth', map_location='cpu', weights_only=False)['state_dict']
    assert new.keys() == ref.keys()
    for k, v in ref.items():
        if v.is_floating_point():
            scale = max(float(v.abs().max()), 1e-6)
            assert float((new[k] - v).abs().max()) <= 1e-4 * scale, k
        else:
            assert torch.equal(new[k], v), k
    assert again['seeds'] == whole['seeds']
    # run once more: nothing is trained or tested again, the same result
    import pyskl.engine as engine
    real_build = engine.build_runner
    monkeypatch.setattr(engine, 'build_runner', lambda cfg: pytest.fail('tested again'))
    assert kfold_select.main(args)['seeds'] == whole['seeds']
    # the same file with a new modification time (copied, touched) is not tested again
    ckpt = wd / 'epoch_2.pth'
    st = ckpt.stat()
    os.utime(ckpt, ns=(st.st_mtime_ns + 10 ** 9, st.st_mtime_ns + 10 ** 9))
    assert kfold_select.main(args)['seeds'] == whole['seeds']
    # other weights of the same size and modification time (another training that
    # ended within the file system's time resolution) are tested again; both files
    # written here by torch.save, so that only the weights differ
    tested = []
    monkeypatch.setattr(engine, 'build_runner',
                        lambda cfg: tested.append(cfg.load_from) or real_build(cfg))
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    torch.save(state, ckpt)
    kfold_select.main(args)
    key = json.load(open(wd / 'test_key.json'))
    st = ckpt.stat()
    name = next(k for k, v in state['state_dict'].items() if v.is_floating_point())
    state['state_dict'][name] = state['state_dict'][name] + 1.0
    torch.save(state, ckpt)
    assert ckpt.stat().st_size == st.st_size
    os.utime(ckpt, ns=(st.st_atime_ns, st.st_mtime_ns))
    tested.clear()
    kfold_select.main(args)
    assert tested == [str(ckpt)]
    assert json.load(open(wd / 'test_key.json')) != key


def test_member_model_is_selected_and_fused_like_a_stream(tmp_path, monkeypatch):
    """--member ehg=CONFIG --streams j ehg.j: the member trains on the same folds
    from its own config (EHGFormer), its validation scores enter the weight
    search, and --final trains and tests it from that config."""
    built = []
    real_run = kfold_select._run
    monkeypatch.setattr(kfold_select, '_run', lambda config, opts, wd, seed, collect=False: (
        built.append((osp.basename(config), opts['feats'], osp.basename(wd)))
        or real_run(config, opts, wd, seed, collect)))
    work = str(tmp_path / 'm')
    args = [CFG, '--work-dir', work, '--streams', 'j', 'ehg.j', '--member', f'ehg={EHG}',
            '--folds', '2', '--subset', '28'] + QUICK
    sel = kfold_select.main(args)
    assert sorted(built) == sorted([('stgcnpp_small_jhmdb-2d.py', ['j'], 'j_fold0'),
                                    ('stgcnpp_small_jhmdb-2d.py', ['j'], 'j_fold1'),
                                    ('ehgformer_small_jhmdb-2d.py', ['j'], 'ehg.j_fold0'),
                                    ('ehgformer_small_jhmdb-2d.py', ['j'], 'ehg.j_fold1')])
    assert sel['members'] == {'ehg': EHG} and set(sel['weights']) == {'j', 'ehg.j'}
    assert set(sel['val_top1_per_epoch']) == {'j', 'ehg.j'}
    # the final run needs the member that the selection chose
    with open(osp.join(work, 'selection.json'), 'w') as fh:
        json.dump(dict(sel, weights={'j': 1.0, 'ehg.j': 1.0}), fh)
    with pytest.raises(SystemExit, match='--member ehg='):
        kfold_select.main([CFG, '--work-dir', work, '--final', '--seeds', '0', '--subset', '28']
                          + QUICK)
    built.clear()
    fin = kfold_select.main([CFG, '--work-dir', work, '--final', '--seeds', '0',
                             '--member', f'ehg={EHG}', '--subset', '28'] + QUICK)
    assert sorted(built) == [('ehgformer_small_jhmdb-2d.py', ['j'], 'final_ehg.j_seed0'),
                             ('stgcnpp_small_jhmdb-2d.py', ['j'], 'final_j_seed0')]
    assert set(fin['seeds'][0]) == {'seed', 'fused', 'j', 'ehg.j'}
    ehg = torch_load(osp.join(work, 'final_ehg.j_seed0', 'epoch_2.pth'))
    gcn = torch_load(osp.join(work, 'final_j_seed0', 'epoch_2.pth'))
    assert not set(ehg) & set(gcn) - {'data_preprocessor'}                # two models


def torch_load(path):
    import torch
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


@pytest.mark.parametrize('argv, message', [
    (['--streams', 'j', 'x.j'], "stream is one of"),
    (['--streams', 'j', 'jj'], "stream is one of"),
    (['--streams', 'j', 'j'], 'named twice'),
    (['--member', 'ehg'], 'NAME=CONFIG'),
    (['--member', 'ehg=no/such.py'], 'no config file'),
])
def test_bad_streams_and_members_are_named(tmp_path, argv, message, capsys):
    with pytest.raises(SystemExit):
        kfold_select.main([CFG, '--work-dir', str(tmp_path)] + argv + QUICK)
    assert message in capsys.readouterr().err


def test_members_with_other_schedules_are_refused(tmp_path):
    other = tmp_path / 'long.py'
    other.write_text(f"_base_ = '{EHG}'\nnum_epochs = 3\n")
    with pytest.raises(SystemExit, match='different numbers of epochs'):
        kfold_select.main([CFG, '--work-dir', str(tmp_path / 'w'), '--final', '--prior',
                           '--streams', 'j', 'long.j', '--member', f'long={other}',
                           '--seeds', '0', '--subset', '28']
                          + [a for a in QUICK if a != 'num_epochs=2'])


def test_prior_with_another_member_config_is_refused(tmp_path):
    """--final --prior in a work dir whose prior selection named another
    config for the same member name stops before any training."""
    work = tmp_path / 'w'
    work.mkdir()
    (work / 'selection.json').write_text(json.dumps(dict(
        chosen_by='prior', members={'ehg': EHG}, streams=['j', 'ehg.j'], epoch=2,
        weights={'j': 1.0, 'ehg.j': 1.0})))
    other = tmp_path / 'other.py'
    other.write_text(f"_base_ = '{EHG}'\n")
    with pytest.raises(SystemExit, match='another selection'):
        kfold_select.main([CFG, '--work-dir', str(work), '--final', '--prior', '--streams', 'j',
                           'ehg.j', '--member', f'ehg={other}', '--seeds', '0', '--subset', '28']
                          + QUICK)
    assert not (work / 'final_j_seed0').exists()
