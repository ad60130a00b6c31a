"""How a walk is shown: statistics and heatmap corners; the text a notebook prints (numbers a
student can read, equations side by side); the JSON a page gets (plain values, bounded); the
matplotlib figure."""

import json
import subprocess
import sys

import numpy as np
import pytest

import labnet as ln
from labnet.walkdisplay import (
    MAX_ITEMS,
    array_stats,
    formula_text,
    heatmap_values,
    matrix_lines,
    number_text,
    plot_step,
    step_json,
    walk_json,
)

X, LABELS = ln.disk(10, rng=1)


def tiny_walk(**kwargs):
    net = ln.Sequential(ln.Linear(2, 3, rng=0), ln.Tanh(), ln.Linear(3, 2, rng=1))
    walk = ln.Walk(net, ln.MSELoss(), X, LABELS, sample=3, **kwargs)
    walk.finish()
    return walk


def test_array_stats():
    stats = array_stats(np.array([[0.0, 2.0], [-1.0, 3.0]]))
    assert stats == {"shape": (2, 2), "mean": 1.0, "std": pytest.approx(np.sqrt(2.5)),
                     "min": -1.0, "max": 3.0, "zeros": 0.25}
    assert array_stats(np.array(5.0))["shape"] == ()
    assert np.isnan(array_stats(np.zeros((0, 3)))["mean"])


def test_heatmap_values_are_a_small_2d_corner():
    big = np.arange(40 * 50.0).reshape(40, 50)
    np.testing.assert_array_equal(heatmap_values(big), big[:16, :32])
    assert heatmap_values(big, max_rows=4, max_cols=5).shape == (4, 5)
    assert heatmap_values(np.arange(3.0)).shape == (1, 3)
    assert heatmap_values(np.array(2.0)).shape == (1, 1)
    corner = heatmap_values(big)
    corner[0, 0] = -1
    assert big[0, 0] == 0  # a copy


# -- text ---------------------------------------------------------------------------------------

def test_numbers_have_four_significant_digits_and_no_minus_zero():
    assert [number_text(v) for v in (0.0, -0.0, 0.123456, -2.0, 1e-5, 12345.6)] == [
        "0", "0", "0.1235", "-2", "1e-05", "1.235e+04"]


def test_matrix_lines_align_columns_and_mark_what_is_left_out():
    assert matrix_lines(np.array([[1.0, -0.5]])) == ["[ 1  -0.5 ]"]
    assert matrix_lines(np.array([[1.0, -0.5], [10.0, 2.0]])) == ["⎡  1  -0.5 ⎤",
                                                                 "⎣ 10     2 ⎦"]
    lines = matrix_lines(np.array([[1.0], [2.0]]), more_rows=True, more_cols=True)
    assert lines == ["⎡ 1  … ⎤", "⎢ 2  … ⎥", "⎣ ⋮  ⋮ ⎦"]


def test_a_linear_backward_prints_as_matrices_that_multiply():
    walk = tiny_walk()
    step = next(s for s in walk.steps if s.phase == "backward" and s.node == 3)
    shown = step.formulas[0].shown()
    text = formula_text(shown)
    lines = text.splitlines()
    assert lines[0] == "dL/dx = dL/dy · Wᵀ"
    assert "dL/dx (1×3)" in lines[1] and "dL/dy (1×2)" in lines[1] and "Wᵀ (2×3)" in lines[1]
    middle = next(line for line in lines[2:] if " = " in line and " · " in line)
    result = "  ".join(number_text(v) for v in shown.result.values[0])
    assert f"[ {result} ]" in middle
    assert all(number_text(v) in text for v in shown.operands[1].values.ravel())


def test_printing_a_step_shows_its_arrays_and_equations():
    walk = tiny_walk()
    text = str(walk.steps[5])
    assert text.startswith("[5] backward · node 3 · Linear(3 → 2)")
    assert "  received:\n    dL/d(output)" in text and "  passed on:" in text
    assert "with this step's numbers:" in text and "dL/dW = xᵀ · dL/dy" in text
    big = ln.Walk(ln.PRESETS["figure1"](0), ln.MSELoss(), X, LABELS)
    big.go_to(3)
    text = str(big.current)
    assert "mean" in text and "std" in text  # a 10×25 array: its statistics
    assert "(a slice: the first 4 of 10 rows and the first 4 of 25 columns" in text


def test_a_tiny_walk_prints_in_lines_a_notebook_shows_whole():
    for step in tiny_walk().steps:
        for line in str(step).splitlines():
            assert len(line) <= 104, line


def test_ipython_shows_a_step_as_its_text():
    pretty = pytest.importorskip("IPython.lib.pretty")
    step = tiny_walk().steps[1]
    assert pretty.pretty(step) == str(step)


# -- JSON ---------------------------------------------------------------------------------------

