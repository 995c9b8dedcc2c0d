import os.path as osp
import pickle
import sys

import numpy as np
import pytest

from pyskl.datasets import AnnotationError, PoseDataset
from conftest import make_synthetic_ann


def _write(tmp_path, data, name='ann.pkl'):
    p = tmp_path / name
    with open(p, 'wb') as f:
        pickle.dump(data, f)
    return str(p)


def test_reads_pyskl_format_and_selects_split(tmp_path):
    p = str(tmp_path / 'a.pkl')
    data = make_synthetic_ann(p, num_samples=6)
    ds = PoseDataset(p, pipeline=[], split='xsub_val', test_mode=True)
    assert len(ds) == 3
    item = ds[0]
    assert item['frame_dir'] == 'S003' and item['test_mode'] is True
    np.testing.assert_array_equal(item['keypoint'], data['annotations'][3]['keypoint'])
    assert len(PoseDataset(p, pipeline=[])) == 6  # no split: everything


def test_repeat_dataset_and_serialisation(tmp_path):
    from mmengine.dataset import RepeatDataset
    p = str(tmp_path / 'a.pkl')
    make_synthetic_ann(p, num_samples=4)
    ds = PoseDataset(p, pipeline=[], split='xsub_train')
    assert ds.serialize_data and ds.data_bytes is not None  # one shared buffer
    rep = RepeatDataset(ds, times=3)
    assert len(rep) == 6 and rep[5]['frame_dir'] == rep[1]['frame_dir']


def test_valid_ratio_filters_and_adds_anno_inds(tmp_path):
    p = str(tmp_path / 'a.pkl')
    data = make_synthetic_ann(p, num_samples=2, T=10)
    for i, a in enumerate(data['annotations']):
        a['box_score'] = np.full((2, a['total_frames']), 0.9 if i == 0 else 0.3)
        a['valid'] = {0.5: a['total_frames'] if i == 0 else 1}
    p = _write(tmp_path, data)
    ds = PoseDataset(p, pipeline=[], valid_ratio=0.5, box_thr=0.5)
    assert len(ds) == 1 and ds[0]['anno_inds'].all()


@pytest.mark.parametrize('mutate, message', [
    (lambda a: a.pop('keypoint'), "missing key\\(s\\) \\['keypoint'\\]"),
    (lambda a: a.update(keypoint=np.zeros((30, 17, 2))), 'keypoint must be an array \\(M, T, V, C\\)'),
    (lambda a: a.update(keypoint_score=np.zeros((2, 30, 5))), 'keypoint_score must have shape'),
    (lambda a: a['keypoint'].__setitem__((0, 0, 0, 0), np.nan), 'NaN'),
    (lambda a: a.update(total_frames=0, keypoint=np.zeros((2, 0, 17, 2)),
                        keypoint_score=np.zeros((2, 0, 17))), 'zero frames'),
    (lambda a: a.update(total_frames=99), 'total_frames=99'),
    (lambda a: a.update(label=-1), 'label'),
])
def test_malformed_sample_names_file_sample_and_problem(tmp_path, mutate, message):
    p = str(tmp_path / 'a.pkl')
    data = make_synthetic_ann(p, num_samples=2, T=30)
    mutate(data['annotations'][0])
    p = _write(tmp_path, data, 'bad.pkl')
    with pytest.raises(AnnotationError, match=message) as e:
        PoseDataset(p, pipeline=[])
    assert 'bad.pkl' in str(e.value) and 'S000' in str(e.value)


