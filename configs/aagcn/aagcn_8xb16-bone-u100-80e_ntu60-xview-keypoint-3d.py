# AAGCN on NTU60 XView 3D (Kinect 25-joint), bone stream.
_base_ = '../_base_/aagcn_ntu.py'

feats = ['b']
layout = 'nturgb+d'
prenorm = 'PreNormalize3D'
ann_file = 'data/skeleton/ntu60_3d.pkl'
train_split = 'xview_train'
test_split = 'xview_val'
