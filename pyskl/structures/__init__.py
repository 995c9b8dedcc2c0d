from .action_data_sample import ActionDataSample
from .boxes import box_iou, keypoint_boxes, nms
from .pose_result import PoseResult

__all__ = ['ActionDataSample', 'PoseResult', 'box_iou', 'keypoint_boxes', 'nms']
