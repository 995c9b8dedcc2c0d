"""``Flip``: mirror skeletons horizontally and swap left/right joints."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.skeleton import get_layout
from pyskl.skeleton.layouts import swap_index
from .base import PoseTransform, sample_name


@TRANSFORMS.register_module()
class Flip(PoseTransform):
    """Horizontal flip of 2D keypoints in pixels: ``x -> w - x`` with ``w``
    from ``img_shape``, then every left joint trades places with its right
    partner (so a flipped left wrist becomes a right wrist, as in a mirrored
    video). Reference design: MMAction2 ``Flip`` for poses.

    Args:
        flip_ratio: probability of flipping.
        left_kp, right_kp: joint indices to swap (MMAction2 names); or
        layout: a layout name/dict whose ``flip_pairs`` give them.

    Required keys: ``keypoint`` (M, T, V, C>=2) pixels, ``img_shape`` (h, w).
    Optional keys: ``keypoint_score`` (M, T, V).
    Modified keys: ``keypoint``, ``keypoint_score``.
    Added keys: ``flip`` (bool), ``flip_direction`` ('horizontal').

    Raises:
        ValueError: neither pairs nor a layout given, pairs of unequal length,
            or joint indices beyond the sample's V.
    """

    required_keys = ('keypoint', 'img_shape')
    optional_keys = ('keypoint_score',)
    modified_keys = ('keypoint', 'keypoint_score')
    added_keys = ('flip', 'flip_direction')

    def __init__(self, flip_ratio: float = 0.5, left_kp: Optional[Sequence[int]] = None,
                 right_kp: Optional[Sequence[int]] = None, layout=None):
        if layout is not None:
            pairs = get_layout(layout).flip_pairs
            left_kp, right_kp = [a for a, _ in pairs], [b for _, b in pairs]
        if left_kp is None or right_kp is None or len(left_kp) != len(right_kp):
            raise ValueError('Flip needs a layout or left_kp/right_kp lists of equal length')
        self.flip_ratio = flip_ratio
        self.left_kp, self.right_kp = list(left_kp), list(right_kp)

    def transform(self, results: Dict) -> Dict:
        flip = np.random.rand() < self.flip_ratio
        results['flip'] = bool(flip)
        results['flip_direction'] = 'horizontal'
        if not flip:
            return results
        kp = results['keypoint']
        if kp.shape[-1] < 2:
            raise ValueError(f'Flip: sample {sample_name(results)!r} keypoint {kp.shape} has no x/y')
        idx = swap_index(kp.shape[2], self.left_kp, self.right_kp)
        w = results['img_shape'][1]
        kp = kp[..., idx, :].astype(np.float32)  # new array: swap left/right
        kp[..., 0] = w - kp[..., 0]
        results['keypoint'] = kp
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][..., idx]
        return results
