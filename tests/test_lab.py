"""The lab as an app, headless: its methods, its widgets, its pictures and its play loop."""

import asyncio
import itertools
import threading
import time

import numpy as np
import pytest

import labnet as ln
from labnet.lab import Lab

FIGURE1_NODES = [("Linear", 25), ("Tanh", None), ("Linear", 25), ("ReLU", None), ("Sum", None),
                 ("Linear", 25), ("Linear", 2)]
FIGURE1_EDGES = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 6), (6, 5), (5, 7)]


def pictures(lab: Lab) -> dict[str, bytes]:
    return {name: image.value for name, image in lab.view.images.items()}


def message(lab: Lab) -> str:
    return lab.view.message.value


@pytest.fixture(scope="module")
def trained_lab():
    lab = Lab()
    lab.step(200)
    return lab


def test_the_default_lab_is_the_seed_experiment_ready_to_play():
    lab = Lab()
    assert lab.network.num_params() == 1427 and lab.graph_error is None
    assert all(len(picture) > 1000 for picture in pictures(lab).values())
    status = lab.view.status.value
    assert "epoch <b>0</b>" in status and "step <b>0</b>" in status and "paused" in status
    assert lab.view.play_button.description == "▶ Play"


def test_figure1_built_through_the_widgets():
    lab = Lab(preset=None)
    view = lab.view
    for kind, width in FIGURE1_NODES:
        view.kind.value = kind
        if width:
            view.width.value = width
        view.add_button.click()
    for src, dst in FIGURE1_EDGES:
        view.source.value, view.target.value = src, dst
        view.connect_button.click()
    assert lab.graph_error is None and message(lab) == ""
    assert dict(lab.network.inputs) == {1: (0,), 2: (1,), 3: (2,), 4: (3,), 5: (4, 6),
                                        6: (0,), 7: (5,)}
    assert lab.network.num_params() == 852


def test_figure1_built_through_methods_redraws_the_graph_at_each_edit():
    lab = Lab(preset=None)
    drawn = [lab.view.images["graph"].value]
    for kind, width in FIGURE1_NODES:
        lab.add(kind, **({"width": width} if width else {}))
        drawn.append(lab.view.images["graph"].value)
    for src, dst in FIGURE1_EDGES:
        lab.connect(src, dst)
        drawn.append(lab.view.images["graph"].value)
    assert all(a != b for a, b in itertools.pairwise(drawn))
    assert lab.network.output == 7 and lab.graph_error is None


def test_a_step_changes_the_boundary_the_curves_the_gradients_and_the_graph():
    lab = Lab(preset="figure1")
    lab.step(5)
    before = pictures(lab)
    gradients = lab.view.views["gradients"]
    heights = [bar.get_height() for bar in gradients.bars]
    curve_points = len(lab.view.views["curves"].batch_loss.get_xdata())
    lab.view.step_button.click()
    after = pictures(lab)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"boundary", "curves", "gradients", "graph"}  # no node picked yet
    assert [bar.get_height() for bar in gradients.bars] != heights
    assert len(lab.view.views["curves"].batch_loss.get_xdata()) == curve_points + 1
    assert lab.history.step_loss and len(lab.history.step_loss) == 6


def test_epoch_and_reset_buttons():
    lab = Lab()
    lab.view.epoch_button.click()
    assert lab.model.trainer.epochs == 1 and lab.model.trainer.steps == 100
    assert "epoch <b>1</b>" in lab.view.status.value
    lab.view.reset_button.click()
    assert lab.model.trainer.steps == 0 and lab.history.epoch_loss == []


@pytest.mark.parametrize(("act", "expected"), [
    (lambda v: (setattr(v.source, "value", 3), setattr(v.target, "value", 3),
                v.connect_button.click()), "edge 3 → 3"),
    (lambda v: (setattr(v.source, "value", 1), setattr(v.target, "value", 2),
                v.connect_button.click()), "edge 1 → 2 is already there"),
    (lambda v: (setattr(v.source, "value", 1), setattr(v.target, "value", 3),
                v.disconnect_button.click()), "there is no edge 1 → 3"),
    (lambda v: (setattr(v.source, "value", 7), setattr(v.target, "value", 1),
                v.connect_button.click()), "cycle: 1 → 2 → 3 → 4 → 5 → 6 → 7 → 1"),
    (lambda v: (setattr(v.node, "value", 4), v.remove_button.click()),
     "cannot be reached from the input"),
    (lambda v: (setattr(v.kind, "value", "Linear"), setattr(v.width, "value", 3),
                v.add_button.click(), setattr(v.source, "value", 6),
                setattr(v.target, "value", 8), v.connect_button.click(),
                setattr(v.source, "value", 8), setattr(v.target, "value", 7),
                v.connect_button.click()), "node 7"),
    (lambda v: v.undo_button.click(), "no edit to undo"),
])
def test_every_graph_editing_error_shows_its_message_in_the_lab(act, expected):
    lab = Lab()
    trained = lab.network
    act(lab.view)
    assert expected in message(lab)
    assert "color:#c0392b" in message(lab)  # in red
    assert lab.network is trained  # the last valid network is still there, still training
    lab.view.step_button.click()
    assert lab.model.trainer.steps == 1


