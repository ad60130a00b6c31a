// The messages between the kernel (labnet/lab/widget.py) and this front end.
//
// State the page shows comes as the widget's traits (JSON, kept by every view of the widget):
// `graph`, `settings`, `view`, `status`, `message`, `walk`, `code` (the network as Python
// code, after Export as code), `hint` (a setting likely wrong: HintState, hints.js) and
// `sources` (these files, for lab.js to load). Frames and
// arrays come as custom messages with binary buffers, described below; every view of the
// widget receives every one of them. The page never changes the model: it sends intents, and
// the state that results comes back. Buffers are little-endian (the kernel says so).

/**
 * @typedef {number|string} NodeId  A node of the graph; 0 is the input.
 */

/**
 * @typedef {Object} GraphNode
 * @property {NodeId} id
 * @property {string} kind     "input", "Linear", "ReLU", ... or a registered module's name
 * @property {string} label    "Linear 25"
 * @property {string} short    "L25": for small drawings
 * @property {Object<string, number|string>} params  what a double-click can edit ({width: 25})
 * @property {number} x        column (graph units; the page scales them to pixels)
 * @property {number} y        row
 * @property {?number} width   width of the node's output, if known
 * @property {boolean} trained whether the network being trained has this node as it is drawn
 */

/**
 * @typedef {Object} GraphState   the `graph` trait
 * @property {GraphNode[]} nodes
 * @property {Array<[NodeId, NodeId]>} edges
 * @property {?NodeId} output     the output node of the network being trained
 * @property {?string} error      why the graph is not a network yet (null: it is)
 * @property {string[]} features   what the input gives of each point, in Playground's order
 *   ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"): the input's width
 * @property {boolean} can_undo
 * @property {boolean} can_redo
 */

/**
 * @typedef {Object} Settings   the `settings` trait (labnet/lab/traits.py)
 * @property {{dataset: string, noise: number, n_points: number, test_fraction: number,
 *   seed: number, standardize: boolean, classes: number, task: string, outputs: number,
 *   target_range: ?number}} data  `classes`: the setting of blobs and spirals; `task`:
 *   "classification" or "regression"; `outputs`: what the network must give (a value per
 *   class, or 1); `target_range`: a regression's largest target in size (its scale's end)
 * @property {{loss: string, optimizer: string, lr: number, batch_size: number,
 *   max_steps_per_second: ?number, regularization: string, regularization_rate: number}}
 *   training
 * @property {Object<string, Array>} choices  datasets, dataset_groups ([[label, names], ...]:
 *   two classes, more classes, regression), multiclass_datasets (those whose number of
 *   classes is the `classes` setting), class_names (a colour's name per class: the
 *   click modes that add a point of that class), losses, optimizers, presets, palette, views,
 *   clicks, edge_modes, activations (what the activation picker sets), regularizations,
 *   regularization_rates, features ([name, label, formula] of each: ["x1^2", "x₁²", "x₁²"])
 * @property {Object<string, (number[]|number|null)>} limits  noise, points, test_fraction,
 *   classes (the choices), lr (the slider's span), server_cap (the server's cap on steps a
 *   second, a ceiling for the page; null: none)
 * @property {{classes: string[], boundary: string[], gradient: string[], decades: number}}
 *   colours
 */

/**
 * @typedef {Object} Status   the `status` trait
 * @property {boolean} playing
 * @property {number} steps_per_second
 * @property {boolean} network       whether there is a network to train
 * @property {boolean} errors_hidden the teacher hid the error rates
 * @property {number} [epoch]
 * @property {number} [step]
 * @property {?number} [loss]        the last mini-batch's loss
 * @property {?number} [train_error] from 0 to 1, measured at step `scored_step`
 * @property {?number} [test_error]
 * @property {?number} [train_loss]  on the whole training set, at step `scored_step`
 * @property {?number} [test_loss]
 * @property {?number} [scored_step]
 */

/**
 * @typedef {Object} ViewState   the `view` trait (labnet/lab/display.py)
 * @property {string[]} hidden   "boundary", "curves", "gradients", "graph", "errors"
 * @property {boolean} show_test
 * @property {boolean} discretize
 * @property {string} click      what a click on the plane does: "off", "remove", or add a
 *   point of the class of a colour: "orange" (0), "blue" (1), "green" (2)... (class_names)
 * @property {string} edges      "gradient" or "weights"
 * @property {number} scale      1, or 1.4 in presentation mode
 * @property {?NodeId} picked    the node looked at
 * @property {Array<[NodeId, number]>} units  the unit each node's thumbnail shows
 * @property {boolean} walking   a step-through walk is under way
 */

