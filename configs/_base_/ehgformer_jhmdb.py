# Family base: EHGFormer on JHMDB ground-truth 2D poses (15 joints), sized for a CPU:
# dim 64, depth 4, 8 heads, 32-frame clips; the ST-GCN++ JHMDB data recipe
# (stgcnpp_jhmdb.py: flip, scale / rotation, 15 x 5 epochs) with AdamW and the seed's
# per-epoch exponential decay.
_base_ = './stgcnpp_jhmdb.py'

joint_labels = 'jhmdb_manual1'
hyper_relation_bias = 'uniform'
lr_backbone = 1e-3
head_lr_mult = 1.0      # fine-tuning: 10

model = dict(
    backbone=dict(
        _delete_=True,
        type='EHGFormer',
        graph_cfg=dict(layout='{layout}'),
        joint_labels='{joint_labels}',
        hyper_relation_bias='{hyper_relation_bias}',
        in_channels=3,
        dim=64,
        depth=4,
        num_heads=8,
        mlp_ratio=2,
        maxlen='{clip_len}',
        drop_path_rate=0.1),
    cls_head=dict(_delete_=True, type='ActionHeadClassification', num_classes=14,
                  in_channels=64, num_joints=15, dropout=0.5,
                  loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)))

optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr='{lr_backbone}', weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'cls_head': dict(lr_mult='{head_lr_mult}')}))
param_scheduler = [dict(type='ExponentialLR', gamma=0.95, by_epoch=True)]
