"""The lab's widget (``labnet.lab.widget``), headless: its traits show the lab's state, a change
sends what it changed, the page's messages (intents, acks, hellos) are handled, frames wait for
acks while playing, and a lab's one widget is freed with it."""

import asyncio
import gc
import time
import weakref

import numpy as np
import pytest
from labtools import lab_from, live_widgets, messages, painted, run, shown_equals_the_model

from labnet.lab import Lab
from labnet.lab import state as lab_state
from labnet.lab.pace import ACK_TIMEOUT, MAX_IN_FLIGHT
from labnet.lab.streams import Curves
from labnet.lab.widget import LabWidget


def kinds(sent) -> list[str]:
    return [content["type"] for content, _ in sent]


def test_a_new_lab_shows_its_state_in_the_traits():
    lab = Lab()
    widget = lab.widget
    shown_equals_the_model(lab)
    assert widget.graph["error"] is None and widget.graph["output"] == 7
    assert [node["id"] for node in widget.graph["nodes"]] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert all(node["trained"] for node in widget.graph["nodes"])
    assert widget.settings["data"]["dataset"] == "disk"
    assert widget.settings["training"]["lr"] == 0.1
    status = widget.status
    assert status["step"] == 0 and status["epoch"] == 0 and not status["playing"]
    assert status["loss"] is None and status["test_error"] == pytest.approx(
        lab.scores()["test_error"])
    assert widget.message == {} and widget.sources  # the front end's modules
    kinds_sent = {kind for kind, _ in widget.sent}
    assert {"points", "boundary", "thumbs"} <= kinds_sent


def test_a_step_sends_a_new_boundary_frame_thumbs_and_one_more_curve_entry():
    lab = Lab(preset="figure1")
    lab.step(5)
    sent = messages(lab)
    frames = dict(lab.widget.frames.sent)
    lab.widget.run("step", {"n": 1})
    assert {"boundary", "thumbs", "curves"} <= set(kinds(sent)) and "points" not in kinds(sent)
    assert lab.widget.frames.sent["boundary"] == frames["boundary"] + 1
    boundary = next(buffers for content, buffers in sent if content["type"] == "boundary")
    assert len(boundary[0]) == lab.widget.grid ** 2
    curves = next(content for content, _ in sent if content["type"] == "curves")
    loss = next(part for part in curves["series"] if part["name"] == "loss")
    assert loss["start"] + loss["length"] == 6 and curves["steps"] == 6
    assert lab.widget.status["step"] == 6 and lab.widget.status["loss"] == pytest.approx(
        lab.history.step_loss[-1])


def test_new_data_send_the_points_and_a_new_boundary():
    lab = Lab()
    sent = messages(lab)
    lab.widget.run("set_data", {"dataset": "spiral", "n_points": 300})
    assert "points" in kinds(sent) and "boundary" in kinds(sent)
    points = next(content for content, _ in sent if content["type"] == "points")
    assert points["n_train"] + points["n_test"] == 300
    assert lab.widget.settings["data"]["dataset"] == "spiral"
    shown_equals_the_model(lab)


def test_a_refused_action_shows_its_reason_until_the_next_action():
    lab = Lab()
    lab.widget.run("set_data", {"noise": 3})
    message = lab.widget.message
    assert message["error"] and "noise" in message["text"] and not message["sticky"]
    lab.widget.run("step", {})
    assert lab.widget.message["text"] == ""


def test_an_incomplete_graph_says_so_until_it_is_complete_again():
    lab = Lab()
    node = lab.widget.run("add", {"kind": "ReLU"})
    message = lab.widget.message
    assert message["sticky"] and f"node(s) {node} cannot be" in \
        message["text"]
    assert lab.widget.graph["error"] == lab.graph_error
    lab.widget.run("step", {})  # training goes on, the message stays
    assert lab.widget.message["sticky"] and lab.state.trainer.steps == 1
    lab.widget.run("set_data", {"noise": 3})  # another action's refusal shows, for a while:
    assert "noise" in lab.widget.message["text"]
    lab.widget.run("step", {})  # then what is still true comes back
    assert lab.widget.message["sticky"] and f"node(s) {node} cannot be" in \
        lab.widget.message["text"]
    lab.widget.run("remove", {"node": node})
    assert lab.widget.message["text"] == "" and lab.widget.graph["error"] is None


