"""What a user sees of the lab in a browser page, and what they do to it.

``LabPage`` wraps a Playwright page showing a ``labnet.lab.Lab`` (in JupyterLab or in Voilà) and
finds everything by the lab's CSS classes and data attributes (``labnet-lab``, ``lab-step``,
``lab-status``, ``.lab-node[data-node="3"]``, ...), never by layout. It acts as a user does: with
clicks and mouse drags. The page counts the boundary frames it paints in the lab's
``data-paints`` attribute.
"""

from __future__ import annotations

import json
import re
import time

LAB_NOTEBOOK = "notebooks/02-lab.ipynb"  # the notebook that shows the lab, from the repository
numbers: dict[str, str] = {}  # measurements, printed at the end of the run
STEP = re.compile(r"\bstep\s+([\d,]+)")

# In-page helpers, defined once per page: the step shown in the status, and counters of paints
# and of status changes, with the time of each.
INSTALL_JS = """
() => {
  if (window.labnetProbe) return;
  // the lab's root, looked for in shadow roots too (marimo draws a widget in one)
  const find = root => {
    const found = root.querySelector('.labnet-lab');
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      const inner = el.shadowRoot && find(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  let cached = null;
  const lab = () => (cached && cached.isConnected ? cached : (cached = find(document)));
  const stepOf = () => {
    const status = lab() && lab().querySelector('.lab-status');
    const m = status && status.textContent.match(/\\bstep\\s+([\\d,]+)/);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };
  const paints = () => Number(lab().labnetPaints || lab().dataset.paints || 0);
  window.labnetProbe = {
    stepOf, paints,
    // count paints of the boundary and step changes of the status, for `ms`
    watch(ms) {
      const status = lab().querySelector('.lab-status');
      const out = {paints: 0, steps: [], seconds: 0, thumbs: 0, curves: 0};
      const t0 = performance.now();
      const p0 = paints();
      const observer = new MutationObserver(() => {
        const step = stepOf();
        const last = out.steps.length ? out.steps[out.steps.length - 1][1] : null;
        if (step !== last) out.steps.push([(performance.now() - t0) / 1000, step]);
      });
      out.steps.push([0, stepOf()]);
      observer.observe(status, {subtree: true, childList: true, characterData: true});
      const thumbs0 = Number(lab().dataset.thumbs || 0);
      const curves0 = Number(lab().dataset.curves || 0);
      return new Promise(resolve => setTimeout(() => {
        observer.disconnect();
        out.paints = paints() - p0;
        out.thumbs = Number(lab().dataset.thumbs || 0) - thumbs0;
        out.curves = Number(lab().dataset.curves || 0) - curves0;
        out.seconds = (performance.now() - t0) / 1000;
        resolve(out);
      }, ms));
    },
    // from now on, remember when `cls` is clicked and when the status step last changed
    armClick(cls) {
      const button = lab().querySelector('.' + cls);
      const record = {clickedAt: null, lastChange: null, stepAtClick: null, changes: 0};
      button.addEventListener('click', () => {
        record.clickedAt = performance.now(); record.stepAtClick = stepOf();
      }, {capture: true, once: true});
      let last = stepOf();
      const observer = new MutationObserver(() => {
        const step = stepOf();
        if (step !== last && record.clickedAt !== null) {
          record.lastChange = performance.now(); record.changes += 1;
        }
        last = step;
      });
      observer.observe(lab().querySelector('.lab-status'),
                       {subtree: true, childList: true, characterData: true});
      record.stop = () => { observer.disconnect(); return {
        clickedAt: record.clickedAt, lastChange: record.lastChange,
        stepAtClick: record.stepAtClick, changes: record.changes, step: stepOf()}; };
      window.labnetClick = record;
    },
  };
}
"""

