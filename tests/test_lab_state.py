"""The lab's state (``labnet.lab.state``): the graph being edited and the last complete network,
data and training settings checked whole before anything changes, training, undo and redo,
events to listeners, and a state restored from its parts."""

import subprocess
import sys

import numpy as np
import pytest
from labtools import add, epoch

import labnet as ln
from labnet.errors import InputError
from labnet.lab import Lab, edits
from labnet.lab.dataset import DataSettings, LabData
from labnet.lab.events import DataChanged, GraphChanged, Scored, SettingsChanged, Trained
from labnet.lab.graph import Graph
from labnet.lab.settings import CAP_VARIABLE, TrainingSettings, default_cap
from labnet.lab.state import UNDO_LIMIT, LabState

FIGURE1_EDGES = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 6), (6, 5), (5, 7)]


def outputs_over(state, x: np.ndarray, node=None) -> np.ndarray:
    """The output of ``node`` (default: the output) of the network being trained over points
    ``x`` of the plane: one plain forward (the oracle the lab's pictures are checked with)."""
    network = state.network
    network.forward(state.data.network_input(x))
    return network.outputs[network.output if node is None else node]


def build_figure1(state: LabState) -> None:
    for kind, params in [("Linear", {"width": 25}), ("Tanh", {}), ("Linear", {"width": 25}),
                         ("ReLU", {}), ("Sum", {}), ("Linear", {"width": 25}),
                         ("Linear", {"width": 2})]:
        add(state, kind, **params)
    for src, dst in FIGURE1_EDGES:
        state.edit(state.graph.connect(src, dst))


def snapshot(state: LabState):
    trainer = state.trainer
    return (state.graph, state.graph_error, state.network, state.data, state.training,
            None if trainer is None else (trainer, trainer.steps, trainer.lr,
                                          trainer.batch_size, len(trainer.x)),
            [value.copy() for value, _ in state.network.params()] if state.network else None,
            len(state._undo), len(state._redo))


def same(a, b) -> bool:
    *rest_a, weights_a, undo_a, redo_a = a
    *rest_b, weights_b, undo_b, redo_b = b
    return all(x is y or x == y for x, y in zip(rest_a, rest_b, strict=True)) and (
        (undo_a, redo_a) == (undo_b, redo_b)) and (weights_a is None) == (weights_b is None) and (
        weights_a is None or all(np.array_equal(x, y) for x, y in zip(weights_a, weights_b,
                                                                      strict=True)))


def test_the_default_state_is_the_seed_experiment():
    state = LabState()
    assert state.graph_error is None and state.network.num_params() == 1427
    assert [state.network.widths[n] for n in state.network.order if n % 2] == [25, 25, 25, 2]
    assert len(state.data.train[0]) == len(state.data.test[0]) == 1000
    assert state.training == TrainingSettings()
    assert not state.can_undo and not state.can_redo
    assert state.trainer.steps == 0 and state.trainer.history.step_loss == []


def test_figure1_built_node_by_node_is_the_design_examples_network():
    state = LabState(preset=None)
    assert state.network is None and "empty" in state.graph_error
    build_figure1(state)
    net = state.network
    assert state.graph_error is None
    assert dict(net.inputs) == {1: (0,), 2: (1,), 3: (2,), 4: (3,), 5: (4, 6), 6: (0,), 7: (5,)}
    assert net.num_params() == 852 and state.trainer.net is net


def test_an_edit_that_breaks_the_graph_keeps_training_the_last_complete_network():
    state = LabState()
    network, trainer = state.network, state.trainer
    node = add(state, "Linear", width=8)
    assert f"node(s) {node} cannot be reached" in state.graph_error
    assert state.network is network and state.trainer is trainer
    weights = network.params()[0][0].copy()
    state.train(5, score_epochs=True)
    assert trainer.steps == 5 and not np.array_equal(network.params()[0][0], weights)
    # complete again: the same modules and edges, the same network
    state.edit(state.graph.remove(node))
    assert state.graph_error is None and state.network is network and trainer.steps == 5


