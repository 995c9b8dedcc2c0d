"""Live sources for the demo: the newest frame only, so latency stays bounded.

When recognition is slower than the camera (or stream), reading every frame
in turn makes the delay grow without end: frame k is shown k x (work time -
frame interval) late. :class:`LatestFrameReader` reads the source in a
background thread as fast as it delivers and keeps only the newest frame;
the consumer always gets the newest one it has not seen, and the frames in
between are dropped (counted in ``dropped``). A video file can be read the
same way at its own frame rate (``realtime=True``: a camera's pace, for
measuring what a live run would do).
"""
from __future__ import annotations

import threading
import time
from typing import Iterator, Optional, Tuple

import numpy as np


class LatestFrameReader:
    """Newest-frame reading of a :class:`~pyskl.io.video.VideoSource`.

    Args:
        source: an opened ``VideoSource`` (camera, stream URL or file).
        realtime: pace the reads at ``source.fps`` (for files; cameras and
            streams are paced by themselves).

    Iterating yields ``(index, capture_time, frame)``: the source's frame
    index (gaps where frames were dropped), ``time.perf_counter()`` when the
    frame was read, and the BGR frame. Iteration ends when the source ends
    or fails (a stream that disconnects: what was read stays valid) or after
    :meth:`stop`.

    Attributes:
        read: frames read from the source; ``dropped``: frames read but
            never handed out (the consumer was busy); ``error``: the
            exception that ended the reading thread, or None.
    """

    def __init__(self, source, realtime: bool = False):
        self.source, self.realtime = source, realtime
        self.read = self.dropped = 0
        self.error: Optional[BaseException] = None
        self._latest: Optional[Tuple[int, float, np.ndarray]] = None
        self._done = False
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name='LatestFrameReader', daemon=True)
        self._thread.start()

    def _run(self):
        period = 1.0 / self.source.fps if self.realtime else 0.0
        start = time.perf_counter()
        try:
            for i, frame in enumerate(self.source):
                if self._stop.is_set():
                    break
                if period:
                    wait = start + i * period - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                with self._cond:
                    if self._latest is not None:
                        self.dropped += 1          # the previous one was never taken
                    self._latest = (i, time.perf_counter(), frame)
                    self.read += 1
                    self._cond.notify()
        except BaseException as e:                 # a stream that fails ends the run
            self.error = e
        finally:
            with self._cond:
                self._done = True
                self._cond.notify()

    def __iter__(self) -> Iterator[Tuple[int, float, np.ndarray]]:
        while True:
            with self._cond:
                while self._latest is None and not self._done:
                    self._cond.wait()
                if self._latest is None:           # done and nothing left
                    return
                item, self._latest = self._latest, None
            yield item

    def stop(self) -> None:
        """Stop reading (the thread ends after the frame it is reading)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def display_available() -> bool:
    """Whether an on-screen window can be opened: a display on Linux
    (``DISPLAY`` / ``WAYLAND_DISPLAY``), always on Windows and macOS."""
    import os
    import sys
    if sys.platform.startswith(('win', 'darwin')):
        return True
    return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))


class StageTimer:
    """Wall time per named stage of a loop, in milliseconds: ``with
    timer('pose'): ...``; :meth:`summary` gives per stage the count, mean,
    median and 95th percentile."""

    def __init__(self):
        self.samples = {}

    def __call__(self, stage: str):
        timer = self

        class _Ctx:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                timer.add(stage, (time.perf_counter() - self.t) * 1000.0)
        return _Ctx()

    def add(self, stage: str, ms: float) -> None:
        self.samples.setdefault(stage, []).append(float(ms))

    def summary(self) -> dict:
        out = {}
        for k, v in self.samples.items():
            a = np.asarray(v)
            out[k] = dict(n=int(len(a)), mean_ms=round(float(a.mean()), 2),
                          p50_ms=round(float(np.percentile(a, 50)), 2),
                          p95_ms=round(float(np.percentile(a, 95)), 2))
        return out
