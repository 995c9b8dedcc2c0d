# MS-G3D on JHMDB ground-truth 2D poses, joint stream.
_base_ = '../_base_/msg3d_jhmdb.py'


