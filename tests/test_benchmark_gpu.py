"""tools/analysis/benchmark_gpu.py runs its grid on a CPU with tiny shapes (so it
works the day a GPU is there): numbers where a setting can run, reasons where
not, Markdown + JSON out, and the DDP path under torchrun (gloo)."""
import json
import os.path as osp
import subprocess
import sys

from conftest import ROOT, free_port

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import benchmark_gpu  # noqa: E402


def test_tiny_grid_on_cpu(tmp_path):
    out = tmp_path / 'bench.md'
    res = benchmark_gpu.main(['--tiny', '--device', 'cpu', '--families', 'stgcnpp', 'posec3d',
                              '--amp', 'none', 'bf16', 'fp16', '--compile', 'no',
                              '--out', str(out)])
    by = {(r['family'], r['amp'], r['channels_last']): r['result'] for r in res}
    assert set(by) == {('stgcnpp', a, False) for a in ('none', 'bf16', 'fp16')} | {
        ('posec3d', a, c) for a in ('none', 'bf16', 'fp16') for c in (False, True)}
    for key, v in by.items():
        if key[1] == 'fp16':
            assert v.startswith('n/a') and 'GPU' in v          # no fp16 autocast on a CPU
        else:
            assert v['train'] > 0 and v['test'] > 0, (key, v)
    text = out.read_text()
    assert text.startswith('Device: CPU x 1') and text.count('| stgcnpp |') == 3
    data = json.loads((tmp_path / 'bench.json').read_text())
    assert data['world'] == 1 and len(data['results']) == len(res)


def test_ddp_under_torchrun(tmp_path):
    out = tmp_path / 'ddp.md'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
           '--master_port', free_port(), osp.join(ROOT, 'tools', 'analysis', 'benchmark_gpu.py'),
           '--tiny', '--device', 'cpu', '--families', 'stgcnpp', '--amp', 'none',
           '--compile', 'no', '--out', str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env={**__import__('os').environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    assert out.read_text().startswith('Device: CPU x 2 process(es)')
