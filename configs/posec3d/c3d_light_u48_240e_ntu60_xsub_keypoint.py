# PoseC3D with the light C3D backbone (PYSKL c3d_light variant), keypoint heatmaps,
# NTU60 XSub.
_base_ = '../_base_/posec3d_slowonly_u48.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='C3D',
        in_channels='{in_channels}',
        base_channels=32,
        num_stages=3,
        temporal_downsample=False),
    cls_head=dict(in_channels=256))
