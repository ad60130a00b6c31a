"""The walk through one training step, on the graph (issue 17, parts 1, 2 and 5), in JupyterLab
in headless Chromium as a student meets it: on a laptop (1366×768, the file browser open), on a
wide screen (1920×1080) and on a projector (presentation mode at 1280×720).

Walk (beside Step) starts it; the keys step it forward and back; each kind of step shows on the
graph and under it: a forward step's values flowing in, the loss, a Sum's backward copying its
gradient to each input, the update of every parameter. One point alone on the tiny network (a
point picked with a click on the plane) writes every value and gradient as numbers, which are
NumPy's arithmetic on that point. Play closes the walk and paints its frames as fast as before.
Each test saves screenshots in ``test-artifacts/`` (walk-*.png).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import ARTIFACTS
from labpage import LAB_NOTEBOOK, LabPage, kernel_output, numbers, open_in_jupyterlab
from test_jupyterlab import MIN_FPS

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1920, "height": 1080}
SMALL = {"width": 1280, "height": 720}
WALK_PARTS = (".lab-walk-bar", ".lab-walk-title", ".lab-walk-body", ".lab-graph-area",
              "canvas.lab-boundary")
"""What a walk needs on the screen, all of it, at once."""
TITLE = re.compile(r"^(\d+)/(\d+) · (\w+)(?: · node (\S+))?")


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook in JupyterLab on a laptop's screen, its file browser open."""
    page = new_page()
    page.set_viewport_size(LAPTOP)
    shown = open_in_jupyterlab(page, jupyterlab, LAB_NOTEBOOK)
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    return shown


@pytest.fixture(autouse=True)
def no_walk_left(request):
    """After each test: no walk under way, no internal error shown."""
    yield
    shown = request.getfixturevalue("lab")
    if "internal error" in shown.message():
        pytest.fail(f"the lab shows: {shown.message()}\n"
                    f"{kernel(shown, 'print(lab.last_traceback)')}", pytrace=False)
    kernel(shown, "lab.pause(); lab.end_walk(); lab.present(False)")


def kernel(lab: LabPage, code: str) -> str:
    return kernel_output(lab.page, code)


def shoot(lab: LabPage, name: str) -> str:
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS.parent / name
    lab.page.screenshot(path=str(path))
    return str(path)


def title(lab: LabPage) -> tuple[int, int, str, str | None]:
    """Where the walk is, as its title says: (step from 1, steps, phase, node or None)."""
    match = TITLE.match(lab.part(".lab-walk-title").inner_text())
    assert match, lab.part(".lab-walk-title").inner_text()
    return int(match[1]), int(match[2]), match[3], match[4]


def at_step(lab: LabPage, index: int) -> tuple[int, int, str, str | None]:
    """Wait until the walk shows step ``index`` (from 0), its arrays drawn; return its title."""
    lab.wait_until(f"step {index + 1} of the walk", lambda: lab.part(".lab-walk").is_visible()
                   and title(lab)[0] == index + 1)
    lab.wait_until("the step's arrays drawn", lambda: lab.root.locator(
        ".lab-walk-picture .lab-heatmap").count() > 0, timeout=5)
    return title(lab)


def off_the_screen(lab: LabPage, parts=WALK_PARTS) -> list[str]:
    return lab.off_the_screen(parts)


def flows(lab: LabPage) -> dict[str, str]:
    """The flows drawn on the graph: {"src→dst": its classes}."""
    return dict(lab.root.locator(".lab-flow").evaluate_all(
        "els => els.map(e => [e.dataset.flow, e.getAttribute('class')])"))


def flow_labels(lab: LabPage) -> dict[str, str]:
    return dict(lab.root.locator(".lab-flow-label").evaluate_all(
        "els => els.map(e => [e.dataset.flow, e.querySelector('text').textContent])"))


