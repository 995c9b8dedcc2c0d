# PoseC3D SlowOnly-R50, limb heatmaps, UCF101 split 1 (PYSKL variant: PYSKL
# fine-tunes from a Kinetics-400 PoseC3D checkpoint; set load_from, load_partial).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/ucf101_2d.pkl'
num_classes = 101
train_split = 'train1'
test_split = 'test1'
num_epochs = 12
with_kp = False
with_limb = True

optim_wrapper = dict(optimizer=dict(lr=0.1))
