"""tokenlab.widgets.positional: the Python side (``positional_summary`` against
:func:`tokenlab.positional.sinusoidal` and :func:`~tokenlab.positional.relative_rotation`, the
traits, bad input), the JavaScript's syntax, and (with chromium) the explorer driven by
positional.js alone, against a stand-in model, with no kernel and no book build: every slider
moved with the keyboard, the base select, the heatmap read by hovering, by keys and pixel by
pixel, the kernel's answer replacing the browser's, and the layout at the book's width.

Every number on the page is compared with torch's float64 table within 1e-9. The browser's
Math.sin, Math.cos and Math.pow are double precision too, but V8's libm is not the C library
torch calls, so results may differ in the last bit or two (about 1e-16 relative; angles up to
127 rad and dot products of up to 64 pairs make that at most ~1e-14): 1e-9 leaves room for
that and still catches any float32 step (1e-7) or a wrong formula.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import torch
import traitlets

import tokenlab.widgets as widgets
from tokenlab.positional import relative_rotation, sinusoidal
from tokenlab.widgets.positional import PositionalWidget, positional_summary
from widget_harness import WIDE_BODY, assert_es_module_loads, blank_page, model_state
from widget_harness import mount as mount_esm

HERE = Path(widgets.__file__).resolve().parent
POS_JS = HERE / "positional.js"
POS_CSS = HERE / "positional.css"
SCREENSHOT = Path("/tmp/positional-widget.png")
PARAMS = ("length", "dim", "base", "position", "offset", "pair")
TOL = 1e-9  # browser against torch (see the module docstring)
# positional.js's heatmap colours: RdBu stops at -1, -0.5, 0, 0.5, 1, linear between them.
STOPS = [(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)]


# ---- the reference: straight from tokenlab.positional, float64 ------------------------------


def reference(length, dim, base, position, offset, pair) -> dict:
    """What the page must show, computed from sinusoidal and relative_rotation one number at a
    time (not through positional_summary)."""
    P = sinusoidal(length, dim, base=base, dtype=torch.float64)
    i, k, j = position, offset, pair
    dots = [float(P[i] @ P[m]) for m in range(length)]
    shift = [float(P[n] @ P[n + k]) for n in range(length - k)]
    theta = base ** (-(2 * j) / dim)
    angle = k * theta
    block = relative_rotation(k, dim, base=base, dtype=torch.float64)[2 * j:2 * j + 2,
                                                                      2 * j:2 * j + 2]
    points = [(float(P[n, 2 * j + 1]), float(P[n, 2 * j])) for n in range(length)]
    turns = []
    for n in range(length - k):
        (x0, y0), (x1, y1) = points[n], points[n + k]
        turns.append(math.atan2(x0 * y1 - y0 * x1, x0 * x1 + y0 * y1))

    def wrap(a: float) -> float:
        return a - 2 * math.pi * round(a / (2 * math.pi))

    return {
        "table": P,
        "row": P[i].tolist(),
        "dots": dots,
        "peak": max(range(length), key=lambda m: (dots[m], -m)),
        "shift_dots": shift,
        "shift_dot": shift[i],
        "shift_deviation": max(abs(v - shift[i]) for v in shift),
        "theta": theta,
        "angle": angle,
        "angle_degrees": math.fmod(math.degrees(angle), 360.0),
        "rotation": block.tolist(),
        "pair_points": points,
        "turn": turns[i],
        "turn_deviation": max(abs(wrap(t - angle)) for t in turns),
    }


def colour(v: float) -> tuple[int, int, int]:
    """positional.js's colour of a value (Math.round is floor(x + 0.5) here)."""
    t = (min(1.0, max(-1.0, v)) + 1) * 2
    s = min(3, math.floor(t))
    f = t - s
    return tuple(math.floor(a + (b - a) * f + 0.5) for a, b in zip(STOPS[s], STOPS[s + 1],
                                                                     strict=True))


def js_text(v: float) -> str:
    """positional.js's text for a number: integers as they are, |v| < 1e-3 as
    toExponential(1), others toFixed(4) (both round half away from zero on the exact binary
    value, which Decimal reproduces)."""
    if float(v).is_integer():
        return str(int(v))
    sign = "-" if v < 0 else ""
    d = Decimal(abs(v))
    if abs(v) < 1e-3:
        e = d.adjusted()
        m = d.scaleb(-e).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if m >= 10:
            m, e = (m / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), e + 1
        return f"{sign}{m}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + str(d.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def close(a: float, b: float, tol: float = TOL) -> bool:
    return math.isfinite(a) and abs(a - b) <= tol


# ---- Python -----------------------------------------------------------------------------


def test_defaults_and_synced_traits():
    w = PositionalWidget()
    assert (w.length, w.dim, w.base, w.position, w.offset, w.pair) == (48, 32, 10000.0, 0, 1, 0)
    for name in (*PARAMS, "result"):
        assert w.trait_metadata(name, "sync") is True, name
    assert isinstance(w.traits()["base"], traitlets.Float)
    assert isinstance(w.traits()["length"], traitlets.Int)
    state = w.get_state()
    json.dumps(state)  # what Jupyter Book embeds in the page must be JSON
    assert len(json.dumps(state["result"])) < 20_000, "the result stays small: no full table"
    assert set(w.result) == {*PARAMS, "row", "dots", "peak", "shift_dots", "shift_dot",
                             "shift_deviation", "theta", "angle", "angle_degrees", "rotation",
                             "pair_points", "turn", "turn_deviation"}
    assert {name: w.result[name] for name in PARAMS} == {name: getattr(w, name)
                                                         for name in PARAMS}
    assert w.result == positional_summary()


