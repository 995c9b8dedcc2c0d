# RGBPoseConv3D (Duan et al., CVPR 2022; MMAction2's recipe), step 3: RGBPoseConv3D fine-tuned from the merged rgb_only + pose_only
# checkpoints:
#   python tools/data/merge_pretrain.py RGB_CKPT POSE_CKPT work_dirs/rgbpose_conv3d_init.pth
#   bash tools/dist_train.sh configs/rgbpose_conv3d/rgbpose_conv3d.py 8 \
#       --cfg-options load_from=work_dirs/rgbpose_conv3d_init.pth
_base_ = '../_base_/rgbpose_ntu60.py'


