# Pose-only stream sized for a 2-core CPU on Weizmann-4 (MediaPipe COCO-17 poses of the
# upscaled videos; tools/data/weizmann4.py). Shrunk, and why: heatmaps at 32 (crop 28), a
# quarter of the RGB stream's 128 / 112 as in RGBPoseConv3D; base_channels 8 and
# stage_blocks (2, 2, 1) instead of 32 and (4, 6, 3); batch 8, lr 0.05, 20 epochs x 10.
_base_ = './pose_only.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
num_classes = 4
train_split, test_split = 'train', 'test'
resize_to, crop_to = 32, 28
num_epochs = 20
model = dict(backbone=dict(base_channels=8, stage_blocks=(2, 2, 1)),
             cls_head=dict(in_channels=128))
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
train_cfg = dict(val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=0.05))
default_hooks = dict(checkpoint=dict(interval=5), logger=dict(interval=20))
auto_scale_lr = dict(base_batch_size=8)
