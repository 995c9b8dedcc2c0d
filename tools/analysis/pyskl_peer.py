"""PYSKL's own GCN backbones, run standalone for side-by-side measurements.

PYSKL (Duan et al., https://github.com/kennymckormick/pyskl) needs mmcv-full 1.x,
which does not install beside current PyTorch and NumPy 2. Its GCN backbones only
use a few mmcv names, so this loader imports the files of a PYSKL checkout
(``pyskl/models/gcns`` and ``pyskl/utils/graph.py``) as a package of their own
(``pyskl_ref``) with those names supplied: ``mmcv.cnn.build_norm_layer`` /
``build_activation_layer`` from mmcv-lite 2.x, ``mmcv.utils._BatchNorm`` (torch's),
``mmcv.runner.load_checkpoint`` (unused: nothing is loaded), the backbone registry.
Nothing of PYSKL is copied into this repository; the checkout is given by path.

    from pyskl_peer import build_pyskl_backbone
    backbone = build_pyskl_backbone('/path/to/pyskl', dict(type='DGSTGCN', ...))

Only for measurement scripts (``benchmark.py --impl pyskl-ref``); pyskl never
imports it.
"""
import importlib.util
import os.path as osp
import sys
import types


class _Registry:
    def __init__(self):
        self.modules = {}

    def register_module(self, *args, **kwargs):
        def wrap(cls):
            self.modules[cls.__name__] = cls
            return cls
        return wrap


def _package(name: str, path=None) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__path__ = [path] if path else []
    sys.modules[name] = mod
    return mod


def _load(name: str, path: str):
    is_pkg = osp.basename(path) == '__init__.py'
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[osp.dirname(path)] if is_pkg else None)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def load_pyskl_gcns(src: str) -> _Registry:
    """Import ``<src>/pyskl/models/gcns`` as ``pyskl_ref.models.gcns``; returns
    the registry its ``@BACKBONES.register_module()`` classes went to.

    Raises:
        FileNotFoundError: ``src`` is not a PYSKL checkout.
    """
    gcns = osp.join(src, 'pyskl', 'models', 'gcns')
    graph = osp.join(src, 'pyskl', 'utils', 'graph.py')
    if not (osp.isdir(gcns) and osp.isfile(graph)):
        raise FileNotFoundError(f'{src!r}: not a PYSKL checkout (no pyskl/models/gcns, '
                                'pyskl/utils/graph.py)')
    import torch.nn.modules.batchnorm as bn
    import mmcv
    import mmcv.cnn  # noqa: F401  (build_norm_layer, build_activation_layer: mmcv-lite 2.x)
    utils = sys.modules.get('mmcv.utils') or _package('mmcv.utils')
    utils._BatchNorm = bn._BatchNorm
    mmcv.utils = utils
    runner = types.ModuleType('mmcv.runner')
    runner.load_checkpoint = lambda *a, **k: None
    sys.modules['mmcv.runner'] = runner
    mmcv.runner = runner

    _package('pyskl_ref')
    ref_utils = _package('pyskl_ref.utils')
    graph_mod = _load('pyskl_ref.utils.graph', graph)
    ref_utils.graph = graph_mod
    ref_utils.Graph = graph_mod.Graph
    ref_utils.cache_checkpoint = lambda path: path
    _package('pyskl_ref.models')
    builder = types.ModuleType('pyskl_ref.models.builder')
    builder.BACKBONES = _Registry()
    sys.modules['pyskl_ref.models.builder'] = builder
    _load('pyskl_ref.models.gcns', osp.join(gcns, '__init__.py'))
    return builder.BACKBONES


def build_pyskl_backbone(src: str, cfg: dict):
    """PYSKL's backbone ``cfg['type']`` built with the other keys of ``cfg``."""
    registry = load_pyskl_gcns(src)
    cfg = dict(cfg)
    cls = registry.modules[cfg.pop('type')]
    return cls(**cfg)