/**
 * @typedef {Object} Message   the `message` trait: one line above the lab
 * @property {string} text
 * @property {boolean} error
 * @property {boolean} sticky   stays until what it says is no longer true (the graph is not a
 *   network yet); any other message stays until the next action
 * @property {number} id
 */

/**
 * @typedef {Object} WalkTerm   an array of an equation, cut to a corner
 * @property {string} symbol    "dL/dy", "Wᵀ"
 * @property {number[]} shape   of the whole array
 * @property {Array<Array<?number>>} values  rows [start, stop) and cols of it (null: not finite)
 * @property {number[]} rows
 * @property {number[]} cols
 */

/**
 * @typedef {Object} WalkFormula   one equation of a step, with its numbers
 * @property {string} text       "dL/dx = dL/dy · Wᵀ"
 * @property {string} operation  how the result is made (labnet/chainrule.py OPERATIONS)
 * @property {string} label      what it is about, if a step has many ("1.weight")
 * @property {WalkTerm} result
 * @property {WalkTerm[]} operands
 * @property {Object<string, ?number>} constants  N, B, lr, slope
 * @property {boolean} exact     the numbers shown make the result shown (no sum was cut)
 * @property {string} note       what was left out ("" if nothing)
 */

/**
 * @typedef {Object} WalkStep   the step under the walk's cursor (labnet/walkdisplay.py)
 * @property {number} index
 * @property {string} phase     "forward", "loss", "backward", "update"
 * @property {?NodeId} node     the node at work (null: the loss, the update)
 * @property {string} module    "Linear(25 → 25)", "MSELoss()", "update"
 * @property {string} text      what the step does, in words
 * @property {Array<{name: string, shape: number[], values: Array<Array<?number>>}>} received
 * @property {Array<{name: string, shape: number[], values: Array<Array<?number>>}>} passed
 * @property {WalkFormula[]} formulas
 * @property {Array<{src: NodeId, dst: NodeId, carries: string, role: string, array: string,
 *   how: string}>} flows  the edges at work: carries "value" or "gradient"; role "received"
 *   or "passed"; how a gradient passed on is made ("dL/dy · Wᵀ", "a copy of dL/dy")
 * @property {Object<string, number>} left_out  entries left out of each list (48 at most)
 */

/**
 * @typedef {Object} WalkState   the `walk` trait: a walk through one training step ({} when
 *   none), as labnet/lab/traits.py walk_json makes it
 * @property {number} index     the step under the cursor, from 0
 * @property {number} total     steps in the walk
 * @property {boolean} done     at the update
 * @property {boolean} at_start
 * @property {?number} sample   the training point walked alone, or null (a mini-batch)
 * @property {number} batch     points walked
 * @property {?number} loss     once the walk has reached the loss
 * @property {Array<[string, ?NodeId]>} plan  every step's phase and node (the scrubber)
 * @property {WalkStep} step
 * @property {Array<{node: NodeId, value: ?Array<?number>, grad: ?Array<?number>}>} nodes
 *   each node's output and dL/d(output) so far, for the first point (cut), or null
 * @property {boolean} train    the update is made (a training step); false: shown only
 * @property {number} lr
 * @property {?{x1: number, x2: number, label: number}} point  where the point walked alone is
 * @property {?{mean: number[], std: number[], x: number[], scaled: number[]}} scaling  if the
 *   network's inputs are standardised: their mean and std, and the first point as given (x)
 *   and as the network sees it (scaled = (x − mean) / std); null if they are not
 */

// -- custom messages, kernel → page ---------------------------------------------------------

// Frames (BoundaryFrame, ThumbsFrame, Curves) say whether the play loop sent them: `playing`.

