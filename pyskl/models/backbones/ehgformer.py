"""``EHGFormer``: a spatial-temporal skeleton transformer whose spatial
attention is biased by the skeleton graph and by a hypergraph of joint groups."""
from __future__ import annotations

import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from pyskl.registry import MODELS
from pyskl.skeleton import get_layout, normalize_digraph

#: the label files shipped with pyskl (``pyskl/skeleton/hyper_labels/*.yaml``)
LABEL_DIR = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'skeleton',
                     'hyper_labels')


def load_joint_labels(spec: Union[str, Sequence], num_joints: int) -> List[List[int]]:
    """Joint labels: one list of ``num_joints`` hyperedge ids per hyper head.

    Args:
        spec: a YAML file with ``joint_label: [[...], ...]``, the name of one
            in ``pyskl/skeleton/hyper_labels/`` (e.g. ``'coco_manual1'``), or the
            lists themselves.
        num_joints: V of the layout.

    Raises:
        FileNotFoundError: no such file. ValueError: a list whose length is
            not ``num_joints``, negative ids, or a hyperedge id left out
            (ids must be 0..E-1, every one used).
    """
    source = 'joint_label'
    if isinstance(spec, str):
        path = spec if osp.isfile(spec) else osp.join(LABEL_DIR, spec + '.yaml')
        if not osp.isfile(path):
            raise FileNotFoundError(f'joint label file {spec!r} not found (nor {path!r})')
        import yaml
        with open(path) as f:
            spec = (yaml.safe_load(f) or {}).get('joint_label')
        source = path
        if spec is None:
            raise ValueError(f"{path}: no 'joint_label' key")
    labels = [list(map(int, s)) for s in spec]
    if not labels:
        raise ValueError(f'{source}: no joint label list')
    for i, lab in enumerate(labels):
        if len(lab) != num_joints:
            raise ValueError(f'{source}: hyper head {i} labels {len(lab)} joints, the layout has '
                             f'{num_joints}')
        used = sorted(set(lab))
        if used[0] < 0 or used != list(range(len(used))):
            raise ValueError(f'{source}: hyper head {i}: hyperedge ids must be 0..E-1, each '
                             f'used, got {used}')
    return labels


def hyperedge_mean(labels: List[List[int]]) -> torch.Tensor:
    """(V, V) matrix ``M`` with ``(M x)[v]`` = mean of ``x`` over the joints
    sharing ``v``'s hyperedge, averaged over hyper heads: ``H D^-1 H^T`` with
    ``H`` the (V, E) incidence matrix, ``D`` the hyperedge sizes."""
    mats = []
    for lab in labels:
        H = np.eye(max(lab) + 1)[lab]                      # (V, E) one-hot
        mats.append(H @ np.diag(1.0 / H.sum(0)) @ H.T)
    return torch.tensor(np.mean(mats, axis=0), dtype=torch.float32)


class Mlp(nn.Module):
    """Linear -> GELU -> dropout -> Linear -> dropout."""

    def __init__(self, dim: int, hidden: int, drop: float = 0.):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)
        self.act, self.drop = nn.GELU(), nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class DropPath(nn.Module):
    """Stochastic depth: drop the residual branch per sample with prob. ``p``."""

    def __init__(self, p: float = 0.):
        super().__init__()
        self.p = p

    def forward(self, x):
        if self.p == 0. or not self.training:
            return x
        keep = torch.rand((x.shape[0],) + (1,) * (x.dim() - 1), device=x.device) >= self.p
        return x * keep.to(x.dtype) / (1 - self.p)


class _Softmax(torch.autograd.Function):
    """Softmax over the last axis with its gradient written out: forward in
    place on the new tensor, backward ``y * (g - sum(g * y))`` -- three passes
    over the attention map where autograd through the formula takes six."""

    @staticmethod
    def forward(ctx, x):
        y = (x - x.amax(-1, keepdim=True)).exp_()
        y.mul_(y.sum(-1, keepdim=True).reciprocal_())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        gy = grad * y
        return gy.sub_(y * gy.sum(-1, keepdim=True))


