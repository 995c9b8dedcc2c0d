# Family base: RGBPoseConv3D on NTU60 XSub: RGB frames (8 per clip, 224x224
# for training) of the videos in data/nturgbd_videos/ (960x540 .mp4, see docs/data.md) and
# 32-frame COCO-17 keypoint heatmaps at a quarter of the RGB size, in one two-pathway
# network with lateral connections both ways. 8 GPUs x 6 clips, 20 epochs, fine-tuned from
# the merged rgb_only + pose_only checkpoints (load_from; tools/data/merge_pretrain.py).
_base_ = './default_runtime.py'

repeat_times = 1
num_epochs = 20
ann_file = 'data/skeleton/ntu60_2d.pkl'
video_dir = 'data/nturgbd_videos'
num_classes = 60
train_split = 'xsub_train'
test_split = 'xsub_val'
left_kp = [1, 3, 5, 7, 9, 11, 13, 15]
right_kp = [2, 4, 6, 8, 10, 12, 14, 16]
resize_to = 256
crop_to = 224

model = dict(
    type='MMRecognizer3D',
    backbone=dict(
        type='RGBPoseConv3D',
        speed_ratio=4,
        channel_ratio=4,
        rgb_pathway=dict(
            num_stages=4,
            lateral=True,
            lateral_infl=1,
            lateral_activate=[0, 0, 1, 1],
            fusion_kernel=7,
            base_channels=64,
            conv1_kernel=(1, 7, 7),
            inflate=(0, 0, 1, 1),
            with_pool2=False),
        pose_pathway=dict(
            num_stages=3,
            stage_blocks=(4, 6, 3),
            lateral=True,
            lateral_inv=True,
            lateral_infl=16,
            lateral_activate=(0, 1, 1),
            fusion_kernel=7,
            in_channels=17,
            base_channels=32,
            out_indices=(2,),
            conv1_kernel=(1, 7, 7),
            conv1_stride_s=1,
            conv1_stride_t=1,
            pool1_stride_s=1,
            pool1_stride_t=1,
            inflate=(0, 1, 1),
            spatial_strides=(2, 2, 2),
            temporal_strides=(1, 1, 1),
            dilations=(1, 1, 1),
            with_pool2=False)),
    cls_head=dict(
        type='RGBPoseHead',
        num_classes='{num_classes}',
        in_channels=[2048, 512],
        loss_components=['rgb', 'pose'],
        loss_weights=[1.0, 1.0],
        average_clips='prob'),
    data_preprocessor=dict(
        type='MultiModalDataPreprocessor',
        preprocessors=dict(
            imgs=dict(
                type='ActionDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                format_shape='NCTHW'),
            heatmap_imgs=dict(type='ActionDataPreprocessor'))))

train_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=1),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(
        type='GeneratePoseTarget',
        sigma=0.7,
        use_score=True,
        with_kp=True,
        with_limb=False,
        scaling=0.25),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'heatmap_imgs'))
]

val_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(
        type='GeneratePoseTarget',
        sigma=0.7,
        use_score=True,
        with_kp=True,
        with_limb=False,
        scaling=0.25),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'heatmap_imgs'))
]

test_pipeline = [
    dict(type='MMUniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='MMDecode'),
    dict(type='MMCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(
        type='GeneratePoseTarget',
        sigma=0.7,
        use_score=True,
        with_kp=True,
        with_limb=False,
        scaling=0.25),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', collect_keys=('imgs', 'heatmap_imgs'))
]

train_dataloader = dict(
    batch_size=6,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times='{repeat_times}',
        dataset=dict(
            type='PoseDataset',
            ann_file='{ann_file}',
            pipeline=train_pipeline,
            split='{train_split}',
            data_prefix=dict(video='{video_dir}'))))

val_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=val_pipeline,
        split='{test_split}',
        test_mode=True,
        data_prefix=dict(video='{video_dir}')))

test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=test_pipeline,
        split='{test_split}',
        test_mode=True,
        data_prefix=dict(video='{video_dir}')))

val_evaluator = [dict(type='AccMetric')]

test_evaluator = [dict(type='AccMetric')]

train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs='{num_epochs}',
    val_begin=1,
    val_interval=1)

val_cfg = dict(type='ValLoop')

test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end='{num_epochs}',
        by_epoch=True,
        milestones=[12, 16],
        gamma=0.1)
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.0075, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=40, norm_type=2))

default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater'))

auto_scale_lr = dict(enable=False, base_batch_size=48)

clip_len = dict(RGB=8, Pose=32)
