# Family base: MS-G3D (Liu et al., CVPR 2020) on NTU RGB+D 2D (COCO-17), the ST-GCN++ NTU
# recipe (PYSKL / MMAction2: 16 epochs x 5 repeats, 100-frame clips, cosine lr) with the
# MS-G3D backbone (PYSKL's architecture and parameter names). Children set the late-bound
# variables (feats, ann_file, num_classes; docs/configs.md).
_base_ = './stgcnpp_ntu.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='MSG3D',
        in_channels=3,
        graph_cfg=dict(layout='{layout}', mode='binary_adj')),
    cls_head=dict(in_channels=384))
