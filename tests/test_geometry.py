"""PoseCompact / Resize / crops / Flip keep keypoints on the image grid."""
import numpy as np
import pytest

from pyskl.datasets.transforms import (CenterCrop, Flip, PoseCompact, RandomResizedCrop,
                                       Resize)


def _marked(points, shape=(60, 80)):
    """One frame with pixel value i+1 at keypoint i (integer positions)."""
    img = np.zeros(shape + (1,), np.uint8)
    for i, (x, y) in enumerate(points):
        img[int(y), int(x), 0] = i + 1
    kp = np.array(points, np.float32)[None, None]        # (1, 1, V, 2)
    return dict(keypoint=kp, keypoint_score=np.ones(kp.shape[:3], np.float32),
                imgs=[img], img_shape=shape, frame_dir='grid')


def _check_on_grid(r, V):
    img = r['imgs'][0][..., 0]
    assert img.shape == tuple(r['img_shape'])
    for i in range(V):
        x, y = r['keypoint'][0, 0, i]
        ys, xs = np.nonzero(img == i + 1)
        assert len(xs), f'keypoint {i} left the image'
        # the marked pixels' centre is the keypoint (exact for integer moves and
        # nearest-neighbour integer upscaling)
        assert xs.mean() == pytest.approx(x, abs=1e-5) and ys.mean() == pytest.approx(y, abs=1e-5)


POINTS = [(20, 15), (50, 30), (35, 44), (60, 20)]


def test_pose_compact_crops_to_the_skeleton_box():
    r = PoseCompact(padding=0.25, threshold=10, hw_ratio=1.0, allow_imgpad=True)(_marked(POINTS))
    h, w = r['img_shape']
    assert abs(h - w) <= 1                     # hw_ratio 1
    assert w == pytest.approx((60 - 20) * 1.25, abs=1.5)
    _check_on_grid(r, len(POINTS))
    x, y, qw, qh = r['crop_quadruple']
    assert qw == pytest.approx(w / 80) and qh == pytest.approx(h / 60)


def test_pose_compact_pads_beyond_the_image_and_keeps_missing_joints_at_zero():
    pts = [(2, 3), (70, 55)]
    r = _marked(pts)
    r['keypoint'] = np.concatenate([r['keypoint'], np.zeros((1, 1, 1, 2), np.float32)], 2)
    r = PoseCompact(padding=0.5, hw_ratio=1.0, allow_imgpad=True)(r)
    assert r['img_shape'][0] > 60 and r['img_shape'][1] > 80
    assert (r['keypoint'][0, 0, 2] == 0).all()
    _check_on_grid(r, 2)


def test_resize_nearest_upscale_keeps_pixel_centres():
    r = Resize(scale=(160, 120), keep_ratio=False, interpolation='nearest',
               pixel_center=True)(_marked(POINTS))
    assert r['img_shape'] == (120, 160)
    np.testing.assert_allclose(r['scale_factor'], [2, 2])
    _check_on_grid(r, len(POINTS))
    r = Resize(scale=(-1, 30), pixel_center=True)(_marked(POINTS))        # short side 30
    assert r['img_shape'] == (30, 40)
    np.testing.assert_allclose(r['keypoint'][0, 0, 0], [(20 + .5) / 2 - .5, (15 + .5) / 2 - .5])


@pytest.mark.parametrize('seed', range(3))
def test_random_resized_crop_and_center_crop_move_keypoints_with_pixels(seed):
    np.random.seed(seed)
    r = RandomResizedCrop(area_range=(0.4, 0.6))(_marked(POINTS))
    h, w = r['img_shape']
    assert 0.38 * 60 * 80 <= h * w <= 0.62 * 60 * 80
    inside = [i for i, (x, y) in enumerate(r['keypoint'][0, 0]) if 0 <= x < w and 0 <= y < h]
    img = r['imgs'][0][..., 0]
    for i in inside:
        x, y = r['keypoint'][0, 0, i]
        assert img[int(y), int(x)] == i + 1
    r = CenterCrop(crop_size=(64, 50))(_marked(POINTS))
    assert r['img_shape'] == (50, 64)
    _check_on_grid(r, len(POINTS))


def test_flip_maps_keypoints_onto_the_flipped_pixels_and_swaps_pairs():
    r = Flip(flip_ratio=1.0, left_kp=[0], right_kp=[1], pixel_center=True)(_marked(POINTS))
    img = r['imgs'][0][..., 0]
    # joint 0 now holds the mirrored joint 1 (pixel value 2), and vice versa
    for j, value in [(0, 2), (1, 1), (2, 3), (3, 4)]:
        x, y = r['keypoint'][0, 0, j]
        assert img[int(y), int(x)] == value


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='positive'):
        Resize(scale=0)
    with pytest.raises(ValueError, match='area_range'):
        RandomResizedCrop(area_range=(0, 2))


def test_reference_keypoint_rules_are_the_default():
    """PYSKL / MMAction2: Resize scales x -> x * sx, Flip maps x -> w - x."""
    kp = np.array([[[[10., 20.], [0., 0.]]]], np.float32)
    r = Resize(scale=(64, 48), keep_ratio=False)(dict(keypoint=kp.copy(), img_shape=(96, 128)))
    np.testing.assert_allclose(r['keypoint'][0, 0, 0], [5., 10.])
    r = Flip(flip_ratio=1.0, left_kp=[0], right_kp=[1])(dict(keypoint=kp.copy(),
                                                              img_shape=(96, 128)))
    np.testing.assert_allclose(r['keypoint'][0, 0, 1], [118., 20.])     # 128 - 10, swapped
    np.testing.assert_allclose(r['keypoint'][0, 0, 0], [0., 0.])        # missing stays
