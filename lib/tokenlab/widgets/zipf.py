"""The Zipf/Heaps explorer: rank-frequency and vocabulary-growth curves of the book's corpora.

The widget shows precomputed statistics, one set per corpus and tokenization level:

* **Zipf**: the type counts in descending order against their rank, on log-log axes, with a
  least-squares line ``log10 count = slope * log10 rank + intercept`` fitted over a rank range
  the reader chooses with two (log-scaled) sliders.
* **Heaps**: the number of types seen against the number of tokens read, with the fitted curve
  ``types = k * tokens ** beta`` (least squares of ``log10 types`` on ``log10 tokens`` over all
  the points).

:func:`zipf_data` turns full count and growth arrays into the small, downsampled form the
widget embeds (about 300 log-spaced ranks and 200 growth points per level), and
:func:`zipf_data_from_tokens` computes them from a token list. ``zipf.js`` fits in the browser,
with the same float64 arithmetic as :func:`fit_loglog`, so the widget works on the static site;
in a live kernel each change also reaches Python, which recomputes
:attr:`ZipfHeapsWidget.result`, and the widget then shows the kernel's numbers. The DOM the
JavaScript builds is documented at the top of ``zipf.js``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

from tokenlab.widgets._checks import as_list, number
from tokenlab.widgets._recompute import Recomputed

__all__ = ["ZipfHeapsWidget", "fit_loglog", "zipf_data", "zipf_data_from_tokens"]

HERE = Path(__file__).resolve().parent
N_RANKS = 300
N_HEAPS = 200
DEFAULT_RANK_RANGE = (10.0, 10000.0)
FITS = ("zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta")


# ---- numbers ------------------------------------------------------------------------------


def _floats(name: str, value: Any) -> list[float]:
    """A 1-D sequence of finite numbers as a list of floats."""
    if isinstance(value, (str, bytes, Mapping)):
        raise TypeError(f"{name} must be a 1-D sequence of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name} must be a 1-D sequence of numbers") from err
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {arr.ndim} dimensions")
    if arr.size and (arr.dtype == bool or not np.issubdtype(arr.dtype, np.number)):
        raise TypeError(f"{name} must hold numbers, got {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers")
    return arr.tolist()


def _num(v: float) -> int | float:
    """A whole number as an ``int`` (as the page shows it), anything else as a ``float``."""
    return int(v) if float(v).is_integer() else float(v)


def _bound(name: str, value: Any) -> float:
    """A real number or an infinity (not NaN)."""
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def fit_loglog(x: Any, y: Any, lo: float = -math.inf, hi: float = math.inf) -> tuple[float, float]:
    """Least-squares line through ``(log10 x, log10 y)`` for the points with ``lo <= x <= hi``.

    Parameters
    ----------
    x, y : 1-D sequences of positive numbers, the same length
        The points (arrays, tensors and lists all work).
    lo, hi : float
        The range of ``x`` to fit over, both ends included; everything by default.

    Returns
    -------
    (slope, intercept) : tuple of float
        ``log10 y ≈ slope * log10 x + intercept``, so ``y ≈ 10**intercept * x**slope``.
        Computed in float64 exactly as ``zipf.js`` does: means first, then the centred sums,
        summed in order (so the browser gets the same numbers).

    Raises
    ------
    ValueError
        When ``x`` and ``y`` differ in length, hold a number <= 0 in the range, or the range
        holds fewer than two distinct ``x``.

    Examples
    --------
    >>> fit_loglog([1, 10, 100], [1000, 100, 10])
    (-1.0, 3.0)
    >>> round(fit_loglog([1, 10, 100, 1000], [5, 50, 5000, 5], lo=1, hi=10)[0], 12)
    1.0
    """
    xs, ys = _floats("x", x), _floats("y", y)
    if len(xs) != len(ys):
        raise ValueError(f"x and y must be the same length, got {len(xs)} and {len(ys)}")
    lo, hi = _bound("lo", lo), _bound("hi", hi)
    lx: list[float] = []
    ly: list[float] = []
    for a, b in zip(xs, ys, strict=True):
        if lo <= a <= hi:
            if a <= 0:
                raise ValueError(f"x must be > 0 to take its log, got {a}")
            if b <= 0:
                raise ValueError(f"y must be > 0 to take its log, got {b}")
            lx.append(math.log10(a))
            ly.append(math.log10(b))
    n = len(lx)
    if n < 2:
        raise ValueError(f"fewer than 2 points with {lo} <= x <= {hi}: cannot fit a line")
    sx = sy = 0.0
    for a, b in zip(lx, ly, strict=True):
        sx += a
        sy += b
    mx, my = sx / n, sy / n
    sxx = sxy = 0.0
    for a, b in zip(lx, ly, strict=True):
        dx = a - mx
        sxx += dx * dx
        sxy += dx * (b - my)
    if not sxx > 0:
        raise ValueError(f"every point with {lo} <= x <= {hi} has the same x: cannot fit a line")
    slope = sxy / sxx
    return slope, my - slope * mx


def _log_indices(n: int, k: int) -> np.ndarray:
    """About ``k`` distinct 0-based indices into ``n`` items, log-spaced, first and last kept."""
    if n <= k:
        return np.arange(n)
    m = k
    while True:  # the first ranks round to the same integers: ask for more points until k
        idx = np.unique(np.round(np.logspace(0, math.log10(n), m)).astype(np.int64))
        if idx.size >= k or m >= n:
            break
        m += k - idx.size
    return np.unique(np.concatenate([[1], idx[:k - 1], [n]])) - 1


def zipf_data(counts: Any, heaps_tokens: Any, heaps_types: Any, n_ranks: int = N_RANKS,
              n_heaps: int = N_HEAPS) -> dict[str, Any]:
    """Downsample full statistics of one corpus at one level to what the widget embeds.

    Parameters
    ----------
    counts : 1-D array of numbers
        The count of every type (in any order; sorted descending here; zeros dropped).
    heaps_tokens, heaps_types : 1-D arrays of numbers, the same length
        Vocabulary growth: after reading ``heaps_tokens[i]`` tokens, ``heaps_types[i]`` types
        had been seen. Increasing tokens, all > 0.
    n_ranks, n_heaps : int
        About how many log-spaced ranks and growth points to keep.

    Returns
    -------
    dict
        ``ranks`` (1-based, increasing, always 1 and the number of types) and ``counts`` at
        those ranks (ints), ``heaps_tokens`` and ``heaps_types`` (log-spaced by index, first and
        last kept), ``n_types`` and ``n_tokens`` (the totals of ``counts``).

    Examples
    --------
    >>> d = zipf_data([1, 5, 2, 2], [1, 2, 3, 10], [1, 2, 2, 4])
    >>> d["ranks"], d["counts"], d["n_types"], d["n_tokens"]
    ([1, 2, 3, 4], [5, 2, 2, 1], 4, 10)
    >>> d = zipf_data(np.arange(100_000, 0, -1), [1, 10], [1, 5])
    >>> len(d["ranks"]) <= 300, d["ranks"][:3], d["ranks"][-1], d["counts"][-1]
    (True, [1, 2, 3], 100000, 1)
    """
    for name, k in (("n_ranks", n_ranks), ("n_heaps", n_heaps)):
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ValueError(f"{name} must be an int >= 2, got {k!r}")
    c = np.asarray(_floats("counts", counts))
    if np.any(c < 0):
        raise ValueError("counts must be >= 0")
    c = -np.sort(-c[c > 0])
    if c.size == 0:
        raise ValueError("counts must hold at least one count > 0")
    ht = np.asarray(_floats("heaps_tokens", heaps_tokens))
    hv = np.asarray(_floats("heaps_types", heaps_types))
    if ht.size != hv.size:
        raise ValueError(f"heaps_tokens and heaps_types must be the same length, got {ht.size} "
                         f"and {hv.size}")
    if ht.size == 0:
        raise ValueError("heaps_tokens must hold at least one point")
    if np.any(ht <= 0) or np.any(hv <= 0):
        raise ValueError("heaps_tokens and heaps_types must be > 0")
    if np.any(np.diff(ht) <= 0):
        raise ValueError("heaps_tokens must increase")
    ri = _log_indices(c.size, n_ranks)
    hi = _log_indices(ht.size, n_heaps)
    return {
        "ranks": [int(i) + 1 for i in ri],
        "counts": [_num(v) for v in c[ri]],
        "heaps_tokens": [_num(v) for v in ht[hi]],
        "heaps_types": [_num(v) for v in hv[hi]],
        "n_types": int(c.size),
        "n_tokens": _num(c.sum()),
    }


def zipf_data_from_tokens(tokens: Iterable[Any], n_ranks: int = N_RANKS,
                          n_heaps: int = N_HEAPS) -> dict[str, Any]:
    """:func:`zipf_data` of a token sequence (any hashable tokens: words, characters, ids).

    Examples
    --------
    >>> d = zipf_data_from_tokens("the cat saw the dog and the cat".split())
    >>> d["ranks"], d["counts"], d["heaps_types"][-1], d["n_tokens"]
    ([1, 2, 3, 4, 5], [3, 2, 1, 1, 1], 5, 8)
    """
    seen: set[Any] = set()
    growth: list[int] = []
    counts: Counter = Counter()
    for token in tokens:
        counts[token] += 1
        seen.add(token)
        growth.append(len(seen))
    if not growth:
        raise ValueError("tokens must not be empty")
    return zipf_data(list(counts.values()), np.arange(1, len(growth) + 1), growth,
                     n_ranks=n_ranks, n_heaps=n_heaps)


# ---- the data the widget holds -----------------------------------------------------------


def _positive(name: str, value: Any) -> list[float]:
    out = _floats(name, value)
    if not out:
        raise ValueError(f"{name} must not be empty")
    if any(v <= 0 for v in out):
        raise ValueError(f"{name} must hold numbers > 0")
    return out


def _level(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be a dict, got {type(value).__name__}")
    for key in ("counts", "heaps_tokens", "heaps_types"):
        if key not in value:
            raise ValueError(f"{where} has no {key!r}")
    counts = _positive(f"{where}['counts']", value["counts"])
    if "ranks" in value:
        ranks = _positive(f"{where}['ranks']", value["ranks"])
        if len(ranks) != len(counts):
            raise ValueError(f"{where}['ranks'] and ['counts'] must be the same length")
    else:  # full counts: rank i + 1 for counts[i]
        ranks = [float(i + 1) for i in range(len(counts))]
    if any(b <= a for a, b in zip(ranks, ranks[1:], strict=False)):
        raise ValueError(f"{where}['ranks'] must increase")
    tokens = _positive(f"{where}['heaps_tokens']", value["heaps_tokens"])
    types = _positive(f"{where}['heaps_types']", value["heaps_types"])
    if len(tokens) != len(types):
        raise ValueError(f"{where}['heaps_tokens'] and ['heaps_types'] must be the same length")
    out = {"ranks": [_num(v) for v in ranks], "counts": [_num(v) for v in counts],
           "heaps_tokens": [_num(v) for v in tokens], "heaps_types": [_num(v) for v in types]}
    for key in ("n_types", "n_tokens"):
        if key in value:
            out[key] = _num(number(f"{where}[{key!r}]", value[key]))
    return out


def _data(value: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(value, Mapping):
        raise TypeError(f"data must be a dict of corpora, got {type(value).__name__}")
    if not value:
        raise ValueError("data must hold at least one corpus")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for corpus, levels in value.items():
        if not isinstance(corpus, str):
            raise TypeError(f"data's corpus names must be str, got {corpus!r}")
        if not isinstance(levels, Mapping):
            raise TypeError(f"data[{corpus!r}] must be a dict of levels, got "
                            f"{type(levels).__name__}")
        if not levels:
            raise ValueError(f"data[{corpus!r}] must hold at least one level")
        out[corpus] = {}
        for level, stats in levels.items():
            if not isinstance(level, str):
                raise TypeError(f"data[{corpus!r}]'s level names must be str, got {level!r}")
            out[corpus][level] = _level(f"data[{corpus!r}][{level!r}]", stats)
    return out


def _range(value: Any) -> list[float]:
    value = as_list(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"rank_range must be [lo, hi], got {type(value).__name__}")
    if len(value) != 2:
        raise ValueError(f"rank_range must be [lo, hi], got {len(value)} numbers")
    try:
        lo, hi = (number(f"rank_range[{i}]", v) for i, v in enumerate(value))
    except TypeError as err:
        raise ValueError(str(err)) from None
    if lo < 1:
        raise ValueError(f"rank_range must start at rank >= 1, got {lo}")
    if hi < lo:
        raise ValueError(f"rank_range must be [lo, hi] with lo <= hi, got [{lo}, {hi}]")
    return [lo, hi]


def clip_range(rank_range: Sequence[float], max_rank: float) -> list[float]:
    """``[lo, hi]`` within ``[1, max_rank]`` (as ``zipf.js`` clips it): hi at most max_rank,
    lo at most hi."""
    hi = min(float(rank_range[1]), float(max_rank))
    lo = min(max(float(rank_range[0]), 1.0), hi)
    return [lo, hi]


def fit_selection(stats: Mapping[str, Any], rank_range: Sequence[float]) -> dict[str, Any]:
    """The widget's numbers for one level's (validated) statistics and a clipped rank range:
    ``zipf_slope``, ``zipf_intercept``, ``heaps_k``, ``heaps_beta`` (None where there are fewer
    than two points to fit) and ``zipf_points`` (how many ranks are in the range)."""
    lo, hi = rank_range
    out: dict[str, Any] = {"zipf_points": sum(1 for r in stats["ranks"] if lo <= r <= hi)}
    try:
        out["zipf_slope"], out["zipf_intercept"] = fit_loglog(stats["ranks"], stats["counts"],
                                                              lo, hi)
    except ValueError:
        out["zipf_slope"] = out["zipf_intercept"] = None
    try:
        beta, log_k = fit_loglog(stats["heaps_tokens"], stats["heaps_types"])
        out["heaps_k"], out["heaps_beta"] = 10.0**log_k, beta
    except ValueError:
        out["heaps_k"] = out["heaps_beta"] = None
    return out


def _selection(corpus: str, level: str, stats: Mapping[str, Any],
               rank_range: list[float]) -> dict[str, Any]:
    """The widget's ``result``: the selection and :func:`fit_selection` of it."""
    return {"corpus": corpus, "level": level, "rank_range": rank_range,
            **fit_selection(stats, rank_range)}


