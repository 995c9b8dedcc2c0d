# Family base: EHGFormer on JHMDB ground-truth 2D poses (15 joints), sized for a CPU:
# dim 64, depth 4, 8 heads, 32-frame clips; the ST-GCN++ JHMDB data recipe
# (stgcnpp_jhmdb.py: flip, scale / rotation, 15 x 5 epochs) with AdamW and the reference's
# per-epoch exponential decay.
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
joint_labels = 'jhmdb_manual1'
hyper_relation_bias = 'uniform'
lr_backbone = 0.001
head_lr_mult = 1.0

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='EHGFormer',
        graph_cfg=dict(layout='{layout}'),
        joint_labels='{joint_labels}',
        hyper_relation_bias='{hyper_relation_bias}',
        in_channels=3,
        dim=64,
        depth=4,
        num_heads=8,
        mlp_ratio=2,
        maxlen='{clip_len}',
        drop_path_rate=0.1),
    cls_head=dict(
        type='ActionHeadClassification',
        num_classes='{num_classes}',
        in_channels=64,
        num_joints=15,
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

param_scheduler = [dict(type='ExponentialLR', gamma=0.95, by_epoch=True)]

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr='{lr_backbone}', weight_decay=0.01),
    paramwise_cfg=dict(custom_keys=dict(cls_head=dict(lr_mult='{head_lr_mult}'))))

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=2, save_best='acc/top1', rule='greater'))

auto_scale_lr = dict(enable=False, base_batch_size=16)
