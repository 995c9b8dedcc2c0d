# ST-GCN on NTU120 XSet 2D (HRNet COCO-17), joint stream.
_base_ = '../_base_/stgcn_ntu.py'

ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'