def test_our_own_bug_is_shown_as_an_internal_error_with_its_traceback_kept(monkeypatch):
    lab = Lab()
    monkeypatch.setattr(lab, "step", lambda n=1: 1 / 0)
    sent = messages(lab)
    assert lab.widget.run("step", {}, request=3) is None
    assert "internal error (ZeroDivisionError" in lab.widget.message["text"]
    assert "ZeroDivisionError" in lab.last_traceback
    assert sent[-1][0]["ok"] is False and "internal error" in sent[-1][0]["error"]


def test_messages_from_the_page_are_handled_and_junk_is_ignored():
    lab = Lab()
    widget = lab.widget
    widget._on_message(widget, {"type": "intent", "action": "step", "args": {"n": 2}, "id": 1},
                       [])
    assert lab.state.trainer.steps == 2
    for junk in (None, [], "step", {"type": "fly"}, {"type": "painted"},
                 {"type": "painted", "frames": {"boundary": "1"}},
                 {"type": "painted", "frames": {"nothing": 1}},
                 {"type": "painted", "frames": [1]},
                 {"type": "painted", "frames": {"boundary": [1]}},
                 {"type": "painted", "frames": {"boundary": True}},
                 {"type": "connect", "src": 0, "dst": 1},  # (no short form of an intent)
                 {"type": "goodbye", "view": ["x"]}, {"type": "hello", "view": {"a": 1}},
                 {"type": "intent", "action": "step", "args": "n=1"}, {}):
        widget._on_message(widget, junk, [])
    assert lab.last_traceback is None and lab.state.trainer.steps == 2


def test_a_hello_from_a_new_view_sends_everything_again():
    lab = Lab()
    lab.step(3)
    sent = messages(lab)
    lab.widget._on_message(lab.widget, {"type": "hello", "view": "v1"}, [])
    assert {"points", "boundary", "thumbs", "curves", "walkmaps"} <= set(kinds(sent))
    curves = next(content for content, _ in sent if content["type"] == "curves")
    assert curves["reset"]


def test_while_playing_frames_wait_for_the_page_to_paint_the_last_ones():
    lab = Lab()
    widget = lab.widget
    sent = messages(lab)
    now = time.perf_counter() + 1000
    for i in range(MAX_IN_FLIGHT["boundary"] + 5):  # turns of a play loop, no page answering
        widget._dirty.update(("boundary", "thumbs"))
        widget.tick(now + i * 0.04)  # (all within ACK_TIMEOUT)
    boundaries = kinds(sent).count("boundary")
    assert boundaries == MAX_IN_FLIGHT["boundary"]
    assert kinds(sent).count("thumbs") == MAX_IN_FLIGHT["thumbs"]
    painted(widget, boundary=widget.frames.sent["boundary"])
    widget._dirty.add("boundary")
    later = now + 0.04 * (MAX_IN_FLIGHT["boundary"] + 6)
    widget.tick(later)
    assert kinds(sent).count("boundary") == boundaries + 1
    widget._dirty.add("boundary")
    widget.tick(later + 0.1 + ACK_TIMEOUT + 0.1)  # a page that never answers is given up on
    widget._dirty.add("boundary")
    widget.tick(later + 0.2 + ACK_TIMEOUT + 0.1)
    assert kinds(sent).count("boundary") >= boundaries + 2
    painted(widget, boundary=10**9)  # (no ack of frames unsent)
    assert widget.frames.painted["boundary"] == widget.frames.sent["boundary"]


