"""PoseC3D heatmap volumes: known answers, a loop reference, flip, torch path."""
import math

import numpy as np
import pytest
import torch

from pyskl.datasets.transforms import FormatShape, GeneratePoseTarget
from pyskl.datasets.transforms.heatmap import keypoint_heatmaps, limb_heatmaps
from pyskl.models.utils.heatmap import HeatmapDrawer
from pyskl.skeleton import get_layout
from pyskl.skeleton.layouts import swap_index

# MMAction2 1.2.0's GeneratePoseTarget default `skeletons` (its 17 COCO limbs, in channel
# order), typed here from its source as the known answer for the coco layout's limbs
COCO_LIMBS = ((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8), (8, 10),
              (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16), (11, 12))


def test_one_heatmap_specification_for_the_transform_and_the_device_drawer():
    """Both drawers resolve their arguments through one HeatmapSpec: the coco layout's
    limbs (MMAction2's 17, in its channel order) and flip pairs without a layout, the
    layout's own otherwise -- no second COCO list anywhere."""
    for kw in (dict(), dict(with_limb=True, double=True), dict(layout='jhmdb', with_limb=True),
               dict(layout='nturgb+d', with_kp=False, with_limb=True, symmetric_window=True)):
        assert GeneratePoseTarget(**kw).spec == HeatmapDrawer(**kw).spec
    spec = GeneratePoseTarget().spec
    assert spec.skeletons == COCO_LIMBS == get_layout('coco').heatmap_limbs
    assert spec.left_kp == (1, 3, 5, 7, 9, 11, 13, 15)
    assert spec.right_kp == (2, 4, 6, 8, 10, 12, 14, 16)
    assert GeneratePoseTarget(layout='jhmdb').spec.skeletons == get_layout('jhmdb').inward
    with pytest.raises(ValueError, match='sigma'):
        HeatmapDrawer(sigma=0)
    with pytest.raises(ValueError, match='both False'):
        GeneratePoseTarget(with_kp=False, with_limb=False)


# ---------------------------------------------------------------- loop reference
def _win(lo, hi, s, size, symmetric=False):
    if symmetric:
        return max(math.ceil(lo - 3 * s), 0), min(math.floor(hi + 3 * s) + 1, size)
    # MMAction2 / PYSKL: max(int(lo - 3s), 0), min(int(hi + 3s) + 1, size)
    return max(int(lo - 3 * s), 0), min(int(hi + 3 * s) + 1, size)


def ref_keypoint(kp, score, shape, s, eps=1e-4, symmetric=False):
    """Per-person, per-frame, per-keypoint loops: the reference semantics."""
    M, T, V = score.shape
    kp = kp.astype(np.float64)
    out = np.zeros((T, V) + tuple(shape), np.float32)
    for m in range(M):
        for t in range(T):
            for v in range(V):
                if score[m, t, v] < eps:
                    continue
                x0, x1 = _win(kp[m, t, v, 0], kp[m, t, v, 0], s, shape[1], symmetric)
                y0, y1 = _win(kp[m, t, v, 1], kp[m, t, v, 1], s, shape[0], symmetric)
                for y in range(y0, y1):
                    for x in range(x0, x1):
                        d2 = (x - kp[m, t, v, 0]) ** 2 + (y - kp[m, t, v, 1]) ** 2
                        val = score[m, t, v] * math.exp(-d2 / 2 / s ** 2)
                        out[t, v, y, x] = max(out[t, v, y, x], val)
    return out


def ref_limb(kp, score, limbs, shape, s, eps=1e-4, symmetric=False):
    M, T, V = score.shape
    out = np.zeros((T, len(limbs)) + tuple(shape), np.float32)
    for m in range(M):
        for t in range(T):
            for li, (a, b) in enumerate(limbs):
                w = min(score[m, t, a], score[m, t, b])
                if w < eps:
                    continue
                A, B = kp[m, t, a].astype(np.float64), kp[m, t, b].astype(np.float64)
                if not symmetric and ((A - B) ** 2).sum() < 1:
                    # reference: a sub-pixel limb is the start keypoint, start score
                    one = ref_keypoint(kp[m:m + 1, t:t + 1, [a]], score[m:m + 1, t:t + 1, [a]],
                                       shape, s, eps)
                    out[t, li] = np.maximum(out[t, li], one[0, 0])
                    continue
                short = ((A - B) ** 2).sum() == 0
                lo, hi = np.minimum(A, B), np.maximum(A, B)
                x0, x1 = _win(lo[0], hi[0], s, shape[1], symmetric)
                y0, y1 = _win(lo[1], hi[1], s, shape[0], symmetric)
                for y in range(y0, y1):
                    for x in range(x0, x1):
                        P = np.array([x, y], np.float64)
                        if short:
                            d2 = ((P - A) ** 2).sum()
                        else:
                            c = np.clip(np.dot(P - A, B - A) / ((B - A) ** 2).sum(), 0, 1)
                            d2 = ((P - A - c * (B - A)) ** 2).sum()
                        out[t, li, y, x] = max(out[t, li, y, x], w * math.exp(-d2 / 2 / s ** 2))
    return out


