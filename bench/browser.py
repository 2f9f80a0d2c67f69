"""What a user feels: the dashboard in Chromium (Debian's build, Playwright), timed until the coverage map's
municipality polygons are drawn, each figure beside a floor measured in the same run.

Figures (seconds, medians over repeats):
  new_session_s    warm server, new browser context: navigation start until the home map's polygons are drawn
                   (returning_visitor_s: the same in a second tab of that context, browser cache warm)
  static_floor_s   the same map HTML (built by the bench from the same folium map object the page builds),
                   opened as a static file from a local HTTP server in the same browser: the floor for drawing it
  streamlit_floor_s  an empty Streamlit page (bench/floors/empty.py, one line of text), served like the dashboard,
                   new context on a warm server until its text is drawn: what Streamlit's frontend costs by itself
  component_floor_s  a Streamlit page with only the home map through streamlit-folium, as ui.widgets.show_map shows
                   it (bench/floors/component.py), until its polygons are drawn: Streamlit + streamlit-folium + our
                   map; new_session_s minus this is what the dashboard adds
  filter_change_s  a province chosen in the sidebar until the new map's polygons are drawn; its floor is the static
                   file of that province's map
  page_switch_s    Overzicht -> Dekking in the sidebar until Dekking's map is drawn (floor: static_floor_s)
  cold_start_s     server process start until the first map is drawn in a browser (baseline: new_session_s)

"Drawn" is the moment Leaflet has put the expected number of municipality paths (path.leaflet-interactive) into
the map's document: a MutationObserver in the page (also watching the map's iframe) reports it with the
browser's clock, so the polling of this script does not add to the figure. Every non-local request is aborted
(tests/conftest.py local_only), the flags are tests/conftest.py CHROMIUM_FLAGS. The 1-minute load average is
recorded with every sample: other people use the same 2 cores.

    python bench/browser.py [--quick] [--json]         # or: python bench/run.py --only browser --json
    python bench/browser.py --new-session [--quick]    # only the new session and its three floors
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
import functools
import http.server
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

VIEWPORT = {"width": 1440, "height": 900}
DRAW_TIMEOUT_S = 120.0
PROVINCES = ("Limburg", "Antwerpen", "West-Vlaanderen", "Oost-Vlaanderen", "Vlaams-Brabant")
TARGETS = {"new_session_s_max": 1.5, "new_session_vs_floor_max": 2.0, "filter_change_s_max": 0.3,
           "page_switch_s_max": 1.0, "cold_start_s_max": 5.0}

# Runs in every page of a context. Reports (count, time, which document) whenever the set of municipality paths
# in the page or in one of its same-origin iframes (streamlit-folium's component) changes. The iframes are
# watched from the top page because Playwright's init scripts do not reach a component iframe's document.
WATCH_JS = """
(() => {
  if (window.top !== window || window.__rkWatching) return;
  window.__rkWatching = true;
  let nextId = 0;
  const report = (event) => window.__rkDrawn(event);  // exposed by DrawWatch before this script is added
  const watchDocument = (doc, where) => {
    if (!doc || doc.__rkWatched) return;
    doc.__rkWatched = true;
    const id = where + ':' + (nextId++);
    let last = -1, first = null, textSeen = false;
    const check = () => {
      const paths = doc.querySelectorAll('path.leaflet-interactive');
      const head = paths[0] || null;  // null, not undefined, when there is none: a page without paths reports once
      if (paths.length !== last || head !== first) {
        last = paths.length; first = head;
        report({n: last, t: Date.now(), doc: id});
      }
      if (!textSeen) {  // the empty Streamlit floor (bench/floors/empty.py): its one line of text
        for (const element of doc.querySelectorAll('[data-testid="stMarkdownContainer"]')) {
          if (element.textContent.includes('FLOOR_TEXT')) {
            textSeen = true;
            report({n: -1, text: true, t: Date.now(), doc: id});
            break;
          }
        }
      }
    };
    new MutationObserver(check).observe(doc, {childList: true, subtree: true});
    check();
  };
  const watchFrame = (frame) => {
    if (frame.__rkWatched) return;
    frame.__rkWatched = true;
    const attach = () => { try { watchDocument(frame.contentDocument, 'iframe'); } catch (error) {} };
    frame.addEventListener('load', attach);
    attach();
  };
  const scan = () => document.querySelectorAll('iframe').forEach(watchFrame);
  new MutationObserver(scan).observe(document, {childList: true, subtree: true});
  document.addEventListener('pointerdown', () => { window.__rkPointerDown = Date.now(); }, true);
  watchDocument(document, 'top');
})();
""".replace("FLOOR_TEXT", "Regiekaart-vloer")  # the text of bench/floors/empty.py


@functools.lru_cache(maxsize=1)
def _conftest():
    """tests/conftest.py, for CHROMIUM_FLAGS, chromium_path and is_local_url (one definition for tests and bench)."""
    spec = importlib.util.spec_from_file_location("regiekaart_conftest", PROJECT_ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class CpuMeter:
    """CPU seconds (user + system) spent by the Chromium processes and by the server's process tree.

    Wall-clock figures on a shared machine grow with other people's load; CPU time much less: beside each wall
    figure the CPU it cost shows whether the browser or the server did the work."""

    def __init__(self):
        self.server_pid: int | None = None

    @staticmethod
    def _tree_cpu(processes) -> float:
        import psutil

        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def snapshot(self) -> tuple[float, float]:
        import psutil

        children = psutil.Process().children(recursive=True)
        browser = [p for p in children if _is_chromium(p)]
        server = []
        if self.server_pid is not None:
            try:
                root = psutil.Process(self.server_pid)
                server = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                server = []
        return self._tree_cpu(browser), self._tree_cpu(server)

    def since(self, before: tuple[float, float]) -> dict:
        after = self.snapshot()
        return {"browser_cpu_s": round(after[0] - before[0], 3), "server_cpu_s": round(after[1] - before[1], 3)}


def _is_chromium(process) -> bool:
    try:
        return "chrom" in process.name()
    except Exception:
        return False


CPU = CpuMeter()


# --- drawing watch --------------------------------------------------------------------------------------------

class DrawWatch:
    """Collects the path-count reports of every page of a browser context."""

    def __init__(self, context):
        self.events: list[dict] = []
        context.expose_binding("__rkDrawn", lambda source, event: self.events.append(event))
        context.add_init_script(WATCH_JS)
        context.route("**/*", self._local_only)

    @staticmethod
    def _local_only(route):
        # tests/conftest.py local_only: map tiles from the internet would make the figures depend on the network.
        if _conftest().is_local_url(route.request.url):
            route.continue_()
        else:
            route.abort()

    def drawn_at(self, page, count: int | None, since_ms: float, timeout_s: float = DRAW_TIMEOUT_S) -> float:
        """Browser time (ms since the epoch) at which `count` paths were first drawn after `since_ms`; with `count`
        None, at which the empty floor's text (bench/floors/empty.py) was."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in self.events:
                if event["t"] >= since_ms and (event.get("text") if count is None else event["n"] == count):
                    return event["t"]
            page.wait_for_timeout(25)  # lets Playwright deliver the reports
        seen = [(e["n"], round(e["t"] - since_ms)) for e in self.events if e["t"] >= since_ms]
        raise TimeoutError(f"{count} paths not drawn within {timeout_s} s; seen (count, ms): {seen[-10:]}")


