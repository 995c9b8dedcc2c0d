# PoseC3D SlowOnly-R50, keypoint heatmaps, NTU60 XSub.
_base_ = '../_base_/posec3d_slowonly_u48.py'


