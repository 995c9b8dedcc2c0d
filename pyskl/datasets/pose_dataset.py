"""``PoseDataset``: the PYSKL / MMAction2 skeleton annotation pickle, unchanged.

File format (a pickle): ``dict(split=dict(name=[frame_dir, ...]),
annotations=[sample, ...])`` -- a bare list of samples is accepted too. A
sample holds ``frame_dir`` (str, unique id), ``label`` (int),
``total_frames`` (int T), ``img_shape`` / ``original_shape`` ((h, w), 2D
only), ``keypoint`` (M, T, V, C) float pixels (2D) or metres (3D), and for
2D ``keypoint_score`` (M, T, V) in [0, 1]. Optional: ``box_score``
(M, T) and ``valid`` (dict box_thr -> #valid frames) for ``valid_ratio``.
"""
from __future__ import annotations

import os.path as osp
import pickle
import re
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dist import get_rank
from mmengine.dataset import BaseDataset
from mmengine.fileio import get

from pyskl.io.safe_pickle import UnsafePickleError, load_data, loads_data
from pyskl.utils.epoch_seed import EpochSeed
from pyskl.registry import DATASETS

REQUIRED_SAMPLE_KEYS = ('frame_dir', 'total_frames', 'keypoint')


class AnnotationError(ValueError):
    """A malformed annotation file or sample (the message names both)."""


class PipelineError(RuntimeError):
    """A transform failed on one sample; the message names the sample (index,
    ``frame_dir``, annotation file) and the transform, and the original
    exception is chained. Raised in a dataloader worker, it reaches the main
    process with the same message."""


def release_free_memory(collect: bool = True) -> None:
    """Return freed heap memory to the OS (glibc ``malloc_trim``; a no-op where
    there is no glibc), after a full garbage collection unless ``collect=False``
    (the caller has just collected: a full collection walks every object of the
    process, ~0.1-0.2 s in a large one)."""
    import ctypes
    import ctypes.util
    import gc
    if collect:
        gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def load_annotation_file(path: str):
    """Read an annotation pickle (local or mmengine backend; gzip-compressed
    ``.pkl.gz`` recognised by its magic bytes) without running code from it:
    only dicts, lists, strings, numbers and NumPy arrays are rebuilt
    (:func:`pyskl.io.loads_data`; ``PYSKL_TRUST_PICKLES=1`` reads a trusted
    legacy file in full).

    Raises:
        AnnotationError: a missing file, one that is not a (complete) pickle,
            or one that names code (the global it names is in the message).
    """
    try:
        raw = get(path)
        return loads_data(raw, path, 'annotation file')
    except FileNotFoundError:
        raise AnnotationError(f'annotation file {path!r} does not exist') from None
    except UnsafePickleError as e:
        raise AnnotationError(str(e)) from None
    except Exception as e:  # noqa: BLE001 - re-raised with the file name
        raise AnnotationError(f'annotation file {path!r} is not a readable pickle '
                              f'(truncated or not a pickle): {type(e).__name__}: {e}') from e


