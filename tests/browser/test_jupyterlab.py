"""The lab notebook in JupyterLab, in headless Chromium, checked as a student would see it.

The notebook runs once for the module (Run All, in a fresh kernel); the tests then use the lab
it shows, in file order: render, Step, Play/Pause, frames per second, wiring, bad edges.
"""

from __future__ import annotations

import re
import time

import pytest
from labpage import LAB_NOTEBOOK, LabPage, numbers

pytestmark = pytest.mark.browser

MIN_FPS = 15.0  # frames the browser shows per second while the lab plays
PAUSE_WITHIN = 0.5  # seconds from the click on Pause to the last change of the step counter

NOTEBOOK_JS = f"""() => {{
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return panel && panel.context && panel.context.path === '{LAB_NOTEBOOK}' ? panel : null;
}}"""


def _notebook_state(page) -> dict:
    return page.evaluate(f"""() => {{
      const panel = ({NOTEBOOK_JS})();
      if (!panel) return {{open: false}};
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
      return {{open: true, kernel: kernel ? kernel.status : null,
               connected: kernel ? kernel.connectionStatus === 'connected' : false,
               counts: cells.map(cell => cell.model.executionCount)}};
    }}""")


def kernel_output(page, code: str) -> str:
    """Run ``code`` in the notebook's kernel (outside the notebook's history); its output."""
    return page.evaluate(f"""async (code) => {{
      const kernel = ({NOTEBOOK_JS})().sessionContext.session.kernel;
      const future = kernel.requestExecute({{code, store_history: false}});
      let out = '';
      future.onIOPub = msg => {{
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += msg.content.traceback.join('\\n');
      }};
      await future.done;
      return out;
    }}""", code)


