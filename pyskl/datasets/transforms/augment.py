"""Skeleton-level augmentations: ``RandomScale``, ``RandomRot``."""
from __future__ import annotations

from typing import Dict, Sequence, Union

import numpy as np

from pyskl.registry import TRANSFORMS
from .base import PoseTransform
from .functional import random_rotation_2d, rotation_3d


@TRANSFORMS.register_module()
class RandomScale(PoseTransform):
    """Scale every coordinate channel by ``1 + U(-s, s)`` (one factor per
    channel, shared by all persons, frames and joints).

    Reference design: PYSKL ``RandomScale`` (ST-GCN++ 3D recipe). Every
    channel of ``keypoint`` is scaled, so use it on coordinates only: before
    ``GenSkeFeat`` for 2D data (a separate ``keypoint_score`` is untouched).

    Args:
        scale: ``s`` -- a float for all channels or one per channel.

    Required keys: ``keypoint`` (M, T, V, C). Modified keys: ``keypoint``.

    Raises:
        ValueError: per-channel ``scale`` of the wrong length.
    """

    required_keys = ('keypoint',)
    modified_keys = ('keypoint',)

    def __init__(self, scale: Union[float, Sequence[float]] = 0.2):
        self.scale = scale

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        C = kp.shape[-1]
        s = np.broadcast_to(np.asarray(self.scale, dtype=np.float64), (C,)) \
            if np.ndim(self.scale) == 0 else np.asarray(self.scale, dtype=np.float64)
        if len(s) != C:
            raise ValueError(f'RandomScale: {len(s)} scales for {C} channels')
        factor = 1 + np.random.uniform(-1, 1, size=C) * s
        results['keypoint'] = (kp * factor).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class RandomRot(PoseTransform):
    """Rotate skeletons about the origin by random angles in ``[-theta, theta]``.

    2 channels: one in-plane angle. 3 channels: angles about x, y and z,
    ``R = Rz @ Ry @ Rx``. All-zero samples are returned unchanged. For 2D
    data apply it before ``GenSkeFeat`` merges the score into a third channel.
    Reference design: PYSKL ``RandomRot``, without its 2D bug
    (``np.random.uniform(-theta)`` samples [-theta, 1)).

    Args:
        theta: maximum angle, radians.

    Required keys: ``keypoint`` (M, T, V, 2|3). Modified keys: ``keypoint``.

    Raises:
        ValueError: C not in (2, 3).
    """

    required_keys = ('keypoint',)
    modified_keys = ('keypoint',)

    def __init__(self, theta: float = 0.3):
        self.theta = theta

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        C = kp.shape[-1]
        if C not in (2, 3):
            raise ValueError(f'RandomRot: keypoint must have 2 or 3 channels, got {kp.shape}')
        if np.allclose(kp, 0):
            return results
        if C == 3:
            rot = rotation_3d(np.random.uniform(-self.theta, self.theta, size=3))
        else:
            rot = random_rotation_2d(np.random.uniform(-self.theta, self.theta))
        results['keypoint'] = np.einsum('ab,mtvb->mtva', rot, kp).astype(np.float32)
        return results
