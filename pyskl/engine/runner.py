"""``StrictLoadRunner``: mmengine's Runner that refuses checkpoints that do not fit.

mmengine loads ``load_from`` and ``--resume`` checkpoints with
``strict=False``: a checkpoint of another model prints size-mismatch warnings
and training or testing goes on with a half-random model. Here every load
goes through :func:`pyskl.engine.checkpoint.load_checked`.

Config keys:
    load_partial: ``True`` allows ``load_from`` to load only the weights whose
        names and shapes match (fine-tuning with a new head); what stayed newly
        initialised is logged. ``--resume`` is always strict.
"""
from __future__ import annotations

from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from pyskl.registry import RUNNERS
from .checkpoint import load_checked, partial_load_message


@RUNNERS.register_module()
class StrictLoadRunner(Runner):
    """mmengine ``Runner`` whose checkpoint loading is strict by default.

    Raises:
        RuntimeError: from ``load_checkpoint`` when the checkpoint does not
            fit (lists missing / unexpected / mis-shaped keys).
    """

    _resuming = False

    def resume(self, filename, *args, **kwargs):
        self._resuming = True
        try:
            return super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def load_checkpoint(self, filename, map_location='cpu', strict: bool = True,
                        revise_keys: list = [(r'^module\.', '')]):
        partial = bool(self.cfg.get('load_partial', False)) and not self._resuming
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        report = load_checked(model, checkpoint, source=f'checkpoint {filename}',
                              partial=partial, revise_keys=revise_keys)
        if partial:
            self.logger.warning(partial_load_message(report, filename))
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint


def build_runner(cfg) -> Runner:
    """The runner of ``cfg``: ``runner_type`` from the registry if set, else
    :class:`StrictLoadRunner`."""
    if cfg.get('runner_type'):
        return RUNNERS.build(cfg)
    return StrictLoadRunner.from_cfg(cfg)
