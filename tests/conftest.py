import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from pyskl.utils import register_all_modules, shared_data_root  # noqa: E402

register_all_modules()


def shared_path(*parts):
    """Path under the shared real data; fails on CI, skips elsewhere."""
    path = osp.join(shared_data_root(), *parts)
    if not osp.exists(path):
        msg = (f'shared data {path!r} is missing: put ../shared beside the repository '
               'or set PYSKL_SHARED_DATA')
        if os.environ.get('CI'):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def make_synthetic_ann(path, num_samples=4, num_classes=3, V=17, C=2, M=2, T=30,
                       with_score=True, seed=0):
    """A tiny annotation pickle in the PYSKL/MMAction2 format."""
    rng = np.random.RandomState(seed)
    anns = []
    for i in range(num_samples):
        t = T + i
        kp = rng.uniform(100, 500, size=(M, t, V, C)).astype(np.float32)
        ann = dict(frame_dir=f'S{i:03d}', label=i % num_classes, total_frames=t,
                   img_shape=(1080, 1920), original_shape=(1080, 1920), keypoint=kp)
        if with_score:
            ann['keypoint_score'] = rng.uniform(0.2, 1, size=(M, t, V)).astype(np.float32)
        anns.append(ann)
    names = [a['frame_dir'] for a in anns]
    train, val = names[: num_samples // 2 or 1], names[num_samples // 2:] or names
    data = dict(split={f'{b}_{s}': part for b in ('xsub', 'xview', 'xset')
                       for s, part in (('train', train), ('val', val))},
                annotations=anns)
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return data


@pytest.fixture(scope='session')
def jhmdb_ann(tmp_path_factory):
    """The real JHMDB poses converted by tools/data/jhmdb_ddnet.py."""
    src = shared_path('jhmdb_ddnet')
    sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
    import jhmdb_ddnet
    out = tmp_path_factory.mktemp('jhmdb') / 'jhmdb_gt.pkl'
    data = jhmdb_ddnet.convert(src)
    with open(out, 'wb') as f:
        pickle.dump(data, f)
    return str(out), data