def test_a_lab_nobody_holds_is_freed_with_its_widget():
    # (issue 8: a Lab() nothing referred to was never freed, 245 widgets each)
    before = live_widgets()
    lab = Lab()
    lab.step(2)
    assert live_widgets() - before <= 2  # the widget and its layout
    freed = weakref.ref(lab)
    del lab
    gc.collect()
    assert freed() is None and live_widgets() == before


def test_a_displayed_lab_lives_as_long_as_its_widget():
    before = live_widgets()
    lab = Lab()
    bundle, _ = lab._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == lab.widget.model_id
    kept = weakref.ref(lab)
    del lab
    gc.collect()
    assert kept() is not None  # a page shows it
    kept().close()
    gc.collect()
    assert kept() is None and live_widgets() == before


def test_presentation_mode_and_open_make_no_new_widgets(tmp_path):
    lab = Lab()
    lab.save(tmp_path / "lab.npz")
    widget = lab.widget
    before = live_widgets()
    for on in (True, False, True):
        lab.present(on)
        lab.open(tmp_path / "lab.npz")
    assert live_widgets() == before and lab.widget is widget
    opened = weakref.ref(lab_from(tmp_path / "lab.npz"))
    gc.collect()
    assert opened() is None and live_widgets() == before


def test_a_lab_prints_nothing_when_it_is_made(capsys):
    Lab()
    assert capsys.readouterr().out == ""


def test_the_widget_says_when_it_outlived_its_lab():
    lab = Lab()
    widget = lab.widget
    widget.keep(None)
    del lab
    gc.collect()
    widget.run("step", {})
    assert "outlived its lab" in widget.message["text"]


def test_the_thumbnails_of_the_node_picked_and_the_edge_mode_are_sent():
    lab = Lab()
    sent = messages(lab)
    lab.widget.run("look_at", {"node": 3, "unit": 4})
    unitmap = next(content for content, _ in sent if content["type"] == "unitmap")
    assert (unitmap["node"], unitmap["unit"]) == (3, 4)
    lab.widget.run("show", {"edges": "weights"})
    thumbs = [content for content, _ in sent if content["type"] == "thumbs"][-1]
    assert thumbs["edge_mode"] == "weights" and lab.widget.view["edges"] == "weights"
    assert np.isfinite([edge[2] for edge in thumbs["edges"]]).all()


def test_the_pages_curves_stay_the_historys_through_every_thinning(monkeypatch):
    """The page keeps the series it was sent, each part replacing them from its start: after
    the history halves its epoch series or doubles its stride, the page's are the history's."""
    monkeypatch.setattr(lab_state, "HISTORY_LIMIT", 8)
    rng = np.random.default_rng(0)
    lab = Lab(data=(rng.uniform(0, 1, (8, 2)), np.array([0, 1] * 4)))
    curves, page = Curves(), {}
    for _ in range(80):
        lab.step()
        message = curves.message(lab.state.trainer)
        if message is None:
            continue
        content, buffers = message
        if content["reset"]:
            page.clear()
        for part, buffer in zip(content["series"], buffers, strict=True):
            values = list(np.frombuffer(buffer, "<f8"))
            page[part["name"]] = page.get(part["name"], [])[:part["start"]] + values
        history = lab.history
        assert page["epoch"] == history.epoch_step
        assert page["step"] == list(history.step_ends())
        np.testing.assert_array_equal(page["test_error"], history.test_error)
        np.testing.assert_array_equal(page["loss"], history.step_loss)
    assert history.stride > 1 and len(history.epoch_step) < lab.state.trainer.epochs  # thinned


def test_epoch_series_thinned_and_grown_back_between_two_messages_are_sent_again(monkeypatch):
    """Thinning keeps every other epoch entry; if they grow back past what the page has before
    the next message (a step(n) of many epochs), the page must still get them all again."""
    monkeypatch.setattr(lab_state, "HISTORY_LIMIT", 8)
    rng = np.random.default_rng(0)
    lab = Lab(data=(rng.uniform(0, 1, (8, 2)), np.array([0, 1] * 4)))
    lab.set_training(batch_size=8)  # (a step is an epoch of the training points)
    curves = Curves()
    lab.step(10)
    assert curves.message(lab.state.trainer)[0]["reset"]
    sent, stride = len(lab.history.epoch_step), lab.history.stride
    lab.step(5)  # the epochs thinned (at 13) and grown back past what was sent, same stride
    assert len(lab.history.epoch_step) >= sent and lab.history.stride == stride
    content, buffers = curves.message(lab.state.trainer)
    assert content["reset"]
    epoch = next(np.frombuffer(buffer, "<f8") for part, buffer in
                 zip(content["series"], buffers, strict=True) if part["name"] == "epoch")
    assert list(epoch) == lab.history.epoch_step


