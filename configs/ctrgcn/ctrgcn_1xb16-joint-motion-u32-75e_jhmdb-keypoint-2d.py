# CTR-GCN on JHMDB ground-truth 2D poses, joint motion stream.
_base_ = '../_base_/ctrgcn_jhmdb.py'

feats = ['jm']