def test_the_walk_steps_by_keys_and_shows_each_kind_of_step(lab):
    """Figure 1 (a Sum joins a main branch and a skip), walked by keys at 1366×768."""
    kernel(lab, "lab.load_preset('figure1'); lab.step(40)")
    step = lab.wait_until("40 steps trained", lambda: lab.step() == 40 and lab.step())
    lab.click(".lab-walk-launch")
    plan = json.loads(kernel(lab, "import json; print(json.dumps(lab.display.walk.plan))"))
    assert at_step(lab, 0) == (1, len(plan), "forward", "0")
    sum_node = json.loads(kernel(lab, "import labnet as ln; print(json.dumps([n for n, m in "
                                      "lab.network.operators.items() if isinstance(m, ln.Sum)]))"))
    shots, seen = [], []
    for index in range(1, len(plan)):
        lab.page.keyboard.press("ArrowRight")
        _, _, phase, node = at_step(lab, index)
        assert [phase, None if node is None else int(node)] == plan[index]
        seen.append(phase)
        assert off_the_screen(lab) == [], (phase, node)
        assert lab.clipped() == [], (phase, node, lab.clipped())
        if (phase, node) == ("forward", "1"):  # the batch flows in along 0 → 1
            assert flows(lab) == {"0→1": "lab-flow lab-flow-value lab-flow-received",
                                  "1→2": "lab-flow lab-flow-value lab-flow-passed"}
            assert "lab-walk-here" in lab.part(lab.node(1)).get_attribute("class")
            assert lab.part(".lab-formula-head").inner_text() == "y = x · W + b"
            shots.append(shoot(lab, "walk-1366x768-forward.png"))
        elif phase == "loss":
            assert "lab-walk-here" in lab.part(".lab-walk-loss").get_attribute("class")
            assert "L = mean((y − t)²)" in lab.part(".lab-walk-formulas").inner_text()
            shots.append(shoot(lab, "walk-1366x768-loss.png"))
        elif (phase, node) == ("backward", str(sum_node[0])):  # the Sum copies its gradient
            inputs = json.loads(kernel(lab, f"print(list(lab.network.inputs[{node}]))"))
            keys = [f"{src}→{node}" for src in inputs]
            assert all("lab-flow-gradient lab-flow-passed" in flows(lab)[k] for k in keys)
            assert [flow_labels(lab)[k] for k in keys] == ["copy", "copy"]
            assert lab.root.locator(".lab-walk-passed .lab-heatmap").count() == 2
            assert "dL/dx₁ = dL/dy" in lab.part(".lab-walk-formulas").inner_text()
            shots.append(shoot(lab, "walk-1366x768-backward-sum.png"))
        elif (phase, node) == ("backward", "0"):  # the input sums what its two consumers send
            assert set(flow_labels(lab).values()) == {"Σ"}
        elif phase == "update":
            params = int(kernel(lab, "print(len(lab.network.state_dict()))"))
            assert lab.root.locator(".lab-walk-update-row").count() == params
            assert lab.root.locator(".lab-node.lab-walk-updated").count() == params // 2
            assert "made: a training step" in lab.part(".lab-walk-update").inner_text()
            shots.append(shoot(lab, "walk-1366x768-update.png"))
    assert seen.count("backward") == len(plan) // 2 - 1
    lab.wait_until("the walk's update counted as a step", lambda: lab.step() == step + 1)
    for key, index in (("ArrowLeft", len(plan) - 2), ("ArrowLeft", len(plan) - 3),
                       ("Home", 0), ("End", len(plan) - 1)):
        lab.page.keyboard.press(key)
        at_step(lab, index)
    assert lab.step() == step + 1  # back and forth: the update is one step, once
    lab.click(lab.node(1) + " .lab-node-box")  # a node clicked: its backward step
    assert at_step(lab, plan.index(["backward", 1]))[2:] == ("backward", "1")
    lab.page.keyboard.press("Escape")
    lab.wait_until("the walk closed", lambda: not lab.part(".lab-walk").is_visible())
    numbers["walk screenshots (1366×768)"] = ", ".join(shots)


def test_the_scrubber_goes_to_any_step(lab):
    kernel(lab, "lab.load_preset('seed'); lab.step(5); lab.start_walk()")
    at_step(lab, 0)
    box = lab.part(".lab-scrub").bounding_box()
    lab.page.mouse.click(box["x"] + box["width"] * 12.5 / 18, box["y"] + box["height"] / 2)
    assert at_step(lab, 12)[2:] == ("backward", "4")
    start = (box["x"] + box["width"] * 12.5 / 18, box["y"] + box["height"] / 2)
    lab.drag(start, (box["x"] + box["width"] * 3.5 / 18, start[1]))
    assert at_step(lab, 3)[2:] == ("forward", "3")


def read_numbers(lab: LabPage, css: str) -> dict[str, list[float]]:
    """The numbers written by each node of the graph ({node: [numbers]}; "…" left out)."""
    written = lab.root.locator(css).evaluate_all("""els => els.map(e => [e.dataset.node,
        [...e.querySelectorAll('tspan')].map(t => t.textContent)])""")
    return {node: [float(v) for line in lines if "…" not in line for v in line.split()]
            for node, lines in written}


