# RGB-only stream sized for CPU training on Weizmann-4 (tools/data/weizmann4.py: 48 train /
# 24 test clips, 4 classes, 64x64 frames upscaled to 256x256 videos). Shrunk, and why: RGB
# at 128 (crop 112) instead of 256 (224) -- the source frames are 64x64; SlowOnly-R50 with
# base_channels 16 and stage_blocks (1, 2, 2, 1) instead of 64 and (3, 4, 6, 3) -- ~1/30 of
# the compute, for 48 training clips; batch 8, lr 0.05, 20 epochs x 10 repeats.
_base_ = '../_base_/rgbpose_ntu60.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
video_dir = 'data/weizmann4/videos'
num_classes = 4
train_split = 'train'
test_split = 'test'
resize_to = 128
crop_to = 112
repeat_times = 10

model = dict(
    type='Recognizer3D',
    backbone=dict(
        _delete_=True,
        type='ResNet3dSlowOnly',
        depth=50,
        conv1_kernel=(1, 7, 7),
        inflate=(0, 0, 1, 1),
        base_channels=16,
        stage_blocks=(1, 2, 2, 1)),
    cls_head=dict(
        _delete_=True,
        type='I3DHead',
        in_channels=512,
        num_classes='{num_classes}',
        dropout_ratio=0.5,
        average_clips='prob'),
    data_preprocessor=dict(
        _delete_=True,
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

train_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=1),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs',))
]

val_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs',))
]

test_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs',))
]

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(dataset=dict(pipeline=train_pipeline)))

val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=val_pipeline))

test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline))

train_cfg = dict(val_interval=5)

param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        T_max='{num_epochs}',
        by_epoch=True,
        convert_to_iter_based=True)
]

optim_wrapper = dict(optimizer=dict(lr=0.05))

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=5))

auto_scale_lr = dict(base_batch_size=8)