def _softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax over the last axis, written out: on rows of 15-17 entries
    (JHMDB's joints) it was several times faster on the CPU than
    ``torch.softmax``; on rows of 30-32 ``torch.softmax`` can be the faster
    forward (docs/results.md, EHGFormer softmax). Same values either way.
    Training uses :class:`_Softmax` (its gradient written out); tracing and
    export the plain formula."""
    if (x.requires_grad and torch.is_grad_enabled() and not torch.jit.is_tracing()
            and not torch.onnx.is_in_onnx_export()):
        return _Softmax.apply(x)
    e = (x - x.amax(-1, keepdim=True).detach()).exp()
    return e / e.sum(-1, keepdim=True)


def _attend(q, k, v, bias, record: Optional[list], drop: float):
    """softmax(q k^T / sqrt(d) + bias) v; ``bias`` broadcasts to (B, H, L, S).
    With ``record`` the attention is appended to it. (Written out: on the CPU,
    ``scaled_dot_product_attention`` with a float mask falls back to a path
    whose softmax is slow on rows this short.)"""
    attn = _softmax(q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5 + bias)
    if record is not None:
        record.append(attn.detach())
    return (F.dropout(attn, drop) if drop else attn) @ v


class Attention(nn.Module):
    """Multi-head self-attention; with ``relation`` (H, V, V), the logits get
    ``relation_scale * relation`` (before the 1/sqrt(d) scaling, as the
    reference)."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, attn_drop: float = 0.,
                 proj_drop: float = 0., relation: Optional[torch.Tensor] = None):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.attn_drop, self.proj_drop = attn_drop, nn.Dropout(proj_drop)
        if relation is not None:
            self.relation = nn.Parameter(relation.clone())
            self.relation_scale = nn.Parameter(torch.ones(1))
        else:
            self.relation = None
        self.record: Optional[list] = None

    def forward(self, x):
        B, L, C = x.shape
        q, k, v = self.qkv(x).view(B, L, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        bias = None
        if self.relation is not None:
            bias = self.relation_scale * self.relation * q.shape[-1] ** -0.5   # (H, L, L)
        if bias is None and self.record is None:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_drop
                                               if self.training else 0.)
        else:
            if bias is None:
                bias = torch.zeros((), dtype=x.dtype, device=x.device)
            y = _attend(q, k, v, bias, self.record, self.attn_drop if self.training else 0.)
        return self.proj_drop(self.proj(y.transpose(1, 2).reshape(B, L, C)))


