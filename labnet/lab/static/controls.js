// The controls: the bar (Play, Step, Epoch, Reset and the status line), the strip of the
// settings a lesson changes (data set, noise, learning rate, optimizer, loss, batch size, the
// activation of every node, regularisation and its rate), and the panels Data, Train
// and Teach with the rest. Each control sends an intent; what it shows comes back from the
// kernel (`settings`, `status`, `view`, `graph`): a refused value springs back to the lab's.

import {h, num, percent, whole} from "./util.js";

const ASK_AGAIN = 10000;  // ms a button asking "replace?" or "sure?" waits for the second press
const NOTE_FOR = 8000;  // ms a refusal's reason stays at the foot of the panel
// the largest lab file the app takes from a browser: one message to the kernel, which Jupyter's
// server refuses over 10 MiB (labnet/lab/pagefiles.py MAX_UPLOAD)
const MAX_UPLOAD = 8 * 2 ** 20;
const CLICK_WORDS = {off: "does nothing", remove: "removes the nearest point"};
const REGULARISATION_WORDS = {none: "off", l1: "L1", l2: "L2"};

/**
 * The data sets' options, grouped: two classes, more classes, regression (and one's own points,
 * "custom", when there are some).
 */
function datasetOptions(choices) {
  const groups = choices.dataset_groups || [["", choices.datasets]];
  const grouped = new Set(groups.flatMap(([, names]) => names));
  const option = name => h("option", {value: name}, name);
  return [...groups.map(([label, names]) => h("optgroup", {label}, ...names.map(option))),
    ...choices.datasets.filter(name => !grouped.has(name)).map(option)];
}

/** What a number box holding letters reads as: not sent; named by its box's label. */
class NotANumber {
  constructor(control) {
    const name = control.closest(".lab-field")?.querySelector(".lab-field-name");
    this.label = name ? name.textContent : "this box";
  }
}

/** A labelled row: "learning rate [control] value". */
function field(label, control, ...after) {
  return h("label", {class: "lab-field"}, h("span", {class: "lab-field-name"}, label),
    control, ...after);
}

/** A setting of the strip: its name over its control(s). */
function setting(css, label, ...controls) {
  return h("label", {class: `lab-field lab-setting ${css}`},
    h("span", {class: "lab-field-name"}, label),
    h("span", {class: "lab-setting-controls"}, ...controls));
}

/** An intent the lab took is about what it refused (the same action, the same setting). */
function moots(refused, action, args) {
  const names = Object.keys(args);
  return refused.action === action && (names.length === 0 && refused.names.length === 0
    || names.some(name => refused.names.includes(name)));
}

function select(css, options, onchange, words = {}) {
  return h("select", {class: css, onchange},
    ...options.map(o => h("option", {value: o}, words[o] || o)));
}

/**
 * What a box holds, for the lab: a number if it reads as one, else the text itself (so the lab
 * can say what is wrong with it: "the learning rate must be a number, got 'x'").
 */
function typed(control) {
  // (a number box holding what is not a number reads as "": not sent, said so)
  if (control.validity && control.validity.badInput) return new NotANumber(control);
  const text = control.value.trim();
  const value = Number(text);
  return text !== "" && Number.isFinite(value) ? value : text;
}

/**
 * A button that asks again ("Save: replace?") about the file `path` for ASK_AGAIN ms, then is
 * itself again: a second press replaces that file (not another one named since).
 */
function arm(button, label, asking, path) {
  button.dataset.armed = String(performance.now());
  button.dataset.armedFor = path;
  button.textContent = asking;
  clearTimeout(button.labnetDisarm);
  button.labnetDisarm = setTimeout(() => disarm(button, label), ASK_AGAIN);
}

function isArmed(button, path) {
  return !!button.dataset.armed && button.dataset.armedFor === path
    && performance.now() - Number(button.dataset.armed) < ASK_AGAIN;
}

function disarm(button, label) {
  delete button.dataset.armed;
  delete button.dataset.armedFor;
  clearTimeout(button.labnetDisarm);
  button.textContent = label;
}

