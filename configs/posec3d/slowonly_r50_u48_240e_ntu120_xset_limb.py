# PoseC3D SlowOnly-R50, limb heatmaps, NTU120 XSet.
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'
with_kp = False
with_limb = True
