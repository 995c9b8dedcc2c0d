"""Bad-input probe: inputs of every fault class, made from real JHMDB samples
(data/jhmdb/jhmdb_gt.pkl.gz), run through the command-line tools. Each case
asserts the exit status and that the message names the culprit (the file,
sample, key or argument), and that nothing ran or was lost.

Classes (docs/reliability.md): untrusted pickles, concurrent work dirs,
duplicate / missing samples, malformed samples, labels out of range, config
keys and values, output paths, truncated files, tool arguments.

The tools run in this process through the same wrapper as their command line
(``main_or_exit``: one line on stderr, exit 2), so the whole probe takes
seconds; ``test_cli_wiring`` runs two cases as real processes.
"""
import gzip
import importlib.util
import json
import os
import os.path as osp
import pickle
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT, shared_path
from pyskl.engine.user_errors import main_or_exit

JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')
CFG = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')


def _tool(rel):
    path = osp.join(ROOT, *rel.split('/'))
    name = 'probe_' + osp.splitext(osp.basename(path))[0]
    if name not in sys.modules:
        sys.path.insert(0, osp.dirname(path))
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[name] = mod
    return sys.modules[name]


def run_tool(rel, argv, capsys):
    """(exit status, stderr) of a tool run as its command line runs it."""
    mod = _tool(rel)
    capsys.readouterr()
    try:
        main_or_exit(lambda: mod.main(argv), rel)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    return code, capsys.readouterr().err


class _RunsCode:
    def __init__(self, flag):
        self.flag = flag

    def __reduce__(self):
        return (os.system, (f'touch {self.flag}',))


@pytest.fixture(scope='module')
def real():
    with gzip.open(JHMDB, 'rb') as f:
        data = pickle.load(f)
    names = set(data['split']['train1'][:4] + data['split']['test1'][:2])
    anns = [a for a in data['annotations'] if a['frame_dir'] in names]
    return dict(annotations=anns,
                split=dict(train1=data['split']['train1'][:4], test1=data['split']['test1'][:2]))


def ann_file(tmp_path, data, name='ann.pkl'):
    path = tmp_path / name
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return str(path)


def opts(ann, work, *extra):
    return [CFG, '--work-dir', str(work), '--cfg-options', f'ann_file={ann}',
            'train_dataloader.batch_size=2', 'train_dataloader.dataset.times=1',
            'train_cfg.max_epochs=1', 'log_level=ERROR', *extra]


def copy_of(real):
    return dict(annotations=[dict(a) for a in real['annotations']],
                split={k: list(v) for k, v in real['split'].items()})


