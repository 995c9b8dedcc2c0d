# EHGFormer (hypergraph skeleton transformer, configs/ehgformer/) as a member of the
# small-dataset recipe on JHMDB: the recipe's data, augmentation, clips and 15-epoch
# schedule (small_skeleton_2d.py), the transformer's own optimiser (AdamW 1e-3, decay 0.95
# an epoch) and head (dropout 0.5), as in configs/_base_/ehgformer_jhmdb.py. Fused with the
# ST-GCN++ streams by tools/analysis/kfold_select.py --member (docs/small_datasets.md).
_base_ = '../_base_/small_skeleton_2d.py'

ann_file = 'data/jhmdb/jhmdb_gt.pkl.gz'
layout = 'jhmdb'
num_classes = 14
split = 1
train_split = 'train{split}'
test_split = 'test{split}'
joint_labels = 'jhmdb_manual1'   # hyperedges of the 15 JHMDB joints
lr = 0.001

model = dict(
    _delete_=True,
    type='RecognizerGCN',
    backbone=dict(
        type='EHGFormer',
        graph_cfg=dict(layout='{layout}'),
        joint_labels='{joint_labels}',
        hyper_relation_bias='uniform',
        in_channels=3,
        dim=64,
        depth=4,
        num_heads=8,
        mlp_ratio=2,
        maxlen='{clip_len}',
        drop_path_rate=0.1),
    cls_head=dict(
        type='ActionHeadClassification',
        num_classes='{num_classes}',
        in_channels=64,
        num_joints=15,
        dropout=0.5,
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

param_scheduler = [dict(type='ExponentialLR', gamma=0.95, by_epoch=True)]

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr='{lr}', weight_decay=0.01))
