"""``StrictLoadRunner``: mmengine's Runner that refuses checkpoints that do not fit.

mmengine loads ``load_from`` and ``--resume`` checkpoints with
``strict=False``: a checkpoint of another model prints size-mismatch warnings
and training or testing goes on with a half-random model. Here every load
goes through :func:`pyskl.engine.checkpoint.load_checked`.

Checkpoints are read by :func:`pyskl.engine.checkpoint.load_weights_file` (an
allow-list unpickler: a file cannot run code), except ``--resume``, which reads the
run's own whole training state. Checkpoints are written atomically (temporary file + rename), and ``--resume``
without a path skips unreadable checkpoints (a truncated file, an empty
``last_checkpoint``) with a warning, continuing from the newest readable one.

Config keys:
    load_partial: ``True`` allows ``load_from`` to load only the weights whose
        names and shapes match (fine-tuning with a new head); what stayed newly
        initialised is logged. ``--resume`` is always strict.
"""
from __future__ import annotations

import copy
import glob
import os
import os.path as osp

from mmengine.logging import print_log
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from pyskl.registry import RUNNERS
from .checkpoint import (find_resumable_checkpoint, load_checked, load_from_local_trusted,
                         load_weights_file, partial_load_message)


class LabelRangeError(ValueError):
    """A dataset label the model has no class for (names the sample)."""


class LabelRangeCheckHook(Hook):
    """Before training and testing, every dataset's largest label must be below
    the model's ``num_classes``: otherwise the loss fails inside a batch, or the
    metrics at the end of a test run, without the sample's name."""
    priority = 'VERY_HIGH'

    @staticmethod
    def _datasets(loader):
        ds = getattr(loader, 'dataset', None)
        stack = [ds] if ds is not None else []
        while stack:
            d = stack.pop()
            if hasattr(d, 'datasets'):
                stack.extend(d.datasets)
            elif hasattr(d, 'dataset'):
                stack.append(d.dataset)
            else:
                yield d

    def _check(self, runner, loader, name):
        model = getattr(runner.model, 'module', runner.model)
        head = getattr(model, 'cls_head', None)
        k = getattr(head, 'num_classes', None)
        if not isinstance(k, int):
            return
        for ds in self._datasets(loader):
            top = getattr(ds, 'label_max', None)
            if top is not None and int(top[0]) >= k:
                raise LabelRangeError(
                    f'{name}: sample {top[1]!r} of {getattr(ds, "ann_file", "?")!r} has label '
                    f'{int(top[0])}, but the model has {k} classes (labels 0..{k - 1}); set '
                    'num_classes to the number of classes of the data')

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader, 'train_dataloader')

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader, 'test_dataloader')


