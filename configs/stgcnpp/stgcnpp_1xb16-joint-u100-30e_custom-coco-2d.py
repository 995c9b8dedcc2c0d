# ST-GCN++ on your own videos: COCO-17 skeletons from
#   python tools/data/custom_2d_skeleton.py --video-list LIST --out data/custom/ann.pkl
# (a list of samples, no splits: the whole file is trained on; point val/test at
# a second file made from your held-out videos). Set num_classes to your labels.
_base_ = '../_base_/default_runtime.py'

num_classes = 3
train_ann = 'data/custom/ann.pkl'
val_ann = 'data/custom/ann.pkl'
layout = 'coco'
clip_len = 100
num_epochs = 30

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        gcn_adaptive='init',
        gcn_with_res=True,
        tcn_type='mstcn',
        graph_cfg=dict(layout=layout, mode='spatial')),
    cls_head=dict(type='GCNHead', num_classes=num_classes, in_channels=256),
    test_cfg=dict(average_clips='prob'))


def _pipeline(num_clips, test_mode, augment=False):
    return ([dict(type='Flip', flip_ratio=0.5, layout=layout)] if augment else []) + [
        dict(type='PreNormalize2D'),
        dict(type='GenSkeFeat', dataset=layout, feats=['j']),
        dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=num_clips,
             test_mode=test_mode),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=2),
        dict(type='PackActionInputs')]


train_pipeline = _pipeline(1, False, augment=True)
val_pipeline = _pipeline(1, True)
test_pipeline = _pipeline(10, True)

train_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='PoseDataset', ann_file=train_ann, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file=val_ann, pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file=val_ann, pipeline=test_pipeline, test_mode=True))
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=num_epochs, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0, T_max=num_epochs, by_epoch=True,
                        convert_to_iter_based=True)]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0005, nesterov=True))
default_hooks = dict(checkpoint=dict(interval=5), logger=dict(interval=10))
auto_scale_lr = dict(enable=False, base_batch_size=16)
