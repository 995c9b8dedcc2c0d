# Family base: PoseC3D SlowOnly-R50 on Kinetics-400 as PYSKL and MMAction2 release it
# (Duan et al., CVPR 2022): a table of contents (frame_inds, box_score, valid per video)
# whose skeletons (HRNet, COCO-17, many persons) are in kpfiles, turned into per-person
# arrays by DecompressPose first in every pipeline. Stage blocks (3, 4, 6) as both
# toolboxes' K400 configs (PYSKL slowonly_r50_346_k400, MMAction2
# slowonly_r50_8xb32-u48-240e_k400-keypoint); 8 GPUs x 32 clips, lr 0.4, 24 epochs x
# RepeatDataset 10 = "240e". Default: MMAction2's form (data/skeleton/k400_2d.pkl + one
# kpfile per video in kpfile_dir); the *_346_* / *_463_* children read PYSKL's
# k400_hrnet.pkl, whose samples name their kpfile (raw_file; kpfile_dir = '').
# docs/data.md (Kinetics-400) says where the files go. {name}: docs/configs.md.
_base_ = './default_runtime.py'

repeat_times = 10
num_epochs = 24
ann_file = 'data/skeleton/k400_2d.pkl'
kpfile_dir = 'data/skeleton/kpfiles'
num_classes = 400
train_split = 'train'
test_split = 'val'
box_thr = 0.5
valid_ratio = 0.0
max_person = 10
with_kp = True
with_limb = False
stage_blocks = (3, 4, 6)
left_kp = [1, 3, 5, 7, 9, 11, 13, 15]
right_kp = [2, 4, 6, 8, 10, 12, 14, 16]
limbs = None      # limb channels: None = the coco layout's (MMAction2's order)

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=50,
        in_channels=17,
        base_channels=32,
        num_stages=3,
        out_indices=(2,),
        stage_blocks='{stage_blocks}',
        conv1_stride_s=1,
        pool1_stride_s=1,
        inflate=(0, 1, 1),
        spatial_strides=(2, 2, 2),
        temporal_strides=(1, 1, 2),
        dilations=(1, 1, 1)),
    cls_head=dict(
        type='I3DHead',
        in_channels=512,
        num_classes='{num_classes}',
        dropout_ratio=0.5),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='DecompressPose', squeeze=True, max_person='{max_person}'),
    dict(type='UniformSampleFrames', clip_len=48),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='GeneratePoseTarget', with_kp='{with_kp}', with_limb='{with_limb}',
         skeletons='{limbs}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='DecompressPose', squeeze=True, max_person='{max_person}'),
    dict(type='UniformSampleFrames', clip_len=48, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='GeneratePoseTarget', with_kp='{with_kp}', with_limb='{with_limb}',
         skeletons='{limbs}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='DecompressPose', squeeze=True, max_person='{max_person}'),
    dict(type='UniformSampleFrames', clip_len=48, num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='GeneratePoseTarget', with_kp='{with_kp}', with_limb='{with_limb}', skeletons='{limbs}',
         double=True,
         left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times='{repeat_times}',
        dataset=dict(
            type='PoseDataset',
            ann_file='{ann_file}',
            split='{train_split}',
            pipeline=train_pipeline,
            box_thr='{box_thr}',
            valid_ratio='{valid_ratio}',
            data_prefix=dict(skeleton='{kpfile_dir}'))))

val_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        split='{test_split}',
        pipeline=val_pipeline,
        box_thr='{box_thr}',
        data_prefix=dict(skeleton='{kpfile_dir}'),
        test_mode=True))

test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        split='{test_split}',
        pipeline=test_pipeline,
        box_thr='{box_thr}',
        data_prefix=dict(skeleton='{kpfile_dir}'),
        test_mode=True))

val_evaluator = [dict(type='AccMetric')]
test_evaluator = [dict(type='AccMetric')]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs='{num_epochs}', val_begin=1,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max='{num_epochs}', by_epoch=True,
         convert_to_iter_based=True)
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=40, norm_type=2))

default_hooks = dict(checkpoint=dict(save_best='acc/top1', rule='greater', max_keep_ckpts=3))

auto_scale_lr = dict(enable=False, base_batch_size=256)
