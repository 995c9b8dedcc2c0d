# CTR-GCN on JHMDB ground-truth 2D poses, joint stream.
_base_ = '../_base_/ctrgcn_jhmdb.py'


