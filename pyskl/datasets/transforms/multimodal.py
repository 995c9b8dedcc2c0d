"""RGB + pose pipelines (RGBPoseConv3D): sample both modalities, decode the
video's sampled frames and the skeleton's, crop both around the person.

Reference design: PYSKL / MMAction2 ``MMUniformSampleFrames``, ``MMDecode``,
``MMCompact`` (names and arguments kept). Frames come from the video file of
the sample (``filename``, else ``frame_dir + '.mp4'``) through
:mod:`pyskl.io.video` (decord, OpenCV fallback).
"""
from __future__ import annotations

from typing import Dict, Optional, Union

import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.io import read_frames
from .base import PoseTransform, sample_name
from .functional import uniform_sample_indices
from .geometry import PoseCompact
from .sampling import sampling_mode_and_frames

MODALITIES = ('RGB', 'Pose')


@TRANSFORMS.register_module()
class MMUniformSampleFrames(PoseTransform):
    """Uniform temporal sampling of each modality at its own clip length.

    Args:
        clip_len: frames per clip per modality, e.g. ``dict(RGB=8, Pose=32)``.
        num_clips: clips per modality.
        test_mode: deterministic test sampling (``None``: the sample's
            ``test_mode``).
        seed: seed of test sampling (each modality from a fresh state, as the
            reference).

    Required keys: ``total_frames``. Optional keys: ``test_mode``.
    Added keys: ``RGB_inds`` / ``Pose_inds`` (num_clips * clip_len,) int64,
    ``clip_len`` (the dict), ``num_clips``, ``frame_interval``; ``modality``
    (the list of modalities).

    Raises:
        ValueError: unknown modality, or a sample without frames.
    """

    required_keys = ('total_frames',)
    optional_keys = ('test_mode',)
    added_keys = ('RGB_inds', 'Pose_inds', 'clip_len', 'num_clips', 'frame_interval', 'modality')

    def __init__(self, clip_len: Dict[str, int], num_clips: int = 1,
                 test_mode: Optional[bool] = None, seed: int = 255):
        bad = [m for m in clip_len if m not in MODALITIES]
        if bad or not clip_len:
            raise ValueError(f'MMUniformSampleFrames: clip_len keys must be among {MODALITIES}, '
                             f'got {list(clip_len)}')
        self.clip_len = {m: int(n) for m, n in clip_len.items()}
        self.num_clips, self.test_mode, self.seed = int(num_clips), test_mode, seed

    def transform(self, results: Dict) -> Dict:
        test_mode, n = sampling_mode_and_frames(self, results)
        for mod, clip_len in self.clip_len.items():
            results[f'{mod}_inds'] = uniform_sample_indices(n, clip_len, self.num_clips,
                                                            test_mode=test_mode, seed=self.seed)
        results['clip_len'] = dict(self.clip_len)
        results['num_clips'] = self.num_clips
        results['frame_interval'] = None
        results['modality'] = list(self.clip_len)
        return results


@TRANSFORMS.register_module()
class MMDecode(PoseTransform):
    """Decode the sampled RGB frames of the video and the sampled skeleton frames.

    When the decoded frames' size differs from the annotation's ``img_shape``
    (e.g. videos compressed from 1920x1080 to 960x540 after pose extraction),
    keypoints are rescaled to the frames and ``img_shape`` becomes theirs.

    Args:
        backend: ``'auto'`` (decord, else OpenCV), ``'decord'`` or ``'opencv'``.
        io_backend: accepted for MMAction2 config compatibility; only
            ``'disk'``.

    Required keys: ``modality``, ``{RGB,Pose}_inds``; for RGB ``filename`` or
    ``frame_dir``; for Pose ``keypoint`` (M, T, V, 2). Optional keys:
    ``keypoint_score``, ``img_shape``, ``total_frames``, ``offset`` (added to
    the RGB frame indices: the sample is a window of a longer video, as
    PYSKL's ``PoseDecode`` offset).
    Added / modified keys: ``imgs`` (list of (H, W, 3) uint8 RGB), ``keypoint``
    (M, T', V, 2) float32, ``keypoint_score`` (M, T', V) (ones if absent),
    ``img_shape``, ``original_shape``, ``filename``.

    Raises:
        VideoReadError: missing, unreadable or truncated video (names it).
        ValueError: unknown modality; RGB without a file name.
    """

    required_keys = ('modality',)
    optional_keys = ('RGB_inds', 'Pose_inds', 'filename', 'frame_dir', 'keypoint',
                     'keypoint_score', 'img_shape', 'total_frames', 'offset')
    added_keys = ('imgs', 'filename', 'original_shape', 'keypoint_score')
    modified_keys = ('keypoint', 'keypoint_score', 'img_shape')

    def __init__(self, backend: str = 'auto', io_backend: str = 'disk'):
        if io_backend != 'disk':
            raise ValueError(f"MMDecode: io_backend must be 'disk', got {io_backend!r}")
        self.backend = backend

    def transform(self, results: Dict) -> Dict:
        for mod in results['modality']:
            inds = np.asarray(results[f'{mod}_inds']).reshape(-1)
            if mod == 'RGB':
                if 'filename' not in results:
                    if 'frame_dir' not in results:
                        raise ValueError('MMDecode: an RGB sample needs filename or frame_dir')
                    results['filename'] = results['frame_dir'] + '.mp4'
                frames = read_frames(results['filename'], inds + int(results.get('offset', 0)),
                                     self.backend)
                results['imgs'] = list(frames)
            elif mod == 'Pose':
                kp = results['keypoint']
                if inds.size and inds.max() >= kp.shape[1]:
                    raise IndexError(f'MMDecode: sample {sample_name(results)!r} has '
                                     f'{kp.shape[1]} skeleton frames, frame {inds.max()} '
                                     'requested')
                score = results.get('keypoint_score')
                if score is None:
                    score = np.ones(kp.shape[:-1], np.float32)
                results['keypoint'] = kp[:, inds].astype(np.float32)
                results['keypoint_score'] = np.asarray(score)[:, inds].astype(np.float32)
            else:
                raise ValueError(f'MMDecode: unknown modality {mod!r}; use {MODALITIES}')
        if 'imgs' in results:
            real = tuple(results['imgs'][0].shape[:2])
            shape = tuple(results.get('img_shape', real))
            if 'keypoint' in results and real != shape:
                kp = results['keypoint']
                kp[..., 0] *= real[1] / shape[1]
                kp[..., 1] *= real[0] / shape[0]
            results['img_shape'] = results['original_shape'] = real
        return results


@TRANSFORMS.register_module()
class MMCompact(PoseCompact):
    """``PoseCompact`` of frames and keypoints together (PYSKL / MMAction2
    ``MMCompact``; default ``hw_ratio=1``): crop every frame to the box around
    all keypoints of the clip, grown by ``padding``, zero-padding frames where
    the box leaves them (``allow_imgpad``).
    """

    def __init__(self, padding: float = 0.25, threshold: float = 10,
                 hw_ratio: Union[None, float, tuple] = 1, allow_imgpad: bool = True):
        super().__init__(padding=padding, threshold=threshold, hw_ratio=hw_ratio,
                         allow_imgpad=allow_imgpad)