def _random_pose(rng, M=2, T=3, V=17, size=(20, 24)):
    kp = rng.uniform(-4, max(size) + 4, (M, T, V, 2)).astype(np.float32)
    score = rng.uniform(0, 1, (M, T, V)).astype(np.float32)
    score[score < 0.15] = 0
    return kp, score


# ---------------------------------------------------------------- known answers
def test_keypoint_peak_value_neighbour_and_window():
    kp = np.array([[[[10., 12.]]]], np.float32)
    score = np.array([[[0.8]]], np.float32)
    hm = keypoint_heatmaps(kp, score, (32, 32), sigma=1.0)
    assert hm.shape == (1, 1, 32, 32)
    assert np.unravel_index(hm[0, 0].argmax(), (32, 32)) == (12, 10)   # (row y, col x)
    assert hm[0, 0, 12, 10] == pytest.approx(0.8)
    assert hm[0, 0, 12, 11] == pytest.approx(0.8 * math.exp(-0.5))
    assert hm[0, 0, 13, 11] == pytest.approx(0.8 * math.exp(-1.0))
    # window: columns within 3 sigma, [7, 13], symmetric
    assert hm[0, 0, 12, 13] == pytest.approx(0.8 * math.exp(-4.5))
    assert hm[0, 0, 12, 7] == pytest.approx(0.8 * math.exp(-4.5))
    assert hm[0, 0, 12, 14] == 0 and hm[0, 0, 12, 6] == 0


def test_limb_on_segment_weighted_by_smaller_score_and_zero_far_away():
    kp = np.array([[[[5., 5.], [20., 5.]]]], np.float32)
    score = np.array([[[0.9, 0.6]]], np.float32)
    hm = limb_heatmaps(kp, score, [(0, 1)], (32, 32), sigma=1.0)
    assert hm.shape == (1, 1, 32, 32)
    np.testing.assert_allclose(hm[0, 0, 5, 5:21], 0.6, rtol=1e-6)        # on the segment
    assert hm[0, 0, 7, 12] == pytest.approx(0.6 * math.exp(-2.0))        # 2 px off
    assert hm[0, 0, 5, 22] == pytest.approx(0.6 * math.exp(-2.0))        # 2 px past B
    assert hm[0, 0, 20, 12] == 0 and hm[0, 0, 5, 30] == 0                # far away


def test_low_scores_are_skipped_and_persons_take_the_max():
    kp = np.array([[[[4., 4.]]], [[[4., 4.]]], [[[9., 9.]]]], np.float32)   # 3 persons
    score = np.array([[[0.3]], [[0.7]], [[1e-5]]], np.float32)
    hm = keypoint_heatmaps(kp, score, (16, 16), sigma=0.6)
    assert hm[0, 0, 4, 4] == pytest.approx(0.7)
    assert hm[0, 0, 9, 9] == 0                                           # below eps


# ---------------------------------------------------------------- loop reference
@pytest.mark.parametrize('symmetric', [False, True])
@pytest.mark.parametrize('seed', [0, 1])
def test_vectorised_maps_equal_the_loop_reference(seed, symmetric):
    rng = np.random.RandomState(seed)
    kp, score = _random_pose(rng)
    kp[0, 0, 1] = kp[0, 0, 0] + 0.3                      # a limb shorter than 1 px
    kp[1, 1, 2] = kp[1, 1, 0]                            # a limb of length 0
    kp[1, 2, 3] = (-0.7, 5.2)                            # windows truncated toward zero
    kp[1, 2, 4] = (-2.5, -2.1)
    np.testing.assert_allclose(
        keypoint_heatmaps(kp, score, (20, 24), 0.6, symmetric_window=symmetric),
        ref_keypoint(kp, score, (20, 24), 0.6, symmetric=symmetric), atol=1e-6)
    np.testing.assert_allclose(
        limb_heatmaps(kp, score, COCO_LIMBS, (20, 24), 0.6, symmetric_window=symmetric),
        ref_limb(kp, score, COCO_LIMBS, (20, 24), 0.6, symmetric=symmetric), atol=1e-5)
    # a wide sigma exercises several limb patch sizes
    np.testing.assert_allclose(
        limb_heatmaps(kp, score, COCO_LIMBS, (20, 24), 1.7, symmetric_window=symmetric),
        ref_limb(kp, score, COCO_LIMBS, (20, 24), 1.7, symmetric=symmetric), atol=1e-5)


