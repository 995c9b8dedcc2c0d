# EHGFormer fine-tuned on the Weizmann-4 poses from a JHMDB-trained checkpoint
# (ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py). JHMDB has 15 joints, Weizmann's
# COCO layout 17: the layer weights (joint embedding, attention, MLPs, hyperedge maps,
# temporal stage, the head's BatchNorm) load; the joint-count-shaped tensors (spatial
# position embedding, relation biases, the head's first weight) and the 4-class classifier
# start fresh -- load_partial reports which.
#   python tools/train.py THIS_FILE --cfg-options load_from=work_dirs/.../epoch_15.pth
_base_ = '../_base_/ehgformer_jhmdb.py'

lr_backbone = 0.0003
head_lr_mult = 10.0
num_epochs = 30
ann_file = 'data/weizmann4/weizmann4_2d.pkl'
layout = 'coco'
train_split = 'train'
test_split = 'test'
joint_labels = 'coco_manual1'
num_classes = 4

model = dict(cls_head=dict(num_joints=17))

train_cfg = dict(val_interval=5)

default_hooks = dict(logger=dict(interval=15), checkpoint=dict(interval=5))

load_partial = True