CASES = [
    (48, 32, 10000.0, 0, 1, 0),
    (48, 32, 10000.0, 20, 7, 3),
    (2, 2, 100.0, 0, 1, 0),
    (2, 2, 100000.0, 1, 0, 0),
    (128, 128, 10000.0, 127, 0, 63),
    (128, 128, 100.0, 5, 122, 10),
    (17, 6, 1000.0, 8, 8, 2),
    (64, 16, 500.5, 31, 20, 7),  # a base the page does not offer
    (30, 8, 1.0, 3, 4, 1),  # every frequency 1
]


@pytest.mark.parametrize("length, dim, base, position, offset, pair", CASES)
def test_summary_matches_sinusoidal_and_relative_rotation(length, dim, base, position, offset,
                                                          pair):
    s = positional_summary(length, dim, base, position, offset, pair)
    want = reference(length, dim, base, position, offset, pair)
    assert (s["length"], s["dim"], s["base"], s["position"], s["offset"], s["pair"]) == (
        length, dim, base, position, offset, pair)
    assert type(s["base"]) is float
    assert s["row"] == want["row"] and len(s["row"]) == dim
    assert len(s["dots"]) == length and len(s["shift_dots"]) == length - offset
    for key in ("dots", "shift_dots"):
        for a, b in zip(s[key], want[key], strict=True):
            assert abs(a - b) <= 1e-12, (key, a, b)
    for key in ("shift_dot", "theta", "angle", "angle_degrees", "turn"):
        assert abs(s[key] - want[key]) <= 1e-12, (key, s[key], want[key])
    assert s["peak"] == want["peak"] == position
    assert s["rotation"] == want["rotation"]
    assert s["pair_points"] == [list(p) for p in want["pair_points"]]
    assert s["shift_deviation"] < 1e-12 and s["turn_deviation"] < 1e-12
    # theta is sinusoidal's frequency: the table's row 1 is (sin theta, cos theta).
    P = sinusoidal(max(length, 2), dim, base=base, dtype=torch.float64)
    assert abs(math.atan2(float(P[1, 2 * pair]), float(P[1, 2 * pair + 1])) - s["theta"]) < 1e-15
    # The rotation block is relative_rotation's, and it is the angle k theta.
    (c, sn), (msn, c2) = s["rotation"]
    assert c == c2 and sn == -msn
    assert abs(c - math.cos(s["angle"])) < 1e-15 and abs(sn - math.sin(s["angle"])) < 1e-15
    # The measured turn is k theta minus whole turns.
    assert abs(math.remainder(s["turn"] - s["angle"], 2 * math.pi)) < 1e-12
    assert 0 <= s["angle_degrees"] < 360
    json.dumps(s)


@pytest.mark.parametrize("length, dim, base", [(48, 32, 10000.0), (128, 128, 100.0),
                                               (128, 2, 100000.0), (40, 10, 1000.0)])
def test_dots_peak_at_i(length, dim, base):
    for i in range(length):
        s = positional_summary(length, dim, base, i, 0, 0)
        assert s["peak"] == i
        assert abs(s["dots"][i] - dim / 2) < 1e-12, "P[i]·P[i] = d/2: sin² + cos² per pair"
        others = [v for m, v in enumerate(s["dots"]) if m != i]
        assert max(others) < s["dots"][i] - 1e-4, "a strict peak, not a rounding tie"
        # Symmetric in the distance: P[i]·P[i-m] = P[i]·P[i+m].
        for m in range(1, min(i, length - 1 - i) + 1):
            assert abs(s["dots"][i - m] - s["dots"][i + m]) < 1e-12


@pytest.mark.parametrize("length, dim, base", [(48, 32, 10000.0), (128, 128, 10000.0),
                                               (96, 14, 100.0)])
