"""Input checks shared by the widgets: numbers, flags, integers and lists, named in each error.

Every check takes the name of the argument it checks (``"temperature"``, ``"keys[1][0]"``,
...) and puts it at the start of the message it raises, so the reader sees which input is
wrong. The checks each widget needs alone (the shape of its examples, its ranges) stay in the
widget's own module.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

__all__ = ["as_list", "flag", "integer", "number", "positive", "sequence"]


def as_list(value: Any) -> Any:
    """Arrays and tensors to (nested) lists; anything else as it is.

    Parameters
    ----------
    value : Any
        Anything; a NumPy array or a torch tensor (anything with a ``tolist`` method, ``str``
        and ``bytes`` aside) becomes ``value.tolist()``: nested lists, or a Python number for a
        0-d one.

    Returns
    -------
    Any
        ``value.tolist()`` or ``value``.

    Examples
    --------
    >>> import torch
    >>> as_list(torch.tensor([[1, 2], [3, 4]])), as_list(torch.tensor(2.5)), as_list("ab")
    ([[1, 2], [3, 4]], 2.5, 'ab')
    """
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) and not isinstance(value, (str, bytes)) else value


def number(name: str, value: Any) -> float:
    """A finite real number as a float.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Any
        A real number (``int``, ``float``, NumPy scalars); ``bool`` is refused.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    TypeError
        ``"{name} must be a real number, got {type}"`` when ``value`` is not one.
    ValueError
        ``"{name} must be finite, got {value}"`` for NaN and the infinities.

    Examples
    --------
    >>> number("x", 3)
    3.0
    >>> number("x", True)
    Traceback (most recent call last):
    ...
    TypeError: x must be a real number, got bool
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def positive(name: str, value: Any) -> float:
    """A finite real number above 0 (a temperature, say) as a float.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Any
        A real number, checked as :func:`number` checks it, then ``> 0``.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    TypeError
        As :func:`number`.
    ValueError
        As :func:`number`, or ``"{name} must be > 0, got {value}"``.

    Examples
    --------
    >>> positive("temperature", 2)
    2.0
    >>> positive("temperature", 0)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be > 0, got 0.0
    """
    value = number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def flag(name: str, value: Any) -> bool:
    """True or False (1 and 0 too, as ``traitlets.Bool`` takes them).

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Any
        ``True``, ``False``, ``1`` or ``0``.

    Returns
    -------
    bool
        ``bool(value)``.

    Raises
    ------
    TypeError
        ``"{name} must be True or False, got {value!r}"`` for anything else.

    Examples
    --------
    >>> flag("causal", 1), flag("causal", False)
    (True, False)
    >>> flag("causal", "yes")
    Traceback (most recent call last):
    ...
    TypeError: causal must be True or False, got 'yes'
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def integer(name: str, value: Any) -> int:
    """An integer as an ``int``; NumPy and torch integers accepted, ``bool`` and ``float``
    refused.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Any
        Anything ``operator.index`` takes, but a ``bool``.

    Returns
    -------
    int
        ``operator.index(value)``. The caller checks its range, with its own message.

    Raises
    ------
    TypeError
        ``"{name} must be an integer, got {value!r}"`` for a ``bool`` or ``float``,
        ``"{name} must be an integer, got {type}"`` for anything else that is not one.

    Examples
    --------
    >>> import torch
    >>> integer("pair", torch.tensor(3))
    3
    >>> integer("pair", 3.0)
    Traceback (most recent call last):
    ...
    TypeError: pair must be an integer, got 3.0
    """
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None


def sequence(name: str, value: Any, what: str) -> list:
    """A list, tuple, array or tensor as a list (one level: the items are left as they are).

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : Any
        A sequence (after :func:`as_list`); ``str``, ``bytes`` and mappings are refused.
    what : str
        What ``value`` should be, for the error message (``"a list of str"``).

    Returns
    -------
    list
        ``list(as_list(value))``.

    Raises
    ------
    TypeError
        ``"{name} must be {what}, got {type}"``.

    Examples
    --------
    >>> sequence("tokens", ("a", "b"), "a list of str")
    ['a', 'b']
    >>> sequence("tokens", "ab", "a list of str")
    Traceback (most recent call last):
    ...
    TypeError: tokens must be a list of str, got str
    """
    value = as_list(value)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return list(value)
