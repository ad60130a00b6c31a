"""Editing the graph at the speed of speech, by mouse, in JupyterLab in headless Chromium (issue
16, part 3): the seed report's exact Figure 1 from the default chain in at most 8 gestures; a
module dropped on a node replaces it; a node deleted from a chain joins its neighbours; − and +
on a Linear; a whole layer; one activation for every node; edges easy to hit; the drawing holds
still while the graph is edited, and a skip edge runs clear of the nodes at once. Every gesture
is a Lab method: the kernel's network is checked, and Undo takes each back."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS
from labpage import LAB_NOTEBOOK, LabPage, kernel_output, numbers, open_in_jupyterlab

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
FIGURE1_GESTURES = 8  # at most

# The network's structure, from the kernel: each node's module, its width, its inputs' modules
# (ids left out: a network built by hand has ids of its own)
STRUCTURE = """
import labnet as ln
def structure(net):
    kind = lambda n: "input" if n == net.input else type(net.operators[n]).__name__
    return sorted((kind(n), net.widths[n], tuple(sorted(kind(s) for s in net.inputs[n])))
                  for n in net.order)
print(structure(lab.network) == structure(ln.PRESETS["figure1"](0)), structure(lab.network))
"""

# every point within `reach` pixels of the middle of each edge (along it and across it) hits
# that edge, not a node or another edge
EDGE_TARGETS_JS = """
(root, reach) => {
  const missed = [];
  for (const hit of root.querySelectorAll('.lab-edge-hit')) {
    const length = hit.getTotalLength();
    const m = hit.getScreenCTM();
    const screen = p => [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
    const [x, y] = screen(hit.getPointAtLength(length / 2));
    const [x2, y2] = screen(hit.getPointAtLength(Math.min(length, length / 2 + 1)));
    const [dx, dy] = [x2 - x, y2 - y];
    const norm = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / norm, dy / norm];
    for (const [a, b] of [[0, 0], [reach, 0], [-reach, 0], [0, reach], [0, -reach]]) {
      const px = x + a * ux - b * uy, py = y + a * uy + b * ux;
      const under = document.elementFromPoint(px, py);
      if (!under || under.dataset.edge !== hit.dataset.edge)
        missed.push(`${hit.dataset.edge} at (${px.toFixed(0)}, ${py.toFixed(0)}): `
                    + `${under ? under.getAttribute('class') : 'nothing'}`);
    }
  }
  return missed;
}
"""

# the parts of each edge that run through a node's box other than its own two
THROUGH_NODES_JS = """
root => {
  const boxes = [...root.querySelectorAll('.lab-node')].map(n => [n.dataset.node,
    n.querySelector('.lab-node-box').getBoundingClientRect()]);
  const found = [];
  for (const hit of root.querySelectorAll('.lab-edge-hit')) {
    const [src, dst] = hit.dataset.edge.split('→');
    const m = hit.getScreenCTM();
    const length = hit.getTotalLength();
    for (let s = 0; s <= length; s += 3) {
      const p = hit.getPointAtLength(s);
      const [x, y] = [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
      for (const [id, b] of boxes) {
        if (id !== src && id !== dst && x > b.left + 1 && x < b.right - 1 && y > b.top + 1
            && y < b.bottom - 1) { found.push(`${hit.dataset.edge} through node ${id}`); break; }
      }
    }
  }
  return [...new Set(found)];
}
"""


@pytest.fixture(scope="module")
def lab(jupyterlab, new_page) -> LabPage:
    """The lab notebook in JupyterLab on a laptop's screen (the seed chain, 0 → 1 → ... → 7)."""
    page = new_page()
    page.set_viewport_size(LAPTOP)
    shown = open_in_jupyterlab(page, jupyterlab, LAB_NOTEBOOK)
    shown.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    return shown


def kinds(lab: LabPage) -> dict[str, str]:
    """Each node's label ("Linear 25"), as its title names it under the pointer."""
    return dict(lab.root.locator(".lab-node").evaluate_all(
        "els => els.map(e => [e.dataset.node, "
        "e.querySelector('title').textContent.split(' · ')[0].split(': ')[1]])"))


def places(lab: LabPage, nodes) -> list[tuple[float, float]]:
    return [tuple(round(v) for v in lab.center(lab.node(n) + " .lab-node-box")) for n in nodes]


def drop(lab: LabPage, kind: str, where: tuple[float, float]) -> None:
    lab.drag(lab.center(f'.lab-palette-item[data-kind="{kind}"]'), where)


def connect(lab: LabPage, src, dst) -> None:
    lab.drag(lab.center(f"{lab.node(src)} .lab-port-out"),
             lab.center(f"{lab.node(dst)} .lab-node-box"))


def test_figure1_from_the_seed_chain_in_at_most_eight_gestures(lab):
    assert lab.graph_edges() == {(str(n), str(n + 1)) for n in range(7)}
    still = places(lab, (0, 1, 3, 4, 7))
    gestures = []

    def gesture(words, act, done):
        act()
        gestures.append(words)
        lab.wait_until(words, done)
        assert places(lab, (0, 1, 3, 4, 7)) == still, f"the graph moved: {words}"

    gesture("Tanh dropped on node 2 (ReLU): it becomes a Tanh",
            lambda: drop(lab, "Tanh", lab.center(lab.node(2) + " .lab-node-box")),
            lambda: kinds(lab)["2"] == "Tanh")
    gesture("Sum dropped on node 6 (ReLU): it becomes a Sum",
            lambda: drop(lab, "Sum", lab.center(lab.node(6) + " .lab-node-box")),
            lambda: kinds(lab)["6"] == "Sum")

    def delete_five():
        lab.part(lab.node(5) + " .lab-node-box").hover()
        lab.part(f"{lab.node(5)} .lab-delete").click()
    gesture("× on node 5 (Linear 25): it goes, 4 and 6 joined", delete_five,
            lambda: "5" not in lab.graph_nodes() and ("4", "6") in lab.graph_edges())
    gesture("Linear dropped below the chain: node 8",
            lambda: drop(lab, "Linear", lab.graph_point(0.55, 0.8)),
            lambda: "8" in lab.graph_nodes())
    gesture("a drag from the input's port to node 8", lambda: connect(lab, 0, 8),
            lambda: ("0", "8") in lab.graph_edges())
    gesture("a drag from node 8's port to the Sum", lambda: connect(lab, 8, 6),
            lambda: ("8", "6") in lab.graph_edges())

    assert len(gestures) <= FIGURE1_GESTURES
    assert lab.graph_edges() == {("0", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "6"),
                                 ("6", "7"), ("0", "8"), ("8", "6")}
    lab.wait_until("the graph a network", lambda: lab.message() == "")
    out = kernel_output(lab.page, STRUCTURE)
    assert out.startswith("True"), out  # the report's Figure 1, exactly
    assert lab.root.evaluate(THROUGH_NODES_JS) == []  # the skip edge clear of nodes, at once
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    lab.part(".lab-graph").screenshot(path=str(ARTIFACTS.parent / "figure1-by-mouse.png"))
    numbers["Figure 1 from the seed chain, by mouse"] = (
        f"{len(gestures)} gestures: " + "; ".join(gestures))
    step = lab.step()
    lab.click(".lab-step")
    lab.wait_until("a step of the new network", lambda: lab.step() == step + 1)


def test_every_edge_is_a_target_of_at_least_12_pixels(lab):
    assert lab.root.evaluate(EDGE_TARGETS_JS, 6) == []


def test_plus_and_minus_on_a_linear_set_its_units_and_undo_takes_them_back(lab):
    node = lab.node(1)  # (Linear 25 → Tanh → Linear 25: its width may change)
    for by, label in ((1, "Linear 26"), (-1, "Linear 25"), (-1, "Linear 24")):
        lab.part(node + " .lab-node-box").hover()
        lab.part(f'{node} .lab-widen[data-by="{by}"]').click()
        lab.wait_until(label, lambda label=label: kinds(lab)["1"] == label)
    lab.wait_until("the graph a network", lambda: lab.message() == "")
    out = kernel_output(lab.page, "print(lab.network.operators[1].out_features, "
                                  "lab.network.operators[3].in_features)")
    assert out.split() == ["24", "24"], out
    for _ in range(3):
        lab.part(".lab-graph-svg").press("Control+z")
    lab.wait_until("Linear 25 again", lambda: kinds(lab)["1"] == "Linear 25")
    assert kinds(lab)["3"] == "Linear 25"
    lab.part(lab.node(3) + " .lab-node-box").hover()  # into a Sum of 25: refused, said why
    lab.part(f'{lab.node(3)} .lab-widen[data-by="1"]').click()
    lab.wait_until("the reason beside the button", lambda: lab.part(".lab-refusal").is_visible()
                   and "Sum" in lab.part(".lab-refusal").inner_text())
    assert kinds(lab)["3"] == "Linear 25"


def test_a_layer_goes_in_before_the_output_and_one_picker_sets_every_activation(lab):
    before = set(lab.graph_nodes())
    lab.part(".lab-palette-layer").click()
    lab.wait_until("two new nodes", lambda: len(set(lab.graph_nodes()) - before) == 2)
    linear, act = sorted(set(lab.graph_nodes()) - before, key=int)
    assert (linear, act) in lab.graph_edges() and (act, "7") in lab.graph_edges()
    assert kinds(lab)[linear] == "Linear 25"
    assert lab.part(".lab-activation").input_value() == "mixed"  # a Tanh and ReLUs
    lab.choose(".lab-activation", "Sigmoid")
    lab.wait_until("every activation a Sigmoid", lambda: all(
        kinds(lab)[n] == "Sigmoid" for n in ("2", "4", act)))
    lab.wait_until("the graph a network", lambda: lab.message() == "")
    assert lab.part(".lab-activation").input_value() == "Sigmoid"
    out = kernel_output(lab.page, "print(sorted({type(m).__name__ for m in "
                                  "lab.network.operators.values()}))")
    assert out.strip() == "['Linear', 'Sigmoid', 'Sum']", out
    lab.part(".lab-graph-svg").press("Control+z")
    lab.part(".lab-graph-svg").press("Control+z")
    lab.wait_until("the layer gone again", lambda: set(lab.graph_nodes()) == before)


def test_a_module_dropped_on_an_edge_goes_into_it_and_a_refused_replacement_says_why(lab):
    drop(lab, "ReLU", lab.edge_middle(1, 2))
    lab.wait_until("a ReLU in the edge 1 → 2", lambda: any(
        (("1", n) in lab.graph_edges() and (n, "2") in lab.graph_edges())
        for n in lab.graph_nodes()))
    lab.part(".lab-graph-svg").press("Control+z")
    lab.wait_until("the edge back", lambda: ("1", "2") in lab.graph_edges())
    drop(lab, "Tanh", lab.center(lab.node(0) + " .lab-node-box"))  # the input stays the input
    lab.wait_until("the reason beside the drop", lambda: lab.part(".lab-refusal").is_visible()
                   and "input" in lab.part(".lab-refusal").inner_text())
