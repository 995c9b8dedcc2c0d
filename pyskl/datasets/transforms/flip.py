"""``Flip`` (2D) and ``Flip3D``: mirror skeletons and swap left/right joints."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.skeleton import get_layout
from pyskl.skeleton.layouts import swap_index
from .base import PoseTransform, sample_name
from .functional import flip_keypoints


def flip_pairs(name: str, layout, left_kp, right_kp) -> Tuple[List[int], List[int]]:
    """The (left, right) joint lists a flip swaps: a layout's ``flip_pairs``
    where ``layout`` is given, else ``left_kp`` / ``right_kp``.

    Raises:
        ValueError: (naming the transform ``name``) neither given, or lists of
            unequal length.
    """
    if layout is not None:
        pairs = get_layout(layout).flip_pairs
        left_kp, right_kp = [a for a, _ in pairs], [b for _, b in pairs]
    if left_kp is None or right_kp is None or len(left_kp) != len(right_kp):
        raise ValueError(f'{name} needs a layout or left_kp/right_kp lists of equal length')
    return list(left_kp), list(right_kp)


@TRANSFORMS.register_module()
class Flip(PoseTransform):
    """Horizontal flip of 2D keypoints (and images): ``x -> w - x`` with ``w``
    from ``img_shape`` (PYSKL / MMAction2 ``Flip``), then every left joint
    trades places with its right partner (so a flipped left wrist becomes a
    right wrist, as in a mirrored video). Joints at (0, 0) (missing) stay
    there. With ``pixel_center=True`` the flip is ``x -> w - 1 - x``, which
    lands on the mirrored pixel of pixel-index coordinates (see
    ``geometry.py``); the reference's ``w - x`` is one pixel off the flipped
    image.

    Args:
        flip_ratio: probability of flipping.
        left_kp, right_kp: joint indices to swap (MMAction2 names); or
        layout: a layout name/dict whose ``flip_pairs`` give them.
        direction: only ``'horizontal'`` (MMAction2's argument).
        pixel_center: the pixel-index flip above instead of the reference's.

    Required keys: ``img_shape`` (h, w).
    Optional keys: ``keypoint`` (M, T, V, C>=2) pixels, ``keypoint_score``
    (M, T, V), ``imgs`` (list of (H, W, C) or (T, H, W, C)).
    Modified keys: ``keypoint``, ``keypoint_score``, ``imgs``.
    Added keys: ``flip`` (bool), ``flip_direction`` ('horizontal').

    Raises:
        ValueError: neither pairs nor a layout given, pairs of unequal length,
            or joint indices beyond the sample's V.
    """

    required_keys = ('img_shape',)
    optional_keys = ('keypoint', 'keypoint_score', 'imgs')
    modified_keys = ('keypoint', 'keypoint_score', 'imgs')
    added_keys = ('flip', 'flip_direction')

    def __init__(self, flip_ratio: float = 0.5, left_kp: Optional[Sequence[int]] = None,
                 right_kp: Optional[Sequence[int]] = None, layout=None,
                 direction: str = 'horizontal', pixel_center: bool = False):
        if direction != 'horizontal':
            raise ValueError(f"Flip: only direction='horizontal' is supported, got {direction!r}")
        left_kp, right_kp = flip_pairs('Flip', layout, left_kp, right_kp)
        self.flip_ratio = flip_ratio
        self.pixel_center = pixel_center
        self.left_kp, self.right_kp = left_kp, right_kp

    def transform(self, results: Dict) -> Dict:
        flip = np.random.rand() < self.flip_ratio
        results['flip'] = bool(flip)
        results['flip_direction'] = 'horizontal'
        if not flip:
            return results
        if 'imgs' in results:
            results['imgs'] = [np.ascontiguousarray(img[:, ::-1]) for img in results['imgs']]
        if 'keypoint' not in results:
            return results
        kp = results['keypoint']
        if kp.shape[-1] < 2:
            raise ValueError(f'Flip: sample {sample_name(results)!r} keypoint {kp.shape} has no x/y')
        kp, idx = flip_keypoints(kp, results['img_shape'][1], self.left_kp, self.right_kp,
                                 self.pixel_center)
        results['keypoint'] = kp
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][..., idx]
        return results


@TRANSFORMS.register_module()
class Flip3D(PoseTransform):
    """Mirror 3D skeletons through the plane ``x = 0``: ``x -> -x``, then every
    left joint trades places with its right partner, as a mirrored recording
    of the same action would give: the 3D counterpart of ``Flip``. Meant for
    coordinates that ``PreNormalize3D`` has centred (origin at the centre
    joint, x along the shoulders), so the mirror keeps the skeleton where it
    was; a whole scene of several persons is mirrored as one (a person on the
    right ends up on the left). Joints at (0, 0, 0) (missing, padded) stay
    there. Not in the references (PYSKL's and MMAction2's ``Flip`` is 2D).

    Args:
        flip_ratio: probability of mirroring a sample; 0 turns the transform off
            without drawing a random number (the small-dataset 3D base keeps it
            in its pipeline at ``flip = 0.0``).
        left_kp, right_kp: joint indices to swap; or
        layout: a layout name/dict whose ``flip_pairs`` give them (``'sbu_x2'``
            after ``MergePersons``: both persons' pairs).

    Required keys: ``keypoint`` (M, T, V, 3), any unit.
    Optional keys: ``keypoint_score`` (M, T, V).
    Modified keys: ``keypoint``, ``keypoint_score``.
    Added keys: ``flip`` (bool).

    Raises:
        ValueError: neither pairs nor a layout given, pairs of unequal length, a
            sample whose keypoints are not 3D, or joint indices beyond its V
            (naming the sample).
    """

    required_keys = ('keypoint',)
    optional_keys = ('keypoint_score',)
    modified_keys = ('keypoint', 'keypoint_score')
    added_keys = ('flip',)

    def __init__(self, flip_ratio: float = 0.5, left_kp: Optional[Sequence[int]] = None,
                 right_kp: Optional[Sequence[int]] = None, layout=None):
        left_kp, right_kp = flip_pairs('Flip3D', layout, left_kp, right_kp)
        self.flip_ratio = flip_ratio
        self.left_kp, self.right_kp = left_kp, right_kp

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        if kp.ndim != 4 or kp.shape[-1] != 3:
            raise ValueError(f'Flip3D: sample {sample_name(results)!r} keypoint {kp.shape} is not '
                             '(M, T, V, 3)')
        try:        # checked on every sample, flipped or not: errors do not hang on the draw
            idx = swap_index(kp.shape[-2], self.left_kp, self.right_kp)
        except ValueError as e:
            raise ValueError(f'Flip3D: sample {sample_name(results)!r}: {e}') from None
        # a ratio of 0 draws nothing: a pipeline with Flip3D off draws as one without it
        flip = bool(self.flip_ratio > 0 and np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        if not flip:
            return results
        out = kp[..., idx, :]                   # a copy (fancy indexing)
        out[..., 0] *= -1                       # -0.0 == 0: missing joints stay missing
        results['keypoint'] = out
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][..., idx]
        return results
