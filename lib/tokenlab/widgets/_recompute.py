"""A widget's ``result``, computed once per change of what it is computed from.

traitlets calls an observer once for every trait that changed: building a widget with six
inputs, or a ``set_state`` from the page that carries three, calls the observer that recomputes
``result`` six or three times, with the same values from the second call on (and an observer
that clamps an input calls it once more). :meth:`Recomputed._set_result` skips a call whose
function and arguments are those of the last result.

A widget's ``__init__`` checks its arguments, then hands them to ``super().__init__``: traitlets
notifies the observers of every trait set there, so the first ``result`` is computed then, once,
before the widget's state first reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Recomputed"]


class Recomputed:
    """Mixin for a widget with a ``result`` trait; put it before ``anywidget.AnyWidget``.

    Examples
    --------
    >>> class W(Recomputed):
    ...     result = None
    >>> w, calls = W(), []
    >>> def total(*xs):
    ...     calls.append(xs)
    ...     return sum(xs)
    >>> w._set_result(total, 1, 2); w._set_result(total, 1, 2); w._set_result(total, 1, 3)
    >>> w.result, calls
    (4, [(1, 2), (1, 3)])
    """

    _result_call: tuple[Any, ...] | None = None

    def _set_result(self, compute: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """``self.result = compute(*args, **kwargs)``, unless the last result came from an
        equal call (the same function, equal arguments)."""
        call = (compute, args, kwargs)
        if call != self._result_call:
            self.result = compute(*args, **kwargs)
            self._result_call = call
