import numpy as np
import pytest

from pyskl.datasets.transforms import PoseDecode, UniformSampleFrames
from pyskl.datasets.transforms.functional import uniform_sample_indices


def test_short_video_loops_from_even_starts():
    # 5 frames, clips of 10: starts 0 and 5*1//2=2, each clip loops the video
    inds = uniform_sample_indices(5, 10, num_clips=2, test_mode=True)
    assert inds.tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4,
                             2, 3, 4, 0, 1, 2, 3, 4, 0, 1]


def test_fewer_frames_than_clips_start_at_clip_index():
    inds = uniform_sample_indices(2, 3, num_clips=3, test_mode=True)
    assert inds.tolist() == [0, 1, 0, 1, 0, 1, 0, 1, 0]


def test_exact_length_takes_every_frame():
    assert uniform_sample_indices(10, 10, test_mode=True).tolist() == list(range(10))


def test_between_one_and_two_clip_lengths_keeps_order_and_skips():
    inds = uniform_sample_indices(15, 10, num_clips=3, test_mode=True).reshape(3, 10)
    for clip in inds:
        d = np.diff(clip)
        assert set(d.tolist()) <= {1, 2}          # consecutive frames or one skipped
        assert clip[0] in (0, 1) and clip[-1] <= 14
        assert (d == 2).sum() + (clip[0] == 1) <= 5  # at most 15-10 skipped frames
    # pinned: RandomState(255) as PYSKL / MMAction2 test sampling
    assert inds[0].tolist() == uniform_sample_indices(15, 10, test_mode=True).tolist()


def test_long_video_one_frame_per_segment_and_deterministic():
    inds = uniform_sample_indices(100, 10, num_clips=2, test_mode=True).reshape(2, 10)
    for clip in inds:
        assert (clip // 10).tolist() == list(range(10))
    again = uniform_sample_indices(100, 10, num_clips=2, test_mode=True).reshape(2, 10)
    assert (inds == again).all()
    assert not (inds[0] == inds[1]).all()  # clips differ


def test_test_mode_does_not_touch_global_rng():
    np.random.seed(0)
    a = np.random.rand()
    np.random.seed(0)
    uniform_sample_indices(100, 10, num_clips=5, test_mode=True)
    assert np.random.rand() == a


def test_train_p_interval_restricts_to_a_window():
    np.random.seed(1)
    for _ in range(50):
        inds = uniform_sample_indices(100, 10, p_interval=(0.5, 0.5))
        assert inds.max() - inds.min() < 50
        assert (np.diff(inds) >= 0).all()


def test_transform_reads_test_mode_from_results_and_rejects_empty():
    t = UniformSampleFrames(clip_len=4, num_clips=2)
    r = t(dict(total_frames=8, test_mode=True, frame_dir='x'))
    assert r['frame_inds'].shape == (8,) and r['num_clips'] == 2 and r['clip_len'] == 4
    assert r['frame_inds'].tolist() == t(dict(total_frames=8, test_mode=True))['frame_inds'].tolist()
    with pytest.raises(ValueError, match='vid0'):
        t(dict(total_frames=0, frame_dir='vid0'))


def test_pose_decode_selects_frames():
    kp = np.arange(2 * 6 * 3 * 2, dtype=np.float64).reshape(2, 6, 3, 2)
    score = np.arange(2 * 6 * 3, dtype=np.float64).reshape(2, 6, 3)
    r = PoseDecode()(dict(keypoint=kp, keypoint_score=score, frame_inds=np.array([5, 0, 5])))
    assert r['keypoint'].dtype == np.float32
    np.testing.assert_array_equal(r['keypoint'], kp[:, [5, 0, 5]])
    np.testing.assert_array_equal(r['keypoint_score'], score[:, [5, 0, 5]])
    with pytest.raises(IndexError, match='sample'):
        PoseDecode()(dict(keypoint=kp, frame_inds=np.array([6])))
