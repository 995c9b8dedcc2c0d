# DG-STGCN on NTU120 XSub 3D (Kinect 25-joint), joint stream.
_base_ = '../_base_/dgstgcn_ntu.py'

ann_file = 'data/skeleton/ntu120_3d.pkl'
num_classes = 120
layout = 'nturgb+d'
prenorm = 'PreNormalize3D'
