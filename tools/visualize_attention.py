"""Attention maps of an EHGFormer on one sample, as PNG files.

    python tools/visualize_attention.py CONFIG CHECKPOINT --sample 0 --out-dir attn/
    python tools/visualize_attention.py CONFIG none --sample S001C001P001R001A001 ...

Runs the model (``CHECKPOINT``, or ``none`` for the config's initialisation) on
one test sample (an index into the config's test set, or a ``frame_dir``; one
clip) and writes, for every layer and head:

* ``layer{i}_spatial_head{h}.png``: joint-to-joint attention (V x V, joint names on
  the axes), averaged over frames and persons;
* ``layer{i}_hyper_head{h}.png``: joint-to-hyperedge-feature attention (V x V:
  row = querying joint, column = the joint whose hyperedge feature is attended),
  averaged the same way;
* ``layer{i}_temporal_head{h}.png``: frame-to-frame attention (T x T), averaged
  over joints and persons;

and ``summary.png`` (one row per kind, one column per layer, heads averaged),
plus the prediction in ``prediction.txt``.
"""
import argparse
import os
import os.path as osp
import sys

import torch
from pyskl.engine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def collect(model, inputs):
    """Run ``model`` on ``inputs`` (N=1 batch) recording attention; returns
    ``(scores, {kind: [(H, L, L) per layer]})``."""
    from pyskl.models.backbones.ehgformer import EHGFormer
    backbone = model.backbone
    if not isinstance(backbone, EHGFormer):
        raise TypeError(f'visualize_attention: the backbone is {type(backbone).__name__}, '
                        'not EHGFormer')
    backbone.record_attention(True)
    try:
        with torch.no_grad():
            scores = model(inputs, mode='tensor')
        maps = {'spatial': [], 'hyper': [], 'temporal': []}
        for i in range(backbone.depth):
            for kind, block in (('spatial', backbone.spatial_blocks[i].attn),
                                ('hyper', backbone.hyper_blocks[i].attn),
                                ('temporal', backbone.temporal_blocks[i].attn)):
                maps[kind].append(block.record[0].mean(0).numpy())   # mean over frames/joints
    finally:
        backbone.record_attention(False)
    return scores, maps


def _plot(ax, m, labels):
    im = ax.imshow(m, cmap='viridis')
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
    return im


def save_maps(maps, joint_names, out_dir):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from pyskl.io import save_figure
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for kind, layers in maps.items():
        names = None if kind == 'temporal' else joint_names
        for i, heads in enumerate(layers):
            for h, m in enumerate(heads):
                fig, ax = plt.subplots(figsize=(5, 4.5))
                fig.colorbar(_plot(ax, m, names), ax=ax, fraction=0.046)
                ax.set_title(f'layer {i} {kind} attention, head {h}', fontsize=9)
                path = osp.join(out_dir, f'layer{i}_{kind}_head{h}.png')
                fig.tight_layout()
                save_figure(fig, path, dpi=100)
                plt.close(fig)
                written.append(path)
    depth = len(maps['spatial'])
    fig, axes = plt.subplots(3, depth, figsize=(3 * depth, 9), squeeze=False)
    for r, (kind, layers) in enumerate(maps.items()):
        for i, heads in enumerate(layers):
            _plot(axes[r, i], heads.mean(0), None if kind == 'temporal' else joint_names)
            axes[r, i].set_title(f'{kind}, layer {i}', fontsize=9)
    fig.tight_layout()
    path = osp.join(out_dir, 'summary.png')
    save_figure(fig, path, dpi=100)
    plt.close(fig)
    return written + [path]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint, or 'none'")
    p.add_argument('--sample', default='0', help='test-set index or frame_dir')
    p.add_argument('--out-dir', default='attention_maps')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys, e.g. ann_file=...')
    args = p.parse_args(argv)
    from mmengine.dataset import pseudo_collate
    from pyskl.apis import init_recognizer
    from pyskl.engine.config import load_config
    from pyskl.registry import DATASETS
    from pyskl.skeleton import get_layout
    from pyskl.utils import register_all_modules
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'UniformSampleFrames':
            step['num_clips'] = 1
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    if args.sample.isdigit():
        index = int(args.sample)
        if index >= len(dataset):
            raise SystemExit(f'visualize_attention: --sample {index}: the test set has '
                             f'{len(dataset)} samples (0..{len(dataset) - 1})')
    else:
        dirs = [dataset.get_data_info(i)['frame_dir'] for i in range(len(dataset))]
        if args.sample not in dirs:
            raise SystemExit(f'visualize_attention: no sample {args.sample!r} in the test set')
        index = dirs.index(args.sample)
    model = init_recognizer(cfg, None if args.checkpoint.lower() == 'none' else args.checkpoint)
    data = model.data_preprocessor(pseudo_collate([dataset[index]]))
    scores, maps = collect(model, data['inputs'])
    layout = get_layout(cfg.model.backbone.graph_cfg.layout)
    names = list(layout.joint_names) if layout.joint_names else [str(i) for i in
                                                                 range(layout.num_node)]
    written = save_maps(maps, names, args.out_dir)
    info = dataset.get_data_info(index)
    prob = torch.softmax(scores, -1)[0]
    from pyskl.io import atomic_write
    with atomic_write(osp.join(args.out_dir, 'prediction.txt'), 'w') as f:
        f.write(f"sample {index} ({info['frame_dir']}), label {info.get('label')}, predicted "
                f'{int(prob.argmax())} (p={float(prob.max()):.3f})\n')
    print(f'wrote {len(written)} PNG files to {args.out_dir}')
    return written


if __name__ == '__main__':
    main()
