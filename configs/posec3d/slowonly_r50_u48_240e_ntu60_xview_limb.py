# PoseC3D SlowOnly-R50, limb heatmaps, NTU60 XView.
_base_ = '../_base_/posec3d_slowonly_u48.py'

train_split = 'xview_train'
test_split = 'xview_val'
with_kp = False
with_limb = True
