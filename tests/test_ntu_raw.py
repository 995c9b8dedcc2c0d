"""NTU RGB+D raw skeletons -> annotation file (tools/data/gen_ntu_rgbd_raw.py).

Reference outputs of MMAction2 1.2.0's gen_ntu_rgbd_raw.py and PYSKL's
ntu_preproc.py on the same files are in tests/data/ntu_raw_reference.json
(how they were made: its ``_about``)."""
import gzip
import hashlib
import json
import os
import os.path as osp
import pickle
import shutil
import sys

import numpy as np
import pytest

from conftest import ROOT, fixture_path, shared_path
from ntu_variants import variants
from pyskl.io.ntu_skeleton import SkeletonFileError, read_ignored_list, read_skeleton_file

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import gen_ntu_rgbd_raw  # noqa: E402

FIXTURE = 'ntu_skeleton/S017C003P020R002A054.skeleton.gz'
VARIANT_NAMES = dict(short_third_body='S017C003P020R002A054', wide_object='S017C003P020R003A055',
                     id_switch_and_empty_frame='S017C003P020R004A056')


def reference():
    with open(fixture_path('ntu_raw_reference.json')) as f:
        return json.load(f)


def fixture_text():
    with gzip.open(fixture_path(FIXTURE), 'rt', newline='') as f:
        return f.read()


def write_variants(folder):
    folder.mkdir(exist_ok=True)
    text = fixture_text()
    (folder / 'S017C003P020R001A054.skeleton').write_text(text, newline='')
    for k, v in variants(text).items():
        (folder / f'{VARIANT_NAMES[k]}.skeleton').write_text(v, newline='')
    return folder


def fingerprint(path):
    with open(path, 'rb') as f:
        d = pickle.load(f)
    return dict(split={k: sorted(v) for k, v in d['split'].items()},
                annotations={a['frame_dir']: dict(
                    label=a['label'], total_frames=a['total_frames'],
                    dtype=str(a['keypoint'].dtype), shape=list(a['keypoint'].shape),
                    sha256=hashlib.sha256(np.ascontiguousarray(a['keypoint']).tobytes()).hexdigest(),
                    first_joint=[float(x) for x in a['keypoint'][0, 0, 0]])
                    for a in d['annotations']})


def assert_same(got, want):
    assert got['split'] == want['split']
    assert sorted(got['annotations']) == sorted(want['annotations'])
    for k, w in want['annotations'].items():
        assert got['annotations'][k] == w, k


def run(args, code=0):
    assert gen_ntu_rgbd_raw.main([str(a) for a in args]) == code


def test_reader_gives_the_numbers_of_the_file():
    """Known answer: frame 1 holds two bodies; the first's id and its first
    joint are the file's lines 3 and 5 (x y z of the 12 numbers)."""
    text = fixture_text()
    lines = text.splitlines()
    assert lines[2].split()[0] == '72057594037937917'
    assert lines[4].split()[:3] == ['0.5336164', '0.07661898', '3.60793']
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for eol in ('\r\n', '\n'):
            p = osp.join(d, f'x{len(eol)}.skeleton')
            with open(p, 'w', newline='') as f:
                f.write(eol.join(lines) + eol)
            raw = read_skeleton_file(p)
            assert raw.num_frames == 42 and [len(b) for b in raw.frames] == [2] * 42
            bid, joints = raw.frames[0][0]
            assert bid == 72057594037937917 and joints.shape == (25, 3)
            assert joints[0].tolist() == [0.5336164, 0.07661898, 3.60793]


def test_body_selection_matches_mmaction2_and_pyskl_on_noisy_variants(tmp_path):
    """A real two-person file and three noisy variants (a short third body, an
    object wider than tall inserted as the first body, an id switch and an
    empty frame): the default equals MMAction2 1.2.0's output, --denoise
    PYSKL's, byte for byte (float16 keypoints, splits, labels, lengths)."""
    src = write_variants(tmp_path / 'skeletons')
    ref = reference()['variants']
    run(['--data-path', src, '--out-folder', tmp_path / 'out', '--workers', 1])
    assert_same(fingerprint(tmp_path / 'out' / 'ntu60_3d.pkl'), ref['mmaction2_ntu60'])
    run(['--data-path', src, '--out-folder', tmp_path / 'out', '--denoise',
         '--out-name', 'ntu60_3danno.pkl'])
    got = fingerprint(tmp_path / 'out' / 'ntu60_3danno.pkl')
    assert_same(got, ref['pyskl_ntu60'])
    # the denoising is visible: the object and the short body are gone, the
    # id switch is one person again, the empty frame is left out
    assert got['annotations']['S017C003P020R004A056']['total_frames'] == 41
    mma = ref['mmaction2_ntu60']['annotations']
    assert mma['S017C003P020R003A055']['sha256'] != got['annotations'][
        'S017C003P020R003A055']['sha256']


