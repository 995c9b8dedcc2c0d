# RGBPoseConv3D (Duan et al., CVPR 2022; MMAction2's recipe), step 1: the pose-only PoseC3D stream of RGBPoseConv3D (NTU60 XSub): SlowOnly
# on 32-frame keypoint heatmaps without temporal striding, so its features line up with
# the pose pathway; its checkpoint initialises that pathway (tools/data/merge_pretrain.py).
_base_ = '../_base_/posec3d_slowonly_u48.py'

clip_len = 32
num_epochs = 18

model = dict(backbone=dict(temporal_strides=(1, 1, 1)))
