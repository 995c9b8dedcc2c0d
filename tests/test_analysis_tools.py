"""tools/analysis/confusion_matrix.py and analyze_logs.py on hand-made inputs;
the TensorBoard backend is one config variable."""
import json
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch

from pyskl.engine.config import load_config
from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import analyze_logs  # noqa: E402
import confusion_matrix  # noqa: E402


def test_confusion_matrix_by_hand(tmp_path, capsys):
    scores = [[.9, .1, 0], [.2, .7, .1], [.6, .3, .1], [.1, .1, .8], [.5, .5, 0],
              [np.nan, 1, 0]]
    labels = [0, 1, 1, 2, 1, 1]
    # rows = true: class 1 -> predicted 1, 0, 0 (tie 0.5/0.5 goes to class 0), NaN (a miss)
    want = np.array([[1, 0, 0], [2, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(confusion_matrix.confusion(np.array(scores), np.array(labels)),
                                  want)
    dump = tmp_path / 'r.pkl'
    with open(dump, 'wb') as f:
        pickle.dump([dict(pred_score=torch.tensor(s, dtype=torch.float32),
                          gt_label=torch.tensor([l])) for s, l in zip(scores, labels)], f)
    names = tmp_path / 'names.txt'
    names.write_text('a\nb\nc\n')
    out = tmp_path / 'cm.png'
    confusion_matrix.main([str(dump), '--out', str(out), '--label-map', str(names)])
    text = capsys.readouterr().out
    assert '4 samples     1 correct  0.2500' in text
    assert 'top-1 0.5000  mean class 0.7500' in text
    assert out.stat().st_size > 1000
    with pytest.raises(ValueError, match='2 names for 3 classes'):
        names.write_text('a\nb\n')
        confusion_matrix.main([str(dump), '--out', str(out), '--label-map', str(names)])


def test_analyze_logs_reads_mmengine_scalars(tmp_path, capsys):
    log = tmp_path / 'scalars.json'
    lines = [dict(lr=0.1, loss=2.0 - 0.1 * i, time=0.5 + 0.1 * i, epoch=1, iter=10 * i,
                  step=10 * i) for i in range(1, 5)]
    lines.insert(2, {'acc/top1': 0.5, 'time': 9.0, 'step': 1})
    log.write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    data = analyze_logs.load_log(str(log))
    assert data['acc/top1'] == [(1, 0.5)] and data['val/time'] == [(1, 9.0)]
    assert [s for s, _ in data['loss']] == [10, 20, 30, 40]
    analyze_logs.main(['cal_train_time', str(log)])
    assert 'mean 0.7500 s/iter, fastest 0.6000, slowest 0.9000' in capsys.readouterr().out
    out = tmp_path / 'c.png'
    analyze_logs.main(['plot_curve', str(log), '--keys', 'loss', 'acc/top1', '--out', str(out)])
    assert out.stat().st_size > 1000
    with pytest.raises(ValueError, match='none of'):
        analyze_logs.main(['plot_curve', str(log), '--keys', 'acc/top5', '--out', str(out)])
    assert sorted(x.name for x in tmp_path.iterdir()) == ['c.png', 'scalars.json']  # no temp
    for bad, why in ((log, 'must end with one of'), (tmp_path / 'no' / 'c.png', 'does not exist')):
        with pytest.raises(SystemExit):        # checked before any plotting
            analyze_logs.main(['plot_curve', str(log), '--out', str(bad)])
        assert why in capsys.readouterr().err


def test_tensorboard_backend_is_one_override(tmp_path):
    cfg = tmp_path / 'tb.py'
    base = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')
    cfg.write_text(f"_base_ = {base!r}\n"
                   "visualizer = dict(vis_backends=[dict(type='LocalVisBackend'), "
                   "dict(type='TensorboardVisBackend')])\n")
    c = load_config(str(cfg))
    assert [b['type'] for b in c.visualizer.vis_backends] == ['LocalVisBackend',
                                                               'TensorboardVisBackend']


def test_get_flops_for_gcn_and_two_input_models(capsys):
    import get_flops
    get_flops.main([osp.join(ROOT, 'configs', 'stgcnpp',
                             'stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py'),
                    '--shape', '1', '2', '100', '17', '3'])
    out = capsys.readouterr().out
    assert 'Flops: 1.95 GFLOPs' in out and 'Params: 1.393 M' in out
    get_flops.main([osp.join(ROOT, 'configs', 'rgbpose_conv3d', 'rgbpose_conv3d.py'),
                    '--input', 'imgs', '1', '3', '8', '64', '64',
                    '--input', 'heatmap_imgs', '1', '17', '32', '16', '16'])
    out = capsys.readouterr().out
    assert 'Params: 36.148 M' in out
    with pytest.raises(SystemExit):
        get_flops.main([osp.join(ROOT, 'configs', 'rgbpose_conv3d', 'rgbpose_conv3d.py')])
