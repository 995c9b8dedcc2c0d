"""Video input and output, one module for the datasets, the demo and the tools.

* Sampled frames of a file, for the RGB pipelines (:func:`read_frames`,
  :func:`num_frames`): decord (``pip install decord``; wheels for x86-64
  Linux, macOS, Windows) seeks to the sampled frames and decodes only those;
  where it is not installed, OpenCV reads the file once in order, decoding up
  to the last sampled frame and keeping the sampled ones. Either way every
  sampled frame is decoded once, even when a clip samples it several times.
  Frames come back RGB, as the pipelines' ``mean`` / ``std`` expect.
* Frames one at a time as they come, for the demo and the converters
  (:class:`VideoSource`: a file, a camera index or a stream URL, BGR, resized
  to a short side) and writing them (:class:`VideoSink`).

Every failure is a :class:`VideoReadError` that names the video.
"""
from __future__ import annotations

import os
import os.path as osp
from typing import Iterator, Optional, Sequence, Tuple, Union

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
    cap = _open_capture(path, path)
    try:
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


def _open_capture(source: Union[str, int], name: str) -> 'cv2.VideoCapture':
    """An opened OpenCV capture of a file, camera index or URL."""
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        cap.release()
        raise VideoReadError(f'video {name!r}: cannot be opened by OpenCV (unsupported '
                             'codec, not a video, or no such camera/stream)')
    return cap


def _opencv_frames(path: str, wanted: np.ndarray) -> np.ndarray:
    cap = _open_capture(path, path)
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


def incomplete(name: str, decoded: int, declared: int) -> Optional[str]:
    """The message for a video file read to its end that gave fewer frames than
    its container declares, beyond the 2 % (at least one frame) by which
    containers' counts may be off; None when complete enough."""
    if declared and declared - decoded > max(1, declared // 50):
        return (f'video {name!r}: only {decoded} of the {declared} frames its container '
                'declares could be decoded (truncated or damaged file)')
    return None


def _is_stream(source: str) -> bool:
    return '://' in source


class VideoSource:
    """Frames of a video file, a camera index (``0`` or ``'0'``) or a stream
    URL (``rtsp://``, ``http://``...), read one at a time as they come.

    Args:
        source: path, camera index or URL.
        short_side: resize frames so that their shorter side has this many
            pixels (aspect kept); None keeps the original size.

    Attributes: ``fps`` (25 when the source does not say), ``size``
    (w, h) of the returned frames, ``num_frames`` (None for cameras and
    streams, or when the container does not say).

    Raises:
        VideoReadError: the file does not exist, cannot be opened or has no
            readable frame.
    """

    def __init__(self, source: Union[str, int], short_side: Optional[int] = None):
        self.name = str(source)
        live = isinstance(source, int) or str(source).isdigit()
        if live:
            source = int(source)
        elif not _is_stream(source) and not osp.isfile(source):
            raise VideoReadError(f'video {source!r}: no such file')
        self.live = live or _is_stream(str(source))
        self._cap = _open_capture(source, self.name)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise VideoReadError(f'video {self.name!r}: no frame could be decoded')
        self.original_size = (first.shape[1], first.shape[0])
        self.short_side = short_side
        self._first = self._resize(first)
        self.size = (self._first.shape[1], self._first.shape[0])
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 0 < fps < 1000 else 25.0
        n = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.num_frames = None if self.live or n <= 0 else n
        self.frames_read = 0

    def _resize(self, frame: np.ndarray) -> np.ndarray:
        if not self.short_side:
            return frame
        h, w = frame.shape[:2]
        s = self.short_side / min(h, w)
        if s == 1:
            return frame
        return cv2.resize(frame, (int(round(w * s)), int(round(h * s))),
                          interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)

    def __iter__(self) -> Iterator[np.ndarray]:
        """BGR frames (H, W, 3) uint8, until the source ends."""
        if self._first is not None:
            first, self._first = self._first, None
            self.frames_read += 1
            yield first
        while True:
            ok, frame = self._cap.read()
            if not ok or frame is None:
                break
            self.frames_read += 1
            yield self._resize(frame)

    def check_complete(self) -> None:
        """After reading a file to its end: raise if fewer frames could be
        decoded than its container declares (a truncated or damaged file
        would otherwise give results for its first frames only). A shortfall
        of up to 2 % (at least one frame) is accepted: containers estimate.

        Raises:
            VideoReadError: names the file and both counts.
        """
        if self.live or self.num_frames is None:
            return
        msg = incomplete(self.name, self.frames_read, self.num_frames)
        if msg:
            raise VideoReadError(msg)

    def close(self) -> None:
        """Release the capture."""
        self._cap.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class VideoSink:
    """Write BGR frames to an .mp4 (mp4v) or .avi (MJPG) file.

    Frames go to a temporary file beside ``path`` (same extension); ``close()``
    renames it to ``path``, ``close(keep=False)`` (or leaving a ``with`` block
    by an exception) removes it, so a failed run leaves no partial video.

    Raises:
        VideoReadError: the writer cannot be opened (names the path).
    """

    def __init__(self, path: str, fps: float, size: Tuple[int, int]):
        fourcc = cv2.VideoWriter_fourcc(*('MJPG' if path.lower().endswith('.avi') else 'mp4v'))
        d = osp.dirname(osp.abspath(path))
        if not osp.isdir(d):
            raise VideoReadError(f'output video {path!r}: folder {d!r} does not exist')
        stem, ext = osp.splitext(osp.abspath(path))
        self._tmp = f'{stem}.part{os.getpid()}{ext}'
        self._w = cv2.VideoWriter(self._tmp, fourcc, fps, tuple(size))
        if not self._w.isOpened():
            raise VideoReadError(f'output video {path!r}: OpenCV cannot write it')
        self.path, self.size, self.count = path, tuple(size), 0

    def write(self, frame: np.ndarray) -> None:
        """Append one BGR frame of ``size``."""
        self._w.write(frame)
        self.count += 1

    def close(self, keep: bool = True) -> None:
        """Finish the file and give it its name (``keep``), or remove it."""
        if self._w is None:
            return
        self._w.release()
        self._w = None
        if keep and self.count:
            os.replace(self._tmp, self.path)
        elif osp.exists(self._tmp):
            os.remove(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(keep=exc_type is None)
