# RGBPoseConv3D (Duan et al., CVPR 2022; MMAction2's recipe), step 1: the RGB-only stream (SlowOnly-R50 on 8 frames at 224x224) whose
# checkpoint initialises the RGB pathway of RGBPoseConv3D (tools/data/merge_pretrain.py).
_base_ = '../_base_/rgbpose_ntu60.py'

num_epochs = 18
repeat_times = 10

model = dict(
    type='Recognizer3D',
    backbone=dict(
        _delete_=True,
        type='ResNet3dSlowOnly',
        depth=50,
        conv1_kernel=(1, 7, 7),
        inflate=(0, 0, 1, 1)),
    cls_head=dict(
        _delete_=True,
        type='I3DHead',
        in_channels=2048,
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

train_dataloader = dict(batch_size=12, dataset=dict(dataset=dict(pipeline=train_pipeline)))

val_dataloader = dict(batch_size=12, dataset=dict(pipeline=val_pipeline))

test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        T_max='{num_epochs}',
        by_epoch=True,
        convert_to_iter_based=True)
]

optim_wrapper = dict(optimizer=dict(lr=0.15))

auto_scale_lr = dict(base_batch_size=96)
