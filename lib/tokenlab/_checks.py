"""Input checks shared by the package's modules (private: the messages name the argument).

Examples
--------
>>> check_int(3, "n", 0)
3
>>> check_int(2.0, "n", 0)
Traceback (most recent call last):
    ...
TypeError: n must be an integer, got 2.0
>>> check_float_dtype(torch.float16)
torch.float16
"""

from __future__ import annotations

import operator

import torch

__all__ = ["check_float_dtype", "check_int"]


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


def check_float_dtype(dtype: object) -> torch.dtype:
    """``dtype`` if it is a floating-point :class:`torch.dtype`.

    Raises
    ------
    TypeError
        Otherwise (``"dtype must be a floating-point torch.dtype, got ..."``).
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch.dtype, got {dtype!r}")
    return dtype
