from .gcn_units import dggcn, unit_aagcn, unit_ctrgcn, unit_gcn
from .tcn_units import MSTCN, bn_init, conv_branch_init, conv_init, dgmstcn, mstcn, unit_tcn

__all__ = ['unit_gcn', 'unit_aagcn', 'unit_ctrgcn', 'dggcn', 'unit_tcn', 'mstcn', 'dgmstcn',
           'MSTCN', 'conv_init', 'bn_init', 'conv_branch_init']
