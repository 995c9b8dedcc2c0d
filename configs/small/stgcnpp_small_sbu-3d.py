# The small-dataset recipe on SBU Kinect Interaction (two people, 15 joints; the published
# 5 folds by actor pair: --cfg-options fold=2 ...). Data: tools/data/sbu_kinect.py.
# Both persons in one graph (MergePersons): chosen on folds of fold 1's training split
# (docs/results.md, ninth run).
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