def test_the_input_is_not_shown_trained_without_a_network():
    lab = Lab(preset=None)
    assert lab.widget.graph["nodes"][0]["trained"] is False
    assert Lab().widget.graph["nodes"][0]["trained"] is True


def test_a_flood_of_intents_is_answered_as_fast_as_it_comes_its_redraws_coalesced():
    # (issue 14, 7: 10,000 intents sent in 3 s were worked through at 30-80 a second, each one
    # redrawn; the last reply came after 128 s)
    lab = Lab()
    widget = lab.widget
    replies = []
    widget.send = lambda content, buffers=None: (
        replies.append(time.perf_counter()) if content["type"] == "reply" else None)
    rng = np.random.default_rng(0)

    async def scenario():
        queue, start = asyncio.Queue(), time.perf_counter()

        async def page():  # 10,000 drags and slider moves in 3 s
            for number in range(1, 10_001):
                args = ({"node": 3, "x": float(rng.uniform(0, 5)), "y": 1.0} if number % 2
                        else {"lr": float(rng.choice([0.05, 0.1]))})
                queue.put_nowait({"type": "intent", "id": f"v:{number}", "args": args,
                                  "action": "move" if number % 2 else "set_training"})
                if number % 33 == 0:
                    await asyncio.sleep(max(start + number * 3e-4 - time.perf_counter(), 0))

        async def kernel():  # one message a turn of the loop, as ipykernel dispatches them
            for _ in range(10_000):
                widget._on_message(widget, await queue.get(), [])
                await asyncio.sleep(0)

        await asyncio.gather(page(), kernel())
        await asyncio.sleep(0.2)  # the last redraw
        return start

    start = run(scenario())
    assert len(replies) == 10_000 and replies[-1] - start < 12, replies[-1] - start
    assert lab.widget.last_traceback is None
    shown_equals_the_model(lab)


def test_running_the_lab_cell_twenty_times_leaves_one_lab_alive():
    # (issue 14, 1: after 20 runs of `lab = Lab(); lab`, 21 Labs and 42 widgets were alive)
    gc.collect()
    before, labs, lab = live_widgets(), [], None
    widgets_before = sum(isinstance(o, LabWidget) for o in gc.get_objects())
    for run_number in range(20):
        old = lab
        lab = Lab()  # the cell runs again: its name holds the new lab...
        lab._repr_mimebundle_()  # ...shown as the cell's output
        if old is not None:  # JupyterLab clears the old output: its view says goodbye
            old.widget._on_message(old.widget, {"type": "goodbye", "view": f"v{run_number}"},
                                   [])
        lab.widget._on_message(lab.widget, {"type": "hello", "view": f"v{run_number + 1}"},
                               [])
        labs.append(weakref.ref(lab))
    del old
    gc.collect()  # (with IPython's Out cleared)
    assert [ref() is not None for ref in labs] == [False] * 19 + [True]
    assert live_widgets() - before <= 2  # the lab's widget and its layout
    # (and in memory: closed widgets kept by a library would keep their state and pictures)
    assert sum(isinstance(o, LabWidget) for o in gc.get_objects()) == widgets_before + 1
    kept = weakref.ref(lab)
    del lab
    gc.collect()
    assert kept() is not None  # shown in a page, and held by nothing else: it lives


