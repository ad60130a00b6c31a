"""The lab's classroom features, driven headless: the step-through walk, node views, saving
and sharing, the user's own points, hiding views, presentation mode."""

import numpy as np
import pytest

import labnet as ln
from labnet.lab import Lab


@pytest.fixture(scope="module")
def figure1_lab():
    lab = Lab(preset="figure1")
    lab.step(30)
    return lab


def test_the_walk_visits_every_node_forward_then_backward_from_the_buttons():
    lab = Lab(preset="figure1")
    lab.step(5)
    net = lab.network
    view = lab.view
    view.walk_start.click()
    visited = [(lab.walk.current.phase, lab.walk.current.node)]
    highlighted = [view.views["graph"].highlighted]
    while not lab.walk.done:
        view.walk_next.click()
        visited.append((lab.walk.current.phase, lab.walk.current.node))
        highlighted.append(view.views["graph"].highlighted)
    nodes = [0, *net.order]
    assert visited == [*(("forward", n) for n in nodes), ("loss", None),
                       *(("backward", n) for n in reversed(nodes)), ("update", None)]
    assert highlighted == [node for _, node in visited]
    assert lab.model.trainer.steps == 6  # finishing the walk was one training step
    assert "update" in view.walk_text.value and view.walk_next.disabled


def test_the_walks_gradients_equal_the_networks(figure1_lab):
    lab = figure1_lab
    walk = lab.start_walk()
    x, labels = walk.x, walk.target
    lab.view.walk_finish.click()
    # the same batch through the network's own backward, from the weights before the update
    twin = ln.PRESETS["figure1"](0)
    twin.load_state_dict({key: value for key, value in zip(
        twin.state_dict(), walk._start_params, strict=True)})
    loss = ln.MSELoss()
    loss.forward(twin.forward(x), labels)
    twin.backward(loss.backward())
    for node in twin.order:
        assert np.allclose(walk.grads[node], twin.grads[node])


def test_back_shows_the_step_before_and_training_ends_the_walk(figure1_lab):
    lab = figure1_lab
    lab.start_walk()
    lab.walk_next()
    lab.walk_next()
    shown = lab.view.walk_text.value
    lab.view.walk_back.click()
    assert lab.walk.position == 1 and lab.view.walk_text.value != shown
    lab.view.step_button.click()
    assert lab.walk is None and lab.view.views["graph"].highlighted is None
    lab.view.walk_next.click()
    assert "no walk under way" in lab.view.message.value


def test_a_node_view_shows_one_unit_over_the_plane(figure1_lab):
    lab = figure1_lab
    lab.view.look_node.value = 3
    lab.view.look_unit.value = 4
    node_view = lab.view.views["node"]
    assert (node_view.node, node_view.unit) == (3, 4)
    picture = lab.view.images["node"].value
    shown = node_view.image.get_array()
    lab.network.forward(lab.model.network_input(node_view.grid_points))
    expected = lab.network.outputs[3][:, 4].reshape(node_view.grid, node_view.grid)
    assert np.allclose(shown, expected)
    lab.step(20)
    assert lab.view.images["node"].value != picture
    with pytest.raises(ValueError, match="unit must be 0 to 24"):
        lab.look_at(3, 25)


def test_clicking_a_node_on_the_graph_picks_it(figure1_lab):
    lab = figure1_lab
    graph = lab.view.views["graph"]
    box = graph.boxes[6]
    x, y = graph.ax.transData.transform(box.get_bbox().get_points().mean(axis=0))
    lab.view.click_graph({"dataX": x, "dataY": graph.height - y})
    assert lab.view.views["node"].node == 6 and graph.highlighted == 6
    assert lab.view.node.value == 6


def test_clicks_on_the_plane_add_and_remove_points():
    lab = Lab()
    boundary = lab.view.views["boundary"]
    column, row = boundary.ax.transData.transform((0.5, 0.5))
    event = {"dataX": column, "dataY": boundary.height - row}
    lab.view.click_boundary(event)  # clicks do nothing until a class is chosen
    assert lab.model.dataset == "disk"
    lab.view.click_mode.value = 0
    picture = lab.view.images["boundary"].value
    lab.view.click_boundary(event)
    x, labels = lab.model.train_set
    assert lab.model.dataset == "custom" and len(x) == 1001
    assert np.allclose(x[-1], (0.5, 0.5), atol=0.01) and labels[-1] == 0
    assert lab.view.images["boundary"].value != picture
    assert lab.model.trainer.x.shape == (1001, 2)  # training goes on with the new point
    lab.step(1)
    lab.view.click_mode.value = "remove"
    lab.view.click_boundary(event)
    assert len(lab.model.train_set[0]) + len(lab.model.test_set[0]) == 2000
    assert not np.any(np.all(np.isclose(lab.model.train_set[0], x[-1]), axis=1))


def test_save_and_open_give_back_the_whole_lab(tmp_path):
    lab = Lab(preset="figure1")
    lab.set_training(optimizer="adam", lr=0.01, batch_size=20)
    lab.set_data(noise=0.05, test_fraction=0.3)
    lab.step(60)
    lab.add_point(0.2, 0.8, 1)
    pending = lab.add("Tanh")  # an edit not finished yet is saved too
    path = tmp_path / "class.npz"
    lab.view.file_name.value = str(path)
    lab.view.save_button.click()
    again = Lab.open(path)
    for name in ("dataset", "noise", "test_fraction", "loss", "optimizer", "lr", "batch_size"):
        assert getattr(again.model, name) == getattr(lab.model, name)
    assert again.model.nodes.keys() == lab.model.nodes.keys() and pending in again.model.nodes
    assert again.model.edges == lab.model.edges and again.graph_error == lab.graph_error
    assert all(np.array_equal(a, b) for a, b in zip(
        again.network.state_dict().values(), lab.network.state_dict().values(), strict=True))
    assert np.array_equal(again.model.train_set[0], lab.model.train_set[0])
    assert again.history.as_dict() == lab.history.as_dict()
    for opened in (lab, again):
        opened.step(15)
    assert again.history.step_loss == lab.history.step_loss  # it carries on exactly


