"""Shared fixtures: a Streamlit server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_configure(config):
    # A page error is shown as a Dutch message (ui.errors) and, in tests, raised again: every AppTest and
    # browser test that checks for exceptions keeps seeing them. Tests of the production behaviour unset it.
    os.environ.setdefault("REGIEKAART_STRICT_ERRORS", "1")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("REGIEKAART_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_log(port: int) -> Path:
    """Where the dashboard started by `start_streamlit` on `port` writes its output (kept for a failing CI run)."""
    return ARTIFACTS / f"streamlit-{port}.log"


def start_streamlit(extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on a free loopback port; returns the process and its base URL.

    Its output goes to a file, not a pipe: nobody reads a pipe while the tests run, and a full pipe would block
    the server.
    """
    port = _free_port()
    env = {**os.environ, "MPLBACKEND": "Agg", **(extra_env or {})}
    ARTIFACTS.mkdir(exist_ok=True)
    with open(server_log(port), "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    # Behind a reverse proxy at a sub-path, Streamlit answers its health check below that path too.
    base_path = env.get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
    health_path = (f"/{base_path}" if base_path else "") + "/_stcore/health"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}{health_path}", timeout=2) as response:
                if response.status == 200:
                    return process, base_url
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            break
    process.kill()
    process.wait(timeout=10)
    output = server_log(port).read_text(errors="replace")
    raise RuntimeError(f"Streamlit did not start on {base_url}:\n{output[-3000:]}")


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory):
    # Scenarios saved by browser tests go to a throwaway database, never to the user's own (REGIEKAART_DB).
    database = tmp_path_factory.mktemp("scenario-store") / "scenarios.sqlite"
    process, base_url = start_streamlit({"REGIEKAART_DB": str(database)})
    yield base_url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def chromium():
    """A Playwright Chromium browser (Debian's build); skipped without it unless CI requires it."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("REGIEKAART_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (REGIEKAART_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def is_local_url(url: str) -> bool:
    """True for the dashboard on this machine and for in-page data; False for e.g. openstreetmap.org tiles."""
    from urllib.parse import urlparse

    return url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in ("127.0.0.1", "localhost")


def local_only(context):
    """Abort every request of a browser context that leaves this machine (the maps' background tiles).

    Tests must not depend on the network: where a name lookup hangs instead of failing, tile requests would
    hold up the page's load event and the map.
    """
    context.route("**/*", lambda route: route.continue_() if is_local_url(route.request.url) else route.abort())
    return context


@pytest.fixture
def page(chromium):
    """A page in a fresh local-only browser context, 1400 x 1000 px, Dutch (Belgium)."""
    context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE"))
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def leaflet_frame(page, timeout_s: float = 120):
    """The iframe holding the Leaflet map, once its municipality paths are drawn."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector("path.leaflet-interactive"):
                    return frame
            except Exception:  # a frame may be detached while Streamlit re-renders
                continue
        time.sleep(0.5)
    raise AssertionError("no Leaflet map with paths appeared")


@pytest.fixture
def deferred():
    """What each download button of an AppTest run would give: file name -> the callable Streamlit defers."""
    from ui.compat import deferred_downloads

    with deferred_downloads() as files:
        yield files


@pytest.fixture
def printed_specs(monkeypatch, deferred):
    """Like `deferred`, but a print button's callable returns its PrintMap instead of rendering a PNG."""
    monkeypatch.setattr("analysis.printmap.export_png", lambda spec, dpi=300: spec)
    return deferred


def feature_properties(fmap) -> list[dict]:
    """The properties of every feature of every GeoJSON layer of a `ui.webmap.RegieMap` (its `layers`)."""
    import folium

    return [feature["properties"] for layer in fmap.layers if isinstance(layer, folium.GeoJson)
            for feature in layer.data["features"]]