def test_reference_window_takes_one_more_pixel_on_the_low_side():
    kp = np.array([[[[10.5, 12.]]]], np.float32)
    score = np.ones((1, 1, 1), np.float32)
    ref = keypoint_heatmaps(kp, score, (32, 32), sigma=1.0)
    sym = keypoint_heatmaps(kp, score, (32, 32), sigma=1.0, symmetric_window=True)
    # x window: reference [int(7.5), int(13.5) + 1) = [7, 14); symmetric [8, 14)
    assert ref[0, 0, 12, 7] == pytest.approx(math.exp(-3.5 ** 2 / 2)) and sym[0, 0, 12, 7] == 0
    np.testing.assert_array_equal(ref[0, 0, :, 8:], sym[0, 0, :, 8:])


def test_keypoints_and_limbs_channels_are_kp_then_limbs():
    rng = np.random.RandomState(2)
    kp, score = _random_pose(rng, M=1)
    r = GeneratePoseTarget(with_kp=True, with_limb=True)(
        dict(keypoint=kp, keypoint_score=score, img_shape=(20, 24)))
    vol = r['imgs']
    assert vol.shape == (3, 17 + len(COCO_LIMBS), 20, 24)
    np.testing.assert_array_equal(vol[:, :17], keypoint_heatmaps(kp, score, (20, 24), 0.6))
    np.testing.assert_array_equal(vol[:, 17:], limb_heatmaps(kp, score, COCO_LIMBS, (20, 24), 0.6))
    assert vol[:, 17:].max() > 0          # the anchor bug left these channels empty


def test_double_appends_the_mirrored_volume_with_left_right_swapped():
    rng = np.random.RandomState(3)
    kp, score = _random_pose(rng, M=2, T=4)
    left, right = (1, 3, 5, 7, 9, 11, 13, 15), (2, 4, 6, 8, 10, 12, 14, 16)
    gen = GeneratePoseTarget(with_kp=True, with_limb=True, double=True)
    vol = gen(dict(keypoint=kp, keypoint_score=score, img_shape=(20, 24)))['imgs']
    assert vol.shape[0] == 8
    orig, flipped = vol[:4], vol[4:]
    perm = swap_index(17, left, right)
    np.testing.assert_allclose(flipped[:, :17], orig[:, perm, :, ::-1], atol=1e-6)
    # limb (a, b) of the flipped clip is the mirror of limb (swap a, swap b)
    limbs = [tuple(p) for p in COCO_LIMBS]
    lperm = [limbs.index(tuple(sorted((perm[a], perm[b])))) if tuple(sorted((perm[a], perm[b])))
             in limbs else limbs.index((perm[b], perm[a])) for a, b in limbs]
    np.testing.assert_allclose(flipped[:, 17:], orig[:, 17:][:, lperm, :, ::-1], atol=1e-5)


def test_symmetric_windows_make_the_mirrored_skeleton_draw_the_mirrored_map():
    from pyskl.datasets.transforms.functional import flip_keypoints
    rng = np.random.RandomState(5)
    kp, score = _random_pose(rng, M=2, T=4)
    left, right = (1, 3, 5, 7, 9, 11, 13, 15), (2, 4, 6, 8, 10, 12, 14, 16)
    fkp, idx = flip_keypoints(kp, 24, left, right, pixel_center=True)
    for sym, exact in ((True, True), (False, False)):
        a = keypoint_heatmaps(kp, score, (20, 24), 0.6, symmetric_window=sym)
        b = keypoint_heatmaps(fkp, score[..., idx], (20, 24), 0.6, symmetric_window=sym)
        same = np.allclose(b, a[:, idx, :, ::-1], atol=1e-6)
        assert same == exact     # the reference's truncated windows are not mirror-exact


def test_bad_input_raises_named_errors():
    kp = np.full((1, 2, 17, 2), np.nan, np.float32)
    with pytest.raises(ValueError, match="sample 'clip7'.*NaN"):
        GeneratePoseTarget()(dict(keypoint=kp, img_shape=(8, 8), frame_dir='clip7'))
    with pytest.raises(ValueError, match='both False'):
        GeneratePoseTarget(with_kp=False, with_limb=False)
    with pytest.raises(ValueError, match='limb joint index'):
        limb_heatmaps(np.zeros((1, 1, 3, 2)), np.ones((1, 1, 3)), [(0, 5)], (8, 8), 0.6)


