import numpy as np
import pytest

from pyskl.datasets.transforms import PreNormalize2D, PreNormalize3D, RandomRot, RandomScale


def test_prenormalize2d_maps_image_to_unit_square():
    kp = np.array([[[[0, 0], [320, 240], [160, 120]]]], np.float32)  # (1, 1, 3, 2)
    score = np.array([[[1.0, 1.0, 0.0]]], np.float32)
    r = PreNormalize2D()(dict(keypoint=kp, keypoint_score=score, img_shape=(240, 320)))
    np.testing.assert_allclose(r['keypoint'][0, 0], [[-1, -1], [1, 1], [0, 0]])
    assert 'keypoint_score' in r  # not merged here
    r = PreNormalize2D(img_shape=(240, 320))(dict(keypoint=kp.copy()))
    np.testing.assert_allclose(r['keypoint'][0, 0, 2], [0, 0])


def test_prenormalize2d_masks_low_scores_and_rejects_nan():
    kp = np.full((1, 1, 2, 2), 100, np.float32)
    r = PreNormalize2D(threshold=0.5)(dict(keypoint=kp, keypoint_score=np.array([[[0.4, 0.9]]]),
                                           img_shape=(100, 100)))
    np.testing.assert_allclose(r['keypoint'][0, 0], [[0, 0], [1, 1]])
    kp[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match='clipA'):
        PreNormalize2D()(dict(keypoint=kp, frame_dir='clipA'))


def test_prenormalize3d_centers_and_aligns_spine_and_shoulders():
    from pyskl.datasets.transforms.functional import rotation_3d
    rng = np.random.RandomState(0)
    canon = rng.randn(25, 3).astype(np.float32)
    canon[0], canon[1] = [0, 0, -1], [0, 0, 0]      # spine base -> spine mid along +z
    canon[4], canon[8] = [-0.5, 0, 0.5], [0.5, 0, 0.5]  # shoulders along x, level
    rot = rotation_3d(np.array([0.4, -0.7, 1.1]))
    sk = np.zeros((2, 6, 25, 3), np.float32)
    sk[0] = canon @ rot.T + np.array([3, -2, 5])
    sk[1, 4:] = 1.0  # second person present in fewer frames
    r = PreNormalize3D()(dict(keypoint=sk, total_frames=6))
    out = r['keypoint']
    # a rigid motion that undoes the random one: the canonical skeleton again
    np.testing.assert_allclose(out[0, 0], canon, atol=1e-4)
    np.testing.assert_allclose(r['body_center'], sk[0, 0, 1], atol=1e-5)
    assert r['total_frames'] == 6


def test_prenormalize3d_drops_empty_frames():
    sk = np.zeros((1, 5, 25, 3), np.float32)
    sk[0, 1:4] = np.random.RandomState(1).randn(3, 25, 3)
    r = PreNormalize3D()(dict(keypoint=sk))
    assert r['keypoint'].shape[1] == 3 and r['total_frames'] == 3


def test_random_scale_per_channel_within_range():
    np.random.seed(0)
    kp = np.ones((1, 2, 3, 2), np.float32)
    for _ in range(20):
        out = RandomScale(scale=0.1)(dict(keypoint=kp.copy()))['keypoint']
        assert np.all((out >= 0.9) & (out <= 1.1))
        assert np.allclose(out[..., 0], out[0, 0, 0, 0])  # one factor per channel


def test_random_rot_2d_covers_symmetric_range_and_keeps_norm():
    kp = np.zeros((1, 1, 1, 2), np.float32)
    kp[..., 0] = 1
    np.random.seed(0)
    angles = []
    for _ in range(400):
        out = RandomRot(theta=0.3)(dict(keypoint=kp.copy()))['keypoint'][0, 0, 0]
        assert abs(np.linalg.norm(out) - 1) < 1e-5
        angles.append(np.arctan2(out[1], out[0]))
    angles = np.array(angles)
    # PYSKL's bug sampled [-0.3, 1): ours stays in [-0.3, 0.3] and uses both signs
    assert angles.max() <= 0.3 + 1e-6 and angles.min() >= -0.3 - 1e-6
    assert angles.max() > 0.25 and angles.min() < -0.25


def test_random_rot_3d_is_rigid():
    np.random.seed(0)
    kp = np.random.randn(1, 3, 4, 3).astype(np.float32)
    out = RandomRot(theta=0.3)(dict(keypoint=kp.copy()))['keypoint']
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), np.linalg.norm(kp, axis=-1),
                               rtol=1e-5)


