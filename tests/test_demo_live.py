"""Live input for the demo: a real video served over HTTP as a stream, a
stream that disconnects half way (clean stop, outputs valid), newest-frame
reading that drops what the recognizer has no time for, per-stage timing,
and --show without a display."""
import functools
import http.server
import json
import os
import os.path as osp
import sys
import threading
import time

import cv2
import numpy as np
import pytest
import torch

from conftest import ROOT, shared_path
from pyskl.apis import init_recognizer
from pyskl.apis import pose as pose_mod
from pyskl.io.live import LatestFrameReader, StageTimer, display_available
from pyskl.structures import PoseResult

sys.path.insert(0, osp.join(ROOT, 'demo'))
import demo_skeleton  # noqa: E402

JHMDB_CFG = osp.join(ROOT, 'configs', 'stgcnpp', 'stgcnpp_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py')


class OnePerson(pose_mod.PoseEstimator):
    """A stand-in for MediaPipe: one person whose joints follow the frame's
    brightness."""

    def __call__(self, frame):
        h, w = frame.shape[:2]
        ang = np.linspace(0, 2 * np.pi, 17, endpoint=False)
        m = float(frame.mean())
        kp = np.stack([w / 2 + m + 20 * np.cos(ang), h / 2 + 40 * np.sin(ang)], -1)
        return PoseResult(kp[None].astype(np.float32), np.full((1, 17), 0.9, np.float32))


@pytest.fixture
def backend(monkeypatch):
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'oneperson', OnePerson)
    return 'oneperson'


@pytest.fixture
def ckpt(tmp_path):
    torch.manual_seed(0)
    path = str(tmp_path / 'jhmdb.pth')
    torch.save(dict(state_dict=init_recognizer(JHMDB_CFG, None).state_dict()), path)
    return path


