# Family base: PoseC3D, SlowOnly-R50 on 48-frame heatmap volumes of 2D COCO-17 poses
# (seed 000 / PYSKL / MMAction2 recipe), 8 GPUs x 16 clips; scale lr linearly with the
# total batch size. Default: NTU60 XSub, keypoint heatmaps; RepeatDataset x10 x 24
# epochs = the "240e" of the names. Children change the late-bound variables below
# ({name} strings are filled in by pyskl's config loader after inheritance and
# --cfg-options; docs/configs.md).
# heatmap_on_device = True (here, in a child or --cfg-options) draws the heatmaps on the
# model's device in the data preprocessor, one chunk of test views at a time; the CPU
# pipeline then ships keypoints only (pyskl/engine/config.py, heatmap_on_device).
_base_ = './skeleton_recipe.py'

ann_file = 'data/skeleton/ntu60_2d.pkl'
num_classes = 60
train_split = 'xsub_train'
test_split = 'xsub_val'
with_kp, with_limb = True, False       # keypoint (17 channels) or limb (17 COCO limbs)
in_channels = 17
left_kp = [1, 3, 5, 7, 9, 11, 13, 15]
right_kp = [2, 4, 6, 8, 10, 12, 14, 16]
num_person = 2                         # keypoints shipped with heatmap_on_device
clip_len = 48
resize_to, crop_to = 64, 56               # test / train heatmap sizes
num_epochs = 24
repeat_times = 10
heatmap_on_device = False

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=50,
        in_channels='{in_channels}',
        base_channels=32,
        num_stages=3,
        out_indices=(2,),
        stage_blocks=(4, 6, 3),
        conv1_stride_s=1,
        pool1_stride_s=1,
        inflate=(0, 1, 1),
        spatial_strides=(2, 2, 2),
        temporal_strides=(1, 1, 2),
        dilations=(1, 1, 1)),
    cls_head=dict(type='I3DHead', in_channels=512, num_classes='{num_classes}',
                  dropout_ratio=0.5),
    test_cfg=dict(average_clips='prob'))

train_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='Resize', scale=(-1, '{resize_to}')),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp='{with_kp}',
         with_limb='{with_limb}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp='{with_kp}',
         with_limb='{with_limb}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp='{with_kp}',
         with_limb='{with_limb}', double=True, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(num_workers=4)
val_dataloader = dict(num_workers=4)
test_dataloader = dict(num_workers=4)

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=0.0003),
    clip_grad=dict(max_norm=40, norm_type=2))

default_hooks = dict(checkpoint=dict(interval=1, save_best='acc/top1', rule='greater'))
auto_scale_lr = dict(enable=False, base_batch_size=128)
