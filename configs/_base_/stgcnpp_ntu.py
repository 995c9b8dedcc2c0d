# Family base: ST-GCN++ on NTU RGB+D (PYSKL / MMAction2 recipe), 8 GPUs x 16 clips.
# Default: NTU60 XSub, 2D HRNet COCO-17 poses, joint stream. Children change the
# late-bound variables below ({name} strings are filled in by pyskl's config
# loader after inheritance and --cfg-options; docs/configs.md).
# Data: PYSKL / MMAction2 annotation pickles (docs/data.md).
_base_ = './skeleton_recipe.py'

feats = ['j']                          # stream: j, b, jm or bm
layout = 'coco'                        # 'coco' (2D) or 'nturgb+d' (3D)
prenorm = dict(type='PreNormalize2D')  # PreNormalize3D for 3D skeletons
ann_file = 'data/skeleton/ntu60_2d.pkl'
num_classes = 60
train_split = 'xsub_train'
test_split = 'xsub_val'
clip_len = 100
repeat_times = 5
num_epochs = 16

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        gcn_adaptive='init',
        gcn_with_res=True,
        tcn_type='mstcn',
        graph_cfg=dict(layout='{layout}', mode='spatial')),
    cls_head=dict(type='GCNHead', num_classes='{num_classes}', in_channels=256),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    '{prenorm}',
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    '{prenorm}',
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = [
    '{prenorm}',
    dict(type='GenSkeFeat', dataset='{layout}', feats='{feats}'),
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0005, nesterov=True))

default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=100))
auto_scale_lr = dict(enable=False, base_batch_size=128)
