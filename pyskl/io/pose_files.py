"""Per-video pose files that users bring: OpenPose, MMPose and ST-GCN's
Kinetics-skeleton JSON, read into per-frame :class:`PoseResult` s (pixels).

Formats (``fmt``):

* ``'openpose'`` -- a folder of OpenPose's per-frame ``*_keypoints.json``
  (``{"people": [{"pose_keypoints_2d": [x, y, c] * V}]}``; Cao et al.,
  OpenPose, TPAMI 2019). V = 25: ``BODY_25`` (layout ``body25``) or, with
  ``openpose_model='BODY_25B'``, ``body25b``; V = 18: COCO-18 (layout
  ``openpose``). Frames are ordered by the last number in the file name
  (``video_000000000012_keypoints.json``, ``cam01.0012.json``); a gap in the
  numbering is a frame without anybody. A missing joint is ``0 0 0``.
* ``'mmpose'`` -- one JSON per video as ``MMPoseInferencer`` writes it
  (``[{"frame_id", "instances": [{"keypoints": [[x, y]] * K,
  "keypoint_scores": [K], "bbox": [[x1, y1, x2, y2]]}]}]``); K = 17 (``coco``)
  or 133 (``coco_wholebody``); scores are clipped to [0, 1] (RTMPose's SimCC
  confidences can pass 1). The variant with ``"people"`` and ``"keypoints":
  [[x, y, s]]`` (other mmpose-based tools) is read when ``s`` is a [0, 1]
  confidence, or with ``ignore_scores``.
* ``'kinetics-skeleton'`` -- the per-video JSON of ST-GCN's Kinetics-skeleton
  release (Yan et al., AAAI 2018): ``{"data": [{"frame_index" (from 1),
  "skeleton": [{"pose": [x, y] * 18, "score": [18]}]}], "label",
  "label_index"}``, COCO-18 coordinates normalised to [0, 1] of the
  340x256 frames the poses were estimated on.

None of them carries identities across frames: the caller links people
with :class:`pyskl.apis.tracking.PoseTracker`. Coordinates in [0, 1]
(OpenPose ``--keypoint_scale 3``, Kinetics-skeleton) are scaled to pixels of
``img_shape``.
"""
from __future__ import annotations

import glob
import json
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from pyskl.structures import PoseResult

FORMATS = ('openpose', 'mmpose', 'kinetics-skeleton')
#: ST-GCN's Kinetics-skeleton poses are normalised to frames resized to 340x256
KINETICS_SKELETON_SHAPE = (256, 340)
_OPENPOSE_LAYOUT = {18: 'openpose', 25: 'body25'}
_MMPOSE_LAYOUT = {17: 'coco', 133: 'coco_wholebody'}


class PoseFileError(ValueError):
    """A pose file that cannot be read as the format says (names the file and,
    where there is one, the frame)."""


@dataclass
class PoseSequence:
    """One video's poses, frame by frame, as the file holds them.

    Attributes:
        name: the video's name (``frame_dir``).
        frames: one :class:`PoseResult` per frame (pixels once
            :meth:`to_pixels` has run), empty frames included.
        layout: the file's skeleton layout (``body25``, ``coco_wholebody``...).
        normalized: whether the coordinates are in [0, 1] of the frame.
        img_shape: (h, w) when the file or the format says it.
        label: the class index when the file holds one (Kinetics-skeleton).
        source: the file or folder read.
    """
    name: str
    frames: List[PoseResult]
    layout: str
    normalized: bool = False
    img_shape: Optional[Tuple[int, int]] = None
    label: Optional[int] = None
    source: str = ''
    extra: dict = field(default_factory=dict)

    def to_pixels(self, img_shape: Optional[Sequence[int]]) -> 'PoseSequence':
        """Scale normalised coordinates by ``img_shape`` (h, w) (or the
        file's own); pixel coordinates are left as they are.

        Raises:
            PoseFileError: normalised coordinates and no frame size known.
        """
        shape = tuple(img_shape) if img_shape is not None else self.img_shape
        if self.normalized:
            if shape is None:
                raise PoseFileError(f'{self.source}: the coordinates are normalised to [0, 1]; '
                                    'give the frame size (--img-shape H W) to scale them')
            h, w = shape
            scale = np.array([w, h], np.float32)
            self.frames = [PoseResult(r.keypoint * scale, r.keypoint_score,
                                      r.bbox * np.tile(scale, 2)) for r in self.frames]
            self.normalized = False
        self.img_shape = shape
        return self


