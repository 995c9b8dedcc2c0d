"""AAGCN backbone, ours or MMAction2 1.2.0's (a port of PYSKL's), on the same weights.

    python tools/analysis/aagcn_parity.py --impl pyskl --out ours.json
    /path/to/peer/python tools/analysis/aagcn_parity.py --impl mmaction2 --out mm.json

Builds the NTU60 2D AAGCN backbone (coco layout, ``mode='spatial'``, 64-128-256
channels, input BN over M*V*C), fills its state dict deterministically (keys in
sorted order, values from ``RandomState(0)``, as ``rgbpose_parity.fill``: every
attention gate and graph-mixing weight non-zero, BN scales x 0.3) and runs one
eval forward in float64 on a fixed input (1, 2, 20, 17, 3) (float32 rounding,
amplified by ten blocks, would hide small differences). Writes the state-dict
keys and shapes, the output
shape and the output averaged over T and V (M x C numbers) as JSON. MMAction2's
numbers are kept in ``tests/data/mmaction2_1.2.0_aagcn.json`` and checked by
``tests/test_gcn_zoo.py``. (MMAction2 1.2.0 ships no CTR-GCN / MS-G3D /
DG-STGCN backbone to compare with.)
"""
import os.path as osp
import sys

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

BACKBONE = dict(type='AAGCN', graph_cfg=dict(layout='coco', mode='spatial'))


def run(impl: str) -> dict:
    import copy

    import torch
    from rgbpose_parity import fill
    if impl == 'pyskl':
        sys.path.insert(0, ROOT)
        from pyskl.registry import MODELS
        from pyskl.utils import register_all_modules
        register_all_modules()
    else:
        from mmaction2_peer import import_mmaction2
        import_mmaction2()
        from mmaction.registry import MODELS
    torch.manual_seed(0)
    backbone = MODELS.build(copy.deepcopy(BACKBONE))
    fill(backbone, np.random.RandomState(0))
    with torch.no_grad():   # BN scales 0.3: keeps ten attention-doubled blocks finite
        for k, v in backbone.state_dict().items():
            if v.dim() == 1 and 'bn' in k and k.endswith('weight'):
                v.mul_(0.3)
    backbone.eval().double()
    x = torch.from_numpy(np.random.RandomState(1).standard_normal((1, 2, 20, 17, 3)))
    with torch.no_grad():
        y = backbone(x)
    return dict(keys={k: list(v.shape) for k, v in backbone.state_dict().items()},
                params=sum(p.numel() for p in backbone.parameters()),
                shape=list(y.shape),
                pooled=y.mean(dim=(3, 4))[0].flatten().tolist())


def main(argv=None):
    from rgbpose_parity import parity_cli
    return parity_cli(run, __doc__.splitlines()[0], lambda impl, res: (
        f"{impl}: {len(res['keys'])} state-dict keys, {res['params']} parameters, "
        f"output {res['shape']}, pooled[:3] {res['pooled'][:3]}"), argv)


if __name__ == '__main__':
    main()
