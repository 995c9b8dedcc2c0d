# EHGFormer from scratch on NTU60 XSUB 2D (HRNet COCO-17), joint stream, manual1 hyperedges.
_base_ = '../_base_/ehgformer_ntu.py'


