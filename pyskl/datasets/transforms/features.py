"""Skeleton features: joint (j), bone (b), joint motion (jm), bone motion (bm).

Source: two-stream / four-stream GCNs (2s-AGCN, Shi et al. CVPR 2019; PYSKL
``GenSkeFeat``). Bone pairs come from the layout (:mod:`pyskl.skeleton`): for
``coco``, ``openpose``, ``nturgb+d`` and ``handmp`` they are PYSKL's /
MMAction2's ``JointToBone`` lists, so released bone-stream checkpoints see the
inputs they were trained on; a config may name its own with ``bone_pairs``.

Whether a third channel is a confidence score (averaged by bones and motions,
not differenced) is decided by the sample and the layout, never by a list of
layout names: a score when the sample had ``keypoint_score`` (merged by
``GenSkeFeat``), or when the layout is 2D (``coord_dims=2``: ``coco``,
``openpose``, ``handmp``, ``jhmdb``, or a custom layout that says so).
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Optional, Sequence

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.skeleton import get_layout
from .base import PoseTransform, sample_name
from .functional import joint_to_bone, to_motion

FEATS = ('j', 'b', 'jm', 'bm')


def layout_arg(owner: str, layout, dataset):
    """The layout a transform was given: ``layout``, or ``dataset`` (PYSKL's and
    MMAction2's name of the same argument), default ``'nturgb+d'``.

    Raises:
        ValueError: both given, with different values.
    """
    if layout is not None and dataset is not None and layout != dataset:
        raise ValueError(f'{owner}: layout={layout!r} and dataset={dataset!r} (PYSKL\'s name of '
                         'layout) disagree; give one')
    return layout if layout is not None else (dataset if dataset is not None else 'nturgb+d')


def has_score_channel(layout, C: int, score_channel: Optional[bool] = None) -> bool:
    """Whether the last of ``C`` channels is a score: ``score_channel`` if
    given, else ``C == 3`` and the layout is 2D (``coord_dims == 2``)."""
    if score_channel is not None:
        return bool(score_channel)
    return C == 3 and get_layout(layout).coord_dims == 2


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
    out = np.empty(kp.shape[:-1] + (3,), dtype=np.float32)
    # channel by channel: each copy is one long strided loop, where a copy of the
    # (..., 2) block runs numpy's inner loop once per joint
    out[..., 0] = kp[..., 0]
    out[..., 1] = kp[..., 1]
    out[..., 2] = score
    results['keypoint'] = out
    del results['keypoint_score']


@TRANSFORMS.register_module()
class JointToBone(PoseTransform):
    """Bone features from joints.

    Args:
        layout: layout name or custom layout dict; its bone pairs are used
            (module docstring). ``dataset``: PYSKL's / MMAction2's alias.
        target: result key to write.
        source: result key holding joints.
        score_channel: whether the last channel is a score (averaged, not
            differenced). ``None``: True for 3-channel data of 2D layouts.
        bone_pairs: optional ``(joint, parent)`` pairs, one per joint,
            replacing the layout's.

    Required keys: ``source`` (M, T, V, C). Added keys: ``target``
    (M, T, V, C) float32.

    Raises:
        ValueError: V differs from the layout's joint count; bad bone pairs.
    """

    required_keys = ('keypoint',)

    def __init__(self, layout=None, target: str = 'keypoint', source: str = 'keypoint',
                 score_channel: Optional[bool] = None,
                 bone_pairs: Optional[Sequence[Sequence[int]]] = None, dataset=None):
        self.layout = get_layout(layout_arg('JointToBone', layout, dataset))
        if bone_pairs is not None:
            self.layout = dataclasses.replace(
                self.layout, bone_pairs=tuple(tuple(int(x) for x in p) for p in bone_pairs))
        self.bone_pairs = bone_pairs
        self.target = target
        self.source = source
        self.score_channel = score_channel
        self.required_keys = (source,)
        self.added_keys = () if target == source else (target,)
        self.modified_keys = (target,) if target == source else ()

    def check_shape(self, kp: np.ndarray, results: Dict) -> None:
        """Raise ValueError unless ``kp`` is (M, T, V, C) with the layout's V."""
        if kp.ndim != 4 or kp.shape[2] != self.layout.num_node:
            raise ValueError(f'JointToBone: sample {sample_name(results)!r} has {self.source} of '
                             f'shape {kp.shape}; layout {self.layout.name!r} needs (M, T, '
                             f'{self.layout.num_node}, C)')

    def transform(self, results: Dict) -> Dict:
        kp = results[self.source]
        self.check_shape(kp, results)
        score = has_score_channel(self.layout, kp.shape[-1], self.score_channel)
        results[self.target] = joint_to_bone(kp, self.layout.parents, score)
        return results


@TRANSFORMS.register_module()
class ToMotion(PoseTransform):
    """Temporal difference of a feature (``x[t+1] - x[t]``, last frame 0).

    Args:
        layout: layout name (only used to tell whether a 3rd channel is a
            score, see ``score_channel``); ``dataset``: PYSKL's alias.
        source: result key to difference. target: result key to write.
        score_channel: as in :class:`JointToBone`.

    Required keys: ``source`` (M, T, V, C). Added keys: ``target``.
    """

    required_keys = ('keypoint',)

    def __init__(self, layout=None, source: str = 'keypoint', target: str = 'motion',
                 score_channel: Optional[bool] = None, dataset=None):
        self.layout = get_layout(layout_arg('ToMotion', layout, dataset))
        self.source = source
        self.target = target
        self.score_channel = score_channel
        self.required_keys = (source,)
        self.added_keys = () if target == source else (target,)
        self.modified_keys = (target,) if target == source else ()

    def transform(self, results: Dict) -> Dict:
        data = results[self.source]
        score = has_score_channel(self.layout, data.shape[-1], self.score_channel)
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
        layout: layout name or custom layout dict (bone pairs; whether it
            is 2D); default ``'nturgb+d'``. ``dataset`` is PYSKL's / MMAction2's
            name of this argument, accepted as an alias.
        feats: subset of ``['j', 'b', 'jm', 'bm']``, concatenated in order.
        axis: concatenation axis (-1: channels).
        bone_pairs: optional ``(joint, parent)`` pairs replacing the layout's.

    The third channel is a score when the sample had ``keypoint_score`` or
    the layout is 2D (module docstring).

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

    def __init__(self, layout=None, feats: Sequence[str] = ('j',), axis: int = -1,
                 bone_pairs: Optional[Sequence[Sequence[int]]] = None, dataset=None):
        bad = [f for f in feats if f not in FEATS]
        if bad or not feats:
            raise ValueError(f'GenSkeFeat: feats must be a non-empty subset of {FEATS}, got {feats}')
        layout = layout_arg('GenSkeFeat', layout, dataset)
        self.feats = list(feats)
        self.axis = axis
        self.bone_pairs = bone_pairs
        self.bone = JointToBone(layout, source='j', target='b', bone_pairs=bone_pairs)
        self.layout = self.bone.layout
        self.merge = MergeSkeFeat(self.feats, target='keypoint', axis=axis)

    def transform(self, results: Dict) -> Dict:
        merged = 'keypoint_score' in results
        if merged:
            merge_keypoint_score(results)
        j = results.pop('keypoint')
        # a merged keypoint_score is a score whatever the layout says
        score = True if merged else has_score_channel(self.bone.layout, j.shape[-1])
        results['j'] = j
        if 'b' in self.feats or 'bm' in self.feats:
            self.bone.check_shape(j, results)
            results['b'] = joint_to_bone(j, self.bone.layout.parents, score)
        if 'jm' in self.feats:
            results['jm'] = to_motion(j, score)
        if 'bm' in self.feats:
            results['bm'] = to_motion(results['b'], score)
        self.merge(results)
        for k in ('j', 'b', 'jm', 'bm'):
            results.pop(k, None)
        return results
