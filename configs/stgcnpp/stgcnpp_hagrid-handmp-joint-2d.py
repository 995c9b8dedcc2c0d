# ST-GCN++ for HaGRID hand gestures on MediaPipe 21-landmark hand keypoints
# (layout 'handmp'). Matches PYSKL's released checkpoint
# pyskl_stgcnpp_hagrid.pth: 2 input channels (x, y normalised to [0, 1]),
# 40 classes, 6 stages. Test-only here (the HaGRID skeletons are not shipped).
_base_ = '../_base_/default_runtime.py'

layout = 'handmp'
ann_file = 'data/hagrid/hagrid_handmp.pkl'

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=2,
        num_stages=6,
        down_stages=[6],
        inflate_stages=[6],
        gcn_adaptive='init',
        gcn_with_res=True,
        tcn_type='mstcn',
        graph_cfg=dict(layout=layout, mode='spatial')),
    cls_head=dict(type='GCNHead', num_classes=40, in_channels=128),
    test_cfg=dict(average_clips='prob'))

# PYSKL's HaGRID pipeline: 'auto' maps a clip's joint box to [-1, 1] only when
# it spans > 10 units, so MediaPipe's [0, 1] coordinates pass unchanged.
test_pipeline = [
    dict(type='PreNormalize2D', threshold=0, mode='auto'),
    dict(type='GenSkeFeat', layout=layout, feats=['j']),
    dict(type='UniformSampleFrames', clip_len=10, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file=ann_file, pipeline=test_pipeline, test_mode=True))
test_evaluator = [dict(type='AccMetric')]
test_cfg = dict(type='TestLoop')
