"""``DecompressPose``: PYSKL's compressed (Kinetics-400) skeletons -> (M, T, V, C)."""
from __future__ import annotations

import os.path as osp
from collections import OrderedDict
from typing import Dict

import numpy as np

from pyskl.io.safe_pickle import loads_data
from pyskl.registry import TRANSFORMS
from .base import PoseTransform, sample_name


class KpfileCache:
    """The last ``size`` kpfiles read by this process (PYSKL keeps them in
    memcached). A kpfile is a pickle ``{frame_dir: {'keypoint': (N, V, 3)}}``.

    ``get(path, frame_dir)`` returns that (N, V, 3) array; raises
    ``FileNotFoundError`` (no such kpfile) or ``KeyError`` (no such video in
    it), both naming the file and the video."""

    def __init__(self, size: int = 4):
        self.size = size
        self._files: OrderedDict = OrderedDict()

    def get(self, path: str, frame_dir: str) -> np.ndarray:
        if path not in self._files:
            if not osp.isfile(path):
                raise FileNotFoundError(f'kpfile {path!r} (raw_file of {frame_dir!r}) not found')
            with open(path, 'rb') as f:
                self._files[path] = loads_data(f.read(), path, 'kpfile')
            while len(self._files) > self.size:
                self._files.popitem(last=False)
        self._files.move_to_end(path)
        try:
            return self._files[path][frame_dir]['keypoint']
        except KeyError:
            raise KeyError(f'kpfile {path!r} has no skeletons of {frame_dir!r}') from None


@TRANSFORMS.register_module()
class DecompressPose(PoseTransform):
    """Turn a compressed skeleton list into the usual per-person arrays.

    PYSKL's Kinetics-400 annotations store, per video, ``N`` skeletons
    (``keypoint`` (N, V, 3): x, y, score; in the annotation or in the kpfile
    ``raw_file``, read here when ``keypoint`` is absent) with the frame of each
    (``frame_inds``, non-decreasing). In each frame the skeletons get person
    slots 0, 1, ... in their order; with more than ``max_person`` in some
    frame, the slots of every frame are ordered by score sum (descending) and
    only ``max_person`` kept. ``anno_inds`` (set by ``PoseDataset`` with
    ``valid_ratio``: box score >= ``box_thr``) selects skeletons first.
    Source: PYSKL ``DecompressPose`` (its rules, vectorised; tested against a
    frame-by-frame implementation of them; no real PYSKL K400 file has been
    tried).

    Args:
        squeeze: drop frames without any skeleton (``total_frames`` becomes
            the number of frames kept).
        max_person: most persons per frame.

    Required keys: ``frame_inds``, ``total_frames``; ``keypoint`` or ``raw_file``.
    Optional keys: ``anno_inds``.
    Added / modified keys: ``keypoint`` (M, T, V, 2) float16, ``keypoint_score``
    (M, T, V) float16, ``total_frames``; ``num_person`` when clipped.
    Removed keys: ``frame_inds``, ``anno_inds``, ``raw_file``.

    Raises:
        ValueError: no skeleton; ``frame_inds`` decreasing, out of range, or
            not one per skeleton (names the sample). FileNotFoundError / KeyError: the
            kpfile or its entry is missing.
    """

    required_keys = ('frame_inds', 'total_frames')
    optional_keys = ('keypoint', 'raw_file', 'anno_inds')
    added_keys = ('keypoint_score', 'num_person')
    modified_keys = ('keypoint', 'total_frames')
    removed_keys = ('frame_inds', 'anno_inds', 'raw_file')

    def __init__(self, squeeze: bool = True, max_person: int = 10, kpfile_cache: int = 4):
        self.squeeze, self.max_person = squeeze, max_person
        self._cache = KpfileCache(kpfile_cache)

    def transform(self, results: Dict) -> Dict:
        name = sample_name(results)
        frame_inds = np.asarray(results.pop('frame_inds'))
        raw_file = results.pop('raw_file', None)
        kp = results.get('keypoint')
        if kp is None:
            if raw_file is None:
                raise KeyError(f'DecompressPose: sample {name!r} has neither keypoint nor '
                               'raw_file')
            kp = self._cache.get(raw_file, results['frame_dir'])
        kp = np.asarray(kp)
        anno = results.pop('anno_inds', None)
        if anno is not None:
            frame_inds, kp = frame_inds[anno], kp[anno]
        if len(kp) == 0:
            raise ValueError(f'DecompressPose: sample {name!r} has no skeleton'
                             + (' with a box score above box_thr' if anno is not None else ''))
        if len(frame_inds) != len(kp):
            raise ValueError(f'DecompressPose: sample {name!r} has {len(kp)} skeletons but '
                             f'{len(frame_inds)} frame_inds')
        if len(frame_inds) and np.any(np.diff(frame_inds) < 0):
            raise ValueError(f'DecompressPose: sample {name!r}: frame_inds must not decrease')
        total = int(results['total_frames'])
        if self.squeeze:
            frames, frame_inds = np.unique(frame_inds, return_inverse=True)
            total = len(frames)
        elif len(frame_inds) and (frame_inds.min() < 0 or frame_inds.max() >= total):
            raise ValueError(f'DecompressPose: sample {name!r}: frame_inds outside '
                             f'[0, {total})')
        V = kp.shape[1]
        # slot of each skeleton within its frame: its rank among the frame's skeletons
        first = np.searchsorted(frame_inds, frame_inds, side='left')
        slot = np.arange(len(frame_inds)) - first
        num_person = int(slot.max()) + 1
        if num_person > self.max_person:
            # order each frame's skeletons by score sum, high first (stable)
            score = kp[..., 2].astype(np.float16).sum(-1, dtype=np.float32)
            order = np.lexsort((-score, frame_inds))
            frame_inds, kp = frame_inds[order], kp[order]   # slots: still rank in frame
            num_person = self.max_person
            results['num_person'] = num_person
        new_kp = np.zeros((num_person, total, V, 2), np.float16)
        new_score = np.zeros((num_person, total, V), np.float16)
        sel = slot < num_person
        new_kp[slot[sel], frame_inds[sel]] = kp[sel, :, :2]
        new_score[slot[sel], frame_inds[sel]] = kp[sel, :, 2]
        results['keypoint'], results['keypoint_score'] = new_kp, new_score
        results['total_frames'] = total
        return results
