"""Loading a config: ``--cfg-options``, late-bound variables, the heatmap switch.

``load_config`` is how every pyskl tool (train, test, the inference API, the
analysis tools) reads a config:

1. ``Config.fromfile`` (mmengine ``_base_`` inheritance);
2. ``--cfg-options`` merged (``cfg_options``);
3. **late-bound variables**: a string value ``'{name}'`` anywhere in the
   config, where ``name`` is a top-level key, is replaced by that key's value
   (any type); a longer string containing ``{name}`` gets ``str(value)`` in its
   place (``split='train{split}'``). Because this happens after inheritance and
   after ``--cfg-options``, a child config or a command line changes a stream,
   a split or a data file with one top-level key (``feats = ['b']``,
   ``--cfg-options split=2``) -- mmengine itself evaluates a base file's
   pipelines before the child can change the variables they were built from.
   A placeholder naming no top-level key raises ``KeyError``;
4. ``heatmap_on_device = True`` (PoseC3D configs): heatmap drawing moves from
   the pipelines into the model's data preprocessor (:func:`heatmap_on_device`).
"""
from __future__ import annotations

import copy
import re
from typing import Any, Dict, Optional

from mmengine.config import Config, ConfigDict

_PLACEHOLDER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*)\}')


def _substitute(value: Any, variables: Dict[str, Any], where: str) -> Any:
    if isinstance(value, str):
        names = _PLACEHOLDER.findall(value)
        if not names:
            return value
        for n in names:
            if n not in variables:
                raise KeyError(f'config value {value!r} at {where} names {{{n}}}, which is not a '
                               f'top-level key of the config')
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
    docstring). Top-level values may use placeholders too (resolved first).

    Raises:
        KeyError: a placeholder that names no top-level key.
        ValueError: placeholders that refer to each other in a cycle.
    """
    variables = {k: v for k, v in cfg._cfg_dict.items()}
    for _ in range(10):
        new = {k: _substitute(v, variables, k) for k, v in variables.items()}
        if new == variables:
            break
        variables = new
    else:
        raise ValueError('config variables refer to each other in a cycle')
    for k, v in variables.items():
        cfg[k] = ConfigDict(v) if isinstance(v, dict) and not isinstance(v, ConfigDict) else v
    return cfg


def _dataloader_pipelines(cfg: Config):
    """``(owner dict, key)`` of every dataset pipeline in the dataloaders."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = (cfg.get(name) or {}).get('dataset')
        while isinstance(ds, dict):
            if 'pipeline' in ds:
                yield ds
            ds = ds.get('dataset')


def heatmap_on_device(cfg: Config) -> Config:
    """Move PoseC3D heatmap drawing onto the model's device, in place.

    Every pipeline's ``GeneratePoseTarget`` and what follows it are replaced by
    ``FormatGCNInput(num_person=cfg.num_person or 2)`` + ``PackActionInputs``,
    so the CPU pipeline ships keypoints (x, y, score); the model gets an
    ``ActionDataPreprocessor`` whose ``heatmap`` holds the test pipeline's
    ``GeneratePoseTarget`` arguments (flip doubling at test time only), and
    ``test_cfg.max_testing_views`` (default 2) bounds how many views are drawn
    and classified at once.

    Raises:
        ValueError: a pipeline without ``GeneratePoseTarget``.
    """
    tail = [dict(type='FormatGCNInput', num_person=cfg.get('num_person', 2)),
            dict(type='PackActionInputs')]
    target = None
    for ds in _dataloader_pipelines(cfg):
        pipe = list(ds['pipeline'])
        idx = [i for i, t in enumerate(pipe) if t.get('type') == 'GeneratePoseTarget']
        if not idx:
            raise ValueError('heatmap_on_device: a dataloader pipeline has no '
                             'GeneratePoseTarget')
        if target is None or ds.get('test_mode'):
            target = dict(pipe[idx[0]])
        ds['pipeline'] = pipe[:idx[0]] + copy.deepcopy(tail)
    for key in ('train_pipeline', 'val_pipeline', 'test_pipeline'):
        pipe = cfg.get(key)
        if pipe:
            idx = [i for i, t in enumerate(pipe) if t.get('type') == 'GeneratePoseTarget']
            if idx:
                cfg[key] = list(pipe[:idx[0]]) + copy.deepcopy(tail)
    cfg.model.data_preprocessor = dict(type='ActionDataPreprocessor', heatmap=target)
    cfg.model.setdefault('test_cfg', {})
    cfg.model.test_cfg.setdefault('max_testing_views', 2)
    return cfg


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Read a config the way every pyskl tool does (module docstring).

    Args:
        path: the config file.
        cfg_options: ``--cfg-options`` key/values (dotted keys), merged before
            the variables are resolved.

    Raises:
        KeyError / ValueError: from :func:`resolve_variables` or
            :func:`heatmap_on_device`.
    """
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    resolve_variables(cfg)
    if cfg.get('heatmap_on_device'):
        heatmap_on_device(cfg)
    return cfg
