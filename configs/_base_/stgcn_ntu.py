# Family base: ST-GCN (Yan et al., AAAI 2018) on NTU RGB+D 2D, the ST-GCN++ recipe
# with the original backbone: spatial-configuration partitioning, learnt edge
# importance, 9x1 temporal convolutions.
_base_ = './default_runtime.py'

repeat_times = 5
num_epochs = 16
feats = ['j']
layout = 'coco'
prenorm = 'PreNormalize2D'
ann_file = 'data/skeleton/ntu60_2d.pkl'
num_classes = 60
train_split = 'xsub_train'
test_split = 'xsub_val'
clip_len = 100

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        graph_cfg=dict(layout='{layout}', mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes='{num_classes}', in_channels=256),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='{prenorm}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='{prenorm}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='{prenorm}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times='{repeat_times}',
        dataset=dict(
            type='PoseDataset',
            ann_file='{ann_file}',
            pipeline=train_pipeline,
            split='{train_split}')))

val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=val_pipeline,
        split='{test_split}',
        test_mode=True))

test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
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
    val_interval=1)

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
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0005, nesterov=True))

auto_scale_lr = dict(enable=False, base_batch_size=128)
