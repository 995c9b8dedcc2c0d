# DG-STGCN on JHMDB ground-truth 2D poses, joint stream.
_base_ = '../_base_/dgstgcn_jhmdb.py'


