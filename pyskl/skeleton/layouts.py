"""One definition per skeleton layout.

Everything that depends on the joint topology -- graph adjacency
(:class:`pyskl.skeleton.Graph`), bone pairs (``JointToBone``) and left/right
flip pairs -- is derived from a :class:`SkeletonLayout` here, never from a
second hand-typed list.

Edges are ``(child, parent)`` pairs in the PYSKL ``inward`` convention. The
bone of joint ``v`` is ``keypoint[v] - keypoint[parent(v)]``. For the named
layouts of PYSKL / MMAction2 (``coco``, ``openpose``, ``nturgb+d``, ``handmp``)
the bone pairs are their ``JointToBone`` lists, the inputs every published
bone-stream checkpoint was trained on; these differ from the graph at the
COCO hips (parent: nose) and the NTU hand tips (parent: thumb). Other layouts
(``jhmdb``, custom dicts) derive them from the graph: the parent is the
neighbour one hop closer to ``center`` (the center's bone is zero). A custom
layout may also name its own ``bone_pairs``.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

Edge = Tuple[int, int]


@dataclass(frozen=True)
class SkeletonLayout:
    """A skeleton topology.

    Args:
        name: layout name used in configs (``graph_cfg.layout``, ``dataset=``).
        num_node: number of joints V.
        inward: edges ``(child, parent)``; the graph is their undirected union.
        center: index of the center joint (root of the bone tree).
        flip_pairs: ``(left, right)`` joint pairs swapped by a horizontal flip.
        joint_names: optional names, one per joint.
        bone_pairs: optional ``(joint, parent)`` pairs, one for each joint
            (a joint paired with itself has a zero bone); empty: derived from
            the graph (see the module docstring).
        coord_dims: 2 for a 2D layout (a third channel is a confidence
            score), 3 for a 3D one; ``None`` (custom layouts): unknown, a third
            channel counts as a score only when the sample has
            ``keypoint_score``.
        limbs: optional joint pairs of the PoseC3D limb heatmaps, in channel
            order; empty: the graph edges (``inward``). ``coco`` names
            MMAction2's 17 limbs, the channels its limb checkpoints were trained on.

    Raises:
        ValueError: an edge or pair index outside ``[0, num_node)``, a self
            loop, a graph that is not connected, bone pairs that do not give
            each joint exactly one parent, or ``coord_dims`` not in (2, 3, None).
    """

    name: str
    num_node: int
    inward: Tuple[Edge, ...]
    center: int
    flip_pairs: Tuple[Edge, ...] = ()
    joint_names: Tuple[str, ...] = field(default=())
    bone_pairs: Tuple[Edge, ...] = ()
    coord_dims: Optional[int] = None
    limbs: Tuple[Edge, ...] = ()

    def __post_init__(self):
        V = self.num_node
        for a, b in tuple(self.inward) + tuple(self.flip_pairs) + tuple(self.limbs):
            if not (0 <= a < V and 0 <= b < V):
                raise ValueError(f'layout {self.name!r}: pair ({a}, {b}) outside [0, {V})')
        for a, b in self.inward:
            if a == b:
                raise ValueError(f'layout {self.name!r}: self loop ({a}, {b}) in edges')
        if not 0 <= self.center < V:
            raise ValueError(f'layout {self.name!r}: center {self.center} outside [0, {V})')
        if np.isinf(self.center_distance()).any():
            raise ValueError(f'layout {self.name!r}: the edges do not connect all {V} joints')
        if self.bone_pairs:
            joints = sorted(a for a, _ in self.bone_pairs)
            if joints != list(range(V)) or any(
                    not 0 <= b < V for _, b in self.bone_pairs):
                raise ValueError(f'layout {self.name!r}: bone_pairs must give one (joint, parent) '
                                 f'pair for each of the {V} joints, parents in [0, {V}); got '
                                 f'{list(self.bone_pairs)}')
        if self.coord_dims not in (2, 3, None):
            raise ValueError(f'layout {self.name!r}: coord_dims must be 2, 3 or None, got '
                             f'{self.coord_dims!r}')

    @property
    def heatmap_limbs(self) -> Tuple[Edge, ...]:
        """Limb pairs of PoseC3D limb heatmaps: ``limbs``, else the graph edges."""
        return tuple(self.limbs) or tuple(self.inward)

    @property
    def outward(self) -> List[Edge]:
        return [(j, i) for i, j in self.inward]

    @property
    def self_link(self) -> List[Edge]:
        return [(i, i) for i in range(self.num_node)]

    def neighbours(self) -> List[List[int]]:
        nb: List[List[int]] = [[] for _ in range(self.num_node)]
        for i, j in self.inward:
            nb[i].append(j)
            nb[j].append(i)
        return nb

    def center_distance(self) -> np.ndarray:
        """Graph distance (hops) of every joint to the center: (V,) float."""
        dist = np.full(self.num_node, np.inf)
        dist[self.center] = 0
        nb = self.neighbours()
        queue = deque([self.center])
        while queue:
            u = queue.popleft()
            for w in nb[u]:
                if np.isinf(dist[w]):
                    dist[w] = dist[u] + 1
                    queue.append(w)
        return dist

    @property
    def tree_parents(self) -> np.ndarray:
        """Parent of each joint on the tree rooted at ``center``: (V,) int64.

        The parent is the neighbour one hop closer to the center (lowest
        index on ties); the center is its own parent.
        """
        dist = self.center_distance()
        nb = self.neighbours()
        parent = np.arange(self.num_node)
        for v in range(self.num_node):
            if v != self.center:
                parent[v] = min(w for w in nb[v] if dist[w] == dist[v] - 1)
        return parent

    @property
    def parents(self) -> np.ndarray:
        """Bone parent of each joint: (V,) int64 -- from ``bone_pairs`` when the
        layout names them, else :attr:`tree_parents`."""
        if not self.bone_pairs:
            return self.tree_parents
        parent = np.arange(self.num_node)
        for v, p in self.bone_pairs:
            parent[v] = p
        return parent

    @property
    def bones(self) -> List[Edge]:
        """``(v, parent(v))`` for every joint, in joint order."""
        return [(v, int(p)) for v, p in enumerate(self.parents)]

    @property
    def flip_index(self) -> np.ndarray:
        """Permutation that swaps left and right joints: (V,) int64."""
        return swap_index(self.num_node, [a for a, _ in self.flip_pairs],
                          [b for _, b in self.flip_pairs])


def swap_index(num_node: int, left: Sequence[int], right: Sequence[int]) -> np.ndarray:
    """(num_node,) int64 permutation exchanging ``left[i]`` and ``right[i]``.

    Raises:
        ValueError: lists of different lengths or indices outside ``[0, num_node)``.
    """
    if len(left) != len(right):
        raise ValueError(f'left/right joint lists differ in length: {len(left)} vs {len(right)}')
    idx = np.arange(num_node)
    if len(left):
        if max(max(left), max(right)) >= num_node or min(min(left), min(right)) < 0:
            raise ValueError(f'left/right joints {list(left)}/{list(right)} outside [0, {num_node})')
        idx[list(left)], idx[list(right)] = list(right), list(left)
    return idx


def _one_based(pairs):
    return tuple((i - 1, j - 1) for i, j in pairs)


LAYOUTS: Dict[str, SkeletonLayout] = {}


def _add(layout: SkeletonLayout):
    LAYOUTS[layout.name] = layout


# OpenPose-18 (Kinetics skeletons of ST-GCN).
_add(SkeletonLayout(
    name='openpose', num_node=18, center=1,
    inward=((4, 3), (3, 2), (7, 6), (6, 5), (13, 12), (12, 11), (10, 9), (9, 8),
            (11, 5), (8, 2), (5, 1), (2, 1), (0, 1), (15, 0), (14, 0), (17, 15),
            (16, 14)),
    flip_pairs=((5, 2), (6, 3), (7, 4), (11, 8), (12, 9), (13, 10), (15, 14), (17, 16)),
    joint_names=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'left_shoulder', 'left_elbow', 'left_wrist', 'right_hip', 'right_knee',
                 'right_ankle', 'left_hip', 'left_knee', 'left_ankle', 'right_eye',
                 'left_eye', 'right_ear', 'left_ear'),
    bone_pairs=((0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 6), (8, 2),
                (9, 8), (10, 9), (11, 5), (12, 11), (13, 12), (14, 0), (15, 0), (16, 14),
                (17, 15)),
    coord_dims=2))

# COCO-17 (HRNet 2D skeletons of PYSKL / MMAction2).
_add(SkeletonLayout(
    name='coco', num_node=17, center=0,
    inward=((15, 13), (13, 11), (16, 14), (14, 12), (11, 5), (12, 6), (9, 7), (7, 5),
            (10, 8), (8, 6), (5, 0), (6, 0), (1, 0), (3, 1), (2, 0), (4, 2)),
    flip_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
    joint_names=('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
                 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
                 'right_knee', 'left_ankle', 'right_ankle'),
    bone_pairs=((0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5), (8, 6),
                (9, 7), (10, 8), (11, 0), (12, 0), (13, 11), (14, 12), (15, 13), (16, 14)),
    coord_dims=2,
    limbs=((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8), (8, 10),
           (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16), (11, 12))))

# NTU RGB+D 25-joint Kinect v2 skeleton.
_add(SkeletonLayout(
    name='nturgb+d', num_node=25, center=20,
    inward=_one_based(((1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6),
                       (8, 7), (9, 21), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13),
                       (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19),
                       (22, 8), (23, 8), (24, 12), (25, 12))),
    flip_pairs=((4, 8), (5, 9), (6, 10), (7, 11), (12, 16), (13, 17), (14, 18), (15, 19),
                (21, 23), (22, 24)),
    joint_names=('spine_base', 'spine_mid', 'neck', 'head', 'left_shoulder', 'left_elbow',
                 'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot',
                 'right_hip', 'right_knee', 'right_ankle', 'right_foot', 'spine_shoulder',
                 'left_hand_tip', 'left_thumb', 'right_hand_tip', 'right_thumb'),
    bone_pairs=((0, 1), (1, 20), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5), (7, 6), (8, 20),
                (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14), (16, 0),
                (17, 16), (18, 17), (19, 18), (20, 20), (21, 22), (22, 7), (23, 24), (24, 11)),
    coord_dims=3))

# MediaPipe Hands, 21 landmarks (one hand: no left/right pairs).
_add(SkeletonLayout(
    name='handmp', num_node=21, center=0,
    inward=((1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7), (9, 0),
            (10, 9), (11, 10), (12, 11), (13, 0), (14, 13), (15, 14), (16, 15), (17, 0),
            (18, 17), (19, 18), (20, 19)),
    bone_pairs=((0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7),
                (9, 0), (10, 9), (11, 10), (12, 11), (13, 0), (14, 13), (15, 14), (16, 15),
                (17, 0), (18, 17), (19, 18), (20, 19)),
    coord_dims=2))

# JHMDB puppet, 15 joints (Jhuang et al., ICCV 2013; DD-Net's preprocessing, data/jhmdb/README.md).
_add(SkeletonLayout(
    name='jhmdb', num_node=15, center=1,
    inward=((2, 0), (0, 1), (3, 0), (4, 0), (5, 1), (6, 1), (7, 3), (11, 7), (8, 4),
            (12, 8), (9, 5), (13, 9), (10, 6), (14, 10)),
    flip_pairs=((3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14)),
    joint_names=('neck', 'belly', 'face', 'right_shoulder', 'left_shoulder', 'right_hip',
                 'left_hip', 'right_elbow', 'left_elbow', 'right_knee', 'left_knee',
                 'right_wrist', 'left_wrist', 'right_ankle', 'left_ankle'),
    coord_dims=2))


# OpenPose BODY_25 (Cao et al., OpenPose, TPAMI 2019; joint order of the
# OpenPose documentation, doc/02_output.md): COCO-18's joints with MidHip (8)
# and six foot joints; tree rooted at the neck.
_add(SkeletonLayout(
    name='body25', num_node=25, center=1,
    inward=((0, 1), (2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 6), (8, 1), (9, 8),
            (10, 9), (11, 10), (12, 8), (13, 12), (14, 13), (15, 0), (16, 0), (17, 15),
            (18, 16), (19, 14), (20, 19), (21, 14), (22, 11), (23, 22), (24, 11)),
    flip_pairs=((5, 2), (6, 3), (7, 4), (12, 9), (13, 10), (14, 11), (16, 15), (18, 17),
                (19, 22), (20, 23), (21, 24)),
    joint_names=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'left_shoulder', 'left_elbow', 'left_wrist', 'mid_hip', 'right_hip',
                 'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle',
                 'right_eye', 'left_eye', 'right_ear', 'left_ear', 'left_big_toe',
                 'left_small_toe', 'left_heel', 'right_big_toe', 'right_small_toe',
                 'right_heel'),
    coord_dims=2))

# OpenPose BODY_25B (OpenPose's experimental models, also Pose2Sim's default):
# the 17 COCO joints in COCO order, then upper neck, head top and the feet.
_add(SkeletonLayout(
    name='body25b', num_node=25, center=17,
    inward=((0, 18), (18, 17), (1, 0), (2, 0), (3, 1), (4, 2), (5, 17), (6, 17), (7, 5),
            (8, 6), (9, 7), (10, 8), (11, 5), (12, 6), (13, 11), (14, 12), (15, 13),
            (16, 14), (19, 15), (20, 19), (21, 15), (22, 16), (23, 22), (24, 16)),
    flip_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16),
                (19, 22), (20, 23), (21, 24)),
    joint_names=('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
                 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
                 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                 'right_ankle', 'upper_neck', 'head_top', 'left_big_toe', 'left_small_toe',
                 'left_heel', 'right_big_toe', 'right_small_toe', 'right_heel'),
    coord_dims=2))


# UTD-MHAD's Kinect v1 skeleton, 20 joints in the dataset's order
# (Chen et al., ICIP 2015; Skeleton_joint_order.txt of the release).
_add(SkeletonLayout(
    name='utd_mhad', num_node=20, center=2,
    inward=((0, 1), (1, 2), (3, 2), (4, 1), (5, 4), (6, 5), (7, 6), (8, 1), (9, 8), (10, 9),
            (11, 10), (12, 3), (13, 12), (14, 13), (15, 14), (16, 3), (17, 16), (18, 17),
            (19, 18)),
    flip_pairs=((4, 8), (5, 9), (6, 10), (7, 11), (12, 16), (13, 17), (14, 18), (15, 19)),
    joint_names=('head', 'shoulder_center', 'spine', 'hip_center', 'left_shoulder',
                 'left_elbow', 'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow',
                 'right_wrist', 'right_hand', 'left_hip', 'left_knee', 'left_ankle',
                 'left_foot', 'right_hip', 'right_knee', 'right_ankle', 'right_foot'),
    coord_dims=3))

# SBU Kinect Interaction, 15 joints (Yun et al., CVPRW 2012; the dataset's README order).
_add(SkeletonLayout(
    name='sbu', num_node=15, center=2,
    inward=((0, 1), (1, 2), (3, 1), (4, 3), (5, 4), (6, 1), (7, 6), (8, 7), (9, 2), (10, 9),
            (11, 10), (12, 2), (13, 12), (14, 13)),
    flip_pairs=((3, 6), (4, 7), (5, 8), (9, 12), (10, 13), (11, 14)),
    joint_names=('head', 'neck', 'torso', 'left_shoulder', 'left_elbow', 'left_hand',
                 'right_shoulder', 'right_elbow', 'right_hand', 'left_hip', 'left_knee',
                 'left_foot', 'right_hip', 'right_knee', 'right_foot'),
    coord_dims=3))

def _wholebody():
    """COCO-WholeBody, 133 keypoints (Jin et al., ECCV 2020; MMPose's
    ``coco_wholebody`` metainfo order): body 0-16 (COCO), feet 17-22, face
    23-90 (the 68 iBUG points), left hand 91-111, right hand 112-132 (hand
    point 0 is the wrist). Face contours are chains hung from the nose tip;
    each hand hangs from its body wrist."""
    coco = LAYOUTS['coco']
    inward = list(coco.inward) + [(17, 15), (18, 15), (19, 15), (20, 16), (21, 16), (22, 16)]
    f = 23                       # face point i is f + i
    chains = [range(0, 17), range(17, 22), range(22, 27), range(27, 31), range(31, 36),
              range(36, 42), range(42, 48), range(48, 60), range(60, 68)]
    inward.append((f + 30, 0))                       # nose tip <- body nose
    for c in chains:
        c = list(c)
        if 30 not in c:
            inward.append((f + c[0], f + 30))
        for a, b in zip(c[1:], c[:-1]):
            inward.append((f + a, f + b) if a != 30 else (f + b, f + a))
    hand = ((1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7), (9, 0), (10, 9),
            (11, 10), (12, 11), (13, 0), (14, 13), (15, 14), (16, 15), (17, 0), (18, 17),
            (19, 18), (20, 19))
    for root, wrist in ((91, 9), (112, 10)):
        inward.append((root, wrist))
        inward += [(root + a, root + b) for a, b in hand]
    face_mirror = [(i, 16 - i) for i in range(8)] + [(17 + i, 26 - i) for i in range(5)] + \
        [(31, 35), (32, 34), (36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46),
         (48, 54), (49, 53), (50, 52), (55, 59), (56, 58), (60, 64), (61, 63), (65, 67)]
    flip = list(coco.flip_pairs) + [(17, 20), (18, 21), (19, 22)] + \
        [(f + a, f + b) for a, b in face_mirror] + [(91 + i, 112 + i) for i in range(21)]
    fingers = ('thumb', 'forefinger', 'middle_finger', 'ring_finger', 'pinky_finger')
    hand_names = ['root'] + [f'{n}{k}' for n in fingers for k in range(1, 5)]
    names = list(coco.joint_names) + ['left_big_toe', 'left_small_toe', 'left_heel',
                                      'right_big_toe', 'right_small_toe', 'right_heel'] + \
        [f'face-{i}' for i in range(68)] + [f'left_hand_{n}' for n in hand_names] + \
        [f'right_hand_{n}' for n in hand_names]
    return SkeletonLayout(name='coco_wholebody', num_node=133, center=0, inward=tuple(inward),
                          flip_pairs=tuple(flip), joint_names=tuple(names), coord_dims=2)


_add(_wholebody())

def persons_layout(base: Union[str, dict, SkeletonLayout], persons: int = 2) -> SkeletonLayout:
    """``persons`` copies of ``base`` as one graph, for interaction data whose
    persons a model should see together (two-person graph: Li et al., "Two-person
    graph convolutional network for skeleton-based human interaction
    recognition", IEEE TCSVT 2023). Person ``p``'s joint ``v`` is node
    ``p * V + v``; each copy keeps ``base``'s edges, flip pairs and limbs, and
    person ``p``'s center is linked to person 0's center (``p >= 1``), so the
    graph is connected and the bone of person ``p``'s center is the displacement
    between the two bodies' centers. Bone pairs: ``base``'s for each copy, the
    copies' root (a joint paired with itself) parented to person 0's. Used with
    :class:`~pyskl.datasets.transforms.MergePersons`; in a config by the name
    ``'<base>_x<persons>'`` (``layout = 'sbu_x2'``), which is also its ``name``.

    Raises:
        ValueError: ``persons`` < 1 (and what :func:`get_layout` raises for ``base``).
    """
    base = get_layout(base)
    if int(persons) != persons or persons < 1:
        raise ValueError(f'persons_layout: persons must be a positive integer, got {persons!r}')
    P, V, c = int(persons), base.num_node, base.center

    def copies(pairs):
        return tuple((a + p * V, b + p * V) for p in range(P) for a, b in pairs)

    bone_pairs = ()
    if base.bone_pairs:
        bone_pairs = tuple((a + p * V, b + (p * V if (a != b or p == 0) else 0))
                           for p in range(P) for a, b in base.bone_pairs)
    names = tuple(f'{n}_{p + 1}' for p in range(P) for n in base.joint_names)
    return SkeletonLayout(
        name=f'{base.name}_x{P}', num_node=P * V, center=c,
        inward=copies(base.inward) + tuple((c + p * V, c) for p in range(1, P)),
        flip_pairs=copies(base.flip_pairs), joint_names=names, bone_pairs=bone_pairs,
        coord_dims=base.coord_dims, limbs=copies(base.limbs))


def get_layout(layout: Union[str, dict, SkeletonLayout]) -> SkeletonLayout:
    """Return a layout by name, or build a custom one from a config dict.

    Args:
        layout: a registered name (``'coco'``, ``'openpose'``, ``'nturgb+d'``,
            ``'handmp'``, ``'jhmdb'``, ``'body25'``, ``'body25b'``,
            ``'coco_wholebody'``, ``'utd_mhad'``, ``'sbu'``), a :class:`SkeletonLayout`, or a dict
            ``dict(num_node=V, inward=[(i, j), ...], center=c,
            flip_pairs=[...], name='my_layout', bone_pairs=[...],
            coord_dims=2)`` for a custom skeleton (the last three optional),
            or ``'<name>_x<P>'`` (``'sbu_x2'``): P persons of a registered
            layout in one graph (:func:`persons_layout`).

    Raises:
        KeyError: unknown layout name.
        ValueError: invalid custom layout (see :class:`SkeletonLayout`).
    """
    if isinstance(layout, SkeletonLayout):
        return layout
    if isinstance(layout, str) and layout not in LAYOUTS:
        m = re.fullmatch(r'(.+)_x([1-9][0-9]*)', layout)
        if m and m.group(1) in LAYOUTS:
            return persons_layout(m.group(1), int(m.group(2)))
    if isinstance(layout, str):
        if layout not in LAYOUTS:
            raise KeyError(f'unknown skeleton layout {layout!r}; known: {sorted(LAYOUTS)}, '
                           'a name + _x<P> (P persons in one graph: sbu_x2), or pass a '
                           'dict(num_node=..., inward=..., center=...)')
        return LAYOUTS[layout]
    if isinstance(layout, dict):
        cfg = dict(layout)
        cfg.setdefault('name', 'custom')
        cfg['inward'] = tuple(tuple(int(x) for x in e) for e in cfg['inward'])
        cfg['flip_pairs'] = tuple(tuple(int(x) for x in e) for e in cfg.get('flip_pairs', ()))
        cfg['joint_names'] = tuple(cfg.get('joint_names', ()))
        cfg['bone_pairs'] = tuple(tuple(int(x) for x in e) for e in cfg.get('bone_pairs', ()))
        return SkeletonLayout(**cfg)
    raise TypeError(f'layout must be a name, a dict or a SkeletonLayout, got {type(layout)}')


def layout_names() -> Sequence[str]:
    return sorted(LAYOUTS)
