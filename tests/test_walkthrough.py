"""Walk: one training step node by node, in the right orders, with the network's own gradients
and update; what each step received and passed on, and along which edges; one sample alone; the
cursor; bad input."""

import numpy as np
import pytest

import labnet as ln
from labnet.walkthrough import Walk

X, LABELS = ln.disk(10, rng=1)


def figure1(seed=0):
    return ln.PRESETS["figure1"](seed)


def hidden_fan_out(seed=0):
    """Node 1 feeds a Tanh, a ReLU and the Concat; node 2 and 3 meet in a Sum; all end in a
    Concat (fed by three nodes) before the output Linear."""
    rng = np.random.default_rng(seed)
    operators = {1: ln.Linear(2, 6, rng=rng), 2: ln.Tanh(), 3: ln.ReLU(), 4: ln.Sum(),
                 5: ln.Concat(), 6: ln.Linear(18, 2, rng=rng)}
    connectivity = {0: [1], 1: [2, 3, 5], 2: [4], 3: [4, 5], 4: [5], 5: [6]}
    return ln.Network(operators, connectivity)


NETWORKS = {"figure1": figure1, "hidden fan-out, Sum and Concat": hidden_fan_out,
            "deep sigmoid with skips": lambda seed=0: ln.PRESETS["deep-sigmoid-skip"](seed)}


def reference_step(net, loss, x, labels, lr):
    """A normal training step; returns the gradients it computed, by node."""
    loss.forward(net.forward(x), labels)
    net.backward(loss.backward())
    grads = {node: grad.copy() for node, grad in net.grads.items()}
    param_grads = {key: grad.copy() for key, (_, grad) in net.named_params().items()}
    net.update_param(lr)
    return grads, param_grads


# -- the orders --------------------------------------------------------------------------------

@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_walk_visits_every_node_forward_then_the_loss_then_backward_then_the_update(make):
    net = make()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    visited = [(step.phase, step.node) for step in walk.steps]
    nodes = [net.input, *net.order]
    expected = ([("forward", node) for node in nodes] + [("loss", None)]
                + [("backward", node) for node in reversed(nodes)] + [("update", None)])
    assert visited == expected
    assert len(walk) == len(expected)
    assert [step.index for step in walk.steps] == list(range(len(expected)))


def test_each_node_is_visited_backward_after_every_node_it_feeds():
    net = hidden_fan_out()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    when = {step.node: step.index for step in walk.steps if step.phase == "backward"}
    for src, dsts in net.connectivity.items():
        for dst in dsts:
            assert when[dst] < when[src], f"{src} → {dst}"


def test_the_walk_runs_one_module_per_step_and_back_runs_nothing():
    calls = []

    class Spy(ln.Module):
        def __init__(self, name):
            self.name = name

        def forward(self, x):
            calls.append(("forward", self.name))
            return x

        def backward(self, grad_out):
            calls.append(("backward", self.name))
            return grad_out

    net = ln.Sequential(ln.Linear(2, 2, rng=0), Spy("a"), Spy("b"))
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    assert calls == []  # the first step only shows the batch
    walk.next()  # the Linear
    walk.next()
    assert calls == [("forward", "a")]
    walk.back()
    walk.back()
    walk.next()
    walk.next()
    assert calls == [("forward", "a")]  # moving over recorded steps runs nothing
    walk.next()
    assert calls == [("forward", "a"), ("forward", "b")]
    walk.next()  # the loss
    walk.next()
    assert calls[-1] == ("backward", "b")
    assert len(calls) == 3


# -- the numbers: the network's own ------------------------------------------------------------

