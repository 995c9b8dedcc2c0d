# Family base: DG-STGCN (Duan et al., arXiv 2210.05895) on JHMDB ground-truth 2D poses (15
# joints): the ST-GCN++ JHMDB recipe (stgcnpp_jhmdb.py: flip, scale/rotation, 15 x 5
# epochs, cosine lr) with this backbone at 32 base channels (CPU-sized, as the ST-GCN++
# one).
_base_ = './default_runtime.py'

repeat_times = 5
num_epochs = 15
split = 1
feats = ['j']
clip_len = 32
ann_file = 'data/jhmdb/jhmdb_gt.pkl.gz'
num_classes = 14
layout = 'jhmdb'
train_split = 'train{split}'
test_split = 'test{split}'

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='DGSTGCN',
        gcn_ratio=0.125,
        gcn_ctr='T',
        gcn_ada='T',
        tcn_ms_cfg=[(3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'],
        in_channels=3,
        base_channels=32,
        tcn_dropout=0.1,
        graph_cfg=dict(
            layout='{layout}',
            mode='random',
            num_filter=8,
            init_off=0.04,
            init_std=0.02)),
    cls_head=dict(
        type='GCNHead',
        num_classes='{num_classes}',
        in_channels=128,
        dropout=0.5,
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='Flip', flip_ratio=0.5, layout='{layout}'),
    dict(type='PreNormalize2D'),
    dict(type='RandomScale', scale=0.1),
    dict(type='RandomRot', theta=0.2),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', p_interval=(0.7, 1.0)),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
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
    val_interval=2)

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

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=2, save_best='acc/top1', rule='greater'))

auto_scale_lr = dict(enable=False, base_batch_size=16)
