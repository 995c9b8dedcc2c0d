from .gcn_units import mstcn, unit_gcn, unit_tcn

__all__ = ['unit_gcn', 'unit_tcn', 'mstcn']