def _load_json(path: str):
    try:
        with open(path, 'rb') as f:
            return json.loads(f.read())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PoseFileError(f'{path}: not a readable JSON file ({e})') from None


def _frame_number(path: str) -> Optional[int]:
    nums = re.findall(r'\d+', osp.basename(path))
    return int(nums[-1]) if nums else None


def _is_normalized(frames: List[PoseResult]) -> bool:
    seen = [r.keypoint[r.keypoint_score > 0] for r in frames if len(r)]
    seen = np.concatenate(seen) if seen else np.zeros((0, 2))
    return bool(len(seen)) and float(np.abs(seen).max()) <= 1.0 + 1e-6


def read_openpose(folder: str, openpose_model: Optional[str] = None,
                  coords: str = 'auto') -> PoseSequence:
    """A folder of OpenPose ``*.json`` frame files -> :class:`PoseSequence`.

    Args:
        openpose_model: ``'BODY_25'`` (default for 25 joints), ``'BODY_25B'``
            or ``'COCO'`` (18 joints); checked against the files.
        coords: ``'auto'`` (normalised when every seen coordinate is within
            [0, 1]), ``'pixels'`` or ``'normalized'``.

    Raises:
        PoseFileError: no JSON file, a malformed file, joint counts that
            differ between people or from ``openpose_model``.
    """
    files = sorted(glob.glob(osp.join(folder, '*.json')))
    if not files:
        raise PoseFileError(f'{folder}: holds no OpenPose *.json frame file')
    nums = [_frame_number(f) for f in files]
    if None in nums or len(set(nums)) != len(nums):
        order = list(range(len(files)))          # no usable numbering: name order
    else:
        order = [n - min(nums) for n in nums]
        files = [f for _, f in sorted(zip(order, files))]
        order = sorted(order)
    V = None
    frames: List[Optional[PoseResult]] = [None] * (order[-1] + 1)
    for idx, path in zip(order, files):
        d = _load_json(path)
        people = d.get('people') if isinstance(d, dict) else None
        if not isinstance(people, list):
            raise PoseFileError(f'{path}: an OpenPose frame file has a "people" list')
        kps = []
        for p, person in enumerate(people):
            flat = person.get('pose_keypoints_2d') if isinstance(person, dict) else None
            if not isinstance(flat, list) or len(flat) % 3 or not flat:
                raise PoseFileError(f'{path}: person {p} has no pose_keypoints_2d of x, y, c '
                                    'triples')
            if V is None:
                V = len(flat) // 3
            if len(flat) != 3 * V:
                raise PoseFileError(f'{path}: person {p} has {len(flat) // 3} joints, the '
                                    f'folder has {V}')
            kps.append(flat)
        arr = np.asarray(kps, np.float32).reshape(len(kps), -1, 3)
        frames[idx] = PoseResult(arr[..., :2], arr[..., 2]) if len(kps) else None
    if V is None:
        raise PoseFileError(f'{folder}: nobody in any of its {len(files)} frame files')
    if V not in _OPENPOSE_LAYOUT:
        raise PoseFileError(f'{folder}: {V} joints per person; OpenPose BODY_25 (25) and '
                            'COCO (18) are read')
    model = (openpose_model or ('COCO' if V == 18 else 'BODY_25')).upper()
    want = {'BODY_25': 25, 'BODY_25B': 25, 'COCO': 18}
    if model not in want:
        raise PoseFileError(f'openpose model {openpose_model!r}: BODY_25, BODY_25B or COCO')
    if want[model] != V:
        raise PoseFileError(f'{folder}: {V} joints per person, but {model} has {want[model]}')
    layout = {'BODY_25': 'body25', 'BODY_25B': 'body25b', 'COCO': 'openpose'}[model]
    frames = [r if r is not None else PoseResult.empty(V) for r in frames]
    return PoseSequence(osp.basename(osp.normpath(folder)), frames, layout,
                        _normalized(coords, frames, folder), source=folder)


