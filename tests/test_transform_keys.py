"""Every registered transform does what its declared keys say."""
import numpy as np
import pytest

from pyskl.datasets.transforms import PoseTransform
from pyskl.registry import TRANSFORMS

ARGS = {
    'UniformSampleFrames': dict(clip_len=8, num_clips=2),
    'UniformSample': dict(clip_len=8),
    'PoseDecode': {}, 'PreNormalize2D': {}, 'PreNormalize3D': {},
    'GenSkeFeat': dict(dataset='coco', feats=['j', 'bm']),
    'JointToBone': dict(dataset='coco', target='b'),
    'ToMotion': dict(dataset='coco', source='keypoint', target='jm'),
    'MergeSkeFeat': dict(feat_list=['keypoint', 'extra']),
    'RandomScale': dict(scale=0.1), 'Flip': dict(flip_ratio=1.0, layout='coco'),
    'Flip3D': dict(flip_ratio=1.0, layout='nturgb+d'), 'RandomRot': dict(theta=0.3),
    'PadTo': dict(length=24), 'FormatGCNInput': dict(num_person=2), 'MergePersons': dict(num_person=2),
    'PackActionInputs': {},
    'PoseCompact': dict(hw_ratio=1.), 'Resize': dict(scale=(-1, 64)),
    'RandomResizedCrop': {}, 'CenterCrop': dict(crop_size=200),
    'GeneratePoseTarget': dict(with_kp=True, with_limb=True, double=True, scaling=0.125),
    'FormatShape': dict(input_format='NCTHW_Heatmap'),
    'MMUniformSampleFrames': dict(clip_len=dict(RGB=4, Pose=8)), 'MMDecode': {},
    'MMCompact': {}, 'DecompressPose': dict(max_person=1),
}


def _results(name):
    rng = np.random.RandomState(0)
    r = dict(frame_dir='S0', label=1, total_frames=20, img_shape=(480, 640),
             keypoint=rng.rand(2, 20, 17, 2).astype(np.float32) * 400,
             keypoint_score=rng.rand(2, 20, 17).astype(np.float32))
    if name in ('PreNormalize3D', 'Flip3D'):
        r['keypoint'] = rng.randn(2, 20, 25, 3).astype(np.float32)
        del r['keypoint_score']
    if name == 'FormatShape':
        r.update(imgs=np.zeros((20, 17, 8, 8), np.float32), clip_len=10, num_clips=2)
    if name == 'MMDecode':      # pose only: the RGB side reads videos (test_rgbpose_pipeline)
        r.update(modality=['Pose'], Pose_inds=np.arange(0, 20, 3))
    if name == 'DecompressPose':     # compressed: N skeletons and their frames
        r = dict(frame_dir='S0', label=1, total_frames=20, img_shape=(480, 640),
                 frame_inds=np.repeat(np.arange(0, 20, 2), 2),
                 keypoint=rng.rand(20, 17, 3).astype(np.float32))
    if name == 'MergeSkeFeat':
        r['extra'] = np.zeros((2, 20, 17, 1), np.float32)
    return r


def _pyskl_transforms():
    return sorted(n for n, cls in TRANSFORMS.module_dict.items()
                  if isinstance(cls, type) and issubclass(cls, PoseTransform))


def test_every_transform_has_arguments_here():
    assert set(_pyskl_transforms()) <= set(ARGS)


@pytest.mark.parametrize('name', _pyskl_transforms())
def test_declared_keys_match_behaviour(name):
    t = TRANSFORMS.build(dict(type=name, **ARGS[name]))
    before = _results(name)
    snapshot = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in before.items()}
    missing = [k for k in t.required_keys if k not in before]
    assert not missing
    after = t(dict(before))
    if name == 'PackActionInputs':  # packs into a new dict by design
        assert set(after) == {'inputs', 'data_samples'}
        return
    added = set(after) - set(snapshot)
    removed = set(snapshot) - set(after)
    modified = {k for k in set(after) & set(snapshot)
                if not (type(after[k]) is type(snapshot[k]) and
                        np.array_equal(np.asarray(after[k]), np.asarray(snapshot[k])))}
    assert added <= set(t.added_keys), f'{name} adds undeclared {added - set(t.added_keys)}'
    assert removed <= set(t.removed_keys), f'{name} removes undeclared {removed}'
    assert modified <= set(t.modified_keys) | set(t.added_keys), \
        f'{name} modifies undeclared {modified - set(t.modified_keys)}'
    # a missing required key raises a KeyError naming the transform and sample
    if t.required_keys:
        bad = dict(_results(name))
        bad.pop(t.required_keys[0])
        with pytest.raises(KeyError, match=f"{type(t).__name__}: sample 'S0'"):
            t(bad)