def _new_context(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
    return context, DrawWatch(context)


def _navigation_start(page) -> float:
    return page.evaluate("() => performance.timeOrigin")


# --- what the page draws ----------------------------------------------------------------------------------------

def expected_paths(query: str = "") -> int:
    """Municipalities the coverage map draws for a filter URL (the dashboard's own filter function)."""
    from analysis.datasets import bundled_view
    from analysis.filters import Selection, selected_municipalities

    params = {key: values[0] for key, values in parse_qs(query).items()}
    view = bundled_view(params.get("schema", "regie-2020-2025"), params.get("versie", "2019"))
    mask = selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   Selection(province=params.get("provincie", "alle")), view.regions)
    return int(mask.sum())


# The home page's map as dashboard.home shows it: its streamlit-folium key (default scheme, 2019) and height.
HOME_MAP_KEY = "home-map-regie-2020-2025-2019"
HOME_MAP_HEIGHT = 500


def home_map(province: str | None = None):
    """The home page's coverage map (a `ui.webmap.RegieMap`), built as the page builds it (dashboard.home)."""
    from analysis.datasets import bundled_view
    from analysis.filters import Selection, selected_municipalities
    from geodata import vocabulary
    from geodata.weblayer import web_layer
    from ui import state, widgets
    from ui.webmap import coverage_map

    view = bundled_view(vocabulary.SCHEME_REGIE, "2019")
    mask = selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   Selection(province=province or state.ALL), view.regions)
    return coverage_map(view, web_layer("2019"), mask, source=widgets.source_line(view), title="Dekking")


