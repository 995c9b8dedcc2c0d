"""Per-frame 2D pose estimators for the demo and for building datasets.

Every estimator is called on one BGR frame (H, W, 3) uint8 and returns a
:class:`PoseResult` in pixels of that frame. Backends:

* ``'mediapipe'`` -- MediaPipe's legacy Pose solution (BlazePose GHUM, one
  person per frame; the model ships inside the ``mediapipe==0.10.21`` wheel,
  nothing is downloaded: ``pip install -e .[demo]``), mapped to COCO-17.
* ``'mediapipe-multi'`` -- OpenCV's HOG person detector (part of OpenCV,
  offline) finds people, then MediaPipe Pose runs on each person's crop.
* ``'mediapipe-hands'`` -- MediaPipe Hands, 21 landmarks per hand (layout
  ``handmp``).
* ``'mmpose'`` -- an mmdet detector + mmpose top-down model from config and
  checkpoint files (PYSKL/MMAction2 ``--det-config --det-checkpoint
  --pose-config --pose-checkpoint``), when both packages are installed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import numpy as np

from pyskl.skeleton.mapping import MEDIAPIPE_TO_COCO


@dataclass
class PoseResult:
    """Poses found in one frame.

    Attributes:
        keypoint: (P, V, 2) float32, pixels (x, y) of the frame.
        keypoint_score: (P, V) float32 in [0, 1].
        bbox: (P, 4) float32, (x1, y1, x2, y2) pixels (the person's
            detection box, or the box of its keypoints).
    """
    keypoint: np.ndarray
    keypoint_score: np.ndarray
    bbox: np.ndarray = field(default=None)

    def __post_init__(self):
        self.keypoint = np.asarray(self.keypoint, np.float32)
        self.keypoint_score = np.asarray(self.keypoint_score, np.float32)
        if self.keypoint.ndim != 3 or self.keypoint.shape[2] != 2 or \
                self.keypoint_score.shape != self.keypoint.shape[:2]:
            raise ValueError('PoseResult: expected keypoint (P, V, 2) and keypoint_score '
                             f'(P, V), got {self.keypoint.shape} and '
                             f'{self.keypoint_score.shape}')
        if self.bbox is None:
            self.bbox = keypoint_boxes(self.keypoint, self.keypoint_score)
        self.bbox = np.asarray(self.bbox, np.float32).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.keypoint)

    @classmethod
    def empty(cls, num_keypoints: int) -> 'PoseResult':
        """A frame with no person."""
        return cls(np.zeros((0, num_keypoints, 2)), np.zeros((0, num_keypoints)),
                   np.zeros((0, 4)))


def keypoint_boxes(keypoint: np.ndarray, keypoint_score: np.ndarray,
                   threshold: float = 0.05) -> np.ndarray:
    """Boxes (P, 4) (x1, y1, x2, y2) around each person's keypoints whose
    score is above ``threshold`` (all zeros for a person with none).

    Args:
        keypoint: (P, V, 2) pixels. keypoint_score: (P, V).
    """
    keypoint = np.asarray(keypoint, np.float32)
    valid = np.asarray(keypoint_score) > threshold
    big = np.float32(1e9)
    lo = np.where(valid[..., None], keypoint, big).min(1)
    hi = np.where(valid[..., None], keypoint, -big).max(1)
    boxes = np.concatenate([lo, hi], axis=-1)
    boxes[~valid.any(1)] = 0
    return boxes


class PoseEstimator:
    """Base class: ``estimator(frame) -> PoseResult``.

    Attributes:
        layout: the skeleton layout of the keypoints (``'coco'``,
            ``'handmp'``).
        num_keypoints: V.
    """
    layout = 'coco'
    num_keypoints = 17

    def __call__(self, frame: np.ndarray) -> PoseResult:
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend's resources."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _import_mediapipe():
    try:
        import mediapipe as mp
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError('the MediaPipe pose backends need the demo extra: '
                          "pip install -e '.[demo]' (mediapipe==0.10.21, numpy<2)") from e
    if not hasattr(mp, 'solutions'):  # pragma: no cover - newer wheels dropped them
        raise ImportError(f'mediapipe {mp.__version__} has no legacy solutions (their models '
                          'ship only up to 0.10.21): pip install mediapipe==0.10.21')
    return mp


def _check_frame(frame: np.ndarray) -> None:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3 or \
            frame.dtype != np.uint8:
        raise ValueError('a pose estimator takes one BGR frame (H, W, 3) uint8, got '
                         f'{getattr(frame, "shape", type(frame).__name__)} '
                         f'{getattr(frame, "dtype", "")}')


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
        _check_frame(frame)
        one = self._one(np.ascontiguousarray(frame[..., ::-1]))
        if one is None:
            return PoseResult.empty(17)
        return PoseResult(one[0][None], one[1][None])

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self._pose.close()


class HOGPersonDetector:
    """OpenCV's HOG + linear SVM pedestrian detector (Dalal & Triggs, CVPR
    2005), shipped with OpenCV: no download. Upright, mostly full-body people
    of at least ~128 px height after ``scale``; weak on sitting, occluded
    or very small people.

    Args:
        scale: resize factor applied before detection (speed).
        score_thr: minimum SVM score of a kept box.
        nms_thr: IoU above which the weaker of two boxes is dropped.

    ``detector(frame) -> (P, 5)`` float32 boxes (x1, y1, x2, y2, score) in
    pixels of ``frame``, best first.

    Raises:
        ImportError: an OpenCV without ``HOGDescriptor`` (OpenCV 5 moved it
            out; the demo extra pins opencv < 4.12).
    """

    def __init__(self, scale: float = 0.5, score_thr: float = 0.5, nms_thr: float = 0.4):
        import cv2
        if not hasattr(cv2, 'HOGDescriptor'):
            raise ImportError(f'OpenCV {cv2.__version__} has no HOGDescriptor (OpenCV 5 moved it '
                              "out of the main module): install the demo extra, pip install "
                              "-e '.[demo]', which pins opencv < 4.12")
        self._cv2 = cv2
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.scale, self.score_thr, self.nms_thr = scale, score_thr, nms_thr

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        small = self._cv2.resize(frame, None, fx=self.scale, fy=self.scale)
        rects, weights = self._hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8),
                                                    scale=1.05)
        if len(rects) == 0:
            return np.zeros((0, 5), np.float32)
        rects = np.asarray(rects, np.float32) / self.scale
        boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:],
                                np.asarray(weights, np.float32).reshape(-1, 1)], axis=1)
        boxes = boxes[boxes[:, 4] >= self.score_thr]
        return nms(boxes, self.nms_thr)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix (len(a), len(b)) of (x1, y1, x2, y2) boxes (extra columns
    ignored). Empty boxes have IoU 0 with everything."""
    a = np.asarray(a, np.float32)[:, None, :4]
    b = np.asarray(b, np.float32)[None, :, :4]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area = lambda x: (x[..., 2] - x[..., 0]) * (x[..., 3] - x[..., 1])  # noqa: E731
    union = area(a) + area(b) - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0).astype(np.float32)


