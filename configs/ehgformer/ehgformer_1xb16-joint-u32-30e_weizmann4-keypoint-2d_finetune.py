# EHGFormer fine-tuned on the Weizmann-4 poses from a JHMDB-trained checkpoint
# (ehgformer_1xb16-joint-u32-75e_jhmdb-keypoint-2d.py). JHMDB has 15 joints, Weizmann's
# COCO layout 17: the layer weights (joint embedding, attention, MLPs, hyperedge maps,
# temporal stage, the head's BatchNorm) load; the joint-count-shaped tensors (spatial
# position embedding, relation biases, the head's first weight) and the 4-class classifier
# start fresh -- load_partial reports which.
#   python tools/train.py THIS_FILE --cfg-options load_from=work_dirs/.../epoch_15.pth
_base_ = './ehgformer_1xb16-joint-u32-30e_weizmann4-keypoint-2d.py'

lr_backbone = 3e-4
head_lr_mult = 10.0
load_from = None
load_partial = True