# The parts of the lab that must be whole: every control, tab and label, and the cards.
CLIPPED_JS = """
(root) => {
  const lab = root.getBoundingClientRect();
  const found = [];
  const name = el => (el.className && el.className.baseVal !== undefined
                      ? el.className.baseVal : el.className)
    + (el.textContent ? ` "${el.textContent.trim().slice(0, 30)}"` : '');
  const parts = root.querySelectorAll(
    'button, select, input, label, .lab-tab, .lab-stat, .lab-field-name, .lab-card-title, '
    + 'figcaption, .lab-card, .lab-legend-item, .lab-message, h4, output, .lab-node-label');
  for (const el of parts) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (a hidden tab)
    if (el.closest('[hidden]')) continue;
    const svg = el instanceof SVGElement;  // SVG text has no scrollWidth: checked below
    if (!svg && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'SELECT'
        && el.clientWidth > 0)
      found.push(`${name(el)}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
    if (box.left < lab.left - 1 || box.right > lab.right + 1)
      found.push(`${name(el)}: from x ${Math.round(box.left)} to ${Math.round(box.right)}, `
                 + `the lab from ${Math.round(lab.left)} to ${Math.round(lab.right)}`);
  }
  for (const text of root.querySelectorAll('.lab-node-label')) {  // SVG labels in their box
    const node = text.closest('.lab-node').querySelector('.lab-node-box').getBoundingClientRect();
    const box = text.getBoundingClientRect();
    if (box.width > node.width + 1)
      found.push(`node label "${text.textContent}" is ${Math.round(box.width)} px wide, its `
                 + `box ${Math.round(node.width)}`);
  }
  return found;
}
"""


# the boxes of the parts of the lab (and of the graph's nodes if asked), and of the part of the
# page that shows the notebook (the screen, in JupyterLab)
BOXES_JS = """
(root, [selectors, nodes]) => {
  const box = el => { const b = el.getBoundingClientRect();
                      return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
  const port = document.querySelector('.jp-WindowedPanel-outer')
    || document.querySelector('.jp-NotebookPanel-notebook');
  const parts = {};
  for (const css of selectors) {
    const el = root.querySelector(css);
    parts[css] = el ? box(el) : null;
  }
  for (const node of nodes ? root.querySelectorAll('.lab-node') : []) {
    parts[`node ${node.dataset.node}`] = box(node.querySelector('.lab-node-box'));
  }
  return {screen: port ? box(port) : {top: 0, bottom: innerHeight, left: 0, right: innerWidth},
          parts};
}
"""


