# PoseC3D SlowOnly-R50, limb heatmaps, Diving48 (PYSKL variant).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/diving48_2d.pkl'
num_classes = 48
train_split = 'train'
test_split = 'test'
with_kp = False
with_limb = True
