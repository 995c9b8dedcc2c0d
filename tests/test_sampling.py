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


def _reference_indices(num_frames, clip_len, num_clips, test_mode, p_interval, seed, rng):
    """PYSKL's / MMAction2's UniformSample, written out plainly: the frames and
    the random draws (``choice(..., replace=False)``, ``randint``) the fast path
    must reproduce."""
    def one_clip(n, rng):
        if n < clip_len:
            return np.arange(clip_len)
        if n < 2 * clip_len:
            skip = rng.choice(clip_len + 1, n - clip_len, replace=False)
            offset = np.zeros(clip_len + 1, dtype=np.int64)
            offset[skip] = 1
            return np.arange(clip_len) + np.cumsum(offset)[:-1]
        bids = np.array([i * n // clip_len for i in range(clip_len + 1)])
        return bids[:-1] + rng.randint(np.diff(bids))

    if test_mode:
        rng = np.random.RandomState(seed)
        if num_frames < clip_len:
            starts = (np.arange(num_clips) if num_frames < num_clips
                      else np.arange(num_clips) * num_frames // num_clips)
            inds = np.concatenate([np.arange(s, s + clip_len) for s in starts])
        else:
            inds = np.concatenate([one_clip(num_frames, rng) for _ in range(num_clips)])
        return np.mod(inds, num_frames)
    out = []
    for _ in range(num_clips):
        ratio = rng.rand() * (p_interval[1] - p_interval[0]) + p_interval[0]
        kept = max(1, int(ratio * num_frames))
        off = rng.randint(0, num_frames - kept + 1)
        inds = rng.randint(kept) + np.arange(clip_len) if kept < clip_len else one_clip(kept, rng)
        out.append(np.mod(inds, kept) + off)
    return np.concatenate(out)


@pytest.mark.parametrize('test_mode', [False, True])
def test_same_frames_and_random_stream_as_the_reference(test_mode):
    """Every branch (shorter than a clip, 1-2 clip lengths, longer), one and
    several clips: the same indices, and the random source left in the same
    state (so a seeded training draws what PYSKL / MMAction2 would)."""
    cases = [(n, c, k, p) for n in (1, 3, 7, 10, 16, 25, 48, 99, 100, 150, 300)
             for c in (10, 48, 100) for k in (1, 3) for p in ((1.0, 1.0), (0.5, 1.0))]
    for seed in (0, 255):
        ours_rng, ref_rng = np.random.RandomState(seed), np.random.RandomState(seed)
        for n, c, k, p in cases:
            ours = uniform_sample_indices(n, c, k, test_mode=test_mode, p_interval=p, seed=seed,
                                          rng=ours_rng)
            ref = _reference_indices(n, c, k, test_mode, p, seed, ref_rng)
            assert ours.dtype == np.int64 and ours.tolist() == ref.tolist(), (n, c, k, p)
            assert ours.flags.writeable
            ours[:] = -1             # the caller's own array: the next call is not affected
        assert ours_rng.randint(1 << 30) == ref_rng.randint(1 << 30)


def test_stretch_repeats_each_frame_in_order_instead_of_looping():
    # 5 frames, clips of 10: each frame twice, in order; every test clip the same
    inds = uniform_sample_indices(5, 10, num_clips=2, test_mode=True, short_clip='stretch')
    assert inds.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] * 2
    # 3 frames, clips of 7: floor(i * 3 / 7) -> 0 0 0 1 1 2 2
    assert uniform_sample_indices(3, 7, test_mode=True,
                                  short_clip='stretch').tolist() == [0, 0, 0, 1, 1, 2, 2]
    # a video as long as the clip or longer: the same frames as 'loop' (the default)
    for n in (10, 15, 100):
        assert (uniform_sample_indices(n, 10, 3, test_mode=True, short_clip='stretch').tolist()
                == uniform_sample_indices(n, 10, 3, test_mode=True).tolist())


def test_stretch_in_training_keeps_the_cropped_part_in_order():
    rng = np.random.RandomState(0)
    for _ in range(50):
        inds = uniform_sample_indices(20, 32, p_interval=(0.5, 1.0), rng=rng, short_clip='stretch')
        d = np.diff(inds)
        assert set(d.tolist()) <= {0, 1}              # in order, no jump back, no skip
        kept = inds[-1] - inds[0] + 1
        assert 10 <= kept <= 20 and inds[0] >= 0 and inds[-1] <= 19
        assert len(np.unique(inds)) == kept           # every kept frame is used
    # longer than the clip: the same draws as 'loop'
    a, b = np.random.RandomState(3), np.random.RandomState(3)
    assert (uniform_sample_indices(50, 32, 2, p_interval=(0.7, 1.0), rng=a, short_clip='stretch')
            .tolist() == uniform_sample_indices(50, 32, 2, p_interval=(0.7, 1.0), rng=b).tolist())


def test_unknown_short_clip_mode_is_an_error():
    with pytest.raises(ValueError, match="short_clip='pad'"):
        uniform_sample_indices(5, 10, short_clip='pad')
    with pytest.raises(ValueError, match='UniformSampleFrames: short_clip'):
        UniformSampleFrames(clip_len=10, short_clip='Stretch')
    t = UniformSampleFrames(clip_len=6, short_clip='stretch')
    assert t(dict(total_frames=3, test_mode=True))['frame_inds'].tolist() == [0, 0, 1, 1, 2, 2]
