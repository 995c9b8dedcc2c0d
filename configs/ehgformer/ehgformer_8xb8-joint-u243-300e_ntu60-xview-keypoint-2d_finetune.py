# EHGFormer fine-tuned on NTU60 XVIEW 2D from a pretrained backbone: backbone lr
# 8e-5, head lr 8e-4; the head is re-initialised (load_partial reports what was loaded).
# Set load_from to your backbone checkpoint (--cfg-options load_from=PATH).
_base_ = '../_base_/ehgformer_ntu.py'

head_lr_mult = 10.0
train_split = 'xview_train'
test_split = 'xview_val'

load_partial = True