def test_a_complete_edit_keeps_the_weights_of_modules_that_still_fit():
    state = LabState(preset="figure1")
    state.train(3, score_epochs=True)
    old = dict(state.network.operators)
    node = add(state, "Linear", width=25)
    state.edit(state.graph.connect(0, node))
    state.edit(state.graph.connect(node, 5))
    assert state.graph_error is None and state.network.operators[node] is not None
    assert all(state.network.operators[n] is module for n, module in old.items())
    assert state.trainer.steps == 0  # a new network: training starts over


def test_a_refused_edit_changes_nothing():
    state = LabState(preset="figure1")
    state.train(2, score_epochs=True)
    before = snapshot(state)
    graph = state.graph
    for edit in (lambda: state.edit(graph.connect(7, 1)), lambda: state.edit(graph.connect(0, 3)),
                 lambda: state.edit(graph.remove(0)), lambda: add(state, "Conv2d"),
                 lambda: state.edit(graph.set_params(1, {"width": 0})), state.redo_edit,
                 lambda: state.use_preset("resnet"), lambda: state.edit(graph.move(1, "x", 0))):
        with pytest.raises(ValueError):
            edit()
        assert same(snapshot(state), before)


def test_undo_and_redo_bring_back_the_graph_and_the_same_network_keeps_its_training():
    state = LabState(preset="figure1")
    state.train(20, score_epochs=True)
    network, trainer = state.network, state.trainer
    node = add(state, "ReLU")
    assert state.graph_error and state.can_undo
    state.undo_edit()
    assert state.graph_error is None and node not in state.graph.nodes
    assert state.network is network and state.trainer is trainer and trainer.steps == 20
    state.redo_edit()
    assert node in state.graph.nodes and not state.can_redo
    state.use_preset("seed")
    assert len(state.graph.nodes) == 7 and state.network.inputs[5] == (4,)
    state.undo_edit()
    state.undo_edit()
    assert state.network.inputs[5] == (4, 6)
    assert all(state.network.operators[n] is m for n, m in network.operators.items())
    with pytest.raises(ValueError, match="no edit to undo"):
        state.undo_edit()


def test_new_parameters_of_a_node_make_its_module_anew_in_the_network_trained():
    state = LabState(preset="figure1")
    state.train(2, score_epochs=True)
    old = state.network
    state.edit(state.graph.set_params(1, {"width": 8}))
    net = state.network
    assert net is not old and net.operators[1].out_features == 8
    assert net.operators[3].in_features == 8 and net.operators[6] is old.operators[6]
    assert state.trainer.net is net
    node = add(state, "LeakyReLU", between=(2, 3))
    state.edit(state.graph.set_params(node, {"negative_slope": 0.3}))
    assert state.network.operators[node].negative_slope == 0.3


def test_undoing_an_edit_brings_back_the_module_it_replaced_with_its_weights():
    state = LabState(preset="figure1")
    state.train(5, score_epochs=True)
    trained = state.network.operators[1]
    weights = trained.weight.copy()
    state.edit(state.graph.set_params(1, {"width": 8}))
    assert state.network.operators[1].out_features == 8
    state.undo_edit()
    assert state.network.operators[1] is trained and np.array_equal(trained.weight, weights)
    state.redo_edit()
    assert state.network.operators[1].out_features == 8


def test_undo_keeps_at_most_undo_limit_edits():
    state = LabState()
    for i in range(UNDO_LIMIT + 5):
        state.edit(state.graph.move(1, i % 7, 0))
    assert len(state._undo) == UNDO_LIMIT


def test_data_settings_make_new_data_and_training_goes_on_with_them():
    state = LabState()
    state.train(3, score_epochs=True)
    trainer = state.trainer
    state.use_data(state.data.changed(dataset="xor", noise=0.1, n_points=500, test_fraction=0.2,
                                      seed=3))
    assert len(state.data.train[0]) == 400 and trainer.x.shape == (400, 2)
    assert state.trainer is trainer and len(trainer.test[0]) == 100
    state.train(2, score_epochs=True)
    assert trainer.steps == 5
    again = LabState()
    again.use_data(again.data.changed(dataset="xor", noise=0.1, n_points=500, test_fraction=0.2,
                                      seed=3))
    assert np.array_equal(again.data.train[0], state.data.train[0])


