# The small-dataset recipe on the Weizmann-4 poses (MediaPipe COCO-17 of the real Weizmann
# clips, 4 classes, 48 train / 24 test clips). Data: tools/data/weizmann4.py (docs/data.md).
_base_ = '../_base_/small_skeleton_2d.py'

ann_file = 'data/weizmann4/weizmann4_2d.pkl'
layout = 'coco'
num_classes = 4
