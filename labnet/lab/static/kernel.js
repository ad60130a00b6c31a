// The lab's link to its kernel, as the notebook's front end reports it. When the kernel
// restarts or stops, or the page loses its connection to it, ipywidgets marks the widget's
// connection dead (the model's "comm_live_update": it goes dead only, never live again, for a
// restarted kernel knows nothing of the widget); every button would then reach nothing. When
// Python closes the widget ("comm:close"), the host takes the lab's element away. In both
// cases the page says so, instead of staying frozen on "‖ Pause". (JupyterLab, Notebook 7 and
// Voilà tell; a host that tells nothing, such as marimo, is not watched.)

/** What the lab says, by what happened. */
export const GONE = {
  kernel: "The lab lost its kernel (restarted, stopped, or out of reach): it no longer "
    + "answers. Run its cell again for a new lab.",
  closed: "This lab was closed from Python: run its cell again for a new lab.",
};

/**
 * Watch the host's word about the widget's connection to its kernel.
 * @param {Object} model  the anywidget model
 * @param {function(string, string): void} onGone  told once: the words to show, and why
 *   ("kernel" or "closed")
 * @returns {function(): void} what stops watching
 */
export function watchKernel(model, onGone) {
  let told = false;
  const tell = why => () => {
    if (told) return;
    told = true;
    onGone(GONE[why], why);
  };
  const dead = tell("kernel");
  const closed = tell("closed");
  model.on("comm_live_update", dead);
  model.on("comm:close", closed);
  return () => {
    model.off("comm_live_update", dead);
    model.off("comm:close", closed);
  };
}