def test_shift_dots_depend_only_on_k(length, dim, base):
    P = sinusoidal(length, dim, base=base, dtype=torch.float64)
    freqs = [base ** (-(2 * j) / dim) for j in range(dim // 2)]
    for k in range(length):
        s = positional_summary(length, dim, base, 0, k, 0)
        assert len(s["shift_dots"]) == length - k
        want = sum(math.cos(k * w) for w in freqs)  # P[n]·P[n+k] = sum_j cos(k w_j)
        for n, v in enumerate(s["shift_dots"]):
            assert abs(v - s["shift_dot"]) <= 1e-12, (k, n)
            assert abs(v - want) <= 1e-12, (k, n)
            assert v == s["shift_dots"][n] and abs(v - float(P[n] @ P[n + k])) < 1e-13
        assert s["shift_deviation"] <= 1e-12
        # The same number, seen from every i: the dot product at j = i + k.
        for i in range(0, length - k, 7):
            t = positional_summary(length, dim, base, i, k, 0)
            assert abs(t["shift_dot"] - s["shift_dot"]) <= 1e-12
            assert abs(t["dots"][i + k] - t["shift_dot"]) <= 1e-12


def test_each_pair_turns_by_k_theta_whatever_i():
    length, dim, base = 40, 12, 10000.0
    for j in range(dim // 2):
        for k in (0, 1, 5, 39):
            s = positional_summary(length, dim, base, 0, k, j)
            (c, sn), (msn, _) = s["rotation"]
            assert msn == -sn
            pts = s["pair_points"]
            for n in range(length - k):
                x, y = pts[n]  # (cos, sin); the block acts on (sin, cos)
                # relative_rotation: (sin a, cos a) -> (c sin a + s cos a, -s sin a + c cos a)
                sin_next, cos_next = c * y + sn * x, -sn * y + c * x
                assert abs(sin_next - pts[n + k][1]) < 1e-13
                assert abs(cos_next - pts[n + k][0]) < 1e-13
                assert abs(x * x + y * y - 1) < 1e-15
            assert s["turn_deviation"] < 1e-12
            assert abs(s["angle"] - k * base ** (-(2 * j) / dim)) == 0


def test_result_follows_every_change_and_clamps_like_the_page():
    w = PositionalWidget(length=48, dim=32, position=40, offset=7, pair=15)
    w.length = 30  # i, then k, clamp
    assert (w.position, w.offset) == (29, 0)
    assert w.result == positional_summary(30, 32, 10000.0, 29, 0, 15)
    w.position = 10
    w.offset = 19
    w.dim = 8  # j clamps
    assert w.pair == 3 and w.result["pair"] == 3 and len(w.result["row"]) == 8
    w.base = 100
    assert w.base == 100.0 and w.result["base"] == 100.0
    assert w.result == positional_summary(30, 8, 100.0, 10, 19, 3)
    w.position = 25  # a later i clamps k
    assert w.offset == 4 and w.result["offset"] == 4 and w.result["peak"] == 25
    w.pair = 0
    assert w.result["theta"] == 1.0 and w.result["angle"] == 4.0


def test_what_the_browser_sends_is_recomputed():
    # A live kernel receives the six parameters together, as set_state does: each is checked
    # against the others' new values, not the old ones.
    w = PositionalWidget(length=48, position=40, offset=7)
    w.set_state({"length": 10, "dim": 4, "base": 1000, "position": 9, "offset": 0, "pair": 1})
    assert (w.length, w.dim, w.base, w.position, w.offset, w.pair) == (10, 4, 1000.0, 9, 0, 1)
    assert w.result == positional_summary(10, 4, 1000.0, 9, 0, 1)
    w.set_state({"length": 128, "position": 0, "offset": 127, "dim": 128, "pair": 63})
    assert w.result == positional_summary(128, 128, 1000.0, 0, 127, 63)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"length": 1}, ValueError, "length must be between 2 and 128, got 1"),
    ({"length": 129}, ValueError, "length"),
    ({"length": 48.0}, TypeError, "length must be an integer"),
    ({"length": "48"}, TypeError, "length must be an integer, got str"),
    ({"length": True}, TypeError, "length"),
    ({"dim": 31}, ValueError, "dim must be even"),
    ({"dim": 0}, ValueError, "dim must be between 2 and 128"),
    ({"dim": 130}, ValueError, "dim must be between 2 and 128"),
    ({"dim": 32.0}, TypeError, "dim must be an integer"),
    ({"dim": None}, TypeError, "dim"),
    ({"base": 0}, ValueError, "base must be a finite positive number"),
    ({"base": -10.0}, ValueError, "base"),
    ({"base": float("inf")}, ValueError, "base"),
    ({"base": float("nan")}, ValueError, "base"),
    ({"base": "10000"}, TypeError, "base must be a real number, got str"),
    ({"base": True}, TypeError, "base"),
    ({"position": -1}, ValueError, "position must be between 0 and length - 1 = 47, got -1"),
    ({"position": 48}, ValueError, "position"),
    ({"position": 2.0}, TypeError, "position must be an integer"),
    ({"offset": -1}, ValueError, "offset"),
    ({"position": 47}, ValueError, r"offset must be between 0 and length - 1 - position = 0"),
    ({"length": 10, "position": 5, "offset": 5}, ValueError, "offset.* = 4, got 5"),
    ({"offset": "1"}, TypeError, "offset"),
    ({"pair": 16}, ValueError, r"pair must be between 0 and dim/2 - 1 = 15, got 16"),
    ({"dim": 2, "pair": 1}, ValueError, "pair"),
    ({"pair": -1}, ValueError, "pair"),
    ({"pair": [0]}, TypeError, "pair must be an integer, got list"),
])
def test_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        PositionalWidget(**kwargs)
    with pytest.raises(error, match=match):
        positional_summary(**kwargs)


def test_odd_dim_is_refused_as_the_library_refuses_it():
    with pytest.raises(ValueError, match="dim must be even") as ours:
        PositionalWidget(dim=7)
    with pytest.raises(ValueError, match="dim must be even") as theirs:
        sinusoidal(4, 7)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="dim must be even"):
        PositionalWidget().dim = 33


