"""The lab's classroom features in a real browser (the Voilà app): stepping through one
mini-batch node by node, looking at one unit, clicking points onto the plane, hiding views,
presentation mode, saving the lab to a file and opening it again."""

from __future__ import annotations

import re

import pytest
from conftest import REPO
from labpage import LabPage, open_voila_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(voila, new_page) -> LabPage:
    """A Voilà app of its own on a laptop's screen (the lab notebook, every cell run)."""
    shown = open_voila_app(voila, new_page)
    shown.page.set_viewport_size({"width": 1366, "height": 768})
    return shown


def walk_text(app: LabPage) -> str:
    """The walk's step in words, under the graph: where it is, and what the step does."""
    return app.part(".lab-walk-title").inner_text() + "\n" + app.part(
        ".lab-walk-says").inner_text()


def test_step_through_visits_the_nodes_forward_then_backward_and_ends_as_a_step(app):
    step = app.step()
    app.click(".lab-walk-start")
    app.wait_until("the walk's first step", lambda: "1/18" in walk_text(app))
    seen, texts = [], []
    for _ in range(17):
        text = walk_text(app)
        app.click(".lab-walk-next")
        app.wait_until("the walk's next step", lambda text=text: walk_text(app) != text)
        texts.append(walk_text(app))
        seen.append(re.search(r"\d+/18 · (\w+)(?: · node (\d+))?", texts[-1]).groups())
        node = seen[-1][1]
        if node is not None:  # the node is outlined on the graph
            app.wait_until(f"node {node} outlined", lambda node=node: "lab-walk-here" in (
                app.part(app.node(node)).get_attribute("class") or ""))
    phases = [phase for phase, _ in seen]
    assert phases == ["forward"] * 7 + ["loss"] + ["backward"] * 8 + ["update"]
    assert [int(node) for _, node in seen[:7]] == [1, 2, 3, 4, 5, 6, 7]
    assert [int(node) for _, node in seen[8:16]] == [7, 6, 5, 4, 3, 2, 1, 0]
    assert all("dL/d(output)" in text for text in texts[8:16])  # the gradients
    assert app.root.locator(".lab-walk .lab-heatmap canvas").count() >= 1  # as heatmaps
    app.wait_until("each parameter before, its step and after", lambda: app.root.locator(
        ".lab-walk-update-row").count() == 8)
    app.wait_until("the status counting the walk as a step", lambda: app.step() == step + 1)


def test_back_and_finish(app):
    step = app.step()
    app.click(".lab-walk-start")
    app.wait_until("a new walk", lambda: "1/18" in walk_text(app))
    for _ in range(3):
        text = walk_text(app)
        app.click(".lab-walk-next")
        app.wait_until("the next step", lambda text=text: walk_text(app) != text)
    app.click(".lab-walk-back")
    app.wait_until("the step before", lambda: "3/18" in walk_text(app))
    app.click(".lab-walk-finish")
    app.wait_until("the update", lambda: "18/18 · update" in walk_text(app))
    app.wait_until("one more training step", lambda: app.step() == step + 1)
    app.click(".lab-walk-close")
    app.wait_until("the walk closed", lambda: not app.part(".lab-walk").is_visible())


def test_a_click_on_a_node_shows_its_unit_over_the_plane(app):
    app.click(app.node(3) + " .lab-node-box")
    app.reveal(".lab-unit-map")
    app.wait_until("node 3's unit map", lambda: "node 3, unit 0" in app.part(
        ".lab-unit-text").inner_text())
    assert "lab-picked" in app.part(app.node(3)).get_attribute("class")
    app.fill(".lab-look-unit", "4")
    app.wait_until("unit 4", lambda: "node 3, unit 4" in app.part(".lab-unit-text").inner_text())


def test_a_click_on_the_plane_adds_a_point_of_the_class_chosen(app):
    app.choose(".lab-click-mode", "orange")
    before = app.canvas_pixels()
    box = app.part("canvas.lab-boundary").bounding_box()
    app.page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    app.wait_until("the data becoming the user's own points",
                   lambda: app.part(".lab-dataset").input_value() == "custom")
    app.wait_until("the new point on the plane", lambda: app.canvas_pixels() != before)
    app.choose(".lab-click-mode", "off")


def test_hiding_a_view_covers_it_until_it_is_revealed(app):
    app.click(".lab-hide-boundary")
    app.wait_until("the boundary covered", lambda: app.part(".lab-plane .lab-cover").is_visible())
    assert "what do you predict" in app.part(".lab-plane .lab-cover").inner_text()
    app.click(".lab-hide-errors")
    app.wait_until("the errors hidden", lambda: "test error ?" in app.status())
    app.click(".lab-hide-boundary")
    app.click(".lab-hide-errors")
    app.wait_until("the boundary back", lambda: not app.part(".lab-plane .lab-cover").is_visible())
    app.wait_until("the errors back", lambda: "test error ?" not in app.status())


def test_presentation_mode_makes_everything_larger_and_cuts_nothing(app):
    """The controls a little larger (1.16×), the pictures and the numbers 1.4× (the numbers of
    the status line here; the pictures: test_layout.py)."""
    font = "el => parseFloat(getComputedStyle(el).fontSize)"
    before = {css: app.part(css).evaluate(font) for css in (".lab-play", ".lab-status")}
    app.click(".lab-presentation")
    try:
        app.wait_until("larger numbers", lambda: app.part(".lab-status").evaluate(font)
                       >= 1.35 * before[".lab-status"])
        assert app.part(".lab-play").evaluate(font) >= 1.1 * before[".lab-play"]
        assert app.clipped() == [], app.clipped()
    finally:
        app.click(".lab-presentation")
        app.wait_until("the usual size", lambda: abs(
            app.part(".lab-status").evaluate(font) - before[".lab-status"]) < 0.5)


def server_files() -> dict[str, int]:
    """Every file under the app's folders and the notebooks (where a page could write)."""
    return {str(p): p.stat().st_mtime_ns for folder in ("deploy", "notebooks")
            for p in (REPO / folder).rglob("*") if p.is_file()}


def test_in_the_app_save_is_a_download_and_open_an_upload_and_no_server_file_changes(
        app, tmp_path):
    before = server_files()
    app.fill(".lab-file-name", "browser-test.npz")
    saved_step = app.step()
    with app.page.expect_download() as saving:
        app.click(".lab-save")
    download = saving.value
    assert download.suggested_filename == "browser-test.npz"
    mine = tmp_path / "browser-test.npz"  # (on the student's machine)
    download.save_as(mine)
    assert mine.stat().st_size > 1000 and "downloads" in app.message()
    app.click(".lab-step")
    app.wait_until("one more step", lambda: app.step() == saved_step + 1)
    with app.page.expect_file_chooser() as choosing:
        app.click(".lab-open")
    choosing.value.set_files(str(mine))
    app.wait_until("the saved lab back", lambda: app.step() == saved_step, timeout=20)
    app.wait_until("the lab saying it opened the file", lambda: "Opened" in app.message())
    with app.page.expect_download() as exporting:
        app.click(".lab-picture")
    assert exporting.value.suggested_filename == "browser-test.png"
    assert server_files() == before  # nothing written (nor read) on the server
    (tmp_path / "not-a-lab.npz").write_bytes(b"a file that is not a lab")
    with app.page.expect_file_chooser() as choosing:
        app.click(".lab-open")
    choosing.value.set_files(str(tmp_path / "not-a-lab.npz"))
    app.wait_until("the upload refused", lambda: "not an .npz archive" in app.message())
    assert app.step() == saved_step  # the lab as it was
