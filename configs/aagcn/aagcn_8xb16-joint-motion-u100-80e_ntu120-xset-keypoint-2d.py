# AAGCN on NTU120 XSet 2D (HRNet COCO-17), joint motion stream.
_base_ = '../_base_/aagcn_ntu.py'

feats = ['jm']
ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'