def test_bad_files_and_splits(tmp_path):
    with pytest.raises(AnnotationError, match='does not exist'):
        PoseDataset(str(tmp_path / 'nope.pkl'), pipeline=[])
    junk = tmp_path / 'junk.pkl'
    junk.write_bytes(b'not a pickle')
    with pytest.raises(AnnotationError, match='not a readable pickle'):
        PoseDataset(str(junk), pipeline=[])
    p = str(tmp_path / 'a.pkl')
    data = make_synthetic_ann(p, num_samples=2)
    with pytest.raises(AnnotationError, match="no split 'nosuch_train'"):
        PoseDataset(p, pipeline=[], split='nosuch_train')
    data['split']['empty'] = []
    p = _write(tmp_path, data)
    with pytest.raises(AnnotationError, match='selects no samples'):
        PoseDataset(p, pipeline=[], split='empty')
    p = _write(tmp_path, dict(foo=1), 'nokey.pkl')
    with pytest.raises(AnnotationError, match="'annotations'"):
        PoseDataset(p, pipeline=[])


def test_missing_result_key_is_named_by_the_transform(tmp_path):
    p = str(tmp_path / 'a.pkl')
    make_synthetic_ann(p, num_samples=2)
    ds = PoseDataset(p, pipeline=[dict(type='UniformSampleFrames', clip_len=4),
                                  dict(type='PoseDecode'),
                                  dict(type='JointToBone', layout='coco', source='j')],
                     split='xsub_train')
    from pyskl.datasets import PipelineError
    with pytest.raises(PipelineError, match="transform JointToBone failed: KeyError: "
                                            "\"JointToBone: sample 'S000' has no result key"):
        ds[0]


def test_jhmdb_conversion(jhmdb_ann):
    path, data = jhmdb_ann
    sizes = {k: len(v) for k, v in data['split'].items()}
    assert sizes == dict(train1=433, test1=176, train2=433, test2=176, train3=434, test3=175)
    names = [a['frame_dir'] for a in data['annotations']]
    assert len(names) == len(set(names)) == 609
    for s in (1, 2, 3):
        assert not set(data['split'][f'train{s}']) & set(data['split'][f'test{s}'])
    a = data['annotations'][0]
    assert a['img_shape'] == a['original_shape'] == (240, 320)
    assert a['keypoint'].shape[0] == 1 and a['keypoint'].shape[2:] == (15, 2)
    assert (a['keypoint_score'] == 1).all()
    ds = PoseDataset(path, pipeline=[], split='test1', test_mode=True)
    assert len(ds) == 176



@pytest.mark.shared
def test_jhmdb_conversion_reproduces_the_shipped_file(tmp_path):
    """tools/data/jhmdb_ddnet.py on DD-Net's published files writes data/jhmdb/jhmdb_gt.pkl.gz
    byte for byte, and its pixel mapping is x = 170 + 60 x_world, y = 120 + 60 y_world."""
    import subprocess
    from conftest import ROOT, shared_path
    src = shared_path('jhmdb_ddnet')
    out = tmp_path / 'jhmdb_gt.pkl.gz'
    subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'data', 'jhmdb_ddnet.py'),
                    '--src', src, '--out', str(out)], check=True, capture_output=True)
    with open(osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz'), 'rb') as f:
        shipped = f.read()
    assert out.read_bytes() == shipped
    import gzip
    data = pickle.loads(gzip.decompress(shipped))
    with open(osp.join(src, 'GT_train_1.pkl'), 'rb') as f:
        raw = pickle.load(f, encoding='latin1')
    pose, cls = raw['pose'][0], raw['label'][0]
    match = [x for x in data['annotations'] if x['keypoint'].shape[1] == len(pose) and
             np.allclose(x['keypoint'][0, ..., 0], 170 + 60 * pose[..., 0], atol=1e-4)]
    assert len(match) == 1
    np.testing.assert_allclose(match[0]['keypoint'][0, ..., 1], 120 + 60 * pose[..., 1], atol=1e-4)
    classes = sorted(set(raw['label']))
    assert len(classes) == 14 and match[0]['label'] == classes.index(cls)
    # an output inside the source folder is refused before anything is written
    bad = subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'data', 'jhmdb_ddnet.py'),
                          '--src', src, '--out', osp.join(src, 'x.pkl')], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and 'inside --src' in bad.stderr