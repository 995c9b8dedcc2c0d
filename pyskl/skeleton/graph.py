"""Graph adjacency for GCN backbones, derived from a :class:`SkeletonLayout`.

Convention (as ST-GCN / PYSKL): ``A[k, v, w]`` is the weight with which joint
``v`` contributes to joint ``w`` in subset ``k``; a GCN computes
``y[..., w] = sum_v x[..., v] * A[k, v, w]``. Matrices are column-normalised
(``normalize_digraph``), so every output joint averages its inputs.
"""
from __future__ import annotations

from typing import Iterable, Union

import numpy as np

from pyskl.utils.compat import ignore_compat_args
from .layouts import SkeletonLayout, get_layout


def edge2mat(edges: Iterable, num_node: int) -> np.ndarray:
    """(V, V) matrix with ``A[j, i] = 1`` for every edge ``(i, j)``."""
    A = np.zeros((num_node, num_node))
    for i, j in edges:
        A[j, i] = 1
    return A


def normalize_digraph(A: np.ndarray, dim: int = 0) -> np.ndarray:
    """Divide each column of ``A`` (V, V) by its sum (empty columns stay 0)."""
    deg = A.sum(dim)
    inv = np.divide(1.0, deg, out=np.zeros_like(deg, dtype=np.float64), where=deg > 0)
    return A * inv[None, :]


def get_hop_distance(num_node: int, edges: Iterable, max_hop: int = 1) -> np.ndarray:
    """Hop distance between joints, ``inf`` beyond ``max_hop``: (V, V) float."""
    A = np.eye(num_node)
    for i, j in edges:
        A[i, j] = A[j, i] = 1
    hop_dis = np.full((num_node, num_node), np.inf)
    reach = [np.linalg.matrix_power(A, d) > 0 for d in range(max_hop + 1)]
    for d in range(max_hop, -1, -1):
        hop_dis[reach[d]] = d
    return hop_dis


class Graph:
    """Adjacency tensor ``A`` (K, V, V) float32 for a skeleton layout.

    Modes:
        ``spatial`` (ST-GCN++ / PYSKL default): K=3 -- identity, inward
        (normalised), outward (normalised).
        ``stgcn_spatial`` (ST-GCN, Yan et al. AAAI 2018, "spatial
        configuration partitioning"): K = 2*max_hop+1 -- root, centripetal
        and centrifugal neighbours of the normalised ``max_hop`` adjacency.
        Centripetal means at least as close to the gravity center as the
        root, using the true graph distance to ``center`` (the paper's
        definition; the ST-GCN/PYSKL code compares distances truncated at
        ``max_hop``, which puts most joints in the "close" subset).
        ``binary_adj``: K=1, the symmetric 0/1 adjacency without self loops.

    Args:
        layout: layout name, custom layout dict, or :class:`SkeletonLayout`.
        mode: ``'spatial'``, ``'stgcn_spatial'`` or ``'binary_adj'``.
        max_hop: neighbourhood radius for ``stgcn_spatial``.
        nx_node, num_filter, init_std, init_off: PYSKL's arguments of its
            random / learnt graph modes, accepted and ignored (see
            :mod:`pyskl.utils.compat`).

    Raises:
        ValueError: unknown mode. TypeError: an unknown argument.
    """

    MODES = ('spatial', 'stgcn_spatial', 'binary_adj')

    def __init__(self, layout: Union[str, dict, SkeletonLayout] = 'coco',
                 mode: str = 'spatial', max_hop: int = 1, **kwargs):
        ignore_compat_args('Graph', kwargs, dict(nx_node=1, num_filter=3, init_std=0.02,
                                                 init_off=0.04))
        if mode not in self.MODES:
            raise ValueError(f'unknown graph mode {mode!r}; choose one of {self.MODES}')
        self.layout = get_layout(layout)
        self.num_node = self.layout.num_node
        self.center = self.layout.center
        self.inward = list(self.layout.inward)
        self.outward = self.layout.outward
        self.self_link = self.layout.self_link
        self.max_hop = max_hop
        self.mode = mode
        self.hop_dis = get_hop_distance(self.num_node, self.inward, max_hop)
        self.A = getattr(self, mode)().astype(np.float32)

    def spatial(self) -> np.ndarray:
        V = self.num_node
        iden = edge2mat(self.self_link, V)
        inward = normalize_digraph(edge2mat(self.inward, V))
        outward = normalize_digraph(edge2mat(self.outward, V))
        return np.stack((iden, inward, outward))

    def stgcn_spatial(self) -> np.ndarray:
        adj = (self.hop_dis <= self.max_hop).astype(np.float64)
        norm = normalize_digraph(adj)
        dc = self.layout.center_distance()
        # closer[j, i]: joint j is at least as far from the center as joint i
        closer = dc[:, None] >= dc[None, :]
        A = []
        for hop in range(self.max_hop + 1):
            at_hop = self.hop_dis == hop
            A.append(np.where(at_hop & closer, norm, 0.0))
            if hop > 0:
                A.append(np.where(at_hop & ~closer, norm, 0.0))
        return np.stack(A)

    def binary_adj(self) -> np.ndarray:
        return edge2mat(self.inward + self.outward, self.num_node)[None]
