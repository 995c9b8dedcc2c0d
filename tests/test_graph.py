import numpy as np
import pytest

from pyskl.skeleton import LAYOUTS, Graph, get_layout

CHAIN = dict(name='chain', num_node=3, inward=[(0, 1), (2, 1)], center=1)


def test_spatial_mode_known_answer():
    A = Graph(CHAIN, mode='spatial').A
    assert A.shape == (3, 3, 3) and A.dtype == np.float32
    np.testing.assert_allclose(A[0], np.eye(3))
    np.testing.assert_allclose(A[1], [[0, 0, 0], [1, 0, 1], [0, 0, 0]])    # inward
    np.testing.assert_allclose(A[2], [[0, .5, 0], [0, 0, 0], [0, .5, 0]])  # outward


def test_stgcn_spatial_mode_known_answer():
    A = Graph(CHAIN, mode='stgcn_spatial').A
    third = 1 / 3
    np.testing.assert_allclose(A[0], np.diag([.5, third, .5]), rtol=1e-6)
    # centripetal: [j, i] with j at least as far from the center as i
    np.testing.assert_allclose(A[1], [[0, third, 0], [0, 0, 0], [0, third, 0]], rtol=1e-6)
    np.testing.assert_allclose(A[2], [[0, 0, 0], [.5, 0, .5], [0, 0, 0]], rtol=1e-6)
    # every column of the full normalised adjacency sums to one
    np.testing.assert_allclose(A.sum(0).sum(0), 1, rtol=1e-6)


def test_binary_adj_known_answer():
    A = Graph(CHAIN, mode='binary_adj').A
    np.testing.assert_array_equal(A[0], [[0, 1, 0], [1, 0, 1], [0, 1, 0]])


@pytest.mark.parametrize('name', sorted(LAYOUTS))
@pytest.mark.parametrize('mode', Graph.MODES)
def test_every_layout_and_mode(name, mode):
    lay = get_layout(name)
    A = Graph(name, mode).A
    assert A.shape[1:] == (lay.num_node, lay.num_node)
    assert np.isfinite(A).all()
    if mode == 'spatial':
        np.testing.assert_allclose(A[1].sum(0)[A[1].sum(0) > 0], 1, rtol=1e-6)
    flip = lay.flip_index
    assert sorted(flip.tolist()) == list(range(lay.num_node))
    assert (flip[flip] == np.arange(lay.num_node)).all()


def test_layout_sizes_and_errors():
    sizes = {k: v.num_node for k, v in LAYOUTS.items()}
    assert sizes == {'openpose': 18, 'coco': 17, 'nturgb+d': 25, 'handmp': 21, 'jhmdb': 15,
                     'body25': 25, 'body25b': 25, 'coco_wholebody': 133, 'utd_mhad': 20,
                     'sbu': 15}
    with pytest.raises(KeyError, match='unknown skeleton layout'):
        get_layout('kinect')
    with pytest.raises(ValueError, match='do not connect'):
        get_layout(dict(num_node=3, inward=[(0, 1)], center=0))
    with pytest.raises(ValueError, match='outside'):
        get_layout(dict(num_node=2, inward=[(0, 2)], center=0))
    with pytest.raises(ValueError, match='mode'):
        Graph('coco', mode='distance')


def test_swap_index_known_answer_and_errors():
    from pyskl.skeleton.layouts import swap_index
    assert swap_index(5, [1, 3], [2, 4]).tolist() == [0, 2, 1, 4, 3]
    with pytest.raises(ValueError, match='outside'):
        swap_index(3, [1], [5])


def test_persons_layout_two_sbu_persons_in_one_graph():
    from pyskl.skeleton import persons_layout
    sbu = get_layout('sbu')
    two = get_layout('sbu_x2')
    assert two == persons_layout('sbu', 2) and two.name == 'sbu_x2' and two.num_node == 30
    assert len(two.inward) == 2 * len(sbu.inward) + 1 and (17, 2) in two.inward
    assert (4 + 15, 3 + 15) in two.inward and (3 + 15, 6 + 15) in two.flip_pairs
    assert two.parents[17] == 2 and two.parents[16] == 17 and two.parents[1] == 2
    assert two.joint_names[15] == 'head_2' and two.coord_dims == 3
    assert Graph(layout='sbu_x2', mode='spatial').A.shape == (3, 30, 30)
    # layouts with their own bone pairs: the second copy's root hangs from the first's
    ntu = get_layout('nturgb+d_x2')
    root = [a for a, b in get_layout('nturgb+d').bone_pairs if a == b][0]
    assert ntu.parents[root + 25] == root and ntu.parents[25] == get_layout('nturgb+d').parents[0] + 25
    assert get_layout('coco_x3').num_node == 51
    with pytest.raises(KeyError, match='_x<P>'):
        get_layout('nosuch_x2')
    with pytest.raises(ValueError, match='positive integer'):
        persons_layout('sbu', 0)
