# ST-GCN++ on your own videos: COCO-17 skeletons from
#   python tools/data/custom_2d_skeleton.py --video-list LIST --out data/custom/ann.pkl
# (a list of samples, no splits: the whole file is trained on; point val_ann_file at
# a second file made from your held-out videos). Set num_classes to your labels.
_base_ = '../_base_/stgcnpp_ntu.py'

num_classes = 3
ann_file = 'data/custom/ann.pkl'
val_ann_file = 'data/custom/ann.pkl'
num_epochs = 30

train_pipeline = [
    dict(type='Flip', flip_ratio=0.5, layout='{layout}'),
    dict(type='{prenorm}'),
    dict(type='GenSkeFeat', layout='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PoseDataset',
        ann_file='{ann_file}',
        pipeline=train_pipeline))

val_dataloader = dict(dataset=dict(ann_file='{val_ann_file}', split=None))

test_dataloader = dict(dataset=dict(ann_file='{val_ann_file}', split=None))

train_cfg = dict(val_interval=5)

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5))

auto_scale_lr = dict(base_batch_size=16)
