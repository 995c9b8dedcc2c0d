"""tools/analysis/benchmark_pipeline.py builds the datasets it times from the
configs it names (ST-GCN++ NTU60 2D streams and PoseC3D), on the NTU-like
fixture samples: a data worker's whole call, the packed model inputs out."""
import os.path as osp
import sys

import numpy as np
import pytest

from conftest import ROOT, fixture_path

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import benchmark_pipeline  # noqa: E402


@pytest.mark.parametrize('stream,train_shape,test_shape', [
    ('j', (1, 2, 100, 17, 3), (10, 2, 100, 17, 3)),
    ('bm', (1, 2, 100, 17, 3), (10, 2, 100, 17, 3)),
])
def test_gcn_streams_time_the_config_pipelines(monkeypatch, stream, train_shape, test_shape):
    monkeypatch.setattr(benchmark_pipeline, 'ANN', fixture_path('ntu_like_2d_samples.pkl'))
    np.random.seed(0)
    train, test = benchmark_pipeline.datasets_pyskl(stream)
    assert len(train) == len(test) == 4
    ms, shape = benchmark_pipeline.time_dataset(train, 1)
    assert ms > 0 and shape == train_shape
    assert benchmark_pipeline.time_dataset(test, 1)[1] == test_shape
    assert np.isfinite(train[0]['inputs'].numpy()).all()


def test_config_names_follow_mmaction2():
    assert benchmark_pipeline._gcn_name('jm') == \
        'stgcnpp_8xb16-joint-motion-u100-80e_ntu60-xsub-keypoint-2d.py'
    assert osp.isfile(osp.join(ROOT, 'configs', 'stgcnpp', benchmark_pipeline._gcn_name('bm')))
