from .aagcn import AAGCN
from .c3d import C3D
from .ctrgcn import CTRGCN
from .dgstgcn import DGSTGCN
from .ehgformer import EHGFormer
from .msg3d import MSG3D
from .resnet3d import ResNet3d, ResNet3dSlowOnly
from .rgbposeconv3d import ResNet3dPathway, RGBPoseConv3D
from .stgcn import STGCN, STGCNBlock
from .x3d import X3D

__all__ = ['STGCN', 'STGCNBlock', 'AAGCN', 'CTRGCN', 'MSG3D', 'DGSTGCN', 'EHGFormer', 'ResNet3d',
           'ResNet3dSlowOnly', 'C3D', 'X3D', 'ResNet3dPathway', 'RGBPoseConv3D']
