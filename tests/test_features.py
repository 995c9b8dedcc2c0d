import numpy as np
import pytest

from pyskl.datasets.transforms import GenSkeFeat, JointToBone, MergeSkeFeat, ToMotion
from pyskl.skeleton import get_layout


# PYSKL / MMAction2 JointToBone lists (pose_related.py / pose_transforms.py),
# typed here independently of pyskl/skeleton/layouts.py.
REFERENCE_PAIRS = {
    'coco': [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5), (8, 6), (9, 7),
             (10, 8), (11, 0), (12, 0), (13, 11), (14, 12), (15, 13), (16, 14)],
    'nturgb+d': [(0, 1), (1, 20), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5), (7, 6), (8, 20),
                 (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14), (16, 0),
                 (17, 16), (18, 17), (19, 18), (21, 22), (20, 20), (22, 7), (23, 24), (24, 11)],
    'openpose': [(0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 6), (8, 2), (9, 8),
                 (10, 9), (11, 5), (12, 11), (13, 12), (14, 0), (15, 0), (16, 14), (17, 15)],
    'handmp': [(0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7), (9, 0),
               (10, 9), (11, 10), (12, 11), (13, 0), (14, 13), (15, 14), (16, 15), (17, 0),
               (18, 17), (19, 18), (20, 19)],
}


def _reference_bone(kp, pairs, score):
    """MMAction2's loop, spelled out: bone[v1] = kp[v1] - kp[v2], score mean."""
    bone = np.zeros_like(kp)
    for v1, v2 in pairs:
        bone[..., v1, :] = kp[..., v1, :] - kp[..., v2, :]
        if score:
            bone[..., v1, 2] = (kp[..., v1, 2] + kp[..., v2, 2]) / 2
    return bone


@pytest.mark.parametrize('layout', sorted(REFERENCE_PAIRS))
def test_named_layouts_use_the_reference_bone_pairs(layout):
    V = get_layout(layout).num_node
    rng = np.random.RandomState(0)
    kp = rng.rand(2, 4, V, 3).astype(np.float32)
    score = layout != 'nturgb+d'
    ours = JointToBone(layout, target='b')(dict(keypoint=kp.copy()))['b']
    np.testing.assert_allclose(ours, _reference_bone(kp, REFERENCE_PAIRS[layout], score),
                               rtol=1e-6, atol=1e-7)


def test_bone_pairs_differ_from_the_graph_where_the_references_do():
    coco, ntu = get_layout('coco'), get_layout('nturgb+d')
    # hips hang from the nose in PYSKL/MMAction2, from the shoulders in the graph
    assert coco.parents[11] == 0 and coco.tree_parents[11] == 5
    assert coco.parents[12] == 0 and coco.tree_parents[12] == 6
    # NTU hand tips: tip - thumb (reference) vs tip - hand (graph)
    assert ntu.parents[21] == 22 and ntu.tree_parents[21] == 7
    assert ntu.parents[23] == 24 and ntu.tree_parents[23] == 11


def test_bone_pairs_derived_from_edges_for_layouts_without_a_reference_list():
    jh = get_layout('jhmdb')
    # neck->belly(center), face->neck, r.wrist->r.elbow->r.shoulder->neck
    assert jh.parents.tolist() == [1, 1, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10]
    custom = get_layout(dict(num_node=3, inward=[(1, 0), (2, 1)], center=0))
    assert custom.parents.tolist() == [0, 0, 1]


def test_config_names_its_own_bone_pairs():
    kp = np.arange(3 * 2, dtype=np.float32).reshape(1, 1, 3, 2) ** 2
    custom = dict(num_node=3, inward=[(1, 0), (2, 1)], center=0,
                  bone_pairs=[(0, 0), (1, 0), (2, 0)])
    b = JointToBone(custom, target='b')(dict(keypoint=kp.copy()))['b']
    np.testing.assert_allclose(b[0, 0, 2], kp[0, 0, 2] - kp[0, 0, 0])
    b = JointToBone('coco', target='b', bone_pairs=[(v, 0) for v in range(17)])(
        dict(keypoint=np.random.rand(1, 1, 17, 2).astype(np.float32)))['b']
    assert b.shape == (1, 1, 17, 2)
    out = GenSkeFeat(custom, feats=['b'], bone_pairs=[(0, 0), (1, 0), (2, 1)])(
        dict(keypoint=kp.copy()))['keypoint']
    np.testing.assert_allclose(out[0, 0, 2], kp[0, 0, 2] - kp[0, 0, 1])
    with pytest.raises(ValueError, match='one \\(joint, parent\\) pair for each'):
        JointToBone('coco', bone_pairs=[(0, 0), (1, 0)])