def test_numpy_and_torch_integers_are_accepted():
    np = pytest.importorskip("numpy")
    w = PositionalWidget(length=np.int64(20), dim=torch.tensor(8), base=np.float64(1000),
                         position=np.int32(3), offset=torch.tensor(2), pair=np.int16(1))
    assert (w.length, w.dim, w.base, w.position, w.offset, w.pair) == (20, 8, 1000.0, 3, 2, 1)
    assert all(type(getattr(w, n)) is int for n in ("length", "dim", "position", "offset",
                                                    "pair"))
    assert type(w.base) is float
    json.dumps(w.get_state())


def test_bad_assignment_is_named_and_changes_nothing():
    w = PositionalWidget(position=3, offset=2, pair=1)
    before = dict(w.result)
    for name, value, match in [("length", 200, "length"), ("dim", 4000, "dim"),
                               ("base", 0.0, "base"), ("position", 48, "position"),
                               ("offset", 45, "offset"), ("pair", 16, "pair")]:
        with pytest.raises(ValueError, match=match):
            setattr(w, name, value)
    assert w.result == before
    assert (w.length, w.dim, w.base, w.position, w.offset, w.pair) == (48, 32, 10000.0, 3, 2, 1)


def test_esm_and_css_are_the_files_and_document_the_contract():
    w = PositionalWidget()
    assert w._esm == POS_JS.read_text(encoding="utf-8")
    assert w._css == POS_CSS.read_text(encoding="utf-8")
    assert "export default { render }" in w._esm
    header = w._esm.split("const TL_POS_NS")[0]
    for name in (".tl-pos ", "input.tl-pos-slider[data-param=P]", "output.tl-pos-value",
                 "select.tl-pos-base", "figure.tl-pos-panel[data-panel=V]",
                 "canvas.tl-pos-heatmap", "data-rows", "data-cols", "data-row",
                 ".tl-pos-heat-row", ".tl-pos-readout", ".tl-pos-rowval[data-col=c]",
                 "circle.tl-pos-dot[data-j=J]", "tl-pos-dot-peak", "tl-pos-dot-shift",
                 "circle.tl-pos-pt[data-n=N]", ".tl-pos-fact[data-fact=F]",
                 ".tl-pos-num[data-name=NAME]", "data-value", "turn_deviation",
                 ".tl-pos-status[data-source=S]", "TL_POS_STOPS", "1e-9"):
        assert name in header, f"{name} is not documented"
    assert ".innerHTML" not in w._esm and "insertAdjacentHTML" not in w._esm
    assert "var(--pst-color" in w._css and "var(--jp-" in w._css
    assert 'html[data-theme="dark"]' in w._css
    # The colours documented for the tests are the ones the page draws.
    assert "[[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130]," in w._esm


def test_package_exports_lazily():
    assert "PositionalWidget" in widgets.__all__
    assert widgets.PositionalWidget is PositionalWidget
    assert "PositionalWidget" in dir(widgets)


def test_widget_module_parses_as_one_es_module(tmp_path):
    assert_es_module_loads(PositionalWidget._esm, tmp_path, "positional")


# ---- positional.js in a real browser, no kernel --------------------------------------------

READ = """
(n) => {
  const root = document.querySelectorAll(".tl-pos")[n];
  const q = (s) => root.querySelector(s);
  const out = { params: {}, ranges: {}, outputs: {}, valuetext: {}, nums: {}, texts: {} };
  for (const input of root.querySelectorAll("input.tl-pos-slider")) {
    const p = input.dataset.param;
    out.params[p] = Number(input.value);
    out.ranges[p] = [Number(input.min), Number(input.max), Number(input.step)];
    out.valuetext[p] = input.getAttribute("aria-valuetext");
  }
  for (const o of root.querySelectorAll("output.tl-pos-value")) {
    out.outputs[o.dataset.param] = [o.dataset.value, o.textContent];
  }
  const base = q("select.tl-pos-base");
  out.params.base = Number(base.value);
  out.bases = [...base.options].map((o) => o.value);
  for (const s of root.querySelectorAll(".tl-pos-num")) {
    out.nums[s.dataset.name] = s.dataset.value;
    out.texts[s.dataset.name] = s.textContent;
  }
  out.row = [...root.querySelectorAll(".tl-pos-rowval")].map(
    (s) => [Number(s.dataset.col), s.dataset.value, s.textContent]);
  out.dots = [...root.querySelectorAll("circle.tl-pos-dot")].map(
    (c) => [Number(c.dataset.j), c.dataset.value, c.getAttribute("class")]);
  out.points = [...root.querySelectorAll("circle.tl-pos-pt")].map(
    (c) => [Number(c.dataset.n), c.dataset.x, c.dataset.y, c.getAttribute("class"),
            Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]);
  const canvas = q("canvas.tl-pos-heatmap");
  out.heat = { rows: Number(canvas.dataset.rows), cols: Number(canvas.dataset.cols),
    row: Number(canvas.dataset.row), width: canvas.width, height: canvas.height,
    pixels: Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width,
      canvas.height).data) };
  const box = q(".tl-pos-heat-row");
  out.rowBox = [box.style.top, box.style.height];
  const readout = q(".tl-pos-readout");
  out.readout = { row: Number(readout.dataset.row), col: Number(readout.dataset.col),
    label: q(".tl-pos-readout-label").textContent };
  out.facts = [...root.querySelectorAll(".tl-pos-fact")].map((f) => f.dataset.fact);
  out.panels = [...root.querySelectorAll("figure.tl-pos-panel")].map((f) => f.dataset.panel);
  const status = q(".tl-pos-status");
  out.source = status.dataset.source;
  out.status = status.textContent;
  out.text = root.textContent;
  return out;
}
"""

