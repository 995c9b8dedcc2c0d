# MS-G3D on NTU60 XSub 3D (Kinect 25-joint), joint motion stream.
_base_ = '../_base_/msg3d_ntu_3d.py'

feats = ['jm']
