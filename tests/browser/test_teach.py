"""A teacher's and a student's lab in JupyterLab in headless Chromium (issue 16, parts 4-5): the
weights an edge carries under the pointer, one set by hand and undone; a hint about a setting
that cannot work, dismissed; a CSV of one's own data uploaded (a bad one refused with its line)
and the data set downloaded; a lab file whose teacher locked and hid controls, reopened. Each
test looks at the page at 1366×768 with the file browser open and keeps a screenshot."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from labpage import LabPage, kernel_output, open_on_a_laptop

pytestmark = pytest.mark.browser

SHOTS = Path("/work/helpers/shots")  # copies for the lead, where this machine has the folder


def shot(lab: LabPage, name: str) -> None:
    """A screenshot of the page, in the test artifacts (and a copy for the lead)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"teach-{name}.png"
    lab.page.screenshot(path=str(path))
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def kernel(lab: LabPage, code: str) -> str:
    return kernel_output(lab.page, code).strip()


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook in JupyterLab on a laptop's screen, the file browser open, the lab
    scrolled to."""
    return open_on_a_laptop(new_page(), jupyterlab)


def test_an_edges_weights_under_the_pointer_one_set_by_hand_and_undone(lab):
    card = lab.part(".lab-weights")
    lab.page.mouse.move(*lab.edge_middle(2, 3))
    card.wait_for(state="visible", timeout=5000)
    assert "node 3's weight, 25 × 25, the first 16 × 16 shown" in card.inner_text()
    assert card.locator(".lab-weight-cell").count() == 16 * 16 + 16
    cell = card.locator('.lab-weight-cell[data-name="weight"][data-row="2"][data-col="4"]')
    old = float(kernel(lab, "print(lab.network.operators[3].weight[2, 4])"))
    cell.hover()
    assert f"weight[2, 4] = {old:.4g}"[:14] in lab.part(".lab-weights-value").inner_text()
    shot(lab, "weights")
    cell.click()
    editor = card.locator(".lab-weight-editor")
    editor.fill("0.5")
    editor.press("Enter")
    lab.wait_until("the weight set in the kernel", lambda: kernel(
        lab, "print(lab.network.operators[3].weight[2, 4])") == "0.5")
    lab.wait_until("the card saying so", lambda: "set: Ctrl+Z" in card.inner_text())
    lab.page.keyboard.press("Control+z")  # the graph has the focus back
    lab.wait_until("the weight back as it was", lambda: float(kernel(
        lab, "print(lab.network.operators[3].weight[2, 4])")) == old)
    lab.page.mouse.move(5, 5)
    card.wait_for(state="hidden", timeout=5000)


def test_a_hint_shows_next_to_the_learning_rate_and_is_dismissed(lab):
    bubble = lab.part(".lab-hint-bubble")
    lab.choose(".lab-optimizer", "adam")
    lab.fill(".lab-lr-value", "0.3")
    bubble.wait_for(state="visible", timeout=5000)
    assert bubble.get_attribute("data-key") == "adam-lr"
    lab.wait_until("the hint of the rate typed", lambda: "Adam with a learning rate of 0.3" in (
        bubble.inner_text()))
    under, setting = bubble.bounding_box(), lab.part(".lab-setting-lr").bounding_box()
    assert setting["y"] + setting["height"] <= under["y"]  # below the rate, over no control
    lab.click(".lab-step")  # it blocks nothing: a step goes on under it
    lab.wait_until("the step", lambda: lab.step() > 100)
    shot(lab, "hint")
    lab.click(".lab-hint-dismiss")
    bubble.wait_for(state="hidden", timeout=5000)
    assert kernel(lab, "print(lab.widget.hints.dismissed)") == "{'adam-lr'}"
    lab.choose(".lab-optimizer", "sgd")
    lab.fill(".lab-lr-value", "0.1")
    lab.wait_until("the settings back", lambda: kernel(
        lab, "print(lab.state.training.optimizer, lab.state.training.lr)") == "sgd 0.1")


def test_a_bad_csv_is_refused_with_its_line_and_a_good_one_is_trained_on_and_downloaded(lab):
    lab.reveal(".lab-csv-upload")
    picker = lab.part(".lab-csv-file")
    note = lab.part(".lab-csv-note")
    bad = b"x1,x2,label\n0.1,0.2,0\n0.5,oops,1\n"
    picker.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    lab.wait_until("the refusal", lambda: "line 3" in note.inner_text())
    assert "line 3, column 2: 'oops' is not a number" in note.inner_text()
    assert "line 3" in lab.message()
    lab.part(".lab-csv-upload").scroll_into_view_if_needed()
    shot(lab, "csv-refused")
    rows = "\n".join(f"{x:.2f},{y:.2f},{int(x * y > 0)}"
                     for x in (-0.9, -0.5, -0.1, 0.3, 0.7) for y in (-0.8, -0.3, 0.2, 0.6))
    picker.set_input_files(files=[{"name": "xor.csv", "mimeType": "text/csv",
                                   "buffer": rows.encode()}])
    lab.wait_until("the points read", lambda: "Read 20 points" in lab.message())
    assert kernel(lab, "print(lab.state.data.settings.dataset, len(lab.state.data.x_all))") == (
        "custom 20")
    with lab.page.expect_download() as download:
        lab.part(".lab-csv-download").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("x1,x2,label\n") and text.count("\n") == 21
    lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")


def test_a_teachers_locks_come_back_with_the_lab_file_and_the_page_cannot_undo_them(lab):
    name = "teach-test-lesson.npz"  # (in the notebook's folder; removed at the end)
    try:
        kernel(lab, f"lab.set_lock('lr'); lab.set_lock('graph', 'hidden'); lab.save({name!r}); "
                    f"lab.set_lock('lr', 'free'); lab.set_lock('graph', 'free')")
        assert not lab.part(".lab-setting-lr").evaluate(
            "el => el.classList.contains('lab-lock-locked')")
        lab.fill(".lab-file-name", name)
        lab.click(".lab-open")
        lab.click(".lab-open")  # (Open asks first)
        lab.wait_until("the lab opened", lambda: "Opened" in lab.message())
        setting = lab.part(".lab-setting-lr")
        lab.wait_until("the learning rate greyed", lambda: setting.evaluate(
            "el => el.classList.contains('lab-lock-locked')"))
        assert lab.part(".lab-lr-value").is_disabled() and lab.part(".lab-lr").is_disabled()
        assert "locked" in setting.evaluate(  # its name says so
            "el => getComputedStyle(el.querySelector('.lab-field-name'), '::after').content")
        assert not lab.part(".lab-palette").is_visible()  # the graph's editing: hidden
        assert lab.root.locator(".lab-node-button").evaluate_all(
            "els => els.every(e => getComputedStyle(e).display === 'none')")
        # the page is not the lock: an intent sent past the greyed box is refused in Python
        lab.part(".lab-lr-value").evaluate(
            "el => { el.disabled = false; el.value = '2'; el.dispatchEvent("
            "new Event('change', {bubbles: true})); }")
        lab.wait_until("the refusal", lambda: "locked in this lab" in lab.message())
        assert kernel(lab, "print(lab.state.training.lr)") == "0.1"
        offered = lab.part('.lab-lock-mode[data-control="lr"]').evaluate(
            "el => [...el.options].filter(o => !o.disabled).map(o => o.value)")
        assert offered == ["locked", "hidden"]  # sealed: no way back from the page
        lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")
        time.sleep(0.5)
        shot(lab, "locked")
        lab.click(".lab-tab-teach")
        lab.click(".lab-lock-summary")  # (folded, at first)
        lab.part(".lab-lock-section").scroll_into_view_if_needed()
        shot(lab, "lock-panel")
    finally:
        kernel(lab, f"import os; lab.set_lock('lr', 'free'); lab.set_lock('graph', 'free'); "
                    f"os.path.exists({name!r}) and os.remove({name!r})")
        lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")


# every control the lab shows whose centre is itself (not under a card, on the screen)
CONTROLS_HIT_JS = """root => {
  const all = root.querySelectorAll(
    'button, input, select, textarea, summary, .lab-node-button, .lab-port-out');
  const hit = [];
  for (const [i, control] of [...all].entries()) {
    if (control.closest('.lab-hint-bubble')) continue;
    const b = control.getBoundingClientRect();
    const [x, y] = [b.left + b.width / 2, b.top + b.height / 2];
    if (!b.width || x < 0 || y < 0 || x > innerWidth || y > innerHeight) continue;
    const under = document.elementFromPoint(x, y);
    if (under && control.contains(under)) {
      hit.push(`${i} ${control.className.baseVal ?? control.className}`);
    }
  }
  return hit;
}"""
HINTS = {  # each kind of hint, with a text as long as the lab's
    "lr": "Adam with a learning rate of 0.1: Adam's steps are about the learning rate in size, "
          "whatever the gradient, so they throw the weights about. 0.001 to 0.01 suits it.",
    "loss": "Cross-entropy needs classes: these data have a number to fit at each point "
            "(regression). MSE fits numbers.",
    "optimizer": "A test hint about the optimizer, as long as the lab's longest hints are, "
                 "to see where it goes and what it covers.",
    "activation": "The gradient reaching node 2 is 1e-9 of the output's: Sigmoid's slope is "
                  "0.25 at most, so it shrinks at every layer. ReLU keeps it.",
    "node": "ReLU node 2: every one of its 25 units is 0 everywhere on the plane (dead: no "
            "gradient flows back through them). A smaller learning rate, LeakyReLU, or Reset "
            "(new weights) brings them back.",
}


@pytest.mark.parametrize("size", ["1366x768-fb", "1920x1080"])
def test_a_hint_of_any_kind_covers_no_control_on_a_laptop_or_a_wide_screen(lab, size):
    page = lab.page
    if size == "1920x1080":
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.set_viewport_size({"width": 1920, "height": 1080})
        time.sleep(0.8)
        lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    lab.part(f"{lab.node(0)} [data-features]").click()  # (its card's buttons too)
    lab.wait_until("the features' card", lambda: lab.part(".lab-features").is_visible())
    time.sleep(0.3)
    uncovered = set(lab.root.evaluate(CONTROLS_HIT_JS))
    bubble = lab.part(".lab-hint-bubble")
    try:
        for about, text in HINTS.items():
            node = 2 if about == "node" else None
            kernel(lab, f"lab.widget.hint = dict(key='test-{about}', text={text!r}, "
                        f"about={about!r}, node={node!r})")
            lab.wait_until(f"the {about} hint", lambda a=about: bubble.is_visible() and (
                bubble.get_attribute("data-key") == f"test-{a}"))
            time.sleep(0.2)
            covered = uncovered - set(lab.root.evaluate(CONTROLS_HIT_JS))
            if about in ("lr", "node"):
                shot(lab, f"hint-{about}-{size}")
            assert not covered, f"the {about} hint covers {sorted(covered)} at {size}"
    finally:
        kernel(lab, "lab.widget.hint = {}")
        lab.click(".lab-features-close")
        if size == "1920x1080":
            page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
            page.set_viewport_size({"width": 1366, "height": 768})
            time.sleep(0.8)
            lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")


SPACING_JS = """root => {
  const box = el => el.getBoundingClientRect();
  const names = [...root.querySelectorAll('.lab-strip .lab-setting > .lab-field-name')]
    .filter(n => box(n).width > 0).map(n => [n.textContent, Math.round(box(n).top)]);
  const batch = root.querySelector('.lab-batch-size');
  const old = batch.value;
  batch.value = '100000';  // (the largest batch the lab takes; not sent)
  const clipped = batch.scrollWidth > batch.clientWidth;
  batch.value = old;
  // in the Teach panel's lock rows, a row's select and the next row's name on its line
  const rows = [...root.querySelectorAll('.lab-lock-row')].map(box);
  const gaps = [];
  rows.forEach((row, i) => {
    const next = rows[i + 1];
    if (next && Math.abs(next.top - row.top) < 2) gaps.push(next.left - row.right);
  });
  return {names, clipped, gaps};
}"""


def test_the_strips_names_on_one_line_a_batch_of_100000_shown_whole_lock_rows_apart(lab):
    seen = lab.root.evaluate(SPACING_JS)
    tops = {top for _, top in seen["names"]}
    assert len(tops) == 1, f"the strip's names at different heights: {seen['names']}"
    assert not seen["clipped"], "a batch size of 100000 is cut off in its box"
    # the lock rows side by side: on a wide screen
    page = lab.page
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.set_viewport_size({"width": 1920, "height": 1080})
    lab.click(".lab-tab-teach")
    lab.root.evaluate("el => el.querySelector('.lab-lock-section').open = true")
    try:
        time.sleep(0.5)
        gaps = lab.root.evaluate(SPACING_JS)["gaps"]
    finally:
        lab.root.evaluate("el => el.querySelector('.lab-lock-section').open = false")
        lab.click(".lab-tab-data")
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        page.set_viewport_size({"width": 1366, "height": 768})
        time.sleep(0.8)
        lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    assert gaps and min(gaps) >= 8, f"lock rows {gaps} px apart"
