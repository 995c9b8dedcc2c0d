# PoseC3D SlowOnly-R50 (stage blocks 3, 4, 6), keypoint heatmaps, Kinetics-400 in
# MMAction2's release: data/skeleton/k400_2d.pkl (table of contents) + one kpfile per
# video in data/skeleton/kpfiles (MMAction2 slowonly_r50_8xb32-u48-240e_k400-keypoint).
_base_ = '../_base_/posec3d_k400.py'
