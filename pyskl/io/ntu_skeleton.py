"""NTU RGB+D raw Kinect v2 skeleton files (``SsssCcccPpppRrrrAaaa.skeleton``).

The released text format (Shahroudy et al., "NTU RGB+D: A Large Scale Dataset
for 3D Human Activity Analysis", CVPR 2016; Liu et al., NTU RGB+D 120, TPAMI
2019): the frame count; per frame the body count; per body a 10-field
body-info line (``bodyID clippedEdges handLeftConfidence handLeftState
handRightConfidence handRightState isRestricted leanX leanY trackingState``),
the joint count (25) and one line of 12 numbers per joint (``x y z depthX
depthY colorX colorY orientationW orientationX orientationY orientationZ
trackingState``). CRLF and LF line endings both occur.

Two ways to turn the bodies of a file into at most two persons:

* :func:`select_by_energy` -- MMAction2 1.2.0's
  ``tools/data/skeleton/gen_ntu_rgbd_raw.py`` (the default): body *slots*
  (the i-th body listed in a frame, at most 4), the two of largest energy
  (sum of the per-axis standard deviations over their non-empty frames),
  empty slots dropped; all frames kept.
* :func:`select_denoised` -- PYSKL's ``tools/data/ntu_preproc.py`` (after the
  denoising of Shi et al.'s 2s-AGCN data tools): bodies by ``bodyID``; when
  there are several, bodies of at most ``length_threshold`` frames are
  dropped, then bodies whose frames are mostly wider than tall
  (``wh_ratio``, ``spread_noise_ratio``: the spread denoising), the rest
  ranked by motion (summed variance of their joints) and laid onto two
  persons without temporal overlap; leading/trailing empty frames cut.
"""
from __future__ import annotations

import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np

NAME_RE = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})')

NUM_JOINTS = 25
JOINT_FIELDS = 12
BODY_FIELDS = 10

# the training subjects / cameras / setups of the official protocols
# (Shahroudy et al. 2016, Sec. 4.1; Liu et al. 2019, Sec. 5.1)
XSUB_TRAIN_SUBJECTS = frozenset((
    1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38,
    45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82,
    83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103))
XVIEW_TRAIN_CAMERAS = frozenset((2, 3))


class SkeletonFileError(ValueError):
    """A ``.skeleton`` file that does not follow the format; the message names
    the file and the line (1-based)."""


@dataclass
class NTUName:
    """The fields of an NTU sample name (``S001C002P003R002A013``)."""
    setup: int
    camera: int
    subject: int
    replication: int
    action: int

    @classmethod
    def parse(cls, name: str) -> 'NTUName':
        m = NAME_RE.search(osp.basename(name))
        if m is None:
            raise ValueError(f'{name!r} is not an NTU RGB+D sample name '
                             '(SsssCcccPpppRrrrAaaa)')
        return cls(*map(int, m.groups()))

    def is_train(self, benchmark: str) -> bool:
        """Whether the sample is in the training half of ``benchmark``
        (``'xsub'``, ``'xview'`` or ``'xset'``: even setup ids train)."""
        if benchmark == 'xsub':
            return self.subject in XSUB_TRAIN_SUBJECTS
        if benchmark == 'xview':
            return self.camera in XVIEW_TRAIN_CAMERAS
        if benchmark == 'xset':
            return self.setup % 2 == 0
        raise ValueError(f'unknown NTU benchmark {benchmark!r} (xsub, xview, xset)')


@dataclass
class RawSkeleton:
    """The bodies of one file, frame by frame.

    Attributes:
        num_frames: the file's frame count.
        frames: per frame a list of ``(body_id, joints)``, ``joints`` (25, 3)
            float64, metres (camera coordinates ``x y z``), in file order.
    """
    num_frames: int
    frames: List[List[tuple]]