def test_open_from_the_button_replaces_the_lab_in_place(tmp_path):
    lab = Lab(preset="figure1")
    lab.step(3)
    lab.save(tmp_path / "a.npz")
    other = Lab()
    widget = other.widget
    other.view.file_name.value = str(tmp_path / "a.npz")
    other.view.open_button.click()  # the first click asks: it would replace the graph
    assert "replaces this lab" in other.view.message.value and other.network.num_params() == 1427
    other.view.open_button.click()
    assert other.widget is widget and other.widget.children == (other.view.widget,)
    assert other.network.num_params() == 852 and other.model.trainer.steps == 3
    other.view.file_name.value = str(tmp_path / "missing.npz")
    other.view.open_button.click()
    other.view.open_button.click()
    assert "missing.npz" in other.view.message.value and "No such file" in \
        other.view.message.value


def test_exported_code_rebuilds_the_network(figure1_lab):
    lab = figure1_lab
    lab.view.export_button.click()
    code = lab.view.code.value
    assert "operators = {" in code and "connectivity = {" in code
    namespace = {}
    exec(lab.export_code(include_weights=True), namespace)
    rebuilt = namespace["net"]
    x = np.random.default_rng(0).uniform(size=(5, 2))
    assert np.allclose(rebuilt.forward(x), lab.network.forward(x))


def test_hidden_views_show_a_placeholder_until_revealed():
    lab = Lab()
    lab.view.hide_toggles["boundary"].value = True
    lab.hide("errors")
    hidden_picture = lab.view.images["boundary"].value
    lab.step(5)
    assert lab.view.images["boundary"].value == hidden_picture  # not drawn while hidden
    assert "test error <b>?</b>" in lab.view.status.value
    lab.reveal()
    assert lab.view.images["boundary"].value != hidden_picture
    assert "test error <b>?</b>" not in lab.view.status.value
    assert not lab.view.hide_toggles["boundary"].value


def test_presentation_mode_draws_everything_larger():
    lab = Lab()
    lab.step(5)
    width = lab.view.views["boundary"].width
    lab.view.presentation.value = True
    assert lab.view.scale == 1.4 and lab.view.views["boundary"].width == round(width * 1.4)
    assert lab.widget.children == (lab.view.widget,) and lab.model.trainer.steps == 5
    assert lab.widget.comm is not None and lab.view.step_button.comm is not None  # still open
    lab.view.step_button.click()
    assert lab.model.trainer.steps == 6
    with pytest.raises(ValueError, match="scale"):
        lab.set_scale(10)


def test_changing_settings_or_the_graph_ends_a_walk_under_way():
    lab = Lab()
    for change in (lambda: lab.set_training(batch_size=20), lambda: lab.set_data(noise=0.1),
                   lambda: lab.add("ReLU"), lambda: lab.add_point(0.5, 0.5, 1)):
        lab.start_walk()
        lab.walk_next()
        change()
        assert lab.walk is None and "Start a walk" in lab.view.walk_text.value


def test_a_new_view_keeps_what_the_old_one_showed():
    lab = Lab()
    lab.show(test_points=False, discretize=True)
    lab.start_walk()
    lab.walk_next()
    lab.set_scale(1.4)
    view = lab.view
    assert not view.show_test.value and view.discretize.value
    assert not view.views["boundary"].show_test and view.views["boundary"].discretize
    assert "2/" in view.walk_text.value  # the walk under way is shown, not "Start a walk"


def test_opening_a_file_ends_the_walk_of_the_old_lab(tmp_path):
    lab = Lab()
    lab.save(tmp_path / "lab.npz")
    lab.start_walk()
    lab.load(tmp_path / "lab.npz")
    assert lab.walk is None
    with pytest.raises(ValueError, match="no walk"):
        lab.finish_walk()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not an .npz archive"),
    (b"PK\x03\x04 broken zip", "not an .npz archive"),
    ("npy", "not an .npz archive"),
    ("no key", "no '__lab__' entry"),
    ("bad json", "not JSON"),
    ("missing parts", "can be opened"),
])
def test_opening_a_file_that_is_not_a_lab_says_so(tmp_path, content, message):
    path = tmp_path / "lab.npz"
    if content == "npy":
        np.save(tmp_path / "x.npy", np.zeros(3))
        path = tmp_path / "x.npy"
    elif content == "no key":
        np.savez(path, weights=np.zeros(3))
    elif content == "bad json":
        np.savez(path, __lab__=np.array("{not json"))
    elif content == "missing parts":
        np.savez(path, __lab__=np.array('{"format": 1}'))
    else:
        path.write_bytes(content)
    lab = Lab()
    with pytest.raises(ValueError, match=message):
        Lab.open(path)
    lab.view.file_name.value = str(path)
    lab.view.open_button.click()
    lab.view.open_button.click()
    assert message.split("'")[0] in lab.view.message.value and "internal" not in \
        lab.view.message.value


def test_saving_where_no_file_can_be_written_says_why(tmp_path):
    lab = Lab()
    lab.view.file_name.value = str(tmp_path / "missing" / "lab.npz")
    lab.view.save_button.click()
    assert "cannot write" in lab.view.message.value and "internal" not in lab.view.message.value
    with pytest.raises(ValueError, match="cannot write"):
        lab.save(tmp_path)  # a folder