@pytest.mark.parametrize("changes", [
    {"dataset": "mnist"}, {"noise": -0.1}, {"n_points": 2}, {"test_fraction": 1.0},
    {"seed": -1}, {"n_points": 4, "test_fraction": 0.1}, {"standardize": "no"}, {"pixels": 3},
])
def test_refused_data_settings_change_nothing_and_later_changes_work(changes):
    # (issue 9: set_data stored values before checking them; every later change then failed)
    state = LabState()
    before = snapshot(state)
    with pytest.raises(ValueError):
        state.use_data(state.data.changed(**changes))
    assert same(snapshot(state), before)
    state.use_data(state.data.changed(noise=0.1))
    assert state.data.settings.noise == 0.1 and state.data.settings.seed == 0


def test_training_settings_reach_the_trainer_and_keep_the_weights():
    state = LabState()
    state.train(2, score_epochs=True)
    weights = state.network.params()[0][0].copy()
    state.use_training(state.training.changed(loss="cross-entropy", optimizer="adam", lr=0.01,
                                              batch_size=50))
    trainer = state.trainer
    assert isinstance(trainer.loss, ln.CrossEntropyLoss) and isinstance(trainer.optimizer,
                                                                         ln.Adam)
    assert trainer.optimizer.lr == 0.01 and trainer.lr == 0.01 and trainer.batch_size == 50
    assert trainer.steps == 2 and np.array_equal(state.network.params()[0][0], weights)
    state.use_training(state.training.changed(optimizer="sgd", lr=0.05))
    assert trainer.optimizer is None and trainer.lr == 0.05
    state.train(1, score_epochs=True)
    assert trainer.steps == 3


@pytest.mark.parametrize("changes", [
    {"lr": -1.0}, {"lr": 0}, {"lr": float("nan")}, {"lr": True}, {"lr": 10**400},
    {"optimizer": "lbfgs"}, {"loss": "hinge"}, {"batch_size": 0}, {"batch_size": 2.5},
    {"batch_size": 10**6}, {"max_steps_per_second": 0.5}, {"max_steps_per_second": 10**400},
    {"momentum": 0.9}, {"regularization": "l3"}, {"regularization": "L2"},
    {"regularization_rate": -0.1}, {"regularization_rate": 11}, {"regularization_rate": True},
    {"regularization_rate": float("nan")}, {"regularization_rate": "0.1"},
])
def test_refused_training_settings_change_nothing(changes):
    state = LabState()
    state.use_training(state.training.changed(lr=0.01))
    before = snapshot(state)
    with pytest.raises(ValueError):
        state.use_training(state.training.changed(**changes))
    assert same(snapshot(state), before) and state.trainer.lr == 0.01


def test_regularisation_is_a_setting_the_trainer_follows_and_the_loss_shown_stays_the_datas():
    state = LabState()
    trainer = state.trainer
    assert state.training.regularization == "none" and trainer.regularization is None
    state.use_training(state.training.changed(regularization="l2", regularization_rate=0.03))
    assert (trainer.regularization.kind, trainer.regularization.rate) == ("l2", 0.03)
    state.use_training(state.training.changed(regularization_rate=0.1))
    assert trainer.regularization.rate == 0.1
    state.new_weights()  # a new trainer keeps the setting
    assert state.trainer.regularization.kind == "l2"
    state.use_training(state.training.changed(regularization="none"))
    assert state.trainer.regularization is None and state.training.regularization_rate == 0.1


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularisation_shrinks_the_weights_the_lab_trains(kind):
    norms = {}
    for regularization in ("none", kind):
        state = LabState(seed=1)
        state.use_training(state.training.changed(regularization=regularization,
                                                  regularization_rate=0.3))
        state.train(200)
        norms[regularization] = sum(float(np.abs(state.network.operators[n].weight).sum())
                                    for n in (1, 3, 5, 7))
    assert norms[kind] < 0.5 * norms["none"], norms


