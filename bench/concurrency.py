"""Many people at once: browser contexts that each open the dashboard with their own filter URL.

Used by ``tests/test_concurrency.py`` (each context must see its own filters) and by ``bench/run.py`` (peak memory).
All traffic goes to a Streamlit server on 127.0.0.1 that this module starts (or that the caller started); the
number of sessions and every wait are bounded.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SESSION_TIMEOUT_S = 420.0
SETTLE_S = 2.0

# (query string, what it asks for); every context opens a different one.
QUERIES = (
    "",
    "provincie=Limburg",
    "provincie=Antwerpen",
    "provincie=West-Vlaanderen",
    "provincie=Oost-Vlaanderen",
    "provincie=Vlaams-Brabant",
    "centrumstad=46021",
    "centrumstad=met",
    "versie=2025",
    "schema=referentieregio",
    "schema=referentieregio&provincie=Limburg",
    "versie=2025&provincie=Antwerpen",
)


@functools.lru_cache(maxsize=1)
def _conftest():
    spec = importlib.util.spec_from_file_location("regiekaart_conftest", PROJECT_ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chromium_executable() -> str | None:
    for candidate in (os.environ.get("REGIEKAART_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass(frozen=True)
class Expectation:
    """What a context opening `query` must see: sidebar values and the number of municipalities drawn."""

    query: str
    sidebar: dict[str, str]
    paths: int


def expectation(query: str) -> Expectation:
    """Computed from the data itself, the same way the dashboard filters (no numbers typed in here)."""
    from urllib.parse import parse_qs

    from analysis.datasets import bundled_view
    from analysis.filters import Selection, selected_municipalities
    from pages import ui

    params = {key: values[0] for key, values in parse_qs(query).items()}
    scheme = params.get("schema", ui.SCHEME_REGIE)
    version = params.get("versie", "2019")
    province = params.get("provincie", ui.ALL)
    centre = params.get("centrumstad", ui.CENTRE_ANY)
    view = bundled_view(scheme, version)
    mask = selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   Selection(province=province, centre=centre), view.regions)
    sidebar = {
        "Indeling": ui.SCHEME_LABELS[scheme],
        "Gemeentegrenzen": ui.VERSION_LABELS[version],
        "Provincie": "Alle provincies" if province == ui.ALL else province,
        "Centrumstad": ui.centre_options(view)[centre],
    }
    return Expectation(query, sidebar, int(mask.sum()))


# --- memory -----------------------------------------------------------------------------------------------

class TreeMemorySampler:
    """Samples the RSS of a process and all its descendants every `interval_s` seconds in a thread."""

    def __init__(self, pid: int, interval_s: float = 0.1):
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.samples: list[int] = []

    def rss_bytes(self) -> int:
        import psutil

        total = 0
        for process in [self._root, *self._root.children(recursive=True)]:
            try:
                total += process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.rss_bytes())
            self._stop.wait(self._interval)

    def __enter__(self) -> "TreeMemorySampler":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.samples.append(self.rss_bytes())

    @property
    def peak_bytes(self) -> int:
        return max(self.samples) if self.samples else 0


# --- browser sessions -----------------------------------------------------------------------------------------

@dataclass
class SessionResult:
    query: str
    ok: bool = False
    error: str | None = None
    paths: int | None = None
    sidebar: dict[str, str] = field(default_factory=dict)
    exceptions: int = 0
    dialogs: list[str] = field(default_factory=list)
    url: str = ""
    seconds: float = 0.0


_SIDEBAR_VALUES_JS = """() => {
    const values = {};
    for (const box of document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"]')) {
        const label = box.querySelector('[data-testid="stWidgetLabel"]');
        const input = box.querySelector('input');
        if (label && input) { values[label.innerText.trim()] = input.value; }
    }
    for (const group of document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stRadio"]')) {
        const label = group.querySelector('[data-testid="stWidgetLabel"]');
        const checked = [...group.querySelectorAll('input[type=radio]')].find(input => input.checked);
        if (label && checked) { values[label.innerText.trim()] = checked.closest('label').innerText.trim(); }
    }
    return values;
}"""


async def _leaflet_frame(page, deadline: float):
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if await frame.query_selector("path.leaflet-interactive"):
                    return frame
            except Exception:  # a frame can be detached while Streamlit re-renders
                continue
        await asyncio.sleep(0.5)
    raise TimeoutError("no Leaflet map with paths appeared")


async def _settled_paths(page, deadline: float) -> int:
    """Number of interactive paths once it has not changed for SETTLE_S (Streamlit may draw twice)."""
    previous, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        frame = await _leaflet_frame(page, deadline)
        try:
            count = len(await frame.query_selector_all("path.leaflet-interactive"))
        except Exception:
            count = -1
        if count != previous:
            previous, since = count, time.monotonic()
        elif time.monotonic() - since >= SETTLE_S and count >= 0:
            return count
        await asyncio.sleep(0.25)
    raise TimeoutError("the number of map paths did not settle")


async def _one_session(browser, base_url: str, query: str, expected: Expectation | None) -> SessionResult:
    result = SessionResult(query)
    start = time.monotonic()
    deadline = start + SESSION_TIMEOUT_S
    context = await browser.new_context(viewport={"width": 1300, "height": 900}, locale="nl-BE")
    is_local = _conftest().is_local_url

    async def local_only(route):  # map tiles from the internet would make the figures depend on the network
        await (route.continue_() if is_local(route.request.url) else route.abort())

    await context.route("**/*", local_only)
    try:
        page = await context.new_page()
        page.on("dialog", lambda dialog: (result.dialogs.append(dialog.message),
                                          asyncio.ensure_future(dialog.dismiss())))
        await page.goto(f"{base_url}/?{query}" if query else f"{base_url}/", timeout=SESSION_TIMEOUT_S * 1000)
        while time.monotonic() < deadline:
            result.paths = await _settled_paths(page, deadline)
            result.sidebar = await page.evaluate(_SIDEBAR_VALUES_JS)
            if expected is None or (result.paths == expected.paths and all(
                    result.sidebar.get(key) == value for key, value in expected.sidebar.items())):
                break
            await asyncio.sleep(1.0)  # the page may still be between two renders: look again
        result.exceptions = await page.locator('[data-testid="stException"]').count()
        result.url = page.url
        result.ok = result.exceptions == 0 and not result.dialogs and (
            expected is None or (result.paths == expected.paths
                                 and all(result.sidebar.get(k) == v for k, v in expected.sidebar.items())))
    except Exception as error:  # reported per session; the caller asserts
        result.error = f"{type(error).__name__}: {error}"
    finally:
        result.seconds = time.monotonic() - start
        await context.close()
    return result


async def _all_sessions(base_url: str, queries, expectations, executable: str) -> list[SessionResult]:
    from playwright.async_api import async_playwright

    conftest = _conftest()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=conftest.CHROMIUM_FLAGS)
        try:
            return list(await asyncio.gather(*(
                _one_session(browser, base_url, query, expectations.get(query)) for query in queries)))
        finally:
            await browser.close()


def run_sessions(base_url: str, queries=QUERIES, expectations: dict | None = None,
                 executable: str | None = None) -> list[SessionResult]:
    """Open every query in its own browser context, all at the same time (async Playwright in its own
    thread, so it never meets a synchronous Playwright of the caller)."""
    executable = executable or chromium_executable()
    if executable is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    outcome: dict = {}

    def target():
        try:
            outcome["results"] = asyncio.run(_all_sessions(base_url, queries, expectations or {}, executable))
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="concurrency-sessions")
    thread.start()
    thread.join(timeout=SESSION_TIMEOUT_S + 120)
    if thread.is_alive():
        raise TimeoutError("the browser sessions did not finish in time")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["results"]


def _drain(stream) -> None:
    """Read a child's output so a full pipe can never block it."""
    if stream is None:
        return
    threading.Thread(target=lambda: [None for _ in iter(lambda: stream.read(65536), b"")], daemon=True).start()