def static_map_html(province: str | None = None) -> str:
    """The home page's coverage map as one HTML document (the static floor)."""
    return home_map(province).get_root().render()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def static_site(maps: dict[str, str]):
    """A local HTTP server on 127.0.0.1 with the given map pages and Leaflet at the dashboard's /app/static path."""
    from ui.webmap import install_leaflet_assets

    with tempfile.TemporaryDirectory(prefix="regiekaart-floor-") as root:
        install_leaflet_assets(Path(root) / "app" / "static")
        for name, text in maps.items():
            (Path(root) / name).write_text(text, encoding="utf-8")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=root))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


# --- server-side messages seen by the browser -------------------------------------------------------------------

class SocketLog:
    """The Streamlit websocket of a page as the browser sees it: reruns sent, runs finished, bytes received."""

    def __init__(self, page):
        self.sent_reruns: list[float] = []
        self.finished: list[float] = []
        self.received_bytes = 0
        self.map_args_bytes = 0
        page.on("websocket", self._attach)

    def _attach(self, socket):
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        if message.WhichOneof("type") == "rerun_script":
            self.sent_reruns.append(time.time() * 1000)

    def _received(self, payload):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        data = payload if isinstance(payload, bytes) else payload.encode()
        self.received_bytes += len(data)
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.finished.append(time.time() * 1000)
        elif kind == "delta" and message.delta.new_element.WhichOneof("type") == "component_instance":
            self.map_args_bytes += len(message.delta.new_element.component_instance.json_args)

    def server_ms_after(self, since_ms: float) -> float | None:
        """Time from `since_ms` until the first run finished after it (as received by this script, +- 25 ms)."""
        later = [t for t in self.finished if t >= since_ms]
        return min(later) - since_ms if later else None

    def reruns_after(self, since_ms: float) -> int:
        return sum(t >= since_ms for t in self.sent_reruns)


# --- the figures ------------------------------------------------------------------------------------------------

def _open_home(browser, base_url: str, query: str, count: int, returning: bool = False) -> dict:
    """A new context opening the home page; seconds from navigation start until `count` paths are drawn.
    With `returning`, a second tab of the same context (browser cache warm, a new Streamlit session) is timed too:
    a returning visitor."""
    context, watch = _new_context(browser)
    try:
        page = context.new_page()
        socket = SocketLog(page)
        cpu = CPU.snapshot()
        before = time.time() * 1000
        page.goto(f"{base_url}/?{query}" if query else f"{base_url}/", wait_until="commit")
        start = _navigation_start(page)
        drawn = watch.drawn_at(page, count, before)
        sample = {"seconds": (drawn - start) / 1000, "drawn_ms": drawn, "server_ms": socket.server_ms_after(before),
                  "reruns": socket.reruns_after(before), "received_bytes": socket.received_bytes,
                  "map_args_bytes": socket.map_args_bytes, "load": _load(), **CPU.since(cpu)}
        if returning:
            page.wait_for_timeout(1000)
            second = context.new_page()
            before = time.time() * 1000
            second.goto(f"{base_url}/?{query}" if query else f"{base_url}/", wait_until="commit")
            start = _navigation_start(second)
            sample["returning_seconds"] = (watch.drawn_at(second, count, before) - start) / 1000
        return sample
    finally:
        context.close()


