"""tools/analysis/ablation.py: the variants read off a recipe config, each edit
changes exactly its component, and a short real run (JHMDB poses) trains,
tests, writes the table and resumes without retraining."""
import gzip
import json
import os
import os.path as osp
import pickle
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import ablation  # noqa: E402

CFG_2D = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_jhmdb-2d.py')
CFG_3D = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_utd-mhad-3d.py')
JHMDB = osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz')


def _cfg(path, **opts):
    from pyskl.engine import load_config
    return load_config(path, opts)


def _types(cfg, which):
    return [t['type'] for t in ablation._pipeline(cfg, which)]


def test_variants_of_the_2d_and_3d_recipes():
    assert list(ablation.variants(_cfg(CFG_2D))) == [
        'recipe', 'no-Flip', 'no-RandomRot', 'no-RandomScale', 'no-temporal-crop',
        'no-PreNormalize2D', 'no-label-smoothing', 'width-64', 'test-1-clip']
    assert list(ablation.variants(_cfg(CFG_3D))) == [
        'recipe', 'no-RandomRot', 'no-RandomScale', 'no-temporal-crop', 'no-PreNormalize3D',
        'no-label-smoothing', 'width-64', 'test-1-clip']
    # the 3D base's Flip3D is off (flip = 0.0): no variant; turned on, it has one
    assert 'no-Flip3D' in ablation.variants(_cfg(CFG_3D, flip=0.5))
    # the recipe has no head dropout (chosen on training folds); where a config has one,
    # removing it is a variant
    assert 'no-dropout' in ablation.variants(_cfg(CFG_3D, **{'model.cls_head.dropout': 0.5}))


def test_each_edit_changes_its_component_only():
    import copy
    base = _cfg(CFG_2D, **{'model.cls_head.dropout': 0.5})
    found = ablation.variants(base)

    def edited(name):
        c = copy.deepcopy(base)
        found[name][1](c)
        return c

    c = edited('no-Flip')
    assert 'Flip' not in _types(c, 'train') and 'Flip' in _types(base, 'train')
    assert _types(c, 'test') == _types(base, 'test')
    c = edited('no-PreNormalize2D')
    assert all('PreNormalize2D' not in _types(c, w) for w in ablation.PIPELINES)
    c = edited('no-temporal-crop')
    usf = [t for t in ablation._pipeline(c, 'train') if t['type'] == 'UniformSampleFrames']
    assert tuple(usf[0]['p_interval']) == (1, 1)
    c = edited('width-64')
    assert (c.model.backbone.base_channels, c.model.cls_head.in_channels) == (64, 256)
    c = edited('no-label-smoothing')
    assert c.model.cls_head.loss_cls.label_smoothing == 0 and c.model.cls_head.dropout == 0.5
    c = edited('no-dropout')
    assert c.model.cls_head.dropout == 0 and c.model.cls_head.loss_cls.label_smoothing == 0.1
    c = edited('recipe')
    assert c.to_dict() == base.to_dict()


def test_unknown_variant_is_refused():
    with pytest.raises(SystemExit):
        ablation.main([CFG_3D, '--work-dir', '/nonexistent/x', '--only', 'no-Flip'])


def mini_jhmdb(tmp_path):
    """A small real annotation file: every 16th training and every 22nd test
    clip of JHMDB split 1 (28 + 8 clips). Returns ``(path, test clips)``."""
    with gzip.open(JHMDB, 'rb') as f:
        data = pickle.load(f)
    train = data['split']['train1'][::16]
    test = data['split']['test1'][::22]
    keep = set(train) | set(test)
    ann = str(tmp_path / 'mini.pkl')
    with open(ann, 'wb') as f:
        pickle.dump(dict(split=dict(train1=train, test1=test),
                         annotations=[a for a in data['annotations'] if a['frame_dir'] in keep]), f)
    return ann, test


