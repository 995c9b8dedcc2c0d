# PoseC3D SlowOnly-R50, limb heatmaps, Kinetics-400 (PYSKL variant, HRNet poses of
# many persons).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/k400_2d.pkl'
num_classes = 400
train_split = 'train'
test_split = 'val'
with_kp = False
with_limb = True
