from .action_head import ActionHeadClassification
from .base_head import BaseHead
from .gcn_head import GCNHead
from .i3d_head import I3DHead
from .rgbpose_head import RGBPoseHead

__all__ = ['BaseHead', 'GCNHead', 'I3DHead', 'RGBPoseHead', 'ActionHeadClassification']