@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_walk_gradients_equal_the_network_backward_and_finish_equals_a_normal_step(make):
    net, twin = make(0), make(0)
    grads, param_grads = reference_step(twin, ln.MSELoss(), X, LABELS, lr=0.1)
    walk = Walk(net, ln.MSELoss(), X, LABELS, lr=0.1)
    walk.finish()
    assert walk.grads.keys() == grads.keys()
    for node, grad in grads.items():
        np.testing.assert_array_equal(walk.grads[node], grad, err_msg=f"node {node}")
    for step in walk.steps:
        if step.phase == "backward":
            np.testing.assert_array_equal(step.arrays["dL/d(output)"], grads[step.node])
            for name, grad in walk.param_grads.get(step.node, {}).items():
                np.testing.assert_array_equal(grad, param_grads[f"{step.node}.{name}"])
                np.testing.assert_array_equal(step.arrays[f"dL/d({name})"], grad)
    for key, value in twin.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[key], value, err_msg=key)
    # and the network is left as after a normal step: its grad_norms read the walk's gradients
    assert net.grad_norms() == twin.grad_norms()
    assert net.param_grad_norms() == pytest.approx(twin.param_grad_norms())


def test_forward_records_what_each_node_receives_and_produces():
    net, twin = figure1(), figure1()
    twin.forward(X)
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    while walk.next().phase == "forward":
        pass
    for step in walk.steps[1:-1]:
        srcs = net.inputs[step.node]
        assert list(step.arrays) == [*(f"input from node {src}" for src in srcs), "output"]
        for src in srcs:
            np.testing.assert_array_equal(step.arrays[f"input from node {src}"],
                                          twin.outputs[src])
        np.testing.assert_array_equal(step.arrays["output"], twin.outputs[step.node])
    sum_step = next(step for step in walk.steps if step.node == 5)
    assert sum_step.shapes == {"input from node 4": (10, 25), "input from node 6": (10, 25),
                               "output": (10, 25)}


def test_loss_step_holds_the_loss_and_the_gradient_that_starts_backward():
    net = figure1()
    walk = Walk(net, ln.CrossEntropyLoss(), X, LABELS)
    while walk.current.phase != "loss":
        walk.next()
    step = walk.current
    loss = ln.CrossEntropyLoss()
    value = loss.forward(figure1().forward(X), LABELS)
    assert step.node is None and step.module == "CrossEntropyLoss()"
    assert float(step.arrays["loss"]) == value == walk.loss_value
    np.testing.assert_array_equal(step.arrays["dL/d(output)"], loss.backward())
    np.testing.assert_array_equal(step.arrays["target"], LABELS)


def test_a_node_feeding_several_nodes_receives_the_sum_of_their_gradients():
    net = figure1()  # the input feeds nodes 1 and 6
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    last = walk.steps[-2]
    assert (last.phase, last.node) == ("backward", 0)
    via_1, via_6 = last.arrays["dL/d(output) via node 1"], last.arrays["dL/d(output) via node 6"]
    np.testing.assert_allclose(last.arrays["dL/d(output)"], via_1 + via_6)
    assert not np.allclose(via_1, via_6)
    sent_by_1 = next(s for s in walk.steps if s.phase == "backward" and s.node == 1)
    np.testing.assert_array_equal(via_1, sent_by_1.arrays["dL/d(input) to node 0"])
    assert "sum" in last.text and "nodes 6 and 1" in last.text


def test_sum_passes_its_gradient_to_every_input_and_concat_splits_it():
    net = hidden_fan_out()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    by_node = {s.node: s for s in walk.steps if s.phase == "backward"}
    total = by_node[4].arrays
    np.testing.assert_array_equal(total["dL/d(input) to node 2"], total["dL/d(output)"])
    np.testing.assert_array_equal(total["dL/d(input) to node 3"], total["dL/d(output)"])
    cat = by_node[5].arrays
    joined = np.concatenate([cat["dL/d(input) to node 1"], cat["dL/d(input) to node 3"],
                             cat["dL/d(input) to node 4"]], axis=1)
    np.testing.assert_array_equal(joined, cat["dL/d(output)"])
    # node 1 feeds three nodes: its gradient is the sum of the three shares
    parts = [by_node[1].arrays[f"dL/d(output) via node {n}"] for n in (2, 3, 5)]
    np.testing.assert_allclose(by_node[1].arrays["dL/d(output)"], sum(parts))