class _CutHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; with ``cut`` set, sends only that many bytes of the body
    and then drops the connection (a stream that disconnects)."""
    cut = None

    def copyfile(self, source, outputfile):
        if self.cut is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(self.cut))
        outputfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def http_video():
    """``serve(cut=None) -> url`` of ntu_sample.avi on a local HTTP server."""
    video = shared_path('videos', 'ntu_sample.avi')
    servers = []

    def serve(cut=None):
        handler = type('H', (_CutHandler,), dict(cut=cut))
        srv = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), functools.partial(handler, directory=osp.dirname(video)))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f'http://127.0.0.1:{srv.server_address[1]}/{osp.basename(video)}'

    yield serve
    for s in servers:
        s.shutdown()
        s.server_close()


def _run(url, out, ckpt, backend, *extra):
    return demo_skeleton.main([url, out, '--config', JHMDB_CFG, '--checkpoint', ckpt,
                               '--pose-backend', backend, '--short-side', '120',
                               '--window', '8', '--stride', '4', *extra])


@pytest.mark.shared
def test_a_real_video_served_as_a_stream(tmp_path, ckpt, backend, http_video):
    """Read at the video's frame rate (--realtime) from a local HTTP server; the
    frames the recognizer has no time for are dropped, so how many are processed
    depends on the machine: the checks hold for any count."""
    from pyskl.apis import sliding_windows
    out, pred = str(tmp_path / 'out.mp4'), str(tmp_path / 'pred.json')
    start = time.perf_counter()
    res = _run(http_video(), out, ckpt, backend, '--realtime', '--pred-out', pred)
    assert time.perf_counter() - start < 120                       # a bounded run
    d = json.load(open(pred))
    t = d['timing']
    n = t['frames']
    assert t['source_frames_read'] == 72 == n + t['dropped'] and n >= 8
    assert [(p['start'], p['end']) for p in res] == [tuple(w) for w in sliding_windows(n, 8, 4)]
    src = [w['source_frames'] for w in d['windows'] if 'source_frames' in w]
    assert all(a < b for a, b in src) and all(a[0] < b[0] for a, b in zip(src, src[1:]))
    assert set(t['stages']) >= {'decode', 'pose', 'tracking', 'recognition', 'drawing',
                                'latency'}
    assert t['stages']['pose']['n'] == n
    cap = cv2.VideoCapture(out)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == n


@pytest.mark.shared
def test_a_stream_that_disconnects_stops_cleanly(tmp_path, ckpt, backend, http_video):
    size = os.path.getsize(shared_path('videos', 'ntu_sample.avi'))
    out, pred = str(tmp_path / 'out.mp4'), str(tmp_path / 'pred.json')
    res = _run(http_video(cut=size * 2 // 5), out, ckpt, backend, '--realtime',
               '--pred-out', pred)
    d = json.load(open(pred))                                      # valid JSON
    n = d['timing']['frames']
    assert 1 <= n and d['timing']['source_frames_read'] < 72       # the stream stopped early
    assert res and res[-1]['end'] == n
    cap = cv2.VideoCapture(out)                                    # a valid video
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == n
    assert not [f for f in os.listdir(tmp_path) if '.part' in f]   # no temporary left


class _Frames:
    """A source of ``n`` numbered frames at ``fps`` (VideoSource's interface)."""

    def __init__(self, n, fps):
        self.n, self.fps = n, fps

    def __iter__(self):
        for i in range(self.n):
            yield np.full((4, 4, 3), i % 256, np.uint8)


def test_newest_frame_reading_drops_what_the_consumer_cannot_keep_up_with():
    reader = LatestFrameReader(_Frames(40, fps=200.0), realtime=True)   # a frame every 5 ms
    got, ages = [], []
    for idx, captured, frame in reader:
        got.append(idx)
        assert frame[0, 0, 0] == idx % 256
        ages.append(time.perf_counter() - captured)
        time.sleep(0.02)                                  # work: 4 frame intervals
    assert got == sorted(set(got)) and got[0] == 0 and got[-1] == 39
    assert reader.dropped > 0 and reader.read == 40 == len(got) + reader.dropped
    # handed over fresh: a queue would hand out the last frame about 40 x (20 - 5) ms =
    # 0.6 s after it arrived; the bound is loose so that a loaded machine passes too
    assert max(ages) < 0.3
    # a consumer that keeps up gets every frame
    reader = LatestFrameReader(_Frames(10, fps=200.0), realtime=True)
    assert [i for i, _, _ in reader] == list(range(10)) and reader.dropped == 0


def test_a_failing_source_ends_the_frames_and_keeps_the_error():
    class Broken(_Frames):
        def __iter__(self):
            yield np.zeros((4, 4, 3), np.uint8)
            raise OSError('connection reset')
    reader = LatestFrameReader(Broken(0, 25.0))
    assert [i for i, _, _ in reader] == [0]
    assert isinstance(reader.error, OSError)


def test_stage_timer_summary():
    t = StageTimer()
    for ms in (1.0, 2.0, 3.0, 10.0):
        t.add('pose', ms)
    with t('draw'):
        time.sleep(0.01)
    s = t.summary()
    assert s['pose'] == dict(n=4, mean_ms=4.0, p50_ms=2.5, p95_ms=8.95)   # 3 + 0.85 x 7
    assert 9 <= s['draw']['mean_ms'] < 5000


@pytest.mark.shared
def test_show_without_a_display_runs_headless(tmp_path, ckpt, backend, monkeypatch, capsys):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    assert not display_available() or sys.platform.startswith(('win', 'darwin'))
    video = shared_path('videos', 'ntu_sample.avi')
    res = _run(video, str(tmp_path / 'o.mp4'), ckpt, backend, '--max-frames', '12', '--show',
               '--realtime')
    assert 'running headless' in capsys.readouterr().out
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (4, 12)]


class _FakeCamera:
    """``cv2.VideoCapture(index)`` of a camera: the frames of a real video,
    looped (a camera does not end), delivered at its frame rate (``read``
    blocks until the next frame is due, as a camera's does), no frame count."""

    def __init__(self, video):
        self.video = video
        self.cap = _REAL_CAPTURE(video)
        self.fps = self.cap.get(cv2.CAP_PROP_FPS)
        self.n, self.t0 = 0, None

    def isOpened(self):
        return self.cap.isOpened()

    def read(self):
        self.t0 = self.t0 or time.perf_counter()
        due = self.t0 + self.n / self.fps
        time.sleep(max(0.0, due - time.perf_counter()))
        ok, frame = self.cap.read()
        if not ok:                              # the clip ended: from the start again
            self.cap.release()
            self.cap = _REAL_CAPTURE(self.video)
            ok, frame = self.cap.read()
        self.n += ok
        return ok, frame

    def get(self, prop):
        return {cv2.CAP_PROP_FPS: self.fps, cv2.CAP_PROP_FRAME_COUNT: -1}.get(prop, 0)

    def release(self):
        self.cap.release()


_REAL_CAPTURE = cv2.VideoCapture