def test_values_no_widget_offers_are_taken_as_they_are():
    state = LabState()
    state.use_training(state.training.changed(lr=0.05, batch_size=32, max_steps_per_second=250))
    state.use_data(state.data.changed(n_points=300))
    assert (state.trainer.lr, state.trainer.batch_size) == (0.05, 32)
    assert state.training.max_steps_per_second == 250.0 and len(state.data.x_all) == 300


def test_step_epoch_and_train_for_count_steps():
    state = LabState()
    assert state.train(3, score_epochs=True) == 3 and state.trainer.steps == 3
    assert epoch(state) == 97 and state.trainer.epochs == 1  # 1000 points, batches of 10
    assert epoch(state) == 100 and state.trainer.epochs == 2
    taken = state.train(7, seconds=0.01)
    assert 1 <= taken <= 7 and state.trainer.steps == 200 + taken


@pytest.mark.parametrize("n", [0, -1, 1.5, "3", True, None])
def test_a_bad_number_of_steps_is_refused(n):
    lab = Lab()
    with pytest.raises(ValueError, match="number of steps"):
        lab.step(n)
    assert lab.state.trainer.steps == 0


def test_step_and_epoch_leave_no_epoch_error_waiting_and_train_for_leaves_them_to_the_scorer():
    state = LabState()
    epoch(state)
    history = state.trainer.history
    assert np.isfinite(history.train_error).all() and np.isfinite(history.test_error).all()
    state.use_training(state.training.changed(batch_size=1000))  # one step: one epoch
    state.train(1, seconds=0.001)
    assert np.isnan(history.train_error[-1]) and state.scorer.pending
    state.scorer.finish()
    assert np.isfinite(history.train_error[-1])


def test_reset_draws_new_weights_and_starts_the_history_over():
    state = LabState()
    state.train(10, score_epochs=True)
    weights = state.network.params()[0][0].copy()
    network = state.network
    state.new_weights()
    assert state.network is network and state.trainer.steps == 0
    assert state.trainer.history.step_loss == []
    assert not np.array_equal(network.params()[0][0], weights)


def test_divergence_raises_and_leaves_the_weights_of_the_step_that_diverged():
    state = LabState()
    state.trainer.lr = 1e12  # past what the settings allow, to diverge at once
    state.train(1, score_epochs=True)  # the first step is finite; the next ones overflow
    with pytest.raises(ln.DivergedError):
        for _ in range(5):
            weights = [value.copy() for value, _ in state.network.params()]
            state.train(1, score_epochs=True)
    assert all(np.array_equal(v, w) for (v, _), w in zip(state.network.params(), weights,
                                                          strict=True))


def test_class_one_score_is_in_0_1_and_above_half_where_the_network_says_class_1():
    state = LabState()
    state.train(300, score_epochs=True)
    grid = np.random.default_rng(0).uniform(size=(200, 2))
    for loss in ("mse", "cross-entropy"):
        state.use_training(state.training.changed(loss=loss))
        output = outputs_over(state, grid)
        score = state.class_one_score(output)
        assert score.shape == (200,) and score.min() >= 0 and score.max() <= 1
        predicted = state.network.predict(state.data.network_input(grid))
        assert np.array_equal(score > 0.5, predicted == 1)
    assert np.all(state.class_one_score(np.full((3, 2), np.nan)) == 0.5)


def test_listeners_hear_one_event_per_change_after_it_is_made():
    state = LabState()
    heard = []
    state.listeners.append(lambda event: heard.append((event, state.trainer.steps)))
    state.train(1, score_epochs=True)
    state.use_data(state.data.changed(noise=0.1))
    state.use_training(state.training.changed(lr=0.01))
    node = add(state, "ReLU")
    state.edit(state.graph.remove(node))
    state.new_weights()
    kinds = [type(event) for event, _ in heard]
    assert kinds == [Trained, DataChanged, SettingsChanged, GraphChanged, GraphChanged,
                     Trained]
    assert heard[0] == (Trained(1), 1) and heard[4][0] == GraphChanged(new_network=False)
    assert heard[5][0] == Trained(0, reset=True)
    state.scorer.now()
    assert type(heard[-1][0]) is Scored


