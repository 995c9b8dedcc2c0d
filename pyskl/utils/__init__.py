from .compat import ignore_compat_args
from .paths import shared_data_root
from .setup_env import register_all_modules

__all__ = ['register_all_modules', 'shared_data_root', 'ignore_compat_args']
