"""Show: attention tables as HTML heatmaps that render any script, Hangul included.

Matplotlib draws text with its own fonts, and the fonts it ships have no Hangul: a plot of
Korean tokens shows empty boxes unless a CJK font is installed (Colab and Binder have none by
default). A table of numbers with coloured cells is what an attention map is anyway, and as
HTML the *browser* draws the labels with the reader's fonts. :func:`heatmap_html` returns such
a table; in a notebook it displays itself, and the book's static pages keep it.

Examples
--------
>>> table = heatmap_html([[0.9, 0.1], [0.3, 0.7]], ["배를", "타고"], ["배를", "타고"])
>>> "배를" in table.html and "0.90" in table.html
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["HeatmapTable", "heatmap_html"]


class HeatmapTable:
    """An HTML table that Jupyter displays (``_repr_html_``); its markup is in :attr:`html`."""

    def __init__(self, markup: str) -> None:
        self.html = markup

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"HeatmapTable({len(self.html)} characters of HTML)"


def _labels(name: str, labels: Sequence[Any], n: int) -> list[str]:
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise TypeError(f"{name} must be a sequence of labels, got {type(labels).__name__}")
    if len(labels) != n:
        raise ValueError(f"{name} has {len(labels)} labels for {n} {name}")
    return [str(label) for label in labels]


def _colour(fraction: float) -> tuple[str, str]:
    """Background and text colour for a cell ``fraction`` of the way from light to dark blue."""
    light, dark = (247, 251, 255), (8, 48, 107)  # the ends of matplotlib's "Blues"
    rgb = [round(a + (b - a) * fraction) for a, b in zip(light, dark, strict=True)]
    text = "#fff" if fraction > 0.55 else "#111"
    return "#{:02x}{:02x}{:02x}".format(*rgb), text


def heatmap_html(
    values: Any,
    rows: Sequence[Any],
    columns: Sequence[Any],
    *,
    digits: int = 2,
    vmin: float | None = None,
    vmax: float | None = None,
    caption: str | None = None,
    row_title: str = "query",
    column_title: str = "key",
) -> HeatmapTable:
    """A 2-D array as an HTML table whose cells are shaded by value.

    Parameters
    ----------
    values : array-like of shape (rows, columns)
        A list of lists, NumPy array or tensor. ``-inf`` is allowed (a masked attention score;
        shown as ``−∞`` on a grey cell); NaN and ``+inf`` are refused.
    rows, columns : sequence
        A label per row and per column (tokens, usually).
    digits : int, default 2
        Decimals shown in each cell.
    vmin, vmax : float, optional
        The values shown lightest and darkest; the finite minimum and maximum by default.
    caption : str, optional
        A caption above the table.
    row_title, column_title : str
        What the rows and the columns are, shown in the corner cell.

    Returns
    -------
    HeatmapTable
        Displays itself in Jupyter; ``.html`` holds the markup. Labels and captions are escaped.

    Raises
    ------
    ValueError
        If ``values`` is not 2-D, holds NaN or ``+inf``, or the labels do not match its shape.

    Examples
    --------
    >>> t = heatmap_html([[1.0, float("-inf")], [0.5, 0.5]], ["a", "b"], ["a", "b"])
    >>> t.html.count("<td"), "−∞" in t.html
    (4, True)
    """
    v = torch.as_tensor(values, dtype=torch.float64).detach().cpu()
    if v.dim() != 2:
        raise ValueError(f"values must be 2-D (rows, columns), got shape {tuple(v.shape)}")
    if torch.isnan(v).any() or (v == math.inf).any():
        raise ValueError("values must not hold NaN or +inf (-inf marks a masked cell)")
    row_labels = _labels("rows", rows, v.shape[0])
    col_labels = _labels("columns", columns, v.shape[1])
    finite = v[torch.isfinite(v)]
    if vmin is None:
        vmin = float(finite.min()) if finite.numel() else 0.0
    if vmax is None:
        vmax = float(finite.max()) if finite.numel() else 1.0
    lo, hi = float(vmin), float(vmax)
    span = hi - lo if hi > lo else 1.0

    esc = html.escape
    cell = "padding:3px 7px;text-align:right;font-variant-numeric:tabular-nums;"
    head = "padding:3px 7px;font-weight:600;"
    parts = ['<table class="tl-heatmap" style="border-collapse:collapse;font-size:0.9em;">']
    if caption:
        parts.append(f'<caption style="caption-side:top;text-align:left;">{esc(caption)}</caption>')
    corner = f"{esc(row_title)} ↓ · {esc(column_title)} →"
    parts.append(f'<thead><tr><th style="{head}font-weight:400;font-size:0.8em;">{corner}</th>')
    parts.extend(f'<th style="{head}text-align:center;">{esc(c)}</th>' for c in col_labels)
    parts.append("</tr></thead><tbody>")
    for label, row in zip(row_labels, v.tolist(), strict=True):
        parts.append(f'<tr><th style="{head}text-align:left;">{esc(label)}</th>')
        for x in row:
            if x == -math.inf:
                parts.append(f'<td style="{cell}background:#e5e5e5;color:#777;">−∞</td>')
                continue
            fraction = min(max((x - lo) / span, 0.0), 1.0)
            bg, fg = _colour(fraction)
            parts.append(f'<td style="{cell}background:{bg};color:{fg};">{x:.{digits}f}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return HeatmapTable("".join(parts))
