"""What a PoseC3D heatmap volume holds: one specification for every drawer.

The CPU transform (:class:`pyskl.datasets.transforms.GeneratePoseTarget`, numpy) and
the device drawer (:class:`pyskl.models.utils.heatmap.HeatmapDrawer`, torch) both
take their arguments through :meth:`HeatmapSpec.build`, so defaults, limbs, flip
permutations and argument checks exist once. Source: Duan et al., "Revisiting
Skeleton-based Action Recognition" (CVPR 2022); argument names of PYSKL /
MMAction2 ``GeneratePoseTarget``.

Channels: keypoints ``0..V-1`` (with ``with_kp``), then limbs ``V..V+L-1`` (with
``with_limb``). Limbs and left/right joints come from the skeleton layout
(:attr:`SkeletonLayout.heatmap_limbs`, :attr:`SkeletonLayout.flip_pairs`); without a
layout they are those of ``coco`` (MMAction2's 17 limbs and its flip pairs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from .layouts import get_layout, swap_index


def limb_flip_index(skeletons: Sequence[Sequence[int]], joint_index: np.ndarray) -> np.ndarray:
    """Permutation of limb channels under a flip: limb ``i`` of the mirrored
    clip is limb ``perm[i]`` of the original, found by swapping its joints
    with ``joint_index`` (either joint order).

    Raises:
        ValueError: a mirrored limb is not in ``skeletons``.
    """
    where = {frozenset(map(int, limb)): i for i, limb in enumerate(skeletons)}
    perm = []
    for a, b in skeletons:
        j = where.get(frozenset((int(joint_index[a]), int(joint_index[b]))))
        if j is None:
            raise ValueError(f'limb ({a}, {b}) has no mirror image in the skeleton; give '
                             'left_limb/right_limb')
        perm.append(j)
    return np.array(perm, dtype=np.int64)


@dataclass(frozen=True)
class HeatmapSpec:
    """Arguments of a heatmap volume, defaults resolved (build with :meth:`build`).

    Attributes:
        sigma: Gaussian std in pixels of the final ``img_shape``.
        use_score: weight maps by ``keypoint_score`` (else 1).
        with_kp, with_limb: which maps are drawn (at least one).
        skeletons: limb joint pairs, in channel order.
        double: flip-test doubling (the mirrored volume after the original).
        left_kp, right_kp: joints swapped by the flip.
        left_limb, right_limb: limb channels swapped by the flip; ``None``:
            derived from ``skeletons`` and the joint pairs.
        scaling: draw at ``img_shape * scaling`` (RGBPoseConv3D: 0.25).
        eps: scores below it are not drawn.
        symmetric_window: exact 3-sigma windows and sub-pixel limbs as segments
            (mirror-exact); False: the reference's windows.
    """

    sigma: float = 0.6
    use_score: bool = True
    with_kp: bool = True
    with_limb: bool = False
    skeletons: Tuple[Tuple[int, int], ...] = ()
    double: bool = False
    left_kp: Tuple[int, ...] = ()
    right_kp: Tuple[int, ...] = ()
    left_limb: Optional[Tuple[int, ...]] = None
    right_limb: Optional[Tuple[int, ...]] = None
    scaling: float = 1.0
    eps: float = 1e-4
    symmetric_window: bool = False

    @classmethod
    def build(cls, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
              with_limb: bool = False, skeletons=None, double: bool = False,
              left_kp=None, right_kp=None, left_limb=None, right_limb=None,
              scaling: float = 1.0, eps: float = 1e-4, layout=None,
              symmetric_window: bool = False) -> 'HeatmapSpec':
        """The spec of ``GeneratePoseTarget``'s arguments: ``skeletons``,
        ``left_kp`` / ``right_kp`` default to ``layout``'s heatmap limbs and
        flip pairs (``coco``'s when no layout is given).

        Raises:
            ValueError: neither map requested, a non-positive sigma or scaling,
                left/right lists of different lengths, an unknown layout.
        """
        if not (with_kp or with_limb):
            raise ValueError('GeneratePoseTarget: with_kp and with_limb are both False')
        if not sigma > 0:
            raise ValueError(f'GeneratePoseTarget: sigma must be > 0, got {sigma}')
        if not scaling > 0:
            raise ValueError(f'GeneratePoseTarget: scaling must be > 0, got {scaling}')
        lay = get_layout('coco' if layout is None else layout)
        if skeletons is None:
            skeletons = lay.heatmap_limbs
        if left_kp is None and right_kp is None:
            left_kp = [a for a, _ in lay.flip_pairs]
            right_kp = [b for _, b in lay.flip_pairs]
        left_kp, right_kp = tuple(left_kp or ()), tuple(right_kp or ())
        if len(left_kp) != len(right_kp):
            raise ValueError(f'GeneratePoseTarget: left_kp {left_kp} and right_kp {right_kp} '
                             'differ in length')
        return cls(sigma=float(sigma), use_score=bool(use_score), with_kp=bool(with_kp),
                   with_limb=bool(with_limb),
                   skeletons=tuple(tuple(int(i) for i in p) for p in skeletons),
                   double=bool(double), left_kp=tuple(int(i) for i in left_kp),
                   right_kp=tuple(int(i) for i in right_kp),
                   left_limb=None if left_limb is None else tuple(left_limb),
                   right_limb=None if right_limb is None else tuple(right_limb),
                   scaling=float(scaling), eps=float(eps),
                   symmetric_window=bool(symmetric_window))

    def num_channels(self, V: int) -> int:
        """Channels of the volume for V joints."""
        return (V if self.with_kp else 0) + (len(self.skeletons) if self.with_limb else 0)

    def flip_channels(self, V: int) -> np.ndarray:
        """Channel permutation of the mirrored volume for V joints: (C,) int64.

        Raises:
            ValueError: a limb without a mirror image in ``skeletons``.
        """
        kp_idx = swap_index(V, self.left_kp, self.right_kp)
        parts = []
        if self.with_kp:
            parts.append(kp_idx)
        if self.with_limb:
            L = len(self.skeletons)
            if self.left_limb is not None or self.right_limb is not None:
                limb_idx = swap_index(L, self.left_limb or (), self.right_limb or ())
            else:
                limb_idx = limb_flip_index(self.skeletons, kp_idx)
            parts.append(limb_idx + (V if self.with_kp else 0))
        return np.concatenate(parts)
