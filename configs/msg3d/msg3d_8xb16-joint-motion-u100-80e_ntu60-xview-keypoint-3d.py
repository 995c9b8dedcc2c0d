# MS-G3D on NTU60 XView 3D (Kinect 25-joint), joint motion stream.
_base_ = '../_base_/msg3d_ntu.py'

feats = ['jm']
layout = 'nturgb+d'
prenorm = 'PreNormalize3D'
ann_file = 'data/skeleton/ntu60_3d.pkl'
train_split = 'xview_train'
test_split = 'xview_val'
