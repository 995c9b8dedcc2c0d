# PoseC3D SlowOnly-R50, limb heatmaps, NTU120 XSub (seed 000).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xsub_train'
test_split = 'xsub_val'
with_kp, with_limb = False, True
