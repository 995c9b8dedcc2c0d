"""Video input/output for the demo: files, camera indices and stream URLs
(OpenCV), frames resized to a short side, skeleton and label drawing."""
from __future__ import annotations

import os.path as osp
from typing import Iterator, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from pyskl.datasets.video_reader import VideoReadError  # noqa: F401 (re-exported)
from pyskl.skeleton import get_layout


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
        self._cap = cv2.VideoCapture(source)
        if not self._cap.isOpened():
            raise VideoReadError(f'video {self.name!r}: cannot be opened by OpenCV '
                                 '(unsupported codec, not a video, or no such camera/stream)')
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
            yield first
        while True:
            ok, frame = self._cap.read()
            if not ok or frame is None:
                break
            yield self._resize(frame)

    def close(self) -> None:
        """Release the capture."""
        self._cap.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class VideoSink:
    """Write BGR frames to an .mp4 (mp4v) or .avi (MJPG) file.

    Raises:
        VideoReadError: the writer cannot be opened (names the path).
    """

    def __init__(self, path: str, fps: float, size: Tuple[int, int]):
        fourcc = cv2.VideoWriter_fourcc(*('MJPG' if path.lower().endswith('.avi') else 'mp4v'))
        d = osp.dirname(osp.abspath(path))
        if not osp.isdir(d):
            raise VideoReadError(f'output video {path!r}: folder {d!r} does not exist')
        self._w = cv2.VideoWriter(path, fourcc, fps, tuple(size))
        if not self._w.isOpened():
            raise VideoReadError(f'output video {path!r}: OpenCV cannot write it')
        self.path, self.size, self.count = path, tuple(size), 0

    def write(self, frame: np.ndarray) -> None:
        """Append one BGR frame of ``size``."""
        self._w.write(frame)
        self.count += 1

    def close(self) -> None:
        """Finish the file."""
        self._w.release()


_COLORS = [(0, 165, 255), (255, 128, 0), (0, 200, 0), (200, 0, 200), (0, 220, 220),
           (255, 255, 0), (128, 0, 255)]


def draw_skeletons(frame: np.ndarray, keypoint: np.ndarray, keypoint_score: np.ndarray,
                   layout: str, track_ids: Optional[Sequence[int]] = None,
                   threshold: float = 0.3,
                   joint_color: Tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Draw each person's bones and joints on a copy of ``frame``.

    Args:
        keypoint: (P, V, 2) pixels of ``frame``. keypoint_score: (P, V).
        layout: the keypoints' layout name (its edges are drawn).
        track_ids: colour per track id (default: per person).
        threshold: joints at or below it are not drawn.
        joint_color: BGR colour of the joint dots (bones take one colour per
            track / person).

    Returns:
        The drawn copy (H, W, 3) uint8.
    """
    out = frame.copy()
    edges = get_layout(layout).inward
    max_thick = max(1, int(round(min(frame.shape[:2]) / 240)))
    for p in range(len(keypoint)):
        color = _COLORS[(track_ids[p] if track_ids is not None else p) % len(_COLORS)]
        kp, sc = keypoint[p], keypoint_score[p]
        seen = kp[sc > threshold]
        if not len(seen):
            continue
        # line width and joint size follow the person's size (small hands stay visible)
        diag = float(np.linalg.norm(seen.max(0) - seen.min(0)))
        thick = int(np.clip(diag / 80, 1, max_thick))
        radius = int(np.clip(diag / 60, 1, max_thick + 1))
        for a, b in edges:
            if sc[a] > threshold and sc[b] > threshold:
                cv2.line(out, tuple(int(v) for v in kp[a]), tuple(int(v) for v in kp[b]),
                         color, thick, cv2.LINE_AA)
        for v in np.flatnonzero(sc > threshold):
            cv2.circle(out, tuple(int(x) for x in kp[v]), radius, joint_color, -1,
                       cv2.LINE_AA)
    return out


def draw_labels(frame: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Write text lines in the top-left corner (in place; returns frame)."""
    scale = max(0.5, min(frame.shape[:2]) / 600)
    y = int(30 * scale)
    for line in lines:
        for color, th in (((0, 0, 0), 4), ((255, 255, 255), 1)):
            cv2.putText(frame, line, (int(10 * scale), y), cv2.FONT_HERSHEY_SIMPLEX, scale,
                        color, max(1, int(th * scale)), cv2.LINE_AA)
        y += int(30 * scale)
    return frame