def test_update_step_shows_each_parameter_before_its_step_and_after():
    net = figure1()
    before = net.state_dict()
    walk = Walk(net, ln.MSELoss(), X, LABELS, lr=0.1)
    step = walk.finish()
    assert step.phase == "update" and walk.done
    assert list(step.received) == [f"{key} before" for key in before]
    assert list(step.passed) == [f"{key} {when}" for key in before for when in ("step", "after")]
    for key, value in net.state_dict().items():
        node, name = key.split(".")
        np.testing.assert_array_equal(step.received[f"{key} before"], before[key])
        np.testing.assert_array_equal(step.passed[f"{key} after"], value)
        np.testing.assert_array_equal(step.passed[f"{key} step"],
                                      -0.1 * walk.param_grads[int(node)][name])
        np.testing.assert_array_equal(before[key] + step.passed[f"{key} step"], value)


def test_walk_with_an_optimizer_takes_its_step():
    net, twin = figure1(), figure1()
    walk = Walk(net, ln.MSELoss(), X, LABELS, optimizer=ln.Adam(net.params(), lr=0.01))
    walk.finish()
    optimizer = ln.Adam(twin.params(), lr=0.01)
    loss = ln.MSELoss()
    loss.forward(twin.forward(X), LABELS)
    twin.backward(loss.backward())
    optimizer.step()
    for key, value in twin.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[key], value)


def test_walk_from_a_trainer_is_exactly_a_trainer_step():
    def trainer(seed):
        x, labels = ln.disk(35, rng=0)
        return ln.Trainer(figure1(), data=(x, labels), batch_size=10, lr=0.1, rng=seed,
                          optimizer="momentum")

    walked, stepped = trainer(3), trainer(3)
    for _ in range(4):  # the last one ends the epoch (35 points, batches of 10)
        walk = Walk.from_trainer(walked)
        np.testing.assert_array_equal(walk.x, stepped.next_batch()[0])
        walk.finish()
        stepped.step()
    assert walked.steps == stepped.steps == 4 and walked.epochs == stepped.epochs == 1
    assert walked.history.as_dict() == stepped.history.as_dict()
    for key, value in stepped.net.state_dict().items():
        np.testing.assert_array_equal(walked.net.state_dict()[key], value)
    np.testing.assert_array_equal(walked.next_batch()[0], stepped.next_batch()[0])


# -- the cursor --------------------------------------------------------------------------------

def test_next_back_and_the_ends():
    walk = Walk(figure1(), ln.MSELoss(), X, LABELS)
    assert walk.at_start and not walk.done
    assert walk.current.phase == "forward" and walk.current.node == 0
    assert walk.back() is walk.steps[0]  # at the start, stay there
    first = walk.next()
    second = walk.next()
    assert walk.back() is first and walk.position == 1
    assert walk.next() is second  # the recorded step, not a new one
    assert len(walk.steps) == 3
    last = walk.finish()
    assert walk.done and walk.position == len(walk) - 1
    params = walk.net.state_dict()
    assert walk.next() is last and walk.finish() is last  # nothing more happens
    for key, value in walk.net.state_dict().items():
        np.testing.assert_array_equal(value, params[key])
    walk.back()
    assert walk.current.phase == "backward" and walk.current.node == 0


def test_iterating_runs_the_steps_left():
    walk = Walk(figure1(), ln.MSELoss(), X, LABELS)
    walk.next()
    rest = list(walk)
    assert [step.index for step in rest] == list(range(2, len(walk)))
    assert walk.done


def test_recorded_arrays_are_copies_that_later_work_does_not_change():
    net = figure1()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    saved = [{name: array.copy() for name, array in step.arrays.items()} for step in walk.steps]
    loss = ln.MSELoss()
    loss.forward(net.forward(X[::-1] * 2), LABELS)
    net.backward(loss.backward())
    net.update_param(1.0)
    for step, arrays in zip(walk.steps, saved, strict=True):
        for name, array in arrays.items():
            np.testing.assert_array_equal(step.arrays[name], array)


