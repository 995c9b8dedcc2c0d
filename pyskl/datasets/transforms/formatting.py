"""Shaping and packing: ``PadTo``, ``MergePersons``, ``FormatGCNInput``,
``FormatShape``, ``PackActionInputs``."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np
import torch

from pyskl.registry import TRANSFORMS
from pyskl.structures import ActionDataSample
from .base import PoseTransform, sample_name
from .features import merge_keypoint_score


@TRANSFORMS.register_module()
class PadTo(PoseTransform):
    """Pad the time axis to ``length`` frames.

    Args:
        length: target number of frames.
        mode: ``'loop'`` repeats the sequence, ``'zero'`` appends zeros.

    Required keys: ``keypoint`` (M, T, V, C), ``total_frames``.
    Optional keys: ``keypoint_score``.
    Modified keys: ``keypoint`` -> (M, length, V, C), ``keypoint_score``,
    ``total_frames`` -> length.

    Raises:
        ValueError: ``total_frames > length`` or unknown mode.
    """

    required_keys = ('keypoint', 'total_frames')
    optional_keys = ('keypoint_score',)
    modified_keys = ('keypoint', 'keypoint_score', 'total_frames')

    def __init__(self, length: int, mode: str = 'loop'):
        if mode not in ('loop', 'zero'):
            raise ValueError(f"PadTo: mode must be 'loop' or 'zero', got {mode!r}")
        self.length = int(length)
        self.mode = mode

    def transform(self, results: Dict) -> Dict:
        T = int(results['total_frames'])
        if T > self.length:
            raise ValueError(f'PadTo: sample {sample_name(results)!r} has {T} frames, more '
                             f'than length={self.length}')
        inds = np.mod(np.arange(self.length), T)
        for key in ('keypoint', 'keypoint_score'):
            if key in results:
                x = results[key][:, inds]
                if self.mode == 'zero':
                    x[:, T:] = 0
                results[key] = x
        results['total_frames'] = self.length
        return results


@TRANSFORMS.register_module()
class MergePersons(PoseTransform):
    """Put ``num_person`` persons side by side as one skeleton of
    ``num_person * V`` joints, so that a GCN sees them in one graph (the
    two-person graph of Li et al., IEEE TCSVT 2023) instead of one at a time:
    person ``p``'s joint ``v`` becomes joint ``p * V + v``. Persons beyond
    ``num_person`` are dropped, missing ones are zeros (at the origin, and with
    score 0). Place it before ``GenSkeFeat`` (bones and motion are then taken
    on the merged skeleton) with the layout ``'<LAYOUT>_x<num_person>'``
    (``'sbu_x2'``, :func:`pyskl.skeleton.persons_layout`) and
    ``FormatGCNInput(num_person=1)``.

    Args:
        num_person: persons merged, P; ``None`` leaves the sample as it is
            (the family bases carry the step switched off: ``merge_persons``).

    Required keys: ``keypoint`` (M, T, V, C). Optional keys: ``keypoint_score``
    (M, T, V).
    Modified keys: ``keypoint`` -> (1, T, P * V, C), ``keypoint_score`` ->
    (1, T, P * V).

    Raises:
        ValueError: ``keypoint`` not 4-dimensional (names the sample), or
            ``num_person`` < 1.
    """

    required_keys = ('keypoint',)
    optional_keys = ('keypoint_score',)
    modified_keys = ('keypoint', 'keypoint_score')

    def __init__(self, num_person: Optional[int] = 2):
        if num_person is not None and (int(num_person) != num_person or num_person < 1):
            raise ValueError(f'MergePersons: num_person must be a positive integer or None, '
                             f'got {num_person!r}')
        self.num_person = None if num_person is None else int(num_person)

    def transform(self, results: Dict) -> Dict:
        if self.num_person is None:
            return results
        kp = results['keypoint']
        if kp.ndim != 4:
            raise ValueError(f'MergePersons: sample {sample_name(results)!r} needs keypoint '
                             f'(M, T, V, C), got {kp.shape}')
        _, T, V, _ = kp.shape
        P = self.num_person
        for key in ('keypoint', 'keypoint_score'):
            if key not in results:
                continue
            x = results[key]
            out = np.zeros((T, P) + x.shape[2:], dtype=x.dtype)      # (T, P, V[, C])
            out[:, :min(len(x), P)] = x[:P].swapaxes(0, 1)
            results[key] = out.reshape((1, T, P * V) + x.shape[3:])
        return results


@TRANSFORMS.register_module()
class FormatGCNInput(PoseTransform):
    """Shape ``keypoint`` to (num_clips, M, T, V, C) for GCN recognizers.

    Persons beyond ``num_person`` are dropped, missing ones padded with
    zeros (``mode='zero'``) or with copies of the only person
    (``mode='loop'``). If ``keypoint_score`` is still present it is appended
    as the last channel (and removed), as PYSKL does.

    Args:
        num_person: persons per sample M.
        mode: ``'zero'`` or ``'loop'`` padding.

    Required keys: ``keypoint`` (M, num_clips*T, V, C). Optional keys:
    ``keypoint_score``, ``num_clips`` (default 1).
    Modified keys: ``keypoint`` -> (num_clips, num_person, T, V, C) float32.
    Removed keys: ``keypoint_score``.

    Raises:
        ValueError: frames not divisible by ``num_clips``, zero frames, or
            NaN values (names the sample).
    """

    required_keys = ('keypoint',)
    optional_keys = ('keypoint_score', 'num_clips')
    modified_keys = ('keypoint',)
    removed_keys = ('keypoint_score',)

    def __init__(self, num_person: int = 2, mode: str = 'zero'):
        if mode not in ('zero', 'loop'):
            raise ValueError(f"FormatGCNInput: mode must be 'zero' or 'loop', got {mode!r}")
        self.num_person = num_person
        self.mode = mode

    def transform(self, results: Dict) -> Dict:
        if 'keypoint_score' in results:
            merge_keypoint_score(results)
        kp = results['keypoint']
        name = sample_name(results)
        if kp.ndim != 4 or kp.shape[1] == 0:
            raise ValueError(f'FormatGCNInput: sample {name!r} needs keypoint (M, T>0, V, C), '
                             f'got {kp.shape}')
        if not np.isfinite(kp).all():
            raise ValueError(f'FormatGCNInput: sample {name!r} has NaN or infinite keypoints')
        M = kp.shape[0]
        if M < self.num_person:
            pad = np.zeros((self.num_person - M,) + kp.shape[1:], dtype=kp.dtype)
            if self.mode == 'loop' and M == 1:
                pad[:] = kp[0]
            kp = np.concatenate([kp, pad], axis=0)
        kp = kp[:self.num_person]
        M, T, V, C = kp.shape
        nc = int(results.get('num_clips', 1))
        if T % nc:
            raise ValueError(f'FormatGCNInput: sample {name!r} has {T} frames, not divisible '
                             f'by num_clips={nc}')
        kp = kp.reshape(M, nc, T // nc, V, C).transpose(1, 0, 2, 3, 4)  # (nc, M, T, V, C)
        results['keypoint'] = np.ascontiguousarray(kp, dtype=np.float32)
        return results


@TRANSFORMS.register_module()
class FormatShape(PoseTransform):
    """Shape clip volumes for 3D CNNs (reference design: MMAction2
    ``FormatShape``).

    Args:
        input_format: ``'NCTHW'`` (RGB frames: ``imgs`` a list or array of
            (H, W, C) frames) or ``'NCTHW_Heatmap'`` (``imgs`` (T', C, H, W)
            from ``GeneratePoseTarget``). ``T' = views * clip_len``, the
            views being ``num_clips`` clips (x2 for flip-test doubling).
        collapse: with exactly one view, drop the view axis (MMAction2).

    Required keys: ``imgs``, ``clip_len``, ``num_clips``. Optional keys:
    ``heatmap_imgs`` (shaped like a heatmap ``imgs``).
    Modified keys: ``imgs`` (and ``heatmap_imgs``) -> (views, C, clip_len,
    H, W) float32; added ``input_shape``.

    Raises:
        ValueError: unknown format, or a frame count that is not a multiple
            of ``clip_len`` (names the sample).
    """

    required_keys = ('imgs', 'clip_len', 'num_clips')
    optional_keys = ('heatmap_imgs',)
    modified_keys = ('imgs', 'heatmap_imgs')
    added_keys = ('input_shape',)
    FORMATS = ('NCTHW', 'NCTHW_Heatmap')

    def __init__(self, input_format: str = 'NCTHW_Heatmap', collapse: bool = False):
        if input_format not in self.FORMATS:
            raise ValueError(f'FormatShape: input_format must be one of {self.FORMATS}, '
                             f'got {input_format!r}')
        self.input_format = input_format
        self.collapse = collapse

    def _views(self, vol: np.ndarray, clip_len: int, results: Dict) -> np.ndarray:
        """(views*clip_len, C, H, W) -> (views, C, clip_len, H, W)."""
        if vol.shape[0] % clip_len:
            raise ValueError(f'FormatShape: sample {sample_name(results)!r} has {vol.shape[0]} '
                             f'frames, not a multiple of clip_len={clip_len}')
        vol = vol.reshape((-1, clip_len) + vol.shape[1:]).transpose(0, 2, 1, 3, 4)
        vol = np.ascontiguousarray(vol, dtype=np.float32)
        return vol[0] if self.collapse and vol.shape[0] == 1 else vol

    def transform(self, results: Dict) -> Dict:
        clip_len = results['clip_len']

        def frames_of(modality: str) -> int:      # MM pipelines: dict(RGB=8, Pose=32)
            return int(clip_len[modality] if isinstance(clip_len, dict) else clip_len)
        imgs = results['imgs']
        if self.input_format == 'NCTHW':
            imgs = np.stack(list(imgs)).transpose(0, 3, 1, 2)  # (T', C, H, W)
            results['imgs'] = self._views(imgs, frames_of('RGB'), results)
            if 'heatmap_imgs' in results:
                results['heatmap_imgs'] = self._views(results['heatmap_imgs'],
                                                      frames_of('Pose'), results)
        else:
            results['imgs'] = self._views(np.asarray(imgs), frames_of('Pose'), results)
        results['input_shape'] = results['imgs'].shape
        return results


@TRANSFORMS.register_module()
class PackActionInputs(PoseTransform):
    """Pack a sample into ``dict(inputs=Tensor, data_samples=ActionDataSample)``.

    Args:
        keys: result keys whose arrays become ``inputs``: one key gives a
            tensor, several keys a dict of tensors. Default (None): as
            MMAction2 -- ``imgs`` and ``heatmap_imgs`` together as a dict
            when both exist, else the first of ``imgs``, ``heatmap_imgs``,
            ``keypoint``.
        meta_keys: result keys copied into the data sample's metainfo.
        collect_keys: MMAction2's name for ``keys``.

    Required keys: the input key(s). Optional keys: ``label``.
    Output: a new dict with ``inputs`` (torch.float32, the array as is)
    and ``data_samples`` (``gt_label`` LongTensor (1,) when ``label``
    exists).

    Raises:
        KeyError: the input key is missing (names the sample).
    """

    optional_keys = ('label', 'imgs', 'heatmap_imgs', 'keypoint')

    def __init__(self, keys: Optional[Sequence[str]] = None,
                 meta_keys: Sequence[str] = ('frame_dir', 'total_frames', 'img_shape'),
                 collect_keys: Optional[Sequence[str]] = None):
        if collect_keys is not None:
            if keys is not None:
                raise ValueError('PackActionInputs: give keys or collect_keys (MMAction2\'s '
                                 'name), not both')
            keys = tuple(collect_keys)
        if isinstance(keys, str):
            keys = (keys,)
        self.keys = None if keys is None else tuple(keys)
        self.required_keys = () if keys is None else self.keys
        self.meta_keys = tuple(meta_keys)

    def _input_keys(self, results: Dict):
        if self.keys is not None:
            return self.keys
        if 'imgs' in results and 'heatmap_imgs' in results:
            return ('imgs', 'heatmap_imgs')
        for k in ('imgs', 'heatmap_imgs', 'keypoint'):
            if k in results:
                return (k,)
        raise KeyError(f'PackActionInputs: sample {sample_name(results)!r} has none of imgs, '
                       f'heatmap_imgs, keypoint; present keys: {sorted(results)}')

    def transform(self, results: Dict) -> Dict:
        keys = self._input_keys(results)
        if len(keys) == 1:
            inputs = torch.from_numpy(np.ascontiguousarray(results[keys[0]]))
        else:
            inputs = {k: torch.from_numpy(np.ascontiguousarray(results[k])) for k in keys}
        sample = ActionDataSample()
        if 'label' in results:
            sample.set_gt_label(results['label'])
        for k in self.meta_keys:
            if k in results:
                # set_metainfo would deep-copy them first: a sample's own values (fresh from
                # the dataset for each item) need no copy, and the copy was 10 % of the
                # skeleton training pipeline
                sample.set_field(results[k], k, field_type='metainfo')
        return dict(inputs=inputs, data_samples=sample)
