# RGB-only stream sized for a 2-core CPU on Weizmann-4 (tools/data/weizmann4.py: 48 train /
# 24 test clips, 4 classes, 64x64 frames upscaled to 256x256 videos). Shrunk, and why: RGB
# at 128 (crop 112) instead of 256 (224) -- the source frames are 64x64; SlowOnly-R50 with
# base_channels 16 and stage_blocks (1, 2, 2, 1) instead of 64 and (3, 4, 6, 3) -- ~1/30 of
# the compute, for 48 training clips; batch 8, lr 0.05, 20 epochs x 10 repeats.
_base_ = './rgb_only.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
video_dir = 'data/weizmann4/videos'
num_classes = 4
train_split, test_split = 'train', 'test'
resize_to, crop_to = 128, 112
num_epochs = 20
model = dict(backbone=dict(base_channels=16, stage_blocks=(1, 2, 2, 1)),
             cls_head=dict(in_channels=512))
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
train_cfg = dict(val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=0.05))
default_hooks = dict(checkpoint=dict(interval=5), logger=dict(interval=20))
auto_scale_lr = dict(base_batch_size=8)