def test_flip_mirrors_x_and_swaps_left_right():
    from pyskl.datasets.transforms import Flip
    kp = np.zeros((1, 1, 17, 2), np.float32)
    kp[0, 0, 5] = [100, 50]   # left shoulder
    kp[0, 0, 6] = [140, 52]   # right shoulder
    score = np.zeros((1, 1, 17), np.float32)
    score[0, 0, 5], score[0, 0, 6] = 0.2, 0.9
    r = Flip(flip_ratio=1.0, layout='coco')(dict(keypoint=kp, keypoint_score=score,
                                                img_shape=(100, 200)))
    assert r['flip'] is True
    # reference default: x -> w - x (200 - 140 = 60)
    np.testing.assert_allclose(r['keypoint'][0, 0, 5], [60, 52])   # was the right shoulder
    np.testing.assert_allclose(r['keypoint'][0, 0, 6], [100, 50])
    assert (r['keypoint'][0, 0, 0] == 0).all()                     # missing joint stays at 0
    np.testing.assert_allclose(r['keypoint_score'][0, 0, [5, 6]], [0.9, 0.2])
    twice = Flip(flip_ratio=1.0, layout='coco')(dict(r))
    np.testing.assert_allclose(twice['keypoint'], kp)
    # pixel-index coordinates: x -> w - 1 - x (199 - 140 = 59)
    r = Flip(flip_ratio=1.0, layout='coco', pixel_center=True)(
        dict(keypoint=kp.copy(), keypoint_score=score.copy(), img_shape=(100, 200)))
    np.testing.assert_allclose(r['keypoint'][0, 0, 5], [59, 52])
    assert Flip(flip_ratio=0.0, layout='coco')(dict(keypoint=kp, img_shape=(1, 1)))['flip'] is False
    with pytest.raises(ValueError, match='equal length'):
        Flip(left_kp=[1, 2], right_kp=[3])


def test_flip3d_negates_x_and_swaps_left_right_by_hand():
    from pyskl.datasets.transforms import Flip3D
    kp = np.zeros((1, 1, 15, 3), np.float32)
    kp[0, 0, 2] = [0.01, 0.0, 0.3]       # torso: no partner
    kp[0, 0, 3] = [0.2, 0.5, 0.1]        # SBU pair (3, 6)
    kp[0, 0, 6] = [-0.25, 0.52, 0.12]
    score = np.linspace(0.1, 0.9, 15, dtype=np.float32).reshape(1, 1, 15)
    r = Flip3D(flip_ratio=1.0, layout='sbu')(dict(keypoint=kp, keypoint_score=score))
    assert r['flip'] is True
    np.testing.assert_array_equal(r['keypoint'][0, 0, [2, 3, 6]],
                                  np.float32([[-0.01, 0, 0.3], [0.25, 0.52, 0.12],
                                              [-0.2, 0.5, 0.1]]))
    assert (r['keypoint'][0, 0, 0] == 0).all()                      # missing stays missing
    np.testing.assert_array_equal(r['keypoint_score'][0, 0, [3, 6]], score[0, 0, [6, 3]])
    assert kp[0, 0, 3, 0] == np.float32(0.2)                        # the input is not changed
    same = Flip3D(flip_ratio=0.0, layout='sbu')(dict(keypoint=kp))
    assert same['flip'] is False and same['keypoint'] is kp
    r = Flip3D(flip_ratio=1.0, left_kp=[3], right_kp=[6])(dict(keypoint=kp))
    np.testing.assert_array_equal(r['keypoint'][0, 0, 3], np.float32([0.25, 0.52, 0.12]))


def test_flip3d_errors_name_the_sample():
    from pyskl.datasets.transforms import Flip3D
    with pytest.raises(ValueError, match='equal length'):
        Flip3D(left_kp=[1, 2], right_kp=[3])
    with pytest.raises(ValueError, match="'clipB'.*not"):
        Flip3D(flip_ratio=1.0, layout='sbu')(dict(keypoint=np.zeros((1, 2, 15, 2)),
                                                  frame_dir='clipB'))
    for ratio in (1.0, 0.0):            # a wrong layout is an error, flipped or not
        with pytest.raises(ValueError, match="'clipC'.*outside"):
            Flip3D(flip_ratio=ratio, layout='sbu_x2')(dict(keypoint=np.zeros((2, 2, 15, 3)),
                                                           frame_dir='clipC'))