def matrix_numbers(lab: LabPage, symbol: str, label: str = "") -> list[float]:
    """The numbers of the term ``symbol`` in the walk's first equation that has one (of the
    equation about ``label``, such as "1.weight", if given)."""
    return lab.root.locator(".lab-formula").evaluate_all(
        """(formulas, [symbol, label]) => {
          for (const formula of formulas) {
            const head = formula.querySelector('.lab-formula-head').textContent;
            if (label && !head.startsWith(label + ':')) continue;
            const term = [...formula.querySelectorAll('.lab-term')].find(
              t => t.querySelector('.lab-term-symbol').firstChild.textContent === symbol);
            if (term) return [...term.querySelectorAll('td:not(.lab-more)')].map(
              td => Number(td.textContent));
          }
          return null;
        }""", [symbol, label])


# the boxes of every update row's heatmaps that the walk's picture cuts off (its overflow)
CUT_OFF_JS = """
root => {
  const picture = root.querySelector('.lab-walk-picture').getBoundingClientRect();
  return [...root.querySelectorAll('.lab-walk-updates [data-parameter]')].flatMap(row =>
    [...row.querySelectorAll('.lab-heatmap')].map(map => [row.dataset.parameter,
      map.getBoundingClientRect()])).filter(([, box]) => box.bottom > picture.bottom + 1
      || box.right > picture.right + 1).map(([name]) => name);
}
"""


def close(page_numbers, exact) -> bool:
    """The page's numbers are ``exact``'s written with four significant digits."""
    exact = [float(v) for v in exact]
    return len(page_numbers) == len(exact) and all(
        abs(a - b) <= 5.01e-4 * abs(b) + 1e-12 for a, b in zip(page_numbers, exact, strict=True))


def test_one_point_alone_shows_numpys_numbers_on_the_graph(lab):
    """The tiny network (2-3-2), one training point picked with a click on the plane: every
    value and gradient by its node, and the equations' numbers, are the arithmetic NumPy does
    on that point; the update is only shown (the trainer takes no step)."""
    kernel(lab, "lab.load_preset('tiny'); lab.step(100)")
    lab.click(".lab-walk-launch")
    at_step(lab, 0)
    lab.click(".lab-walk-point")
    lab.wait_until("one point walked", lambda: "alone" in lab.part(".lab-walk-title").inner_text())
    where = json.loads(kernel(lab, """import json
from labnet.data import extent
x_train = lab.state.data.train[0]
print(json.dumps({"point": list(map(float, x_train[17])),
                  "extent": list(map(float, extent(lab.state.data.x_all)))}))"""))
    (x1, x2), (low1, high1, low2, high2) = where["point"], where["extent"]
    plane = lab.part("canvas.lab-boundary").bounding_box()
    lab.page.mouse.click(plane["x"] + (x1 - low1) / (high1 - low1) * plane["width"],
                         plane["y"] + (high2 - x2) / (high2 - low2) * plane["height"])
    lab.wait_until("training point 17 picked", lambda: "training point 17 alone" in lab.part(
        ".lab-walk-title").inner_text())
    steps = int(kernel(lab, "print(lab.state.trainer.steps)"))
    expected = json.loads(kernel(lab, """import json, numpy as np
net, trainer = lab.network, lab.state.trainer
x, label = trainer.x[17:18], int(trainer.labels[17])
W1, b1 = net.operators[1].weight, net.operators[1].bias
W2, b2 = net.operators[3].weight, net.operators[3].bias
h = x @ W1 + b1; a = np.tanh(h); y = a @ W2 + b2
t = np.eye(2)[[label]]
g_y = 2 * (y - t) / y.size          # MSE
g_a = g_y @ W2.T; g_h = g_a * (1 - a**2); g_x = g_h @ W1.T
lr = trainer.lr
out = {"values": {"0": x, "1": h, "2": a, "3": y}, "grads": {"0": g_x, "1": g_h, "2": g_a,
       "3": g_y}, "dW1": x.T @ g_h, "W1 after": W1 - lr * (x.T @ g_h),
       "b2 after": b2 - lr * g_y[0], "loss": float(np.mean((y - t) ** 2))}
print(json.dumps({k: (v.ravel().tolist() if hasattr(v, 'ravel') else
                      {n: a.ravel().tolist() for n, a in v.items()} if isinstance(v, dict)
                      else v) for k, v in out.items()}))"""))
    lab.page.keyboard.press("End")  # the update: everything known
    at_step(lab, 9)
    values = read_numbers(lab, ".lab-graph-words .lab-walk-value")
    grads = read_numbers(lab, ".lab-graph-words .lab-walk-grad")
    for node in "0123":
        assert close(values[node], expected["values"][node]), (node, values, expected)
        assert close(grads[node], expected["grads"][node]), (node, grads, expected)
    assert close(matrix_numbers(lab, "W after", "1.weight"), expected["W1 after"])
    assert close(matrix_numbers(lab, "b after", "3.bias"), expected["b2 after"])
    loss = re.search(r"L = (\S+)", lab.part(".lab-walk-loss").text_content())[1]
    assert close([float(loss)], [expected["loss"]])
    assert "shown only" in lab.part(".lab-walk-update").inner_text()
    shoot(lab, "walk-1366x768-one-point-update.png")
    parameters = lab.root.locator(".lab-walk-updates [data-parameter]").evaluate_all(
        "rows => rows.map(row => row.dataset.parameter)")
    assert parameters == ["1.weight", "1.bias", "3.weight", "3.bias"]
    assert lab.root.evaluate(CUT_OFF_JS) == [], "the update is cut off at 1366×768"
    assert off_the_screen(lab, (".lab-walk-picture",)) == []
    # the input the network sees is standardised: the page says so, from the point as given
    said = lab.part(".lab-walk-input").inner_text()
    scaling = json.loads(kernel(lab, """import json
print(json.dumps({"x": list(map(float, lab.state.data.train[0][17])),
                  "mean": list(map(float, lab.state.data.mean)),
                  "std": list(map(float, lab.state.data.std))}))"""))
    shown = re.fullmatch(r"x = \((\S+), (\S+)\), standardised: \((\S+), (\S+)\) = "
                         r"\(x − mean\) / std, mean \((\S+), (\S+)\), std \((\S+), (\S+)\)",
                         said)
    assert shown, said
    x, scaled, mean, std = ([float(shown[i]), float(shown[i + 1])] for i in (1, 3, 5, 7))
    assert close(x, scaling["x"]) and close(mean, scaling["mean"]) and close(std, scaling["std"])
    assert close(scaled, [(a - m) / d for a, m, d in zip(scaling["x"], scaling["mean"],
                                                        scaling["std"], strict=True)])
    assert close(scaled, values["0"])  # what node 0 passes on, on the graph
    lab.page.keyboard.press("Home")
    for index in range(1, 8):  # back to node 1's backward: dL/dW = xᵀ · dL/dy, by hand
        lab.page.keyboard.press("ArrowRight")
        at_step(lab, index)
    assert title(lab)[2:] == ("backward", "1")
    assert close(matrix_numbers(lab, "dL/dW"), expected["dW1"])
    shoot(lab, "walk-1366x768-one-point.png")
    assert int(kernel(lab, "print(lab.state.trainer.steps)")) == steps  # shown, not made
    numbers["one point alone, checked against NumPy"] = (
        "every node's value and gradient on the graph, dL/dW of node 1, W and b after the update "
        "shown, the loss: within 4 significant digits")


