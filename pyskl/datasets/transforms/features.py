"""Skeleton features: joint (j), bone (b), joint motion (jm), bone motion (bm).

Source: two-stream / four-stream GCNs (2s-AGCN, Shi et al. CVPR 2019; PYSKL
``GenSkeFeat``). Bone pairs come from the layout (:mod:`pyskl.skeleton`).
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.skeleton import get_layout
from .base import PoseTransform, sample_name
from .functional import joint_to_bone, to_motion

#: Layouts whose data is 2D: a third channel is a confidence score.
LAYOUTS_2D = ('coco', 'openpose', 'handmp', 'jhmdb')
FEATS = ('j', 'b', 'jm', 'bm')


def _has_score(dataset, score_channel: Optional[bool], C: int) -> bool:
    if score_channel is not None:
        return score_channel
    return C == 3 and isinstance(dataset, str) and dataset in LAYOUTS_2D


def merge_keypoint_score(results: Dict) -> None:
    """Append ``keypoint_score`` (M, T, V) to ``keypoint`` (M, T, V, 2) as a
    third channel and remove ``keypoint_score``. The one place this merge
    happens (used by ``GenSkeFeat`` and ``FormatGCNInput``).

    Raises:
        ValueError: ``keypoint`` is not 2D or the shapes disagree.
    """
    kp, score = results['keypoint'], results['keypoint_score']
    if kp.shape[-1] != 2 or kp.shape[:-1] != score.shape:
        raise ValueError(f'sample {sample_name(results)!r}: keypoint_score {score.shape} can only '
                         f'be merged into 2D keypoint (M, T, V, 2), got {kp.shape}')
    results['keypoint'] = np.concatenate([kp, score[..., None]], axis=-1).astype(np.float32)
    del results['keypoint_score']


@TRANSFORMS.register_module()
class JointToBone(PoseTransform):
    """Bone features from joints.

    Args:
        dataset: layout name or custom layout dict (bone pairs from its
            edges: joint minus its parent towards the center).
        target: result key to write.
        source: result key holding joints.
        score_channel: whether the last channel is a score (averaged, not
            differenced). ``None``: True for 3-channel data of 2D layouts.

    Required keys: ``source`` (M, T, V, C). Added keys: ``target``
    (M, T, V, C) float32.

    Raises:
        ValueError: V differs from the layout's joint count.
    """

    required_keys = ('keypoint',)

    def __init__(self, dataset='nturgb+d', target: str = 'keypoint', source: str = 'keypoint',
                 score_channel: Optional[bool] = None):
        self.dataset = dataset
        self.layout = get_layout(dataset)
        self.target = target
        self.source = source
        self.score_channel = score_channel
        self.required_keys = (source,)
        self.added_keys = () if target == source else (target,)
        self.modified_keys = (target,) if target == source else ()

    def transform(self, results: Dict) -> Dict:
        kp = results[self.source]
        if kp.ndim != 4 or kp.shape[2] != self.layout.num_node:
            raise ValueError(f'JointToBone: sample {sample_name(results)!r} has {self.source} of '
                             f'shape {kp.shape}; layout {self.layout.name!r} needs (M, T, '
                             f'{self.layout.num_node}, C)')
        score = _has_score(self.dataset, self.score_channel, kp.shape[-1])
        results[self.target] = joint_to_bone(kp, self.layout.parents, score)
        return results


@TRANSFORMS.register_module()
class ToMotion(PoseTransform):
    """Temporal difference of a feature (``x[t+1] - x[t]``, last frame 0).

    Args:
        dataset: layout name (only used to tell whether a 3rd channel is a
            score, see ``score_channel``).
        source: result key to difference. target: result key to write.
        score_channel: as in :class:`JointToBone`.

    Required keys: ``source`` (M, T, V, C). Added keys: ``target``.
    """

    required_keys = ('keypoint',)

    def __init__(self, dataset='nturgb+d', source: str = 'keypoint', target: str = 'motion',
                 score_channel: Optional[bool] = None):
        self.dataset = dataset
        self.source = source
        self.target = target
        self.score_channel = score_channel
        self.required_keys = (source,)
        self.added_keys = () if target == source else (target,)
        self.modified_keys = (target,) if target == source else ()

    def transform(self, results: Dict) -> Dict:
        data = results[self.source]
        score = _has_score(self.dataset, self.score_channel, data.shape[-1])
        results[self.target] = to_motion(data, score)
        return results


@TRANSFORMS.register_module()
class MergeSkeFeat(PoseTransform):
    """Concatenate features into ``target`` and delete the feature keys.

    Args:
        feat_list: feature keys in order, e.g. ``['j', 'b']``.
        target: result key to write (``keypoint``).
        axis: concatenation axis (-1: channels).

    Required keys: every key in ``feat_list``. Added/modified: ``target``.
    Removed keys: the feature keys (other than ``target``).
    """

    def __init__(self, feat_list: Sequence[str] = ('j',), target: str = 'keypoint',
                 axis: int = -1):
        self.feat_list = list(feat_list)
        self.target = target
        self.axis = axis
        self.required_keys = tuple(self.feat_list)
        self.modified_keys = (target,)
        self.removed_keys = tuple(k for k in self.feat_list if k != target)

    def transform(self, results: Dict) -> Dict:
        feats = [results.pop(k) for k in self.feat_list]
        results[self.target] = np.concatenate(feats, axis=self.axis)
        return results


@TRANSFORMS.register_module()
class GenSkeFeat(PoseTransform):
    """Generate the modality of a stream: any of j, b, jm, bm, concatenated.

    If ``keypoint_score`` is present it is first appended to 2D
    ``keypoint`` as a third channel (x, y, score) and removed -- as in PYSKL
    and MMAction2, the score then travels with every feature (bones and
    motions average it).

    Args:
        dataset: layout name or custom layout dict (for bone pairs).
        feats: subset of ``['j', 'b', 'jm', 'bm']``, concatenated in order.
        axis: concatenation axis (-1: channels).

    Required keys: ``keypoint`` (M, T, V, C). Optional keys:
    ``keypoint_score`` (M, T, V).
    Modified keys: ``keypoint`` -> (M, T, V, C * len(feats)) float32.
    Removed keys: ``keypoint_score``.

    Raises:
        ValueError: unknown feature name.
    """

    required_keys = ('keypoint',)
    optional_keys = ('keypoint_score',)
    modified_keys = ('keypoint',)
    removed_keys = ('keypoint_score',)

    def __init__(self, dataset='nturgb+d', feats: Sequence[str] = ('j',), axis: int = -1):
        bad = [f for f in feats if f not in FEATS]
        if bad or not feats:
            raise ValueError(f'GenSkeFeat: feats must be a non-empty subset of {FEATS}, got {feats}')
        self.dataset = dataset
        self.feats = list(feats)
        self.axis = axis
        self.bone = JointToBone(dataset, source='j', target='b')
        self.jm = ToMotion(dataset, source='j', target='jm')
        self.bm = ToMotion(dataset, source='b', target='bm')
        self.merge = MergeSkeFeat(self.feats, target='keypoint', axis=axis)

    def transform(self, results: Dict) -> Dict:
        if 'keypoint_score' in results:
            merge_keypoint_score(results)
        results['j'] = results.pop('keypoint')
        if 'b' in self.feats or 'bm' in self.feats:
            self.bone(results)
        if 'jm' in self.feats:
            self.jm(results)
        if 'bm' in self.feats:
            self.bm(results)
        self.merge(results)
        for k in ('j', 'b', 'jm', 'bm'):
            results.pop(k, None)
        return results