class ZipfHeapsWidget(Recomputed, anywidget.AnyWidget):
    """Explore Zipf's and Heaps' laws on precomputed corpus statistics.

    Parameters
    ----------
    data : dict
        ``{corpus: {level: {"ranks": [...], "counts": [...], "heaps_tokens": [...],
        "heaps_types": [...]}}}``, as :func:`zipf_data` builds it (``ranks`` may be left out
        when ``counts`` holds every type's count, in descending order). Keep it small: it is
        embedded in the page.
    corpus, level : str, optional
        The selection shown first; the first corpus and its first level by default.
    rank_range : [lo, hi]
        The ranks the Zipf line is fitted over, ``1 <= lo <= hi``; clipped to the selection's
        ranks (``hi`` to the number of types). ``[10, 10000]`` by default.

    Attributes
    ----------
    data, corpus, level, rank_range
        Synced with the page: the reader's choices come back here (in a live kernel).
    result : dict
        ``corpus``, ``level``, ``rank_range`` (clipped), ``zipf_points``, ``zipf_slope``,
        ``zipf_intercept``, ``heaps_k`` and ``heaps_beta`` for the current selection (see
        :func:`fit_loglog`; None where fewer than two points), recomputed on every change.

    Examples
    --------
    >>> ranks = list(range(1, 1001))
    >>> data = {"toy": {"word": {"counts": [1e6 / r for r in ranks],
    ...                          "heaps_tokens": [10, 100, 1000], "heaps_types": [5, 25, 125]}}}
    >>> w = ZipfHeapsWidget(data)
    >>> w.corpus, w.level, w.rank_range
    ('toy', 'word', [10.0, 1000.0])
    >>> [round(w.result[f], 6) for f in ("zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta")]
    [-1.0, 6.0, 1.0, 0.69897]
    >>> w.rank_range = [10, 20]  # the reader's sliders, or Python
    >>> w.result["zipf_points"], w.result["rank_range"]
    (11, [10.0, 20.0])
    """

    _esm = (HERE / "zipf.js").read_text(encoding="utf-8")
    _css = (HERE / "zipf.css").read_text(encoding="utf-8")

    data = traitlets.Dict().tag(sync=True)
    corpus = traitlets.Unicode().tag(sync=True)
    level = traitlets.Unicode().tag(sync=True)
    rank_range = traitlets.List([*DEFAULT_RANK_RANGE]).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    def __init__(self, data: Mapping[str, Any], corpus: str | None = None,
                 level: str | None = None, rank_range: Sequence[float] = DEFAULT_RANK_RANGE,
                 **kwargs: Any) -> None:
        data = _data(data)
        if corpus is None:
            corpus = next(iter(data))
        self._check_corpus(data, corpus)
        if level is None:
            level = next(iter(data[corpus]))
        self._check_level(data, corpus, level)
        stats = data[corpus][level]
        rank_range = clip_range(_range(rank_range), stats["ranks"][-1])
        super().__init__(data=data, corpus=corpus, level=level, rank_range=rank_range, **kwargs)

    # ---- validation ----
    @staticmethod
    def _check_corpus(data: Mapping[str, Any], corpus: Any) -> str:
        if not isinstance(corpus, str):
            raise TypeError(f"corpus must be a str, got {type(corpus).__name__}")
        if corpus not in data:
            raise ValueError(f"corpus {corpus!r} is not in data; choose one of {list(data)}")
        return corpus

    @staticmethod
    def _check_level(data: Mapping[str, Any], corpus: str, level: Any) -> str:
        if not isinstance(level, str):
            raise TypeError(f"level must be a str, got {type(level).__name__}")
        if level not in data[corpus]:
            raise ValueError(f"level {level!r} is not in data[{corpus!r}]; choose one of "
                             f"{list(data[corpus])}")
        return level

    def _max_rank(self) -> float:
        return self.data[self.corpus][self.level]["ranks"][-1]

    @traitlets.validate("data")
    def _valid_data(self, proposal: dict) -> dict:
        return _data(proposal["value"])

    @traitlets.validate("corpus")
    def _valid_corpus(self, proposal: dict) -> str:
        return self._check_corpus(self.data, proposal["value"])

    @traitlets.validate("level")
    def _valid_level(self, proposal: dict) -> str:
        return self._check_level(self.data, self.corpus, proposal["value"])

    @traitlets.validate("rank_range")
    def _valid_range(self, proposal: dict) -> list[float]:
        value = _range(proposal["value"])
        if self.corpus in self.data and self.level in self.data[self.corpus]:
            value = clip_range(value, self._max_rank())
        return value

    # ---- following changes ----
    @traitlets.observe("data")
    def _on_data(self, change: dict) -> None:
        with self.hold_trait_notifications():
            if self.corpus not in self.data:
                self.corpus = next(iter(self.data))
            self._fix_level()

    @traitlets.observe("corpus")
    def _on_corpus(self, change: dict) -> None:
        self._fix_level()

    def _fix_level(self) -> None:
        if self.level not in self.data[self.corpus]:
            self.level = next(iter(self.data[self.corpus]))
        self._fix_range()

    @traitlets.observe("level")
    def _on_level(self, change: dict) -> None:
        self._fix_range()

    def _fix_range(self) -> None:
        clipped = clip_range(self.rank_range, self._max_rank())
        if clipped != list(self.rank_range):
            self.rank_range = clipped
        self._recompute()

    @traitlets.observe("rank_range")
    def _on_range(self, change: dict) -> None:
        self._recompute()

    def _recompute(self) -> None:
        if self.corpus not in self.data or self.level not in self.data[self.corpus]:
            return  # mid-update (a held set_state); the last change recomputes
        stats = self.data[self.corpus][self.level]
        self._set_result(_selection, self.corpus, self.level, stats,
                         clip_range(self.rank_range, stats["ranks"][-1]))
