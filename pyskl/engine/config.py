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

import ast
import copy
import os.path as osp
import re
from typing import Any, Dict, Iterable, List, Optional, Set

from mmengine.config import Config, ConfigDict
from mmengine.config import DictAction as _MMEngineDictAction

_PLACEHOLDER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*)\}')


class ConfigError(ValueError):
    """A config that cannot be read, holds a value out of its range or a key
    nothing reads (names the config file and the key)."""


class ConfigKeyError(ConfigError, KeyError):
    """A config names a key it does not have (a ``{name}`` placeholder)."""


_SCALAR = (str, int, float, bool, type(None))


def is_leaf(value: Any) -> bool:
    """A value a variable may stand for: a scalar, a list / tuple of scalars or
    of rows of scalars (joint pairs ``[[0, 5], [0, 6]]``), or a dict of scalars that is one argument's value rather than a component (no
    ``type`` key: ``clip_len=dict(RGB=8, Pose=32)``)."""
    if isinstance(value, _SCALAR):
        return True
    if isinstance(value, (list, tuple)):      # scalars, or rows of them (joint pairs)
        return all(isinstance(v, _SCALAR) or (isinstance(v, (list, tuple)) and
                                              all(isinstance(x, _SCALAR) for x in v))
                   for v in value)
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
                raise ConfigKeyError(f'config value {value!r} at {where} names {{{n}}}, which is '
                                     'not a top-level key of the config')
            if not is_leaf(variables[n]):
                raise ValueError(
                    f'config value {value!r} at {where}: variable {n!r} is a '
                    f'{type(variables[n]).__name__} of config structure; variables stand for '
                    'numbers, strings, bools, None, lists of those (or of rows of those) or a '
                    "dict of those without 'type' -- write the structure where it is used")
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


class RunConfig(Config):
    """A ``Config`` whose ``pretty_text`` is formatted once per content.

    mmengine formats the whole config with yapf (about 0.1-0.3 s) for the log, for
    ``work_dir``'s copy of the config and again inside **every checkpoint** it
    saves. The runner's config does not change between saves, so the formatted
    text is kept and reused while the config's content (``repr`` of ``to_dict()``,
    computed on each call) is the same; any change formats it again. The text is
    identical to ``Config.pretty_text``.
    """

    @classmethod
    def of(cls, cfg: Config) -> 'RunConfig':
        """The same config (shared, not copied) as a ``RunConfig``."""
        out = cls.__new__(cls)
        out.__setstate__(cfg.__getstate__())
        return out

    @property
    def pretty_text(self) -> str:
        key = (repr(self.to_dict()), self._format_python_code)
        cached = self.__dict__.get('_pretty_cache')
        if cached is None or cached[0] != key:
            cached = (key, Config.pretty_text.fget(self))
            object.__setattr__(self, '_pretty_cache', cached)
        return cached[1]


class DictAction(_MMEngineDictAction):
    """mmengine's ``--cfg-options key=value`` action; an item without ``=`` is a
    usage error naming it (mmengine raises a bare ValueError)."""

    def __call__(self, parser, namespace, values, option_string=None):
        bad = [v for v in values if '=' not in v]
        if bad:
            parser.error(f'{option_string}: {bad} must be key=value (e.g. split=2, '
                         'train_cfg.max_epochs=3)')
        super().__call__(parser, namespace, values, option_string)


def _positive_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


#: variables of the family bases and what they must hold
VARIABLE_RULES = {
    'clip_len': ('a positive int (or a dict of them: RGB / Pose)',
                 lambda v: _positive_int(v) or (isinstance(v, dict) and v and
                                                all(_positive_int(x) for x in v.values()))),
    'num_classes': ('a positive int', _positive_int),
    'num_epochs': ('a positive int', _positive_int),
    'repeat_times': ('a positive int', _positive_int),
    'split': ('an int or a string', lambda v: isinstance(v, (int, str)) and not isinstance(v, bool)),
    'feats': ('a non-empty list of streams (j, b, jm, bm, ...)',
              lambda v: isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v)),
    'ann_file': ('a file name', lambda v: isinstance(v, str) and v != ''),
}


