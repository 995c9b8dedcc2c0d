# ST-GCN on NTU60 XView 2D (HRNet COCO-17), joint stream.
_base_ = '../_base_/stgcn_ntu.py'


train_split = 'xview_train'
test_split = 'xview_val'
