"""Import every registered module and set mmengine's default scope."""
from __future__ import annotations

import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import pyskl's datasets, transforms, models, metrics and engine glue
    (which registers them) and make ``'pyskl'`` the default scope."""
    import pyskl.datasets  # noqa: F401
    import pyskl.engine  # noqa: F401
    import pyskl.evaluation  # noqa: F401
    import pyskl.models  # noqa: F401
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('pyskl', scope_name='pyskl')
    elif current.scope_name != 'pyskl':
        warnings.warn(f'default scope is {current.scope_name!r}; switching to pyskl')
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S-%f')
        DefaultScope.get_instance(f'pyskl-{stamp}', scope_name='pyskl')