def test_forward_passes_on_other_points_between_steps_do_not_change_the_walk():
    net, twin = figure1(), figure1()
    grads, _ = reference_step(twin, ln.MSELoss(), X, LABELS, lr=0.05)
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    grid = np.random.default_rng(5).uniform(size=(400, 2))
    while not walk.done:
        net.forward(grid)  # as the lab does to draw its boundary
        walk.next()
    for node, grad in grads.items():
        np.testing.assert_array_equal(walk.grads[node], grad)
    for key, value in twin.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[key], value)


@pytest.mark.parametrize("steps_before", [5, 13], ids=["in the forward pass", "in backward"])
def test_training_during_a_walk_is_refused_at_the_next_step_and_changes_nothing(steps_before):
    net = figure1()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.go_to(steps_before)
    loss = ln.MSELoss()
    loss.forward(net.forward(X), LABELS)
    net.backward(loss.backward())
    net.update_param(0.1)
    trained = net.state_dict()
    with pytest.raises(ln.InputError, match="changed during the walk"):
        walk.finish()  # refused at the first step that would use the trained parameters
    assert not walk.done and len(walk.steps) == walk.position + 1
    assert walk.position <= steps_before + 1
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, trained[key])


# -- bad input ---------------------------------------------------------------------------------

def test_a_number_as_target_is_a_value_error_naming_the_target():
    net = figure1()
    with pytest.raises(ln.ShapeError, match=r"target must have one entry per row of the batch "
                                            r"\(10 rows\), got the single number 1"):
        ln.Walk(net, ln.MSELoss(), X, 1)  # a TypeError (len() of an int) before
    with pytest.raises(ln.InputError, match="target must be an array of real numbers"):
        ln.Walk(net, ln.MSELoss(), X, ["a"] * 10)


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"loss": 42}, r"Walk: loss must be one of mse, cross-entropy or a loss object.*got 42"),
    ({"loss": ln.MSELoss}, r"Walk: loss must be a loss object, such as MSELoss\(\)"),
    ({"loss": "hinge"}, r"unknown loss 'hinge'; choose one of mse, cross-entropy"),
    ({"net": "net"}, r"net must be a labnet Network, got 'net'"),
    ({"optimizer": "adam"}, r"optimizer must be a labnet Optimizer or None, got 'adam'"),
    ({"sample": 10}, r"sample must be the index of a point of the data, 0 to 9, got 10"),
    ({"sample": -1}, r"sample must be .* got -1"),
    ({"sample": 1.0}, r"sample must be .* got 1.0"),
    ({"sample": True}, r"sample must be .* got True"),
    ({"train": "no"}, r"train must be True or False, got 'no'"),
    ({"train": False, "optimizer": "sgd"}, r"optimizer must be"),
    ({"lr": float("nan")}, "learning rate"),
])
def test_bad_arguments_are_value_errors_naming_the_argument(kwargs, pattern):
    args = {"net": figure1(), "loss": ln.MSELoss(), "x": X, "target": LABELS, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        Walk(args.pop("net"), args.pop("loss"), args.pop("x"), args.pop("target"), **args)


def test_an_optimizer_with_train_false_is_refused():
    net = figure1()
    with pytest.raises(ln.InputError, match="train=False shows a step of plain gradient descent"):
        Walk(net, ln.MSELoss(), X, LABELS, optimizer=ln.SGD(net.params(), lr=0.1), train=False)


def test_a_loss_may_be_named():
    walk = Walk(figure1(), "cross-entropy", X, LABELS)
    walk.go_to(len(walk.net.order) + 1)
    assert walk.current.phase == "loss" and walk.current.module == "CrossEntropyLoss()"


def test_from_trainer_refuses_what_is_not_a_trainer():
    with pytest.raises(ln.InputError, match="trainer must be a labnet Trainer, got 42"):
        Walk.from_trainer(42)


@pytest.mark.parametrize("index", [18, -19, 2.0, "3", None, True])
def test_go_to_refuses_what_is_not_a_step_and_stays(index):
    walk = Walk(figure1(), ln.MSELoss(), X, LABELS)  # 18 steps: 0 to 17
    walk.next()
    with pytest.raises(ln.InputError, match=r"index must be a step of the walk, 0 to 17"):
        walk.go_to(index)
    assert walk.position == 1 and len(walk.steps) == 2


def test_bad_batches_are_refused_naming_the_input_node():
    net = figure1()
    with pytest.raises(ln.ShapeError, match=r"input node 0.*got \(10, 3\)"):
        Walk(net, ln.MSELoss(), np.ones((10, 3)), LABELS)
    with pytest.raises(ln.InputError, match="NaN"):
        Walk(net, ln.MSELoss(), np.full((10, 2), np.nan), LABELS)
    with pytest.raises(ln.ShapeError, match="target has 9 rows"):
        Walk(net, ln.MSELoss(), X, LABELS[:9])
    with pytest.raises(ln.InputError, match="learning rate"):
        Walk(net, ln.MSELoss(), X, LABELS, lr=-1)


def test_string_ids_and_another_input_node():
    rng = np.random.default_rng(0)
    net = ln.Network({"hidden": ln.Linear(2, 4, rng=rng), "act": ln.ReLU(),
                      "out": ln.Linear(4, 2, rng=rng)},
                     {"x": ["hidden"], "hidden": ["act"], "act": ["out"]}, input="x")
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    assert [s.node for s in walk.steps if s.phase == "backward"] == ["out", "act", "hidden", "x"]
    assert "of node 'hidden'" in walk.steps[2].text
    assert "node 'act'" in str(walk.steps[2])


# -- what a view shows -------------------------------------------------------------------------

def test_step_stats_str_and_shapes():
    walk = Walk(figure1(), ln.MSELoss(), X, LABELS)
    step = walk.next()
    assert step.shapes == {"input from node 0": (10, 2), "output": (10, 25)}
    assert step.stats()["output"]["shape"] == (10, 25)
    text = str(step)
    assert "forward · node 1 · Linear(2 → 25, init='xavier')" in text and "(10, 25)" in text


def test_a_step_that_raises_leaves_the_walk_where_it_was():
    net = ln.Sequential(ln.Linear(2, 3, rng=0), ln.ReLU(), ln.Linear(3, 2, rng=1))
    x = np.random.default_rng(0).normal(size=(4, 2))
    walk = ln.Walk(net, ln.MSELoss(), x, np.zeros((4, 5)))  # a target of the wrong width
    for _ in range(3):
        walk.next()
    at = walk.position
    with pytest.raises(ValueError, match="target"):
        walk.next()  # the loss step
    assert walk.position == at and walk.current.phase == "forward" and not walk.done
    with pytest.raises(ValueError, match="target"):
        walk.next()  # the same error again, not an IndexError


# -- moving anywhere, and what is known there ---------------------------------------------------

def test_go_to_runs_the_steps_on_the_way_and_moves_back_without_running():
    net, twin = figure1(), figure1()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    assert walk.go_to(5) is walk.steps[5] and walk.position == 5 and len(walk.steps) == 6
    assert walk.go_to(2) is walk.steps[2] and len(walk.steps) == 6
    assert walk.next() is walk.steps[3]
    last = walk.go_to(-1)
    assert last.phase == "update" and walk.done
    reference_step(twin, ln.MSELoss(), X, LABELS, lr=0.05)
    for key, value in twin.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[key], value)
    assert walk.go_to(np.int64(0)) is walk.steps[0]


