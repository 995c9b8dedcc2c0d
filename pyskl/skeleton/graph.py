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


def k_adjacency(A: np.ndarray, k: int, with_self: bool = False,
                self_factor: float = 1) -> np.ndarray:
    """Joints exactly ``k`` hops apart in the (V, V) adjacency ``A``, as 0/1.

    ``k = 0`` gives the identity; ``with_self`` adds ``self_factor * I``.
    Source: MS-G3D (Liu et al., CVPR 2020), "disentangled multi-scale
    aggregation".
    """
    A = np.asarray(A, dtype=np.float64)
    eye = np.eye(len(A))
    if k == 0:
        return eye
    reach = lambda n: np.minimum(np.linalg.matrix_power(A + eye, n), 1)  # noqa: E731
    Ak = reach(k) - reach(k - 1)
    return Ak + self_factor * eye if with_self else Ak


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
        ``binary_adj``: K=1, the symmetric 0/1 adjacency without self loops
        (MS-G3D builds its multi-scale graphs from it).
        ``random``: K=``num_filter`` matrices of size (V*nx_node)^2 drawn
        from N(init_off, init_std^2) with numpy's global generator (seeded by
        ``--seed``): the learnt-from-scratch graphs of DG-STGCN (Duan et al.,
        arXiv 2210.05895), which makes them parameters.

    Args:
        layout: layout name, custom layout dict, or :class:`SkeletonLayout`.
        mode: ``'spatial'``, ``'stgcn_spatial'``, ``'binary_adj'`` or ``'random'``.
        max_hop: neighbourhood radius for ``stgcn_spatial``.
        nx_node, num_filter, init_std, init_off: keyword arguments of
            ``random`` (other modes accept and ignore them, with a warning if
            they differ from the defaults 1, 3, 0.02, 0.04).

    Raises:
        ValueError: unknown mode. TypeError: an unknown argument.
    """

    MODES = ('spatial', 'stgcn_spatial', 'binary_adj', 'random')

    def __init__(self, layout: Union[str, dict, SkeletonLayout] = 'coco',
                 mode: str = 'spatial', max_hop: int = 1, **kwargs):
        random_args = dict(nx_node=1, num_filter=3, init_std=0.02, init_off=0.04)
        if mode == 'random':
            ignore_compat_args('Graph', {k: v for k, v in kwargs.items()
                                         if k not in random_args}, {})
            random_args.update(kwargs)
        else:
            ignore_compat_args('Graph', kwargs, random_args)
        self.nx_node, self.num_filter = random_args['nx_node'], random_args['num_filter']
        self.init_std, self.init_off = random_args['init_std'], random_args['init_off']
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

    def random(self) -> np.ndarray:
        V = self.num_node * self.nx_node
        return np.random.randn(self.num_filter, V, V) * self.init_std + self.init_off
