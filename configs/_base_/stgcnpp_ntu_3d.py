# Family base: ST-GCN++ on NTU RGB+D 3D (Kinect 25-joint) skeletons, joint stream.
_base_ = './stgcnpp_ntu.py'

layout = 'nturgb+d'
prenorm = dict(type='PreNormalize3D')
ann_file = 'data/skeleton/ntu60_3d.pkl'