def _normalized(coords: str, frames, source) -> bool:
    if coords not in ('auto', 'pixels', 'normalized'):
        raise PoseFileError(f'coords {coords!r}: auto, pixels or normalized')
    return _is_normalized(frames) if coords == 'auto' else coords == 'normalized'


def read_mmpose(path: str, coords: str = 'auto', ignore_scores: bool = False) -> PoseSequence:
    """An MMPose inferencer JSON (one video) -> :class:`PoseSequence`.

    Args:
        ignore_scores: scores become 1 for every joint given (0 for a joint at
            (0, 0)): for files whose third keypoint value is not a confidence.

    Raises:
        PoseFileError: not a list of frames, unknown keypoint count, a third
            keypoint value outside [0, 1] (unless ``ignore_scores``).
    """
    d = _load_json(path)
    if not isinstance(d, list) or (d and not isinstance(d[0], dict)):
        raise PoseFileError(f'{path}: an MMPose video file is a list of frames '
                            '({"frame_id", "instances": [...]})')
    K = None
    raw = []
    for t, frame in enumerate(d):
        people = frame.get('instances', frame.get('people'))
        if not isinstance(people, list):
            raise PoseFileError(f'{path}: frame {t} has no "instances" list')
        idx = frame.get('frame_id', frame.get('frame_index', t))
        kps, scs, boxes = [], [], []
        for p, inst in enumerate(people):
            try:
                kp = np.asarray(inst['keypoints'], np.float64)
                if 'keypoint_scores' in inst:
                    sc = np.asarray(inst['keypoint_scores'], np.float64)
                elif kp.ndim == 2 and kp.shape[1] == 3:
                    kp, sc = kp[:, :2], kp[:, 2]
                else:
                    raise KeyError('keypoint_scores')
            except (KeyError, TypeError, ValueError) as e:
                raise PoseFileError(f'{path}: frame {t}, instance {p}: needs keypoints '
                                    f'[[x, y], ...] and keypoint_scores ({e})') from None
            if kp.ndim != 2 or kp.shape[1] != 2 or sc.shape != kp.shape[:1]:
                raise PoseFileError(f'{path}: frame {t}, instance {p}: keypoints {kp.shape} '
                                    f'and scores {sc.shape} do not fit')
            K = K or len(kp)
            if len(kp) != K:
                raise PoseFileError(f'{path}: frame {t}, instance {p}: {len(kp)} keypoints, '
                                    f'the file has {K}')
            if ignore_scores:
                sc = (np.abs(kp).sum(1) > 0).astype(np.float64)
            elif 'keypoint_scores' in inst:
                # MMPose's own schema: RTMPose's SimCC confidences may pass 1
                sc = np.clip(sc, 0, 1)
            elif sc.size and (sc.min() < 0 or sc.max() > 1):
                raise PoseFileError(f'{path}: frame {t}: the third keypoint values reach '
                                    f'{sc.max():.3g}, outside [0, 1]: not confidences; read '
                                    'the file with --ignore-scores')
            kps.append(kp)
            scs.append(sc)
            box = inst.get('bbox')
            box = np.asarray(box, np.float64).reshape(-1)[:4] if box is not None else None
            boxes.append(box if box is not None and box.size == 4 else None)
        raw.append((int(idx), kps, scs, boxes))
    if K is None:
        raise PoseFileError(f'{path}: nobody in any of its {len(d)} frames')
    if K not in _MMPOSE_LAYOUT:
        raise PoseFileError(f'{path}: {K} keypoints per person; COCO (17) and COCO-WholeBody '
                            '(133) are read')
    first = min(r[0] for r in raw)
    frames = [PoseResult.empty(K) for _ in range(max(r[0] for r in raw) - first + 1)]
    for idx, kps, scs, boxes in raw:
        if kps:
            bbox = None if any(b is None for b in boxes) else np.stack(boxes)
            frames[idx - first] = PoseResult(np.stack(kps), np.stack(scs), bbox)
    name = osp.splitext(osp.basename(path))[0]
    return PoseSequence(name, frames, _MMPOSE_LAYOUT[K], _normalized(coords, frames, path),
                        source=path)