def test_format_shape_splits_views_and_clips():
    vol = np.arange(2 * 3 * 4 * 2 * 2, dtype=np.float32).reshape(6, 4, 2, 2)  # 2 views x 3 frames
    r = FormatShape('NCTHW_Heatmap')(dict(imgs=vol, clip_len=3, num_clips=1))
    assert r['imgs'].shape == (2, 4, 3, 2, 2)
    np.testing.assert_array_equal(r['imgs'][1, :, 0], vol[3])
    with pytest.raises(ValueError, match='multiple of clip_len'):
        FormatShape('NCTHW_Heatmap')(dict(imgs=vol, clip_len=4, num_clips=1, frame_dir='x'))
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(4)]
    r = FormatShape('NCTHW')(dict(imgs=frames, clip_len=2, num_clips=2))
    assert r['imgs'].shape == (2, 3, 2, 2, 2) and r['imgs'][1, 0, 1, 0, 0] == 3


# ---------------------------------------------------------------- torch path
def test_torch_drawer_equals_numpy_transform():
    rng = np.random.RandomState(4)
    kp, score = _random_pose(rng, M=2, T=3)
    gen = GeneratePoseTarget(with_kp=True, with_limb=True, double=True)
    ref = gen(dict(keypoint=kp, keypoint_score=score, img_shape=(20, 24)))['imgs']  # (2T, C, H, W)
    drawer = HeatmapDrawer(with_kp=True, with_limb=True, double=True)
    x = torch.from_numpy(np.concatenate([kp, score[..., None]], -1))[None]  # (1, M, T, V, 3)
    out = drawer(x, (20, 24))                                                 # (2, C, T, H, W)
    assert out.shape == (2, 17 + len(COCO_LIMBS), 3, 20, 24)
    np.testing.assert_allclose(out[0].permute(1, 0, 2, 3).numpy(), ref[:3], atol=1e-5)
    np.testing.assert_allclose(out[1].permute(1, 0, 2, 3).numpy(), ref[3:], atol=1e-5)


@pytest.mark.parametrize('symmetric', [False, True])
def test_torch_drawer_honours_its_arguments(symmetric):
    """sigma / use_score / with_kp used to be swallowed by a comment: the drawer
    must equal the numpy transform built with the same non-default arguments."""
    rng = np.random.RandomState(6)
    kp, score = _random_pose(rng, M=2, T=2)
    kp[0, 0, 1] = kp[0, 0, 0] + 0.4       # a sub-pixel limb
    args = dict(sigma=1.2, use_score=False, with_kp=False, with_limb=True, double=True,
                symmetric_window=symmetric)
    ref = GeneratePoseTarget(**args)(dict(keypoint=kp, keypoint_score=score,
                                          img_shape=(20, 24)))['imgs']
    x = torch.from_numpy(np.concatenate([kp, score[..., None]], -1))[None]
    out = HeatmapDrawer(**args)(x, (20, 24))
    assert out.shape == (2, len(COCO_LIMBS), 2, 20, 24)
    np.testing.assert_allclose(out[0].permute(1, 0, 2, 3).numpy(), ref[:2], atol=1e-5)
    np.testing.assert_allclose(out[1].permute(1, 0, 2, 3).numpy(), ref[2:], atol=1e-5)


def test_torch_drawer_rejects_unknown_arguments():
    with pytest.raises(TypeError, match='scalling'):
        HeatmapDrawer(scalling=2)
    with pytest.raises(ValueError, match='scaling'):
        HeatmapDrawer(scaling=2)


def test_one_view_reaches_the_model_without_a_copy():
    """The volume is channel-major in memory: FormatShape of a single view is a
    view of it (the transposed copy cost as much as the drawing)."""
    rng = np.random.RandomState(7)
    kp, score = _random_pose(rng, M=1, T=6)
    r = GeneratePoseTarget(with_kp=True, with_limb=True)(
        dict(keypoint=kp, keypoint_score=score, img_shape=(20, 24), clip_len=6, num_clips=1))
    vol = r['imgs']
    out = FormatShape('NCTHW_Heatmap')(dict(r))['imgs']
    assert out.shape == (1, 17 + len(COCO_LIMBS), 6, 20, 24) and out.flags.c_contiguous
    assert np.shares_memory(out, vol)
    np.testing.assert_array_equal(out[0], vol.transpose(1, 0, 2, 3))