def read_skeleton_file(path: str) -> RawSkeleton:
    """Parse a raw NTU ``.skeleton`` file.

    Raises:
        SkeletonFileError: truncated or malformed (names the line), or an
            unreadable file.
    """
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('ascii')
    except (OSError, UnicodeDecodeError) as e:
        raise SkeletonFileError(f'{path}: cannot be read as a skeleton text file ({e})') from None
    lines = text.splitlines()
    pos = 0

    def take(what: str) -> str:
        nonlocal pos
        if pos >= len(lines):
            raise SkeletonFileError(f'{path}: line {pos + 1}: the file ends where {what} '
                                    'was expected (truncated?)')
        pos += 1
        return lines[pos - 1]

    def count(what: str) -> int:
        s = take(what).strip()
        if not s.isdigit():
            raise SkeletonFileError(f'{path}: line {pos}: {what} must be a non-negative '
                                    f'integer, got {s[:40]!r}')
        return int(s)

    num_frames = count('the frame count')
    frames = []
    for t in range(num_frames):
        bodies = []
        for _ in range(count(f'the body count of frame {t + 1}')):
            info = take('a body-info line').split()
            if len(info) != BODY_FIELDS or not info[0].lstrip('-').isdigit():
                raise SkeletonFileError(f'{path}: line {pos}: a body-info line has '
                                        f'{BODY_FIELDS} fields beginning with the body id, '
                                        f'got {len(info)}')
            nj = count('the joint count')
            if nj != NUM_JOINTS:
                raise SkeletonFileError(f'{path}: line {pos}: {nj} joints, the format has '
                                        f'{NUM_JOINTS}')
            start = pos
            block = [take(f'joint {j + 1} of a body') for j in range(nj)]
            try:
                joints = np.array([ln.split() for ln in block], dtype=np.float64)
            except ValueError:
                joints = None
            if joints is None or joints.shape != (nj, JOINT_FIELDS):
                for j, ln in enumerate(block):
                    if not _is_joint_line(ln):
                        raise SkeletonFileError(
                            f'{path}: line {start + j + 1}: a joint line holds {JOINT_FIELDS} '
                            f'numbers, got {ln.strip()[:60]!r}')
            bodies.append((int(info[0]), joints[:, :3]))
        frames.append(bodies)
    if any(ln.strip() for ln in lines[pos:]):
        raise SkeletonFileError(f'{path}: line {pos + 1}: text after the last of the '
                                f'{num_frames} frames')
    return RawSkeleton(num_frames, frames)


def _is_joint_line(line: str) -> bool:
    fields = line.split()
    try:
        [float(x) for x in fields]
    except ValueError:
        return False
    return len(fields) == JOINT_FIELDS


def _nonzero_std(body: np.ndarray) -> float:
    """(T, V, 3): sum over x, y, z of the std over the frames whose coordinates
    do not sum to zero (MMAction2's ``get_nonzero_std``)."""
    keep = body.sum(-1).sum(-1) != 0
    b = body[keep]
    if len(b) == 0:
        return 0.0
    return b[:, :, 0].std() + b[:, :, 1].std() + b[:, :, 2].std()


def select_by_energy(raw: RawSkeleton, max_slots: int = 4, max_persons: int = 2) -> np.ndarray:
    """MMAction2 1.2.0's choice: ``(M, T, 25, 3)`` float64, M <= 2, T = the
    file's frame count (frames without a body are zeros)."""
    data = np.zeros((max_slots, raw.num_frames, NUM_JOINTS, 3))
    for t, bodies in enumerate(raw.frames):
        for m, (_, joints) in enumerate(bodies[:max_slots]):
            data[m, t] = joints
    energy = np.array([_nonzero_std(x) for x in data])
    data = data[energy.argsort()[::-1][:max_persons]]
    return data[data.sum((1, 2, 3)) != 0]


def _bodies_by_id(raw: RawSkeleton) -> List[Dict]:
    """Bodies keyed by bodyID: joints of the frames they appear in, their
    start among the frames that hold any body, and their motion."""
    bodies: Dict[int, Dict] = {}
    fidx = 0
    for frame in raw.frames:
        if not frame:
            continue
        for bid, joints in frame:
            bodies.setdefault(bid, dict(kpt=[], start=fidx))['kpt'].append(
                joints.astype(np.float32))
        fidx += 1
    out = []
    for b in bodies.values():
        kpt = np.stack(b['kpt'])
        out.append(dict(kpt=kpt, start=b['start'],
                        motion=float(np.var(kpt.reshape(-1, 3), axis=0).sum())))
    return out


