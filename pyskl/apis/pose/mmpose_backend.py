"""The PYSKL / MMAction2 demo's pose pipeline: an mmdet person detector and
an mmpose top-down model, from local config and checkpoint files (both
packages are imported when the backend is built)."""
from __future__ import annotations

import numpy as np

from pyskl.structures import PoseResult

from .base import PoseEstimator, check_frame


class MMPosePose(PoseEstimator):
    """mmdet person detection + mmpose top-down COCO-17 pose (the PYSKL /
    MMAction2 demo pipeline), from local config and checkpoint files.

    Args:
        det_config, det_checkpoint: mmdet config file and weights.
        pose_config, pose_checkpoint: mmpose config file and weights.
        det_score_thr: minimum person box score. det_cat_id: person class.
        det_area_thr: minimum box area (pixels^2; PYSKL's custom_2d_skeleton
            keeps boxes of at least 1600).
        device: e.g. ``'cpu'``, ``'cuda:0'``.

    Raises:
        ImportError: mmdet or mmpose not installed.
    """

    def __init__(self, det_config: str, det_checkpoint: str, pose_config: str,
                 pose_checkpoint: str, det_score_thr: float = 0.5, det_cat_id: int = 0,
                 det_area_thr: float = 0.0, device: str = 'cpu'):
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
        self.det_area_thr = det_area_thr

    def __call__(self, frame: np.ndarray) -> PoseResult:
        check_frame(frame)
        inst = self._inference_detector(self._det, frame).pred_instances.cpu().numpy()
        keep = (inst.labels == self.det_cat_id) & (inst.scores > self.det_score_thr)
        b = inst.bboxes
        keep &= (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) >= self.det_area_thr
        boxes = b[keep]
        if len(boxes) == 0:
            return PoseResult.empty(17)
        samples = self._inference_topdown(self._pose, frame, boxes, bbox_format='xyxy')
        kp = np.concatenate([s.pred_instances.keypoints for s in samples])
        sc = np.concatenate([s.pred_instances.keypoint_scores for s in samples])
        return PoseResult(kp, np.clip(sc, 0, 1), boxes)
