"""Import MMAction2 1.2.0 in the scratch virtualenv used for side-by-side measurements.

The 1.2.0 wheel needs three fixes to run at all, all applied here and nowhere
else: its ``models/localizers/drn``
package is missing (stubbed so ``mmaction.models`` imports), its
``PoseCompact`` uses ``np.Inf`` (gone in NumPy 2), and mmengine 0.10 loads
checkpoints with torch's ``weights_only=True`` default (torch >= 2.6).
Only for measurement scripts run with the peer's Python; pyskl never imports it.
"""
import os.path as osp
import sys
import types


def import_mmaction2(trusted_checkpoints: bool = False):
    """Import ``mmaction``, register its modules and return the package.

    Args:
        trusted_checkpoints: make ``torch.load`` default to
            ``weights_only=False`` (mmengine's own checkpoints hold numpy
            objects); only for the local files of ``../shared/data``.
    """
    import numpy as np
    if not hasattr(np, 'Inf'):
        np.Inf = np.inf
    for name in ('mmaction.models.localizers.drn', 'mmaction.models.localizers.drn.drn'):
        mod = types.ModuleType(name)
        mod.DRN = type('DRN', (), {})
        sys.modules[name] = mod
    import mmaction
    from mmaction.utils import register_all_modules
    register_all_modules()
    if trusted_checkpoints:
        import torch
        load = torch.load

        def trusted_load(*args, **kwargs):
            kwargs['weights_only'] = False
            return load(*args, **kwargs)
        torch.load = trusted_load
    return mmaction


def mmaction2_config(rel_path: str):
    """A config file of the installed MMAction2 wheel (``configs/`` relative path)."""
    import mmaction
    return osp.join(osp.dirname(mmaction.__file__), '.mim', 'configs', rel_path)