def test_short_real_run_writes_table_and_resumes(tmp_path, monkeypatch):
    ann, test = mini_jhmdb(tmp_path)
    work = str(tmp_path / 'abl')
    args = [CFG_2D, '--work-dir', work, '--only', 'no-RandomScale', 'recipe', 'test-1-clip',
            '--cfg-options', 'num_epochs=1', 'repeat_times=1', 'min_epoch_samples=0', 'clip_len=8', f'ann_file={ann}']
    table = ablation.main(args)
    assert list(table) == ['no-RandomScale', 'recipe', 'test-1-clip']
    for r in table.values():
        assert 0 <= r['top1'] <= 1 and r['seed'] == 0
        assert r['top1'] * len(test) == pytest.approx(round(r['top1'] * len(test)))
    md = open(osp.join(work, 'ablation.md')).read().splitlines()
    assert md[2].startswith('| recipe |') and len(md) == 5
    assert json.load(open(osp.join(work, 'ablation.json'))) == table
    assert not [f for _, _, fs in os.walk(work) for f in fs if f.endswith(('.part', '.tmp'))]
    monkeypatch.setattr(ablation, '_train', lambda *a: pytest.fail('retrained'))
    monkeypatch.setattr(ablation, '_test', lambda *a: pytest.fail('retested'))
    assert ablation.main(args) == table


def test_stopped_variant_training_continues_from_its_checkpoint(tmp_path):
    """A variant's training stopped after epoch 1 of 2 continues at epoch 2
    when the ablation runs again, from the state the checkpoint holds (here a
    planted epoch-1 checkpoint that carries the finished run's weights: a
    training started again from scratch would end with those weights again)."""
    import torch
    from pyskl.engine import load_config
    ann, _ = mini_jhmdb(tmp_path)
    cfg = load_config(CFG_2D, dict(num_epochs=2, repeat_times=1, min_epoch_samples=0, clip_len=8,
                                   ann_file=ann))
    wd = tmp_path / 'v'
    ckpt = ablation._train(cfg, str(wd), 0)
    assert ckpt == str(wd / 'epoch_2.pth')
    assert sorted(p.name for p in wd.glob('*.pth')) == ['epoch_2.pth']     # one kept
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    state['meta']['epoch'] = 1
    torch.save(state, wd / 'epoch_1.pth')
    (wd / 'epoch_2.pth').unlink()
    (wd / 'last_checkpoint').write_text(str(wd / 'epoch_1.pth'))
    ablation._train(cfg, str(wd), 0)
    new = torch.load(ckpt, map_location='cpu', weights_only=False)
    assert new['meta']['epoch'] == 2
    assert new['meta']['iter'] == state['meta']['iter'] * 3 // 2     # one more epoch on top
    w_old = state['state_dict']['cls_head.fc_cls.weight']
    w_new = new['state_dict']['cls_head.fc_cls.weight']
    assert float((w_new - w_old).abs().max()) > 1e-6 * float(w_old.abs().max())


def test_persons_apart_undoes_merged_persons():
    """A recipe with both persons in one graph gets a ``persons-apart`` variant:
    the same config as the one that never merged them."""
    from pyskl.engine import load_config
    sbu = osp.join(ROOT, 'configs', 'small', 'stgcnpp_small_sbu-3d.py')
    merged = load_config(sbu, dict(merge_persons=2, layout='sbu_x2', num_person=1))
    apart = load_config(sbu, dict(merge_persons=None, layout='sbu', num_person=2))
    found = ablation.variants(merged)
    assert 'persons-apart' in found and 'persons-apart' not in ablation.variants(apart)
    found['persons-apart'][1](merged)
    skip = ('merge_persons', 'num_person', 'layout')        # top-level variables, used up
    a, b = merged.to_dict(), apart.to_dict()
    assert {k: v for k, v in a.items() if k not in skip} == \
        {k: v for k, v in b.items() if k not in skip}
