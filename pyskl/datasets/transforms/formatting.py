"""Shaping and packing: ``PadTo``, ``FormatGCNInput``, ``PackActionInputs``."""
from __future__ import annotations

from typing import Dict, Sequence

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
class PackActionInputs(PoseTransform):
    """Pack a sample into ``dict(inputs=Tensor, data_samples=ActionDataSample)``.

    Args:
        keys: result keys whose arrays become ``inputs``: one key gives a
            tensor, several keys a dict of tensors (default ``('keypoint',)``).
        meta_keys: result keys copied into the data sample's metainfo.

    Required keys: the input key (``keypoint``). Optional keys: ``label``.
    Output: a new dict with ``inputs`` (torch.float32, the array as is)
    and ``data_samples`` (``gt_label`` LongTensor (1,) when ``label``
    exists).

    Raises:
        KeyError: the input key is missing (names the sample).
    """

    required_keys = ('keypoint',)
    optional_keys = ('label',)

    def __init__(self, keys: Sequence[str] = ('keypoint',),
                 meta_keys: Sequence[str] = ('frame_dir', 'total_frames', 'img_shape')):
        if isinstance(keys, str):
            keys = (keys,)
        self.keys = tuple(keys)
        self.required_keys = self.keys
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if len(self.keys) == 1:
            inputs = torch.from_numpy(np.ascontiguousarray(results[self.keys[0]]))
        else:
            inputs = {k: torch.from_numpy(np.ascontiguousarray(results[k])) for k in self.keys}
        sample = ActionDataSample()
        if 'label' in results:
            sample.set_gt_label(results['label'])
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)
