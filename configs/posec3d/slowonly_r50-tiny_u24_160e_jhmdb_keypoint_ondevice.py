# PoseC3D (SlowOnly-tiny) on JHMDB, keypoint heatmaps drawn on the model's device: the
# pipelines end with the keypoints (FormatGCNInput) and Recognizer3D's `heatmap` (the test
# pipeline's GeneratePoseTarget arguments) draws the volumes, `max_testing_views` test
# views at a time (flip doubling at test time only). Same model as the CPU-drawn config.
_base_ = '../_base_/posec3d_jhmdb.py'

model = dict(
    heatmap=dict(sigma=0.6, use_score=True, with_kp='{with_kp}', with_limb='{with_limb}',
                 layout='{layout}', symmetric_window=True, double=True),
    test_cfg=dict(max_testing_views=2))

train_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(-1, 40), pixel_center=True),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False, pixel_center=True),
    dict(type='Flip', flip_ratio=0.5, layout='{layout}', pixel_center=True),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(36, 36), keep_ratio=False, pixel_center=True),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(36, 36), keep_ratio=False, pixel_center=True),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
