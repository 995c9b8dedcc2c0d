# EHGFormer from scratch on JHMDB ground-truth 2D poses, joint stream (split 1; --cfg-options split=S).
_base_ = '../_base_/ehgformer_jhmdb.py'


