"""PYSKL's compressed (Kinetics-400) skeletons: DecompressPose against a
frame-by-frame implementation, kpfiles, and PoseDataset on a compressed file."""
import pickle

import numpy as np
import pytest

from pyskl.registry import TRANSFORMS


def _compressed(rng, T=12, V=5, max_per_frame=4):
    frames = sorted(rng.choice(T, size=T - 3, replace=False))      # 3 frames without pose
    counts = rng.randint(1, max_per_frame + 1, size=len(frames))
    frame_inds = np.repeat(frames, counts).astype(np.int16)
    kp = rng.rand(len(frame_inds), V, 3).astype(np.float32)
    kp[..., :2] *= 100
    return dict(frame_dir='vid', total_frames=T, frame_inds=frame_inds, keypoint=kp)


def _reference(sample, squeeze, max_person):
    """Frame by frame, as described: slots in order of appearance; with more
    than max_person in a frame, every frame's slots are ordered by score sum."""
    fi, kp = np.asarray(sample['frame_inds']), sample['keypoint']
    if squeeze:
        fi = np.searchsorted(np.unique(fi), fi)
        T = int(fi.max()) + 1
    else:
        T = sample['total_frames']
    M = max(np.bincount(fi))
    out = np.zeros((M, T, kp.shape[1], 2), np.float16)
    sc = np.zeros((M, T, kp.shape[1]), np.float16)
    for t in range(T):
        rows = np.where(fi == t)[0]
        if M > max_person:
            sums = [kp[r, :, 2].astype(np.float16).sum(dtype=np.float32) for r in rows]
            rows = [rows[i] for i in sorted(range(len(rows)), key=lambda i: -sums[i])]
        for slot, r in enumerate(rows):
            out[slot, t], sc[slot, t] = kp[r, :, :2], kp[r, :, 2]
    return out[:max_person], sc[:max_person], T


@pytest.mark.parametrize('squeeze,max_person', [(True, 10), (False, 10), (True, 2), (False, 3)])
def test_decompress_equals_frame_by_frame(squeeze, max_person):
    rng = np.random.RandomState(squeeze * 10 + max_person)
    sample = _compressed(rng)
    want_kp, want_sc, want_T = _reference(sample, squeeze, max_person)
    t = TRANSFORMS.build(dict(type='DecompressPose', squeeze=squeeze, max_person=max_person))
    out = t(dict(sample))
    assert out['total_frames'] == want_T == (9 if squeeze else 12)
    np.testing.assert_array_equal(out['keypoint'], want_kp)
    np.testing.assert_array_equal(out['keypoint_score'], want_sc)
    assert 'frame_inds' not in out
    assert ('num_person' in out) == (max_person < 4)


def test_kpfile_and_anno_inds(tmp_path):
    rng = np.random.RandomState(0)
    sample = _compressed(rng)
    kpfile = tmp_path / 'part_0.pkl'
    with open(kpfile, 'wb') as f:
        pickle.dump({'vid': dict(keypoint=sample['keypoint'])}, f)
    toc = dict(sample, raw_file=str(kpfile))
    del toc['keypoint']
    keep = rng.rand(len(sample['frame_inds'])) > 0.3
    t = TRANSFORMS.build(dict(type='DecompressPose'))
    out = t(dict(toc, anno_inds=keep))
    want = t(dict(frame_dir='vid', total_frames=12, frame_inds=sample['frame_inds'][keep],
                  keypoint=sample['keypoint'][keep]))
    np.testing.assert_array_equal(out['keypoint'], want['keypoint'])
    with pytest.raises(FileNotFoundError, match=r"nope.pkl' \(raw_file of 'vid'\) not found"):
        t(dict(toc, raw_file=str(tmp_path / 'nope.pkl')))
    with pytest.raises(KeyError, match="has no skeletons of 'other'"):
        t(dict(toc, frame_dir='other'))
    with pytest.raises(ValueError, match="'vid' has no skeleton with a box score"):
        t(dict(toc, anno_inds=np.zeros(len(keep), bool)))
    with pytest.raises(ValueError, match='must not decrease'):
        t(dict(sample, frame_inds=sample['frame_inds'][::-1].copy()))


def test_pose_dataset_reads_a_compressed_file_end_to_end(tmp_path):
    from pyskl.datasets import AnnotationError
    from pyskl.registry import DATASETS
    rng = np.random.RandomState(1)
    anns, kps = [], {}
    for i in range(3):
        s = _compressed(rng, T=20, V=17, max_per_frame=2)
        s.update(frame_dir=f'v{i}', label=i, img_shape=(240, 320), original_shape=(240, 320),
                 box_score=rng.rand(len(s['frame_inds'])).astype(np.float16),
                 raw_file=str(tmp_path / 'kp.pkl'))
        s['valid'] = {0.5: int(len(np.unique(s['frame_inds'][s['box_score'] >= .5])))}
        kps[s['frame_dir']] = dict(keypoint=s.pop('keypoint'))
        anns.append(s)
    with open(tmp_path / 'kp.pkl', 'wb') as f:
        pickle.dump(kps, f)
    ann = tmp_path / 'k400_like.pkl'
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train=['v0', 'v1', 'v2']), annotations=anns), f)
    pipeline = [dict(type='DecompressPose', squeeze=True, max_person=2),
                dict(type='PreNormalize2D'),
                dict(type='GenSkeFeat', layout='coco', feats=['j']),
                dict(type='UniformSampleFrames', clip_len=8),
                dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=2),
                dict(type='PackActionInputs')]
    ds = DATASETS.build(dict(type='PoseDataset', ann_file=str(ann), split='train',
                             pipeline=pipeline, valid_ratio=0.1, box_thr=0.5))
    item = ds[1]
    assert tuple(item['inputs'].shape) == (1, 2, 8, 17, 3)
    bad = dict(anns[0])
    del bad['raw_file']
    with open(tmp_path / 'bad.pkl', 'wb') as f:
        pickle.dump(dict(split=dict(train=['v0']), annotations=[bad]), f)
    with pytest.raises(AnnotationError, match="sample 'v0': missing key.*keypoint or raw_file"):
        DATASETS.build(dict(type='PoseDataset', ann_file=str(tmp_path / 'bad.pkl'),
                            split='train', pipeline=[dict(type='DecompressPose')]))
