"""TensorFlow Playground's moves from the page, in JupyterLab in headless Chromium (issue 16,
part 4): L2 and a rate from the strip; a regression data set, painted as a continuous heatmap
with its scale and points coloured by their target; a data set of three classes, a class
picked over the plane and a point of the third class clicked on it. Each gesture is checked in
the kernel, and each screen is saved (1366×768, the file browser open) in ``test-artifacts/``.
While a regression or three classes play, the page paints as many frames as with two.
"""

from __future__ import annotations

import ast

import pytest
from conftest import ARTIFACTS
from labpage import LabPage, kernel_output, numbers, open_on_a_laptop
from test_jupyterlab import MIN_FPS

pytestmark = pytest.mark.browser

# the colours of the plane's pixels, counted in the page
COLOURS_JS = """
canvas => {
  const c = document.createElement('canvas');
  c.width = canvas.width; c.height = canvas.height;
  const context = c.getContext('2d');
  context.drawImage(canvas, 0, 0);
  const data = context.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8)
                                                    | data[i + 2]);
  return seen.size;
}
"""


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook in JupyterLab on a laptop's screen, its file browser open."""
    return open_on_a_laptop(new_page(), jupyterlab)


def kernel(lab: LabPage, expression: str):
    """The value of ``expression`` in the lab's kernel (a literal: a number, a tuple...)."""
    out = kernel_output(lab.page, f"print(repr({expression}))").strip()
    return ast.literal_eval(out)


def shoot(lab: LabPage, name: str) -> None:
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    lab.page.screenshot(path=str(ARTIFACTS.parent / name))


def plane_colours(lab: LabPage) -> int:
    return lab.part("canvas.lab-boundary-grid").evaluate(COLOURS_JS)


def fps_playing(lab: LabPage, what: str) -> float:
    seen, rates = lab.play_and_watch(3.0, windows=2)
    numbers[f"boundary frames painted/s while playing {what}"] = (
        f"{' and '.join(f'{r:.1f}' for r in rates)} in two windows of 3 s")
    return seen["paints"] / seen["seconds"]


def test_l2_and_a_rate_from_the_strip_reach_the_trainer(lab):
    lab.choose(".lab-regularisation", "l2")
    lab.wait_until("L2 in the kernel",
                   lambda: kernel(lab, "lab.state.training.regularization") == "l2")
    lab.choose(".lab-regularisation-rate", "0.03")
    lab.wait_until("the rate in the kernel", lambda: kernel(
        lab, "(lab.state.trainer.regularization.kind, lab.state.trainer.regularization.rate)")
        == ("l2", 0.03))
    assert lab.part(".lab-regularisation-rate").input_value() == "0.03"
    shoot(lab, "moves-l2.png")
    lab.choose(".lab-regularisation", "none")
    lab.wait_until("regularisation off", lambda: kernel(  # (a literal while it is still on)
        lab, "lab.state.trainer.regularization is None"))


def test_a_regression_data_set_is_a_continuous_heatmap_with_its_scale(lab):
    before = lab.paints()
    lab.choose(".lab-dataset", "reg-gauss")
    lab.wait_until("a regression in the kernel", lambda: kernel(
        lab, "(lab.state.data.task, lab.network.out_features, lab.state.training.loss)")
        == ("regression", 1, "mse"))
    lab.wait_painted(before)
    lab.wait_until("the scale over the plane",
                   lambda: lab.part(".lab-scale-bar").is_visible())
    assert lab.part(".lab-plane .lab-card-title").inner_text() == "prediction"
    lab.click(".lab-epoch")
    lab.wait_until("the status's losses", lambda: "test loss" in lab.status())
    assert "error" not in lab.status()
    lab.wait_until("a continuous heatmap (many colours)", lambda: plane_colours(lab) > 100)
    shoot(lab, "moves-regression.png")


def test_three_classes_and_a_point_of_the_third_clicked_on_the_plane(lab):
    lab.choose(".lab-dataset", "blobs")
    lab.wait_until("three classes in the kernel", lambda: kernel(
        lab, "(lab.state.data.outputs, lab.network.out_features)") == (3, 3))
    lab.wait_until("a swatch per class, + and ×",
                   lambda: lab.root.locator(".lab-pick").count() == 5)
    lab.click(".lab-pick-green")  # class 2
    lab.wait_until("green pressed", lambda: lab.part(".lab-pick-green").get_attribute(
        "aria-pressed") == "true")
    points = kernel(lab, "len(lab.state.data.train[0])")
    box = lab.part("canvas.lab-boundary").bounding_box()
    lab.page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
    lab.wait_until("a point of class 2 in the kernel", lambda: kernel(
        lab, "(len(lab.state.data.train[0]), int(lab.state.data.train[1][-1]))")
        == (points + 1, 2))
    lab.click(".lab-step")
    lab.wait_until("the three classes' colours painted", lambda: plane_colours(lab) > 50)
    shoot(lab, "moves-three-classes.png")
    lab.click(".lab-pick-green")  # pressed again: clicks do nothing
    lab.wait_until("clicks off", lambda: kernel(lab, "lab.display.click") == "off")


@pytest.mark.parametrize("dataset", ["reg-gauss", "spirals"])
def test_a_regression_or_more_classes_play_at_the_frame_rate_of_two(lab, dataset):
    lab.choose(".lab-dataset", dataset)
    lab.wait_until(f"{dataset} in the kernel", lambda: kernel(
        lab, "lab.state.data.settings.dataset") == dataset)
    assert fps_playing(lab, f"{dataset} (1366×768)") >= MIN_FPS


def test_a_feature_toggled_on_the_input_node_widens_the_input(lab):
    lab.choose(".lab-dataset", "circle")
    lab.wait_until("circle in the kernel", lambda: kernel(
        lab, "lab.state.data.settings.dataset") == "circle")
    lab.part(f"{lab.node(0)} [data-features]").click()
    lab.wait_until("the features' card", lambda: lab.part(".lab-features").is_visible())
    lab.click('.lab-feature[data-feature="x1^2"]')
    lab.wait_until("x1² in the kernel", lambda: kernel(
        lab, "(lab.state.features, lab.network.in_features)") == (("x1", "x2", "x1^2"), 3))
    lab.click('.lab-feature[data-feature="x2^2"]')
    lab.wait_until("x2² pressed", lambda: lab.part('.lab-feature[data-feature="x2^2"]')
                   .get_attribute("aria-pressed") == "true")
    assert kernel(lab, "lab.network.in_features") == 4
    lab.click(".lab-epoch")
    lab.wait_until("a circle learnt from squares",
                   lambda: kernel(lab, "lab.scores()['test_error'] < 0.05"), timeout=30)
    shoot(lab, "moves-features.png")
    lab.part(".lab-graph-svg").press("Control+z")  # undo: x2² off again
    lab.wait_until("x2² undone", lambda: kernel(lab, "lab.network.in_features") == 3)
    assert lab.part('.lab-feature[data-feature="x2^2"]').get_attribute("aria-pressed") == "false"
