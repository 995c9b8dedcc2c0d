# CTR-GCN on NTU120 XSet 2D (HRNet COCO-17), bone motion stream.
_base_ = '../_base_/ctrgcn_ntu.py'

feats = ['bm']
ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'
