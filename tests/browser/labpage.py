"""What a user sees of the lab in a browser page, and what they do to it.

``LabPage`` wraps a Playwright page showing a ``labnet.lab.Lab`` (in JupyterLab or in Voilà) and
finds everything by the lab's CSS classes (``labnet-lab``, ``lab-step``, ``lab-status``, ...),
never by layout. Pictures are compared by their pixels (screenshots of the ``img`` elements).
"""

from __future__ import annotations

import re
import time

LAB_NOTEBOOK = "notebooks/02-lab.ipynb"  # the notebook that shows the lab, from the repository
numbers: dict[str, str] = {}  # measurements, printed at the end of the run
STEP = re.compile(r"\bstep\s+(\d+)")

# In-page helpers, defined once per page: the step number shown in the status, and counters of
# what changes in the page (image sources, status steps), with the time of each change.
INSTALL_JS = """
() => {
  if (window.labnetProbe) return;
  const lab = () => document.querySelector('.labnet-lab');
  const stepOf = () => {
    const status = lab() && lab().querySelector('.lab-status');
    const m = status && status.textContent.match(/\\bstep\\s+(\\d+)/);
    return m ? Number(m[1]) : null;
  };
  window.labnetProbe = {
    stepOf,
    // count src changes and loads of an image, and step changes of the status, for `ms`
    watch(imageClass, ms) {
      const img = lab().querySelector('img.' + imageClass);
      const status = lab().querySelector('.lab-status');
      const out = {srcChanges: 0, loads: 0, steps: [], seconds: 0};
      const t0 = performance.now();
      const onLoad = () => { out.loads += 1; };
      const srcObserver = new MutationObserver(records => {
        out.srcChanges += records.filter(r => r.attributeName === 'src').length;
      });
      const statusObserver = new MutationObserver(() => {
        const step = stepOf();
        const last = out.steps.length ? out.steps[out.steps.length - 1][1] : null;
        if (step !== last) out.steps.push([(performance.now() - t0) / 1000, step]);
      });
      out.steps.push([0, stepOf()]);
      img.addEventListener('load', onLoad);
      srcObserver.observe(img, {attributes: true, attributeFilter: ['src']});
      statusObserver.observe(status, {subtree: true, childList: true, characterData: true});
      return new Promise(resolve => setTimeout(() => {
        srcObserver.disconnect(); statusObserver.disconnect();
        img.removeEventListener('load', onLoad);
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


class LabPage:
    """A page that shows one lab. ``scope`` is a CSS selector of what contains it."""

    def __init__(self, page, scope: str = "") -> None:
        self.page = page
        self.root = page.locator(f"{scope} .labnet-lab".strip()).first

    def part(self, css: str):
        return self.root.locator(css).first

    def install_probe(self) -> None:
        self.page.evaluate(INSTALL_JS)

    # -- reading --------------------------------------------------------------------------------
    def status(self) -> str:
        return self.part(".lab-status").inner_text()

    def step(self) -> int:
        match = STEP.search(self.status())
        assert match, f"no step counter in the status: {self.status()!r}"
        return int(match.group(1))

    def message(self) -> str:
        return self.part(".lab-message").inner_text().strip()

    def play_label(self) -> str:
        return self.part(".lab-play").inner_text().strip()

    def src(self, name: str) -> str:
        return self.part(f"img.lab-{name}").get_attribute("src") or ""

    def pixels(self, name: str) -> bytes:
        """A screenshot of the view's image: what the user sees of it."""
        self.reveal(f"img.lab-{name}")
        return self.part(f"img.lab-{name}").screenshot(animations="disabled")

    def wait_image_loaded(self, name: str, timeout: float = 30.0) -> None:
        self.part(f"img.lab-{name}").wait_for(state="visible", timeout=timeout * 1000)
        self.page.wait_for_function(
            """(cls) => { const img = document.querySelector('.labnet-lab img.' + cls);
                          return img && img.complete && img.naturalWidth > 0; }""",
            arg=f"lab-{name}", timeout=timeout * 1000)

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

    def wait_src_change(self, name: str, old_src: str, timeout: float = 10.0) -> None:
        self.wait_until(f"a new {name} picture", lambda: self.src(name) != old_src, timeout)
        self.wait_image_loaded(name, timeout)

    # -- doing ----------------------------------------------------------------------------------
    def reveal(self, css: str) -> None:
        """If the part ``css`` is on a hidden page of a tab widget, click that page's tab (as a
        user would), from the outermost tab widget in."""
        for _ in range(5):  # tabs in tabs
            index = self.part(css).evaluate("""el => {
              let found = -1;
              for (let node = el; node && !node.classList.contains('labnet-lab');
                   node = node.parentElement) {
                const parent = node.parentElement;
                if (parent && parent.classList.contains('widget-tab-contents')
                    && node.classList.contains('lm-mod-hidden')) {
                  document.querySelectorAll('[data-labnet-reveal]').forEach(
                    tab => tab.removeAttribute('data-labnet-reveal'));
                  parent.parentElement.setAttribute('data-labnet-reveal', '');
                  found = Array.from(parent.children).indexOf(node);
                }
              }
              return found;  // the outermost hidden page's index, or -1
            }""")
            if index < 0:
                return
            self.page.locator("[data-labnet-reveal] > .widget-tab-bar li.lm-TabBar-tab").nth(
                index).click()

    def click(self, css: str) -> None:
        self.reveal(css)
        self.part(css).click()

    def choose(self, css: str, label: str, timeout: float = 10.0) -> None:
        """Pick the option shown as ``label`` in the dropdown with class ``css``."""
        self.reveal(css)
        select = self.part(f"{css} select")
        try:
            self.wait_until(f"option {label!r} in {css}",
                            lambda: label in self.options(css), timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; its options: {self.options(css)}") from None
        select.select_option(index=self.options(css).index(label))

    def options(self, css: str) -> list[str]:
        """The labels of the options of the dropdown with class ``css`` (ipywidgets shows their
        spaces as no-break spaces; here they are plain spaces again)."""
        return self.part(f"{css} select").evaluate(
            "s => Array.from(s.options).map(o => o.textContent.replace(/\\u00a0/g, ' '))")

    def play(self) -> None:
        if "Pause" not in self.play_label():
            self.click(".lab-play")
        self.wait_until("the Play button turning into Pause",
                        lambda: "Pause" in self.play_label())

    def pause(self) -> None:
        if "Pause" in self.play_label():
            self.click(".lab-play")
        self.wait_until("the Pause button turning into Play", lambda: "Play" in self.play_label())
        self.wait_until("the status saying paused", lambda: "paused" in self.status())

    def watch(self, name: str, seconds: float) -> dict:
        """Count, in the page, new sources and loads of a view's image and the status's steps."""
        self.install_probe()
        return self.page.evaluate(f"() => window.labnetProbe.watch('lab-{name}', "
                                  f"{int(seconds * 1000)})")

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


def open_voila_app(voila, new_page) -> LabPage:
    """A new page on the Voilà app: every cell of the notebook run, the lab's pictures
    loaded."""
    page = new_page()
    page.goto(voila.page_url(), timeout=120_000)
    shown = LabPage(page)
    shown.root.wait_for(state="visible", timeout=60_000)
    for name in ("boundary", "curves", "gradients", "graph"):
        shown.wait_image_loaded(name)
    shown.wait_until("the notebook's lab.step(100)", lambda: shown.step() >= 100, timeout=30)
    return shown
