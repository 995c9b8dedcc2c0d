# Shared recipe of the family bases: PoseDataset dataloaders (train wrapped in
# RepeatDataset), top-1/top-5/mean-class evaluation, an epoch loop and a cosine schedule.
# A family base sets the late-bound variables used here ({name}: docs/configs.md):
# ann_file, train_split / test_split, train_pipeline / val_pipeline / test_pipeline,
# repeat_times, num_epochs.
_base_ = './default_runtime.py'

repeat_times = 1
num_epochs = 16

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times='{repeat_times}',
        dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline='{train_pipeline}',
                     split='{train_split}')))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline='{val_pipeline}',
                 split='{test_split}', test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file='{ann_file}', pipeline='{test_pipeline}',
                 split='{test_split}', test_mode=True))

val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs='{num_epochs}', val_begin=1,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max='{num_epochs}', by_epoch=True,
         convert_to_iter_based=True)
]
