# Family base: MS-G3D (Liu et al., CVPR 2020) on JHMDB ground-truth 2D poses (15 joints):
# the ST-GCN++ JHMDB recipe (stgcnpp_jhmdb.py: flip, scale/rotation, 15 x 5 epochs, cosine
# lr) with this backbone at 32 base channels (CPU-sized, as the ST-GCN++ one).
_base_ = './stgcnpp_jhmdb.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='MSG3D',
        in_channels=3,
        base_channels=32,
        num_person=1,  # one actor: the input BN is over M*V*C
        tcn_dropout=0.1,
        graph_cfg=dict(layout='{layout}', mode='binary_adj')),
    cls_head=dict(in_channels=128))
