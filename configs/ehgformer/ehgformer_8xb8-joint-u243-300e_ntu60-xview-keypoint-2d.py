# EHGFormer from scratch on NTU60 XVIEW 2D (HRNet COCO-17), joint stream, manual1 hyperedges.
_base_ = '../_base_/ehgformer_ntu.py'

train_split = 'xview_train'
test_split = 'xview_val'
