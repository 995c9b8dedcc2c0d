# CTR-GCN on NTU60 XView 2D (HRNet COCO-17), bone motion stream.
_base_ = '../_base_/ctrgcn_ntu.py'

feats = ['bm']
train_split = 'xview_train'
test_split = 'xview_val'
