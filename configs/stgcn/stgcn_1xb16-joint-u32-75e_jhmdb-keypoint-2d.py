# ST-GCN on JHMDB ground-truth 2D poses (15 joints), joint stream.
_base_ = '../_base_/stgcn_jhmdb.py'


