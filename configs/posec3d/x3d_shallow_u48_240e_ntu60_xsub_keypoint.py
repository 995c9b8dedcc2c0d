# PoseC3D with the shallow X3D backbone (PYSKL x3d_shallow variant), keypoint heatmaps,
# NTU60 XSub.
_base_ = '../_base_/posec3d_slowonly_u48.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='X3D',
        gamma_d=1,
        in_channels='{in_channels}',
        base_channels=24,
        num_stages=3,
        se_ratio=None,
        use_swish=False,
        stage_blocks=(2, 5, 3),
        spatial_strides=(2, 2, 2)),
    cls_head=dict(in_channels=216))
