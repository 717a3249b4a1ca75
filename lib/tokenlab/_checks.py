"""Input checks shared by the package's modules (private: the messages name the argument).

Examples
--------
>>> check_int(3, "n", 0)
3
>>> check_int(2.0, "n", 0)
Traceback (most recent call last):
    ...
TypeError: n must be an integer, got 2.0
"""

from __future__ import annotations

import operator

__all__ = ["check_int"]


def check_int(value: object, name: str, minimum: int) -> int:
    """``value`` as a Python int ``>= minimum``.

    NumPy and torch integers are accepted (through ``operator.index``); bool and float are
    refused, even a float with an integer value.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument's name, for the error message.
    minimum : int
        The smallest value allowed.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``"{name} must be an integer, got ..."``).
    ValueError
        If ``value < minimum`` (``"{name} must be >= {minimum}, got ..."``).
    """
    if isinstance(value, bool | float):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number
