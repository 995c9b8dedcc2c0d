from .gcn_units import dggcn, unit_aagcn, unit_ctrgcn, unit_gcn
from .tcn_units import (DGMultiBranchTCN, MultiBranchTCN, MultiScaleTCN, block_residual, bn_init,
                        channel_proj, conv_branch_init, conv_init, dgmstcn, init_conv_bn, mstcn,
                        unit_tcn)

__all__ = ['unit_gcn', 'unit_aagcn', 'unit_ctrgcn', 'dggcn', 'unit_tcn', 'MultiBranchTCN',
           'DGMultiBranchTCN', 'mstcn', 'dgmstcn', 'MultiScaleTCN', 'conv_init', 'bn_init',
           'conv_branch_init', 'init_conv_bn', 'channel_proj', 'block_residual']