def read_kinetics_skeleton(path: str) -> PoseSequence:
    """ST-GCN's Kinetics-skeleton JSON -> :class:`PoseSequence` (normalised,
    ``img_shape`` (256, 340), ``label`` = ``label_index``).

    Raises:
        PoseFileError: not of that format (names the file and the entry).
    """
    d = _load_json(path)
    if not isinstance(d, dict) or not isinstance(d.get('data'), list):
        raise PoseFileError(f'{path}: a Kinetics-skeleton file is {{"data": [...], "label", '
                            '"label_index"}')
    raw = {}
    for n, frame in enumerate(d['data']):
        try:
            idx = int(frame['frame_index'])
            kps = [np.asarray(s['pose'], np.float32).reshape(18, 2) for s in frame['skeleton']]
            scs = [np.asarray(s['score'], np.float32).reshape(18) for s in frame['skeleton']]
        except (KeyError, TypeError, ValueError) as e:
            raise PoseFileError(f'{path}: data[{n}] needs frame_index and skeleton entries of '
                                f'18 (x, y) pose pairs and 18 scores ({e})') from None
        raw[idx] = (kps, scs)
    if not raw:
        raise PoseFileError(f'{path}: holds no frame')
    first, last = min(raw), max(raw)
    frames = []
    for idx in range(min(first, 1), last + 1):
        kps, scs = raw.get(idx, ([], []))
        frames.append(PoseResult(np.stack(kps), np.stack(scs)) if kps
                      else PoseResult.empty(18))
    label = d.get('label_index')
    return PoseSequence(osp.splitext(osp.basename(path))[0], frames, 'openpose', True,
                        KINETICS_SKELETON_SHAPE, int(label) if label is not None else None,
                        source=path, extra=dict(label_name=d.get('label')))


def detect_format(path: str) -> str:
    """``'openpose'`` for a folder, else by the JSON's top level: a list
    (``'mmpose'``) or a dict with ``"data"`` (``'kinetics-skeleton'``).

    Raises:
        PoseFileError: neither.
    """
    if osp.isdir(path):
        return 'openpose'
    d = _load_json(path)
    if isinstance(d, list):
        return 'mmpose'
    if isinstance(d, dict) and 'data' in d:
        return 'kinetics-skeleton'
    if isinstance(d, dict) and 'people' in d:
        raise PoseFileError(f'{path}: one OpenPose frame file; give the folder of the '
                            "video's frame files")
    raise PoseFileError(f'{path}: not a pose file of a known format ({", ".join(FORMATS)})')


def read_pose_file(path: str, fmt: str = 'auto', **kwargs) -> PoseSequence:
    """Read one video's poses in ``fmt`` (``'auto'``: :func:`detect_format`);
    ``kwargs`` go to the format's reader."""
    fmt = detect_format(path) if fmt == 'auto' else fmt
    if fmt == 'openpose':
        return read_openpose(path, **kwargs)
    kwargs.pop('openpose_model', None)
    if fmt == 'mmpose':
        return read_mmpose(path, **kwargs)
    if fmt == 'kinetics-skeleton':
        return read_kinetics_skeleton(path)
    raise PoseFileError(f'unknown pose file format {fmt!r}; known: {", ".join(FORMATS)}')
