import gc
import math
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from pyskl.utils import register_all_modules  # noqa: E402

register_all_modules()

FIXTURES = osp.join(ROOT, 'tests', 'data')


def shared_data_root() -> str:
    """``$PYSKL_SHARED_DATA`` if set, else ``<repo>/../shared/data``: the real data
    (videos, released checkpoints, whole datasets) too large for ``tests/data``."""
    return os.environ.get('PYSKL_SHARED_DATA', osp.join(osp.dirname(ROOT), 'shared', 'data'))


def free_port() -> str:
    """A TCP port nobody listens on now (for torchrun rendezvous), so that two
    suites on one machine never share a port."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def fixture_path(name):
    """A file of ``tests/data`` (small real excerpts, shipped with the repository)."""
    path = osp.join(FIXTURES, name)
    assert osp.isfile(path), f'test fixture {path!r} is missing from the checkout'
    return path


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'shared: needs the real data of ../shared/data (PYSKL_SHARED_DATA); '
        'skipped without it (fails on CI); tests/README.md lists them')


def _freeze_survivors():
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session):
    """Objects alive once the tests are collected (imported modules, torch's and
    mmengine's registries) and, after each test module, what that module left
    alive are moved to the garbage collector's permanent generation: the suite
    builds many datasets and each one ends with a full collection
    (mmengine's ``_serialize_data``), which otherwise walks every object of the
    session again -- measured at about a third of the suite's time (tests/README.md).
    Frozen objects are still freed by reference counting."""
    _freeze_survivors()


@pytest.hookimpl(trylast=True)     # after pytest's own teardown has finalised the fixtures
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or nextitem.module is not item.module:
        _freeze_survivors()


def shared_path(*parts):
    """Path under the shared real data; fails on CI, skips elsewhere. Tests that
    call it carry ``@pytest.mark.shared`` (``tests/test_suite_layout.py`` checks)."""
    path = osp.join(shared_data_root(), *parts)
    if not osp.exists(path):
        msg = (f'shared data {path!r} is missing: put ../shared beside the repository '
               'or set PYSKL_SHARED_DATA')
        if os.environ.get('CI'):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


F32_EPS = float(np.finfo(np.float32).eps)


def f32_tolerance(desired, terms: int, layers: int = 1) -> float:
    """Largest difference two float32 computations of the same values may show:
    ``4 * eps32 * sqrt(terms * layers) * max|desired|``.

    A float32 sum of ``terms`` products carries a rounding error of about
    ``eps32 * sqrt(terms)`` relative to its magnitude when the kernels (CPU
    instruction set, thread count, blocking, onnxruntime vs torch) add in another
    order; ``layers`` such sums in sequence add their errors, again as a square
    root. ``terms`` is the longest reduction of one layer (C_in x kernel size), and
    the bound is relative to the largest |value| of the reference output, never
    per element: a value near zero inherits the absolute error of its neighbours.
    A wrong computation differs by orders of magnitude more.
    """
    scale = float(np.max(np.abs(np.asarray(desired, dtype=np.float64)))) if np.size(desired) else 0.
    return 4 * F32_EPS * math.sqrt(terms * layers) * scale


def assert_close_f32(actual, desired, terms: int, layers: int = 1, msg: str = '',
                     scale=None):
    """``actual`` equals ``desired`` within :func:`f32_tolerance` (shapes equal,
    non-finite values in the same places). ``scale``: the magnitude the errors
    scale with when it is not ``desired``'s own (the gradients of a whole model:
    a bias before a training-mode BatchNorm has a zero gradient up to the
    rounding of the others)."""
    import torch
    a = actual.detach().cpu().double().numpy() if isinstance(actual, torch.Tensor) \
        else np.asarray(actual, dtype=np.float64)
    d = desired.detach().cpu().double().numpy() if isinstance(desired, torch.Tensor) \
        else np.asarray(desired, dtype=np.float64)
    assert a.shape == d.shape, f'{msg} shapes {a.shape} vs {d.shape}'
    fa, fd = np.isfinite(a), np.isfinite(d)
    assert (fa == fd).all() and (a[~fa] == d[~fd]).all(), f'{msg} non-finite values differ'
    tol = f32_tolerance(d[fd] if scale is None else [float(scale)], terms, layers)
    err = float(np.max(np.abs(a[fa] - d[fd]))) if fa.any() else 0.
    assert err <= tol, (f'{msg} max |difference| {err:.3g} > {tol:.3g} = 4 eps32 sqrt({terms} '
                        f'terms x {layers} layers) x max|ref| {np.max(np.abs(d[fd])):.4g}')


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
def jhmdb_ann():
    """The real JHMDB poses shipped in ``data/jhmdb/jhmdb_gt.pkl.gz`` (path, contents)."""
    from pyskl.datasets.pose_dataset import load_annotation_file
    path = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')
    data = load_annotation_file(path)
    return path, data


def tiny_jhmdb_train_cfg(ann, work_dir, flags=(), n_train=2):
    """The JHMDB ST-GCN++ config as ``tools/train.py CONFIG *flags`` makes it
    (``load_config`` + ``merge_args``), cut to one epoch of ``n_train`` clips in
    batches of 2, clip length 8, no validation, quiet logs: for tests that build
    the runner themselves."""
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import train as train_tool
    from pyskl.engine import load_config
    cfg = load_config(osp.join(ROOT, 'configs', 'stgcnpp',
                               'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py'),
                      {'ann_file': ann, 'clip_len': 8})
    cfg = train_tool.merge_args(cfg, train_tool.parse_args(['x.py', *flags]))
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader.dataset.dataset.indices = n_train
    cfg.train_dataloader.dataset.times = 1
    cfg.train_dataloader.batch_size = 2
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.max_epochs = 1
    cfg.log_level = 'WARNING'
    return cfg
