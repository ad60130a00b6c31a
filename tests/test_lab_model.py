"""The lab's model: graph editing, the last valid network, data and training settings."""

import numpy as np
import pytest

import labnet as ln
from labnet.lab.model import INPUT, LabModel, layout

FIGURE1_EDGES = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 6), (6, 5), (5, 7)]


def build_figure1(model: LabModel) -> None:
    for kind, params in [("Linear", {"width": 25}), ("Tanh", {}), ("Linear", {"width": 25}),
                         ("ReLU", {}), ("Sum", {}), ("Linear", {"width": 25}),
                         ("Linear", {"width": 2})]:
        model.add(kind, **params)
    for src, dst in FIGURE1_EDGES:
        model.connect(src, dst)


def snapshot(model: LabModel):
    return dict(model.nodes), list(model.edges), model.network, model.graph_error


def test_default_model_is_the_seed_experiment():
    model = LabModel()
    assert model.graph_error is None
    assert [model.network.widths[n] for n in model.network.order if n % 2] == [25, 25, 25, 2]
    assert len(model.train_set[0]) == len(model.test_set[0]) == 1000
    assert model.dataset == "disk" and model.loss == "mse"


def test_figure1_built_node_by_node_matches_the_design_example():
    model = LabModel(preset=None)
    assert model.network is None and "empty" in model.graph_error
    build_figure1(model)
    assert model.graph_error is None
    net = model.network
    assert dict(net.inputs) == {1: (0,), 2: (1,), 3: (2,), 4: (3,), 5: (4, 6), 6: (0,), 7: (5,)}
    assert net.output == 7 and net.widths[5] == 25 and net.num_params() == 852
    assert ln.gradcheck(net, ln.disk(4, rng=0)[0]).ok


def test_an_edit_that_breaks_the_graph_keeps_training_the_last_valid_network():
    model = LabModel()
    before = model.network
    node = model.add("Linear", width=8)
    assert "cannot be reached" in model.graph_error and str(node) in model.graph_error
    assert model.network is before
    weights = before.params()[0][0].copy()
    model.step(5)
    assert model.trainer.steps == 5
    assert not np.array_equal(before.params()[0][0], weights)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m.connect(7, 1), "cycle: 1 → 2 → 3 → 4 → 5 → 6 → 7 → 1"),
    (lambda m: m.disconnect(6, 7), "node(s) 7 cannot be reached"),
    (lambda m: (m.disconnect(3, 4), m.connect(1, 4)), "nodes 3, 7 feed nothing"),
])
def test_invalid_graphs_say_what_is_wrong(edit, message):
    model = LabModel()
    edit(model)
    assert message in model.graph_error


def test_a_width_that_does_not_fit_names_the_edge():
    model = LabModel(preset="figure1")
    model.remove(6)
    extra = model.add("Linear", width=30)
    model.connect(0, extra)
    model.connect(extra, 5)
    assert "Sum adds inputs of different widths" in model.graph_error
    assert f"node {extra} gives 30" in model.graph_error


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m.connect(1, 99), "node 99"),
    (lambda m: m.connect(99, 1), "node 99"),
    (lambda m: m.connect(3, 3), "edge 3 → 3"),
    (lambda m: m.connect(1, 2), "edge 1 → 2 is already there"),
    (lambda m: m.connect(3, 0), "edge 3 → 0"),
    (lambda m: m.disconnect(1, 3), "no edge 1 → 3"),
    (lambda m: m.remove(0), "input"),
    (lambda m: m.remove(42), "node 42"),
    (lambda m: m.add("Conv2d"), "Conv2d"),
    (lambda m: m.add("ReLU", width=3), "ReLU"),
    (lambda m: m.add("Linear", width=0), "out_features"),
    (lambda m: m.undo(), "undo"),
])
def test_graph_editing_mistakes_raise_and_change_nothing(edit, message):
    model = LabModel()
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        edit(model)
    assert snapshot(model) == before


def test_modules_keep_their_weights_across_edits_unless_their_input_width_changes():
    model = LabModel(preset="figure1")
    old = dict(model.network.operators)
    # a new branch 0 → 8 → 5 with the right width: every old module is kept, with its weights
    node = model.add("Linear", width=25)
    model.connect(0, node)
    model.connect(node, 5)
    assert model.graph_error is None
    assert all(model.network.operators[n] is module for n, module in old.items())
    # node 3 now reads 12 features instead of 25: a new Linear, its in_features inferred
    model.disconnect(2, 3)
    narrow = model.add("Linear", width=12)
    model.connect(2, narrow)
    model.connect(narrow, 3)
    assert model.graph_error is None
    assert model.network.operators[3] is not old[3]
    assert model.network.operators[3].in_features == 12
    assert model.network.operators[1] is old[1]


def test_undo_restores_the_graph_and_the_same_network_keeps_its_training():
    model = LabModel(preset="figure1")
    model.step(20)
    network, trainer = model.network, model.trainer
    model.connect(7, 1)  # a cycle
    assert model.graph_error
    model.undo()
    assert model.graph_error is None
    assert model.network is network and model.trainer is trainer and trainer.steps == 20
    model.load_preset("seed")
    assert len(model.nodes) == 7 and 6 not in model.network.inputs.get(5, ())
    model.undo()
    assert model.network.inputs[5] == (4, 6)


