# The small-dataset recipe on JHMDB's ground-truth 2D poses (3 splits: --cfg-options split=2).
_base_ = '../_base_/small_skeleton_2d.py'

ann_file = 'data/jhmdb/jhmdb_gt.pkl.gz'
layout = 'jhmdb'
num_classes = 14
split = 1
train_split = 'train{split}'
test_split = 'test{split}'
