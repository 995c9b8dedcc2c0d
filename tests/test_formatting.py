import numpy as np
import pytest
import torch

from pyskl.datasets.transforms import FormatGCNInput, PackActionInputs, PadTo


def test_pad_to_loop_and_zero():
    kp = np.arange(3, dtype=np.float32).reshape(1, 3, 1, 1)
    r = PadTo(7)(dict(keypoint=kp.copy(), total_frames=3))
    assert r['keypoint'].reshape(-1).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert r['total_frames'] == 7
    r = PadTo(5, mode='zero')(dict(keypoint=kp.copy(), total_frames=3,
                                   keypoint_score=np.ones((1, 3, 1))))
    assert r['keypoint'].reshape(-1).tolist() == [0, 1, 2, 0, 0]
    assert r['keypoint_score'].reshape(-1).tolist() == [1, 1, 1, 0, 0]
    with pytest.raises(ValueError, match='more than length'):
        PadTo(2)(dict(keypoint=kp, total_frames=3, frame_dir='v'))


def test_format_gcn_input_clips_persons_and_score():
    kp = np.random.rand(1, 6, 4, 2).astype(np.float32)
    score = np.random.rand(1, 6, 4).astype(np.float32)
    r = FormatGCNInput(num_person=2)(dict(keypoint=kp, keypoint_score=score, num_clips=3))
    out = r['keypoint']
    assert out.shape == (3, 2, 2, 4, 3) and 'keypoint_score' not in r
    np.testing.assert_allclose(out[1, 0, :, :, :2], kp[0, 2:4])   # clip 1 = frames 2..3
    np.testing.assert_allclose(out[2, 0, :, :, 2], score[0, 4:6])
    assert (out[:, 1] == 0).all()                                # zero-padded person
    loop = FormatGCNInput(num_person=2, mode='loop')(dict(keypoint=kp))['keypoint']
    np.testing.assert_allclose(loop[0, 1], loop[0, 0])
    many = FormatGCNInput(num_person=1)(dict(keypoint=np.random.rand(3, 4, 4, 3)))['keypoint']
    assert many.shape == (1, 1, 4, 4, 3)


def test_format_gcn_input_errors():
    with pytest.raises(ValueError, match='divisible'):
        FormatGCNInput()(dict(keypoint=np.zeros((1, 5, 4, 3)), num_clips=2, frame_dir='a'))
    with pytest.raises(ValueError, match='T>0'):
        FormatGCNInput()(dict(keypoint=np.zeros((1, 0, 4, 3)), frame_dir='a'))
    bad = np.zeros((1, 2, 4, 3))
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        FormatGCNInput()(dict(keypoint=bad, frame_dir='a'))


def test_pack_action_inputs():
    r = PackActionInputs()(dict(keypoint=np.zeros((1, 2, 3, 4, 3), np.float32), label=7,
                                frame_dir='abc', total_frames=3))
    assert set(r) == {'inputs', 'data_samples'}
    assert r['inputs'].dtype == torch.float32 and r['inputs'].shape == (1, 2, 3, 4, 3)
    ds = r['data_samples']
    assert ds.gt_label.tolist() == [7] and ds.frame_dir == 'abc'
    with pytest.raises(KeyError, match='PackActionInputs'):
        PackActionInputs()(dict(label=1, frame_dir='abc'))


def test_merge_persons_side_by_side_known_answer():
    from pyskl.datasets.transforms import GenSkeFeat, MergePersons
    kp = np.arange(3 * 2 * 15 * 3, dtype=np.float32).reshape(3, 2, 15, 3)   # 3 persons
    score = np.random.rand(3, 2, 15).astype(np.float32)
    r = MergePersons(num_person=2)(dict(keypoint=kp.copy(), keypoint_score=score.copy()))
    assert r['keypoint'].shape == (1, 2, 30, 3) and r['keypoint_score'].shape == (1, 2, 30)
    np.testing.assert_array_equal(r['keypoint'][0, :, :15], kp[0])       # person 1: joints 0-14
    np.testing.assert_array_equal(r['keypoint'][0, :, 15:], kp[1])       # person 2: 15-29
    np.testing.assert_array_equal(r['keypoint_score'][0, :, 15:], score[1])
    # one person: the second is zeros with score 0
    one = MergePersons(2)(dict(keypoint=kp[:1].copy(), keypoint_score=score[:1].copy()))
    assert (one['keypoint'][0, :, 15:] == 0).all() and (one['keypoint_score'][0, :, 15:] == 0).all()
    np.testing.assert_array_equal(one['keypoint'][0, :, :15], kp[0])
    # bones on the merged skeleton: person 2's torso (node 17) hangs from person 1's (node 2)
    b = GenSkeFeat(layout='sbu_x2', feats=['b'])(dict(keypoint=r['keypoint'].copy()))['keypoint']
    np.testing.assert_allclose(b[0, :, 17], kp[1, :, 2] - kp[0, :, 2])
    np.testing.assert_allclose(b[0, :, 15], kp[1, :, 0] - kp[1, :, 1])   # head 2 <- neck 2
    assert (b[0, :, 2] == 0).all()
    with pytest.raises(ValueError, match="'v'"):
        MergePersons()(dict(keypoint=kp[0], frame_dir='v'))
    with pytest.raises(ValueError, match='positive integer'):
        MergePersons(num_person=0)
    same = dict(keypoint=kp.copy())                  # None: the family bases' switched-off step
    assert MergePersons(num_person=None)(same)['keypoint'].shape == kp.shape
