"""The lesson's screen, in JupyterLab in headless Chromium (issue 16, parts 1 and 2).

Once the lab is scrolled to, a lesson needs no scroll and no tab switch: Play, Step and Reset,
the settings a lesson changes (data set, noise, learning rate, optimizer, loss, batch size, the
activation of every node, regularisation and its rate), the boundary, the graph and the
unit of the node clicked are on the first screen: on a laptop (1366×768, the file browser open),
at 1280×720 (closed), and on a projector in presentation mode at 1280×720, where the pictures
grow too. Switching tabs moves nothing. Each test saves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import time

import pytest
from conftest import ARTIFACTS
from labpage import LAB_NOTEBOOK, LabPage, kernel_output, numbers, open_in_jupyterlab

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SMALL = {"width": 1280, "height": 720}
WIDE = {"width": 1920, "height": 1080}
FIRST_SCREEN = (
    ".lab-play", ".lab-step", ".lab-reset",
    ".lab-dataset", ".lab-noise", ".lab-lr", ".lab-lr-value", ".lab-optimizer", ".lab-loss",
    ".lab-batch-size", ".lab-activation", ".lab-regularisation", ".lab-regularisation-rate",
    "canvas.lab-boundary", ".lab-graph-area", ".lab-palette-items", ".lab-unit",
)
"""What a lesson needs without a scroll or a tab switch (curves and the walk may be below)."""


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook in JupyterLab on a laptop's screen, its file browser open."""
    page = new_page()
    page.set_viewport_size(LAPTOP)
    return open_in_jupyterlab(page, jupyterlab, LAB_NOTEBOOK)


def screen(lab: LabPage, size: dict, file_browser: bool) -> None:
    """The page at ``size``, JupyterLab's file browser open or closed, the lab scrolled to."""
    page = lab.page
    if file_browser:
        page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    else:
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.set_viewport_size(size)
    time.sleep(0.8)  # (the layout follows the new size, the graph is fit to its area)
    lab.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    time.sleep(0.4)


def off_the_first_screen(lab: LabPage) -> list[str]:
    """The parts of FIRST_SCREEN (and the graph's nodes) not whole on the screen."""
    return lab.off_the_screen(FIRST_SCREEN, nodes=True)


def shoot(lab: LabPage, name: str) -> str:
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS.parent / name
    lab.page.screenshot(path=str(path))
    return str(path)


def size_of(lab: LabPage, css: str) -> float:
    return lab.part(css).bounding_box()["width"]


def present(lab: LabPage, on: bool) -> None:
    """Presentation mode on or off, by its checkbox, as a teacher does."""
    lab.click(".lab-presentation")
    lab.wait_until(f"presentation mode {'on' if on else 'off'}", lambda: on == (
        "lab-presenting" in (lab.root.get_attribute("class") or "")))


def test_on_a_laptop_with_the_file_browser_open_a_lesson_needs_no_scroll(lab):
    screen(lab, LAPTOP, file_browser=True)
    assert lab.page.locator(".jp-FileBrowser").first.is_visible(), "the file browser is closed"
    assert off_the_first_screen(lab) == []
    for tab in ("data", "train", "inside", "teach"):  # every tab's controls whole
        lab.click(f".lab-tab-{tab}")
        assert lab.clipped() == [], f"cut in the {tab} tab at 1366×768: {lab.clipped()}"
    lab.click(".lab-tab-data")
    shoot(lab, "lab-1366x768.png")
    node = size_of(lab, lab.node(1) + " .lab-node-box")
    numbers["lab at 1366×768 (file browser open)"] = (
        f"{lab.root.bounding_box()['width']:.0f} px wide; plane "
        f"{size_of(lab, 'canvas.lab-boundary'):.0f} px, graph "
        f"{size_of(lab, '.lab-graph-area'):.0f} px wide, nodes {node:.0f} px")


def test_regularisation_fits_in_the_settings_row_without_a_new_row(lab):
    """Regularisation (a kind and a rate) is in the row of the other settings."""
    screen(lab, LAPTOP, file_browser=True)
    regularisation = lab.part(".lab-setting-regularisation").bounding_box()
    activation = lab.part(".lab-setting-activation").bounding_box()
    data = lab.part(".lab-setting-data").bounding_box()
    assert abs(activation["y"] - data["y"]) < 2 and abs(regularisation["y"] - data["y"]) < 2, (
        regularisation, activation, data)  # one row
    assert regularisation["x"] > activation["x"], (regularisation, activation)


def test_at_1280x720_with_the_file_browser_closed_too(lab):
    screen(lab, SMALL, file_browser=False)
    try:
        assert off_the_first_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        shoot(lab, "lab-1280x720.png")
    finally:
        screen(lab, LAPTOP, file_browser=True)


