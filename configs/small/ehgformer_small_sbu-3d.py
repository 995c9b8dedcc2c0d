# EHGFormer (configs/ehgformer/) as a member of the small-dataset recipe on SBU Kinect
# Interaction: the recipe's 3D data, augmentation and 15-epoch schedule, SBU's lines of
# stgcnpp_small_sbu-3d.py (written out: a config reads in two files), the transformer's own
# AdamW and head as in configs/_base_/ehgformer_jhmdb.py. Fused with the ST-GCN++ streams by
# tools/analysis/kfold_select.py --member (docs/small_datasets.md).
_base_ = '../_base_/small_skeleton_3d.py'

ann_file = 'data/sbu/sbu.pkl'
layout = 'sbu_x2'   # two SBU skeletons, torso linked to torso
merge_persons = 2
num_classes = 8
fold = 1
train_split = 'fold{fold}_train'
test_split = 'fold{fold}_val'
zaxis = [2, 1]      # torso -> neck (the first person's)
xaxis = [6, 3]      # right -> left shoulder
center = 2          # torso
joint_labels = 'sbu_x2_manual1'   # head-trunk / arms / legs of each person
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
        num_joints=30,
        dropout=0.5,
        loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
    test_cfg=dict(average_clips='prob'))

param_scheduler = [dict(type='ExponentialLR', gamma=0.95, by_epoch=True)]

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr='{lr}', weight_decay=0.01))
