from .compat import ignore_compat_args
from .setup_env import register_all_modules

__all__ = ['register_all_modules', 'ignore_compat_args']
