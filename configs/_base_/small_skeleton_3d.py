# Family base: the small-dataset recipe for 3D skeletons (10^2-10^4 clips, one or two
# persons), ST-GCN++ (Duan et al., PYSKL, ACM MM 2022) sized for few clips: base_channels
# 32, no dropout before the classifier (chosen on training folds of UTD-MHAD and JHMDB:
# docs/results.md), label smoothing 0.1, random rotation (+-0.3 rad about each axis) and
# scale (+-10 %), no mirroring unless a child sets flip (Flip3D), random temporal crop
# (p_interval 0.7-1), cosine lr, 15 epochs of 5 passes over the training clips, or more
# passes where that gives fewer than 2000 samples an epoch
# (MinLengthRepeatDataset: a 50-clip dataset gets as many steps as a 400-clip one).
# Validation runs on val_split, by default the training split itself (monitoring only):
# nothing here looks at the test split before the final test. Epoch, streams and fusion
# weights are chosen on folds carved from the training split by
# tools/analysis/kfold_select.py (docs/small_datasets.md). A child names data, layout and
# classes (and the joints PreNormalize3D aligns: zaxis, xaxis, center).
_base_ = './default_runtime.py'

ann_file = 'data/my_dataset.pkl'
layout = 'nturgb+d'
num_classes = 60
num_person = 1
merge_persons = None   # P: P persons as one graph (layout '<name>_xP', num_person 1)
train_split = 'train'
val_split = '{train_split}'
test_split = 'test'
feats = ['j']
zaxis = [0, 1]
xaxis = [8, 4]
center = None
clip_len = 32
short_clip = 'loop'   # clips shorter than clip_len: 'loop' (PYSKL) or 'stretch'
flip = 0.0            # Flip3D probability; 0.5 where a mirrored action keeps its label
repeat_times = 5
min_epoch_samples = 2000
num_epochs = 15
lr = 0.1
batch_size = 16

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        base_channels=32,
        num_stages=10,
        inflate_stages=[5, 8],
        down_stages=[5, 8],
        gcn_adaptive='init',
        gcn_with_res=True,
        tcn_type='mstcn',
        tcn_dropout=0.1,
        graph_cfg=dict(layout='{layout}', mode='spatial')),
    cls_head=dict(
        type='GCNHead',
        num_classes='{num_classes}',
        in_channels=128,
        dropout=0.0,
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='PreNormalize3D', zaxis='{zaxis}', xaxis='{xaxis}', center='{center}'),
    dict(type='RandomRot', theta=0.3),
    dict(type='RandomScale', scale=0.1),
    dict(type='MergePersons', num_person='{merge_persons}'),
    dict(type='Flip3D', flip_ratio='{flip}', layout='{layout}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', short_clip='{short_clip}',
         p_interval=(0.7, 1.0)),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person='{num_person}'),
    dict(type='PackActionInputs')
]

val_pipeline = [
    dict(type='PreNormalize3D', zaxis='{zaxis}', xaxis='{xaxis}', center='{center}'),
    dict(type='MergePersons', num_person='{merge_persons}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', short_clip='{short_clip}',
         num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person='{num_person}'),
    dict(type='PackActionInputs')
]

test_pipeline = [
    dict(type='PreNormalize3D', zaxis='{zaxis}', xaxis='{xaxis}', center='{center}'),
    dict(type='MergePersons', num_person='{merge_persons}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', short_clip='{short_clip}',
         num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person='{num_person}'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size='{batch_size}',
    num_workers=0,
    persistent_workers=False,
    # the batch stacked where it is made (one tensor from each worker instead of one per
    # sample; data time 4-5 instead of 5-8 % of a step with 2 workers: docs/results.md)
    collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MinLengthRepeatDataset',
        times='{repeat_times}',
        min_length='{min_epoch_samples}',
        dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline=train_pipeline,
                     split='{train_split}')))

val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline=val_pipeline,
                 split='{val_split}', test_mode=True))

test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline=test_pipeline,
                 split='{test_split}', test_mode=True))

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
    optimizer=dict(type='SGD', lr='{lr}', momentum=0.9, weight_decay=0.0005, nesterov=True))

default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=1, max_keep_ckpts=-1))

auto_scale_lr = dict(enable=False, base_batch_size=16)