def start_server(extra_env: dict | None = None):
    """Start the dashboard on a free loopback port (tests/conftest.py's helper); returns (process, base_url)."""
    process, base_url = _conftest().start_streamlit(extra_env)
    _drain(process.stdout)
    return process, base_url


def stop_server(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def measure(process, base_url: str, queries=QUERIES) -> dict:
    """Idle RSS, RSS after one warm-up session, then the sessions all at once with the peak RSS."""
    import psutil  # noqa: F401  (fail early with a clear ImportError)

    expectations = {query: expectation(query) for query in queries}
    sampler = TreeMemorySampler(process.pid)
    idle = sampler.rss_bytes()
    warmup = run_sessions(base_url, ("",), expectations)
    single = sampler.rss_bytes()
    start = time.monotonic()
    with sampler:
        results = run_sessions(base_url, queries, expectations)
    wall = time.monotonic() - start
    mb = 1024 * 1024
    return {
        "sessions": len(results),
        "sessions_ok": sum(result.ok for result in results),
        "idle_rss_mb": idle / mb,
        "after_one_session_rss_mb": single / mb,
        "peak_rss_mb": sampler.peak_bytes / mb,
        "wall_s": wall,
        "warmup_ok": all(result.ok for result in warmup),
        "results": [result.__dict__ for result in results],
        "expected": {query: {"paths": e.paths, "sidebar": e.sidebar} for query, e in expectations.items()},
    }


def run_concurrency_scenario(queries=QUERIES, extra_env: dict | None = None) -> dict:
    """Start a server, run :func:`measure`, stop the server."""
    process, base_url = start_server(extra_env)
    try:
        return measure(process, base_url, queries)
    finally:
        stop_server(process)
