"""tools/data/synthetic_k400.py and tools/analysis/loader_memory.py at a small scale."""
import os.path as osp
import sys

import numpy as np

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import loader_memory  # noqa: E402
import synthetic_k400  # noqa: E402


def test_synthetic_k400_has_pyskl_keys_and_realistic_sizes():
    data = synthetic_k400.make(200)
    a = data['annotations'][0]
    assert set(a) == {'frame_dir', 'label', 'img_shape', 'original_shape', 'total_frames',
                      'raw_file', 'frame_inds', 'box_score', 'valid'}
    T = np.array([x['total_frames'] for x in data['annotations']])
    assert T.min() >= 240 and T.max() <= 300
    persons = np.mean([len(x['frame_inds']) / x['total_frames'] for x in data['annotations']])
    assert 1.4 < persons < 1.6
    assert len(data['split']['train']) == 200


def test_loader_memory_reports_every_process(tmp_path):
    ann = str(tmp_path / 'k.pkl')
    synthetic_k400.main(['--out', ann, '--num-samples', '300'])
    res = loader_memory.main([ann, '--workers', '2', '--batch-size', '32'])
    assert res['samples'] == 300
    assert set(res['per_process_pss_mib']) == {'main', 'worker0', 'worker1'}
    assert res['pss_sum_mib'] <= res['rss_sum_mib']
