"""RGBPoseConv3D + RGBPoseHead of MMAction2's rgbpose_conv3d config, ours or MMAction2 1.2.0's, on the same weights.

    python tools/analysis/rgbpose_parity.py --impl pyskl --out ours.json
    /path/to/peer/python tools/analysis/rgbpose_parity.py --impl mmaction2 --out mm.json

Builds the NTU60 model of MMAction2's rgbpose_conv3d config (``rgbpose_conv3d.py``: RGB pathway 4 stages,
pose pathway 3 stages, laterals both ways, 60 classes), fills its state dict
deterministically (keys in sorted order, values from ``RandomState(0)``: convs
Kaiming-scaled, BN near identity) so both toolboxes hold identical weights
without shipping any, and runs one eval forward on fixed random inputs (RGB
(1, 3, 8, 64, 64), heatmaps (1, 17, 32, 16, 16)). Writes the state-dict keys and
shapes, the feature shapes and the logits of both heads as JSON. MMAction2's
numbers are kept in ``tests/data/mmaction2_1.2.0_rgbpose.json`` and checked by
``tests/test_rgbpose.py``.
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

BACKBONE = dict(
    type='RGBPoseConv3D', speed_ratio=4, channel_ratio=4,
    rgb_pathway=dict(num_stages=4, lateral=True, lateral_infl=1, lateral_activate=[0, 0, 1, 1],
                     fusion_kernel=7, base_channels=64, conv1_kernel=(1, 7, 7),
                     inflate=(0, 0, 1, 1), with_pool2=False),
    pose_pathway=dict(num_stages=3, stage_blocks=(4, 6, 3), lateral=True, lateral_inv=True,
                      lateral_infl=16, lateral_activate=(0, 1, 1), fusion_kernel=7,
                      in_channels=17, base_channels=32, out_indices=(2,),
                      conv1_kernel=(1, 7, 7), conv1_stride_s=1, conv1_stride_t=1,
                      pool1_stride_s=1, pool1_stride_t=1, inflate=(0, 1, 1),
                      spatial_strides=(2, 2, 2), temporal_strides=(1, 1, 1),
                      dilations=(1, 1, 1), with_pool2=False))
HEAD = dict(type='RGBPoseHead', num_classes=60, in_channels=[2048, 512],
            loss_components=['rgb', 'pose'], loss_weights=[1., 1.], average_clips='prob')


def build(impl: str):
    if impl == 'pyskl':
        sys.path.insert(0, ROOT)
        from pyskl.registry import MODELS
        from pyskl.utils import register_all_modules
        register_all_modules()
    else:
        from mmaction2_peer import import_mmaction2
        import_mmaction2()
        from mmaction.registry import MODELS
    import copy
    return MODELS.build(copy.deepcopy(BACKBONE)), MODELS.build(copy.deepcopy(HEAD))


def fill(module, rng) -> None:
    """Deterministic weights by sorted key (the same in both toolboxes)."""
    import torch
    sd = module.state_dict()
    new = {}
    for k in sorted(sd):
        v = sd[k]
        if not v.is_floating_point():
            new[k] = v
            continue
        n = rng.standard_normal(tuple(v.shape)).astype(np.float32)
        if k.endswith('running_var'):
            n = 1 + 0.1 * np.abs(n)
        elif k.endswith(('running_mean', 'bias')) or (v.dim() == 1 and 'bn' in k):
            n = 0.1 * n + (1.0 if k.endswith('weight') else 0.0)
        elif v.dim() > 1:
            n = n * np.sqrt(2.0 / max(1, int(np.prod(v.shape[1:]))))
        new[k] = torch.from_numpy(n)
    module.load_state_dict(new, strict=True)


def run(impl: str) -> dict:
    import torch
    torch.manual_seed(0)
    backbone, head = build(impl)
    rng = np.random.RandomState(0)
    fill(backbone, rng)
    fill(head, rng)
    backbone.eval(), head.eval()
    data = np.random.RandomState(1)
    imgs = torch.from_numpy(data.standard_normal((1, 3, 8, 64, 64)).astype(np.float32))
    heat = torch.from_numpy(data.uniform(0, 1, (1, 17, 32, 16, 16)).astype(np.float32))
    with torch.no_grad():
        x_rgb, x_pose = backbone(imgs, heat)
        scores = head((x_rgb, x_pose))
    keys = {**{f'backbone.{k}': list(v.shape) for k, v in backbone.state_dict().items()},
            **{f'cls_head.{k}': list(v.shape) for k, v in head.state_dict().items()}}
    return dict(keys=keys,
                params=dict(backbone=sum(p.numel() for p in backbone.parameters()),
                            head=sum(p.numel() for p in head.parameters())),
                features=[list(x_rgb.shape), list(x_pose.shape)],
                feature_means=[float(x_rgb.mean()), float(x_pose.mean())],
                logits={k: [float(x) for x in v[0]] for k, v in scores.items()})


def parity_cli(run_fn, description: str, summary, argv=None) -> dict:
    """``--impl pyskl|mmaction2 [--out JSON]``: run ``run_fn(impl)``, print
    ``summary(impl, result)``, write the result as JSON (shared by the parity
    scripts)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--impl', choices=['pyskl', 'mmaction2'], default='pyskl')
    p.add_argument('--out', help='write the result as JSON here')
    args = p.parse_args(argv)
    sys.path.insert(0, ROOT)            # also in the MMAction2 peer environment
    from pyskl.io import atomic_write, check_output_path
    if args.out:
        check_output_path(args.out, '--out')
    res = run_fn(args.impl)
    print(summary(args.impl, res))
    if args.out:
        with atomic_write(args.out, 'w') as f:
            json.dump(res, f)
    return res


def main(argv=None):
    return parity_cli(run, __doc__.splitlines()[0], lambda impl, res: (
        f"{impl}: {len(res['keys'])} state-dict keys, params {res['params']}, "
        f"features {res['features']}, rgb logits[:3] {res['logits']['rgb'][:3]}"), argv)


if __name__ == '__main__':
    main()