def check_values(cfg: Config, path: str) -> None:
    """Check the family variables and a few Runner values against their range.

    Raises:
        ConfigError: names the key, its value, what it must be, and the file.
    """
    d = cfg._cfg_dict
    for key, (what, ok) in VARIABLE_RULES.items():
        if key in d and not ok(d[key]):
            raise ConfigError(f'config {path!r}: {key} = {d[key]!r} must be {what}')
    checks = [('train_cfg.max_epochs', lambda c: c.get('train_cfg', {}).get('max_epochs')),
              ('model.cls_head.num_classes',
               lambda c: (c.get('model', {}).get('cls_head') or {}).get('num_classes'))]
    for key, get in checks:
        v = get(d)
        if v is not None and not _positive_int(v):
            raise ConfigError(f'config {path!r}: {key} = {v!r} must be a positive int')
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = d.get(name) or {}
        v = loader.get('batch_size')
        if v is not None and not _positive_int(v):
            raise ConfigError(f'config {path!r}: {name}.batch_size = {v!r} must be a positive '
                              'int')
        times = (loader.get('dataset') or {}).get('times')
        if times is not None and not _positive_int(times):
            raise ConfigError(f'config {path!r}: {name}.dataset.times = {times!r} must be a '
                              'positive int')
        ds = loader.get('dataset') or {}
        ds = ds.get('dataset', ds) if isinstance(ds, dict) else {}
        sampler = (loader.get('sampler') or {}).get('type')
        if isinstance(ds, dict) and ds.get('class_prob') is not None and \
                sampler != 'ClassSpecificDistributedSampler':
            raise ConfigError(f'config {path!r}: {name} sets class_prob on its dataset but '
                              f'samples with {sampler!r}; class_prob takes effect with '
                              "sampler=dict(type='ClassSpecificDistributedSampler')")


#: top-level keys that mmengine's Runner, the project's Runner and tools read
READ_KEYS = frozenset((
    'auto_scale_lr', 'custom_hooks', 'data_preprocessor', 'default_hooks', 'default_scope',
    'env_cfg', 'experiment_name', 'launcher', 'load_from', 'log_level', 'log_processor',
    'model', 'optim_wrapper', 'param_scheduler', 'randomness', 'resume', 'test_cfg',
    'test_dataloader', 'test_evaluator', 'train_cfg', 'train_dataloader', 'val_cfg',
    'val_dataloader', 'val_evaluator', 'visualizer', 'work_dir', 'runner_type',
    'model_wrapper_cfg', 'find_unused_parameters', 'load_partial', 'strict_load', 'compile',
    'test_pipeline', 'val_pipeline', 'train_pipeline', 'layout', 'max_testing_views',
    'dist_params', 'custom_imports', 'custom_keys', 'vis_backends', 'log_config',
    'checkpoint_config', 'evaluation', 'total_epochs', 'cudnn_benchmark', 'opencv_num_threads',
    'mp_start_method', 'workflow', 'gpu_ids', 'filename', 'text', 'pretty_text'))


def _base_files(path: str, seen: Optional[Set[str]] = None) -> List[str]:
    """``path`` and the files its ``_base_`` chain names (Python configs)."""
    seen = set() if seen is None else seen
    path = osp.abspath(path)
    if path in seen or not path.endswith('.py') or not osp.isfile(path):
        return []
    seen.add(path)
    out = [path]
    try:
        tree = ast.parse(open(path).read(), path)
    except SyntaxError:
        return out
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            try:
                bases = ast.literal_eval(node.value)
            except ValueError:
                continue
            for b in [bases] if isinstance(bases, str) else list(bases):
                out += _base_files(osp.join(osp.dirname(path), b), seen)
    return out


