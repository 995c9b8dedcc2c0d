# DG-STGCN on NTU60 XSub 3D (Kinect 25-joint), joint stream.
_base_ = '../_base_/dgstgcn_ntu_3d.py'

feats = ['j']
