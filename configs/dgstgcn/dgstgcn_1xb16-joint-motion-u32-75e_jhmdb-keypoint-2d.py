# DG-STGCN on JHMDB ground-truth 2D poses, joint motion stream.
_base_ = '../_base_/dgstgcn_jhmdb.py'

feats = ['jm']
