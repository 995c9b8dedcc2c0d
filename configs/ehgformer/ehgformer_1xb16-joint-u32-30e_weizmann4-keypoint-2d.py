# EHGFormer from scratch on the Weizmann-4 poses (COCO-17 from MediaPipe, 48 train / 24 test
# clips, 4 classes; tools/data/weizmann4.py). The JHMDB CPU-sized model and recipe
# (ehgformer_jhmdb.py) with the coco layout, the EHGFormer repository's coco_manual1 joint labels and
# 30 epochs x 5 repeats (240 clips an epoch). The fine-tuning counterpart is the
# _finetune child of this file.
_base_ = '../_base_/ehgformer_jhmdb.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
layout = 'coco'
joint_labels = 'coco_manual1'
train_split = 'train'
test_split = 'test'
num_epochs = 30
num_classes = 4

model = dict(cls_head=dict(num_joints=17))

train_cfg = dict(val_interval=5)

default_hooks = dict(logger=dict(interval=15), checkpoint=dict(interval=5))
