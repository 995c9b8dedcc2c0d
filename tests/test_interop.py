"""MMAction2 1.2.0 checkpoints load with no key changes and give MMAction2's own
test scores through tools/test.py and our configs of the same models.

The reference scores were computed by MMAction2 1.2.0 itself in a scratch
virtualenv (``tools/analysis/interop_scores.py --impl mmaction2``) and are kept
in ``tests/data/mmaction2_1.2.0_interop_scores.json``; MMAction2 is not needed
here.
"""
import json
import os.path as osp
import sys

import numpy as np
import pytest

from conftest import ROOT, assert_close_f32, fixture_path, shared_path

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import interop_scores  # noqa: E402

with open(osp.join(ROOT, 'tests', 'data', 'mmaction2_1.2.0_interop_scores.json')) as f:
    REFERENCE = json.load(f)['scores']


@pytest.mark.shared
@pytest.mark.parametrize('name,samples', [('stgcnpp_bone', 4), ('posec3d_keypoint', 1)])
def test_mmaction2_checkpoint_gives_mmaction2_scores(name, samples, tmp_path):
    ann = fixture_path('ntu_like_2d_samples.pkl')
    shared_path('interop', interop_scores.MODELS[name][0])
    got = interop_scores.run_pyskl(name, ann, str(tmp_path), num_samples=samples)
    assert len(got) == samples
    for k, scores in got.items():
        want = np.array(REFERENCE[name][k])
        assert want.shape == (60,)
        # ST-GCN++ (256 ch x 9 frames) / SlowOnly-R50 (512 ch x 27) against MMAction2's run
        assert_close_f32(scores, want, terms=16384, layers=30, msg=k)
        assert int(np.argmax(scores)) == int(np.argmax(want))