@pytest.fixture
def camera(monkeypatch):
    """Camera index 0 is a real video delivered at camera pace; other indices,
    files and URLs go to OpenCV."""
    from pyskl.io import video as video_mod
    video = shared_path('videos', 'ntu_sample.avi')
    opened = []

    def capture(source, *a):
        if isinstance(source, int) and source == 0:
            opened.append(_FakeCamera(video))
            return opened[-1]
        return _REAL_CAPTURE(source, *a)
    monkeypatch.setattr(video_mod.cv2, 'VideoCapture', capture)
    return opened


@pytest.mark.shared
def test_a_camera_index_is_a_live_source(tmp_path, ckpt, backend, camera):
    """``demo_skeleton.py 0 ...``: the index opens the camera, frames are read
    at its pace by the newest-frame reader (no --realtime needed), and the run
    gives windows, a video and --pred-out like any live source."""
    out, pred = str(tmp_path / 'out.mp4'), str(tmp_path / 'pred.json')
    res = _run('0', out, ckpt, backend, '--max-frames', '20', '--pred-out', pred)
    assert len(camera) == 1 and camera[0].n >= 20
    d = json.load(open(pred))
    t = d['timing']
    assert t['frames'] == 20 and t['source_frames_read'] >= 20
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (4, 12), (8, 16), (12, 20)]
    assert all('source_frames' in w for w in d['windows'])
    cap = _REAL_CAPTURE(out)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 20


def test_a_camera_that_does_not_exist_is_a_clear_error():
    from pyskl.io import VideoReadError, VideoSource
    with pytest.raises(VideoReadError, match=r"video '9': cannot be opened.*camera"):
        VideoSource(9)


@pytest.mark.shared
def test_ctrl_c_stops_a_live_run_cleanly(tmp_path, ckpt, monkeypatch, camera):
    """A camera never ends: Ctrl-C (KeyboardInterrupt) is the stop. What was
    processed is classified and written whole, as when a stream ends; on a file
    Ctrl-C aborts and leaves no partial video."""
    class Interrupted(OnePerson):
        calls = 0

        def __call__(self, frame):
            Interrupted.calls += 1
            if Interrupted.calls == 15:         # the user presses Ctrl-C while frame 14 is posed
                raise KeyboardInterrupt
            return super().__call__(frame)
    monkeypatch.setitem(pose_mod.POSE_BACKENDS, 'interrupted', Interrupted)
    out, pred = str(tmp_path / 'out.mp4'), str(tmp_path / 'pred.json')
    res = _run('0', out, ckpt, 'interrupted', '--pred-out', pred)
    d = json.load(open(pred))
    assert d['timing']['frames'] == 14                      # the 15th was being posed
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (4, 12), (6, 14)]
    assert int(_REAL_CAPTURE(out).get(cv2.CAP_PROP_FRAME_COUNT)) == 14
    assert not [f for f in os.listdir(tmp_path) if '.part' in f]
    # a file: Ctrl-C aborts, no output left
    Interrupted.calls = 0
    out2 = str(tmp_path / 'file.mp4')
    with pytest.raises(KeyboardInterrupt):
        _run(shared_path('videos', 'ntu_sample.avi'), out2, ckpt, 'interrupted')
    assert not osp.exists(out2)


@pytest.mark.shared
def test_show_with_a_display_stops_on_q(tmp_path, ckpt, backend, monkeypatch):
    """With a display the annotated frames go to an OpenCV window; q (or Esc)
    stops the run, the outputs are whole and the window is closed."""
    shown, closed = [], []
    monkeypatch.setattr(demo_skeleton, 'display_available', lambda: True)
    monkeypatch.setattr(cv2, 'imshow', lambda name, frame: shown.append(frame.shape))
    monkeypatch.setattr(cv2, 'waitKey', lambda ms: ord('q') if len(shown) == 10 else -1)
    monkeypatch.setattr(cv2, 'destroyAllWindows', lambda: closed.append(True))
    out = str(tmp_path / 'o.mp4')
    res = _run(shared_path('videos', 'ntu_sample.avi'), out, ckpt, backend, '--show',
               '--realtime')
    assert len(shown) == 10 and closed == [True]
    assert shown[0] == (120, 213, 3)                    # the annotated frame at --short-side
    assert [(p['start'], p['end']) for p in res] == [(0, 8), (2, 10)]
    assert int(_REAL_CAPTURE(out).get(cv2.CAP_PROP_FRAME_COUNT)) == 10