def test_a_refused_change_tells_no_listener():
    state = LabState()
    heard = []
    state.listeners.append(heard.append)
    for change in (lambda: state.use_data(state.data.changed(seed=-1)),
                   lambda: state.use_training(state.training.changed(lr=0)),
                   lambda: state.edit(state.graph.connect(7, 1))):
        with pytest.raises(ValueError):
            change()
    assert heard == []


def test_own_points_and_a_network_of_ones_own():
    net = ln.PRESETS["figure1"](3)
    weights = net.params()[0][0].copy()
    x, labels = ln.circle(300, 0.05, rng=1)
    state = LabState(network=net, data=(x, labels.astype(float)))
    assert state.network is net and np.array_equal(net.params()[0][0], weights)
    assert state.data.settings.dataset == "custom" and len(state.data.train[0]) == 150
    assert state.trainer.labels.dtype.kind == "i"
    state.train(3, score_epochs=True)
    assert state.trainer.steps == 3


@pytest.mark.parametrize(("make", "words"), [
    (lambda: LabState(data=(np.zeros((10, 3)), np.zeros(10, dtype=int))), "2 columns"),
    (lambda: LabState(network=ln.Sequential(ln.Linear(2, 4, rng=0), ln.ReLU(),
                                            ln.Linear(4, 1, rng=1))), "the lab needs 2 outputs"),
    (lambda: LabState(network=ln.Sequential(ln.Linear(2, 5000, rng=0), ln.ReLU(),
                                            ln.Linear(5000, 2, rng=1))), "wider than the lab's"),
    (lambda: LabState(preset="resnet"), "unknown preset"),
    (lambda: LabState(seed=-1), "seed"),
])
def test_a_state_the_lab_cannot_have_is_refused_with_a_reason(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_the_point_added_and_removed_reach_the_trainer():
    state = LabState()
    state.train(1, score_epochs=True)
    state.use_data(state.data.with_point(0.5, 0.5, 1.0))  # a float class: a whole number, so taken
    assert state.trainer.x.shape == (1001, 2) and state.trainer.labels[-1] == 1
    assert state.trainer.labels.dtype.kind == "i"
    state.use_data(state.data.with_point(0.25, 0.25, 0))  # the next point works too (issue 9)
    state.use_data(state.data.without_point_near(0.5, 0.5))
    assert state.trainer.x.shape == (1001, 2) and state.data.settings.dataset == "custom"
    state.train(1, score_epochs=True)


def test_removing_own_points_keeps_the_trainer_and_the_data_agreeing():
    # (issue 9: removing the last test point left the model and the trainer disagreeing)
    x = np.array([[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1], [0.5, 0.5], [0.3, 0.3]])
    state = LabState(data=(x, [0, 1, 0, 1, 1, 0]))
    state.train(4, score_epochs=True)
    for point in state.data.test[0]:
        try:
            state.use_data(state.data.without_point_near(*point))
        except ValueError as error:
            assert "last test point" in str(error) or "keeps 4 points" in str(error)
    state.train(4, score_epochs=True)
    trainer, data = state.trainer, state.data
    assert len(trainer.test[0]) == len(data.test[0]) >= 1
    assert len(trainer.x) == len(data.train[0])
    history = trainer.history
    lengths = {len(history.epoch_step), len(history.epoch_loss), len(history.train_error),
               len(history.test_loss), len(history.test_error)}
    assert lengths == {trainer.epochs}


def test_restore_puts_a_state_together_from_its_parts_checking_each():
    state = LabState(preset="figure1")
    state.train(7, score_epochs=True)
    node = add(state, "Tanh")
    restored = LabState.restore(
        data=state.data, training=state.training, graph=state.graph, network=state.network,
        rng_state=state.rng.bit_generator.state, trainer_state=state.trainer.state_dict())
    assert restored.graph == state.graph and restored.graph_error == state.graph_error
    assert node in restored.graph.nodes and restored.trainer.steps == 7
    assert restored.network is state.network
    with pytest.raises(ValueError):
        LabState.restore(data=LabData.make(DataSettings(n_points=100)),
                         training=state.training, graph=state.graph, network=state.network,
                         rng_state=state.rng.bit_generator.state,
                         trainer_state=state.trainer.state_dict())  # for other data
    with pytest.raises(ValueError, match="learning rate"):
        LabState.restore(data=state.data, training=TrainingSettings(lr=-1), graph=Graph(),
                         network=None, rng_state=state.rng.bit_generator.state,
                         trainer_state=None)


def test_the_cap_on_steps_per_second_comes_from_the_environment_unless_it_is_a_typo(monkeypatch):
    monkeypatch.setenv(CAP_VARIABLE, "200")
    assert default_cap() == 200.0 and LabState().training.max_steps_per_second == 200.0
    assert LabState(max_steps_per_second=50).training.max_steps_per_second == 50.0
    for typo in ("fast", "0", "-5", "nan", "inf", "1e400", "1e12", ""):
        monkeypatch.setenv(CAP_VARIABLE, typo)
        assert default_cap() is None
        assert LabState().training.max_steps_per_second is None


def test_the_palette_has_the_built_in_modules_and_registered_ones():
    assert {"Linear", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "Sum", "Concat"} <= set(
        LabState().palette)


def test_importing_the_state_loads_no_widget_or_drawing_library():
    code = ("import sys, labnet.lab.state, labnet.lab.graph, labnet.lab.dataset; "
            "print(sorted(m for m in ('ipywidgets', 'anywidget', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_history_stays_bounded_however_long_training_goes(monkeypatch):
    monkeypatch.setattr("labnet.lab.state.HISTORY_LIMIT", 64)
    state = LabState()
    state.train(300, score_epochs=True)
    history = state.trainer.history
    assert state.trainer.steps == 300 and history.stride > 1
    assert len(history.step_loss) <= 64
    assert all(len(series) == len(history.step_loss) for series in history.grad_norms.values())
    assert len(history.step_ends()) == len(history.step_loss)
    assert history.step_ends()[-1] == 300
    state.new_weights()
    assert state.trainer.history.stride == 1


def test_an_edit_that_changes_nothing_takes_no_place_in_the_undo_history():
    lab = Lab()
    lab.remove(7)
    lab.undo()  # something to redo
    assert lab.state.can_redo
    lab.set_params(1, width=lab.state.graph.nodes[1].params()["width"])  # as it is
    lab.tidy()  # (the presets are laid out tidily)
    assert lab.state.can_redo and not lab.state.can_undo


def test_moving_a_node_builds_no_network(monkeypatch):
    """A drag must not cost the kernel a trial network with all its weights (a second for a
    big one): positions do not change what trains."""
    lab = Lab()
    built = []
    real = Graph.network
    monkeypatch.setattr(Graph, "network", lambda self, *a, **k: built.append(1) or real(
        self, *a, **k))
    network = lab.network
    lab.move(3, 2.5, 1.5)
    lab.tidy()
    lab.undo()
    assert built == [] and lab.network is network
    lab.add("ReLU", between=(3, 4))  # an edit that rewires builds its network, once
    assert len(built) == 1


# -- more classes, and regression ----------------------------------------------------------------
def fitted(state: LabState, data: LabData) -> Graph:
    return edits.fit_output(state.graph, data.outputs, data.needs())


def test_data_of_more_classes_come_with_the_output_fitted_as_one_undo_step():
    state = LabState()
    state.train(5, score_epochs=True)
    old_network, first = state.network, state.network.operators[1]
    blobs = state.data.changed(dataset="blobs", classes=4)
    state.use_data(blobs, graph=fitted(state, blobs))
    network = state.network
    assert network is not old_network and network.out_features == 4
    assert network.operators[1] is first  # the other weights stay
    assert state.trainer.steps == 0 and state.graph_error is None and state.can_undo
    state.train(3, score_epochs=True)
    state.undo_edit()  # the data and the output 2 wide again, with its weights: they fit
    assert state.data is not blobs and state.data.outputs == 2 and state.graph_error is None
    assert state.network.out_features == 2 and state.network.operators[1] is first
    assert state.network.operators[7] is old_network.operators[7]
    state.train(2)
    state.redo_edit()
    assert state.data is blobs and state.graph_error is None
    assert state.network.out_features == 4 and state.network.operators[7] is network.operators[7]
    state.train(2)


@pytest.mark.parametrize("redo", [False, True])
def test_an_undo_of_a_refit_that_fails_changes_nothing(monkeypatch, redo):
    state = LabState()
    blobs = state.data.changed(dataset="blobs", classes=4)
    state.use_data(blobs, graph=fitted(state, blobs))
    if redo:
        state.undo_edit()
    before, histories = snapshot(state), (state.can_undo, state.can_redo)

    def refuse(*args, **kwargs):
        raise InputError("no network today")
    monkeypatch.setattr(Graph, "network", refuse)
    with pytest.raises(ValueError, match="no network today"):
        state.redo_edit() if redo else state.undo_edit()
    assert same(snapshot(state), before) and (state.can_undo, state.can_redo) == histories
    assert state.next_undo(redo=redo)[:2] == ("dataset", "graph")
    monkeypatch.undo()
    state.redo_edit() if redo else state.undo_edit()
    assert state.network.out_features == state.data.outputs == (4 if redo else 2)


def test_data_that_need_another_output_without_the_graph_fitted_change_nothing():
    state = LabState()
    before = snapshot(state)
    with pytest.raises(ValueError, match="these data need 3 outputs, one per class, and the "
                                         "network trained gives 2"):
        state.use_data(state.data.changed(dataset="spirals"))
    assert same(snapshot(state), before)


def test_an_unfinished_graph_cannot_take_data_needing_another_output():
    state = LabState()
    add(state, "ReLU")  # two nodes feed nothing: no output to fit
    before = snapshot(state)
    blobs = state.data.changed(dataset="blobs")
    with pytest.raises(ValueError, match=r"the network trained gives 2: node\(s\) 8 cannot be"):
        state.use_data(blobs, graph=fitted(state, blobs))
    assert same(snapshot(state), before)


def test_a_regression_trains_with_mse_and_cross_entropy_is_refused_for_it():
    state = LabState()
    state.use_training(state.training.changed(loss="cross-entropy"))
    plane = state.data.changed(dataset="reg-plane")
    before = snapshot(state)
    with pytest.raises(ValueError, match="cross-entropy compares classes, and these data are "
                                         "a regression"):
        state.use_data(plane, graph=fitted(state, plane))
    assert same(snapshot(state), before)
    state.use_data(plane, graph=fitted(state, plane), training=state.training.changed(loss="mse"))
    assert state.trainer.task == "regression" and state.network.out_features == 1
    assert isinstance(state.trainer.loss, ln.MSELoss) and state.training.loss == "mse"
    with pytest.raises(ValueError, match="cross-entropy compares classes"):
        state.use_training(state.training.changed(loss="cross-entropy"))
    state.train(50, score_epochs=True)
    scores = state.scorer.now()
    assert np.isnan(scores["train_error"]) and np.isfinite(scores["test_loss"])


def test_a_preset_loaded_for_data_of_more_classes_gives_one_output_per_class():
    state = LabState(data=ln.blobs(90, 0.1, rng=0, classes=3))
    assert state.data.outputs == 3 and state.network.out_features == 3
    state.use_preset("figure1")
    assert state.network.out_features == 3 and state.graph_error is None
    regression = LabState(data=ln.reg_gauss(60, 0.0, rng=0))
    assert regression.network.out_features == 1 and regression.trainer.task == "regression"
    with pytest.raises(ValueError, match="node 7 has width 2: the lab needs 3 outputs"):
        LabState(network=ln.PRESETS["seed"](0), data=ln.blobs(90, 0.1, rng=0))