def test_a_click_on_a_node_shows_its_unit_next_to_the_graph_and_moves_nothing(lab):
    screen(lab, LAPTOP, file_browser=True)
    before = lab.boxes(FIRST_SCREEN, nodes=True)
    lab.page.mouse.click(*lab.center(lab.node(3) + " .lab-node-box"))
    lab.wait_until("node 3's unit beside the graph", lambda: "node 3, unit 0" in lab.part(
        ".lab-unit-text").inner_text())
    assert "lab-picked" in lab.part(lab.node(3)).get_attribute("class")
    assert off_the_first_screen(lab) == []
    after = lab.boxes(FIRST_SCREEN, nodes=True)
    assert after == before, "a click on a node moved the lab"
    shoot(lab, "lab-1366x768-unit.png")


def test_no_message_takes_no_room_and_a_message_coming_and_going_moves_nothing(lab):
    """The strip of settings sits on the cards when there is nothing to say; a message (two
    lines of an error) shows over the top of the plane's card, whole, clear of the graph's tools,
    and moves nothing as it comes and goes."""
    screen(lab, LAPTOP, file_browser=True)
    strip = lab.part(".lab-strip").bounding_box()
    cards = lab.part(".lab-plane").bounding_box()
    assert cards["y"] - (strip["y"] + strip["height"]) < 10, (strip, cards)  # (the grid's gap)
    before = lab.boxes(FIRST_SCREEN, nodes=True)
    words = "The graph is not a network yet: " + "node 7 has no input, " * 6
    try:
        kernel_output(lab.page, f"lab.widget.say({words!r}, error=True)")
        lab.wait_until("the message", lambda: lab.message().startswith("The graph is not"))
        said = lab.part(".lab-message").bounding_box()
        tools = lab.part(".lab-graph .lab-card-head").bounding_box()
        assert said["height"] > 10 and said["x"] + said["width"] <= tools["x"] + 1, (said, tools)
        assert said["y"] >= strip["y"] + strip["height"], (said, strip)
        assert lab.boxes(FIRST_SCREEN, nodes=True) == before, "a message moved the lab"
        shoot(lab, "lab-1366x768-message.png")
    finally:
        kernel_output(lab.page, "lab.widget.say('')")
    lab.wait_until("no message", lambda: lab.message() == "")
    assert lab.part(".lab-message").bounding_box() is None  # (not shown: nothing to cover)
    assert lab.boxes(FIRST_SCREEN, nodes=True) == before


def test_the_plus_and_minus_of_every_linear_show_without_a_hover_and_nothing_else_does(lab):
    """A student finds a layer's width (Playground's +/− neurons) without hovering: − and + on
    every Linear, 12 px targets at least, while the × that removes a node waits for a hover."""
    screen(lab, LAPTOP, file_browser=True)
    lab.page.mouse.move(2, 2)  # (nothing hovered, nothing selected)
    lab.part(".lab-graph-svg").press("Escape")
    for node in (1, 3, 5, 7):  # the seed chain's Linears
        for by in (-1, 1):
            button = lab.part(f'{lab.node(node)} .lab-widen[data-by="{by}"]')
            assert button.is_visible(), f"node {node}'s {by:+d} hidden"
            box = button.bounding_box()
            assert min(box["width"], box["height"]) >= 12, (node, box)
    assert not lab.part(f"{lab.node(3)} .lab-delete").is_visible()
    assert not lab.part(f"{lab.node(2)} .lab-delete").is_visible()


def test_switching_tabs_moves_nothing(lab):
    screen(lab, LAPTOP, file_browser=True)
    lab.root.evaluate("el => el.querySelector('.lab-panel').scrollIntoView({block: 'center'})")
    time.sleep(0.3)
    where = """root => [document.querySelector('.jp-WindowedPanel-outer').scrollTop,
        ...['.lab-panel', '.lab-curves', '.lab-gradients', '.lab-plane'].map(
          css => Math.round(root.querySelector(css).getBoundingClientRect().bottom))]"""
    before = lab.root.evaluate(where)
    for tab in ("train", "inside", "teach", "data"):
        lab.part(f".lab-tab-{tab}").click()
        time.sleep(0.15)
        assert lab.root.evaluate(where) == before, f"the {tab} tab moved the page"