def test_the_message_of_an_invalid_graph_goes_when_the_graph_is_valid_again():
    lab = Lab()
    node = lab.add("ReLU")
    assert f"node(s) {node} cannot be reached" in message(lab)
    lab.remove(node)
    assert message(lab) == "" and lab.graph_error is None


def test_training_controls_reach_the_model():
    lab = Lab()
    view = lab.view
    view.loss.value = "cross-entropy"
    view.optimizer.value = "adam"
    view.lr.value = 0.003
    view.batch_size.value = 50
    trainer = lab.model.trainer
    assert isinstance(trainer.loss, ln.CrossEntropyLoss) and isinstance(trainer.optimizer, ln.Adam)
    assert trainer.lr == 0.003 and trainer.batch_size == 50
    view.step_button.click()
    assert trainer.steps == 1


def test_data_controls_make_new_data_and_redraw_the_boundary():
    lab = Lab()
    view = lab.view
    drawn = view.images["boundary"].value
    for widget, value in ((view.dataset, "spiral"), (view.noise, 0.2), (view.n_points, 500),
                          (view.test_fraction, 0.3)):
        widget.value = value
        assert view.images["boundary"].value != drawn
        drawn = view.images["boundary"].value
    assert (lab.model.dataset, lab.model.noise, lab.model.n_points) == ("spiral", 0.2, 500)
    assert len(lab.model.test_set[0]) == 150
    x = lab.model.train_set[0]
    view.data_seed.value = 7
    view.regenerate_button.click()
    assert lab.model.data_seed == 7 and not np.array_equal(lab.model.train_set[0], x)
    view.show_test.value = False
    assert view.images["boundary"].value != drawn
    drawn = view.images["boundary"].value
    view.discretize.value = True
    assert view.images["boundary"].value != drawn


def test_changes_made_in_python_show_in_the_controls():
    lab = Lab()
    lab.set_training(lr=0.01, optimizer="momentum", batch_size=20)
    lab.set_data(dataset="moons", noise=0.1)
    view = lab.view
    assert (view.lr.value, view.optimizer.value, view.batch_size.value) == (0.01, "momentum", 20)
    assert (view.dataset.value, view.noise.value) == ("moons", 0.1)
    assert lab.model.trainer.steps == 0  # syncing the widgets did not trigger anything


def test_presets_load_and_undo_brings_the_graph_back():
    lab = Lab()
    lab.view.preset.value = "deep-sigmoid-skip"
    lab.view.preset_button.click()
    assert len(lab.network.order) == 27 and lab.graph_error is None
    lab.view.undo_button.click()
    assert len(lab.network.order) == 7


def test_a_bad_setting_from_python_raises_and_the_same_from_a_widget_is_shown(monkeypatch):
    lab = Lab()
    with pytest.raises(ValueError, match="unknown data set"):
        lab.set_data(dataset="imagenet")
    monkeypatch.setattr(lab.model, "step", lambda n=1: 1 / 0)
    lab.view.step_button.click()
    assert "internal error (ZeroDivisionError" in message(lab)
    assert "ZeroDivisionError" in lab.last_traceback


def test_displaying_the_lab_shows_the_whole_app_and_building_it_displays_nothing(capsys):
    lab = Lab()
    assert capsys.readouterr().out == ""
    bundle = lab._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == lab.widget.model_id
    assert lab.widget.children == (lab.view.widget,)


def test_lab_from_a_network_and_from_arrays():
    net = ln.PRESETS["figure1"](3)
    weights = net.params()[0][0].copy()
    x, labels = ln.circle(300, 0.05, rng=1)
    lab = Lab(network=net, data=(x, labels))
    assert lab.network is net and np.array_equal(net.params()[0][0], weights)
    assert lab.model.dataset == "custom" and len(lab.model.train_set[0]) == 150
    lab.step(3)
    assert lab.model.trainer.steps == 3
    with pytest.raises(ValueError, match="2 columns"):
        Lab(data=(np.zeros((10, 3)), np.zeros(10, dtype=int)))


def in_thread(function):
    """Call ``function()`` on a thread of its own, and return what it returns: it gets no
    event loop from the main thread (where Playwright's may be running)."""
    result = {}

    def target():
        try:
            result["value"] = function()
        except BaseException as error:  # handed to the caller
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def run(coroutine):
    """Run ``coroutine`` to its end on a new event loop, as a kernel's loop would run it."""
    return in_thread(lambda: asyncio.run(coroutine))


def play_for(lab: Lab, seconds: float) -> None:
    """Play, wait ``seconds`` on the event loop, pause, and wait for the play loop to end."""
    async def scenario():
        task = lab.play()
        await asyncio.sleep(seconds)
        lab.pause()
        await task

    run(scenario())


