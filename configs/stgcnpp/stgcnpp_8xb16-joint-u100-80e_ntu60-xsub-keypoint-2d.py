# ST-GCN++ on NTU60 XSub 2D (HRNet COCO-17), joint stream.
_base_ = '../_base_/stgcnpp_ntu.py'


