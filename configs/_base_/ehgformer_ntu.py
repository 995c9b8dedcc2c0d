# Family base: EHGFormer (hypergraph-injected skeleton transformer) on NTU RGB+D
# 2D (HRNet COCO-17) poses, trained from scratch as the reference's configs: AdamW (lr 8e-5 for
# backbone and head, weight decay 0.01), lr x 0.99 per epoch, 300 epochs, batch 8 per GPU,
# 243-frame clips, dim 128, depth 6, 8 heads, MotionBERT's classification head.
# Children set the late-bound variables (docs/configs.md): feats, ann_file, num_classes,
# train_split / test_split, joint_labels (a file of pyskl/skeleton/hyper_labels/).
_base_ = './default_runtime.py'

repeat_times = 1
num_epochs = 300
feats = ['j']
layout = 'coco'
ann_file = 'data/skeleton/ntu60_2d.pkl'
num_classes = 60
train_split = 'xsub_train'
test_split = 'xsub_val'
clip_len = 243
joint_labels = 'coco_manual1'
hyper_relation_bias = 'uniform'
lr_backbone = 8e-05
head_lr_mult = 1.0

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='EHGFormer',
        graph_cfg=dict(layout='{layout}'),
        joint_labels='{joint_labels}',
        hyper_relation_bias='{hyper_relation_bias}',
        in_channels=3,
        dim=128,
        depth=6,
        num_heads=8,
        mlp_ratio=2,
        maxlen='{clip_len}',
        drop_path_rate=0.1),
    cls_head=dict(
        type='ActionHeadClassification',
        num_classes='{num_classes}',
        in_channels=128,
        num_joints=17,
        dropout=0.5),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='RandomScale', scale=0.1),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
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

param_scheduler = [dict(type='ExponentialLR', gamma=0.99, by_epoch=True)]

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr='{lr_backbone}', weight_decay=0.01),
    paramwise_cfg=dict(custom_keys=dict(cls_head=dict(lr_mult='{head_lr_mult}'))))

default_hooks = dict(checkpoint=dict(interval=5))

auto_scale_lr = dict(enable=False, base_batch_size=64)
