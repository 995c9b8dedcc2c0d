# PoseC3D SlowOnly-R50, keypoint heatmaps, HMDB51 split 1 (PYSKL variant: PYSKL
# fine-tunes from a Kinetics-400 PoseC3D checkpoint; set load_from, load_partial).
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/skeleton/hmdb51_2d.pkl'
num_classes = 51
train_split = 'train1'
test_split = 'test1'
num_epochs = 12

optim_wrapper = dict(optimizer=dict(lr=0.1))
