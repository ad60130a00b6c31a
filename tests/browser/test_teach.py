"""A teacher's and a student's lab in JupyterLab in headless Chromium (issue 16, parts 4-5): the
weights an edge carries under the pointer, one set by hand and undone; a hint about a setting
that cannot work, dismissed; a CSV of one's own data uploaded (a bad one refused with its line)
and the data set downloaded; a lab file whose teacher locked and hid controls, reopened. Each
test looks at the page at 1366×768 with the file browser open and keeps a screenshot."""

from __future__ import annotations

import shutil
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
    assert "Adam with a learning rate of 0.3" in bubble.inner_text()
    under, setting = bubble.bounding_box(), lab.part(".lab-setting-lr").bounding_box()
    assert setting["y"] + setting["height"] <= under["y"] <= setting["y"] + setting["height"] + 12
    assert under["x"] <= setting["x"] + setting["width"] and (
        under["x"] + under["width"] >= setting["x"])  # under the learning rate
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
