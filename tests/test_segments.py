"""Action segments from window predictions (pyskl/apis/segments.py): smoothing,
hysteresis and boundaries by hand."""
import numpy as np
import pytest

from pyskl.apis.segments import segments_from_windows, smooth_scores


def onehot(seq, k=3):
    out = np.full((len(seq), k), 0.1)
    out[np.arange(len(seq)), seq] = 0.8
    return out


WINDOWS = [(4 * i, 4 * i + 8) for i in range(10)]           # stride 4, length 8: centres 4, 8, ...


def test_hysteresis_absorbs_a_blip_and_boundaries_sit_between_centres():
    seq = [0, 0, 0, 0, 2, 0, 1, 1, 1, 1]
    segs = segments_from_windows(WINDOWS, onehot(seq), smooth=1, hold=2)
    assert [(s['start'], s['end'], s['label'], s['windows']) for s in segs] == [
        (0, 26, 'class 0', 6), (26, 44, 'class 1', 4)]      # (24 + 28) / 2 = 26
    assert segs[0]["score"] == round((5 * 0.8 + 0.1) / 6, 4)      # rounded to 4 places
    segs = segments_from_windows(WINDOWS, onehot(seq), labels=['a', 'b', 'c'], smooth=1, hold=1)
    assert [(s['start'], s['end'], s['label']) for s in segs] == [
        (0, 18, 'a'), (18, 22, 'c'), (22, 26, 'a'), (26, 44, 'b')]


def test_a_new_label_starts_at_the_first_window_it_leads():
    seq = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    segs = segments_from_windows(WINDOWS, onehot(seq), smooth=1, hold=3)
    assert [(s['start'], s['end'], s['label']) for s in segs] == [(0, 14, 'class 0'),
                                                                  (14, 44, 'class 1')]


def test_smoothing_known_answer_and_errors():
    s = np.array([[1.0, 0], [0, 1], [1, 0], [1, 0]])
    np.testing.assert_allclose(smooth_scores(s, 3), [[.5, .5], [2 / 3, 1 / 3], [2 / 3, 1 / 3],
                                                     [1, 0]])
    # smoothing removes a one-window flicker even without hold
    seq = [0, 0, 1, 0, 0, 0]
    segs = segments_from_windows(WINDOWS[:6], onehot(seq), smooth=3, hold=1)
    assert [s['label'] for s in segs] == ['class 0']
    assert segments_from_windows([], np.zeros((0, 3))) == []
    with pytest.raises(ValueError, match='2 windows but 3'):
        segments_from_windows(WINDOWS[:2], onehot([0, 0, 0]))
    with pytest.raises(ValueError, match='>= 1'):
        segments_from_windows(WINDOWS[:1], onehot([0]), smooth=0)