def _loaded_names(files: Iterable[str]) -> Set[str]:
    names: Set[str] = set()
    for f in files:
        try:
            tree = ast.parse(open(f).read(), f)
        except SyntaxError:
            continue
        names |= {n.id for n in ast.walk(tree)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return names


def _placeholder_names(value: Any, out: Set[str]) -> Set[str]:
    if isinstance(value, str):
        out.update(_PLACEHOLDER.findall(value))
    elif isinstance(value, dict):
        for v in value.values():
            _placeholder_names(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _placeholder_names(v, out)
    return out


def _assigned_names(path: str) -> Set[str]:
    try:
        tree = ast.parse(open(path).read(), path)
    except (OSError, SyntaxError):
        return set()
    return {t.id for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def placeholder_names(cfg: Config) -> Set[str]:
    """The names the ``'{name}'`` placeholders of ``cfg`` refer to."""
    d = cfg._cfg_dict
    return _placeholder_names(d.to_dict() if hasattr(d, 'to_dict') else dict(d), set())


def check_unread_keys(cfg: Config, path: str, cfg_options: Optional[Dict] = None,
                      placeholders: Optional[Set[str]] = None) -> None:
    """Refuse top-level keys, set by the config file itself or by
    ``--cfg-options``, that nothing reads: a misspelt ``num_epoch = 3`` or a
    variable the family base does not use would otherwise be ignored.
    (A base's own variables that a child made moot are not the user's doing
    and are left alone.)

    A key is read when the Runner or a tool reads it (:data:`READ_KEYS`),
    when a ``'{name}'`` placeholder names it, or when the config's Python
    code (the file or its ``_base_`` files) uses it as a variable. Keys of
    your own that only your code reads: list them in ``custom_keys = [...]``.

    Raises:
        ConfigError: names the unread keys, the config file and the variables
            the config does have.
    """
    d = cfg._cfg_dict
    used = set(placeholder_names(cfg) if placeholders is None else placeholders)
    used |= _loaded_names(_base_files(path))
    custom = d.get('custom_keys') or ()
    mine = _assigned_names(path) | {k.split('.')[0] for k in (cfg_options or {})}
    unread = sorted(k for k in d if k in mine and k not in READ_KEYS and k not in used
                    and k not in custom and not k.startswith('_'))
    if unread:
        variables = sorted(k for k in d if k in used and k not in READ_KEYS
                           and not isinstance(d[k], dict))
        raise ConfigError(f'config {path!r}: top-level key(s) {unread} are read by nothing (a '
                       f'misspelling?). Its variables: {variables}. A key of your own '
                       "that your code reads goes in custom_keys = ['name', ...].")


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read a config the way every pyskl tool does: ``Config.fromfile``, then
    ``--cfg-options`` (dotted keys) merged, then the variables resolved.

    Raises:
        FileNotFoundError: no such config file.
        ConfigError: the config (or a base) is not valid Python, its bases
            form a cycle, or a value is out of range (:func:`check_values`).
        KeyError / ValueError: an unread top-level key
            (:func:`check_unread_keys`), a bad variable
            (:func:`resolve_variables`).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path!r} does not exist')
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, RecursionError, ImportError, NameError, TypeError, KeyError,
            AttributeError, ValueError, FileNotFoundError) as e:
        where = (f' ({e.filename}, line {e.lineno})'
                 if isinstance(e, SyntaxError) and e.filename else '')
        msg = 'its _base_ files include each other in a cycle' \
            if isinstance(e, RecursionError) else f'{type(e).__name__}: {e}'
        raise ConfigError(f'config {path!r} cannot be read{where}: {msg}') from e
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    placeholders = placeholder_names(cfg)
    cfg = resolve_variables(cfg)        # a misspelt {name} is reported first
    check_unread_keys(cfg, path, cfg_options, placeholders)
    check_values(cfg, path)
    return cfg