def test_custom_2d_layout_keeps_the_score_a_score():
    """A custom layout dict with keypoint_score: the third channel is averaged
    by bones and motions, never differenced like a coordinate."""
    custom = dict(num_node=3, inward=[(1, 0), (2, 1)], center=0)
    kp = np.random.RandomState(1).rand(1, 4, 3, 2).astype(np.float32)
    sc = np.random.RandomState(2).rand(1, 4, 3).astype(np.float32)
    out = GenSkeFeat(custom, feats=['b', 'jm'])(
        dict(keypoint=kp.copy(), keypoint_score=sc.copy()))['keypoint']
    bone_score, motion_score = out[..., 2], out[..., 5]
    np.testing.assert_allclose(bone_score[0, :, 2], (sc[0, :, 2] + sc[0, :, 1]) / 2, rtol=1e-6)
    np.testing.assert_allclose(motion_score[0, :3, 0], (sc[0, :3, 0] + sc[0, 1:, 0]) / 2,
                               rtol=1e-6)
    # the same custom layout declared 2D: a merged 3-channel keypoint behaves the same
    kp3 = np.concatenate([kp, sc[..., None]], -1)
    out2 = GenSkeFeat(dict(custom, coord_dims=2), feats=['b', 'jm'])(
        dict(keypoint=kp3.copy()))['keypoint']
    np.testing.assert_allclose(out2, out, rtol=1e-6)
    # without keypoint_score and without coord_dims, 3 channels are coordinates (3D)
    out3 = GenSkeFeat(custom, feats=['jm'])(dict(keypoint=kp3.copy()))['keypoint']
    np.testing.assert_allclose(out3[0, :3, 0, 2], kp3[0, 1:, 0, 2] - kp3[0, :3, 0, 2], rtol=1e-6)


def test_joint_to_bone_values_2d_with_score():
    kp = np.zeros((1, 1, 15, 3), np.float32)
    kp[0, 0, :, 0] = np.arange(15)          # x = joint index
    kp[0, 0, :, 1] = 2 * np.arange(15)      # y = 2 * index
    kp[0, 0, :, 2] = np.linspace(0, 1, 15)  # score
    b = JointToBone('jhmdb', target='b')(dict(keypoint=kp))['b']
    # face (2) - neck (0) = (2, 4); score = mean of the two scores
    np.testing.assert_allclose(b[0, 0, 2], [2, 4, (kp[0, 0, 2, 2] + kp[0, 0, 0, 2]) / 2])
    np.testing.assert_allclose(b[0, 0, 1, :2], [0, 0])   # center
    # right wrist 11 - right elbow 7 = (4, 8)
    np.testing.assert_allclose(b[0, 0, 11, :2], [4, 8])


def test_joint_to_bone_3d_has_no_score_channel():
    kp = np.random.rand(1, 2, 25, 3).astype(np.float32)
    b = JointToBone('nturgb+d', target='b')(dict(keypoint=kp))['b']
    np.testing.assert_allclose(b[..., 3, :], kp[..., 3, :] - kp[..., 2, :], rtol=1e-6)


def test_joint_to_bone_rejects_wrong_joint_count():
    with pytest.raises(ValueError, match='jhmdb'):
        JointToBone('jhmdb')(dict(keypoint=np.zeros((1, 2, 17, 2)), frame_dir='v'))


def test_motion_values():
    x = np.array([0., 1., 4., 9.], np.float32).reshape(1, 4, 1, 1)
    m = ToMotion(source='j', target='jm')(dict(j=x))['jm']
    assert m.reshape(-1).tolist() == [1, 3, 5, 0]
    xs = np.zeros((1, 3, 1, 3), np.float32)
    xs[0, :, 0, 2] = [0.2, 0.4, 1.0]
    ms = ToMotion('coco', source='j', target='jm')(dict(j=xs))['jm']
    np.testing.assert_allclose(ms[0, :, 0, 2], [0.3, 0.7, 0.0])


def test_gen_ske_feat_concatenates_in_order_and_merges_score():
    rng = np.random.RandomState(0)
    kp = rng.rand(1, 5, 17, 2).astype(np.float32)
    score = rng.rand(1, 5, 17).astype(np.float32)
    r = GenSkeFeat('coco', feats=['j', 'b', 'jm', 'bm'])(
        dict(keypoint=kp.copy(), keypoint_score=score.copy()))
    assert 'keypoint_score' not in r and set(r) == {'keypoint'}
    out = r['keypoint']
    assert out.shape == (1, 5, 17, 12)
    np.testing.assert_allclose(out[..., :2], kp)
    np.testing.assert_allclose(out[..., 2], score)
    j = np.concatenate([kp, score[..., None]], -1)
    np.testing.assert_allclose(out[..., 5, 3:5], j[..., 5, :2] - j[..., 0, :2], rtol=1e-6)
    np.testing.assert_allclose(out[:, :-1, :, 6:8], np.diff(j[..., :2], axis=1), rtol=1e-5)


def test_gen_ske_feat_rejects_unknown_feature():
    with pytest.raises(ValueError, match='feats'):
        GenSkeFeat('coco', feats=['x'])


def test_merge_ske_feat_removes_sources():
    r = MergeSkeFeat(['a', 'b'])(dict(a=np.zeros((1, 1, 1, 2)), b=np.ones((1, 1, 1, 3))))
    assert set(r) == {'keypoint'} and r['keypoint'].shape == (1, 1, 1, 5)
