# MS-G3D on NTU60 XSub 3D (Kinect 25-joint), bone stream.
_base_ = '../_base_/msg3d_ntu_3d.py'

feats = ['b']
