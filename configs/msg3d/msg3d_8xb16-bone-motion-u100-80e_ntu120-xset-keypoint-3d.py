# MS-G3D on NTU120 XSet 3D (Kinect 25-joint), bone motion stream.
_base_ = '../_base_/msg3d_ntu.py'

feats = ['bm']
ann_file = 'data/skeleton/ntu120_3d.pkl'
num_classes = 120
layout = 'nturgb+d'
prenorm = 'PreNormalize3D'
train_split = 'xset_train'
test_split = 'xset_val'
