# PoseC3D SlowOnly-R50, stage blocks (3, 4, 6), keypoint heatmaps, Kinetics-400 in PYSKL's release
# (PYSKL configs/posec3d/slowonly_r50_346_k400/joint.py): data/k400/k400_hrnet.pkl, whose samples
# name their kpfile (raw_file, e.g. data/k400/kpfiles/...).
_base_ = '../_base_/posec3d_k400.py'

ann_file = 'data/k400/k400_hrnet.pkl'
kpfile_dir = ''