def check_sample(sample: Dict, index: int, path: str, with_label: bool = True,
                 kpfile_dir: Optional[str] = None) -> None:
    """Validate one annotation; raise :class:`AnnotationError` naming the
    file, the sample and the problem. With ``kpfile_dir`` (MMAction2's
    per-video kpfiles) a compressed sample may come without keypoints
    (``kpfile_dir=True``: the caller reads only the table of contents)."""
    name = sample.get('frame_dir', f'#{index}') if isinstance(sample, dict) else f'#{index}'
    where = f'annotation file {path!r}, sample {name!r}'
    if not isinstance(sample, dict):
        raise AnnotationError(f'{where}: a sample must be a dict, got {type(sample).__name__}')
    if 'frame_inds' in sample:      # PYSKL's compressed (Kinetics-400) form
        keys = ('frame_dir', 'total_frames', 'frame_inds') + (('label',) if with_label else ())
        missing = [k for k in keys if k not in sample]
        if 'keypoint' not in sample and 'raw_file' not in sample and not kpfile_dir:
            missing.append("keypoint or raw_file (or data_prefix=dict(skeleton=DIR) of "
                           "per-video kpfiles)")
        if missing:
            raise AnnotationError(f'{where}: missing key(s) {missing}; has {sorted(sample)}')
        n = len(sample['frame_inds'])
        for key, shape in (('box_score', (n,)), ('keypoint', None)):
            v = sample.get(key)
            if v is None:
                continue
            ok = (np.shape(v) == shape if shape else np.ndim(v) == 3 and np.shape(v)[0] == n
                  and np.shape(v)[2] == 3)
            if not ok:
                raise AnnotationError(f'{where}: {key} has shape {np.shape(v)}, expected '
                                      f'{shape or (n, "V", 3)} for {n} frame_inds')
        if with_label:
            _check_label(sample['label'], where)
        return
    keys = REQUIRED_SAMPLE_KEYS + (('label',) if with_label else ())
    missing = [k for k in keys if k not in sample]
    if missing:
        raise AnnotationError(f'{where}: missing key(s) {missing}; has {sorted(sample)}')
    kp = sample['keypoint']
    if not isinstance(kp, np.ndarray) or kp.ndim != 4:
        raise AnnotationError(f'{where}: keypoint must be an array (M, T, V, C), got '
                              f'{getattr(kp, "shape", type(kp).__name__)}')
    M, T, V, C = kp.shape
    if not isinstance(sample['total_frames'], (int, np.integer)) or \
            isinstance(sample['total_frames'], bool):
        raise AnnotationError(f'{where}: total_frames must be an int, got '
                              f'{sample["total_frames"]!r}')
    if not isinstance(sample['frame_dir'], str):
        raise AnnotationError(f'{where}: frame_dir must be a string, got '
                              f'{type(sample["frame_dir"]).__name__}')
    if int(sample['total_frames']) < 1 or T < 1:
        raise AnnotationError(f'{where}: has zero frames (total_frames='
                              f'{sample["total_frames"]}, keypoint {kp.shape})')
    if T != int(sample['total_frames']):
        raise AnnotationError(f'{where}: keypoint has {T} frames but total_frames='
                              f'{sample["total_frames"]}')
    if M < 1 or C not in (2, 3):
        raise AnnotationError(f'{where}: keypoint shape {kp.shape} needs M>=1 persons and '
                              'C in (2, 3) channels')
    if kp.dtype.kind not in 'fiu':
        raise AnnotationError(f'{where}: keypoint must hold numbers, got dtype {kp.dtype}')
    if not np.isfinite(kp).all():
        raise AnnotationError(f'{where}: keypoint contains NaN or infinite values')
    if 'keypoint_score' in sample:
        sc = sample['keypoint_score']
        if getattr(sc, 'shape', None) != (M, T, V):
            raise AnnotationError(f'{where}: keypoint_score must have shape {(M, T, V)}, got '
                                  f'{getattr(sc, "shape", type(sc).__name__)}')
        if not np.isfinite(sc).all():
            raise AnnotationError(f'{where}: keypoint_score contains NaN or infinite values')
    if with_label:
        _check_label(sample['label'], where)


def _listing(items: Sequence, limit: int = 10) -> str:
    shown = ', '.join(repr(x) for x in list(items)[:limit])
    return shown + (f' ... ({len(items) - limit} more)' if len(items) > limit else '')


def _is_label_list(label) -> bool:
    return isinstance(label, (list, tuple, np.ndarray)) and np.ndim(label) == 1


def _check_label(label, where: str) -> None:
    """An int >= 0, or (multi-label data) a non-empty list of them."""
    if _is_label_list(label) and len(label) and all(
            isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x >= 0
            for x in label):
        return
    if not isinstance(label, (int, np.integer)) or isinstance(label, bool) or label < 0:
        raise AnnotationError(f'{where}: label must be a non-negative int (or, multi-label, a '
                              f'list of them), got {label!r}')


