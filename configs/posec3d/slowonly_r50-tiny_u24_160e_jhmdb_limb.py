# PoseC3D (SlowOnly-tiny) on JHMDB 2D poses, limb heatmaps (the 14 bones of the jhmdb
# layout), 160 epochs, SGD lr 0.1.
_base_ = '../_base_/posec3d_jhmdb.py'

with_kp = False
with_limb = True
in_channels = 14
