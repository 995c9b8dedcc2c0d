# PoseC3D SlowOnly-R50, limb heatmaps, NTU60 XSub, heatmaps drawn on the model's device:
# the pipelines end with the keypoints (FormatGCNInput: x, y, score in pixels of the
# final img_shape) and Recognizer3D's `heatmap` (the test pipeline's GeneratePoseTarget
# arguments) draws the volumes on the GPU, `max_testing_views` test views at a time
# (flip doubling at test time only). Same model and checkpoints as the CPU-drawn config.
_base_ = '../_base_/posec3d_slowonly_u48.py'

with_kp = False
with_limb = True

model = dict(
    heatmap=dict(sigma=0.6, use_score=True, with_kp='{with_kp}', with_limb='{with_limb}',
                 double=True, left_kp='{left_kp}', right_kp='{right_kp}'),
    test_cfg=dict(max_testing_views=2))

train_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}'),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(-1, '{resize_to}')),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=('{crop_to}', '{crop_to}'), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, left_kp='{left_kp}', right_kp='{right_kp}'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='UniformSampleFrames', clip_len='{clip_len}', num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=('{resize_to}', '{resize_to}'), keep_ratio=False),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
