# Family base: AAGCN (Shi et al., TIP 2020) on NTU RGB+D 3D (Kinect 25-joint) skeletons.
_base_ = './aagcn_ntu.py'

layout = 'nturgb+d'
prenorm = dict(type='PreNormalize3D')
ann_file = 'data/skeleton/ntu60_3d.pkl'
