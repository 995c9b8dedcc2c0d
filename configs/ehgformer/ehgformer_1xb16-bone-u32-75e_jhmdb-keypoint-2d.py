# EHGFormer from scratch on JHMDB ground-truth 2D poses, bone stream (split 1; --cfg-options split=S).
_base_ = '../_base_/ehgformer_jhmdb.py'

feats = ['b']
