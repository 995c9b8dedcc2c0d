"""One policy for arguments kept for PYSKL / MMAction2 config compatibility.

A class lists by name the compatibility arguments it accepts but does not use,
each with the value at which ignoring it changes nothing. Passing another value
warns (the config asks for something this project does not do); any argument
not listed raises ``TypeError`` naming the class and the argument -- a
misspelt option is never silently dropped.
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, Mapping


def ignore_compat_args(owner: str, given: Dict[str, Any],
                       accepted: Mapping[str, Any]) -> None:
    """Check ``given`` keyword arguments against the ``accepted`` ones.

    Args:
        owner: class name, for messages.
        given: the keyword arguments the class did not consume (``**kwargs``).
        accepted: ``{name: value for which ignoring it is harmless}``.

    Raises:
        TypeError: an argument not in ``accepted`` (names the class and it).

    Warns:
        UserWarning: an accepted argument given with another value (ignored).
    """
    unknown = sorted(k for k in given if k not in accepted)
    if unknown:
        raise TypeError(f'{owner}: unexpected argument(s) {unknown}; accepted for '
                        f'compatibility (and ignored): {sorted(accepted) or "none"}')
    for name, value in given.items():
        harmless = accepted[name]
        if value != harmless and not (value is None and harmless in (None, False, 0)):
            warnings.warn(f'{owner}: {name}={value!r} is accepted for PYSKL/MMAction2 config '
                          f'compatibility but ignored (behaves as {name}={harmless!r})',
                          UserWarning, stacklevel=3)