# ----------------------------------------------------------------- annotation files
def bad_annotations(real, tmp_path):
    """(name, data or bytes, culprit that the message must contain)"""
    flag = tmp_path / 'ran'
    cases = []
    d = copy_of(real)
    d['annotations'][0]['keypoint'] = _RunsCode(flag)
    cases.append(('code in pickle', pickle.dumps(d), 'posix.system'))
    d = copy_of(real)
    d['annotations'].append(dict(d['annotations'][1], label=3))
    cases.append(('duplicate frame_dir', d, d['annotations'][1]['frame_dir']))
    d = copy_of(real)
    d['split']['train1'].append('no_such_clip')
    cases.append(('split id without annotation', d, 'no_such_clip'))
    d = copy_of(real)
    d['split']['train1'][0] = 17
    cases.append(('frame_dir of another type', d, '17'))
    d = copy_of(real)
    d['annotations'][0] = dict(d['annotations'][0], label=-1)
    cases.append(('negative label', d, d['annotations'][0]['frame_dir']))
    d = copy_of(real)
    d['annotations'][0] = dict(d['annotations'][0], label=40)
    cases.append(('label beyond num_classes', d, d['annotations'][0]['frame_dir']))
    d = copy_of(real)
    a = d['annotations'][1]
    d['annotations'][1] = dict(a, keypoint=a['keypoint'][:, :, :10],
                               keypoint_score=a['keypoint_score'][:, :, :10])
    cases.append(('other joints than the rest', d, a['frame_dir']))
    d = copy_of(real)
    d['annotations'][0] = dict(d['annotations'][0],
                               keypoint=d['annotations'][0]['keypoint'].astype(object))
    cases.append(('keypoint of dtype object', d, d['annotations'][0]['frame_dir']))
    d = copy_of(real)
    kp = d['annotations'][2]['keypoint'].copy()
    kp[0, 3, 4, 0] = np.nan
    d['annotations'][2] = dict(d['annotations'][2], keypoint=kp)
    cases.append(('NaN keypoint', d, d['annotations'][2]['frame_dir']))
    d = copy_of(real)
    del d['annotations'][3]['total_frames']
    cases.append(('missing key', d, 'total_frames'))
    raw = pickle.dumps(copy_of(real))
    cases.append(('truncated file', raw[:len(raw) // 2], 'truncated'))
    return cases, flag


def test_bad_annotation_files_are_refused_naming_the_culprit(real, tmp_path, capsys):
    cases, flag = bad_annotations(real, tmp_path)
    for i, (what, data, culprit) in enumerate(cases):
        path = tmp_path / f'case{i}.pkl'
        path.write_bytes(data if isinstance(data, bytes) else pickle.dumps(data))
        code, err = run_tool('tools/train.py', opts(path, tmp_path / f'w{i}'), capsys)
        assert code == 2, (what, code, err[-2000:])
        assert culprit in err and str(path) in err, (what, err[-2000:])
        assert len(err.strip().splitlines()) == 1, (what, err[-2000:])
    assert not flag.exists(), 'an annotation pickle ran code'


# ----------------------------------------------------------------- configs
def test_bad_config_keys_values_and_files(real, tmp_path, capsys):
    ann = ann_file(tmp_path, real)
    cases = [
        (['num_epoch=3'], 'num_epoch'),                   # misspelt key
        (['clip_len=0'], 'clip_len'),
        (['clip_len=abc'], 'clip_len'),
        (['num_classes=0'], 'num_classes'),
        (['num_epochs=0'], 'num_epochs'),
        (['repeat_times=0'], 'repeat_times'),
        (['train_dataloader.batch_size=0'], 'batch_size'),
    ]
    for extra, culprit in cases:
        code, err = run_tool('tools/train.py', opts(ann, tmp_path / 'w') + extra, capsys)
        assert code == 2 and culprit in err and CFG in err, (extra, err[-1500:])
    syntax = tmp_path / 'syntax.py'
    syntax.write_text(f"_base_ = {CFG!r}\nsplit = (1\n")
    cyc_a, cyc_b = tmp_path / 'a.py', tmp_path / 'b.py'
    cyc_a.write_text("_base_ = './b.py'\n")
    cyc_b.write_text("_base_ = './a.py'\n")
    for cfg, culprit in ((syntax, 'syntax.py'), (cyc_a, 'a.py'),
                         (tmp_path / 'none.py', 'none.py')):
        code, err = run_tool('tools/train.py', [str(cfg)], capsys)
        assert code == 2 and culprit in err, (cfg, err[-1500:])
    # an override without '=' is a usage error naming it, before any work
    code, err = run_tool('tools/train.py', [CFG, '--cfg-options', 'split'], capsys)
    assert code == 2 and "'split'" in err and 'key=value' in err
    # a user key is allowed once declared
    user = tmp_path / 'user.py'
    user.write_text(f"_base_ = {CFG!r}\nmy_note = 'x'\ncustom_keys = ['my_note']\n")
    from pyskl.engine import load_config
    assert load_config(str(user)).my_note == 'x'
    # num_classes reaches the head of every JHMDB base
    assert load_config(CFG, dict(num_classes=5)).model.cls_head.num_classes == 5


# ----------------------------------------------------------------- outputs and work dirs
def test_outputs_checked_before_the_work_and_work_dir_locked(real, tmp_path, capsys):
    ann = ann_file(tmp_path, real)
    ckpt = tmp_path / 'w.pth'
    ckpt.write_bytes(b'not read')            # the dump path is refused before loading it
    a_file = tmp_path / 'file'
    a_file.write_text('x')
    for dump, why in ((tmp_path / 'missing' / 'r.pkl', 'does not exist'),
                      (a_file / 'r.pkl', 'is a file'), (tmp_path, 'is a folder'),
                      (tmp_path / 'r.json', '.pkl'), (ann, 'also an input')):
        code, err = run_tool('tools/test.py', [CFG, str(ckpt), '--dump', str(dump),
                                               '--cfg-options', f'ann_file={ann}'], capsys)
        assert code == 2 and why in err and str(dump) in err, (dump, err[-1500:])
    # a work dir held by a live training (this process) is refused, naming it
    work = tmp_path / 'busy'
    work.mkdir()
    (work / '.train.lock').write_text(json.dumps(dict(
        pid=os.getpid(), host=socket.gethostname(), started='now', config='other.py')))
    code, err = run_tool('tools/train.py', opts(ann, work), capsys)
    assert code == 2 and str(os.getpid()) in err and 'other.py' in err, err[-1500:]
    assert sorted(os.listdir(work)) == ['.train.lock']          # nothing written into it
    # a truncated checkpoint is named
    good = tmp_path / 'good.pth'
    torch.save(dict(state_dict=dict(a=torch.zeros(1000))), good)
    bad = tmp_path / 'cut.pth'
    bad.write_bytes(good.read_bytes()[:3000])
    code, err = run_tool('tools/test.py', [CFG, str(bad)] + opts(ann, tmp_path / 't')[3:],
                         capsys)
    assert code == 2 and 'cut.pth' in err and 'truncated' in err, err[-1500:]


# ----------------------------------------------------------------- dumps and fusion
def _dump(path, names, labels, scores=None):
    scores = np.eye(3)[labels] if scores is None else scores
    data = [dict(frame_dir=n, gt_label=torch.tensor([l]), pred_score=torch.tensor(s))
            for n, l, s in zip(names, labels, scores)]
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return str(path)


def test_bad_dumps_and_fusion_arguments(tmp_path, capsys):
    flag = tmp_path / 'ran'
    a = _dump(tmp_path / 'a.pkl', ['x', 'y'], [0, 1])
    dup = _dump(tmp_path / 'dup.pkl', ['x', 'x'], [0, 1])
    evil = tmp_path / 'evil.pkl'
    evil.write_bytes(pickle.dumps([dict(pred_score=_RunsCode(flag), gt_label=0)]))
    cut = tmp_path / 'cut.pkl'
    cut.write_bytes(open(a, 'rb').read()[:40])
    for argv, culprit in (([a, dup], 'dup.pkl'), ([a, str(evil)], 'posix.system'),
                          ([a, str(cut)], 'cut.pkl'), ([a, str(tmp_path / 'no.pkl')], 'no.pkl')):
        code, err = run_tool('tools/analysis/fuse_scores.py', ['--preds'] + argv, capsys)
        assert code == 2 and culprit in err, (argv, err[-1500:])
    code, err = run_tool('tools/analysis/fuse_scores.py',
                         ['--preds', a, a, '--coefficients', '1', 'nan'], capsys)
    assert code == 2 and 'finite' in err
    code, err = run_tool('tools/analysis/confusion_matrix.py',
                         [str(cut), '--out', str(tmp_path / 'cm.png')], capsys)
    assert code == 2 and 'cut.pkl' in err
    code, err = run_tool('tools/analysis/confusion_matrix.py',
                         [a, '--out', str(tmp_path / 'missing' / 'cm.png')], capsys)
    assert code == 2 and 'does not exist' in err
    assert not flag.exists(), 'a dump ran code'


# ----------------------------------------------------------------- tool arguments
def test_out_of_range_tool_arguments(tmp_path, capsys):
    video = osp.join(ROOT, 'tests', 'data', 'none.mp4')
    for argv, culprit in (
            (['--window', '0'], '--window'), (['--stride', '-2'], '--stride'),
            (['--short-side', '0'], '--short-side')):
        code, err = run_tool('demo/demo_skeleton.py', [video, str(tmp_path / 'o.mp4'), '--config',
                                                       CFG, '--checkpoint', 'x.pth'] + argv,
                             capsys)
        assert code == 2 and culprit in err, (argv, err[-800:])
    code, err = run_tool('demo/demo_skeleton.py',
                         [video, str(tmp_path / 'no' / 'o.mp4'), '--config', CFG,
                          '--checkpoint', 'x.pth'], capsys)
    assert code == 2 and 'does not exist' in err
    code, err = run_tool('tools/deployment/export_onnx.py',
                         [CFG, 'none', '--output-file', str(tmp_path / 'm.onnx'),
                          '--num-frames', '0'], capsys)
    assert code == 2 and '--num-frames' in err


def test_cli_wiring(real, tmp_path):
    """The real command lines: one line on stderr, exit status 2."""
    ann = ann_file(tmp_path, dict(copy_of(real), split=dict(train1=['missing'],
                                                             test1=real['split']['test1'])))
    proc = subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'train.py')]
                          + opts(ann, tmp_path / 'w'), capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith('tools/train.py: error: ')
    assert "'missing'" in proc.stderr and 'Traceback' not in proc.stderr


def test_visualize_and_flops_arguments(real, tmp_path, capsys):
    ann = ann_file(tmp_path, real)
    out = str(tmp_path / 'v.gif')
    for argv, culprit in ((['--sigma', '0'], '--sigma'), (['--clip-len', '0'], '--clip-len'),
                          (['--sample', '99'], "'99'"), (['--out', str(tmp_path / 'x' / 'v.gif')],
                                                         'does not exist')):
        code, err = run_tool('tools/visualize_heatmap_volume.py',
                             [ann, '--layout', 'jhmdb', '--out', out] + argv, capsys)
        assert code == 2 and culprit in err, (argv, err[-800:])
    code, err = run_tool('tools/analysis/get_flops.py', [CFG, '--shape', '1', '2', '3'], capsys)
    assert code == 2 and ("(1, 2, 3)" in err or "[1, 2, 3]" in err), err[-800:]


@pytest.mark.shared
def test_truncated_video_is_an_error_not_a_short_clip(tmp_path):
    """The first tenth of NTU's S001C001P001R001A001_rgb.avi: its header declares 103
    frames, 3 decode. The demo's and converters' reader says so; compress_nturgbd.py
    counts it as a failure and writes nothing."""
    from pyskl.io import VideoReadError, VideoSource
    raw = open(shared_path('videos', 'S001C001P001R001A001_rgb.avi'), 'rb').read()
    cut = tmp_path / 'S001C001P001R001A001_rgb.avi'
    cut.write_bytes(raw[:len(raw) // 10])
    src = VideoSource(str(cut), 120)
    assert 0 < sum(1 for _ in src) < 20
    with pytest.raises(VideoReadError, match=r'only \d+ of the 103 frames.*truncated'):
        src.check_complete()
    compress = _tool('tools/data/compress_nturgbd.py').compress
    dst = tmp_path / 'out.mp4'
    _, err = compress((str(cut), str(dst), 120))
    assert err is not None and '103' in err and not dst.exists()
    assert not list(tmp_path.glob('*.part*'))


def test_data_unpickler_reads_every_protocol_and_array_layout():
    """Arrays pickled by NumPy under every pickle protocol (protocol 5, the
    default of ``pickle.HIGHEST_PROTOCOL``, rebuilds arrays from their raw
    buffer) come back equal, with dtype and memory order; a pickle that names
    code is still refused."""
    from pyskl.io.safe_pickle import UnsafePickleError, loads_data
    rng = np.random.default_rng(0)
    kp = rng.random((2, 5, 17, 2), dtype=np.float32)
    data = dict(keypoint=kp, score=kp[..., 0].astype(np.float16), f_order=np.asfortranarray(kp),
                strided=kp[:, ::2], label=np.int64(3), flags=np.array([True, False]),
                names=np.array(['a', 'bc']), empty=np.zeros((0, 3)), scalar=np.float32(1.5),
                nested=[(1, 2.0, 'x', b'y', None)])
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        got = loads_data(pickle.dumps(data, protocol=protocol), f'p{protocol}')
        assert got.keys() == data.keys()
        for k, v in data.items():
            if isinstance(v, np.ndarray):
                assert got[k].dtype == v.dtype and got[k].shape == v.shape, (protocol, k)
                assert np.array_equal(got[k], v), (protocol, k)
                assert got[k].flags.f_contiguous == v.flags.f_contiguous or v.ndim < 2
            else:
                assert got[k] == v and type(got[k]) is type(v), (protocol, k)

    class RunsCode:
        def __reduce__(self):
            return (os.system, ('true',))

    for protocol in (2, 5):
        with pytest.raises(UnsafePickleError, match='system'):
            loads_data(pickle.dumps([kp, RunsCode()], protocol=protocol), 'evil.pkl')
