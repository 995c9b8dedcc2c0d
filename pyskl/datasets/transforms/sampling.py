"""Temporal sampling: ``UniformSampleFrames`` and ``PoseDecode``."""
from __future__ import annotations

from typing import Dict, Optional, Tuple, Union

import numpy as np

from pyskl.registry import TRANSFORMS
from .base import PoseTransform, sample_name
from .functional import SHORT_CLIP_MODES, uniform_sample_indices


@TRANSFORMS.register_module()
class UniformSampleFrames(PoseTransform):
    """Uniformly sample ``num_clips`` clips of ``clip_len`` frames.

    Source: PoseC3D (Duan et al., CVPR 2022); see
    :func:`~pyskl.datasets.transforms.functional.uniform_sample_indices` for
    the exact rule. Also registered as ``UniformSample`` (PYSKL's name).

    Args:
        clip_len: frames per clip.
        num_clips: clips per sample (10 for multi-clip testing).
        test_mode: deterministic sampling. ``None`` (default) takes
            ``results['test_mode']`` (set by ``PoseDataset``), else False.
        p_interval: training-time random temporal crop ratio, float or
            (low, high).
        seed: seed of test-mode sampling.
        short_clip: a video shorter than ``clip_len`` frames is looped
            (``'loop'``, PYSKL / MMAction2) or each of its frames repeated
            in order (``'stretch'``); see ``uniform_sample_indices``.

    Required keys: ``total_frames``. Optional keys: ``test_mode``.
    Added keys: ``frame_inds`` (num_clips*clip_len,) int64, ``clip_len``,
    ``num_clips``, ``frame_interval`` (None).

    Raises:
        ValueError: ``total_frames`` < 1 (names the sample); an unknown
            ``short_clip``.
    """

    required_keys = ('total_frames',)
    optional_keys = ('test_mode',)
    added_keys = ('frame_inds', 'clip_len', 'num_clips', 'frame_interval')

    def __init__(self, clip_len: int, num_clips: int = 1, test_mode: Optional[bool] = None,
                 p_interval: Union[float, Tuple[float, float]] = 1.0, seed: int = 255,
                 short_clip: str = 'loop'):
        if short_clip not in SHORT_CLIP_MODES:
            raise ValueError(f'UniformSampleFrames: short_clip={short_clip!r}, expected one '
                             f'of {SHORT_CLIP_MODES}')
        self.short_clip = short_clip
        self.clip_len = int(clip_len)
        self.num_clips = int(num_clips)
        self.test_mode = test_mode
        self.p_interval = p_interval
        self.seed = seed

    def transform(self, results: Dict) -> Dict:
        test_mode, num_frames = sampling_mode_and_frames(self, results)
        results['frame_inds'] = uniform_sample_indices(
            num_frames, self.clip_len, self.num_clips, test_mode=test_mode,
            p_interval=self.p_interval, seed=self.seed, short_clip=self.short_clip)
        results['clip_len'] = self.clip_len
        results['num_clips'] = self.num_clips
        results['frame_interval'] = None
        return results


TRANSFORMS.register_module(name='UniformSample', module=UniformSampleFrames)


def sampling_mode_and_frames(transform, results: Dict):
    """``(test_mode, total_frames)`` of a sampling transform: its own
    ``test_mode``, else the sample's; raises ValueError naming the transform and
    the sample when it has no frame."""
    test_mode = transform.test_mode
    if test_mode is None:
        test_mode = bool(results.get('test_mode', False))
    num_frames = int(results['total_frames'])
    if num_frames < 1:
        raise ValueError(f'{type(transform).__name__}: sample {sample_name(results)!r} has '
                         f'total_frames={num_frames}; it needs at least one frame')
    return test_mode, num_frames


@TRANSFORMS.register_module()
class PoseDecode(PoseTransform):
    """Select the sampled frames of ``keypoint`` / ``keypoint_score``.

    Required keys: ``keypoint`` (M, T, V, C). Optional keys:
    ``keypoint_score`` (M, T, V), ``frame_inds`` (default: all frames),
    ``total_frames``.
    Modified keys: ``keypoint`` -> (M, len(frame_inds), V, C) float32,
    ``keypoint_score`` -> (M, len(frame_inds), V) float32.
    Added keys: ``frame_inds`` when absent.

    Raises:
        IndexError: a frame index beyond the sample's frames.
    """

    required_keys = ('keypoint',)
    optional_keys = ('keypoint_score', 'frame_inds', 'total_frames')
    added_keys = ('frame_inds',)
    modified_keys = ('keypoint', 'keypoint_score')

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        if 'frame_inds' not in results:
            results['frame_inds'] = np.arange(results.get('total_frames', kp.shape[1]))
        inds = np.asarray(results['frame_inds']).reshape(-1)
        if inds.size and (inds.max() >= kp.shape[1] or inds.min() < 0):
            raise IndexError(f'PoseDecode: sample {sample_name(results)!r} has {kp.shape[1]} '
                             f'frames but frame index {inds.max()} was requested')
        results['keypoint'] = kp[:, inds].astype(np.float32)
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][:, inds].astype(np.float32)
        return results
