"""Known-answer tests of the vectorised heatmap functions (PoseC3D targets)."""
import numpy as np

from pyskl.datasets.transforms.heatmap import keypoint_heatmaps, limb_heatmaps


def test_keypoint_peak_value_and_window():
    kp = np.array([[[[10.0, 5.0]]]])            # (M=1, T=1, V=1, 2)
    score = np.array([[[0.8]]])
    hm = keypoint_heatmaps(kp, score, (12, 20), sigma=1.0)
    assert hm.shape == (1, 1, 12, 20)
    assert np.unravel_index(hm[0, 0].argmax(), (12, 20)) == (5, 10)
    assert np.isclose(hm[0, 0, 5, 10], 0.8)
    assert np.isclose(hm[0, 0, 5, 11], 0.8 * np.exp(-0.5))            # one pixel away
    assert np.isclose(hm[0, 0, 6, 11], 0.8 * np.exp(-1.0))
    assert hm[0, 0, 5, 14] == 0 and hm[0, 0, 9, 10] == 0              # beyond 3 sigma: 0
    assert hm[0, 0, 5, 13] > 0                                        # window edge included


def test_keypoint_low_score_skipped_and_max_over_persons():
    kp = np.array([[[[3.0, 3.0]]], [[[3.0, 3.0]]]])                   # two persons, same spot
    score = np.array([[[0.3]], [[0.6]]])
    hm = keypoint_heatmaps(kp, score, (8, 8), sigma=1.0)
    assert np.isclose(hm.max(), 0.6)
    hm0 = keypoint_heatmaps(kp, np.zeros_like(score) + 1e-5, (8, 8), sigma=1.0)
    assert hm0.max() == 0


def test_limb_on_segment_is_min_score_and_zero_far_away():
    kp = np.array([[[[2.0, 5.0], [12.0, 5.0]]]])                       # horizontal limb y=5
    score = np.array([[[0.9, 0.5]]])
    hm = limb_heatmaps(kp, score, [(0, 1)], (12, 16), sigma=1.0)
    assert hm.shape == (1, 1, 12, 16)
    np.testing.assert_allclose(hm[0, 0, 5, 2:13], 0.5)                # on the segment
    assert np.isclose(hm[0, 0, 6, 7], 0.5 * np.exp(-0.5))              # 1 px off the line
    assert np.isclose(hm[0, 0, 5, 14], 0.5 * np.exp(-2.0))             # 2 px past the end
    assert hm[0, 0, 10, 7] == 0 and hm[0, 0, 5, 0] > 0                 # 5 px off: outside window


def test_short_limb_is_a_keypoint_at_its_start():
    kp = np.array([[[[4.0, 4.0], [4.3, 4.2]]]])
    score = np.array([[[1.0, 0.7]]])
    hm = limb_heatmaps(kp, score, [(0, 1)], (9, 9), sigma=1.0)
    ref = keypoint_heatmaps(kp[:, :, :1], np.full((1, 1, 1), 0.7), (9, 9), sigma=1.0)
    np.testing.assert_allclose(hm, ref, rtol=1e-6)
