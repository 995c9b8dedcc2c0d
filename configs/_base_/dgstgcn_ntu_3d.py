# Family base: DG-STGCN (Duan et al., arXiv 2210.05895) on NTU RGB+D 3D (Kinect 25-joint) skeletons.
_base_ = './dgstgcn_ntu.py'

layout = 'nturgb+d'
prenorm = dict(type='PreNormalize3D')
ann_file = 'data/skeleton/ntu60_3d.pkl'
