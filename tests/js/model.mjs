// A fake anywidget model for the front end's unit tests: traits to `get` (and `set`, which
// tells the views as a kernel's change does), listeners (`on`, `off`), and the messages the
// page `send`s, kept to be read. It answers nothing by itself: a test replies to an intent
// (`reply`), or sends a custom message as the kernel would (`receive`).

export class FakeModel {
  /** @param {Object} traits  the traits' values, by name */
  constructor(traits = {}) {
    this.traits = {...traits};
    this.listeners = new Map();
    this.sent = [];
    this.saved = 0;
  }

  get(name) {
    return this.traits[name];
  }

  /** A trait changed by the kernel: every view listening is told. */
  set(name, value) {
    this.traits[name] = value;
    this.emit(`change:${name}`);
  }

  save_changes() {
    this.saved += 1;
  }

  on(event, handler) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(handler);
  }

  off(event, handler) {
    const all = this.listeners.get(event) || [];
    if (all.includes(handler)) all.splice(all.indexOf(handler), 1);
  }

  emit(event, ...args) {
    for (const handler of [...(this.listeners.get(event) || [])]) handler(...args);
  }

  send(content, callbacks, buffers) {
    this.sent.push({...content, buffers});
  }

  /** A custom message from the kernel. */
  receive(content, buffers = []) {
    this.emit("msg:custom", content, buffers);
  }

  /** The intents sent so far, as [action, args]. */
  intents() {
    return this.sent.filter(m => m.type === "intent").map(m => [m.action, m.args]);
  }

  /** The last intent sent. */
  lastIntent() {
    const all = this.sent.filter(m => m.type === "intent");
    return all[all.length - 1];
  }

  /** The kernel's answer to the last intent (ok, or refused with `error`). */
  reply(ok = true, error = undefined, extra = {}) {
    const intent = this.lastIntent();
    this.receive({type: "reply", id: intent.id, ok, ...(error ? {error} : {}), ...extra});
  }

  /** How many listeners are left (a view gone leaves none). */
  listening() {
    return [...this.listeners.values()].reduce((n, all) => n + all.length, 0);
  }
}

/** Let the promises waiting run (a reply resolves its intent on the next turn). */
export function settle() {
  return new Promise(resolve => setImmediate(resolve));
}

/** The traits of a lab as the kernel sends them: the seed chain, at rest. */
export function labTraits() {
  const chain = ["input", "Linear", "ReLU", "Linear", "ReLU", "Linear", "ReLU", "Linear"];
  const nodes = chain.map((kind, id) => ({
    id, kind, label: kind === "Linear" ? `Linear ${id === 7 ? 2 : 25}` : kind,
    short: kind === "Linear" ? `L${id === 7 ? 2 : 25}` : kind, x: id, y: 0,
    params: kind === "Linear" ? {width: id === 7 ? 2 : 25} : {},
    width: kind === "Linear" && id === 7 ? 2 : 25, trained: true}));
  return {
    sources: [],
    graph: {nodes, edges: chain.slice(1).map((_, i) => [i, i + 1]), output: 7, error: null,
      features: ["x1", "x2"], can_undo: false, can_redo: false},
    settings: {
      data: {dataset: "disk", noise: 0, n_points: 2000, test_fraction: 0.5, seed: 0,
        standardize: true, classes: 3, task: "classification", outputs: 2, target_range: null},
      training: {loss: "mse", optimizer: "sgd", lr: 0.1, batch_size: 10,
        max_steps_per_second: null, regularization: "none", regularization_rate: 0.001},
      choices: {datasets: ["disk", "xor", "moons", "blobs", "reg-plane"],
        dataset_groups: [["2 classes", ["disk", "xor", "moons"]], ["3+ classes", ["blobs"]],
          ["regression", ["reg-plane"]]], multiclass_datasets: ["blobs"],
        class_names: ["orange", "blue", "green", "pink", "red", "sky", "violet", "grey"],
        features: [["x1", "x₁", "x₁"], ["x2", "x₂", "x₂"], ["x1^2", "x₁²", "x₁²"],
          ["x2^2", "x₂²", "x₂²"], ["x1*x2", "x₁x₂", "x₁·x₂"],
          ["sin(x1)", "sin x₁", "sin(5·x₁)"],
          ["sin(x2)", "sin x₂", "sin(5·x₂)"]],
        losses: ["mse", "cross-entropy"],
        optimizers: ["sgd", "momentum", "adam"], presets: ["seed", "figure1"],
        palette: ["Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Sum", "Concat"],
        views: ["boundary", "curves", "gradients", "graph", "errors"],
        clicks: ["off", "orange", "blue", "green", "pink", "red", "sky", "violet", "grey",
          "remove"], edge_modes: ["gradient", "weights"],
        activations: ["ReLU", "LeakyReLU", "Tanh", "Sigmoid"],
        regularizations: ["none", "l1", "l2"],
        regularization_rates: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
        controls: [["lr", "the learning rate"], ["graph", "editing the graph"],
          ["weights", "setting a weight by hand"], ["teach", "hiding views and these locks"]]},
      limits: {noise: [0, 0.5], points: [4, 100000], test_fraction: [0.1, 0.9], classes: [2, 8],
        lr: [1e-4, 10]},
      colours: {classes: ["#f59322", "#0877bd", "#009e73", "#cc79a7", "#b2182b", "#56b4e9",
        "#7570b3", "#666666"], boundary: ["#f59322", "#e8eaeb", "#0877bd"],
        gradient: ["#fde0dd", "#7a0177"], decades: 4},
    },
    view: {hidden: [], show_test: true, discretize: false, click: "off", edges: "gradient",
      scale: 1, picked: null, units: [], walking: false, lock: {modes: {}, sealed: []}},
    status: {playing: false, steps_per_second: 0, network: true, errors_hidden: false,
      epoch: 1, step: 100, loss: 0.07, train_error: 0.1, test_error: 0.1},
    message: {text: "", error: false, sticky: false, graph: false, id: 0},
    walk: {},
    hint: {},
    code: "",
  };
}

