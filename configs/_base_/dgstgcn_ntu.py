# Family base: DG-STGCN (Duan et al., arXiv 2210.05895) on NTU RGB+D 2D (COCO-17), the ST-
# GCN++ NTU recipe (PYSKL / MMAction2: 16 epochs x 5 repeats, 100-frame clips, cosine lr)
# with the DG-STGCN backbone (PYSKL's architecture and parameter names). Children set the
# late-bound variables (feats, ann_file, num_classes; docs/configs.md).
_base_ = './stgcnpp_ntu.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='DGSTGCN', gcn_ratio=0.125, gcn_ctr='T', gcn_ada='T',
        tcn_ms_cfg=[(3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'],
        in_channels=3,
        graph_cfg=dict(layout='{layout}', mode='random', num_filter=8, init_off=.04, init_std=.02)),
    cls_head=dict(in_channels=256))
