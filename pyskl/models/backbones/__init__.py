from .stgcn import STGCN, STGCNBlock

__all__ = ['STGCN', 'STGCNBlock']
