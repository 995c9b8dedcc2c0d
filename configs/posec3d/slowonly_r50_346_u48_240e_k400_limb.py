# PoseC3D SlowOnly-R50, stage blocks (3, 4, 6), limb heatmaps, Kinetics-400 in PYSKL's release
# (PYSKL configs/posec3d/slowonly_r50_346_k400/limb.py): data/k400/k400_hrnet.pkl, whose samples
# name their kpfile (raw_file, e.g. data/k400/kpfiles/...).
_base_ = '../_base_/posec3d_k400.py'

ann_file = 'data/k400/k400_hrnet.pkl'
kpfile_dir = ''
with_kp = False
with_limb = True
# PYSKL's limb channel order (its checkpoints' input channels)
limbs = [[0, 5], [0, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [11, 13], [13, 15],
         [6, 12], [12, 14], [14, 16], [0, 1], [0, 2], [1, 3], [2, 4], [11, 12]]
