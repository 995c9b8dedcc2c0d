"""Base class of pose pipeline transforms: declared result keys, checked.

Every transform declares, as class attributes, the result keys it
``required_keys`` (must be present), ``optional_keys`` (read when present),
``added_keys``, ``modified_keys`` and ``removed_keys``. A missing required
key raises a ``KeyError`` naming the transform and the sample; a test runs
every registered transform and checks that what it really adds, modifies and
removes matches its declaration. The glossary of keys is ``docs/keys.md``.
"""
from __future__ import annotations

from typing import Dict, Tuple

from mmcv.transforms import BaseTransform


def sample_name(results: Dict) -> str:
    """Human-readable id of a sample for error messages."""
    return str(results.get('frame_dir', results.get('filename', '<unnamed sample>')))


class PoseTransform(BaseTransform):
    """Base of every pyskl transform (an mmcv ``BaseTransform``)."""

    required_keys: Tuple[str, ...] = ()
    optional_keys: Tuple[str, ...] = ()
    added_keys: Tuple[str, ...] = ()
    modified_keys: Tuple[str, ...] = ()
    removed_keys: Tuple[str, ...] = ()

    def __call__(self, results: Dict) -> Dict:
        missing = [k for k in self.required_keys if k not in results]
        if missing:
            raise KeyError(f'{type(self).__name__}: sample {sample_name(results)!r} has no '
                           f'result key(s) {missing}; present keys: {sorted(results)}')
        return self.transform(results)

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items() if not k.startswith('_'))
        return f'{type(self).__name__}({args})'