def test_presentation_mode_at_1280x720_fits_and_the_pictures_grow(lab):
    """On a projector (1280×720, the file browser closed): the lesson's screen still needs no
    scroll, and the pictures' text is larger than on the same screen without presentation mode:
    the nodes' labels, the plane's points and ticks, the charts and their text, the numbers."""
    screen(lab, SMALL, file_browser=False)
    label = lab.node(1) + " .lab-node-label"

    def sizes() -> dict:
        return {"plane": size_of(lab, "canvas.lab-boundary"),
                "node": size_of(lab, lab.node(1) + " .lab-node-box"),
                "label": lab.part(label).evaluate("el => parseFloat(el.style.fontSize)"),
                "status": lab.part(".lab-status").evaluate(
                    "el => parseFloat(getComputedStyle(el).fontSize)"),
                "chart": lab.part(".lab-chart-loss canvas").bounding_box()["height"]}
    before = sizes()
    present(lab, True)
    try:
        screen(lab, SMALL, file_browser=False)
        assert off_the_first_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        after = sizes()
        # (the plane's and the nodes' size are bound by the screen here: the height leaves the
        # plane no more room, eight columns share the graph's width; on a wide screen they grow)
        assert after["plane"] >= before["plane"] - 1, (before, after)
        assert after["node"] >= 0.97 * before["node"], (before, after)
        assert after["label"] >= 1.3 * before["label"], (before, after)  # the nodes' text
        assert after["status"] >= 1.3 * before["status"], (before, after)  # the numbers
        assert after["chart"] >= 1.35 * before["chart"], (before, after)  # the curves, their text
        shoot(lab, "lab-1280x720-presenting.png")
        numbers["presentation mode at 1280×720 (file browser closed)"] = ", ".join(
            f"{name} {before[name]:.1f} → {after[name]:.1f} px" for name in before)
    finally:
        present(lab, False)
        screen(lab, LAPTOP, file_browser=True)


def test_presentation_mode_on_a_laptop_with_the_file_browser_open_fits_as_the_laptop_view(lab):
    """Presentation mode where the lab is too narrow for larger controls (1366×768, the file
    browser open): the status stays on the buttons' row, the settings on one row, the graph's
    tools on one row, and the nodes keep their thumbnails (boxes taller than wide)."""
    present(lab, True)
    try:
        screen(lab, LAPTOP, file_browser=True)
        assert off_the_first_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        play, status = (lab.part(css).bounding_box() for css in (".lab-play", ".lab-status"))
        assert status["y"] < play["y"] + play["height"], (play, status)  # one row
        data, regularisation = (lab.part(css).bounding_box() for css in (
            ".lab-setting-data", ".lab-setting-regularisation"))
        assert abs(regularisation["y"] - data["y"]) < 2, (data, regularisation)
        title, preset = (lab.part(css).bounding_box() for css in (
            ".lab-graph .lab-card-title", ".lab-preset"))
        assert preset["y"] < title["y"] + title["height"], (title, preset)
        node = lab.part(lab.node(1) + " .lab-node-box").bounding_box()
        assert node["height"] > 1.2 * node["width"], node  # (room for its thumbnail)
        shoot(lab, "lab-1366x768-presenting.png")
    finally:
        present(lab, False)
        screen(lab, LAPTOP, file_browser=True)


def test_presentation_mode_on_a_wide_screen_makes_the_plane_and_the_labels_larger(lab):
    """The plane takes a larger share of the width; the nodes' labels are 1.4× larger and the
    nodes keep most of their size (eight columns share what the plane leaves)."""
    screen(lab, WIDE, file_browser=True)
    node = lab.node(1) + " .lab-node-box"
    label = "el => parseFloat(el.style.fontSize)"
    try:
        plain = size_of(lab, "canvas.lab-boundary")
        plain_node = size_of(lab, node)
        plain_label = lab.part(lab.node(1) + " .lab-node-label").evaluate(label)
        lab.click(".lab-presentation")
        lab.wait_until("a larger plane", lambda: size_of(lab, "canvas.lab-boundary")
                       > 1.2 * plain)
        assert size_of(lab, node) > 0.8 * plain_node, (plain_node, size_of(lab, node))
        assert lab.part(lab.node(1) + " .lab-node-label").evaluate(label) >= 1.3 * plain_label
        screen(lab, WIDE, file_browser=True)
        assert off_the_first_screen(lab) == []
        assert lab.clipped() == [], lab.clipped()
        shoot(lab, "lab-1920x1080-presenting.png")
        numbers["presentation mode at 1920×1080 (file browser open)"] = (
            f"plane {plain:.0f} → {size_of(lab, 'canvas.lab-boundary'):.0f} px, nodes "
            f"{plain_node:.0f} → {size_of(lab, node):.0f} px")
    finally:
        lab.click(".lab-presentation")
        screen(lab, LAPTOP, file_browser=True)


def test_on_a_wide_screen_the_lab_uses_the_room(lab):
    screen(lab, LAPTOP, file_browser=True)
    small = lab.part("canvas.lab-boundary").bounding_box()
    graph_small = lab.part(".lab-graph-area").bounding_box()
    screen(lab, WIDE, file_browser=True)
    try:
        lab.wait_until("the lab growing", lambda: lab.part("canvas.lab-boundary").bounding_box()[
            "width"] > small["width"] * 1.2)
        assert off_the_first_screen(lab) == []
        big = lab.part(".lab-graph-area").bounding_box()
        assert big["width"] > graph_small["width"], (graph_small, big)
        assert lab.clipped() == [], lab.clipped()
        shoot(lab, "lab-1920x1080.png")
    finally:
        screen(lab, LAPTOP, file_browser=True)
