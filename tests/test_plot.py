"""tokenlab.plot: HTML heatmaps (labels escaped, shading by value, masked cells, bad input)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from tokenlab.plot import heatmap_html


def backgrounds(markup: str) -> list[str]:
    return re.findall(r"<td style=\"[^\"]*background:(#[0-9a-f]{6})", markup)


def test_cells_follow_values_and_shape():
    t = heatmap_html([[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]], ["a", "b"], ["x", "y", "z"])
    assert t.html.count("<td") == 6
    bg = backgrounds(t.html)
    assert bg[0] == "#f7fbff" and bg[2] == "#08306b"  # the ends of the colour scale
    assert bg[0] == bg[5] and bg[1] == bg[4] and bg[2] == bg[3]
    assert ">0.50<" in t.html and t._repr_html_() == t.html


def test_accepts_numpy_and_tensors_and_digits():
    a = np.array([[1 / 3, 2 / 3]])
    assert ">0.333<" in heatmap_html(a, ["q"], ["k1", "k2"], digits=3).html
    assert ">0.67<" in heatmap_html(torch.tensor(a), ["q"], ["k1", "k2"]).html


def test_vmin_vmax_fix_the_scale_even_at_zero():
    t = heatmap_html([[0.5]], ["a"], ["b"], vmin=0.0, vmax=1.0)
    u = heatmap_html([[0.5]], ["a"], ["b"], vmin=-1.0, vmax=0.0)
    assert backgrounds(t.html) != backgrounds(u.html)
    assert backgrounds(u.html) == ["#08306b"]  # clipped to the dark end


def test_masked_cells_and_hangul_and_escaping():
    t = heatmap_html([[1.0, -math.inf]], ["배를"], ["<b>", "먹었다"], caption="a & b")
    assert "−∞" in t.html and "배를" in t.html and "먹었다" in t.html
    assert "&lt;b&gt;" in t.html and "<b>" not in t.html and "a &amp; b" in t.html


@pytest.mark.parametrize(
    ("values", "rows", "cols", "match"),
    [
        ([1.0, 2.0], ["a"], ["b", "c"], "2-D"),
        ([[float("nan")]], ["a"], ["b"], "NaN"),
        ([[math.inf]], ["a"], ["b"], r"\+inf"),
        ([[1.0, 2.0]], ["a", "b"], ["c", "d"], "rows has 2 labels for 1"),
        ([[1.0, 2.0]], ["a"], ["c"], "columns has 1 labels for 2"),
    ],
)
def test_bad_input(values, rows, cols, match):
    with pytest.raises(ValueError, match=match):
        heatmap_html(values, rows, cols)


def test_labels_must_be_a_sequence():
    with pytest.raises(TypeError, match="rows must be a sequence"):
        heatmap_html([[1.0]], "a", ["b"])


def test_input_not_modified():
    x = torch.tensor([[0.25, -math.inf]])
    before = x.clone()
    heatmap_html(x, ["a"], ["b", "c"])
    assert torch.equal(x, before)
