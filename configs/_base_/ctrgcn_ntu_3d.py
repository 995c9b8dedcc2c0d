# Family base: CTR-GCN (Chen et al., ICCV 2021) on NTU RGB+D 3D (Kinect 25-joint) skeletons.
_base_ = './ctrgcn_ntu.py'

layout = 'nturgb+d'
prenorm = dict(type='PreNormalize3D')
ann_file = 'data/skeleton/ntu60_3d.pkl'
