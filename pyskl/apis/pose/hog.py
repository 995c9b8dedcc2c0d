"""OpenCV's HOG + linear SVM people detector (Dalal and Triggs, "Histograms
of Oriented Gradients for Human Detection", CVPR 2005), shipped with OpenCV:
person boxes for the multi-person MediaPipe backend, nothing downloaded."""
from __future__ import annotations

from typing import Optional

import numpy as np

from pyskl.structures import nms


def _missing_hog_message(version: str) -> str:
    from importlib import metadata
    try:
        contrib = metadata.version('opencv-contrib-python')
    except metadata.PackageNotFoundError:
        contrib = None
    if contrib is None:
        return (f'OpenCV {version} has no HOGDescriptor (OpenCV 5 keeps it in the contrib '
                "build): pip install -e '.[demo]' (brings opencv-contrib-python)")
    # opencv-python (from mmcv-lite) and opencv-contrib-python share the cv2
    # folder; the files of whichever was installed last are the ones imported
    return (f'OpenCV {version} has no HOGDescriptor although opencv-contrib-python '
            f'{contrib} is installed: opencv-python, installed after it, overwrote the '
            'shared cv2 folder. Reinstall the contrib build over it: pip install '
            f'--force-reinstall --no-deps opencv-contrib-python=={contrib}')


class HOGPersonDetector:
    """OpenCV's HOG + linear SVM pedestrian detector (Dalal & Triggs, CVPR
    2005), shipped with OpenCV: no download. Upright, mostly full-body people
    of at least ~128 px height after ``scale``; weak on sitting, occluded
    or very small people.

    Args:
        scale: resize factor applied before detection (speed); None: so that
            the frame's short side is at most ``auto_short_side`` px (1080p
            frames are halved; frames of 540 px or less are not resized, so
            a person filling most of a small frame still spans the
            detector's 128 px window).
        auto_short_side: the short side ``scale=None`` resizes to.
        score_thr: minimum SVM score of a kept box.
        nms_thr: IoU above which the weaker of two boxes is dropped.

    ``detector(frame) -> (P, 5)`` float32 boxes (x1, y1, x2, y2, score) in
    pixels of ``frame``, best first.

    Raises:
        ImportError: an OpenCV without ``HOGDescriptor``. OpenCV 5 keeps it
            in the contrib build only (``opencv-contrib-python``, which the
            demo extra brings with MediaPipe); the plain ``opencv-python``
            that mmcv-lite requires lacks it.
    """

    def __init__(self, scale: Optional[float] = None, score_thr: float = 0.5,
                 nms_thr: float = 0.4, auto_short_side: int = 540):
        import cv2
        if not hasattr(cv2, 'HOGDescriptor'):
            raise ImportError(_missing_hog_message(cv2.__version__))
        self._cv2 = cv2
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.scale, self.score_thr, self.nms_thr = scale, score_thr, nms_thr
        self.auto_short_side = auto_short_side

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        scale = self.scale if self.scale is not None else \
            min(1.0, self.auto_short_side / min(frame.shape[:2]))
        small = frame if scale == 1.0 else self._cv2.resize(frame, None, fx=scale, fy=scale)
        rects, weights = self._hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8),
                                                    scale=1.05)
        if len(rects) == 0:
            return np.zeros((0, 5), np.float32)
        rects = np.asarray(rects, np.float32) / scale
        boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:],
                                np.asarray(weights, np.float32).reshape(-1, 1)], axis=1)
        boxes = boxes[boxes[:, 4] >= self.score_thr]
        return nms(boxes, self.nms_thr)