def select_denoised(raw: RawSkeleton, length_threshold: int = 11, wh_ratio: float = 0.8,
                    spread_noise_ratio: float = 0.69754, eps: float = 1e-3) -> np.ndarray:
    """PYSKL's choice (``ntu_preproc.py``): ``(M, T, 25, 3)`` float32, M <= 2;
    frames without any body are left out and leading/trailing empty frames
    cut. Returns an array with M = 0 when the file holds no body.

    Where the length filter would leave no body (every body is short), all are
    kept (the reference stops with an assertion there)."""
    bodies = sorted(_bodies_by_id(raw), key=lambda b: -b['motion'])
    if len(bodies) == 0:
        return np.zeros((0, 0, NUM_JOINTS, 3), np.float32)
    if len(bodies) > 1:
        longer = [b for b in bodies if b['kpt'].shape[0] > length_threshold]
        bodies = longer or bodies
    if len(bodies) > 1:
        kept = []
        for b in bodies:
            x, y = b['kpt'][..., 0], b['kpt'][..., 1]
            valid = (x.max(1) - x.min(1)) <= wh_ratio * (y.max(1) - y.min(1))
            if valid.all():
                kept.append(b)
                continue
            if 1 - valid.mean() >= spread_noise_ratio:
                continue          # mostly wider than tall: an object, not a person
            motion = float(np.var(b['kpt'][valid].reshape(-1, 3), axis=0).sum())
            kept.append(dict(b, motion=min(b['motion'], motion)))
        bodies = sorted(kept or bodies, key=lambda b: -b['motion'])
    if len(bodies) == 1:
        return bodies[0]['kpt'][None]
    length = max(b['start'] + b['kpt'].shape[0] for b in bodies)
    keypoint = np.zeros((2, length, NUM_JOINTS, 3), np.float32)
    spans = [[bodies[0]['start'], bodies[0]['start'] + bodies[0]['kpt'].shape[0]], [0, 0]]
    keypoint[0, spans[0][0]:spans[0][1]] = bodies[0]['kpt']
    for b in bodies[1:]:
        s, e = b['start'], b['start'] + b['kpt'].shape[0]
        for m in (0, 1):     # the first person without temporal overlap takes it
            if max(spans[m][0], s) >= min(spans[m][1], e):
                keypoint[m, s:e] = b['kpt']
                spans[m] = [min(s, spans[m][0]), max(e, spans[m][1])]
                break
    filled = np.abs(keypoint).sum((0, 2, 3)) >= eps
    first, last = np.argmax(filled), len(filled) - np.argmax(filled[::-1])
    keypoint = keypoint[:, first:last]
    if np.abs(keypoint[0, 0, 1]).sum() < eps and np.abs(keypoint[1, 0, 1]).sum() > eps:
        keypoint = keypoint[::-1]
    return np.ascontiguousarray(keypoint)


def convert_file(path: str, denoise: bool = False, dtype: str = 'float16', **denoise_args):
    """One ``.skeleton`` file -> ``(annotation, None)`` with ``frame_dir``,
    ``label`` (action id - 1), ``keypoint`` (M, T, 25, 3) of ``dtype``, metres,
    and ``total_frames``; or ``(None, reason)`` for a file that cannot be read
    or holds no body (the reason names the file, and the line)."""
    name = osp.splitext(osp.basename(path))[0]
    try:
        raw = read_skeleton_file(path)
    except SkeletonFileError as e:
        return None, str(e)
    kp = select_denoised(raw, **denoise_args) if denoise else select_by_energy(raw)
    if kp.shape[0] == 0:
        return None, f'{path}: holds no body in any of its {raw.num_frames} frames'
    kp = kp.astype(dtype)
    return dict(frame_dir=name, label=NTUName.parse(name).action - 1, keypoint=kp,
                total_frames=int(kp.shape[1])), None


def convert_files(job) -> list:
    """``(paths, options)`` -> ``[convert_file(p, **options) for p in paths]``
    (one job of a process pool)."""
    paths, options = job
    return [convert_file(p, **options) for p in paths]


def read_ignored_list(path: Optional[str]) -> set:
    """Sample names of a missing-skeleton list: the official files (a text
    header, then one name per line) and MMAction2's header-less copies."""
    if path is None:
        return set()
    with open(path) as f:
        return {m.group(0) for m in map(NAME_RE.fullmatch, (ln.strip() for ln in f)) if m}
