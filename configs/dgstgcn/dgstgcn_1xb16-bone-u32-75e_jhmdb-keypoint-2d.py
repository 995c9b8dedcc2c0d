# DG-STGCN on JHMDB ground-truth 2D poses, bone stream.
_base_ = '../_base_/dgstgcn_jhmdb.py'

feats = ['b']
