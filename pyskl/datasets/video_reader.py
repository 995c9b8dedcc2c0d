"""Reading the sampled frames of a video file: decord, with OpenCV as the fallback.

decord (``pip install decord``; wheels for x86-64 Linux, macOS, Windows) seeks
to the sampled frames and decodes only those; where it is not installed, OpenCV
reads the file once in order, decoding up to the last sampled frame and keeping
the sampled ones. Either way every sampled frame is decoded once, even when a
clip samples it several times. Frames come back RGB, as the pipelines'
``mean`` / ``std`` expect.
"""
from __future__ import annotations

import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np

try:
    import decord
except ImportError:  # decord has no wheel for this platform: OpenCV reads
    decord = None

BACKENDS = ('auto', 'decord', 'opencv')


class VideoReadError(IOError):
    """A video, camera or stream cannot be opened or read (names it)."""


def _check(path: str) -> None:
    if not osp.isfile(path):
        raise VideoReadError(f'video {path!r}: no such file')


def num_frames(path: str, backend: str = 'auto') -> int:
    """Frames of the video file at ``path`` as its container reports them.

    Raises:
        VideoReadError: missing or unreadable file.
    """
    _check(path)
    if _backend(backend) == 'decord':
        return len(_decord_reader(path))
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise VideoReadError(f'video {path!r}: OpenCV cannot open it')
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def _backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f'video backend must be one of {BACKENDS}, got {backend!r}')
    if backend == 'decord' and decord is None:
        raise ImportError("video backend 'decord' asked for but decord is not installed "
                          '(pip install decord), or use backend="opencv"')
    if backend == 'auto':
        return 'decord' if decord is not None else 'opencv'
    return backend


def _decord_reader(path: str):
    try:
        return decord.VideoReader(path, num_threads=1)
    except Exception as e:  # decord raises its own DECORDError for bad files
        raise VideoReadError(f'video {path!r}: decord cannot read it ({e})') from e


def read_frames(path: str, frame_inds: Sequence[int], backend: str = 'auto',
                total_frames: Optional[int] = None) -> np.ndarray:
    """The frames ``frame_inds`` of a video file, in that order.

    Args:
        path: video file.
        frame_inds: 0-based frame indices (repeats allowed).
        backend: ``'auto'`` (decord if installed, else OpenCV), ``'decord'``
            or ``'opencv'``.
        total_frames: the frame count the annotation claims (checked when
            given).

    Returns:
        (len(frame_inds), H, W, 3) uint8 RGB.

    Raises:
        VideoReadError: missing, unreadable or truncated file (an index beyond
            the frames that can be decoded), naming the file and the index.
    """
    _check(path)
    inds = np.asarray(frame_inds, dtype=np.int64).reshape(-1)
    if inds.size == 0:
        raise VideoReadError(f'video {path!r}: no frame index given')
    if inds.min() < 0:
        raise VideoReadError(f'video {path!r}: negative frame index {inds.min()}')
    wanted, where = np.unique(inds, return_inverse=True)
    if _backend(backend) == 'decord':
        reader = _decord_reader(path)
        n = len(reader)
        if wanted[-1] >= n:
            raise VideoReadError(f'video {path!r}: frame {wanted[-1]} requested, the file has '
                                 f'{n} frames' + (f' (annotation: {total_frames})'
                                                  if total_frames else ''))
        try:
            frames = reader.get_batch(wanted.tolist()).asnumpy()
        except Exception as e:
            raise VideoReadError(f'video {path!r}: decoding frames failed ({e})') from e
    else:
        frames = _opencv_frames(path, wanted)
    return frames[where]


def _opencv_frames(path: str, wanted: np.ndarray) -> np.ndarray:
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise VideoReadError(f'video {path!r}: OpenCV cannot open it')
    out, k, i = [], 0, 0
    try:
        while k < len(wanted):
            if not cap.grab():
                raise VideoReadError(f'video {path!r}: frame {wanted[k]} requested, only {i} '
                                     'frames could be decoded (truncated or damaged file)')
            if i == wanted[k]:
                ok, frame = cap.retrieve()
                if not ok:
                    raise VideoReadError(f'video {path!r}: frame {i} cannot be decoded')
                out.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                k += 1
            i += 1
    finally:
        cap.release()
    return np.stack(out)
