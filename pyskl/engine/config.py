"""Reading a config: mmengine's ``Config`` plus late-bound scalar variables.

A config is a plain mmengine Python config: at most its own file and one family
base in ``configs/_base_/`` hold the model, the pipelines, the dataloaders and the
schedule (``default_runtime.py`` adds hooks and logging). ``Config.fromfile``
reads every config as it is.

One thing is added, so that a child or a command line changes a stream, a split or
a data file with one top-level key (``feats = ['b']``, ``--cfg-options split=2``):
**late-bound variables**. A string ``'{name}'`` in the config, where ``name`` is a
top-level key, is replaced by that key's value; inside a longer string, ``{name}``
is replaced by ``str(value)`` (``split='train{split}'``). Because this happens after
``_base_`` inheritance and after ``--cfg-options``, the child's or the command
line's value is the one used everywhere (mmengine evaluates a base file before its
child can change the variables it was written with). Variables stand for leaf
values only -- a number, a string, a bool, ``None``, a list / tuple of those, or a
dict of those that is one argument's value (``clip_len=dict(RGB=8, Pose=32)``) --
never for a transform, a pipeline or another part of the config's structure, which
is always written out where it is used.

The variables are resolved wherever the project builds a Runner or a model from a
config: :func:`load_config` (every tool), :func:`pyskl.engine.build_runner` and
``StrictLoadRunner.from_cfg`` (so ``build_runner(Config.fromfile(path))`` runs any
config), and :func:`pyskl.apis.init_recognizer`. A dataset built from an unresolved
config refuses ``'{ann_file}'`` with a message saying so.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Dict, Optional

from mmengine.config import Config, ConfigDict

_PLACEHOLDER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*)\}')


_SCALAR = (str, int, float, bool, type(None))


def is_leaf(value: Any) -> bool:
    """A value a variable may stand for: a scalar, a list / tuple of scalars, or
    a dict of scalars that is one argument's value rather than a component (no
    ``type`` key: ``clip_len=dict(RGB=8, Pose=32)``)."""
    if isinstance(value, _SCALAR):
        return True
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, _SCALAR) for v in value)
    if isinstance(value, dict):
        return 'type' not in value and all(isinstance(v, _SCALAR) or (
            isinstance(v, (list, tuple)) and all(isinstance(x, _SCALAR) for x in v))
            for v in value.values())
    return False


def _substitute(value: Any, variables: Dict[str, Any], where: str) -> Any:
    if isinstance(value, str):
        names = _PLACEHOLDER.findall(value)
        if not names:
            return value
        for n in names:
            if n not in variables:
                raise KeyError(f'config value {value!r} at {where} names {{{n}}}, which is not a '
                               f'top-level key of the config')
            if not is_leaf(variables[n]):
                raise ValueError(
                    f'config value {value!r} at {where}: variable {n!r} is a '
                    f'{type(variables[n]).__name__} of config structure; variables stand for '
                    'numbers, strings, bools, None, lists of those or a dict of those without '
                    "'type' -- write the structure where it is used")
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return copy.deepcopy(variables[whole.group(1)])
        return _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), value)
    if isinstance(value, dict):
        return type(value)({k: _substitute(v, variables, f'{where}.{k}') for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, variables, f'{where}[{i}]')
                           for i, v in enumerate(value))
    return value


def resolve_variables(cfg: Config) -> Config:
    """Replace the late-bound ``{name}`` placeholders of ``cfg`` in place (module
    docstring). Top-level leaf values may use placeholders too (resolved first).
    A config without placeholders is returned unchanged.

    Raises:
        KeyError: a placeholder that names no top-level key.
        ValueError: a placeholder for a value that is not a leaf (a dict, a list of
            dicts), or variables that refer to each other in a cycle.
    """
    variables = {k: v for k, v in cfg._cfg_dict.items()}
    for _ in range(10):
        new = {k: (_substitute(v, variables, k) if is_leaf(v) else v)
               for k, v in variables.items()}
        if new == variables:
            break
        variables = new
    else:
        raise ValueError('config variables refer to each other in a cycle')
    for k, v in variables.items():
        v = _substitute(v, variables, k)
        cfg[k] = ConfigDict(v) if isinstance(v, dict) and not isinstance(v, ConfigDict) else v
    return cfg


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read a config the way every pyskl tool does: ``Config.fromfile``, then
    ``--cfg-options`` (dotted keys) merged, then the variables resolved.

    Raises:
        KeyError / ValueError: from :func:`resolve_variables`.
    """
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return resolve_variables(cfg)