/**
 * @typedef {Object} BoundaryFrame   {type: "boundary"}, buffer: n×n uint8, rows from the top:
 *   what the network says over the plane, coded as `code` says
 * @property {number} frame    counted from 1; the page says which it painted (Painted)
 * @property {boolean} playing sent by the play loop (a page that asked to pause drops these)
 * @property {number} n
 * @property {number[]} extent [x1 low, x1 high, x2 low, x2 high] of the grid
 * @property {string} code     "score" (two classes: class 1's score, 0 to 255, 128 on the
 *   boundary), "classes" (the class picked · 32 + how sure, 0 to 31: white to its colour),
 *   "value" (a regression's prediction from `low`, 0, to `high`, 255)
 * @property {number} low
 * @property {number} high
 * @property {number} classes  the number of classes (0 for a regression)
 * @property {number} sent     when the kernel sent it (seconds since 1970, the kernel's
 *   clock: traces compare it with the page's only when both run on one machine)
 */

/**
 * @typedef {Object} ThumbsFrame   {type: "thumbs"}, buffer: one n×n uint8 image per node
 * @property {number} frame
 * @property {boolean} playing
 * @property {number} n
 * @property {Array<{id: NodeId, unit: number, code: string, low: number, high: number}>} nodes
 *   in buffer order; each image coded as a BoundaryFrame's `code` says (the output's as the
 *   boundary's, the others' "value")
 * @property {Object<string, ?number>} grad_norms  ||dL/d(output)|| of each node, by id as text
 * @property {Array<[NodeId, NodeId, ?number]>} edges  the norm along each edge
 * @property {string} edge_mode  "gradient" or "weights"
 */

/**
 * @typedef {Object} Curves   {type: "curves"}, one float64 buffer per series part
 * @property {boolean} playing
 * @property {boolean} reset  the series start over (a new network, a thinned history)
 * @property {number} stride  steps per entry of the per-step series
 * @property {number} steps
 * @property {number} epochs
 * @property {string} task     "classification", or "regression" (no error-rate series)
 * @property {Array<{name: string, start: number, length: number}>} series
 *   "step" (x of the per-step series), "loss", "grad:<node>"; "epoch" (x of the per-epoch
 *   series), "epoch_loss", "train_error", "test_loss", "test_error". Each part replaces the
 *   series from `start` on.
 */

/**
 * @typedef {Object} Points   {type: "points"}; buffers: train x (float32 n×2), train labels
 *   (uint8), test x, test labels. A regression's "labels" are its targets, each a byte from
 *   `low` (0) to `high` (255), as the plane's "value" frames
 * @property {number} n_train
 * @property {number} n_test
 * @property {number[]} extent
 * @property {string} dataset
 * @property {string} task     "classification" or "regression"
 * @property {number} classes  the number of classes (0 for a regression)
 * @property {number} [low]
 * @property {number} [high]
 */

/**
 * @typedef {Object} UnitMap   {type: "unitmap"}, buffer: n×n uint8 (the band under the graph)
 * @property {NodeId} node
 * @property {number} unit
 * @property {number} n
 * @property {number} low
 * @property {number} high
 * @property {number} width  the node's number of units
 */

/**
 * @typedef {Object} WalkMaps   {type: "walkmaps"}, one float32 rows×cols buffer per array:
 *   the arrays of the walk's step `index`, what it received then what it passed on, each cut
 *   to a corner of at most 16 × 32 (NaN and infinities as they are)
 * @property {?number} index
 * @property {Array<{role: string, name: string, shape: number[], rows: number,
 *   cols: number}>} arrays  role: "received" or "passed"
 */

/**
 * @typedef {Object} Download   {type: "download"}, buffer: the file's bytes (a PNG; in the app,
 *   a lab file too: Save): the page offers it, and in the app downloads it at once
 * @property {string} name     the file's name
 */

/**
 * @typedef {Object} Reply   {type: "reply"}: the answer to an Intent (every view receives
 *   it; only the view that sent the intent knows its id)
 * @property {string} id
 * @property {boolean} ok
 * @property {string} [error]   the ValueError's words, if the lab refused
 * @property {boolean} [exists] refused because the file exists (asked again, it is replaced)
 * @property {*} [value]        what the method returned (a new node's id); a query's JSON
 *   (intents.QUERIES: edge_weights answers an EdgeWeights, weights.js)
 */

// -- custom messages, page → kernel ----------------------------------------------------------

/**
 * @typedef {Object} Intent   {type: "intent"}: call the Lab method `action` with `args`
 *   ("open_upload" {name}: its one buffer is a lab file from the student's machine, opened as
 *   the app's Open; at most 8 MiB)
 * @property {string} id       unique among the views: "<view>:<count>"
 * @property {string} action   "add", "connect", "step", "walk_to", ... (labnet/lab/intents.py)
 * @property {Object} args
 */

