"""``DumpResults``: mmengine's per-sample dump (the layout MMAction2 1.x
writes), with the output path checked when the metric is built -- before the
test run -- and the file written to a temporary name and renamed, so that a
bad path costs no run and a killed run leaves no truncated dump."""
from __future__ import annotations

from mmengine.evaluator.metric import DumpResults as _MMEngineDumpResults
from mmengine.logging import print_log

from pyskl.io.output import check_output_path, dump_pickle
from pyskl.registry import METRICS


@METRICS.register_module()
class DumpResults(_MMEngineDumpResults):
    """Dump the predictions of every test sample to ``out_file_path`` (.pkl).

    Raises:
        OutputPathError: the path cannot be written (checked at build time).
    """

    def __init__(self, out_file_path: str, collect_device: str = 'cpu', collect_dir=None):
        check_output_path(out_file_path, 'DumpResults out_file_path',
                          suffixes=('.pkl', '.pickle'))
        super().__init__(out_file_path, collect_device=collect_device, collect_dir=collect_dir)

    def compute_metrics(self, results: list) -> dict:
        dump_pickle(results, self.out_file_path)
        print_log(f'Results have been saved to {self.out_file_path}.', logger='current')
        return {}
