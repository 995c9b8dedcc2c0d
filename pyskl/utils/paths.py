"""Location of the shared real data (``../shared/data`` beside the repo)."""
from __future__ import annotations

import os
import os.path as osp

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def shared_data_root() -> str:
    """``$PYSKL_SHARED_DATA`` if set, else ``<repo>/../shared/data``."""
    return os.environ.get('PYSKL_SHARED_DATA', osp.join(osp.dirname(_REPO), 'shared', 'data'))
