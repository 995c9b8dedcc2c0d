"""tools/analysis/benchmark_heatmap.py: the volumes it times are the ones it
saves (``--save``, written under a temporary name and renamed), a bad
``--save`` path stops it before any timing, and ``--compare`` of a file with
itself finds no difference."""
import os
import os.path as osp
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import benchmark_heatmap  # noqa: E402


def test_save_writes_the_timed_volumes(tmp_path, capsys):
    out = tmp_path / 'ours'                       # numpy's rule: .npz is added
    benchmark_heatmap.main(['--iters', '1', '--modes', 'keypoint', '--inputs', 'random',
                            '--save', str(out)])
    assert os.listdir(tmp_path) == ['ours.npz']    # no temporary file left
    with np.load(tmp_path / 'ours.npz') as z:
        vol = z['random-keypoint']
    # 2 persons x 48 frames of 17 COCO keypoints on a 56x56 image -> (T, K, H, W)
    assert vol.shape == (48, 17, 56, 56) and vol.dtype == np.float32
    assert 0 < vol.max() <= 1
    capsys.readouterr()
    benchmark_heatmap.main(['--compare', str(tmp_path / 'ours.npz'), str(tmp_path / 'ours.npz')])
    assert 'max |a-b| = 0' in capsys.readouterr().out


def test_bad_save_path_stops_before_timing(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark_heatmap, 'make_inputs',
                        lambda ann: pytest.fail('timed before checking --save'))
    with pytest.raises(Exception, match='--save'):
        benchmark_heatmap.main(['--save', str(tmp_path / 'no' / 'such' / 'dir' / 'x.npz')])