@DATASETS.register_module()
class PoseDataset(BaseDataset):
    """Skeleton dataset reading PYSKL / MMAction2 annotation pickles.

    The data list is serialised by mmengine (``serialize_data=True``), so
    dataloader workers share one buffer instead of copying the list, and the
    memory of the unpickled annotations is returned to the OS afterwards
    (about half the memory of a plain list with 4 workers on a
    Kinetics-400-sized file; measurements in docs/results.md).

    Args:
        ann_file: the annotation pickle.
        pipeline: transforms (configs or callables).
        split: name of the split to use (a key of ``split``); ``None``
            uses every annotation.
        valid_ratio: keep samples whose fraction of frames with a person
            box score ``>= box_thr`` is at least this (PYSKL); each kept
            sample gets ``anno_inds`` = ``box_score >= box_thr``.
        box_thr: box score threshold for ``valid_ratio``.
        multi_class: multi-label data (a sample's ``label`` may be a list
            of class indices); samples then carry multi-hot labels
            (``num_classes``,) float32 for ``BCELossWithLogits`` and
            ``AccMetric(metric_list=('mean_average_precision',))``.
        num_classes: the number of classes K (needed with ``multi_class``).
        class_prob: PYSKL's per-class sampling multipliers (a list indexed
            by label or a dict); used by a ``ClassSpecificDistributedSampler``
            (``sampler=dict(type='ClassSpecificDistributedSampler')``).
        test_mode: written into every sample as ``test_mode`` (deterministic
            sampling in ``UniformSampleFrames``).
        **kwargs: passed to mmengine's ``BaseDataset`` (``data_root``,
            ``serialize_data``, ``lazy_init``, ...). ``data_prefix=dict(
            video=DIR)`` (RGB + pose configs, as MMAction2) gives every sample
            ``filename = DIR/<frame_dir>.mp4`` unless it has one;
            ``data_prefix=dict(skeleton=DIR)`` (MMAction2's Kinetics-400
            kpfiles) merges the dict of ``DIR/<frame_dir>.pkl`` into the
            sample when it is read (its ``keypoint`` (N, V, 3) for
            ``DecompressPose``).

    Raises:
        AnnotationError: unreadable file, unknown or empty split, malformed
            sample -- the message names the file, sample and problem.
    """

    def __init__(self, ann_file: str, pipeline: Sequence = (), split: Optional[str] = None,
                 valid_ratio: Optional[float] = None, box_thr: float = 0.5,
                 test_mode: bool = False, class_prob=None, multi_class: bool = False,
                 num_classes: Optional[int] = None, **kwargs):
        for name, value in (('ann_file', ann_file), ('split', split)):
            if isinstance(value, str) and re.search(r'\{[A-Za-z_]\w*\}', value):
                raise ValueError(f'PoseDataset: {name}={value!r} holds an unresolved config '
                                 'variable; read the config with pyskl.engine.load_config '
                                 '(as tools/train.py and tools/test.py do)')
        self.split = split
        self.valid_ratio = valid_ratio
        self.box_thr = box_thr
        #: PYSKL's per-class multipliers, read by ClassSpecificDistributedSampler
        self.class_prob = class_prob
        if multi_class and not (isinstance(num_classes, int) and num_classes > 0):
            raise ValueError(f'PoseDataset: multi_class=True needs num_classes (an int > 0), '
                             f'got {num_classes!r}')
        self.multi_class, self.num_classes = bool(multi_class), num_classes
        #: the training epoch, set by EpochSeedHook (pyskl.utils.epoch_seed)
        self.epoch_seed = EpochSeed()
        super().__init__(ann_file=ann_file, pipeline=list(pipeline), test_mode=test_mode,
                         **kwargs)

    def load_data_list(self) -> List[Dict]:
        path = self.ann_file
        data = load_annotation_file(path)
        if isinstance(data, dict):
            if 'annotations' not in data:
                raise AnnotationError(f'annotation file {path!r}: a dict must have an '
                                      f"'annotations' list; keys are {sorted(data)}")
            annotations = data['annotations']
            splits = data.get('split')
        elif isinstance(data, list):
            annotations, splits = data, None
        else:
            raise AnnotationError(f'annotation file {path!r}: expected a dict with split/'
                                  f'annotations or a list, got {type(data).__name__}')
        names = [a.get('frame_dir', a.get('filename')) if isinstance(a, dict) else None
                 for a in annotations]
        if self.split is not None:
            if not splits or self.split not in splits:
                raise AnnotationError(f'annotation file {path!r} has no split {self.split!r}; '
                                      f'splits: {sorted(splits or {})}')
            wanted = list(splits[self.split])
            bad = [x for x in wanted if not isinstance(x, (str, int))]
            if bad:
                raise AnnotationError(f'annotation file {path!r}, split {self.split!r}: ids must '
                                      f'be strings (frame_dir), got {_listing(bad)}')
            have = set(n for n in names if n is not None)
            absent = [x for x in wanted if x not in have]
            if absent:
                raise AnnotationError(
                    f'annotation file {path!r}, split {self.split!r}: {len(absent)} of '
                    f'{len(wanted)} ids have no annotation: {_listing(absent)}')
            keep = set(wanted)
            annotations = [a for a, n in zip(annotations, names) if n in keep]
            names = [n for n in names if n in keep]
        if not annotations:
            raise AnnotationError(f'annotation file {path!r}: split {self.split!r} selects no '
                                  'samples')
        seen, dups = set(), []
        for n in names:
            if n is not None and n in seen and n not in dups:
                dups.append(n)
            seen.add(n)
        if dups:
            raise AnnotationError(f'annotation file {path!r}: {len(dups)} frame_dir value(s) '
                                  f'occur more than once: {_listing(dups)}; every sample needs '
                                  'its own name (results and fusion are matched by it)')
        with_label = not self.test_mode or all('label' in a for a in annotations)
        first = None
        # a table of contents without skeletons is fine for metadata only (an
        # empty pipeline, as MMAction2's dataset tests read sample.pkl)
        kpfile_dir = self.kpfile_dir or not self.pipeline.transforms
        for i, sample in enumerate(annotations):
            check_sample(sample, i, path, with_label=with_label, kpfile_dir=kpfile_dir)
            kp = sample.get('keypoint')
            if isinstance(kp, np.ndarray):        # one skeleton format per file
                if first is None:
                    first = (sample['frame_dir'], kp.shape[2:])
                elif kp.shape[2:] != first[1]:
                    raise AnnotationError(
                        f'annotation file {path!r}, sample {sample["frame_dir"]!r}: keypoint '
                        f'has (V, C) = {kp.shape[2:]}, sample {first[0]!r} has {first[1]}; '
                        'all samples of a file need the same joints and channels')
        if self.kpfile_dir:
            absent = [a['frame_dir'] for a in annotations if 'keypoint' not in a and not
                      osp.isfile(osp.join(self.kpfile_dir, a['frame_dir'] + '.pkl'))]
            if absent:
                raise AnnotationError(
                    f'annotation file {path!r}: {len(absent)} of {len(annotations)} samples '
                    f'have no kpfile <frame_dir>.pkl in data_prefix skeleton='
                    f'{self.kpfile_dir!r}: {_listing(absent)}')
        several = [a['frame_dir'] for a in annotations if _is_label_list(a.get('label'))]
        if several and not self.multi_class:
            raise AnnotationError(f'annotation file {path!r}: {len(several)} samples have several '
                                  f'labels ({_listing(several, 3)}); read multi-label data with '
                                  'PoseDataset(multi_class=True, num_classes=K)')
        labels = [(max(a['label']) if _is_label_list(a['label']) else a['label'], a['frame_dir'])
                  for a in annotations if 'label' in a]
        if self.multi_class:
            over = [n for lb, n in labels if lb >= self.num_classes]
            if over:
                raise AnnotationError(f'annotation file {path!r}: samples {_listing(over, 5)} have '
                                      f'labels >= num_classes={self.num_classes}')
        #: (largest label, its sample), checked against the model's classes by the runner
        self.label_max = max(labels, key=lambda x: x[0]) if labels else None
        if self.valid_ratio is not None and self.valid_ratio > 0:
            annotations = self._filter_valid(annotations, path)
        #: the label of each kept sample (-1 without one), for samplers
        self.labels = [-1 if _is_label_list(a.get('label')) else a.get('label', -1)
                       for a in annotations]
        return annotations

    @property
    def kpfile_dir(self) -> Optional[str]:
        """``data_prefix['skeleton']``: the folder of per-video kpfiles, or None."""
        return (getattr(self, 'data_prefix', None) or {}).get('skeleton') or None

    def _filter_valid(self, annotations: List[Dict], path: str) -> List[Dict]:
        kept = []
        for a in annotations:
            if 'box_score' not in a or 'valid' not in a:
                raise AnnotationError(f'annotation file {path!r}, sample {a["frame_dir"]!r}: '
                                      "valid_ratio needs the keys 'box_score' and 'valid'")
            if self.box_thr not in a['valid']:
                raise AnnotationError(
                    f'annotation file {path!r}, sample {a["frame_dir"]!r}: box_thr='
                    f'{self.box_thr} is not one of the thresholds its valid counts are '
                    f'given for ({sorted(a["valid"])})')
            if a['valid'][self.box_thr] / a['total_frames'] >= self.valid_ratio:
                a['anno_inds'] = a['box_score'] >= self.box_thr
                kept.append(a)
        if not kept:
            raise AnnotationError(f'annotation file {path!r}: no sample passes valid_ratio='
                                  f'{self.valid_ratio} at box_thr={self.box_thr}')
        return kept

    def full_init(self):
        """mmengine's ``full_init`` (load, filter, serialise), then hand the
        memory freed by serialising back to the OS: the annotations unpickled
        as Python objects are released, but glibc keeps the pages, so the
        main process -- and every data worker forked from it -- would hold
        about twice the packed size (docs/results.md, large annotation files)."""
        if self._fully_initialized:
            return
        super().full_init()
        if self.serialize_data:    # mmengine's _serialize_data ends with gc.collect()
            release_free_memory(collect=False)

    def prepare_data(self, idx: int):
        """Run the pipeline on sample ``idx``, one transform at a time.

        Raises:
            PipelineError: a transform raised; names the sample and the
                transform (instead of a bare traceback from inside a worker).
        """
        if not self.test_mode:
            self.epoch_seed.reseed_if_new_epoch(get_rank())
        results = self.get_data_info(idx)
        where = (f'sample {idx} (frame_dir={results.get("frame_dir")!r}) of '
                 f'{self.ann_file!r}')
        for transform in self.pipeline.transforms:
            try:
                results = transform(results)
            except Exception as err:  # noqa: BLE001 - re-raised with the sample and transform
                raise PipelineError(f'{where}: transform {type(transform).__name__} failed: '
                                    f'{type(err).__name__}: {err}') from err
            if results is None:
                return None
        return results

    def get_data_info(self, idx: int) -> Dict:
        info = super().get_data_info(idx)
        info['test_mode'] = self.test_mode
        if self.multi_class and 'label' in info:        # -> multi-hot (K,) float32
            hot = np.zeros(self.num_classes, np.float32)
            hot[np.asarray(info['label']).reshape(-1)] = 1
            info['label'] = hot
        info.setdefault('start_index', 0)
        video_dir = (self.data_prefix or {}).get('video')
        if video_dir and 'filename' not in info:
            info['filename'] = osp.join(video_dir, info['frame_dir'] + '.mp4')
        if self.kpfile_dir:
            path = osp.join(self.kpfile_dir, info['frame_dir'] + '.pkl')
            try:
                extra = load_data(path, 'kpfile')
            except FileNotFoundError:
                raise AnnotationError(f'{self.ann_file!r}, sample {info["frame_dir"]!r}: its '
                                      f'kpfile {path!r} does not exist') from None
            except (UnsafePickleError, pickle.UnpicklingError, EOFError, ValueError) as e:
                raise AnnotationError(f'kpfile {path!r} (sample {info["frame_dir"]!r}) cannot '
                                      f'be read: {e}') from None
            if not isinstance(extra, dict):
                raise AnnotationError(f'kpfile {path!r}: a dict of sample keys (keypoint, ...) '
                                      f'expected, got {type(extra).__name__}')
            info.update(extra)
        return info
