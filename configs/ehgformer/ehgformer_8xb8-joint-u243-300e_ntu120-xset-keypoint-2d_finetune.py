# EHGFormer fine-tuned on NTU120 XSET 2D from a pretrained backbone: backbone lr
# 8e-5, head lr 8e-4; the head is re-initialised (load_partial reports what was loaded).
# Set load_from to your backbone checkpoint (--cfg-options load_from=PATH).
_base_ = '../_base_/ehgformer_ntu.py'

head_lr_mult = 10.0
ann_file = 'data/skeleton/ntu120_2d.pkl'
num_classes = 120
train_split = 'xset_train'
test_split = 'xset_val'

load_partial = True
