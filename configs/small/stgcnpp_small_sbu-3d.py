# The small-dataset recipe on SBU Kinect Interaction (two people, 15 joints; the published
# 5 folds by actor pair: --cfg-options fold=2 ...). Data: tools/data/sbu_kinect.py.
_base_ = '../_base_/small_skeleton_3d.py'

ann_file = 'data/sbu/sbu.pkl'
layout = 'sbu'
num_classes = 8
num_person = 2
fold = 1
train_split = 'fold{fold}_train'
test_split = 'fold{fold}_val'
zaxis = [2, 1]      # torso -> neck
xaxis = [6, 3]      # right -> left shoulder
center = 2          # torso
