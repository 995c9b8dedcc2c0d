# PoseC3D SlowOnly-R50 (stage blocks 3, 4, 6), limb heatmaps, Kinetics-400 in MMAction2's
# release (k400_2d.pkl + data/skeleton/kpfiles).
_base_ = '../_base_/posec3d_k400.py'

with_kp = False
with_limb = True