class HyperAttention(nn.Module):
    """Attention of each joint over the hyperedge features: logits
    ``q_v . e_m + w_h . e_m`` (``e_m`` the feature of joint ``m``'s
    hyperedge, ``w_h`` a learnt per-head vector -- the "main" and "bias"
    terms of EHGFormer's joint-to-edge attention), values from the joints."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, attn_drop: float = 0.,
                 proj_drop: float = 0.):
        super().__init__()
        self.num_heads = num_heads
        self.edge_bias = nn.Parameter(torch.zeros(num_heads, dim // num_heads))
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, dim * 2, bias=qkv_bias)   # v (and k, kept as in EHGFormer)
        self.proj = nn.Linear(dim, dim)
        self.attn_drop, self.proj_drop = attn_drop, nn.Dropout(proj_drop)
        self.record: Optional[list] = None

    def forward(self, x, e):
        B, V, C = x.shape
        H = self.num_heads
        q = self.q(x).view(B, V, H, -1).transpose(1, 2)                 # (B, H, V, d)
        # only the value half of ``kv`` is used (the key half exists for the
        # reference's parameter layout): compute just that half
        w, b = self.kv.weight[C:], self.kv.bias[C:] if self.kv.bias is not None else None
        v = F.linear(x, w, b).view(B, V, H, -1).transpose(1, 2)        # (B, H, V, d)
        e = e.view(B, V, H, -1).transpose(1, 2)                          # (B, H, V, d)
        d = q.shape[-1]
        bias = torch.einsum('hc,bhmc->bhm', self.edge_bias, e)[:, :, None] * d ** -0.5
        y = _attend(q, e, v, bias, self.record, self.attn_drop if self.training else 0.)
        return self.proj_drop(self.proj(y.transpose(1, 2).reshape(B, V, C)))


class TransformerBlock(nn.Module):
    """Pre-LN block: ``x + attn(LN(x))``, then ``x + mlp(LN(x))``."""

    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, drop, attn_drop, drop_path,
                 relation=None):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads, qkv_bias, attn_drop, drop, relation)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop)
        self.drop_path = DropPath(drop_path)

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class HyperBlock(nn.Module):
    """Hypergraph block: hyperedge features ``edge_proj(M x)`` (``M`` the
    hyperedge-mean matrix), :class:`HyperAttention`, MLP; pre-LN residuals."""

    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, drop, attn_drop, drop_path,
                 edge_mean: torch.Tensor):
        super().__init__()
        self.register_buffer('edge_mean', edge_mean.clone())
        self.edge_proj = nn.Linear(dim, dim, bias=False)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = HyperAttention(dim, num_heads, qkv_bias, attn_drop, drop)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop)
        self.drop_path = DropPath(drop_path)

    def edge_features(self, x):
        """(B, V, C) -> (B, V, C): each joint's hyperedge feature."""
        return self.edge_proj(torch.matmul(self.edge_mean, x))

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x), self.edge_features(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


@MODELS.register_module()
class EHGFormer(BaseModule):
    """Hypergraph-injected spatial-temporal skeleton transformer.

    Design: EHGFormer (Brian417-cup/EHGFormer, action part), a MixSTE-style
    transformer (Zhang et al., "MixSTE", CVPR 2022) alternating spatial
    attention over the V joints of each frame and temporal attention over
    the T frames of each joint, with MotionBERT's action head and data
    handling (Zhu et al., ICCV 2023); hyperedge attention after Hyperformer
    (Zhou et al., arXiv 2211.09590). Every block ``i`` of ``depth`` is:

    1. spatial stage on (N*T, V, dim): a pre-LN attention block whose logits
       get a learnt per-head relation bias times a learnt scale
       (``hyper_relation_bias='uniform'``: initialised to the normalised
       1-hop adjacency of the layout with self loops; ``'none'``: identity),
       then a :class:`HyperBlock` (joints attend over hyperedge features:
       the linear map of the mean of the joints sharing a label), then the
       shared spatial LayerNorm;
    2. temporal stage on (N*V, T, dim): learnt temporal position embedding
       (before the first block), a pre-LN attention block, the shared
       temporal LayerNorm.

    Input: ``Linear(C, dim)`` joint embedding + learnt spatial position
    embedding. Drop path grows linearly to ``drop_path_rate`` over depth.
    Differences from the reference (on purpose): the graph comes from
    ``pyskl.skeleton`` (the reference's H36M skeleton adds an edge 0-16 from
    a negative root index), per-head splits of q / k / v are proper
    (the reference reshapes the hyper-attention's channels and joints
    together), joint labels and incidence matrices are buffers, and the
    unused 3D-pose regression head is absent.

    Args:
        graph_cfg: ``dict(layout=...)`` (the joints, and the graph of the
            relation bias).
        joint_labels: hyperedge labels (see :func:`load_joint_labels`):
            a YAML path, a name in ``pyskl/skeleton/hyper_labels/`` or lists.
        in_channels: C (3: x, y, score).
        dim, depth, num_heads, mlp_ratio: transformer size (defaults: the
            reference's 128, 6, 8, 2).
        maxlen: longest clip (temporal position embedding length).
        hyper_relation_bias: ``'uniform'`` or ``'none'``.

    Raises:
        ValueError: bad ``hyper_relation_bias``, labels that do not fit the
            layout, ``dim`` not divisible by ``num_heads``; at run time, T >
            ``maxlen`` or V / C that do not fit.

    Shape: input (N, M, T, V, C) (or (N, T, V, C)) -> (N, M, T, V, dim).
    """

    def __init__(self, graph_cfg: dict, joint_labels: Union[str, Sequence] = 'coco_manual1',
                 in_channels: int = 3, dim: int = 128, depth: int = 6, num_heads: int = 8,
                 mlp_ratio: float = 2., qkv_bias: bool = True, maxlen: int = 243,
                 drop_rate: float = 0., attn_drop_rate: float = 0., drop_path_rate: float = 0.1,
                 hyper_relation_bias: str = 'uniform', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if hyper_relation_bias not in ('uniform', 'none'):
            raise ValueError("EHGFormer: hyper_relation_bias must be 'uniform' or 'none', got "
                             f'{hyper_relation_bias!r}')
        if dim % num_heads:
            raise ValueError(f'EHGFormer: dim={dim} is not divisible by num_heads={num_heads}')
        layout = get_layout(graph_cfg['layout'] if isinstance(graph_cfg, dict) else graph_cfg)
        V = self.num_joints = layout.num_node
        self.in_channels, self.dim, self.depth, self.maxlen = in_channels, dim, depth, maxlen
        self.labels = load_joint_labels(joint_labels, V)
        self.register_buffer('joint_label', torch.tensor(self.labels))       # (heads, V)
        if hyper_relation_bias == 'uniform':
            adj = np.eye(V)
            for i, j in layout.inward:
                adj[i, j] = adj[j, i] = 1
            rel = torch.tensor(normalize_digraph(adj), dtype=torch.float32)
        else:
            rel = torch.eye(V)
        rel = rel.expand(num_heads, V, V)
        edge_mean = hyperedge_mean(self.labels)

        self.joint_embed = nn.Linear(in_channels, dim)
        self.spatial_pos = nn.Parameter(torch.zeros(1, V, dim))
        self.temporal_pos = nn.Parameter(torch.zeros(1, maxlen, dim))
        self.pos_drop = nn.Dropout(drop_rate)
        dpr = torch.linspace(0, drop_path_rate, depth).tolist()
        args = (dim, num_heads, mlp_ratio, qkv_bias, drop_rate, attn_drop_rate)
        self.spatial_blocks = nn.ModuleList(
            TransformerBlock(*args, dpr[i], relation=rel) for i in range(depth))
        self.hyper_blocks = nn.ModuleList(
            HyperBlock(*args, dpr[i], edge_mean=edge_mean) for i in range(depth))
        self.temporal_blocks = nn.ModuleList(TransformerBlock(*args, dpr[i]) for i in range(depth))
        self.spatial_norm = nn.LayerNorm(dim, eps=1e-6)
        self.temporal_norm = nn.LayerNorm(dim, eps=1e-6)
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.spatial_pos, std=.02)
        nn.init.trunc_normal_(self.temporal_pos, std=.02)

    def record_attention(self, on: bool = True) -> None:
        """Keep every attention map of the next forward passes in the
        modules' ``record`` lists (``tools/visualize_attention.py``)."""
        for m in self.modules():
            if isinstance(m, (Attention, HyperAttention)):
                m.record = [] if on else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        one_person = x.dim() == 4
        if one_person:
            x = x[:, None]
        N, M, T, V, C = x.shape
        if (V != self.num_joints or C != self.in_channels) and not torch.jit.is_tracing():
            raise ValueError(f'EHGFormer: input (N, M, T, V, C) = {tuple(x.shape)}, expected '
                             f'V={self.num_joints}, C={self.in_channels}')
        if T > self.maxlen and not torch.jit.is_tracing():
            raise ValueError(f'EHGFormer: {T} frames, more than maxlen={self.maxlen}')
        B = N * M
        x = self.pos_drop(self.joint_embed(x.reshape(B * T, V, C)) + self.spatial_pos)
        for i in range(self.depth):
            x = self.spatial_norm(self.hyper_blocks[i](self.spatial_blocks[i](x)))
            x = x.view(B, T, V, -1).transpose(1, 2).reshape(B * V, T, -1)
            if i == 0:
                x = self.pos_drop(x + self.temporal_pos[:, :T])
            x = self.temporal_norm(self.temporal_blocks[i](x))
            x = x.view(B, V, T, -1).transpose(1, 2).reshape(B * T, V, -1)
        x = x.view(N, M, T, V, -1)
        return x[:, 0] if one_person else x
