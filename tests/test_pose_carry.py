"""MediaPipeMultiPose's carried boxes: a person the detector misses (or whose
detector box gives no pose) is posed again around their last pose, for at
most ``carry_frames`` frames; duplicates are dropped. MediaPipe and HOG are
replaced by stand-ins: the frame's pixels encode their own coordinates, so
the stand-in pose model knows where its crop lies."""
import numpy as np

from pyskl.apis.pose.mediapipe_backends import MediaPipeMultiPose
from pyskl.structures import PoseResult

H, W = 480, 640


def frame():
    yy, xx = np.mgrid[0:H, 0:W]
    return np.stack([xx % 256, yy % 256, (xx // 256) * 16 + yy // 256], -1).astype(np.uint8)


def person(cx):
    """17 joints of a person centred at x = cx, 200 px tall."""
    kp = np.stack([np.full(17, cx) + np.linspace(-30, 30, 17),
                   np.linspace(140, 340, 17)], -1)
    return kp.astype(np.float32)


class StubPose:
    """MediaPipePose._one: of the people (``people()``) whose centre is inside
    the crop, the one nearest the crop's centre, in crop pixels; or None."""

    def __init__(self, people):
        self.people, self.calls = people, 0

    def _one(self, rgb):
        self.calls += 1
        px = rgb[0, 0, ::-1].astype(int)          # BGR frame -> RGB crop: undo
        x0 = px[0] + 256 * (px[2] // 16)
        y0 = px[1] + 256 * (px[2] % 16)
        h, w = rgb.shape[:2]
        inside = [cx for cx in self.people() if x0 <= cx < x0 + w and y0 <= 240 < y0 + h]
        if not inside:
            return None
        cx = min(inside, key=lambda c: abs(c - (x0 + w / 2)))
        return person(cx) - np.array([x0, y0], np.float32), np.full(17, 0.9, np.float32)

    def close(self):
        pass


class FrontFirstPose(StubPose):
    """Occlusion: ``people()`` listed front to back; the crop shows the first
    whose centre is inside and whose centre joint is not painted over."""

    def _one(self, rgb):
        self.calls += 1
        px = rgb[0, 0, ::-1].astype(int)
        x0 = px[0] + 256 * (px[2] // 16)
        y0 = px[1] + 256 * (px[2] % 16)
        h, w = rgb.shape[:2]
        want = frame()[..., ::-1]                 # the unpainted frame, RGB
        for cx in self.people():
            x, y = person(cx)[8].astype(int)
            if x0 <= cx < x0 + w and y0 <= 240 < y0 + h and \
                    (rgb[y - y0, x - x0] == want[y, x]).all():
                return person(cx) - np.array([x0, y0], np.float32), np.full(17, 0.9, np.float32)
        return None


def estimator(detections, people, carry_frames=25, mask_posed=False, pose=StubPose, width=70):
    """A MediaPipeMultiPose whose detector returns ``detections[t]`` (list of
    centres, boxes ``2 x width`` wide) and whose pose model sees ``people()``."""
    est = MediaPipeMultiPose.__new__(MediaPipeMultiPose)
    est.max_person, est.margin = 4, 0.15
    est.carry_frames, est.same_dist, est.carry_grow = carry_frames, 0.25, 0.15
    est.mask_posed, est.mask_width = mask_posed, 0.18
    est.search_masked = False
    est._previous = []
    est._pose = pose(people)
    est._full = lambda f: PoseResult.empty(17)
    t = {'i': 0}

    def detector(f):
        cs = detections[min(t['i'], len(detections) - 1)]
        t['i'] += 1
        return np.array([[c - width, 100, c + width, 380, 1.0] for c in cs],
                        np.float32).reshape(-1, 5)

    est.detector = detector
    return est


def centres(res):
    return sorted(np.round(res.keypoint[:, :, 0].mean(1)).astype(int).tolist())


def test_a_missed_person_is_carried_then_dropped_after_carry_frames():
    f = frame()
    dets = [[150, 450]] + [[150]] * 6                  # the right person missed from frame 1
    est = estimator(dets, lambda: [150, 450], carry_frames=3)
    assert centres(est(f)) == [150, 450]
    for _ in range(3):                                 # carried 3 frames
        assert centres(est(f)) == [150, 450]
    assert centres(est(f)) == [150]                    # the 4th missed frame: dropped
    assert centres(est(f)) == [150]


def test_without_carrying_the_detector_alone_decides():
    est = estimator([[150, 450], [150]], lambda: [150, 450], carry_frames=0)
    f = frame()
    assert centres(est(f)) == [150, 450] and centres(est(f)) == [150]


def test_a_detection_without_a_pose_does_not_hide_the_person_it_overlaps():
    """The detector's box for the right person is off (no pose found in it), but
    the person is still where they were: carried."""
    f = frame()
    est = estimator([[150, 450], [150, 560]], lambda: [150, 450])
    assert centres(est(f)) == [150, 450]
    res = est(f)
    assert centres(res) == [150, 450]


def test_a_person_who_left_is_not_invented_and_duplicates_are_dropped():
    f = frame()
    here = {'people': [150, 450]}
    est = estimator([[150, 450], [150]], lambda: here['people'])
    est(f)
    here['people'] = [150]                             # the right person walked out
    assert centres(est(f)) == [150]
    # two people close together (a hug); the second leaves: the crop carried for
    # them finds the first one, who is already posed -> not counted twice
    here2 = {'people': [150, 200]}
    est2 = estimator([[150, 200], [150]], lambda: here2['people'])
    assert centres(est2(f)) == [150, 200]
    here2['people'] = [150]
    calls = est2._pose.calls
    assert centres(est2(f)) == [150] and est2._pose.calls == calls + 2   # detection + carried
    # the same when the carried crop is posed and finds the first person (dup_iou)
    here3 = {'people': [150, 230]}
    est3 = estimator([[150, 230], [150]], lambda: here3['people'])
    assert centres(est3(f)) == [150, 230]
    here3['people'] = [150]
    calls = est3._pose.calls
    assert centres(est3(f)) == [150] and est3._pose.calls == calls + 2   # detection + carried


def test_people_who_hug_are_both_kept():
    """Boxes that overlap most of their area (a hug) are two people when their
    centres are apart: the one the detector loses is carried."""
    f = frame()
    est = estimator([[150, 215]] + [[150]] * 5, lambda: [150, 215])
    assert centres(est(f)) == [150, 215]
    for _ in range(5):
        assert centres(est(f)) == [150, 215]


def test_a_second_detector_box_on_the_same_person_is_dropped():
    """HOG also fires on a person's upper body: that smaller box is posed to the
    same person, who is counted once."""
    f = frame()
    est = estimator([[150]], lambda: [150], carry_frames=0)
    big_and_small = lambda fr: np.array([[80, 100, 220, 380, 1.0],          # noqa: E731
                                         [120, 150, 180, 260, 0.8]], np.float32)
    est.detector = big_and_small
    assert centres(est(f)) == [150] and est._pose.calls == 2


def test_the_whole_frame_fallback_runs_when_nothing_else_finds_anyone():
    f = frame()
    here = {'people': [150]}
    est = estimator([[150], []], lambda: here['people'])
    est(f)
    here['people'] = []                                # gone; the detector sees nobody
    calls = []
    est._full = lambda fr: calls.append(1) or PoseResult.empty(17)
    assert len(est(f)) == 0 and calls == [1]


def test_a_person_hidden_behind_another_is_found_with_the_front_one_painted_over():
    """The hug: someone steps in front of a person (at x = 300, in front of the
    one at 380) and the detector sees only the front one. The crop carried for
    the hidden person shows the front one (a one-person pose model finds them,
    already posed); with their limbs painted over it finds the hidden person.
    Without masking they are lost; with nobody behind, nobody is invented."""
    f = frame()
    here = {'people': [380]}
    est = estimator([[380], [300]], lambda: here['people'], pose=FrontFirstPose, width=80,
                    mask_posed=True)
    assert centres(est(f)) == [380]
    here['people'] = [300, 380]                   # front to back
    assert centres(est(f)) == [300, 380]
    here['people'] = [380]
    off = estimator([[380], [300]], lambda: here['people'], pose=FrontFirstPose, width=80)
    assert centres(off(f)) == [380]
    here['people'] = [300, 380]
    assert centres(off(f)) == [300]               # the hidden person is lost
    here['people'] = [380]
    gone = estimator([[380], [300]], lambda: here['people'], pose=FrontFirstPose, width=80,
                     mask_posed=True)
    gone(f)
    here['people'] = [300]                        # the person behind left
    assert centres(gone(f)) == [300]


def test_masking_paints_the_limbs_in_the_frame_mean_colour():
    est = estimator([[300]], lambda: [300], mask_posed=True)
    rgb = frame()
    kp = person(300)
    out = est._masked(rgb, [kp], [np.full(17, 0.9, np.float32)])
    fill = rgb.reshape(-1, 3).mean(0).astype(int)
    x, y = kp[8].astype(int)
    assert (out[y, x] == fill).all() and (rgb[y, x] != fill).any()   # a copy, painted
    assert (out[10, 10] == rgb[10, 10]).all()                        # far away: untouched
    # painted about mask_width x height (0.18 x 200 = 36 px) wide, centred on the bones
    assert (out[y, x + 15] == fill).all() and (out[y, x + 30] == rgb[y, x + 30]).all()


def test_a_person_nobody_detects_is_found_in_the_whole_frame_with_the_others_painted_over():
    """search_masked: the detector never boxes the person at x = 450 (bent over,
    say). The whole frame with the detected person painted over shows them; from
    the next frame on they are carried. Off: never found. Nobody there: nobody
    invented, and the detected person is not counted twice."""
    f = frame()
    est = estimator([[150]], lambda: [150, 450], pose=FrontFirstPose, mask_posed=True)
    assert centres(est(f)) == [150]
    est.search_masked = True
    assert centres(est(f)) == [150, 450]
    calls = est._pose.calls
    assert centres(est(f)) == [150, 450]
    assert est._pose.calls == calls + 3             # detection, carried crop, whole frame
    alone = estimator([[150]], lambda: [150], pose=FrontFirstPose, mask_posed=True)
    alone.search_masked = True
    for _ in range(3):
        assert centres(alone(f)) == [150]
    # with nobody detected or carried, the look covers the whole (unpainted) frame
    nobody = estimator([[], []], lambda: [450], pose=FrontFirstPose)
    nobody.search_masked = True
    nobody._previous = [((np.array([900.0, 240.0]), np.array([140.0, 280.0])), 0)]  # off-frame
    assert centres(nobody(f)) == [450]
