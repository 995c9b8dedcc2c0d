# PoseC3D (SlowOnly-tiny) on JHMDB 2D poses, keypoint heatmaps, 160 epochs.
_base_ = '../_base_/posec3d_jhmdb.py'

optim_wrapper = dict(optimizer=dict(lr=0.025))
