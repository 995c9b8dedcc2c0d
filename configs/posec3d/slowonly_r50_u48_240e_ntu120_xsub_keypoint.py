# PoseC3D SlowOnly-R50, keypoint heatmaps, NTU120 XSub.
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