def test_values_and_grads_so_far_follow_the_cursor():
    net = figure1()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.go_to(3)
    assert list(walk.values_so_far()) == [0, *net.order[:3]] and walk.grads_so_far() == {}
    walk.finish()
    walk.go_to(len(net.order) + 3)  # the loss, then the backward steps of the last two nodes
    assert list(walk.grads_so_far()) == list(reversed(net.order))[:2]
    assert len(walk.values_so_far()) == len(net.order) + 1
    np.testing.assert_array_equal(walk.grads_so_far()[7], walk.grads[7])
    np.testing.assert_array_equal(walk.values_so_far()[0], X)


# -- one sample alone ----------------------------------------------------------------------------

def tiny(seed=0):
    """2-3-2: every number can be written down."""
    return ln.Sequential(ln.Linear(2, 3, rng=seed), ln.Tanh(), ln.Linear(3, 2, rng=seed + 1))


def test_one_sample_walks_that_row_alone_and_its_numbers_are_numpys():
    net = tiny()
    (w1, _), (b1, _), (w2, _), (b2, _) = [(v.copy(), g) for v, g in net.params()]
    walk = Walk(net, ln.MSELoss(), X, LABELS, sample=4, lr=0.5)
    assert walk.sample == 4 and walk.x.shape == (1, 2)
    walk.finish()
    x, t = X[4:5], np.eye(2)[LABELS[4:5]]
    h = np.tanh(x @ w1 + b1)  # the same arithmetic written out in NumPy
    y = h @ w2 + b2
    dy = 2 * (y - t) / y.size
    dh = dy @ w2.T
    dz = dh * (1 - h ** 2)
    dx = dz @ w1.T
    by_node = {(s.phase, s.node): s for s in walk.steps}
    np.testing.assert_allclose(by_node["forward", 3].passed["output"], y, rtol=1e-12)
    np.testing.assert_allclose(by_node["backward", 3].received["dL/d(output)"], dy, rtol=1e-12)
    np.testing.assert_allclose(by_node["backward", 0].received["dL/d(output)"], dx, rtol=1e-12)
    np.testing.assert_allclose(by_node["backward", 1].passed["dL/d(weight)"], x.T @ dz,
                               rtol=1e-12)
    np.testing.assert_allclose(net.state_dict()["1.weight"], w1 - 0.5 * x.T @ dz, rtol=1e-12)
    assert "point 4 alone" in walk.steps[0].text and "point 4 alone" in repr(walk)


