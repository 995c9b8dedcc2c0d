"""Coordinate normalisation: ``PreNormalize2D`` and ``PreNormalize3D``."""
from __future__ import annotations

from typing import Dict, Sequence, Tuple

import numpy as np

from pyskl.registry import TRANSFORMS
from .base import PoseTransform, sample_name
from .functional import angle_between, normalize_2d, rotation_matrix


@TRANSFORMS.register_module()
class PreNormalize2D(PoseTransform):
    """Map 2D pixel coordinates to ``[-1, 1]`` about the image center.

    Reference design: PYSKL / MMAction2 ``PreNormalize2D`` (``mode='fix'``).
    Unlike PYSKL, ``keypoint_score`` is not merged into ``keypoint`` here
    (``GenSkeFeat`` does that, explicitly). Joints whose score is
    ``<= threshold`` are set to (0, 0).

    Args:
        img_shape: (h, w) used when the sample has no ``img_shape``.
        threshold: score threshold for masking joints out.
        mode: ``'fix'`` (image frame) or ``'auto'`` (tight box of the
            valid joints, if larger than 10 px each way).

    Required keys: ``keypoint`` (M, T, V, C>=2) pixels.
    Optional keys: ``img_shape`` (h, w), ``keypoint_score`` (M, T, V).
    Modified keys: ``keypoint`` -> float32, x/y normalised.

    Raises:
        ValueError: NaN/inf in ``keypoint`` (names the sample).
    """

    required_keys = ('keypoint',)
    optional_keys = ('img_shape', 'keypoint_score')
    modified_keys = ('keypoint',)

    def __init__(self, img_shape: Tuple[int, int] = (1080, 1920), threshold: float = 0.01,
                 mode: str = 'fix'):
        if mode not in ('fix', 'auto'):
            raise ValueError(f"PreNormalize2D: mode must be 'fix' or 'auto', got {mode!r}")
        self.img_shape = tuple(img_shape)
        self.threshold = threshold
        self.mode = mode

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        if not np.isfinite(kp).all():
            raise ValueError(f'PreNormalize2D: sample {sample_name(results)!r} has NaN or '
                             'infinite keypoint coordinates')
        mask = None
        if 'keypoint_score' in results:
            mask = results['keypoint_score'] > self.threshold
        if self.mode == 'fix':
            out = normalize_2d(kp, results.get('img_shape', self.img_shape))
        else:
            out = kp.astype(np.float32, copy=True)
            valid = out[mask] if mask is not None else out.reshape(-1, out.shape[-1])
            if len(valid):
                lo, hi = valid[:, :2].min(0), valid[:, :2].max(0)
                if (hi - lo > 10).all():
                    out[..., :2] = (out[..., :2] - (hi + lo) / 2) / (hi - lo) * 2
        if mask is not None:
            low = ~mask
            out[..., 0][low] = 0       # per channel: one pass each over (M, T, V)
            out[..., 1][low] = 0
        results['keypoint'] = out
        return results


@TRANSFORMS.register_module()
class PreNormalize3D(PoseTransform):
    """Center and align 3D skeletons (NTU RGB+D preprocessing of CTR-GCN).

    Drops frames where the main person is all zero, subtracts the main
    body center of the first frame (joint ``center``; default joint 1 "spine
    mid" for 25-joint skeletons, else the last joint, as PYSKL), rotates so that the bone
    ``zaxis[0] -> zaxis[1]`` is parallel to +z and ``xaxis[0] -> xaxis[1]``
    (right -> left shoulder) to +x. The person with more valid frames is
    put first. Reference design: PYSKL ``PreNormalize3D``.

    Required keys: ``keypoint`` (M<=2, T, V, 3).
    Optional keys: ``total_frames``.
    Modified keys: ``keypoint``, ``total_frames`` (frames kept).
    Added keys: ``body_center`` (3,).

    Raises:
        ValueError: not 3 channels, more than 2 persons, or NaN values.
    """

    required_keys = ('keypoint',)
    optional_keys = ('total_frames',)
    modified_keys = ('keypoint', 'total_frames')
    added_keys = ('body_center',)

    def __init__(self, zaxis: Sequence[int] = (0, 1), xaxis: Sequence[int] = (8, 4),
                 align_spine: bool = True, align_center: bool = True, center=None):
        self.center = center
        self.zaxis = tuple(zaxis)
        self.xaxis = tuple(xaxis)
        self.align_spine = align_spine
        self.align_center = align_center

    def transform(self, results: Dict) -> Dict:
        sk = results['keypoint'].astype(np.float32)
        M, T, V, C = sk.shape
        name = sample_name(results)
        if C != 3 or M > 2:
            raise ValueError(f'PreNormalize3D: sample {name!r} needs keypoint (M<=2, T, V, 3), '
                             f'got {sk.shape}')
        if not np.isfinite(sk).all():
            raise ValueError(f'PreNormalize3D: sample {name!r} has NaN or infinite keypoints')
        body_center = np.zeros(3, dtype=np.float32)
        if np.abs(sk).sum() > 0:
            valid = ~np.all(np.isclose(sk, 0), axis=(2, 3))  # (M, T)
            main = 1 if (M == 2 and valid[1].sum() > valid[0].sum()) else 0
            sk = sk[:, valid[main]]
            if main == 1:
                sk = sk[::-1].copy()
            if self.align_center:
                c = self.center if self.center is not None else (1 if V == 25 else -1)
                body_center = sk[0, 0, c].copy()
                present = (sk != 0).any(-1, keepdims=True)
                sk = (sk - body_center) * present
            if self.align_spine:
                for (a, b), target in ((self.zaxis, (0, 0, 1)), (self.xaxis, (1, 0, 0))):
                    vec = sk[0, 0, b] - sk[0, 0, a] if (a, b) == self.zaxis \
                        else sk[0, 0, a] - sk[0, 0, b]
                    rot = rotation_matrix(np.cross(vec, target), angle_between(vec, target))
                    sk = np.einsum('mtvc,kc->mtvk', sk, rot).astype(np.float32)
        results['keypoint'] = sk
        results['total_frames'] = sk.shape[1]
        results['body_center'] = body_center
        return results
