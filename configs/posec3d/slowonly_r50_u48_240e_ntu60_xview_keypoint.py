# PoseC3D SlowOnly-R50, keypoint heatmaps, NTU60 XView.
_base_ = '../_base_/posec3d_slowonly_u48.py'

train_split = 'xview_train'
test_split = 'xview_val'