def test_data_settings_make_new_data_and_training_goes_on():
    model = LabModel()
    model.step(3)
    model.set_data(dataset="xor", noise=0.1, n_points=500, test_fraction=0.2, seed=3)
    assert len(model.train_set[0]) == 400 and len(model.test_set[0]) == 100
    assert model.trainer.x.shape == (400, 2)
    model.step(2)
    assert model.trainer.steps == 5
    again = LabModel()
    again.set_data(dataset="xor", noise=0.1, n_points=500, test_fraction=0.2, seed=3)
    assert np.array_equal(again.train_set[0], model.train_set[0])


@pytest.mark.parametrize("settings", [
    {"dataset": "mnist"}, {"noise": -0.1}, {"n_points": 2}, {"test_fraction": 1.0},
])
def test_bad_data_settings_raise_and_keep_the_data(settings):
    model = LabModel()
    x = model.train_set[0]
    with pytest.raises(ValueError):
        model.set_data(**settings)
    assert model.train_set[0] is x


def test_training_settings_reach_the_trainer():
    model = LabModel()
    model.set_training(loss="cross-entropy", optimizer="adam", lr=0.01, batch_size=50)
    trainer = model.trainer
    assert isinstance(trainer.loss, ln.CrossEntropyLoss)
    assert isinstance(trainer.optimizer, ln.Adam) and trainer.optimizer.lr == 0.01
    assert trainer.batch_size == 50
    model.step(1)
    with pytest.raises(ValueError, match="learning rate"):
        model.set_training(lr=-1.0)
    with pytest.raises(ValueError, match="optimizer"):
        model.set_training(optimizer="lbfgs")
    assert model.trainer.lr == 0.01


def test_reset_draws_new_weights_and_clears_the_history():
    model = LabModel()
    model.step(10)
    weights = model.network.params()[0][0].copy()
    model.reset()
    assert model.trainer.steps == 0 and model.trainer.history.step_loss == []
    assert not np.array_equal(model.network.params()[0][0], weights)


def test_divergence_raises_and_leaves_the_weights():
    model = LabModel()
    model.trainer.lr = 1e12
    model.step(1)  # the first step is finite; the next ones overflow
    with pytest.raises(ln.DivergedError):
        for _ in range(5):
            weights = [value.copy() for value, _ in model.network.params()]
            model.step(1)
    assert all(np.array_equal(v, w) for (v, _), w in zip(model.network.params(), weights,
                                                          strict=True))


def test_class_one_score_is_in_0_1_and_half_on_the_boundary():
    model = LabModel()
    model.step(300)
    grid = np.random.default_rng(0).uniform(size=(200, 2))
    for loss in ("mse", "cross-entropy"):
        model.set_training(loss=loss)
        score = model.class_one_score(grid)
        assert score.shape == (200,) and score.min() >= 0 and score.max() <= 1
        predicted = model.network.predict(model.network_input(grid))
        assert np.array_equal(score > 0.5, predicted == 1)


def test_listeners_hear_what_changed():
    model = LabModel()
    heard = []
    model.listeners.append(heard.append)
    model.step(1)
    model.set_data(noise=0.1)
    model.set_training(lr=0.01)
    model.add("ReLU")
    assert heard == ["train", "data", "settings", "graph"]


def test_layout_columns_are_depths_and_a_branch_takes_its_own_row():
    model = LabModel(preset="figure1")
    positions = model.graph_layout()
    assert {n: x for n, (x, _) in positions.items()} == dict(model.network.depth)
    assert positions[6][1] != positions[1][1]
    assert len(set(positions.values())) == len(positions)


def test_layout_copes_with_cycles_and_loose_nodes():
    positions = layout({1: None, 2: None, 3: None}, [(INPUT, 1), (1, 2), (2, 1)])
    assert set(positions) == {0, 1, 2, 3}
    assert positions[1][0] < positions[2][0]


def test_the_network_sees_standardised_inputs_unless_told_otherwise():
    model = LabModel()
    x_train = model.train_set[0]
    assert np.allclose(model.trainer.x.mean(axis=0), 0, atol=1e-9)
    assert np.allclose(model.trainer.x.std(axis=0), 1)
    assert np.allclose(model.network_input(x_train), model.trainer.x)
    model.set_standardize(False)
    assert np.array_equal(model.trainer.x, x_train)
    assert np.array_equal(model.network_input(x_train), x_train)


def test_a_long_history_is_averaged_in_pairs_so_it_stays_bounded(monkeypatch):
    monkeypatch.setattr("labnet.lab.model.HISTORY_LIMIT", 64)
    model = LabModel()
    model.step(300)
    history = model.trainer.history
    assert model.trainer.steps == 300 and model.history_stride == 8
    assert 32 <= len(history.step_loss) <= 64
    assert all(len(series) == len(history.step_loss) for series in history.grad_norms.values())
    model.reset()
    assert model.history_stride == 1 and history is not model.trainer.history


def test_a_network_with_one_output_is_refused_with_a_reason():
    net = ln.Sequential(ln.Linear(2, 4, rng=0), ln.ReLU(), ln.Linear(4, 1, rng=1))
    with pytest.raises(ValueError, match="the lab needs 2 outputs"):
        LabModel(network=net)