@pytest.mark.shared
def test_real_ntu_files_match_mmaction2_and_pyskl(tmp_path):
    """The 21 real files (CRLF and LF, six with two bodies) with the official
    missing-skeleton lists: ntu60 and ntu120 equal MMAction2 1.2.0's files,
    --denoise PYSKL's; two worker processes."""
    src = shared_path('formats', 'ntu_skeleton')
    lists = shared_path('formats', 'ntu_missing_lists')
    ref = reference()['real']
    for task, lst in (('ntu60', 'official_NTU_RGBD_samples_with_missing_skeletons.txt'),
                      ('ntu120', 'official_NTU_RGBD120_samples_with_missing_skeletons.txt')):
        run(['--data-path', src, '--ignored-sample-path', osp.join(lists, lst),
             '--out-folder', tmp_path, '--task', task, '--workers', 2])
        assert_same(fingerprint(tmp_path / f'{task}_3d.pkl'), ref[f'mmaction2_{task}'])
    run(['--data-path', src, '--out-folder', tmp_path, '--denoise', '--out-name', 'p.pkl',
         '--ignored-sample-path', osp.join(lists, 'mmaction2_noheader_NTU_RGBD_samples_with_'
                                                  'missing_skeletons.txt')])
    assert_same(fingerprint(tmp_path / 'p.pkl'), ref['pyskl_ntu60'])
    # both kinds of list give the same names; the header is not a name
    a = read_ignored_list(osp.join(lists, 'official_NTU_RGBD_samples_with_missing_skeletons.txt'))
    b = read_ignored_list(osp.join(lists, 'mmaction2_noheader_NTU_RGBD_samples_with_missing_'
                                          'skeletons.txt'))
    assert a == b and len(a) == 302
    assert len(read_ignored_list(osp.join(
        lists, 'official_NTU_RGBD120_samples_with_missing_skeletons.txt'))) == 535


def test_ignored_samples_and_other_tasks_are_left_out(tmp_path, capsys):
    src = write_variants(tmp_path / 'skeletons')
    shutil.copy(src / 'S017C003P020R001A054.skeleton', src / 'S018C001P045R001A061.skeleton')
    (tmp_path / 'missing.txt').write_text('header line\n\nS017C003P020R002A054\n')
    run(['--data-path', src, '--out-folder', tmp_path / 'o', '--ignored-sample-path',
         tmp_path / 'missing.txt'])
    names = [a['frame_dir'] for a in pickle.load(open(tmp_path / 'o' / 'ntu60_3d.pkl', 'rb'))[
        'annotations']]
    assert names == ['S017C003P020R001A054', 'S017C003P020R003A055', 'S017C003P020R004A056']
    out = capsys.readouterr().out
    assert '1 in --ignored-sample-path' in out and '1 not an NTU60 sample' in out
    run(['--data-path', src, '--out-folder', tmp_path / 'o', '--task', 'ntu120'])
    d = pickle.load(open(tmp_path / 'o' / 'ntu120_3d.pkl', 'rb'))
    a = {x['frame_dir']: x for x in d['annotations']}
    assert a['S018C001P045R001A061']['label'] == 60
    assert d['split']['xset_train'] == ['S018C001P045R001A061']          # even setup
    assert 'S018C001P045R001A061' in d['split']['xsub_train']           # P045 trains


