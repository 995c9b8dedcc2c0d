# The fixture model of the Weizmann composite known-answer test (tests/test_weizmann_composite.py):
# the small-dataset recipe on the Weizmann-4 poses with base_channels 16 (90 k parameters, so
# that the checkpoint is a small fixture) and 5 epochs; trained on the train split only.
_base_ = '../../../configs/small/stgcnpp_small_weizmann4-2d.py'

num_epochs = 5
model = dict(backbone=dict(base_channels=16), cls_head=dict(in_channels=64))