/** Set a control's value unless the user is typing in it (or `force`: after a refusal). */
function show(control, value, force = false) {
  if (document.activeElement === control && !force) return;
  if (control.type === "checkbox") control.checked = !!value;
  else control.value = value;
}

export class Controls {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {function(string, boolean): void} say  a line in the lab's message line (until the
   *   lab's next message)
   */
  constructor(channel, say) {
    this.channel = channel;
    this.say = say;
    this.settings = null;
    this.bar = this.makeBar();
    this.strip = h("div", {class: "lab-strip"});
    this.data = h("div", {class: "lab-panel-data"});
    this.train = h("div", {class: "lab-panel-train"});
    this.teach = h("div", {class: "lab-panel-teach"});
    this.built = false;
  }

  /**
   * Send an intent; if the lab refuses, the controls show its values again and the panel
   * says why, beside them (the message line may be a screen away, above the lab). A later
   * value the lab takes for the same setting makes that refusal moot: its note goes at once.
   */
  async send(action, args = {}, buffers = undefined) {
    const bad = Object.values(args).find(value => value instanceof NotANumber);
    const reply = bad ? {ok: false, error: `${bad.label}: what is typed is not a number`}
      : await this.channel.intent(action, args, buffers);
    if (!reply.ok && this.settings) {
      this.setSettings(this.settings, true);
      if (this.view) this.setView(this.view, true);
      if (this.graph) this.setGraph(this.graph);
      this.note(reply.error);
      this.refused = {action, names: Object.keys(args)};
    } else if (reply.ok && this.refused && moots(this.refused, action, args)) {
      this.unnote();
    }
    return reply;
  }

