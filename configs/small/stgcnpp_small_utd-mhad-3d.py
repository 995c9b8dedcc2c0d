# The small-dataset recipe on UTD-MHAD (Kinect v1, 20 joints; subjects 1, 3, 5, 7 train).
# Data: python tools/data/utd_mhad.py --src UTD_MHAD_FOLDER --out data/utd_mhad/utd_mhad.pkl
_base_ = '../_base_/small_skeleton_3d.py'

ann_file = 'data/utd_mhad/utd_mhad.pkl'
layout = 'utd_mhad'
num_classes = 27
zaxis = [3, 1]      # hip center -> shoulder center
xaxis = [8, 4]      # right -> left shoulder
center = 2          # spine