def test_a_lab_a_name_holds_lives_on_after_its_view_is_gone_and_can_be_shown_again():
    lab = Lab()
    lab._repr_mimebundle_()
    lab.widget._on_message(lab.widget, {"type": "hello", "view": "a"}, [])
    lab.widget._on_message(lab.widget, {"type": "goodbye", "view": "a"}, [])
    gc.collect()
    lab.step()
    bundle, _ = lab._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == lab.widget.model_id


@pytest.fixture
def shell():
    """An IPython shell of its own, with the lab imported (its output history as a kernel's)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from labnet.lab import Lab", store_history=True)
    yield shell
    shell.run_cell("for o in list(Out.values()):\n    getattr(o, 'close', print)()")
    InteractiveShell.clear_instance()


def view(lab, kind: str, token: str) -> None:
    lab.widget._on_message(lab.widget, {"type": kind, "view": token}, [])


def test_a_lab_shown_by_a_cell_run_again_is_let_go_by_ipythons_output_history(shell):
    # (a tester: 8 runs of `lab = Lab(); lab` kept 8 Labs, held by Out, _1.._8 and _, __, ___)
    refs = []
    for run_number in range(4):
        shell.run_cell("lab = Lab(grid=8)\nlab", store_history=True)
        lab = shell.user_ns["lab"]
        view(lab, "hello", f"v{run_number}")
        if refs:  # the old output cleared: its view says goodbye (after the new lab is shown)
            view(refs[-1](), "goodbye", f"v{run_number - 1}")
        refs.append(weakref.ref(lab))
        del lab
    gc.collect()
    assert [ref() is not None for ref in refs] == [False, False, False, True]
    shown = refs[-1]()
    assert shell.user_ns["_"] is shown and shown in shell.user_ns["Out"].values()
    assert shell.user_ns["__"] is None  # (the history's older results let go)
    del shown
    shell.run_cell("1 + 1", store_history=True)  # IPython's history goes on as before
    assert shell.user_ns["_"] == 2


def test_a_goodbye_before_the_new_lab_is_shown_lets_the_old_one_go_then(shell):
    shell.run_cell("Lab(grid=8)", store_history=True)
    old = weakref.ref(shell.user_ns["_"])
    view(old(), "hello", "a")
    view(old(), "goodbye", "a")  # (the output cleared before the cell ran again)
    shell.run_cell("Lab(grid=8)", store_history=True)
    gc.collect()
    assert old() is None


def test_a_lab_no_name_holds_outlives_its_notebook_closed_and_is_shown_again(shell):
    # (the notebook closed and opened again, the kernel running: no newer lab was shown)
    shell.run_cell("Lab(grid=8)", store_history=True)
    kept = weakref.ref(shell.user_ns["_"])
    view(kept(), "hello", "a")
    view(kept(), "goodbye", "a")
    gc.collect()
    assert kept() is not None
    view(kept(), "hello", "b")  # shown again
    shell.run_cell("Lab(grid=8)", store_history=True)  # another lab, while b shows the first
    gc.collect()
    assert kept() is not None and kept() in shell.user_ns["Out"].values()


def test_a_lab_shown_again_in_a_later_cell_keeps_its_results_and_a_users_own_underscore(shell):
    shell.run_cell("lab = Lab(grid=8)\nlab", store_history=True)
    lab = shell.user_ns["lab"]
    view(lab, "hello", "a")
    shell.run_cell("lab", store_history=True)  # shown again: its new view comes...
    view(lab, "hello", "b")
    view(lab, "goodbye", "a")  # ...and the first goes
    assert list(shell.user_ns["Out"].values()).count(lab) == 2
    shell.run_cell("1 + 1", store_history=True)
    shell.run_cell("_ = lab", store_history=True)  # the user's own _ (IPython's was 2)
    shell.run_cell("other = Lab(grid=8)\nother", store_history=True)
    view(lab, "goodbye", "b")  # replaced by a newer lab: the history lets go of it...
    assert lab not in shell.user_ns["Out"].values()
    assert shell.user_ns["_"] is lab and shell.user_ns["lab"] is lab  # ...not the user's names