@pytest.mark.parametrize(("size", "presenting", "file_browser"),
                         [(WIDE, False, False), (SMALL, True, False)],
                         ids=["1920x1080", "presentation-1280x720"])
def test_the_walk_fits_a_wide_screen_and_a_projector(lab, size, presenting, file_browser):
    page = lab.page
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.set_viewport_size(size)
    try:
        kernel(lab, f"lab.present({presenting}); lab.load_preset('figure1'); lab.step(20)")
        time.sleep(0.8)
        lab.click(".lab-walk-launch")
        at_step(lab, 0)
        kernel(lab, "lab.walk_to(12)")
        at_step(lab, 12)
        time.sleep(0.4)
        assert off_the_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        name = f"walk-{size['width']}x{size['height']}{'-presenting' if presenting else ''}"
        shoot(lab, f"{name}.png")
        kernel(lab, "lab.load_preset('tiny'); lab.step(20); lab.start_walk(sample=5); "
                    "lab.walk_to(6)")
        at_step(lab, 6)
        assert off_the_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        shoot(lab, f"{name}-one-point.png")
    finally:
        kernel(lab, "lab.end_walk(); lab.present(False)")
        page.set_viewport_size(LAPTOP)
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        time.sleep(0.5)


def test_play_closes_the_walk_and_paints_as_many_frames_as_before(lab):
    kernel(lab, "lab.load_preset('seed'); lab.reset()")
    lab.click(".lab-walk-launch")
    at_step(lab, 0)
    lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    lab.play()
    try:
        lab.wait_until("the walk closed", lambda: not lab.part(".lab-walk").is_visible())
        seen, rates = lab.watch_playing(3.0, windows=2)
    finally:
        lab.pause()
    fps = seen["paints"] / seen["seconds"]
    numbers["boundary frames painted/s while playing after a walk"] = ", ".join(
        f"{r:.1f}" for r in rates)
    assert fps >= MIN_FPS, seen
