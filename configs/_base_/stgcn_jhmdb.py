# Family base: ST-GCN (Yan et al., AAAI 2018) on JHMDB 2D poses: the ST-GCN++
# JHMDB recipe with the original backbone (spatial-configuration partitioning,
# edge importance, 9x1 temporal convolutions).
_base_ = './stgcnpp_jhmdb.py'

model = dict(backbone=dict(_delete_=True, type='STGCN', in_channels=3, base_channels=32,
                           num_stages=10, inflate_stages=[5, 8], down_stages=[5, 8],
                           tcn_dropout=0.1,
                           graph_cfg=dict(layout='{layout}', mode='stgcn_spatial')))
