"""Merge an RGB-only and a pose-only checkpoint into RGBPoseConv3D's initial weights.

    python tools/data/merge_pretrain.py RGB_CKPT POSE_CKPT OUT \
        [--config configs/rgbpose_conv3d/rgbpose_conv3d.py]

RGBPoseConv3D (Duan et al., CVPR 2022; MMAction2's recipe), step 2 (PYSKL / MMAction2 ship a notebook for it). The RGB
checkpoint's ``backbone.*`` becomes ``backbone.rgb_path.*`` and its
``cls_head.fc_cls.*`` ``cls_head.fc_rgb.*``; the pose checkpoint's go to
``backbone.pose_path.*`` and ``cls_head.fc_pose.*``. Convolutions whose input
grows by the lateral connections (the first block of the stages that receive
lateral features) get the pretrained weights for their own channels and zeros
for the lateral ones, so the merged model starts out computing what the two
single-stream models computed. The lateral modules keep the config's fresh
initialisation; the report lists them. OUT is a complete checkpoint
(``state_dict``) that ``load_from`` loads strictly.

Exit status 1 with a message naming the keys when a checkpoint does not fit the
config (another backbone, other class count, a pose model of other channels).
"""
import argparse
import contextlib
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

#: (source prefix, target prefix) per stream
RENAMES = {
    'rgb': (('backbone.', 'backbone.rgb_path.'), ('cls_head.fc_cls.', 'cls_head.fc_rgb.')),
    'pose': (('backbone.', 'backbone.pose_path.'), ('cls_head.fc_cls.', 'cls_head.fc_pose.')),
}


class MergeError(ValueError):
    """A checkpoint does not fit the RGBPoseConv3D config (names the keys)."""


def _rename(key: str, stream: str):
    for old, new in RENAMES[stream]:
        if key.startswith(old):
            return new + key[len(old):]
    return None


def merge(rgb: Dict[str, torch.Tensor], pose: Dict[str, torch.Tensor],
          target: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], List[str], List[str]]:
    """Merge two single-stream state dicts into ``target``'s keys and shapes.

    Returns:
        ``(merged state dict, keys zero-padded for lateral inputs, keys left
        as initialised)``.

    Raises:
        MergeError: keys without a place in the target, or shapes that differ
            other than by extra input channels.
    """
    merged = OrderedDict((k, v.clone()) for k, v in target.items())
    padded, unplaced, bad = [], [], []
    for stream, sd in (('rgb', rgb), ('pose', pose)):
        for key, value in sd.items():
            new = _rename(key, stream)
            if new is None or new not in target:
                if not key.startswith('data_preprocessor.'):
                    unplaced.append(f'{stream}: {key}')
                continue
            want = target[new]
            if tuple(value.shape) == tuple(want.shape):
                merged[new] = value.to(want.dtype)
            elif (value.dim() == want.dim() and value.dim() >= 2
                  and value.shape[0] == want.shape[0] and value.shape[2:] == want.shape[2:]
                  and value.shape[1] < want.shape[1]):
                w = torch.zeros_like(want)
                w[:, :value.shape[1]] = value         # lateral channels come last: zero
                merged[new] = w
                padded.append(new)
            else:
                bad.append(f'{stream}: {key} {tuple(value.shape)} -> {new} {tuple(want.shape)}')
    if unplaced or bad:
        raise MergeError('the checkpoints do not fit the RGBPoseConv3D config:'
                         + ''.join(f'\n  no place for {k}' for k in unplaced[:20])
                         + ''.join(f'\n  shape mismatch {k}' for k in bad[:20]))
    filled = {_rename(k, s) for s, sd in (('rgb', rgb), ('pose', pose)) for k in sd}
    fresh = [k for k in target if k not in filled and not k.endswith('num_batches_tracked')]
    return merged, padded, fresh


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('rgb_checkpoint')
    p.add_argument('pose_checkpoint')
    p.add_argument('out')
    p.add_argument('--config', default=osp.join('configs', 'rgbpose_conv3d',
                                                'rgbpose_conv3d.py'))
    args = p.parse_args(argv)
    from pyskl.io import OutputPathError, atomic_write, check_output_path
    with contextlib.suppress(OSError):  # what cannot be made is named by the check below
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    try:
        out = check_output_path(args.out, 'out', suffixes=('.pth', '.pt'),
                                inputs=[args.rgb_checkpoint, args.pose_checkpoint])
    except OutputPathError as e:
        p.error(str(e))
    from pyskl.engine.checkpoint import load_weights_file
    from pyskl.engine.config import load_config
    from pyskl.registry import MODELS
    from pyskl.utils import register_all_modules
    register_all_modules()
    from mmengine.logging import MMLogger
    MMLogger.get_instance('merge_pretrain', log_level='WARNING')   # no per-tensor init log
    model = MODELS.build(load_config(args.config).model)
    model.init_weights()
    sds = []
    for path in (args.rgb_checkpoint, args.pose_checkpoint):
        ckpt = load_weights_file(path, map_location='cpu')
        sds.append(ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt)
    try:
        merged, padded, fresh = merge(sds[0], sds[1], model.state_dict())
    except MergeError as e:
        print(f'merge_pretrain: {e}', file=sys.stderr)
        return 1
    with atomic_write(out, 'wb') as f:
        torch.save(dict(state_dict=merged, meta=dict(
            merged_from=[osp.abspath(args.rgb_checkpoint), osp.abspath(args.pose_checkpoint)],
            config=args.config)), f)
    print(f'wrote {args.out}: {len(merged)} tensors; {len(padded)} convolutions zero-padded '
          f'for lateral inputs; {len(fresh)} tensors newly initialised:')
    for k in fresh:
        print(f'  {k}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