def wait_for(page, what: str, condition, timeout: float) -> dict:
    """Poll the notebook's state until ``condition(state)``; a dialog in the way (such as
    "Select Kernel", which the settings should prevent) is accepted."""
    deadline = time.monotonic() + timeout
    while True:
        state = _notebook_state(page)
        if condition(state):
            return state
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.click()
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}: {state}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook opened in JupyterLab, all its cells run, the lab shown."""
    page = new_page()
    page.goto(jupyterlab.page_url(f"lab/tree/{LAB_NOTEBOOK}", "reset"), timeout=90_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    wait_for(page, "the notebook's kernel to be ready",
             lambda s: s["open"] and s["connected"] and s["kernel"] == "idle", timeout=90)
    # run all cells; the command's promise is not awaited (it ends when the cells do)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_for(page, "every cell to run",
             lambda s: s["counts"] and None not in s["counts"] and s["kernel"] == "idle",
             timeout=120)
    shown = LabPage(page, ".jp-OutputArea-output")
    shown.root.wait_for(state="visible", timeout=30_000)
    for name in ("boundary", "curves", "gradients", "graph"):
        shown.wait_image_loaded(name)
    return shown


@pytest.fixture(autouse=True)
def no_internal_error(request):
    """After each test: the lab is paused, and shows no internal error (else fail with its
    traceback, read from the kernel)."""
    yield
    if "lab" not in request.fixturenames:
        return
    shown = request.getfixturevalue("lab")
    if "Pause" in shown.play_label():  # a test failed while playing: the next ones need quiet
        shown.pause()
    if "internal error" in shown.message():
        traceback = kernel_output(shown.page, "print(lab.last_traceback)")
        pytest.fail(f"the lab shows: {shown.message()}\n{traceback}", pytrace=False)


def test_every_cell_ran_without_an_error_output(lab):
    page = lab.page
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    assert prompts, "no code cell in the page"
    assert all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts), prompts
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'],"
        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, "error or stderr output:\n" + "\n---\n".join(
        errors.all_inner_texts())


def test_the_lab_shows_its_buttons_and_figures(lab):
    for button, label in ((".lab-step", "Step"), (".lab-epoch", "Epoch"),
                          (".lab-play", "Play"), (".lab-reset", "Reset"),
                          (".lab-add", "Add"), (".lab-connect", "Connect"),
                          (".lab-disconnect", "Disconnect"), (".lab-remove", "Remove"),
                          (".lab-undo", "Undo")):
        lab.reveal(button)
        assert lab.part(button).is_visible(), button
        assert label in lab.part(button).inner_text(), button
    for dropdown in (".lab-kind", ".lab-source", ".lab-target", ".lab-node"):
        lab.reveal(dropdown)
        assert lab.part(f"{dropdown} select").is_visible(), dropdown
    for name in ("boundary", "curves", "gradients", "graph"):
        lab.reveal(f"img.lab-{name}")
        box = lab.part(f"img.lab-{name}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (name, box)
        natural = lab.part(f"img.lab-{name}").evaluate("img => img.naturalWidth")
        assert natural > 100, name
    # the notebook's second cell trained 100 steps before the lab was looked at
    assert lab.step() >= 100
    assert "paused" in lab.status()
    assert lab.message() == ""


def test_step_trains_one_step_and_changes_the_boundary(lab):
    before_step, before_src = lab.step(), lab.src("boundary")
    before = lab.pixels("boundary")
    lab.click(".lab-step")
    lab.wait_until("step counter +1", lambda: lab.step() == before_step + 1)
    lab.wait_src_change("boundary", before_src)
    assert lab.pixels("boundary") != before


def test_pause_stops_the_step_counter_within_half_a_second(lab):
    lab.play()
    start = lab.step()
    lab.wait_until("training while playing", lambda: lab.step() > start + 10)
    record = lab.click_and_time(".lab-play", settle=1.5)
    assert "Play" in lab.play_label()
    numbers["pause answered (JupyterLab)"] = f"{record['stopped_after']:.3f} s after the click"
    assert record["stopped_after"] <= PAUSE_WITHIN, record
    stopped = lab.step()
    time.sleep(0.5)
    assert lab.step() == stopped, "the step counter still moves after Pause"
    assert "paused" in lab.status()


def test_frames_per_second_while_playing(lab):
    lab.play()
    try:
        lab.watch("boundary", 1.0)  # let the play loop settle
        seen = lab.watch("boundary", 4.0)
    finally:
        lab.pause()
    steps = seen["steps"]
    fps = seen["srcChanges"] / seen["seconds"]
    shown = seen["loads"] / seen["seconds"]
    stepped = (steps[-1][1] - steps[0][1]) / seen["seconds"]
    numbers["frames/s while playing (JupyterLab)"] = (
        f"{fps:.1f} new boundary pictures/s ({shown:.1f} loaded/s), {stepped:,.0f} steps/s, "
        f"{len(steps) - 1} status updates in {seen['seconds']:.1f} s")
    assert fps >= MIN_FPS, seen
    assert shown >= MIN_FPS, seen
    # training goes on between frames: on average more than one step per frame
    assert steps[-1][1] - steps[0][1] > seen["srcChanges"], seen


def node(lab: LabPage, node_id: int, css: str = ".lab-source") -> str:
    """The dropdown label of a node (such as ``"6: ReLU"``), found by its id."""
    return lab.wait_until(f"node {node_id} in {css}", lambda: next(
        (label for label in lab.options(css) if label.startswith(f"{node_id}:")), None))


def test_wiring_an_edge_through_the_widgets_changes_the_drawn_graph(lab):
    # the seed network is the chain 0 → 1 → ... → 7 (7: the output layer, 2 and 6: 25-wide
    # activations); wire a skip connection: a new Sum node fed by 2 and 6 that feeds 7
    lab.choose(".lab-kind", "Sum")
    graph, src = lab.pixels("graph"), lab.src("graph")
    lab.click(".lab-add")
    lab.wait_src_change("graph", src)
    assert lab.pixels("graph") != graph, "adding a node did not change the graph"
    total = lab.wait_until("the new Sum node in the dropdowns", lambda: next(
        (label for label in lab.options(".lab-source") if "Sum" in label), None))
    for src_label, dst_label, button in ((node(lab, 6), node(lab, 7), ".lab-disconnect"),
                                         (node(lab, 6), total, ".lab-connect"),
                                         (node(lab, 2), total, ".lab-connect"),
                                         (total, node(lab, 7), ".lab-connect")):
        lab.choose(".lab-source", src_label)
        lab.choose(".lab-target", dst_label)
        graph, src = lab.pixels("graph"), lab.src("graph")
        lab.click(button)
        lab.wait_src_change("graph", src)
        assert lab.pixels("graph") != graph, f"{button} {src_label} → {dst_label}"
    # the graph is a valid network again: no message, and it trains
    lab.wait_until("the message clearing", lambda: lab.message() == "")
    step = lab.step()
    lab.click(".lab-step")
    lab.wait_until("a step of the new network", lambda: lab.step() == step + 1)


def test_a_duplicate_edge_says_so_in_the_lab(lab):
    lab.choose(".lab-source", node(lab, 0))
    lab.choose(".lab-target", node(lab, 1, ".lab-target"))
    lab.click(".lab-connect")
    text = lab.wait_until("a message", lab.message)
    assert "already there" in text and "0" in text and "1" in text, text


def test_an_edge_that_makes_a_cycle_says_so_and_undo_clears_it(lab):
    lab.choose(".lab-source", node(lab, 7))
    lab.choose(".lab-target", node(lab, 1, ".lab-target"))
    lab.click(".lab-connect")
    text = lab.wait_until("a cycle message", lambda: "cycle" in lab.message() and lab.message())
    assert "7" in text and "1" in text, text
    lab.click(".lab-undo")
    lab.wait_until("the message clearing after Undo", lambda: lab.message() == "")
