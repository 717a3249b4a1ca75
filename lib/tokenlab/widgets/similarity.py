"""The similarity explorer: drag a query and a few keys on a plane, compare three scores.

For each key the widget shows the dot product ``q·k``, the cosine and the scaled dot product
``q·k / sqrt(d)``, and the softmax weights of the scaled dot products divided by a temperature
(the attention weights a query would give these keys). ``similarity.js`` computes every number
in the browser, so the widget works on the static site with no kernel; in a live kernel each
change also reaches Python, which recomputes :attr:`SimilarityWidget.result` with
:mod:`tokenlab.similarity`, and the widget then shows the kernel's numbers.
The DOM the JavaScript builds (class names and data attributes that tests rely on) is
documented at the top of ``similarity.js``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import torch
import traitlets

from tokenlab import similarity as S
from tokenlab.widgets._checks import number, positive, sequence
from tokenlab.widgets._recompute import Recomputed

__all__ = ["SimilarityWidget", "compare_keys"]

HERE = Path(__file__).resolve().parent
MAX_KEYS = 4
METRICS = ("dot", "cosine", "scaled_dot", "weights")


def _vector(name: str, value: Any) -> list[float]:
    value = sequence(name, value, "a 2-D vector [x, y]")
    if len(value) != 2:
        raise ValueError(f"{name} must be a 2-D vector [x, y], got {len(value)} numbers")
    return [number(f"{name}[{i}]", v) for i, v in enumerate(value)]


def _keys(value: Any) -> list[list[float]]:
    value = sequence("keys", value, "a list of 2-D vectors")
    if not 1 <= len(value) <= MAX_KEYS:
        raise ValueError(f"keys must hold 1 to {MAX_KEYS} vectors, got {len(value)}")
    return [_vector(f"keys[{i}]", k) for i, k in enumerate(value)]


def _labels(value: Any, n: int) -> list[str]:
    if value is None:
        return [f"k{i + 1}" for i in range(n)]
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"labels must be a list of str, got {type(value).__name__}")
    if len(value) != n:
        raise ValueError(f"labels must name each of the {n} keys, got {len(value)} labels")
    for i, label in enumerate(value):
        if not isinstance(label, str):
            raise TypeError(f"labels[{i}] must be a str, got {type(label).__name__}")
    return list(value)


def compare_keys(query: Any, keys: Any, temperature: float = 1.0) -> dict[str, Any]:
    """Score each key against the query, as the widget shows it.

    Parameters
    ----------
    query : sequence of 2 numbers
        The query ``q``.
    keys : sequence of 1 to 4 sequences of 2 numbers
        The keys ``k1, k2, ...``.
    temperature : float
        ``T > 0``; the weights are ``softmax(scaled_dot / T)`` over the keys.

    Returns
    -------
    dict
        ``query``, ``keys`` and ``temperature`` (as floats), and one list per metric, one
        number per key: ``dot`` (:func:`tokenlab.similarity.dot`), ``cosine``
        (:func:`tokenlab.similarity.cosine`), ``scaled_dot``
        (:func:`tokenlab.similarity.scaled_dot`) and ``weights``. Computed in float64.

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a 2-D vector, not 1 to 4 keys, or not a temperature
        above 0.

    Examples
    --------
    >>> r = compare_keys((0, 4), [(0, 5), (0, 1)])
    >>> r["dot"], r["cosine"]
    ([20.0, 4.0], [1.0, 1.0])
    >>> round(r["weights"][0], 4)  # softmax of the scaled dots, 20/sqrt(2) and 4/sqrt(2)
    1.0
    >>> [round(w, 3) for w in compare_keys((0, 4), [(0, 5), (0, 1)], 5.0)["weights"]]
    [0.906, 0.094]
    """
    q = torch.tensor(_vector("query", query), dtype=torch.float64)
    k = torch.tensor(_keys(keys), dtype=torch.float64)
    t = positive("temperature", temperature)
    qs = q.expand_as(k)
    scaled = S.scaled_dot(qs, k)  # float64 in, float64 out (tokenlab.similarity)
    return {
        "query": q.tolist(),
        "keys": k.tolist(),
        "temperature": t,
        "dot": S.dot(qs, k).tolist(),
        "cosine": S.cosine(qs, k).tolist(),
        "scaled_dot": scaled.tolist(),
        "weights": torch.softmax(scaled / t, dim=-1).tolist(),
    }


class SimilarityWidget(Recomputed, anywidget.AnyWidget):
    """Drag a query and up to four keys on a plane; compare dot, cosine and scaled dot.

    Parameters
    ----------
    query : sequence of 2 numbers
        The query vector ``q`` (drawn from the origin, with a handle at its tip).
    keys : sequence of 1 to 4 sequences of 2 numbers
        The key vectors.
    temperature : float
        ``T > 0`` for the softmax weights ``softmax(q·k / sqrt(2) / T)``; the reader changes
        it with a slider from 0.1 to 5.
    labels : sequence of str, optional
        A name per key; ``"k1", "k2", ...`` by default.

    Attributes
    ----------
    query, key_vectors, labels, temperature
        Synced with the page: the reader's drags come back here (in a live kernel).
        ``key_vectors`` holds the ``keys`` (a trait cannot be called ``keys``: ipywidgets'
        ``Widget.keys`` lists the synced traits).
    result : dict
        :func:`compare_keys` of the current ``query``, ``keys`` and ``temperature``,
        recomputed on every change.

    Examples
    --------
    >>> w = SimilarityWidget(query=(0, 4), keys=[(0, 5), (0, 1)])
    >>> w.labels, w.result["cosine"], w.result["dot"]
    (['k1', 'k2'], [1.0, 1.0], [20.0, 4.0])
    >>> w.query = [3, 0]
    >>> w.result["dot"]
    [0.0, 0.0]
    >>> w.key_vectors = [[1, 1]]
    >>> w.labels, w.result["cosine"]
    (['k1'], [0.7071067811865475])
    """

    _esm = (HERE / "similarity.js").read_text(encoding="utf-8")
    _css = (HERE / "similarity.css").read_text(encoding="utf-8")

    query = traitlets.List([0.0, 4.0]).tag(sync=True)
    # Not ``keys``: ipywidgets' Widget.keys already names the synced traits.
    key_vectors = traitlets.List([[0.0, 5.0], [3.0, 3.0], [-4.0, 1.0]]).tag(sync=True)
    labels = traitlets.List(["k1", "k2", "k3"]).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        query: Any = (0, 4),
        keys: Any = ((0, 5), (3, 3), (-4, 1)),
        temperature: float = 1.0,
        labels: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        query = _vector("query", query)
        keys = _keys(keys)
        temperature = positive("temperature", temperature)
        labels = _labels(labels, len(keys))
        super().__init__(query=query, key_vectors=keys, temperature=temperature,
                         labels=labels, **kwargs)

    @traitlets.validate("query")
    def _valid_query(self, proposal: dict) -> list[float]:
        return _vector("query", proposal["value"])

    @traitlets.validate("key_vectors")
    def _valid_keys(self, proposal: dict) -> list[list[float]]:
        return _keys(proposal["value"])

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal: dict) -> float:
        return positive("temperature", proposal["value"])

    @traitlets.validate("labels")
    def _valid_labels(self, proposal: dict) -> list[str]:
        return _labels(proposal["value"], len(self.key_vectors))

    @traitlets.observe("key_vectors")
    def _on_keys(self, change: dict) -> None:
        # A new number of keys keeps the names it can and names the rest k<i>.
        n = len(change["new"])
        if len(self.labels) != n:
            self.labels = [*self.labels[:n], *(f"k{i + 1}" for i in range(len(self.labels), n))]

    @traitlets.observe("query", "key_vectors", "temperature")
    def _on_change(self, change: dict) -> None:
        self._set_result(compare_keys, self.query, self.key_vectors, self.temperature)
