# DG-STGCN on NTU60 XSub 2D (HRNet COCO-17), joint stream.
_base_ = '../_base_/dgstgcn_ntu.py'


