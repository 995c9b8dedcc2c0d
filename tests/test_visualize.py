"""tools/visualize_heatmap_volume.py renders skeleton | keypoint | limb panels."""
import os.path as osp
import sys

import pytest
from PIL import Image

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools'))
import visualize_heatmap_volume as vis  # noqa: E402


def test_gif_of_a_real_jhmdb_sample(jhmdb_ann, tmp_path):
    ann, data = jhmdb_ann
    out = str(tmp_path / 'v.gif')
    name = data['annotations'][3]['frame_dir']
    vis.main([ann, '--sample', name, '--layout', 'jhmdb', '--clip-len', '6', '--size', '32',
              '--scale', '2', '--out', out])
    im = Image.open(out)
    assert im.n_frames == 6
    assert im.size == (3 * (64 + 8), 64 + 8)       # three padded 64-pixel panels
    kp, score, kv, lv = vis.volumes(data['annotations'][3], 'jhmdb', 6, 32, 0.6)
    assert kv.shape == (6, 15, 32, 32) and lv.shape == (6, 14, 32, 32)
    assert kv.max() > 0.9 and lv.max() > 0.9


def test_unknown_sample_is_a_clear_error(jhmdb_ann):
    ann, _ = jhmdb_ann
    with pytest.raises(KeyError, match='no sample'):
        vis.load_sample(ann, 'no_such_clip')