def test_every_step_is_plain_json_with_bounded_arrays():
    walks = [tiny_walk(), ln.Walk(ln.PRESETS["figure1"](0), ln.CrossEntropyLoss(), X, LABELS)]
    walks[1].finish()
    for walk in walks:
        for index in range(len(walk)):
            walk.go_to(index)
            data = walk.as_json(rows=5, cols=4, inner=6)
            json.dumps(data, allow_nan=False)
            step = data["step"]
            for array in step["received"] + step["passed"]:
                assert len(array["values"]) <= 5 and all(len(r) <= 4 for r in array["values"])
            for formula in step["formulas"]:
                for term in [formula["result"], *formula["operands"]]:
                    assert len(term["values"]) <= 6 and all(len(r) <= 6 for r in term["values"])


def test_walk_json_says_where_the_walk_is_and_every_number_known_so_far():
    walk = tiny_walk()
    walk.go_to(5)  # backward at node 3: every value known, one gradient
    data = walk.as_json()
    assert {k: data[k] for k in ("index", "total", "done", "at_start", "sample", "batch")} == {
        "index": 5, "total": 10, "done": False, "at_start": False, "sample": 3, "batch": 1}
    assert data["loss"] == pytest.approx(walk.loss_value)
    assert data["plan"][0] == ["forward", 0] and data["plan"][4] == ["loss", None]
    nodes = {entry["node"]: entry for entry in data["nodes"]}
    assert list(nodes) == [0, 1, 2, 3]
    assert nodes[3]["value"] == pytest.approx(walk.outputs[3][0].tolist())
    assert nodes[3]["grad"] == pytest.approx(walk.grads[3][0].tolist())
    assert nodes[2]["grad"] is None and nodes[0]["value"] == pytest.approx(X[3].tolist())
    step = data["step"]
    assert step["phase"] == "backward" and step["node"] == 3
    assert [a["name"] for a in step["received"]] == ["dL/d(output)"]
    assert [a["name"] for a in step["passed"]] == ["dL/d(input) to node 2", "dL/d(weight)",
                                                    "dL/d(bias)"]
    dx = step["formulas"][0]
    assert dx["text"] == "dL/dx = dL/dy · Wᵀ" and dx["exact"] and dx["note"] == ""
    grad_out, weight_t = (np.array(term["values"]) for term in dx["operands"])
    assert np.allclose(grad_out @ weight_t, dx["result"]["values"])
    assert step["flows"] == [{"src": 2, "dst": 3, "carries": "gradient", "role": "passed",
                              "array": "dL/d(input) to node 2", "how": "dL/dy · Wᵀ"}]


def test_long_lists_are_cut_and_say_how_much_was_left_out():
    net = ln.Sequential(*[ln.Linear(2, 2, rng=i) for i in range(50)])  # 100 parameters
    walk = ln.Walk(net, ln.MSELoss(), X, LABELS, lr=0.0)
    walk.finish()
    step = step_json(walk.current)
    assert len(step["received"]) == MAX_ITEMS and step["left_out"]["received"] == 100 - MAX_ITEMS
    assert len(step["passed"]) == MAX_ITEMS and step["left_out"]["passed"] == 200 - MAX_ITEMS
    assert step["left_out"]["formulas"] == 100 - MAX_ITEMS
    data = walk_json(walk)
    assert len(data["nodes"]) == MAX_ITEMS and data["left_out"]["nodes"] == 51 - MAX_ITEMS


def test_numbers_json_cannot_carry_become_none():
    walk = tiny_walk()
    step = walk.steps[1]
    step.passed["output"][0, 0] = np.inf  # (a recorded copy: as if a step had overflowed)
    data = step_json(step)
    assert data["passed"][0]["values"][0][0] is None
    json.dumps(data, allow_nan=False)


# -- a figure -----------------------------------------------------------------------------------

def test_plot_step_draws_one_heatmap_per_array(tmp_path):
    walk = tiny_walk()
    step = walk.steps[5]
    figure = plot_step(step)
    visible = [ax for ax in figure.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title().split("\n")[0] for ax in visible] == list(step.arrays)
    path = tmp_path / "step.png"
    walk.plot().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_step_colours_as_the_lab_does_blue_above_zero_orange_below():
    from labnet.lab.pictures import BOUNDARY_STOPS, hex_rgb  # what the lab's page draws with

    figure = plot_step(tiny_walk().steps[5])
    image = next(ax for ax in figure.axes if ax.get_visible() and ax.images).images[0]
    low, high = image.norm.vmin, image.norm.vmax
    assert low == -high and high > 0
    colour = lambda value: np.asarray(image.cmap(image.norm(value)))[:3]  # noqa: E731
    assert np.allclose(colour(high), hex_rgb(BOUNDARY_STOPS[-1]), atol=0.01)  # blue
    assert np.allclose(colour(low), hex_rgb(BOUNDARY_STOPS[0]), atol=0.01)  # orange
    assert np.allclose(colour(0.0), hex_rgb(BOUNDARY_STOPS[2]), atol=0.01)  # white


def test_importing_labnet_does_not_import_matplotlib():
    code = "import sys, labnet; labnet.Walk; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
