"""The students' pages of ``bench_classroom.py``: opening N of them (on the Voilà app, or through
the class's JupyterHub: log in, run the lab notebook's first cell), reading each lab in its page
(frames painted, the step shown, Pause timed on the page's clock), and closing them.

Each student is a browser context of their own (their own cookies: N visitors, N kernels).
"""

from __future__ import annotations

import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "browser"))  # what a student does, as the tests do it
from labpage import log_in_to_hub, run_the_first_cell  # noqa: E402

VIEWPORT = {"width": 1600, "height": 1000}


# -- in the page ------------------------------------------------------------------------------
# Installed once per page: window.labnetBench.probe() reads the paint counter, the step shown
# and the page's clock; armPause() records a click on Play/Pause and the step changes after it.
PAGE_JS = r"""
() => {
  if (window.labnetBench) return true;
  const lab = () => document.querySelector('.labnet-lab');
  const stepOf = () => {
    const status = lab() && lab().querySelector('.lab-status');
    const m = status && status.textContent.match(/\bstep\s+([\d,]+)/);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };
  let srcChanges = 0, observed = null;
  const bench = {
    stepOf,
    probe() {
      const root = lab();
      const attr = root && (root.labnetPaints !== undefined ? String(root.labnetPaints)
                            : root.getAttribute('data-paints'));
      if (attr === null && root && observed === null) {  // a front end without data-paints
        const img = root.querySelector('img.lab-boundary');
        if (img) {
          observed = new MutationObserver(records => {
            srcChanges += records.filter(r => r.attributeName === 'src').length;
          });
          observed.observe(img, {attributes: true, attributeFilter: ['src']});
        }
      }
      const status = root && root.querySelector('.lab-status');
      return {t: performance.now() / 1000, step: stepOf(),
              paints: attr !== null ? Number(attr) : srcChanges,
              paintsFrom: attr !== null ? 'data-paints' : 'img src',
              status: status ? status.textContent : null};
    },
    armPause() {
      const button = lab().querySelector('.lab-play');
      const record = {clickedAt: null, lastChange: null, pausedAt: null};
      button.addEventListener('click', () => { record.clickedAt = performance.now(); },
                              {capture: true, once: true});
      let last = stepOf();
      const status = lab().querySelector('.lab-status');
      const observer = new MutationObserver(() => {
        if (record.clickedAt === null) return;
        const step = stepOf();
        if (step !== last) { record.lastChange = performance.now(); last = step; }
        if (record.pausedAt === null && /paused/.test(status.textContent)) {
          record.pausedAt = performance.now();
        }
      });
      observer.observe(status, {subtree: true, childList: true, characterData: true});
      bench.pauseRecord = () => {
        observer.disconnect();
        const since = t => (t === null || record.clickedAt === null) ? null
                           : (t - record.clickedAt) / 1000;
        return {clicked: record.clickedAt !== null,
                stoppedAfter: record.lastChange === null ? 0 : since(record.lastChange),
                pausedShownAfter: since(record.pausedAt),
                status: status.textContent};
      };
    },
  };
  window.labnetBench = bench;
  return true;
}
"""


@dataclass
class Visitor:
    """One student: a browser context with one page on the app or in their JupyterLab."""

    context: object
    page: object
    kernel_id: str | None = None
    name: str = ""

    def play_label(self) -> str:
        return self.page.locator(".labnet-lab .lab-play").first.inner_text().strip()

    def probe(self) -> dict:
        self.page.evaluate(PAGE_JS)
        return self.page.evaluate("() => window.labnetBench.probe()")


def page_kernel_id(page) -> str | None:
    """The kernel Voilà started for this page (its page config's ``kernelId``)."""
    return page.evaluate("""() => {
      const el = document.getElementById('jupyter-config-data');
      try { return el ? JSON.parse(el.textContent).kernelId || null : null; }
      catch (e) { return null; }
    }""")


def open_visitors(browser, url: str, n: int, timeout: float) -> list[Visitor]:
    """N new contexts, each with a page on ``url``; returns once every lab shows a step
    counter and a Play button."""
    visitors = []
    for _ in range(n):
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(timeout * 1000)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        visitors.append(Visitor(context, page))
    deadline = time.monotonic() + timeout
    for visitor in visitors:
        left = max(1.0, deadline - time.monotonic())
        play = visitor.page.locator(".labnet-lab .lab-play").first
        play.wait_for(state="visible", timeout=left * 1000)
        visitor.page.wait_for_function(
            """() => { const s = document.querySelector('.labnet-lab .lab-status');
                       return s && /\\bstep\\s+\\d+/.test(s.textContent); }""",
            timeout=max(1.0, deadline - time.monotonic()) * 1000)
        visitor.kernel_id = page_kernel_id(visitor.page)
    return visitors


def open_students(browser, hub_url: str, n: int, password: str, timeout: float,
                  first: int = 0) -> list[Visitor]:
    """N students (student-<first>, ...) logging in on the hub at once; returns once each has
    run the lab notebook's first cell in their JupyterLab and their lab has painted."""
    students = []
    for number in range(first, first + n):
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(timeout * 1000)
        page = context.new_page()
        students.append(Visitor(context, page, name=f"student-{number}"))
        log_in_to_hub(page, hub_url, students[-1].name, password)
    for student in students:
        run_the_first_cell(student.page, timeout=timeout)
    return students


def close_visitors(visitors: list[Visitor]) -> None:
    for visitor in visitors:
        with suppress(Exception):  # a page that crashed is closed already
            visitor.page.close(run_before_unload=True)  # as a student closing the tab
    time.sleep(0.5)  # let beforeunload's beacons leave before the contexts go
    for visitor in visitors:
        with suppress(Exception):
            visitor.context.close()