/**
 * @typedef {Object} Painted   {type: "painted"}: frames are on the screen; send the next ones
 * @property {Object<string, number>} frames  the last frame painted of each kind ("boundary",
 *   "thumbs"). Sent at most every ACK_EVERY ms: each message from the page makes the kernel
 *   busy for a moment, and JupyterLab redraws its busy signs (the favicon, the status bar)
 *   each time: two or three messages a second, not sixty. The kernel keeps sending while
 *   fewer than a few dozen frames wait for their Painted (labnet/lab/widget.py).
 */

/**
 * @typedef {Object} Hello    {type: "hello"}: a view of the lab is drawn: send it everything
 * @property {string} view     a token of this view's own, sent to the kernel only
 */

/**
 * @typedef {Object} Goodbye  {type: "goodbye"}: a view is gone. When the last view the kernel
 *   knows is gone, and no page paints the lab's frames any more, a lab playing pauses; a lab no
 *   view shows and no name holds is freed.
 * @property {string} view     the token of its Hello
 */

const ACK_EVERY = 400;  // ms
const WORKING_AFTER = 300;  // ms an intent waits for its reply before the page says "working…"

/** Sends intents and hands each its reply. */
export class Channel {
  /** @param {Object} model  the anywidget model */
  constructor(model) {
    this.model = model;
    // replies go to every view of the widget: each view's ids are its own
    this.view = Math.random().toString(36).slice(2, 10);
    this.next = 1;
    /** @type {Map<string, function(Reply): void>} */
    this.waiting = new Map();
    this.frames = {};  // painted, not yet told
    this.ackTimer = null;
    this.closed = false;
    /** @type {?function(string, Object): void} told of each intent as it is sent */
    this.onIntent = null;
    /** @type {?function(boolean): void} told when an intent has waited long, and when not */
    this.onWorking = null;
    this.slow = new Set();  // ids of the intents that have waited WORKING_AFTER ms, unanswered
  }

  /** The intent `id` has waited long (`slow`), or is answered: tell `onWorking` of a change. */
  setSlow(id, slow) {
    const before = this.slow.size > 0;
    if (slow) this.slow.add(id);
    else this.slow.delete(id);
    if (this.onWorking && before !== this.slow.size > 0) this.onWorking(this.slow.size > 0);
  }

  /** The view is gone: no more messages; intents waiting for a reply get "gone". */
  close() {
    this.closed = true;
    clearTimeout(this.ackTimer);
    for (const [id, resolve] of this.waiting) resolve({id, ok: false, error: "the view is gone"});
    this.waiting.clear();
    this.slow.clear();
  }

  /**
   * Ask the lab to do something; resolves with the reply (never rejects: a refusal is a
   * reply with ok false and the lab's words in `error`).
   * @param {string} action
   * @param {Object} [args]
   * @param {ArrayBuffer[]} [buffers]  binary parts (open_upload: the file's bytes)
   * @returns {Promise<Reply>}
   */
  intent(action, args = {}, buffers = undefined) {
    const id = `${this.view}:${this.next++}`;
    if (this.closed) return Promise.resolve({id, ok: false, error: "the view is gone"});
    if (this.onIntent) this.onIntent(action, args);
    return new Promise(resolve => {
      this.waiting.set(id, resolve);
      setTimeout(() => { if (this.waiting.has(id)) this.setSlow(id, true); }, WORKING_AFTER);
      this.model.send({type: "intent", id, action, args}, undefined, buffers);
    });
  }

  /** @param {Reply} reply */
  answer(reply) {
    const resolve = this.waiting.get(reply.id);
    if (resolve) {
      this.waiting.delete(reply.id);
      this.setSlow(reply.id, false);
      resolve(reply);
    }
  }

  /**
   * Tell the kernel a frame is painted (with the others painted since, a little later).
   * @param {string} what
   * @param {number} frame
   */
  painted(what, frame) {
    this.frames[what] = Math.max(this.frames[what] || 0, frame);
    if (this.ackTimer || this.closed) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.model.send({type: "painted", frames: this.frames});
      this.frames = {};
    }, ACK_EVERY);
  }
}
