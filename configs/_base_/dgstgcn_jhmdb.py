# Family base: DG-STGCN (Duan et al., arXiv 2210.05895) on JHMDB ground-truth 2D poses (15
# joints): the ST-GCN++ JHMDB recipe (stgcnpp_jhmdb.py: flip, scale/rotation, 15 x 5
# epochs, cosine lr) with this backbone at 32 base channels (CPU-sized, as the ST-GCN++
# one).
_base_ = './stgcnpp_jhmdb.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='DGSTGCN', gcn_ratio=0.125, gcn_ctr='T', gcn_ada='T',
        tcn_ms_cfg=[(3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1'],
        in_channels=3,
        base_channels=32,
        tcn_dropout=0.1,
        graph_cfg=dict(layout='{layout}', mode='random', num_filter=8, init_off=.04, init_std=.02)),
    cls_head=dict(in_channels=128))
