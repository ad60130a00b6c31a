"""The app as ``make app`` serves it (Voilà on ``deploy/app/lab.ipynb`` with ``deploy/jupyter``'s
config), in Chromium: the lab alone (no code, no other output, no notebook text), fresh (step 0),
asking nothing of any server but its own, on a wide screen, playing at the display's rate."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS
from labpage import LabPage, numbers, open_voila_app
from servers import off_the_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(voila, new_page) -> LabPage:
    """The Voilà app at 1920×1080, the lab drawn."""
    shown = open_voila_app(voila, new_page)
    shown.page.set_viewport_size({"width": 1920, "height": 1080})
    return shown


def test_the_app_is_the_fresh_lab_alone(app):
    assert app.step() == 0 and "epoch 0" in app.status()  # nothing trained before the visit
    outputs = app.page.locator(".jp-OutputArea-output")
    assert outputs.count() == 1 and outputs.first.locator(".labnet-lab").count() == 1
    assert app.page.locator(".jp-MarkdownCell, .jp-InputArea, .jp-CodeMirrorEditor").count() == 0
    # every word on the page is the lab's
    page_text = " ".join(app.page.inner_text("body").split())
    assert page_text == " ".join(app.root.inner_text().split())


def test_the_app_asks_nothing_of_any_server_but_its_own(app, voila):
    assert len(app.requests) > 10  # the page's own scripts, styles, the kernel's socket
    assert off_the_server(app.requests, voila.url) == []


def test_the_app_shows_the_lab_without_errors(app):
    for button in (".lab-step", ".lab-epoch", ".lab-play", ".lab-reset"):
        assert app.part(button).is_visible(), button
    errors = app.page.locator("[data-mime-type='application/vnd.jupyter.stderr'],"
                              "[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, "\n---\n".join(errors.all_inner_texts())
    body = app.page.inner_text("body")
    assert "There was an error when executing" not in body
    assert "from labnet.lab import Lab" not in body  # no code cells in the app
    assert app.message() == ""


def test_on_a_wide_screen_the_app_uses_the_room_and_cuts_nothing(app):
    app.wait_until("the layout to settle", lambda: app.part(
        "canvas.lab-boundary").bounding_box()["width"] > 450)
    box = app.part("canvas.lab-boundary").bounding_box()
    graph = app.part(".lab-graph-area").bounding_box()
    assert box["y"] + box["height"] <= 1080 and graph["width"] > 550, (box, graph)
    assert app.clipped() == [], app.clipped()
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    app.page.screenshot(path=str(ARTIFACTS.parent / "voila-1920x1080.png"))


def test_step_and_epoch_train_and_repaint_the_boundary(app):
    step, paints, before = app.step(), app.paints(), app.canvas_pixels()
    app.click(".lab-step")
    app.wait_until("step counter +1", lambda: app.step() == step + 1)
    app.wait_painted(paints)
    assert app.canvas_pixels() != before
    step, paints = app.step(), app.paints()
    app.click(".lab-epoch")
    app.wait_until("the step counter after an epoch", lambda: app.step() > step)
    app.wait_painted(paints)


def test_play_paints_at_the_display_rate_and_pause_stops_it(app):
    # on a laptop's screen: at 1920×1080 headless Chromium's software compositor (no GPU here)
    # spends ~11 ms drawing each frame of the whole page, and paints some 30 frames a second
    app.page.set_viewport_size({"width": 1366, "height": 768})
    app.play()
    try:
        seen, rates = app.watch_playing(3.0, windows=2)
    finally:
        record = app.click_and_time(".lab-play", settle=1.0)
    steps = seen["steps"]
    fps = seen["paints"] / seen["seconds"]
    numbers["boundary frames painted/s while playing (Voilà)"] = (
        f"{' and '.join(f'{r:.1f}' for r in rates)} in two windows of 3 s, "
        f"{(steps[-1][1] - steps[0][1]) / seen['seconds']:,.0f} steps/s")
    numbers["pause answered (Voilà)"] = f"{record['stopped_after']:.3f} s after the click"
    assert steps[-1][1] > steps[0][1], seen
    assert fps >= 50, seen
    assert record["stopped_after"] <= 0.5, record
    app.wait_until("the status saying paused", lambda: "paused" in app.status())
    app.page.set_viewport_size({"width": 1920, "height": 1080})
