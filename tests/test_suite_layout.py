"""The suite itself: tolerances that can fail, fixtures in the checkout, shared data marked."""
import ast
import glob
import os
import os.path as osp

import numpy as np
import pytest

from conftest import FIXTURES, ROOT, assert_close_f32, f32_tolerance


def test_f32_tolerance_follows_the_scale_and_still_catches_errors():
    ref = np.array([500., -3., 1e-3])
    assert f32_tolerance(ref, 100) == pytest.approx(4 * np.finfo(np.float32).eps * 10 * 500)
    assert_close_f32(ref + 2e-4, ref, terms=100)            # rounding-sized: accepted
    with pytest.raises(AssertionError, match='difference'):
        assert_close_f32(ref + [0, 0, 0.05], ref, terms=100)  # a real error: refused
    with pytest.raises(AssertionError, match='non-finite'):
        assert_close_f32([np.nan, 1.], [0., 1.], terms=1)


def _tests_calling_shared_path():
    """(file, test) of every test function whose body calls shared_path."""
    out = []
    for f in sorted(glob.glob(osp.join(ROOT, 'tests', 'test_*.py'))):
        if f == osp.abspath(__file__):
            continue
        src = open(f).read()
        tree = ast.parse(src)
        helpers = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                   and not n.name.startswith('test_')
                   and 'shared_path(' in ast.get_source_segment(src, n)}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith('test_'):
                seg = ast.get_source_segment(src, node)
                uses = 'shared_path(' in seg or any(f'{h}(' in seg for h in helpers) or any(
                    a.arg in helpers for a in node.args.args)
                marked = any('mark.shared' in ast.get_source_segment(src, d)
                             for d in node.decorator_list)
                out.append((osp.basename(f), node.name, uses, marked))
    return out


def test_every_test_that_needs_shared_data_is_marked_and_listed():
    rows = _tests_calling_shared_path()
    unmarked = [(f, t) for f, t, uses, marked in rows if uses and not marked]
    assert not unmarked, f'call shared_path without @pytest.mark.shared: {unmarked}'
    listing = open(osp.join(ROOT, 'tests', 'README.md')).read()
    missing = [t for f, t, uses, marked in rows if marked and f'{f}::{t}' not in listing]
    assert not missing, f'tests/README.md does not list {missing}'


def test_fixtures_are_small_and_the_package_never_names_shared():
    size = sum(osp.getsize(p) for p in glob.glob(osp.join(FIXTURES, '*')))
    assert size < 600 * 1024, f'tests/data holds {size / 1024:.0f} KB'
    assert osp.isfile(osp.join(ROOT, 'data', 'jhmdb', 'jhmdb_gt.pkl.gz'))
    bad = []
    for dirpath, _, files in os.walk(osp.join(ROOT, 'pyskl')):
        for name in files:
            if name.endswith(('.py', '.md', '.yaml')):
                text = open(osp.join(dirpath, name)).read()
                if '../shared' in text or 'PYSKL_SHARED_DATA' in text or 'seed 00' in text:
                    bad.append(osp.relpath(osp.join(dirpath, name), ROOT))
    assert not bad, bad