def test_train_false_shows_the_step_and_leaves_the_network_as_it_was():
    net = tiny()
    before = net.state_dict()
    walk = Walk(net, ln.MSELoss(), X, LABELS, lr=0.5, train=False)
    step = walk.finish()
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
        node, name = key.split(".")
        np.testing.assert_array_equal(step.passed[f"{key} after"],
                                      before[key] - 0.5 * walk.param_grads[int(node)][name])
    assert "shown only" in step.text


def test_one_sample_from_a_trainer_leaves_the_trainer_as_it_was():
    x, labels = ln.disk(30, rng=0)
    trainer = ln.Trainer(tiny(), data=(x, labels), batch_size=10, lr=0.1, rng=0,
                         optimizer="adam")
    trainer.step()
    state, history, batch = trainer.net.state_dict(), trainer.history.as_dict(), \
        trainer.next_batch()[0].copy()
    walk = Walk.from_trainer(trainer, sample=7)
    np.testing.assert_array_equal(walk.x, trainer.x[7:8])
    step = walk.finish()
    assert trainer.steps == 1 and trainer.history.as_dict() == history
    np.testing.assert_array_equal(trainer.next_batch()[0], batch)
    for key, value in trainer.net.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    assert step.formulas[0].constants == {"lr": 0.1}


# -- which edges carry what ----------------------------------------------------------------------

def flows_of(step):
    return [(f.src, f.dst, f.carries, f.role) for f in step.flows]


def test_forward_flows_bring_the_inputs_and_carry_the_output_to_every_consumer():
    net = hidden_fan_out()  # 1 feeds 2, 3 and 5; 3 feeds 4 and 5
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    by_node = {s.node: s for s in (walk.current, *(walk.next() for _ in net.order))}
    assert flows_of(by_node[0]) == [(0, 1, "value", "passed")]
    assert flows_of(by_node[1]) == [(0, 1, "value", "received"), (1, 2, "value", "passed"),
                                    (1, 3, "value", "passed"), (1, 5, "value", "passed")]
    assert flows_of(by_node[4]) == [(2, 4, "value", "received"), (3, 4, "value", "received"),
                                    (4, 5, "value", "passed")]
    assert [f.array for f in by_node[4].flows] == ["input from node 2", "input from node 3",
                                                   "output"]
    assert flows_of(by_node[6]) == [(5, 6, "value", "received")]  # the output: to the loss


