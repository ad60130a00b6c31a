"""Take the README's picture of the lab from the real app: Voilà serving notebooks/02-lab.ipynb,
opened in headless Chromium, trained a little through its own buttons.

    .venv/bin/python docs/screenshot.py [--out docs/lab.png] [--epochs 15]

Needs Debian's Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "lab.png"))
    parser.add_argument("--epochs", type=int, default=15, help="clicks on Epoch before the shot")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryFile() as log:
        voila = subprocess.Popen(
            [sys.executable, "-m", "voila", "notebooks/02-lab.ipynb", "--no-browser",
             f"--port={port}", "--Voila.ip=127.0.0.1"], cwd=ROOT, stdout=log, stderr=log)
        try:
            shoot(port, args)
        finally:
            voila.terminate()
            voila.wait(timeout=30)
    print(f"wrote {args.out}")


def shoot(port: int, args) -> None:
    """Open the app, train it through its Epoch button, and take the picture."""
    deadline = time.time() + 90
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            if time.time() > deadline:
                raise SystemExit("Voilà did not start") from None
            time.sleep(0.3)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 800})
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.wait_for_selector(".labnet-lab img.lab-boundary", timeout=120_000)
        for _ in range(args.epochs):
            page.click(".labnet-lab .lab-epoch")
            page.wait_for_timeout(150)
        page.wait_for_timeout(1500)
        page.locator(".labnet-lab").first.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