def nms(boxes: np.ndarray, iou_thr: float) -> np.ndarray:
    """Greedy non-maximum suppression of (P, 5) boxes; returns the kept
    boxes, highest score first."""
    boxes = boxes[np.argsort(-boxes[:, 4])]
    keep: List[int] = []
    iou = box_iou(boxes, boxes)
    for i in range(len(boxes)):
        if all(iou[i, j] <= iou_thr for j in keep):
            keep.append(i)
    return boxes[keep]


class MediaPipeMultiPose(PoseEstimator):
    """Several people: HOG person boxes, then MediaPipe Pose on each crop.

    Each box is enlarged by ``margin`` on every side before cropping;
    keypoints are mapped back to frame pixels. Frames where HOG finds no
    one fall back to MediaPipe on the whole frame (one person), so a
    single, non-upright person is still seen.

    Args:
        max_person: keep at most this many boxes (best scores).
        margin: box enlargement, as a fraction of its size.
        detector: a callable frame -> (P, 5) boxes (default
            :class:`HOGPersonDetector`).
        Other arguments: :class:`MediaPipePose`.
    """

    def __init__(self, max_person: int = 4, margin: float = 0.15, detector=None, **pose_kwargs):
        pose_kwargs.setdefault('static_image_mode', True)
        self._pose = MediaPipePose(**pose_kwargs)
        self._full = MediaPipePose(**{**pose_kwargs, 'static_image_mode': False})
        self.detector = detector or HOGPersonDetector()
        self.max_person, self.margin = max_person, margin

    def __call__(self, frame: np.ndarray) -> PoseResult:
        _check_frame(frame)
        h, w = frame.shape[:2]
        boxes = self.detector(frame)[:self.max_person]
        if len(boxes) == 0:
            return self._full(frame)
        kps, scores, kept = [], [], []
        rgb = np.ascontiguousarray(frame[..., ::-1])
        for x1, y1, x2, y2 in boxes[:, :4]:
            mx, my = (x2 - x1) * self.margin, (y2 - y1) * self.margin
            cx1, cy1 = int(max(0, x1 - mx)), int(max(0, y1 - my))
            cx2, cy2 = int(min(w, x2 + mx)), int(min(h, y2 + my))
            if cx2 - cx1 < 8 or cy2 - cy1 < 8:
                continue
            one = self._pose._one(np.ascontiguousarray(rgb[cy1:cy2, cx1:cx2]))
            if one is None:
                continue
            kps.append(one[0] + np.array([cx1, cy1], np.float32))
            scores.append(one[1])
            kept.append((x1, y1, x2, y2))
        if not kps:
            return PoseResult.empty(17)
        return PoseResult(np.stack(kps), np.stack(scores), np.array(kept))

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
        _check_frame(frame)
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


