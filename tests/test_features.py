import numpy as np
import pytest

from pyskl.datasets.transforms import GenSkeFeat, JointToBone, MergeSkeFeat, ToMotion
from pyskl.skeleton import get_layout


def test_bone_pairs_derived_from_layout_edges():
    jh = get_layout('jhmdb')
    # neck->belly(center), face->neck, r.wrist->r.elbow->r.shoulder->neck
    assert jh.parents.tolist() == [1, 1, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10]
    coco = get_layout('coco')
    assert coco.bone_pairs[15] == (15, 13) and coco.bone_pairs[11] == (11, 5)
    assert coco.bone_pairs[0] == (0, 0)
    ntu = get_layout('nturgb+d')
    assert ntu.parents[20] == 20 and ntu.parents[0] == 1 and ntu.parents[3] == 2


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
