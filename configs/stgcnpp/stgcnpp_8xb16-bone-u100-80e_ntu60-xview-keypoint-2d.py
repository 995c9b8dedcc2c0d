# ST-GCN++ on NTU60 XView 2D (HRNet COCO-17), bone stream.
_base_ = '../_base_/stgcnpp_ntu.py'

feats = ['b']
train_split = 'xview_train'
test_split = 'xview_val'