def test_backward_flows_say_a_sum_copies_a_concat_splits_and_a_node_sums_its_shares():
    net = hidden_fan_out()
    walk = Walk(net, ln.MSELoss(), X, LABELS)
    walk.finish()
    by_node = {s.node: s for s in walk.steps if s.phase == "backward"}
    assert flows_of(by_node[4]) == [(4, 5, "gradient", "received"),
                                    (2, 4, "gradient", "passed"), (3, 4, "gradient", "passed")]
    assert [f.how for f in by_node[4].flows] == ["", "a copy of dL/dy", "a copy of dL/dy"]
    assert [f.how for f in by_node[5].flows if f.role == "passed"] == [
        "a copy of dL/dy[:, 0:6]", "a copy of dL/dy[:, 6:12]", "a copy of dL/dy[:, 12:18]"]
    received = [f for f in by_node[1].flows if f.role == "received"]
    assert [(f.src, f.dst) for f in received] == [(1, 5), (1, 3), (1, 2)]
    assert all(f.how == "summed with the 2 other(s)" for f in received)
    assert [f.array for f in received] == [f"dL/d(output) via node {n}" for n in (5, 3, 2)]
    assert [f.how for f in by_node[6].flows] == ["dL/dy · Wᵀ"]
    assert [f.how for f in by_node[2].flows if f.role == "passed"] == ["dL/dy ⊙ (1 − y²)"]
    for step in by_node.values():
        for flow in step.flows:
            assert flow.array in step.arrays


def test_a_standardised_input_is_said_with_the_point_as_given_and_its_mean_and_std():
    points, labels = ln.disk(20, rng=3)
    mean, std = points.mean(axis=0), points.std(axis=0)
    net = ln.Sequential(ln.Linear(2, 3, rng=0), ln.Tanh(), ln.Linear(3, 1, rng=1))
    walk = Walk(net, "mse", (points - mean) / std, labels[:, None], sample=7,
                scaling=(mean, std))
    assert np.allclose(walk.unscaled, points[7:8])
    text = walk.current.text
    assert text.startswith("the input node holds point 7 alone: x = (")
    for shown in (points[7], (points[7] - mean) / std, mean, std):
        assert "(" + ", ".join(f"{v:.4g}" for v in shown) + ")" in text, (shown, text)
    assert "standardised (x − mean) / std" in text
    said = walk.as_json()["scaling"]
    assert np.allclose(said["x"], points[7]) and np.allclose(said["mean"], mean)
    assert np.allclose(said["scaled"], (np.array(said["x"]) - said["mean"]) / said["std"])
    batch = Walk(net, "mse", (points - mean) / std, labels[:, None], scaling=(mean, std))
    assert "20 points, standardised (x − mean) / std, with mean (" in batch.current.text
    plain = Walk(net, "mse", points, labels[:, None], sample=7)
    assert plain.as_json()["scaling"] is None and "standardised" not in plain.current.text
    assert plain.unscaled is plain.x


@pytest.mark.parametrize(("scaling", "words"), [
    ((np.zeros(3), np.ones(3)), "one number per input column"),
    ((np.zeros(2), np.array([1.0, 0.0])), "above 0"),
    ((np.zeros(2), np.array([1.0, np.nan])), "finite"),
    ("mean", "must be \\(mean, std\\)"),
])
def test_a_bad_scaling_is_refused(scaling, words):
    net = ln.Sequential(ln.Linear(2, 1, rng=0))
    with pytest.raises(ValueError, match=words):
        Walk(net, "mse", np.zeros((4, 2)), np.zeros((4, 1)), scaling=scaling)
