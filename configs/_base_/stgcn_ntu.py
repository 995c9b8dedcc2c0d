# Family base: ST-GCN (Yan et al., AAAI 2018) on NTU RGB+D 2D, the ST-GCN++ recipe
# with the original backbone: spatial-configuration partitioning, learnt edge
# importance, 9x1 temporal convolutions.
_base_ = './stgcnpp_ntu.py'

model = dict(backbone=dict(_delete_=True, type='STGCN', in_channels=3,
                           graph_cfg=dict(layout='{layout}', mode='stgcn_spatial')))
