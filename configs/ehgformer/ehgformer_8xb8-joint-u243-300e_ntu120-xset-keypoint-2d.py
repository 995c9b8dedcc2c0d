# EHGFormer from scratch on NTU120 XSET 2D (HRNet COCO-17), joint stream, manual1 hyperedges.
_base_ = '../_base_/ehgformer_ntu.py'

ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'