class LabPage:
    """A page that shows one lab. ``scope`` is a CSS selector of what contains it."""

    def __init__(self, page, scope: str = "") -> None:
        self.page = page
        self.root = page.locator(f"{scope} .labnet-lab".strip()).first
        self.requests: list[str] = []  # URLs the page asked for, where they are watched

    def boxes(self, selectors, nodes: bool = False) -> dict:
        """{"screen": the box the notebook shows, "parts": {css (or "node 3"): its box or None}}
        of ``selectors`` (and of every node of the graph if ``nodes``), in the page's pixels."""
        return self.root.evaluate(BOXES_JS, [list(selectors), nodes])

    def off_the_screen(self, selectors, nodes: bool = False) -> list[str]:
        """The parts of ``selectors`` (and the graph's nodes) not in the lab or not whole on the
        screen, each said with where it is."""
        seen = self.boxes(selectors, nodes)
        port, missing = seen["screen"], []
        for name, box in seen["parts"].items():
            if box is None:
                missing.append(f"{name}: not in the lab")
            elif (box["top"] < port["top"] - 1 or box["bottom"] > port["bottom"] + 1
                  or box["left"] < port["left"] - 1 or box["right"] > port["right"] + 1):
                missing.append(f"{name}: from y {box['top']:.0f} to {box['bottom']:.0f}, x "
                               f"{box['left']:.0f} to {box['right']:.0f}; the screen shows y "
                               f"{port['top']:.0f} to {port['bottom']:.0f}")
        return missing

    def part(self, css: str):
        return self.root.locator(css).first

    def install_probe(self) -> None:
        self.page.evaluate(INSTALL_JS)

    # -- reading --------------------------------------------------------------------------------
    def status(self) -> str:
        return " ".join(self.part(".lab-status").inner_text().split())

    def step(self) -> int:
        match = STEP.search(self.status())
        assert match, f"no step counter in the status: {self.status()!r}"
        return int(match.group(1).replace(",", ""))

    def message(self) -> str:
        return self.part(".lab-message").inner_text().strip()

    def play_label(self) -> str:
        return self.part(".lab-play").inner_text().strip()

    def paints(self) -> int:
        """Boundary frames the page has painted (the lab's root keeps the count)."""
        return int(self.root.evaluate("el => el.labnetPaints || Number(el.dataset.paints || 0)"))

    def canvas_pixels(self, css: str = "canvas.lab-boundary") -> bytes:
        """A screenshot of a canvas: what the user sees of it."""
        self.reveal(css)
        return self.part(css).screenshot(animations="disabled")

    def graph_nodes(self) -> list[str]:
        return self.root.locator(".lab-node").evaluate_all("els => els.map(e => e.dataset.node)")

    def graph_edges(self) -> set[tuple[str, str]]:
        keys = self.root.locator(".lab-edge-hit").evaluate_all(
            "els => els.map(e => e.dataset.edge)")
        return {tuple(key.split("→")) for key in keys}

    def clipped(self) -> list[str]:
        """What is cut or outside the lab (see CLIPPED_JS)."""
        return self.root.evaluate(CLIPPED_JS)

    def wait_until(self, what: str, condition, timeout: float = 10.0, poll: float = 0.05):
        """Poll ``condition()`` until it is truthy; fail saying ``what`` did not happen."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeout} s; "
                                     f"status: {self.status()!r}, message: {self.message()!r}")
            time.sleep(poll)

    def wait_painted(self, before: int, timeout: float = 10.0) -> None:
        self.wait_until("a new boundary frame painted", lambda: self.paints() > before, timeout)

    # -- doing ----------------------------------------------------------------------------------
    def reveal(self, css: str) -> None:
        """If the part ``css`` is on a tab page not shown, click that page's tab (as a user
        would)."""
        index = self.part(css).evaluate("""el => {
          const page = el.closest('.lab-tab-page');
          return page && page.hidden ? [...page.parentElement.children].indexOf(page) : -1;
        }""")
        if index >= 0:
            self.root.locator(".lab-tab").nth(index).click()

    def click(self, css: str) -> None:
        self.reveal(css)
        self.part(css).click()

    def choose(self, css: str, value: str) -> None:
        self.reveal(css)
        self.part(css).select_option(value)

    def fill(self, css: str, value: str) -> None:
        self.reveal(css)
        self.part(css).fill(value)
        # Enter commits the box (its change event), as a user's Enter does; no second change
        # event of our own: one sent after the lab's reply has put its value back would be a
        # second action, and a new action clears the last one's message
        self.part(css).press("Enter")

    def play(self) -> None:
        if "Pause" not in self.play_label():
            self.click(".lab-play")
        self.wait_until("the Play button turning into Pause",
                        lambda: "Pause" in self.play_label())

    def pause(self) -> None:
        if "Pause" in self.play_label():
            self.click(".lab-play")
        self.wait_until("the Pause button turning into Play", lambda: "Play" in self.play_label())
        # (the button says Play at the click; the status says "pausing…" until the kernel has
        # stopped, then "paused" with its last step)
        self.wait_until("the status saying paused", lambda: "paused" in self.status())

    def watch(self, seconds: float) -> dict:
        """Count, in the page, boundary paints and the status's steps for ``seconds``."""
        self.install_probe()
        return self.page.evaluate(f"() => window.labnetProbe.watch({int(seconds * 1000)})")

    def watch_playing(self, seconds: float = 3.0, windows: int = 2) -> tuple[dict, list[float]]:
        """While playing: ``windows`` watches of ``seconds`` each (after one to settle); the
        one with the most paints, and every window's frames/s. (On a 2-core machine the kernel
        and the browser share the cores with whatever else runs: a window may be slowed by a
        neighbour, not by the lab.)"""
        self.watch(1.0)
        seen = [self.watch(seconds) for _ in range(windows)]
        rates = [w["paints"] / w["seconds"] for w in seen]
        return max(seen, key=lambda w: w["paints"] / w["seconds"]), rates

    def play_and_watch(self, seconds: float = 3.0, windows: int = 2) -> tuple[dict, list[float]]:
        """Play, ``watch_playing``, and pause (whatever happens meanwhile)."""
        self.play()
        try:
            return self.watch_playing(seconds, windows)
        finally:
            self.pause()

    def click_and_time(self, css: str, settle: float = 1.5) -> dict:
        """Click ``css`` like a user and return, in seconds, when the status's step counter last
        changed after the click (``stopped_after``), watched for ``settle`` seconds."""
        self.install_probe()
        self.page.evaluate(f"() => window.labnetProbe.armClick('{css.lstrip('.')}')")
        self.click(css)
        time.sleep(settle)
        record = self.page.evaluate("() => window.labnetClick.stop()")
        assert record["clickedAt"] is not None, f"the click on {css} did not reach the page"
        last = record["lastChange"]
        record["stopped_after"] = 0.0 if last is None else (last - record["clickedAt"]) / 1000
        return record

    # -- gestures on the graph ------------------------------------------------------------------
    def center(self, css: str) -> tuple[float, float]:
        box = self.part(css).bounding_box()
        assert box, f"{css} is not on the page"
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def drag(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Press at ``start``, move to ``end`` in small steps, release: a user's drag."""
        mouse = self.page.mouse
        mouse.move(*start)
        mouse.down()
        mouse.move(*end, steps=12)
        mouse.up()

    def node(self, node) -> str:
        return f'.lab-node[data-node="{node}"]'

    def edge_middle(self, src, dst) -> tuple[float, float]:
        """Where on the screen the middle of the edge ``src → dst`` is drawn."""
        return tuple(self.root.evaluate(f"""root => {{
          const path = root.querySelector('.lab-edge-hit[data-edge="{src}→{dst}"]');
          const point = path.getPointAtLength(path.getTotalLength() / 2);
          const m = path.getScreenCTM();
          return [point.x * m.a + point.y * m.c + m.e, point.x * m.b + point.y * m.d + m.f];
        }}"""))

    def graph_point(self, fx: float, fy: float) -> tuple[float, float]:
        """A point of the graph's area, as fractions of its width and height."""
        box = self.part(".lab-graph-area").bounding_box()
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def open_voila_app(voila, new_page) -> LabPage:
    """A new page on the Voilà app, the lab drawn; ``shown.requests`` collects the URL of every
    request the page makes (from before it opens)."""
    page = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(voila.page_url(), timeout=120_000)
    shown = LabPage(page)
    shown.requests = requests
    shown.root.wait_for(state="visible", timeout=60_000)
    shown.wait_until("the step counter", lambda: STEP.search(shown.status()), timeout=60)
    shown.wait_until("a boundary painted", lambda: shown.paints() > 0, timeout=30)
    return shown


# -- a notebook in JupyterLab -------------------------------------------------------------------
def _panel_js(notebook: str) -> str:
    """JS: the JupyterLab panel showing ``notebook`` (a path from the server's root), or null."""
    return f"""() => {{
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return panel && panel.context && panel.context.path === {json.dumps(notebook)} ? panel : null;
}}"""


def notebook_state(page, notebook: str) -> dict:
    """Whether ``notebook`` is open, its kernel's status, and each code cell's execution count."""
    return page.evaluate(f"""() => {{
      const panel = ({_panel_js(notebook)})();
      if (!panel) return {{open: false}};
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
      return {{open: true, kernel: kernel ? kernel.status : null,
               connected: kernel ? kernel.connectionStatus === 'connected' : false,
               counts: cells.map(cell => cell.model.executionCount)}};
    }}""")


def kernel_output(page, code: str, notebook: str = LAB_NOTEBOOK) -> str:
    """Run ``code`` in the kernel of ``notebook`` (outside its history); its output."""
    return page.evaluate(f"""async (code) => {{
      const kernel = ({_panel_js(notebook)})().sessionContext.session.kernel;
      const future = kernel.requestExecute({{code, store_history: false}});
      let out = '';
      future.onIOPub = msg => {{
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += msg.content.traceback.join('\\n');
      }};
      await future.done;
      return out;
    }}""", code)


def wait_for_notebook(page, notebook: str, what: str, condition, timeout: float) -> dict:
    """Poll the notebook's state until ``condition(state)``; a dialog in the way (such as
    "Select Kernel", which the settings should prevent) is accepted."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = notebook_state(page, notebook)
        except Exception as error:  # (the page navigating: JupyterLab's ?reset redirects)
            if "context was destroyed" not in str(error):
                raise
            state = {"open": False}
        if condition(state):
            return state
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.click()
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}: {state}"
        time.sleep(0.2)


def open_in_jupyterlab(page, server, notebook: str = LAB_NOTEBOOK,
                       app_path: str = "lab/tree") -> LabPage:
    """Open ``notebook`` in JupyterLab (``server`` started with ``expose_app_in_browser``; in
    Jupyter Notebook 7, ``app_path="notebooks"``), run all its cells in a fresh kernel, and
    return the lab it shows once a boundary is painted."""
    query = "reset" if app_path == "lab/tree" else ""
    page.goto(server.page_url(f"{app_path}/{notebook}", query), timeout=90_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
    wait_for_notebook(page, notebook, "the notebook's kernel to be ready",
                      lambda s: s["open"] and s["connected"] and s["kernel"] == "idle",
                      timeout=90)
    # run all cells; the command's promise is not awaited (it ends when the cells do)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_for_notebook(page, notebook, "every cell to run",
                      lambda s: s["counts"] and None not in s["counts"] and s["kernel"] == "idle",
                      timeout=120)
    shown = LabPage(page, ".jp-OutputArea-output")
    shown.root.wait_for(state="visible", timeout=30_000)
    shown.wait_until("a boundary painted", lambda: shown.paints() > 0, timeout=30)
    return shown


LAPTOP = {"width": 1366, "height": 768}
"""A student's laptop: the screen the lab is made for (with JupyterLab's file browser open)."""


def open_on_a_laptop(page, server, notebook: str = LAB_NOTEBOOK) -> LabPage:
    """``open_in_jupyterlab`` at 1366×768 with the file browser open (as students have it),
    the lab scrolled to."""
    page.set_viewport_size(LAPTOP)
    shown = open_in_jupyterlab(page, server, notebook)
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    time.sleep(0.8)  # (the layout follows the narrower notebook)
    shown.root.evaluate("el => el.scrollIntoView({block: 'start'})")
    time.sleep(0.3)
    return shown


# -- a student on the class's JupyterHub (deploy/hub) --------------------------------------------
KERNEL_IDLE_JS = """() => {
  const bar = document.querySelector('#jp-main-statusbar');
  return bar !== null && /\\|\\s*Idle/.test(bar.textContent);
}"""


def log_in_to_hub(page, hub_url: str, name: str, password: str) -> None:
    """Log in on the hub's login page as a student does; the hub then starts their server and
    sends the page to it (not waited for here)."""
    page.goto(hub_url + "hub/login", timeout=60_000)
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")


def run_the_first_cell(page, timeout: float = 180) -> LabPage:
    """In the JupyterLab a student landed in: once the notebook's kernel is idle, click its
    first cell and press Shift+Enter, as a student does; the lab it shows, once painted."""
    page.wait_for_url("**/user/*/lab/**", timeout=timeout * 1000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout * 1000)
    page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
    page.keyboard.press("Shift+Enter")
    shown = LabPage(page, ".jp-OutputArea-output")
    shown.root.wait_for(state="visible", timeout=timeout * 1000)
    shown.wait_until("a boundary painted", lambda: shown.paints() > 0, timeout=60)
    return shown
