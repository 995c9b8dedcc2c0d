# PoseC3D SlowOnly-R50, keypoint heatmaps, Diving48 (PYSKL variant).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/diving48_2d.pkl'
num_classes = 48
train_split = 'train'
test_split = 'test'
