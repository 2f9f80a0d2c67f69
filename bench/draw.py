"""Time until the home map's polygons are drawn in a real browser (Debian's Chromium through Playwright).

    python bench/draw.py [--runs 7] [--json]

Starts the dashboard on a free loopback port, then opens the home page `--runs` times, each in a fresh browser
context (nothing cached in the browser; the server is warm after a first, unreported load). A script in every
frame notes the moment the Leaflet iframe holds the 300 municipality paths; the figure is that moment minus the
top page's navigation start (both on the browser's clock), and its median. Requests leaving the machine (map
tiles) are aborted, as in the browser tests.

    python bench/draw.py --save-html /tmp/before.html        # in another checkout (e.g. main)
    python bench/draw.py --standalone /tmp/before.html /tmp/after.html [--runs 15]

The browser's own share: a coverage map's standalone HTML (as `bench/run.py`'s payload figure measures it),
served from memory, from navigation start until its 300 paths are drawn; no server involved. Several maps
take turns, so a change in the machine's load affects them alike.
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
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


def standalone_drawn_ms(browser, html: str, runs: int = 15) -> list[float]:
    """Milliseconds from navigation start until the map's 300 paths are drawn, for a map's standalone HTML
    served from memory (Leaflet from XStatic-Leaflet): the browser's own share, without the server."""
    import xstatic.pkg.leaflet as xstatic_leaflet

    leaflet = Path(xstatic_leaflet.BASE_DIR)
    url = "http://regiekaart.test/map.html"

    def serve(route):
        name = route.request.url.rsplit("/", 1)[-1]
        if route.request.url == url:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif name in ("leaflet.js", "leaflet.css"):
            route.fulfill(path=str(leaflet / name))
        else:
            route.abort()

    samples = []
    for _ in range(runs + 1):  # the first load warms the browser up
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        try:
            context.route("**/*", serve)
            context.add_init_script(NOTE_WHEN_DRAWN)
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("() => window.__rkDrawnAt !== undefined", timeout=60_000)
            samples.append(page.evaluate("() => window.__rkDrawnAt - performance.timeOrigin"))
        finally:
            context.close()
    return samples[1:]


def home_map_html() -> str:
    """The home page's coverage map of this tree as standalone HTML (what the payload figure measures)."""
    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map

    view = bundled_view("regie-2020-2025", "2019")
    return coverage_map(view, web_layer("2019"), None, source="Bron: bench", title="Dekking").get_root().render()


def measure_standalone(htmls: dict[str, str], runs: int = 15) -> dict:
    """`standalone_drawn_ms` of each named HTML, the maps taking turns (one load each per round), so a change of
    the machine's load affects every map alike."""
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[float]] = {name: [] for name in htmls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=_conftest().CHROMIUM_FLAGS)
        try:
            for name, html in htmls.items():
                standalone_drawn_ms(browser, html, 0)  # warm-up
            for _ in range(runs):
                for name, html in htmls.items():
                    samples[name].append(standalone_drawn_ms(browser, html, 1)[0])
        finally:
            browser.close()
    return {name: {"html_bytes": len(htmls[name].encode("utf-8")), "drawn_ms": statistics.median(values),
                   "min_ms": min(values), "samples_ms": [round(value, 1) for value in values]}
            for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--standalone", nargs="*", metavar="HTML",
                        help="only standalone map HTML served from memory (no Streamlit server): this tree's home "
                             "map, or the given files (e.g. saved by --save-html in another checkout), in turns")
    parser.add_argument("--save-html", metavar="FILE", help="write this tree's home map HTML to FILE and stop")
    arguments = parser.parse_args()
    if arguments.save_html:
        Path(arguments.save_html).write_text(home_map_html(), encoding="utf-8")
        return
    if arguments.standalone is not None:
        htmls = ({path: Path(path).read_text(encoding="utf-8") for path in arguments.standalone}
                 if arguments.standalone else {"this tree": home_map_html()})
        figures = measure_standalone(htmls, arguments.runs)
        if arguments.json:
            print(json.dumps(figures, indent=2))
        for name, figure in figures.items():
            if not arguments.json:
                print(f"{name} ({figure['html_bytes']:,} bytes): drawn after {figure['drawn_ms']:.0f} ms "
                      f"(median of {len(figure['samples_ms'])}, fastest {figure['min_ms']:.0f})")
        return
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
