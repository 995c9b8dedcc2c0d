# CTR-GCN on NTU60 XSub 3D (Kinect 25-joint), bone motion stream.
_base_ = '../_base_/ctrgcn_ntu_3d.py'

feats = ['bm']
