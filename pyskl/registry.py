"""All pyskl registries, as children of mmengine's root registries.

A config's ``type='X'`` resolves to ``class X`` registered here (registry name
= class name). ``locations`` lets mmengine import the defining modules on
demand, so building from a config never falls back to mmengine's
"failed to search registry" path. Configs set ``default_scope = 'pyskl'``.

Building from a config goes through :func:`naming_build`: an argument the
class does not take raises ``TypeError`` naming the class and the argument
(Python's own message names only the function, e.g. a base class's
``__init__``), the one policy for unknown arguments (:mod:`pyskl.utils.compat`).
"""
import functools
import inspect

from mmengine.registry import build_from_cfg
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry


def _unknown_args(cls, args) -> list:
    """Arguments of ``args`` that ``cls.__init__`` cannot take ([] if it has **kwargs)."""
    if cls.__init__ is object.__init__:
        return sorted(args)
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return []
    return sorted(set(args) - set(params))


def naming_build(build_func):
    """Wrap a registry build function: a ``TypeError`` raised while building
    ``cfg['type']`` is re-raised with the class name and, when they can be
    told, the unexpected arguments."""
    @functools.wraps(build_func)
    def build(cfg, registry, default_args=None):
        try:
            return build_func(cfg, registry, default_args=default_args)
        except TypeError as e:
            kind = cfg.get('type') if hasattr(cfg, 'get') else None
            cls = registry.get(kind) if isinstance(kind, str) else kind
            name = getattr(cls, '__name__', str(kind))
            if cls is None or str(e).startswith(f'{name}:'):
                raise
            unknown = _unknown_args(cls, [k for k in cfg if k != 'type'])
            what = f'unexpected argument(s) {unknown}' if unknown else str(e)
            raise TypeError(f'{name}: {what}') from e
    return build


def _child(name, parent, locations):
    return Registry(name, parent=parent, locations=locations,
                    build_func=naming_build(parent.build_func or build_from_cfg))

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['pyskl.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['pyskl.engine'])
HOOKS = _child('hook', MMENGINE_HOOKS, ['pyskl.engine'])
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMENGINE_LOG_PROCESSORS, locations=['pyskl.engine'])

DATASETS = _child('dataset', MMENGINE_DATASETS, ['pyskl.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['pyskl.datasets'])
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS, ['pyskl.datasets.transforms'])

MODELS = _child('model', MMENGINE_MODELS, ['pyskl.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['pyskl.models'])

OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS, locations=['pyskl.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['pyskl.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['pyskl.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS, locations=['pyskl.engine'])

METRICS = _child('metric', MMENGINE_METRICS, ['pyskl.evaluation'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, locations=['pyskl.evaluation'])

VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS, locations=['pyskl.engine'])
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS, locations=['pyskl.engine'])