def _open_static(browser, url: str, count: int, cpu_samples: list | None = None) -> float:
    context, watch = _new_context(browser)
    try:
        page = context.new_page()
        cpu = CPU.snapshot()
        before = time.time() * 1000
        page.goto(url, wait_until="commit")
        start = _navigation_start(page)
        seconds = (watch.drawn_at(page, count, before) - start) / 1000
        if cpu_samples is not None:
            cpu_samples.append(CPU.since(cpu)["browser_cpu_s"])
        return seconds
    finally:
        context.close()


def _choose(page, label: str, option: str) -> float:
    """Choose `option` in the sidebar selectbox `label`; returns the browser time of the click on the option."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    return page.evaluate("() => window.__rkPointerDown")


def measure_filter_changes(browser, base_url: str, provinces, counts: dict[str, int]) -> list[dict]:
    """One context on the home page; the province changes one after the other."""
    context, watch = _new_context(browser)
    samples = []
    try:
        page = context.new_page()
        socket = SocketLog(page)
        before = time.time() * 1000
        page.goto(f"{base_url}/")
        watch.drawn_at(page, counts["alle"], before)
        page.wait_for_timeout(1500)  # the page settles (streamlit-folium's extra run)
        for province in provinces:
            cpu = CPU.snapshot()
            clicked = _choose(page, "Provincie", province)
            drawn = watch.drawn_at(page, counts[province], clicked)
            samples.append({"province": province, "seconds": (drawn - clicked) / 1000,
                            "server_ms": socket.server_ms_after(clicked), "reruns": socket.reruns_after(clicked),
                            "load": _load(), **CPU.since(cpu)})
            page.wait_for_timeout(1500)
    finally:
        context.close()
    return samples


def measure_page_switches(browser, base_url: str, repeats: int, count: int) -> list[dict]:
    samples = []
    for _ in range(repeats):
        context, watch = _new_context(browser)
        try:
            page = context.new_page()
            socket = SocketLog(page)
            before = time.time() * 1000
            page.goto(f"{base_url}/")
            watch.drawn_at(page, count, before)
            page.wait_for_timeout(1500)
            cpu = CPU.snapshot()
            page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Dekking", exact=True).click()
            clicked = page.evaluate("() => window.__rkPointerDown")
            drawn = watch.drawn_at(page, count, clicked)
            page.wait_for_selector("h1:has-text('Dekking')", timeout=30_000)
            samples.append({"seconds": (drawn - clicked) / 1000, "server_ms": socket.server_ms_after(clicked),
                            "reruns": socket.reruns_after(clicked), "load": _load(), **CPU.since(cpu)})
        finally:
            context.close()
    return samples


FLOOR_APPS = {"streamlit_floor": "bench/floors/empty.py", "component_floor": "bench/floors/component.py"}


def measure_floor_app(browser, script: str, count: int | None, repeats: int) -> list[dict]:
    """New sessions on a warm server of a floor app (bench/floors): seconds from navigation start until its
    content is drawn (`count` map paths; None: the empty page's text), with Chromium's and the server's CPU.
    The server is started for this, warmed by one session that is not counted, and stopped."""
    from bench.server import start

    server = start(script=script)
    CPU.server_pid = server.pid
    try:
        _open_home(browser, server.base_url, "", count)  # warm-up: imports, caches, the first run of the process
        return [_open_home(browser, server.base_url, "", count) for _ in range(repeats)]
    finally:
        server.stop()


def measure_cold_start(browser, count: int, extra_env: dict | None = None) -> tuple[dict, object]:
    """Start a server, open the home page as soon as it answers; returns the sample and the (running) server."""
    from bench.server import start

    server = start(extra_env, poll_s=0.02)
    CPU.server_pid = server.pid
    try:
        sample = _open_home(browser, server.base_url, "", count)
    except BaseException:
        server.stop()
        raise
    return {"seconds": sample["drawn_ms"] / 1000 - server.started_at, "ready_s": server.ready_s,
            "first_map_after_ready_s": sample["seconds"], "server_ms": sample["server_ms"], "load": _load(),
            "browser_cpu_s": sample["browser_cpu_s"], "server_cpu_first_map_s": sample["server_cpu_s"]}, server


def measure_browser(repeats: int = 5, cold_repeats: int = 3, extra_env: dict | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    conftest = _conftest()
    executable = conftest.chromium_path()
    if executable is None:
        return {"available": False, "note": "geen Chromium (apt-get install chromium)"}
    counts = {"alle": expected_paths(""), **{p: expected_paths(f"provincie={p}") for p in PROVINCES}}
    maps = {"home.html": static_map_html(), **{f"{p}.html": static_map_html(p) for p in PROVINCES}}
    changes = [PROVINCES[i % len(PROVINCES)] for i in range(repeats)]
    load_start = _load()
    with sync_playwright() as playwright, static_site(maps) as site:
        browser = playwright.chromium.launch(executable_path=executable, args=conftest.CHROMIUM_FLAGS)
        server = None
        try:
            cold = []
            for number in range(cold_repeats):
                sample, server = measure_cold_start(browser, counts["alle"], extra_env)
                cold.append(sample)
                if number < cold_repeats - 1:
                    server.stop()
            sessions, floors, floor_cpu = [], [], []
            for _ in range(repeats):  # interleaved, so a change in the machine's load moves both
                sessions.append(_open_home(browser, server.base_url, "", counts["alle"], returning=True))
                floors.append(_open_static(browser, f"{site}/home.html", counts["alle"], floor_cpu))
            filter_changes = measure_filter_changes(browser, server.base_url, changes, counts)
            filter_floors = [_open_static(browser, f"{site}/{p}.html", counts[p]) for p in changes]
            switches = measure_page_switches(browser, server.base_url, repeats, counts["alle"])
            server.stop()
            server = None
            # The floors of a new session, one server at a time: Streamlit alone, then Streamlit + streamlit-folium.
            floor_apps = {"streamlit_floor": measure_floor_app(browser, FLOOR_APPS["streamlit_floor"], None, repeats),
                          "component_floor": measure_floor_app(browser, FLOOR_APPS["component_floor"],
                                                               counts["alle"], repeats)}
        finally:
            if server is not None:
                server.stop()
            browser.close()
    new_session = _median([s["seconds"] for s in sessions])
    floor = _median(floors)
    filter_change = _median([s["seconds"] for s in filter_changes])
    filter_floor = _median(filter_floors)
    page_switch = _median([s["seconds"] for s in switches])
    cold_start = _median([s["seconds"] for s in cold])
    streamlit_floor = _median([s["seconds"] for s in floor_apps["streamlit_floor"]])
    component_floor = _median([s["seconds"] for s in floor_apps["component_floor"]])
    result = {
        "available": True,
        "new_session_s": new_session,
        "static_floor_s": floor,
        "new_session_vs_floor": new_session / floor,
        # What a new session costs without the dashboard: an empty Streamlit page until its text is drawn, and a
        # page with only the same map through streamlit-folium until its polygons are (bench/floors).
        "streamlit_floor_s": streamlit_floor,
        "component_floor_s": component_floor,
        "new_session_above_component_floor_s": new_session - component_floor,
        "returning_visitor_s": _median([s["returning_seconds"] for s in sessions]),
        "filter_change_s": filter_change,
        "filter_change_floor_s": filter_floor,
        "page_switch_s": page_switch,
        "page_switch_vs_floor": page_switch / floor,
        "cold_start_s": cold_start,
        "cold_start_vs_new_session": cold_start / new_session,
        "server_ms": {  # until the run finished, as received by this script (+- 25 ms)
            "new_session": _median([s["server_ms"] for s in sessions]),
            **{name: _median([s["server_ms"] for s in samples]) for name, samples in floor_apps.items()},
            "filter_change": _median([s["server_ms"] for s in filter_changes]),
            "page_switch": _median([s["server_ms"] for s in switches]),
        },
        "cpu_s": {  # CPU seconds per action: less sensitive to other people's load than the wall time
            "new_session": {"browser": _median([s["browser_cpu_s"] for s in sessions]),
                            "server": _median([s["server_cpu_s"] for s in sessions])},
            "static_floor": {"browser": _median(floor_cpu)},
            **{name: {"browser": _median([s["browser_cpu_s"] for s in samples]),
                      "server": _median([s["server_cpu_s"] for s in samples])}
               for name, samples in floor_apps.items()},
            "filter_change": {"browser": _median([s["browser_cpu_s"] for s in filter_changes]),
                              "server": _median([s["server_cpu_s"] for s in filter_changes])},
            "page_switch": {"browser": _median([s["browser_cpu_s"] for s in switches]),
                            "server": _median([s["server_cpu_s"] for s in switches])},
        },
        "reruns_per_action": {
            "new_session": _median([s["reruns"] for s in sessions]),
            "filter_change": _median([s["reruns"] for s in filter_changes]),
            "page_switch": _median([s["reruns"] for s in switches]),
        },
        "websocket_bytes_new_session": _median([s["received_bytes"] for s in sessions]),
        "websocket_bytes_component_floor": _median([s["received_bytes"] for s in floor_apps["component_floor"]]),
        "map_args_bytes_new_session": _median([s["map_args_bytes"] for s in sessions]),
        "paths": counts,
        "samples": {"new_session": sessions, "static_floor_s": floors, "filter_change": filter_changes,
                    "filter_change_floor_s": filter_floors, "page_switch": switches, "cold_start": cold,
                    **floor_apps},
        "repeats": repeats,
        "cold_repeats": cold_repeats,
        "load_average": {"start": load_start, "end": _load(), "cpus": os.cpu_count()},
        "targets": TARGETS,
    }
    result["meets_target"] = (new_session <= TARGETS["new_session_s_max"]
                              and new_session / floor <= TARGETS["new_session_vs_floor_max"]
                              and filter_change <= TARGETS["filter_change_s_max"]
                              and page_switch <= TARGETS["page_switch_s_max"]
                              and cold_start <= TARGETS["cold_start_s_max"])
    return result


def measure_new_sessions(repeats: int = 5) -> dict:
    """Only the new session beside its three floors (static file, empty Streamlit page, the map alone through
    streamlit-folium), each warm, one server at a time: a shorter run for working on the new session."""
    from playwright.sync_api import sync_playwright

    from bench.server import start

    conftest = _conftest()
    count = expected_paths("")
    load_start = _load()
    with sync_playwright() as playwright, static_site({"home.html": static_map_html()}) as site:
        browser = playwright.chromium.launch(executable_path=conftest.chromium_path(), args=conftest.CHROMIUM_FLAGS)
        try:
            server = start()
            CPU.server_pid = server.pid
            try:
                _open_home(browser, server.base_url, "", count)  # warm-up
                sessions, static_cpu, floors = [], [], []
                for _ in range(repeats):
                    sessions.append(_open_home(browser, server.base_url, "", count))
                    floors.append(_open_static(browser, f"{site}/home.html", count, static_cpu))
            finally:
                server.stop()
            apps = {"streamlit_floor": measure_floor_app(browser, FLOOR_APPS["streamlit_floor"], None, repeats),
                    "component_floor": measure_floor_app(browser, FLOOR_APPS["component_floor"], count, repeats)}
        finally:
            browser.close()

    def summary(samples):
        return {"s": _median([s["seconds"] for s in samples]),
                "browser_cpu_s": _median([s["browser_cpu_s"] for s in samples]),
                "server_cpu_s": _median([s["server_cpu_s"] for s in samples]),
                "server_ms": _median([s["server_ms"] for s in samples]),
                "reruns": _median([s["reruns"] for s in samples]),
                "received_bytes": _median([s["received_bytes"] for s in samples])}

    return {"new_session": summary(sessions), "static_floor": {"s": _median(floors),
                                                               "browser_cpu_s": _median(static_cpu)},
            **{name: summary(samples) for name, samples in apps.items()},
            "samples": {"new_session": [round(s["seconds"], 3) for s in sessions],
                        **{name: [round(s["seconds"], 3) for s in samples] for name, samples in apps.items()}},
            "repeats": repeats, "load_average": {"start": load_start, "end": _load(), "cpus": os.cpu_count()}}


def format_browser(b: dict) -> list[str]:
    if not b.get("available"):
        return ["Browser (Chromium)", f"  not measured: {b['note']}"]
    t = b["targets"]
    server = b["server_ms"]
    reruns = b["reruns_per_action"]
    return [
        "Browser (Chromium, until the map's polygons are drawn; medians of "
        f"{b['repeats']}, cold start of {b['cold_repeats']})",
        f"  new session (warm server) {b['new_session_s']:>8.2f} s   (target <= {t['new_session_s_max']}) "
        f"x{b['new_session_vs_floor']:.1f} of the floor (target <= {t['new_session_vs_floor_max']}); "
        f"server run {server['new_session'] or 0:.0f} ms, {reruns['new_session']} rerun(s)",
        f"  static map file (floor)   {b['static_floor_s']:>8.2f} s   (baseline)",
        f"  empty Streamlit page      {b['streamlit_floor_s']:>8.2f} s   (floor: Streamlit alone)",
        f"  only the map, st_folium   {b['component_floor_s']:>8.2f} s   (floor: Streamlit + streamlit-folium); "
        f"the dashboard adds {b['new_session_above_component_floor_s']:.2f} s",
        f"  returning visitor         {b['returning_visitor_s']:>8.2f} s   (new tab, browser cache warm)",
        f"  filter change (province)  {b['filter_change_s']:>8.2f} s   (target <= {t['filter_change_s_max']}) "
        f"floor {b['filter_change_floor_s']:.2f} s; server run {server['filter_change'] or 0:.0f} ms, "
        f"{reruns['filter_change']} rerun(s)",
        f"  page switch -> Dekking    {b['page_switch_s']:>8.2f} s   (target <= {t['page_switch_s_max']}) "
        f"x{b['page_switch_vs_floor']:.1f} of the floor; server run {server['page_switch'] or 0:.0f} ms, "
        f"{reruns['page_switch']} rerun(s)",
        f"  cold start (process->map) {b['cold_start_s']:>8.2f} s   (target <= {t['cold_start_s_max']}) "
        f"x{b['cold_start_vs_new_session']:.1f} of a warm new session",
        "  CPU per action (browser / server): " + ", ".join(
            f"{name} {values.get('browser') or 0:.2f} / {values.get('server') or 0:.2f} s"
            for name, values in b["cpu_s"].items()),
        f"  websocket per new session {b['websocket_bytes_new_session']:>10,.0f} bytes, of which map "
        f"{b['map_args_bytes_new_session']:,.0f}",
        f"  1-min load average {b['load_average']['start']} -> {b['load_average']['end']} "
        f"on {b['load_average']['cpus']} CPUs",
    ]


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two repeats, one cold start (a smoke run)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--new-session", action="store_true",
                        help="only the new session and its floors (static file, empty Streamlit page, map alone)")
    args = parser.parse_args(argv)
    if args.new_session:
        print(json.dumps(measure_new_sessions(2 if args.quick else 5), indent=2, default=str))
        return 0
    result = measure_browser(repeats=2, cold_repeats=1) if args.quick else measure_browser()
    print(json.dumps(result, indent=2, default=str) if args.json else "\n".join(format_browser(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