@RUNNERS.register_module()
class StrictLoadRunner(Runner):
    """mmengine ``Runner`` whose checkpoint loading is strict by default.

    Raises:
        RuntimeError: from ``load_checkpoint`` when the checkpoint does not
            fit (lists missing / unexpected / mis-shaped keys).
    """

    _resuming = False

    @classmethod
    def from_cfg(cls, cfg) -> 'StrictLoadRunner':
        """mmengine's ``from_cfg`` on a copy of ``cfg`` with its late-bound
        variables resolved (:mod:`pyskl.engine.config`): a config read by plain
        ``Config.fromfile`` runs as it does through the tools."""
        from .compile import compile_options, compile_recognizer
        from .config import RunConfig, resolve_variables
        # RunConfig: the config is formatted once, not again in every checkpoint
        cfg = RunConfig.of(resolve_variables(copy.deepcopy(cfg)))
        # pyskl compiles backbone and head itself (state-dict names unchanged, eager
        # fallback); mmengine's own compile of train_step is not used
        options = compile_options(cfg.pop('compile', None))
        fuse = bool(cfg.pop('fuse_conv_bn', False))
        runner = super().from_cfg(cfg)
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if fuse and getattr(model, 'backbone', None) is not None:
            # at the first (test) forward, after the checkpoint is loaded
            from ..models.utils.fuse_conv_bn import fuse_conv_bn_on_first_call
            fuse_conv_bn_on_first_call(model.backbone, log=lambda n: print_log(
                f'--fuse-conv-bn: {n} BatchNorm layers folded into convolutions',
                logger='current'))
        if options is not None:
            compile_recognizer(model, options)
        runner.register_hook(LabelRangeCheckHook())
        return runner

    def setup_env(self, env_cfg) -> None:
        """mmengine's ``setup_env``, then a timestamp no earlier runner of this
        process used: mmengine names the logger, the visualizer and the scope of a
        run ``<config>_<timestamp>`` (seconds) and reuses an instance of the same
        name, so a second run built within the same second (a quick test run after
        a training, the tools that run several trainings in one process) logged
        into the first run's files. A taken timestamp gets ``_1``, ``_2``, ..."""
        from mmengine.logging import MMLogger
        super().setup_env(env_cfg)
        taken = tuple(MMLogger._instance_dict)
        stamp, n = self._timestamp, 0
        while any(k == stamp or k.endswith('_' + stamp) for k in taken):
            n += 1
            stamp = f'{self._timestamp}_{n}'
        self._timestamp = stamp

    def train(self):
        try:
            return super().train()
        finally:
            self._stop_persistent_workers()

    def val(self):
        try:
            return super().val()
        finally:
            self._stop_persistent_workers()

    def test(self):
        try:
            return super().test()
        finally:
            self._stop_persistent_workers()

    def _stop_persistent_workers(self) -> None:
        """Shut down the worker processes that ``persistent_workers=True``
        dataloaders keep alive, when ``train`` / ``val`` / ``test`` returns or
        raises. Left to the garbage collector (the loops hold their loaders in
        reference cycles), the shutdown finds its queues already finalised and
        waits 5 s per worker before killing it; a process that runs several
        trainings (a notebook, the tests) paid that each time."""
        for name in ('_train_loop', '_val_loop', '_test_loop'):
            loader = getattr(getattr(self, name, None), 'dataloader', None)
            it = getattr(loader, '_iterator', None)
            if it is not None and hasattr(it, '_shutdown_workers'):
                it._shutdown_workers()
                loader._iterator = None

    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs):
        """mmengine's ``save_checkpoint``, made atomic: the checkpoint is
        written to a temporary file in ``out_dir`` and renamed, so a run
        killed while saving leaves the previous checkpoints whole."""
        tmp = f'.{filename}.tmp{os.getpid()}'
        super().save_checkpoint(out_dir, tmp, *args, **kwargs)
        src, dst = osp.join(out_dir, tmp), osp.join(out_dir, filename)
        if osp.exists(src):   # written by the main process only
            os.replace(src, dst)
            for stale in glob.glob(osp.join(out_dir, '.*.tmp*')):  # of a killed save
                os.remove(stale)

    def load_or_resume(self) -> None:
        """``--resume`` without a path continues from the newest *readable*
        checkpoint (see :func:`find_resumable_checkpoint`); otherwise as
        mmengine."""
        if not self._has_loaded and self._resume and self._load_from is None:
            found = find_resumable_checkpoint(self.work_dir, self.logger)
            if found is None:
                self.logger.warning(f'--resume: no readable checkpoint in {self.work_dir}; '
                                    'training from scratch')
                self._resume = False
            else:
                self.logger.info(f'Resuming from {found}')
                self._load_from = found
        return super().load_or_resume()

    def resume(self, filename, *args, **kwargs):
        self._resuming = True
        try:
            return super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def load_checkpoint(self, filename, map_location='cpu', strict: bool = True,
                        revise_keys: list = [(r'^module\.', '')]):
        partial = bool(self.cfg.get('load_partial', False)) and not self._resuming
        # --resume needs the whole training state (optimizer, message hub) of the run's
        # own work dir; every other load takes weights only, without running code
        read = load_from_local_trusted if self._resuming else load_weights_file
        checkpoint = read(filename, map_location=map_location)
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
    """The runner of ``cfg`` (variables resolved): ``runner_type`` from the
    registry if set, else :class:`StrictLoadRunner`. ``build_runner(
    Config.fromfile(path))`` is the one line that runs any pyskl config."""
    if cfg.get('runner_type'):
        from .config import resolve_variables
        return RUNNERS.build(resolve_variables(copy.deepcopy(cfg)))
    return StrictLoadRunner.from_cfg(cfg)
