# Pose-only stream sized for CPU training on Weizmann-4 (MediaPipe COCO-17 poses of the
# upscaled videos; tools/data/weizmann4.py). Shrunk, and why: heatmaps at 32 (crop 28), a
# quarter of the RGB stream's 128 / 112 as in RGBPoseConv3D; base_channels 8 and
# stage_blocks (2, 2, 1) instead of 32 and (4, 6, 3); batch 8, lr 0.05, 20 epochs x 10.
_base_ = '../_base_/posec3d_slowonly_u48.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
num_classes = 4
train_split = 'train'
test_split = 'test'
resize_to = 32
crop_to = 28
num_epochs = 20
clip_len = 32

model = dict(
    backbone=dict(base_channels=8, stage_blocks=(2, 2, 1), temporal_strides=(1, 1, 1)),
    cls_head=dict(in_channels=128))

train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)

val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)

test_dataloader = dict(num_workers=0, persistent_workers=False)

train_cfg = dict(val_interval=5)

optim_wrapper = dict(optimizer=dict(lr=0.05))

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=5))

auto_scale_lr = dict(base_batch_size=8)
