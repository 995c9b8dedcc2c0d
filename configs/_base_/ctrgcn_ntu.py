# Family base: CTR-GCN (Chen et al., ICCV 2021) on NTU RGB+D 2D (COCO-17), the ST-GCN++
# NTU recipe (PYSKL / MMAction2: 16 epochs x 5 repeats, 100-frame clips, cosine lr) with
# the CTR-GCN backbone (PYSKL's architecture and parameter names). Children set the late-
# bound variables (feats, ann_file, num_classes; docs/configs.md).
_base_ = './stgcnpp_ntu.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='CTRGCN',
        in_channels=3,
        graph_cfg=dict(layout='{layout}', mode='spatial')),
    cls_head=dict(in_channels=256))