/** The plan of a walk through the seed chain (nodes 0 to 7): 18 steps. */
export function seedPlan() {
  const nodes = [0, 1, 2, 3, 4, 5, 6, 7];
  return [...nodes.map(n => ["forward", n]), ["loss", null],
    ...[...nodes].reverse().map(n => ["backward", n]), ["update", null]];
}

/**
 * The `walk` trait as the kernel sends it (labnet/lab/traits.py walk_json), walking a
 * mini-batch of the seed chain, at the backward step of node 5 (Linear 25 → 25); `changes`
 * replace its fields (`step` too, field by field).
 */
export function walkTrait(changes = {}) {
  const term = (symbol, shape, values) => ({symbol, shape, values, rows: [0, values.length],
    cols: [0, values[0].length]});
  const step = {
    index: 12, phase: "backward", node: 5, module: "Linear(25 → 25)",
    text: "receives dL/d(output) and passes a gradient back to node 4",
    received: [{name: "dL/d(output)", shape: [10, 25], values: [[0.5, -1]], rows: [0, 1],
      cols: [0, 2], stats: {}}],
    passed: [{name: "dL/d(input) to node 4", shape: [10, 25], values: [[1, 2]], rows: [0, 1],
      cols: [0, 2], stats: {}}],
    formulas: [{text: "dL/dx = dL/dy · Wᵀ", operation: "matmul", label: "",
      result: term("dL/dx", [10, 25], [[1.5, -2], [0.25, 3]]),
      operands: [term("dL/dy", [10, 25], [[1, 2], [3, 4]]), term("Wᵀ", [25, 25],
        [[5, 6], [7, 8]])],
      constants: {}, exact: false, note: "a slice: the first 2 of 10 rows"}],
    flows: [{src: 5, dst: 6, carries: "gradient", role: "received", array: "dL/d(output)",
      how: ""}, {src: 4, dst: 5, carries: "gradient", role: "passed",
      array: "dL/d(input) to node 4", how: "dL/dy · Wᵀ"}],
    left_out: {received: 0, passed: 0, formulas: 0, flows: 0},
    ...(changes.step || {}),
  };
  const nodes = [0, 1, 2, 3, 4, 5, 6, 7].map(node => ({node, value: [0.1 * node, -1],
    grad: node >= 5 ? [0.01, -0.02] : null}));
  return {index: 12, total: 18, done: false, at_start: false, sample: null, batch: 10,
    loss: 0.0751, plan: seedPlan(), nodes, left_out: {nodes: 0}, train: true, lr: 0.1,
    point: null, ...changes, step};
}

/**
 * A GraphView drawn from the lab's default traits in a graph area of `width` × `height` px,
 * as app.js builds it. `GraphView` and `Channel` are given by the test, which imports them
 * once its DOM is installed.
 * @returns {{model: FakeModel, view: Object, traits: Object}}
 */
export function shownGraph(page, {GraphView, Channel}, width, height) {
  document.body.replaceChildren();
  const traits = labTraits();
  const model = new FakeModel(traits);
  const root = document.createElement("div");
  document.body.append(root);
  const view = new GraphView(new Channel(model), root);
  root.append(view.element);
  view.setSettings(traits.settings);
  view.setView(traits.view);
  page.resize(view.area, width, height);
  view.setGraph(traits.graph);
  return {model, view, traits};
}
