# Family base: PoseC3D (SlowOnly) on JHMDB ground-truth 2D poses (15 joints),
# keypoint heatmaps. Data: python tools/data/jhmdb_ddnet.py (data/jhmdb/jhmdb_gt.pkl.gz)
# Sized to train on a CPU (docs/results.md): the PoseC3D SlowOnly-R50
# (base_channels 32, stage_blocks (4, 6, 3), 48 frames at 56x56, 2.0M params) is
# shrunk to base_channels 16 and stage_blocks (2, 3, 2) (0.3M params), 24 frames
# at 32x32 for training and 36x36 for testing (the 56:64 ratio of PoseC3D), about
# 15x less compute per sample. Everything else is the PoseC3D recipe: PoseCompact,
# RandomResizedCrop, Flip with left/right swap, sigma 0.6, SGD + cosine, 10-clip
# flip-doubled testing.
# Trained (docs/results.md) with pixel-index keypoint geometry: Resize and Flip with
# pixel_center=True and GeneratePoseTarget(symmetric_window=True); the NTU / PYSKL /
# MMAction2 configs keep the reference rules (the defaults).
# Another JHMDB split: --cfg-options split=2 (late-bound variables, docs/configs.md).
_base_ = './default_runtime.py'

num_epochs = 160
split = 1
with_kp = True
with_limb = False
in_channels = 15
clip_len = 24
ann_file = 'data/jhmdb/jhmdb_gt.pkl.gz'
num_classes = 14
layout = 'jhmdb'
train_split = 'train{split}'
test_split = 'test{split}'

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=50,
        in_channels='{in_channels}',
        base_channels=16,
        num_stages=3,
        out_indices=(2,),
        stage_blocks=(2, 3, 2),
        conv1_stride_s=1,
        pool1_stride_s=1,
        inflate=(0, 1, 1),
        spatial_strides=(2, 2, 2),
        temporal_strides=(1, 1, 2)),
    cls_head=dict(
        type='I3DHead',
        in_channels=256,
        num_classes='{num_classes}',
        dropout_ratio=0.5,
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(-1, 40), pixel_center=True),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False, pixel_center=True),
    dict(type='Flip', flip_ratio=0.5, layout='{layout}', pixel_center=True),
    dict(
        type='GeneratePoseTarget',
        sigma=0.6,
        use_score=True,
        with_kp='{with_kp}',
        with_limb='{with_limb}',
        layout='{layout}',
        symmetric_window=True),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(36, 36), keep_ratio=False, pixel_center=True),
    dict(
        type='GeneratePoseTarget',
        sigma=0.6,
        use_score=True,
        with_kp='{with_kp}',
        with_limb='{with_limb}',
        layout='{layout}',
        symmetric_window=True),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(36, 36), keep_ratio=False, pixel_center=True),
    dict(
        type='GeneratePoseTarget',
        sigma=0.6,
        use_score=True,
        with_kp='{with_kp}',
        with_limb='{with_limb}',
        layout='{layout}',
        symmetric_window=True,
        double=True),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=train_pipeline,
        split='{train_split}'))

val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=val_pipeline,
        split='{test_split}',
        test_mode=True))

test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=test_pipeline,
        split='{test_split}',
        test_mode=True))

val_evaluator = [dict(type='AccMetric')]

test_evaluator = [dict(type='AccMetric')]

train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs='{num_epochs}',
    val_begin=1,
    val_interval=20)

val_cfg = dict(type='ValLoop')

test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        T_max='{num_epochs}',
        by_epoch=True,
        convert_to_iter_based=True)
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0003, nesterov=True),
    clip_grad=dict(max_norm=40, norm_type=2))

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=20, save_best='acc/top1', rule='greater'))

auto_scale_lr = dict(enable=False, base_batch_size=16)
