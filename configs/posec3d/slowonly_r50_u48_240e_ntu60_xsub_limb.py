# PoseC3D SlowOnly-R50, limb heatmaps, NTU60 XSub.
_base_ = '../_base_/posec3d_slowonly_u48.py'

with_kp = False
with_limb = True
