"""Skeleton layouts (joints, edges, center, left/right pairs) and graphs."""
from .graph import Graph, get_hop_distance, k_adjacency, normalize_digraph
from .layouts import LAYOUTS, SkeletonLayout, get_layout, persons_layout

__all__ = ['Graph', 'LAYOUTS', 'SkeletonLayout', 'get_layout', 'persons_layout', 'get_hop_distance',
           'normalize_digraph', 'k_adjacency']