class MMPosePose(PoseEstimator):
    """mmdet person detection + mmpose top-down COCO-17 pose (the PYSKL /
    MMAction2 demo pipeline), from local config and checkpoint files.

    Args:
        det_config, det_checkpoint: mmdet config file and weights.
        pose_config, pose_checkpoint: mmpose config file and weights.
        det_score_thr: minimum person box score. det_cat_id: person class.
        device: e.g. ``'cpu'``, ``'cuda:0'``.

    Raises:
        ImportError: mmdet or mmpose not installed.
    """

    def __init__(self, det_config: str, det_checkpoint: str, pose_config: str,
                 pose_checkpoint: str, det_score_thr: float = 0.5, det_cat_id: int = 0,
                 device: str = 'cpu'):
        try:
            from mmdet.apis import inference_detector, init_detector
            from mmpose.apis import inference_topdown, init_model
        except ImportError as e:
            raise ImportError("the 'mmpose' pose backend needs mmdet and mmpose installed "
                              '(with their mmcv); the offline default is --pose-backend '
                              'mediapipe') from e
        self._det = init_detector(det_config, det_checkpoint, device=device)
        self._pose = init_model(pose_config, pose_checkpoint, device=device)
        self._inference_detector, self._inference_topdown = inference_detector, inference_topdown
        self.det_score_thr, self.det_cat_id = det_score_thr, det_cat_id

    def __call__(self, frame: np.ndarray) -> PoseResult:
        _check_frame(frame)
        inst = self._inference_detector(self._det, frame).pred_instances.cpu().numpy()
        keep = (inst.labels == self.det_cat_id) & (inst.scores > self.det_score_thr)
        boxes = inst.bboxes[keep]
        if len(boxes) == 0:
            return PoseResult.empty(17)
        samples = self._inference_topdown(self._pose, frame, boxes, bbox_format='xyxy')
        kp = np.concatenate([s.pred_instances.keypoints for s in samples])
        sc = np.concatenate([s.pred_instances.keypoint_scores for s in samples])
        return PoseResult(kp, np.clip(sc, 0, 1), boxes)


POSE_BACKENDS = dict(mediapipe=MediaPipePose, **{'mediapipe-multi': MediaPipeMultiPose,
                                                 'mediapipe-hands': MediaPipeHands,
                                                 'mmpose': MMPosePose})


def build_pose_estimator(backend: str = 'mediapipe', **kwargs) -> PoseEstimator:
    """Build a pose estimator by backend name (``POSE_BACKENDS``).

    Raises:
        KeyError: unknown backend (lists the known ones).
        ImportError: the backend's package is not installed.
    """
    if backend not in POSE_BACKENDS:
        raise KeyError(f'unknown pose backend {backend!r}; choose from {sorted(POSE_BACKENDS)}')
    return POSE_BACKENDS[backend](**kwargs)