# The viewport point at the centre of heatmap cell (row, col) of the n-th widget.
CELL = """
([n, row, col]) => {
  const canvas = document.querySelectorAll(".tl-pos")[n].querySelector("canvas.tl-pos-heatmap");
  const box = canvas.getBoundingClientRect();
  return [box.left + (col + 0.5) * box.width / Number(canvas.dataset.cols),
          box.top + (row + 0.5) * box.height / Number(canvas.dataset.rows)];
}
"""


def read(page, n: int = 0) -> dict:
    return page.evaluate(READ, n)


def params_of(data: dict) -> dict:
    p = data["params"]
    return {"length": int(p["length"]), "dim": int(p["dim"]), "base": float(p["base"]),
            "position": int(p["position"]), "offset": int(p["offset"]), "pair": int(p["pair"])}


def check(data: dict, kernel: bool = False) -> dict:
    """Every number the widget shows equals tokenlab's (float64, within 1e-9) for the
    parameters its controls show; returns those parameters."""
    p = params_of(data)
    L, d, i, k, j = p["length"], p["dim"], p["position"], p["offset"], p["pair"]
    want = reference(**p)
    P = want["table"]
    # The controls: ranges, shown values.
    assert data["ranges"] == {"length": [2, 128, 1], "dim": [2, 128, 2],
                              "position": [0, L - 1, 1], "offset": [0, L - 1 - i, 1],
                              "pair": [0, d // 2 - 1, 1]}
    for name, symbol in (("length", "L"), ("dim", "d"), ("position", "i"), ("offset", "k"),
                         ("pair", "j")):
        assert data["outputs"][name] == [str(p[name])] * 2, name
        assert data["valuetext"][name] == f"{symbol} = {p[name]}"
    # The sentences' numbers.
    r = want["rotation"]
    cell_row, cell_col = data["readout"]["row"], data["readout"]["col"]
    expected = {
        "position": i, "peak": want["peak"], "peak_dot": want["dots"][i], "half_dim": d // 2,
        "shift_j": i + k, "shift_dot": want["shift_dot"], "shift_count": L - k,
        "shift_deviation": want["shift_deviation"], "col_sin": 2 * j, "col_cos": 2 * j + 1,
        "theta": want["theta"], "offset": k, "angle": want["angle"],
        "angle_degrees": want["angle_degrees"], "turn": want["turn"],
        "turn_deviation": want["turn_deviation"], "rotation_00": r[0][0],
        "rotation_01": r[0][1], "rotation_10": r[1][0], "rotation_11": r[1][1],
        "cell": float(P[cell_row, cell_col]),
    }
    assert set(data["nums"]) == set(expected)
    for name, value in expected.items():
        got = float(data["nums"][name])
        assert close(got, value), (name, got, value)
        assert data["texts"][name] == js_text(got), (name, data["texts"][name], got)
        if isinstance(value, int):
            assert data["nums"][name] == str(value), name
    assert want["peak"] == i
    assert float(data["nums"]["shift_deviation"]) < 1e-12
    assert float(data["nums"]["turn_deviation"]) < 1e-12
    # The row P[i].
    assert [c for c, _, _ in data["row"]] == list(range(d))
    for c, value, text in data["row"]:
        assert close(float(value), want["row"][c]), (c, value)
        assert text == js_text(float(value))
    # The dot products, one circle per j.
    assert [jj for jj, _, _ in data["dots"]] == list(range(L))
    for jj, value, cls in data["dots"]:
        assert close(float(value), want["dots"][jj]), (jj, value, want["dots"][jj])
        assert ("tl-pos-dot-peak" in cls) == (jj == i), (jj, cls)
        assert ("tl-pos-dot-shift" in cls) == (jj == i + k), (jj, cls)
    # The points on the circle: (P[n, 2j+1], P[n, 2j]), drawn at SVG (x, -y).
    points = sorted(data["points"])
    assert [n for n, *_ in points] == list(range(L))
    for n, x, y, cls, cx, cy in points:
        assert close(float(x), float(P[n, 2 * j + 1])) and close(float(y), float(P[n, 2 * j]))
        assert cx == float(x) and cy == -float(y)
        assert ("tl-pos-pt-i" in cls) == (n == i) and ("tl-pos-pt-k" in cls) == (n == i + k)
    # The heatmap: one pixel per cell, P's colour; row i outlined.
    heat = data["heat"]
    assert (heat["rows"], heat["cols"], heat["row"], heat["height"], heat["width"]) == (
        L, d, i, L, d)
    pixels = heat["pixels"]
    for n in range(L):
        for c in range(d):
            at = 4 * (n * d + c)
            want_rgb = colour(float(P[n, c]))
            got_rgb = pixels[at:at + 3]
            assert all(abs(a - b) <= 1 for a, b in zip(got_rgb, want_rgb, strict=True)), (
                n, c, got_rgb, want_rgb)
            assert pixels[at + 3] == 255
    # (CSS keeps about 6 significant digits of a percentage)
    assert abs(float(data["rowBox"][0].rstrip("%")) - 100 * i / L) < 1e-3
    assert abs(float(data["rowBox"][1].rstrip("%")) - 100 / L) < 1e-3
    fn = "sin" if cell_col % 2 == 0 else "cos"
    sub = "".join("₀₁₂₃₄₅₆₇₈₉"[int(ch)] for ch in str(cell_col // 2))
    assert data["readout"]["label"] == f"P[{cell_row}, {cell_col}] = {fn}({cell_row}·θ{sub})"
    assert data["facts"] == ["peak", "shift", "theta", "angle"]
    assert data["panels"] == ["heatmap", "dots", "rotation"]
    assert "NaN" not in data["text"] and "undefined" not in data["text"]
    assert data["source"] == ("kernel" if kernel else "browser")
    return p


@pytest.fixture
def page(browser):
    yield from blank_page(browser, viewport={"width": 780, "height": 1100}, body_style=WIDE_BODY)


def mount(page, widget: PositionalWidget, width: int = 720, **state) -> int:
    data = {name: getattr(widget, name) for name in (*PARAMS, "result")}
    data.update(state)
    return mount_esm(page, widget._esm, widget._css, data, width, css_id="tl-pos-css")


def assert_page_matches(page, n: int = 0) -> dict:
    """The page's numbers equal tokenlab's, and its controls show the model's state."""
    data = read(page, n)
    p = check(data)
    state = model_state(page, n)
    assert {name: state[name] for name in PARAMS} == p
    return p


def slider(page, param: str, n: int = 0):
    return page.locator(".tl-pos").nth(n).locator(f'input.tl-pos-slider[data-param="{param}"]')


def test_first_render_is_the_browsers_and_equals_python(page):
    w = PositionalWidget(position=5, offset=3, pair=2)
    mount(page, w)
    root = page.locator(".tl-pos")
    assert root.count() == 1
    data = read(page)
    p = check(data)
    assert p == {name: getattr(w, name) for name in PARAMS}
    # ... and the numbers equal the ones Python computed at build time.
    r = w.result
    assert close(float(data["nums"]["shift_dot"]), r["shift_dot"])
    assert close(float(data["nums"]["theta"]), r["theta"])
    for jj, value, _ in data["dots"]:
        assert close(float(value), r["dots"][jj])
    assert data["bases"] == ["100", "1000", "10000", "100000"]
    assert data["status"] == "Computed in your browser (no kernel needed)."
    assert page.evaluate("window.models[0].saves") == 0, "rendering saves nothing"
    # Accessible: every control labelled, the heatmap focusable, the readout live.
    for control in root.locator("input.tl-pos-slider, select.tl-pos-base").all():
        cid = control.get_attribute("id")
        assert cid and root.locator(f'label[for="{cid}"]').count() == 1
    canvas = root.locator("canvas.tl-pos-heatmap")
    assert canvas.get_attribute("tabindex") == "0"
    assert "Arrow keys" in canvas.get_attribute("aria-label")
    assert root.locator(".tl-pos-readout").get_attribute("aria-live") == "polite"
    assert "highest at j = 5" in root.locator("svg.tl-pos-dots").get_attribute("aria-label")
    assert root.locator("svg.tl-pos-circle").get_attribute("aria-label").startswith("Pair 2")


def test_length_slider_by_keyboard(page):
    mount(page, PositionalWidget(position=40, offset=5))
    s = slider(page, "length")
    s.focus()
    page.keyboard.press("ArrowRight")
    assert assert_page_matches(page)["length"] == 49
    page.keyboard.press("End")
    assert assert_page_matches(page)["length"] == 128
    saves = page.evaluate("window.models[0].saves")
    assert saves >= 2
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    assert assert_page_matches(page)["length"] == 125
    # Shorter than i: i clamps to L - 1, then k to 0.
    page.keyboard.press("Home")
    p = assert_page_matches(page)
    assert (p["length"], p["position"], p["offset"]) == (2, 1, 0)
    page.keyboard.press("ArrowRight")
    p = assert_page_matches(page)
    assert (p["length"], p["position"], p["offset"]) == (3, 1, 0)
    assert page.evaluate("window.models[0].saves") > saves


def test_dim_slider_by_keyboard(page):
    mount(page, PositionalWidget(pair=10, position=3, offset=9))
    s = slider(page, "dim")
    s.focus()
    page.keyboard.press("ArrowRight")
    assert assert_page_matches(page)["dim"] == 34
    page.keyboard.press("End")
    assert assert_page_matches(page)["dim"] == 128
    page.keyboard.press("ArrowLeft")
    assert assert_page_matches(page)["dim"] == 126
    page.keyboard.press("Home")  # j clamps to d/2 - 1 = 0
    p = assert_page_matches(page)
    assert (p["dim"], p["pair"]) == (2, 0)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    p = assert_page_matches(page)
    assert (p["dim"], p["pair"]) == (12, 0)


def test_base_select_by_keyboard_and_by_choice(page):
    mount(page, PositionalWidget(position=7, offset=4, pair=5))
    base = page.locator("select.tl-pos-base")
    assert base.evaluate("e => e.value") == "10000"
    base.focus()
    page.keyboard.press("ArrowDown")
    assert assert_page_matches(page)["base"] == 100000.0
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert assert_page_matches(page)["base"] == 1000.0
    base.select_option("100")
    p = assert_page_matches(page)
    assert p["base"] == 100.0 and model_state(page)["base"] == 100


def test_a_base_the_page_does_not_offer_is_kept(page):
    mount(page, PositionalWidget(base=2500.0, dim=8, pair=3, position=2, offset=6))
    data = read(page)
    assert data["bases"] == ["100", "1000", "2500", "10000", "100000"]
    assert check(data)["base"] == 2500.0


def test_position_and_offset_sliders_by_keyboard(page):
    mount(page, PositionalWidget(length=20, dim=8, position=0, offset=1))
    i = slider(page, "position")
    i.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert assert_page_matches(page)["position"] == 4
    k = slider(page, "offset")
    k.focus()
    page.keyboard.press("End")  # k = L - 1 - i
    p = assert_page_matches(page)
    assert (p["position"], p["offset"]) == (4, 15)
    page.keyboard.press("ArrowLeft")
    assert assert_page_matches(page)["offset"] == 14
    # A later i clamps k; the offset slider's range follows i.
    i.focus()
    page.keyboard.press("End")
    p = assert_page_matches(page)
    assert (p["position"], p["offset"]) == (19, 0)
    k.focus()
    page.keyboard.press("ArrowRight")  # nowhere to go: k stays 0
    assert assert_page_matches(page)["offset"] == 0
    i.focus()
    page.keyboard.press("Home")
    k.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    p = assert_page_matches(page)
    assert (p["position"], p["offset"]) == (0, 2)
    # The fact holds at every i: P[i]·P[i+k] is the same number.
    seen = set()
    i.focus()
    for _ in range(17):
        data = read(page)
        check(data)
        seen.add(round(float(data["nums"]["shift_dot"]), 12))
        page.keyboard.press("ArrowRight")
    assert len(seen) == 1
    assert assert_page_matches(page)["position"] == 17


def test_pair_slider_by_keyboard(page):
    mount(page, PositionalWidget(length=64, dim=16, position=10, offset=12))
    s = slider(page, "pair")
    s.focus()
    thetas = []
    for _ in range(7):
        page.keyboard.press("ArrowRight")
        data = read(page)
        check(data)
        thetas.append(float(data["nums"]["theta"]))
    assert assert_page_matches(page)["pair"] == 7
    assert thetas == sorted(thetas, reverse=True), "higher pairs turn slower"
    page.keyboard.press("End")
    assert assert_page_matches(page)["pair"] == 7
    page.keyboard.press("Home")
    p = assert_page_matches(page)
    assert p["pair"] == 0 and read(page)["nums"]["theta"] == "1"


def test_heatmap_hover_keys_and_click(page):
    mount(page, PositionalWidget(length=24, dim=16, position=3, offset=2))
    P = sinusoidal(24, 16, dtype=torch.float64)
    # Hovering a cell reads it out.
    for row, col in [(0, 0), (0, 1), (7, 4), (23, 15), (12, 9), (3, 2)]:
        x, y = page.evaluate(CELL, [0, row, col])
        page.mouse.move(x, y)
        data = read(page)
        assert (data["readout"]["row"], data["readout"]["col"]) == (row, col)
        assert close(float(data["nums"]["cell"]), float(P[row, col]))
        check(data)
    # Keys: the cursor moves; Home/End go along the row; Enter makes the row i.
    canvas = page.locator("canvas.tl-pos-heatmap")
    canvas.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    data = read(page)
    assert (data["readout"]["row"], data["readout"]["col"]) == (4, 3)
    assert close(float(data["nums"]["cell"]), float(P[4, 3]))
    page.keyboard.press("End")
    assert read(page)["readout"]["col"] == 15
    page.keyboard.press("ArrowRight")  # stays on the table
    assert read(page)["readout"]["col"] == 15
    page.keyboard.press("Home")
    for _ in range(30):
        page.keyboard.press("ArrowDown")
    data = read(page)
    assert (data["readout"]["row"], data["readout"]["col"]) == (23, 0)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    p = assert_page_matches(page)
    assert (p["position"], p["offset"]) == (22, 1), "Enter made row 22 i (k clamps to 1)"
    assert read(page)["heat"]["row"] == 22
    # A click on a row makes it i.
    x, y = page.evaluate(CELL, [0, 9, 6])
    page.mouse.click(x, y)
    p = assert_page_matches(page)
    assert p["position"] == 9
    data = read(page)
    assert (data["readout"]["row"], data["readout"]["col"]) == (9, 6)
    # The position slider moves the cursor to the new row.
    slider(page, "position").focus()
    page.keyboard.press("ArrowRight")
    data = read(page)
    assert data["readout"]["row"] == 10 and check(data)["position"] == 10


def test_kernel_result_replaces_the_browsers_when_it_fits(page):
    w = PositionalWidget(length=40, dim=12, position=4, offset=6, pair=1)
    mount(page, w)
    slider(page, "offset").focus()
    page.keyboard.press("ArrowRight")
    state = model_state(page)
    # A live kernel: Python receives the state and answers through `result`.
    w.set_state({name: state[name] for name in PARAMS})
    page.evaluate("r => window.models[0].set('result', r)", w.result)
    data = read(page)
    check(data, kernel=True)
    assert data["status"] == ("Computed by tokenlab in the Python kernel (the heatmap in your "
                              "browser).")
    # A result for other parameters (a stale answer) is not shown.
    stale = positional_summary(40, 12, 10000.0, 4, 6, 1)
    page.keyboard.press("ArrowRight")
    assert read(page)["source"] == "browser"
    page.evaluate("r => window.models[0].set('result', r)", stale)
    check(read(page))
    # The kernel's numbers are the ones shown (a marked answer for exactly these parameters).
    state = model_state(page)
    marked = positional_summary(*(state[name] for name in PARAMS))
    marked["shift_dot"] = 123.25
    marked["dots"][4] = 8.5
    page.evaluate("r => window.models[0].set('result', r)", marked)
    data = read(page)
    assert data["source"] == "kernel"
    assert data["nums"]["shift_dot"] == "123.25" and data["texts"]["shift_dot"] == "123.2500"
    assert data["nums"]["peak_dot"] == "8.5" and dict(
        (jj, v) for jj, v, _ in data["dots"])[4] == "8.5"
    # Sizes that do not fit the parameters: ignored.
    bad = positional_summary(*(state[name] for name in PARAMS))
    bad["dots"] = bad["dots"][:-1]
    slider(page, "pair").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.evaluate("r => window.models[0].set('result', r)", bad)
    check(read(page))


def test_view_follows_changes_from_python(page):
    w = PositionalWidget()
    mount(page, w)
    page.evaluate("window.models[0].set('length', 10)")  # i = 0, k = 1 still fit
    assert assert_page_matches(page)["length"] == 10
    page.evaluate("s => { const m = window.models[0]; for (const [k, v] of Object.entries(s))"
                  " m.set(k, v); }",
                  {"dim": 6, "base": 100.0, "position": 7, "offset": 2, "pair": 2})
    p = assert_page_matches(page)
    assert p == {"length": 10, "dim": 6, "base": 100.0, "position": 7, "offset": 2, "pair": 2}
    assert read(page)["readout"]["row"] == 7
    assert page.evaluate("window.models[0].saves") == 0, "a change from Python is not echoed"
    # A state out of range (no Python would send it) is clamped, not drawn broken.
    page.evaluate("window.models[0].set('dim', 31)")
    data = read(page)
    assert data["params"]["dim"] == 30 and data["heat"]["cols"] == 30
    check(data)


def test_two_widgets_are_independent_layout_and_the_screenshot(page):
    first = PositionalWidget(position=5, offset=3, pair=2)
    second = PositionalWidget(length=16, dim=8, base=100.0)
    mount(page, first)
    mount(page, second)
    slider(page, "position", 1).focus()
    page.keyboard.press("End")
    assert read(page, 0)["params"]["position"] == 5
    assert read(page, 1)["params"]["position"] == 15
    check(read(page, 0))
    check(read(page, 1))
    ids = page.eval_on_selector_all("input.tl-pos-slider, select.tl-pos-base",
                                    "els => els.map(e => e.id)")
    assert len(set(ids)) == len(ids) == 12

    # Readable at the book's ~720 px: nothing overflows; heatmap and chart side by side,
    # the circle below them, each a fair size.
    root = page.locator(".tl-pos").first
    assert root.bounding_box()["width"] <= 720
    assert page.evaluate("document.querySelector('.tl-pos').scrollWidth") <= 720
    heat = root.locator("canvas.tl-pos-heatmap").bounding_box()
    dots = root.locator("svg.tl-pos-dots").bounding_box()
    circle = root.locator("svg.tl-pos-circle").bounding_box()
    assert heat["width"] >= 250 and heat["height"] >= 200
    assert dots["width"] >= 280 and abs(dots["y"] - heat["y"]) < 60 and dots["x"] > heat["x"]
    assert circle["width"] >= 200 and circle["y"] > heat["y"] + heat["height"]
    assert abs(circle["width"] - circle["height"]) < 1
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    # A narrow column: everything stacks, nothing overflows.
    page.evaluate("document.querySelectorAll('.host')[1].style.width = '360px'")
    assert page.evaluate("document.querySelectorAll('.tl-pos')[1].scrollWidth") <= 360
    narrow = page.locator(".tl-pos").nth(1)
    assert (narrow.locator("svg.tl-pos-dots").bounding_box()["y"]
            > narrow.locator("canvas.tl-pos-heatmap").bounding_box()["y"] + 200)
    check(read(page, 1))


def test_dark_theme_colours_differ(page):
    mount(page, PositionalWidget(position=4, offset=2))
    fill = "getComputedStyle(document.querySelector('.tl-pos-pt-i')).fill"
    light = page.evaluate(fill)
    page.evaluate("document.documentElement.dataset.theme = 'dark';"
                  "document.body.style.background = '#14181e'")
    dark = page.evaluate(fill)
    assert light != dark
    page.locator(".tl-pos").screenshot(path=str(SCREENSHOT.with_name("positional-widget-dark.png")))
