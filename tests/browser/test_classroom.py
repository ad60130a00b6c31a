"""The lab's classroom features in a real browser (the Voilà app): stepping through one
mini-batch node by node, and saving the lab to a file and opening it again."""

from __future__ import annotations

import re

import pytest
from labpage import STEP, LabPage, open_voila_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(voila, new_page) -> LabPage:
    """A Voilà app of its own (the lab notebook, every cell run, the pictures loaded)."""
    return open_voila_app(voila, new_page)


def shown_step(app: LabPage) -> int | None:
    """The step counter in the status, or None while the lab is being replaced (Open)."""
    match = STEP.search(app.status())
    return int(match.group(1)) if match else None


def walk_text(app: LabPage) -> str:
    return app.part(".lab-walk-text").inner_text()


def test_step_through_visits_the_nodes_forward_then_backward_and_ends_as_a_step(app):
    step = app.step()
    app.click(".lab-walk-start")
    app.wait_until("the walk's first step", lambda: "1/18" in walk_text(app))
    app.wait_image_loaded("walk")
    seen, texts = [], []
    for _ in range(17):
        graph, text = app.pixels("graph"), walk_text(app)
        app.click(".lab-walk-next")
        app.wait_until("the walk's next step", lambda text=text: walk_text(app) != text)
        texts.append(walk_text(app))
        seen.append(re.search(r"\d+/18 · (\w+)(?: · node (\d+))?", texts[-1]).groups())
        if seen[-1][1] is not None and seen[-1][1] != "0":  # the node is outlined on the graph
            app.wait_until("the graph outlining the node", lambda g=graph: app.pixels("graph") != g)
    phases = [phase for phase, _ in seen]
    assert phases == ["forward"] * 7 + ["loss"] + ["backward"] * 8 + ["update"]
    assert [int(node) for _, node in seen[:7]] == [1, 2, 3, 4, 5, 6, 7]
    assert [int(node) for _, node in seen[8:16]] == [7, 6, 5, 4, 3, 2, 1, 0]
    assert all("dL/d(output)" in text for text in texts[8:16])  # the gradients, as numbers
    assert "weight change" in texts[-1]
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


def test_save_then_open_brings_the_lab_back(app, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "class.npz"
    app.reveal(".lab-file-name input")
    app.part(".lab-file-name input").fill(str(path))
    app.part(".lab-file-name input").press("Enter")
    saved_step = app.step()
    app.click(".lab-save")
    app.wait_until("the lab saying it saved", lambda: "Saved" in app.message())
    assert path.stat().st_size > 1000
    app.click(".lab-step")
    app.wait_until("one more step", lambda: app.step() == saved_step + 1)
    app.click(".lab-open")
    app.wait_until("Open asking first", lambda: "replaces this lab" in app.message())
    assert app.step() == saved_step + 1  # nothing replaced yet
    app.click(".lab-open")
    app.wait_until("the saved lab back", lambda: shown_step(app) == saved_step, timeout=20)
    app.wait_until("the lab saying it opened the file", lambda: "Opened" in app.message())
    for name in ("boundary", "curves", "gradients", "graph"):
        app.wait_image_loaded(name)


def test_a_click_on_the_plane_adds_a_point_and_one_on_the_graph_picks_a_node(app):
    # clicks on pictures reach the kernel through ipyevents: its front end must be there
    app.choose(".lab-click-mode", "adds an orange point")
    before = app.pixels("boundary")
    box = app.part("img.lab-boundary").bounding_box()
    app.page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    app.wait_until("the data becoming the user's own points",
                   lambda: app.part(".lab-dataset select").input_value() == "custom")
    app.wait_until("the new point on the plane", lambda: app.pixels("boundary") != before)
    graph = app.part("img.lab-graph").bounding_box()
    # the seed chain's nodes are in one row across the picture; node 0 is at its left end
    app.page.mouse.click(graph["x"] + graph["width"] * 0.04, graph["y"] + graph["height"] * 0.6)
    app.reveal(".lab-look-node")
    app.wait_until("node 0 picked for the node view",
                   lambda: app.part(".lab-look-node select").evaluate(
                       "s => s.options[s.selectedIndex].textContent").startswith("0"))
