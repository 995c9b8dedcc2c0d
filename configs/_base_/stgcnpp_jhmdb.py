# Family base: ST-GCN++ on JHMDB ground-truth 2D poses (15 joints), joint stream.
# Data: python tools/data/jhmdb_ddnet.py  (writes data/jhmdb/jhmdb_gt.pkl)
# Recipe for 433 training clips on a CPU (docs/results.md): base_channels 32,
# horizontal Flip with left/right swap (+10 points), RandomScale/RandomRot,
# p_interval, dropout 0.5, label smoothing, 15 epochs x 5 repeats, cosine lr.
# Another JHMDB split: --cfg-options split=2 (late-bound variables, docs/configs.md).
_base_ = './skeleton_recipe.py'

split = 1          # JHMDB split: 1, 2 or 3
feats = ['j']      # stream: j, b, jm or bm
clip_len = 32
ann_file = 'data/jhmdb/jhmdb_gt.pkl'
layout = 'jhmdb'
num_epochs = 15
repeat_times = 5
train_split = 'train{split}'
test_split = 'test{split}'

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
    cls_head=dict(type='GCNHead', num_classes=14, in_channels=128, dropout=0.5,
                  loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='Flip', flip_ratio=0.5, layout='{layout}'),
    dict(type='PreNormalize2D'),
    dict(type='RandomScale', scale=0.1),
    dict(type='RandomRot', theta=0.2),
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', p_interval=(0.7, 1.0)),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]

train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
train_cfg = dict(val_interval=2)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0005, nesterov=True))

default_hooks = dict(checkpoint=dict(interval=2, save_best='acc/top1', rule='greater'),
                     logger=dict(interval=50))
auto_scale_lr = dict(enable=False, base_batch_size=16)