def test_play_trains_without_blocking_and_pause_answers_at_once():
    lab = Lab()
    slices = []  # (start, end) of each slice of training
    train_for = lab.model.train_for

    def timed_train_for(seconds):
        start = time.perf_counter()
        steps = train_for(seconds)
        slices.append((start, time.perf_counter()))
        return steps

    lab.model.train_for = timed_train_for

    async def scenario():
        task = lab.play()
        assert lab.view.play_button.description == "⏸ Pause"
        gaps, last = [], time.perf_counter()
        while time.perf_counter() - last < 1.5 or len(gaps) < 20:
            await asyncio.sleep(0)  # the event loop stays free for the kernel's messages
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            if sum(gaps) > 1.5:
                break
        paused_at = time.perf_counter()
        lab.view.play_button.click()  # Pause
        await task
        return gaps, paused_at

    gaps, paused_at = run(scenario())
    assert lab.model.trainer.steps > 100 and lab.frames_drawn >= 3
    assert max(gaps) < 0.25  # one slice of training, or one picture, at a time
    assert all(start < paused_at for start, _ in slices)  # no training after Pause
    assert max(end for _, end in slices) - paused_at < 0.1
    assert not lab.playing and lab.view.play_button.description == "▶ Play"
    assert "paused" in lab.view.status.value
    steps = lab.model.trainer.steps
    run(asyncio.sleep(0.1))
    assert lab.model.trainer.steps == steps


def test_controls_answer_while_playing():
    lab = Lab()

    async def scenario():
        task = lab.play()
        await asyncio.sleep(0.3)
        lab.view.lr.value = 0.01
        lab.view.dataset.value = "xor"
        node = lab.add("ReLU")
        await asyncio.sleep(0.3)
        lab.remove(node)
        await asyncio.sleep(0.3)
        lab.pause()
        await task

    run(scenario())
    assert lab.model.trainer.lr == 0.01 and lab.model.dataset == "xor"
    assert lab.model.trainer.steps > 0 and message(lab) == ""


def test_a_diverging_run_pauses_and_says_so():
    lab = Lab()
    lab.model.trainer.lr = 1e12  # past what the slider offers, to diverge at once

    async def scenario():
        task = lab.play()
        await asyncio.wait_for(task, timeout=5)

    run(scenario())
    assert not lab.playing
    assert "Paused" in message(lab) and "loss is" in message(lab)


def test_play_outside_an_event_loop_says_what_to_do():
    lab = Lab()
    with pytest.raises(RuntimeError, match=r"lab\.step"):
        in_thread(lab.play)
    assert not lab.playing


def test_playing_with_an_invalid_graph_trains_the_last_valid_network(trained_lab):
    lab = trained_lab
    node = lab.add("Sigmoid")
    steps = lab.model.trainer.steps

    play_for(lab, 0.3)
    assert lab.model.trainer.steps > steps
    lab.remove(node)


def test_a_click_from_another_thread_runs_on_the_event_loop_between_two_turns():
    # ipykernel 7 may handle a widget message on a subshell thread while the kernel is busy
    lab = Lab()
    threads = {}
    pause = lab.pause

    def recorded_pause():
        threads["pause"] = threading.get_ident()
        pause()

    lab.pause = recorded_pause

    async def scenario():
        threads["loop"] = threading.get_ident()
        task = lab.play()
        await asyncio.sleep(0.3)
        clicker = threading.Thread(target=lab.view.play_button.click)
        clicker.start()
        clicker.join()
        threads["clicker"] = clicker.ident
        assert "pause" not in threads  # handed over to the loop, not run on the clicker
        await asyncio.wait_for(task, timeout=2)

    run(scenario())
    assert threads["pause"] == threads["loop"] != threads["clicker"]
    assert not lab.playing and lab.view.message.value == ""


def test_playing_draws_frames_at_a_steady_rate_even_after_many_redraws():
    lab = Lab()
    for _ in range(40):  # clicks redraw at once; they must not push the play loop's frames away
        lab.step(1)

    play_for(lab, 1.0)
    assert lab.frames_drawn >= 8  # 18 a second at most; at least half of that here


def test_pause_then_play_in_one_turn_keeps_one_play_loop():
    lab = Lab()

    def loops():
        return [task for task in asyncio.all_tasks()
                if task.get_coro().__qualname__ == "Lab._play_loop" and not task.done()]

    async def scenario():
        lab.play()
        await asyncio.sleep(0.2)
        lab.pause()
        lab.play()  # before the first loop has seen the pause: a double-click on Play
        await asyncio.sleep(0.3)
        running = len(loops())
        steps = lab.model.trainer.steps
        await asyncio.sleep(0.2)
        assert lab.model.trainer.steps > steps and lab.playing
        lab.pause()
        await asyncio.gather(*loops())
        return running

    assert run(scenario()) == 1
    assert not lab.playing and lab.view.play_button.description == "▶ Play"