def test_malformed_files_are_named_with_their_line_and_skipped(tmp_path, capsys):
    """A truncated file, a bad number, a wrong joint count, a file without any
    body: each reported by name and line, the others converted, the output a
    complete file."""
    src = tmp_path / 'skeletons'
    src.mkdir()
    text = fixture_text()
    lines = text.splitlines()
    good = src / 'S001C001P001R001A001.skeleton'
    good.write_text(text, newline='')
    (src / 'S001C001P001R001A002.skeleton').write_text('\n'.join(lines[:500]) + '\n')
    bad = list(lines)
    bad[60] = bad[60].replace(bad[60].split()[1], 'abc', 1)
    (src / 'S001C001P001R001A003.skeleton').write_text('\n'.join(bad) + '\n')
    bad = list(lines)
    bad[3] = '24'
    (src / 'S001C001P001R001A004.skeleton').write_text('\n'.join(bad) + '\n')
    (src / 'S001C001P001R001A005.skeleton').write_text('3\n0\n0\n0\n')
    run(['--data-path', src, '--out-folder', tmp_path / 'o', '--workers', 1], code=1)
    said = capsys.readouterr()
    err = said.err
    out = str(tmp_path / 'o' / 'ntu60_3d.pkl')
    assert f'wrote {out}: 1 samples, splits ' in said.out and '; 4 inputs skipped' in said.out
    for name, where in (('A002', 'line 501: the file ends'), ('A003', 'line 61: a joint line'),
                        ('A004', 'line 4: 24 joints'), ('A005', 'holds no body')):
        line = [ln for ln in err.splitlines() if name in ln]
        assert len(line) == 1 and where in line[0], (name, err)
    d = pickle.load(open(tmp_path / 'o' / 'ntu60_3d.pkl', 'rb'))
    assert [a['frame_dir'] for a in d['annotations']] == ['S001C001P001R001A001']
    with pytest.raises(SkeletonFileError, match=r'A003.skeleton: line 61'):
        read_skeleton_file(str(src / 'S001C001P001R001A003.skeleton'))


def test_killed_run_resumes_from_its_finished_chunks(tmp_path, monkeypatch):
    """Chunks finished before a kill are not parsed again; the result equals an
    uninterrupted run; no output (not even a partial one) before the end; the
    chunk folder is gone afterwards."""
    src = write_variants(tmp_path / 'skeletons')
    monkeypatch.setattr(gen_ntu_rgbd_raw, 'CHUNK', 1)
    calls = []
    real = gen_ntu_rgbd_raw.convert_files

    def dies_on_third(job):
        calls.append(job[0][0])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(gen_ntu_rgbd_raw, 'convert_files', dies_on_third)
    out = tmp_path / 'o'
    with pytest.raises(KeyboardInterrupt):
        run(['--data-path', src, '--out-folder', out, '--workers', 1])
    assert not (out / 'ntu60_3d.pkl').exists()
    assert [f for f in os.listdir(out) if not f.startswith('.')] == []
    calls.clear()
    monkeypatch.setattr(gen_ntu_rgbd_raw, 'convert_files', real)
    run(['--data-path', src, '--out-folder', out, '--workers', 1])
    resumed = fingerprint(out / 'ntu60_3d.pkl')
    assert os.listdir(out) == ['ntu60_3d.pkl']
    run(['--data-path', src, '--out-folder', tmp_path / 'clean', '--workers', 2])
    assert resumed == fingerprint(tmp_path / 'clean' / 'ntu60_3d.pkl')


def test_bad_arguments_are_refused_before_any_work(tmp_path, capsys):
    src = write_variants(tmp_path / 'skeletons')
    for args, culprit in (
            (['--data-path', tmp_path / 'nope', '--out-folder', tmp_path], '--data-path'),
            (['--data-path', src, '--out-folder', src / 'out'], 'inside --data-path'),
            (['--data-path', src, '--out-folder', tmp_path, '--ignored-sample-path',
              tmp_path / 'no.txt'], '--ignored-sample-path'),
            (['--data-path', src, '--out-folder', tmp_path, '--workers', 0], '--workers'),
            (['--data-path', tmp_path / 'o2', '--out-folder', tmp_path], 'holds no')):
        (tmp_path / 'o2').mkdir(exist_ok=True)
        with pytest.raises(SystemExit) as e:
            gen_ntu_rgbd_raw.main([str(a) for a in args])
        assert e.value.code == 2 and culprit in capsys.readouterr().err, args
