# RGBPoseConv3D sized for CPU training on Weizmann-4: the two pathways of
# rgb_only_weizmann4.py / pose_only_weizmann4.py with lateral connections, fine-tuned from
# their merged checkpoints (docs/results.md has the commands):
#   python tools/data/merge_pretrain.py RGB_CKPT POSE_CKPT work_dirs/weizmann4/rgbpose_init.pth \
#       --config configs/rgbpose_conv3d/rgbpose_conv3d_weizmann4.py
_base_ = '../_base_/rgbpose_ntu60.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
video_dir = 'data/weizmann4/videos'
num_classes = 4
train_split = 'train'
test_split = 'test'
resize_to = 128
crop_to = 112
num_epochs = 10
repeat_times = 5

model = dict(
    backbone=dict(
        rgb_pathway=dict(base_channels=16, stage_blocks=(1, 2, 2, 1)),
        pose_pathway=dict(stage_blocks=(2, 2, 1), base_channels=8)),
    cls_head=dict(in_channels=[512, 128]))

train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False)

val_dataloader = dict(num_workers=0, persistent_workers=False)

test_dataloader = dict(num_workers=0, persistent_workers=False)

train_cfg = dict(val_interval=5)

param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end='{num_epochs}',
        by_epoch=True,
        milestones=[6, 8],
        gamma=0.1)
]

optim_wrapper = dict(optimizer=dict(lr=0.01))

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))

auto_scale_lr = dict(base_batch_size=8)

load_from = 'work_dirs/weizmann4/rgbpose_init.pth'
