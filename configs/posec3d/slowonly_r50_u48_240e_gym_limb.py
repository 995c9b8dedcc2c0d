# PoseC3D SlowOnly-R50, limb heatmaps, FineGYM 99 classes.
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/gym_2d.pkl'
num_classes = 99
train_split = 'train'
test_split = 'val'
with_kp = False
with_limb = True
