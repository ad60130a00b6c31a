"""Networks described as data (``labnet.spec``): a description's parts are checked one by one
(``require``), and a graph read from a file is checked part by part before a module is built."""

import pytest

import labnet as ln
from labnet.spec import MAX_NODES, graph_spec, module_from_spec, network_from_spec, require

DESCRIPTION = {"training": {"lr": 0.1, "batch_size": 10, "loss": "mse", "name": None},
               "graph": {"nodes": [[1, {"class": "ReLU"}]]}}


@pytest.mark.parametrize(("part", "kind", "options", "expected"), [
    ("training.lr", float, {}, 0.1),
    ("training.batch_size", float, {}, 10.0),
    ("training.batch_size", int, {"low": 1}, 10),
    ("training.loss", str, {"choices": ["mse", "cross-entropy"]}, "mse"),
    ("training.name", str, {"optional": True}, None),
    ("graph.nodes.0.1.class", str, {}, "ReLU"),
    ("graph", dict, {}, DESCRIPTION["graph"]),
])
def test_require_returns_a_part_that_is_right(part, kind, options, expected):
    value = require(DESCRIPTION, part, kind, where="x.npz", **options)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("description", "part", "kind", "options", "message"), [
    ({"training": {"lr": "x"}}, "training.lr", float, {},
     r"^'x.npz': training.lr must be a number, got 'x'$"),
    ({"training": {"lr": float("nan")}}, "training.lr", float, {}, r"must be a number, got nan"),
    ({"training": {"lr": True}}, "training.lr", float, {}, r"must be a number, got True"),
    ({"training": {}}, "training.lr", float, {}, r"^'x.npz': training.lr is missing$"),
    ({"training": [1]}, "training.lr", float, {}, r"^'x.npz': training must be an object, got"),
    ({"stride": "x"}, "stride", int, {"low": 1}, r"stride must be an integer >= 1, got 'x'"),
    ({"stride": 0}, "stride", int, {"low": 1}, r"stride must be an integer >= 1, got 0"),
    ({"stride": 2.0}, "stride", int, {}, r"stride must be an integer, got 2.0"),
    ({"loss": "hinge"}, "loss", str, {"choices": ["mse"]}, r"loss must be one of 'mse', got"),
    ({"a": None}, "a", str, {}, r"a must be a string, got None"),
    ({"a": [1]}, "a.3", int, {}, r"a.3 is missing"),
    ({"a": "x" * 10_000}, "a", int, {}, r"a must be an integer, got 'xxxxx.{0,60}$"),
])
def test_require_names_the_file_and_the_part_that_is_wrong(description, part, kind, options,
                                                          message):
    with pytest.raises(ln.InputError, match=message):
        require(description, part, kind, where="x.npz", **options)


# -- graphs in files are checked part by part ------------------------------------------------------

def figure1_spec():
    return graph_spec(ln.PRESETS["figure1"](0))


def broken(change):
    spec = figure1_spec()
    change(spec)
    return spec


@pytest.mark.parametrize(("spec", "message"), [
    ([["nodes"]], r"^'f.npz': the graph must be an object, got \[\['nodes'\]\]"),
    (broken(lambda s: s.update(format="1")), r"unknown labnet file format '1'"),
    (broken(lambda s: s.update(nodes={"1": "Linear"})), r"nodes must be a list, got"),
    (broken(lambda s: s["nodes"].append([8])), r"nodes.7 must be a pair \[node id, module\]"),
    (broken(lambda s: s["nodes"].append([[8], {}])), r"nodes.7: a node id must be an int or a str"),
    (broken(lambda s: s["nodes"].append(s["nodes"][1])), r"node 2 is listed twice"),
    (broken(lambda s: s["nodes"][1].__setitem__(1, "ReLU")), r"node 2: a module must be "
                                                              r"described by an object"),
    (broken(lambda s: s["nodes"][1][1].update(config=[])), r"node 2: the config of Tanh must "
                                                            r"be an object"),
    (broken(lambda s: s["nodes"][1][1].update({"class": 7})), r"node 2: the module class must be "
                                                               r"a name, got 7"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(colour="red")),
     r"node 1: Linear\(in_features=2, out_features=25, init='xavier', colour='red'\): .*"
     r"unexpected keyword argument 'colour'"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(in_features="2")),
     r"node 1: Linear in_features must be an integer >= 1, got '2'"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(in_features=None)),
     r"node 1: Linear in_features must be an integer >= 1, got None"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(out_features=10**7)),
     r"the graph declares 30000777 parameters of float64: more than the 67108864-byte limit"),
    (broken(lambda s: s["nodes"][2][1]["config"].update(out_features=2**14, in_features=2**14)),
     r"the graph declares 268452042 parameters"),
    (broken(lambda s: s["nodes"][1][1].update({"class": "Linear", "config": {
        "in_features": None, "out_features": 10**13}})),
     r"node 2: Linear in_features must be an integer >= 1, got None"),
    (broken(lambda s: s["nodes"][3][1]["config"].update(negative_slope="x")),
     r"node 4: ReLU\(negative_slope='x'\): ReLU\(\) takes no arguments"),
    (broken(lambda s: s.update(connectivity={"0": [1]})), r"connectivity must be a list, got"),
    (broken(lambda s: s["connectivity"].append([1, 2])), r"connectivity.7 must be a pair"),
    (broken(lambda s: s["connectivity"].append(s["connectivity"][0])),
     r"connectivity lists node 0 twice"),
    (broken(lambda s: s["connectivity"][0][1].append({})), r"connectivity.0: a node id must be"),
    (broken(lambda s: s.update(input=None)), r"input: a node id must be an int or a str"),
    (broken(lambda s: s.update(in_features=-2)), r"in_features must be an integer >= 1 \(or "
                                                  r"null\), got -2"),
    (broken(lambda s: s.update(dtype="int64")), r"dtype must be a floating-point type"),
    (broken(lambda s: s.update(dtype=["float64"])), r"dtype must be a string"),
    (broken(lambda s: s["connectivity"][0][1].append(9)), r"^'f.npz': edge 0 → 9: node 9 is "
                                                          r"not in operators"),
    (broken(lambda s: s.update(nodes=[[i, {"class": "ReLU", "config": {}}]
                                      for i in range(MAX_NODES + 1)])),
     f"the graph has {MAX_NODES + 1} nodes, more than {MAX_NODES}"),
])
def test_network_from_spec_refuses_malformed_parts_naming_them(spec, message):
    with pytest.raises(ln.InputError if "edge" not in message else ln.GraphError, match=message):
        network_from_spec(spec, where="f.npz")


def test_a_module_too_wide_for_a_file_is_refused_before_it_is_built():
    """The lab's own files describe Linears whose in_features the lab infers: their width is
    bounded too."""
    with pytest.raises(ln.InputError, match=r"^'lab.npz': node 3: Linear out_features is "
                                            r"10000000000000, more than the 16384"):
        module_from_spec({"class": "Linear", "config": {"in_features": None,
                                                        "out_features": 10**13}},
                         where="lab.npz", node=3)
    assert module_from_spec({"class": "Linear", "config": {"in_features": None,
                                                           "out_features": 5}}).weight is None


def test_network_from_spec_builds_what_graph_spec_describes():
    net = network_from_spec(figure1_spec())
    assert net.order == ln.PRESETS["figure1"](0).order and net.num_params() == 852
