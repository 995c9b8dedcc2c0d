# AAGCN on JHMDB ground-truth 2D poses, joint motion stream.
_base_ = '../_base_/aagcn_jhmdb.py'

feats = ['jm']
