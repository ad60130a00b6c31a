"""The lab notebook served by Voilà as a standalone app (as ``make app`` does), in Chromium."""

from __future__ import annotations

import pytest
from labpage import LabPage, numbers, open_voila_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(voila, new_page) -> LabPage:
    """The Voilà app, every cell of the notebook run, the lab's pictures loaded."""
    return open_voila_app(voila, new_page)


def test_the_app_shows_the_lab_without_errors(app):
    for button in (".lab-step", ".lab-epoch", ".lab-play", ".lab-reset", ".lab-connect"):
        assert app.part(button).is_visible(), button
    errors = app.page.locator("[data-mime-type='application/vnd.jupyter.stderr'],"
                              "[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, "\n---\n".join(errors.all_inner_texts())
    assert "There was an error when executing" not in app.page.inner_text("body")
    assert app.message() == ""


def test_step_and_epoch_train_and_change_the_boundary(app):
    step, src, before = app.step(), app.src("boundary"), app.pixels("boundary")
    app.click(".lab-step")
    app.wait_until("step counter +1", lambda: app.step() == step + 1)
    app.wait_src_change("boundary", src)
    assert app.pixels("boundary") != before
    step, src, before = app.step(), app.src("boundary"), app.pixels("boundary")
    app.click(".lab-epoch")
    app.wait_until("the step counter after an epoch", lambda: app.step() > step)
    app.wait_src_change("boundary", src)
    assert app.pixels("boundary") != before


def test_play_trains_and_pause_stops_it(app):
    app.play()
    try:
        seen = app.watch("boundary", 2.0)
    finally:
        record = app.click_and_time(".lab-play", settle=1.0)
    steps = seen["steps"]
    numbers["frames/s while playing (Voilà)"] = (
        f"{seen['srcChanges'] / seen['seconds']:.1f} new boundary pictures/s, "
        f"{(steps[-1][1] - steps[0][1]) / seen['seconds']:,.0f} steps/s")
    numbers["pause answered (Voilà)"] = f"{record['stopped_after']:.3f} s after the click"
    assert steps[-1][1] > steps[0][1], seen
    assert seen["srcChanges"] >= 2, seen
    assert record["stopped_after"] <= 0.5, record
    app.wait_until("the status saying paused", lambda: "paused" in app.status())