  /** A refusal's reason at the foot of every panel (one is shown) for a few seconds. */
  note(text) {
    for (const note of this.notes || []) {
      note.textContent = text;
      note.hidden = false;
    }
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => this.unnote(), NOTE_FOR);
  }

  unnote() {
    clearTimeout(this.noteTimer);
    this.refused = null;
    for (const note of this.notes || []) note.hidden = true;
  }

  makeBar() {
    const button = (css, text, action, title) => h("button", {class: css, title,
      onclick: () => this.send(action)}, text);
    this.play = h("button", {class: "lab-play lab-primary", title: "train continuously / pause",
      onclick: () => this.send("toggle_play")}, "▶ Play");
    this.status = h("div", {class: "lab-status", role: "status", "aria-live": "off"});
    return h("div", {class: "lab-bar"},
      h("span", {class: "lab-buttons"}, this.play,
        button("lab-step", "Step", "step", "train on one mini-batch"),
        button("lab-epoch", "Epoch", "epoch", "train to the end of the epoch"),
        button("lab-reset", "Reset", "reset", "new weights, new optimizer, empty history")),
      this.status);
  }

  build(choices, limits) {
    this.built = true;
    this.buildStrip(choices, limits);
    // data
    this.points = h("input", {class: "lab-n-points", type: "number", min: limits.points[0],
      max: limits.points[1], step: 1,
      onchange: () => this.send("set_data", {n_points: typed(this.points)})});
    this.testPart = h("input", {class: "lab-test-fraction", type: "range",
      min: limits.test_fraction[0], max: limits.test_fraction[1], step: 0.05,
      onchange: () => this.send("set_data", {test_fraction: Number(this.testPart.value)})});
    this.testText = h("output", {class: "lab-value"});
    this.seed = h("input", {class: "lab-data-seed", type: "number", min: 0, step: 1,
      onchange: () => this.send("set_data", {seed: typed(this.seed)})});
    const newData = h("button", {class: "lab-regenerate", title: "new points: the next seed",
      onclick: () => this.send("set_data", {seed: Number(this.seed.value) + 1})}, "New data");
    this.standardize = h("input", {class: "lab-standardize", type: "checkbox",
      onchange: () => this.send("set_data", {standardize: this.standardize.checked})});
    this.showTest = h("input", {class: "lab-show-test", type: "checkbox",
      onchange: () => this.send("show", {test_points: this.showTest.checked})});
    this.discretize = h("input", {class: "lab-discretize", type: "checkbox",
      onchange: () => this.send("show", {discretize: this.discretize.checked})});
    const classWords = Object.fromEntries((choices.class_names || []).map((name, label) =>
      [name, `adds ${/^[aeiou]/.test(name) ? "an" : "a"} ${name} point (class ${label})`]));
    this.click = select("lab-click-mode", choices.clicks,
      () => this.send("show", {click: this.click.value}), {...classWords, ...CLICK_WORDS});
    this.classes = h("input", {class: "lab-classes", type: "number", min: limits.classes[0],
      max: limits.classes[1], step: 1, title: "the number of classes of blobs and spirals",
      onchange: () => this.send("set_data", {classes: typed(this.classes)})});
    this.data.replaceChildren(
      field("points", this.points), field("test part", this.testPart, this.testText),
      field("seed", this.seed, newData),
      field("classes", this.classes),
      h("label", {class: "lab-check"}, this.standardize, "standardise inputs"),
      h("div", {class: "lab-row"}, h("label", {class: "lab-check"}, this.showTest, "test points"),
        h("label", {class: "lab-check"}, this.discretize, "discretise")),
      field("a click", this.click));
    // training
    // a server's cap (for its students to share its cores) is a ceiling: lower, never lifted
    const server = limits.server_cap;
    this.cap = h("input", {class: "lab-cap", type: "number", min: 1, step: 1,
      ...(server ? {max: server} : {}), placeholder: server ? `≤ ${server}` : "none",
      title: server ? `at most this many training steps a second (this server allows ${server})`
        : "at most this many training steps a second (to share a server)",
      onchange: () => this.send("set_training", {max_steps_per_second:
        this.cap.value.trim() === "" && !this.cap.validity.badInput ? "none"  // no cap
          : typed(this.cap)})});
    this.train.replaceChildren(field("steps/s at most", this.cap),
      h("p", {class: "lab-hint"}, "The learning rate, the optimizer, the loss, the batch size "
        + "and the activation are above the boundary."));
    this.buildTeach(choices);
    this.notes = [this.strip, this.data, this.train, this.teach].map(panel => panel.appendChild(
      h("div", {class: "lab-panel-note", role: "status", hidden: true})));
  }

  /** The strip: the settings a lesson changes, in view with the boundary and the graph. */
  buildStrip(choices, limits) {
    this.dataset = h("select", {class: "lab-dataset",
      onchange: () => this.send("set_data", {dataset: this.dataset.value})},
    ...datasetOptions(choices));
    this.noise = h("input", {class: "lab-noise", type: "range", min: limits.noise[0],
      max: limits.noise[1], step: 0.05, "aria-label": "noise",
      onchange: () => this.send("set_data", {noise: Number(this.noise.value)})});
    this.noiseText = h("output", {class: "lab-value"});
    // the slider: log10 of the rate, over the span the kernel gives (the box takes any rate)
    this.lr = h("input", {class: "lab-lr", type: "range", min: Math.log10(limits.lr[0]),
      max: Math.log10(limits.lr[1]), step: 0.01, "aria-label": "learning rate (log scale)",
      oninput: () => { this.lrText.value = num(10 ** Number(this.lr.value), 2); },
      onchange: () => this.send("set_training",
        {lr: Number((10 ** Number(this.lr.value)).toPrecision(2))})});
    this.lrText = h("input", {class: "lab-lr-value", type: "text", inputmode: "decimal",
      "aria-label": "learning rate",
      onchange: () => this.send("set_training", {lr: typed(this.lrText)})});
    this.optimizer = select("lab-optimizer", choices.optimizers,
      () => this.send("set_training", {optimizer: this.optimizer.value}));
    this.loss = select("lab-loss", choices.losses,
      () => this.send("set_training", {loss: this.loss.value}));
    this.batch = h("input", {class: "lab-batch-size", type: "number", min: 1, step: 1,
      onchange: () => this.send("set_training", {batch_size: typed(this.batch)})});
    this.activation = h("select", {class: "lab-activation", title: "the activation of every "
      + "activation node", onchange: () => this.send("set_activation",
      {kind: this.activation.value})});
    this.activations = choices.activations || [];
    this.strip.replaceChildren(
      setting("lab-setting-data", "data", this.dataset),
      setting("lab-setting-noise", "noise", this.noise, this.noiseText),
      setting("lab-setting-lr", "learning rate", this.lr, this.lrText),
      setting("lab-setting-optimizer", "optimizer", this.optimizer),
      setting("lab-setting-loss", "loss", this.loss),
      setting("lab-setting-batch", "batch", this.batch),
      setting("lab-setting-activation", "activation", this.activation),
      this.buildRegularisation(choices));
    if (this.graph) this.setGraph(this.graph);
  }

  /**
   * Regularisation: none, L1 or L2, and its rate (TensorFlow Playground's rates; a rate set
   * from Python that is not among them is added to the list when it comes back).
   */
  buildRegularisation(choices) {
    this.regularisation = select("lab-regularisation", choices.regularizations || [],
      () => this.send("set_training", {regularization: this.regularisation.value}),
      REGULARISATION_WORDS);
    this.regularisationRate = h("select", {class: "lab-regularisation-rate",
      "aria-label": "regularisation rate", onchange: () => this.send("set_training",
        {regularization_rate: Number(this.regularisationRate.value)})});
    this.rates = choices.regularization_rates || [];
    return setting("lab-setting-regularisation", "regularisation", this.regularisation,
      this.regularisationRate);
  }

  /** The rate's options: the usual ones, and the lab's own if it is not one of them. */
  showRate(rate, force) {
    const rates = this.rates.includes(rate) ? this.rates
      : [...this.rates, rate].sort((a, b) => a - b);
    if (this.regularisationRate.options.length !== rates.length) {
      this.regularisationRate.replaceChildren(...rates.map(r => h("option", {value: String(r)},
        String(r))));
    }
    show(this.regularisationRate, String(rate), force);
  }

  /**
   * The activation picker shows the activation every activation node has ("mixed" when they
   * differ; nothing to pick without one).
   * @param {import("./protocol.js").GraphState} graph
   */
  setGraph(graph) {
    this.graph = graph;
    if (!this.built) return;
    const kinds = [...new Set(graph.nodes.map(n => n.kind).filter(
      kind => this.activations.includes(kind)))];
    const now = kinds.length === 1 ? kinds[0] : kinds.length ? "mixed" : "none";
    const options = this.activations.map(kind => h("option", {value: kind}, kind));
    if (!this.activations.includes(now)) {
      options.unshift(h("option", {value: now, disabled: true}, now));
    }
    this.activation.replaceChildren(...options);
    this.activation.value = now;
    this.activation.disabled = now === "none";
  }

  buildTeach(choices) {
    this.hideBoxes = new Map(choices.views.map(name => [name, h("input", {type: "checkbox",
      class: `lab-hide-${name}`, onchange: e => this.send(e.target.checked ? "hide" : "reveal",
        {names: [name]})})]));
    this.present = h("input", {class: "lab-presentation", type: "checkbox",
      onchange: () => this.send("present", {on: this.present.checked})});
    this.file = h("input", {class: "lab-file-name", type: "text", value: "my-lab.npz",
      "aria-label": "file name"});
    this.openButton = h("button", {class: "lab-open", title: "open a lab saved in the file "
      + "(click twice: it replaces this lab)", onclick: () => this.open()}, "Open");
    this.code = h("textarea", {class: "lab-code", readonly: true, rows: 6,
      placeholder: "the network as Python code"});
    this.link = h("a", {class: "lab-download", hidden: true});
    // in the app, Open takes a lab file from the student's machine (pagefiles.py)
    this.upload = h("input", {class: "lab-upload", type: "file", accept: ".npz", hidden: true,
      onchange: () => this.sendUpload()});
    this.teach.replaceChildren(
      h("h4", {}, "Hide, to ask the class first"),
      h("div", {class: "lab-row lab-wrap"}, ...[...this.hideBoxes].map(([name, box]) =>
        h("label", {class: "lab-check"}, box, name))),
      h("h4", {}, "Projector"),
      h("label", {class: "lab-check"}, this.present, "presentation (1.4× larger)"),
      h("h4", {}, "Save and share"),
      field("file", this.file),
      h("div", {class: "lab-row lab-wrap"},
        this.saveButton = h("button", {class: "lab-save", title: "save the whole lab to the file",
          onclick: () => this.twice(this.saveButton, "Save", "save", {path: this.file.value})},
        "Save"),
        this.openButton,
        h("button", {class: "lab-export", title: "the network being trained, as operators "
          + "and connectivity dictionaries", onclick: () => this.send("export_code")},
        "Export as code"),
        this.pictureButton = h("button", {class: "lab-picture", title: "a PNG of the boundary, "
          + "the curves and the graph, for slides", onclick: () => this.twice(this.pictureButton,
          "Export picture", "export_picture",
          {path: this.file.value.replace(/\.(npz|png)$/, "") + ".png"})}, "Export picture")),
      this.link, this.upload, this.code);
  }

  /**
   * Where the page's files go: "server" (the notebook's folder) or "browser" (the app: Save
   * and Export picture are downloads, Open an upload; the server keeps no file).
   * @param {string} files
   */
  setFiles(files) {
    this.files = files;
    if (!this.built) return;
    const browser = files === "browser";
    this.openButton.title = browser ? "open a lab file from your computer (it replaces this lab)"
      : "open a lab saved in the file (click twice: it replaces this lab)";
    this.saveButton.title = browser ? "download the whole lab as a file"
      : "save the whole lab to the file";
  }

  /** Send the file picked in the app's Open (a lab file of at most MAX_UPLOAD bytes). */
  async sendUpload() {
    const file = this.upload.files && this.upload.files[0];
    if (!file) return;
    this.upload.value = "";  // (the same file picked again is a new upload)
    if (file.size > MAX_UPLOAD) {
      this.say(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB: the lab takes files of `
        + `up to ${MAX_UPLOAD / 2 ** 20} MB from a browser`, true);
      return;
    }
    this.say(`Opening ${file.name}...`, false);
    await this.send("open_upload", {name: file.name}, [await file.arrayBuffer()]);
  }

  /**
   * Save to a file that exists only when asked twice: the first press says so (the lab's
   * words) and the button asks "replace?"; a second press within ASK_AGAIN ms replaces it.
   */
  async twice(button, label, action, args) {
    const armed = isArmed(button, args.path);
    disarm(button, label);
    const reply = await this.send(action, {...args, replace: armed});
    if (!reply.ok && reply.exists) arm(button, label, `${label}: replace?`, args.path);
  }

  /** Open asks first: it replaces the graph, the weights and the data being shown. */
  open() {
    if (this.files === "browser") {  // a file from the student's machine: the picker asks
      this.upload.click();
      return;
    }
    const button = this.openButton;
    const path = this.file.value;
    if (!isArmed(button, path)) {
      arm(button, "Open", "Open: sure?", path);
      this.say(`Press Open again to replace this lab with the one in ${path}.`, false);
      return;
    }
    disarm(button, "Open");
    this.send("open", {path});
  }

  setSettings(settings, force = false) {
    this.settings = settings;
    if (!this.built) this.build(settings.choices, settings.limits);
    const {data, training, choices} = settings;
    if (this.dataset.options.length !== choices.datasets.length) {
      this.dataset.replaceChildren(...datasetOptions(choices));
    }
    show(this.classes, data.classes, force);
    // (the number of classes is a setting of the data sets of more than two)
    this.classes.disabled = !(choices.multiclass_datasets || []).includes(data.dataset);
    const task = this.task;
    this.task = data.task;
    if (task !== undefined && task !== data.task && this.lastStatus) {
      this.setStatus(this.lastStatus);  // (its names: errors, or a regression's losses)
    }
    show(this.dataset, data.dataset, force);
    show(this.noise, data.noise, force);
    this.noiseText.value = num(data.noise, 2);
    show(this.points, data.n_points, force);
    show(this.testPart, data.test_fraction, force);
    this.testText.value = percent(data.test_fraction);
    show(this.seed, data.seed, force);
    show(this.standardize, data.standardize, force);
    show(this.loss, training.loss, force);
    show(this.optimizer, training.optimizer, force);
    show(this.lr, Math.log10(training.lr), force);
    show(this.lrText, num(training.lr, 4), force);
    show(this.batch, training.batch_size, force);
    show(this.regularisation, training.regularization, force);
    this.showRate(training.regularization_rate, force);
    this.regularisationRate.classList.toggle("lab-off", training.regularization === "none");
    const cap = training.max_steps_per_second;
    show(this.cap, cap === null ? "" : cap, force);
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view, force = false) {
    this.view = view;
    if (!this.built) return;
    show(this.showTest, view.show_test, force);
    show(this.discretize, view.discretize, force);
    show(this.click, view.click, force);
    show(this.present, view.scale > 1, force);
    for (const [name, box] of this.hideBoxes) show(box, view.hidden.includes(name), force);
  }

  /**
   * @param {import("./protocol.js").Status} status
   * @param {{pausing?: boolean}} [page] pausing: Pause was clicked and the kernel has not yet
   *   said it stopped (its step may still grow: the status says so, not "paused")
   */
  setStatus(status, {pausing = false} = {}) {
    this.lastStatus = status;
    const play = status.playing ? "‖ Pause" : "▶ Play";
    if (this.play.textContent !== play) this.play.textContent = play;
    this.play.classList.toggle("lab-playing", status.playing);
    if (status.step === undefined) {
      this.status.replaceChildren(h("span", {}, "no network to train yet"));
      this.stats = null;
      return;
    }
    // a regression has no error rate: the loss on the training and the test set instead
    const regression = this.task === "regression";
    const errors = regression ? [num(status.train_loss, 4), num(status.test_loss, 4)]
      : status.errors_hidden ? ["?", "?"] : [percent(status.train_error),
        status.test_error === undefined ? "–" : percent(status.test_error)];
    const values = [whole(status.epoch), whole(status.step), num(status.loss, 4), ...errors,
      status.playing ? `${whole(status.steps_per_second)} steps/s`
        : pausing ? "pausing…" : "paused"];
    if (!this.stats || this.statsTask !== this.task) {  // made once a task; then the numbers
      this.statsTask = this.task;
      const names = ["epoch", "step", "loss", ...(regression ? ["train loss", "test loss"]
        : ["train error", "test error"])];
      this.stats = values.map(() => h("b", {}));
      const parts = this.stats.map((b, i) => h("span", {class: "lab-stat"},
        i < names.length ? `${names[i]} ` : "", b));
      this.status.replaceChildren(...parts.flatMap((p, i) => i ? [" ", p] : [p]));
    }
    values.forEach((value, i) => {
      if (this.stats[i].textContent !== value) this.stats[i].textContent = value;
    });
    this.status.dataset.step = String(status.step);
  }

  setCode(code) {
    if (this.code) this.code.value = code;
  }

  /**
   * Offer bytes the kernel sent (an exported picture; in the app, a lab file too) as a
   * download link; in the app the browser downloads it at once.
   */
  offer(name, bytes) {
    const type = name.endsWith(".png") ? "image/png" : "application/octet-stream";
    const url = URL.createObjectURL(new Blob([bytes], {type}));
    if (this.link.href) URL.revokeObjectURL(this.link.href);
    this.link.href = url;
    this.link.download = name;
    this.link.textContent = `download ${name}`;
    this.link.hidden = false;
    if (this.files === "browser") this.link.click();
  }
}
