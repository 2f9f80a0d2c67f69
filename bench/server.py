"""A Regiekaart server for the benchmarks: started on a free 127.0.0.1 port, timed from process start, measured
(RSS of the process tree) and always stopped.

The server runs as in production: REGIEKAART_STRICT_ERRORS is switched off (the test suite switches it on), so an
error shows the Dutch message that bench/load.py counts.
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log_path: Path
    started_at: float  # time.time() just before the process was started
    ready_at: float = 0.0  # time.time() when /_stcore/health first answered 200
    extra_env: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def ready_s(self) -> float:
        return self.ready_at - self.started_at

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(extra_env: dict | None = None, poll_s: float = 0.05, script: str = "dashboard.py") -> Server:
    """Start `streamlit run <script>` (the dashboard; the browser bench's floors are other scripts, run from the
    project root with the same options) and wait until its health endpoint answers (polled every `poll_s`)."""
    port = free_port()
    env = {**os.environ, "MPLBACKEND": "Agg", "REGIEKAART_STRICT_ERRORS": "0", **(extra_env or {})}
    log_path = Path(tempfile.gettempdir()) / f"regiekaart-bench-{port}.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
        started_at = time.time()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log_path, started_at, extra_env=dict(extra_env or {}))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    server.ready_at = time.time()
                    return server
        except OSError:
            time.sleep(poll_s)
    server.stop()
    raise RuntimeError(f"Streamlit did not start on {server.base_url}:\n"
                       f"{log_path.read_text(errors='replace')[-3000:]}")


class TreeMemorySampler:
    """RSS of a process and all its descendants; `with sampler:` samples every `interval_s` in a thread."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.samples: list[tuple[float, int]] = []  # (time.monotonic(), bytes)

    def rss_bytes(self) -> int:
        import psutil

        total = 0
        for process in [self._root, *self._root.children(recursive=True)]:
            try:
                total += process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process tree so far."""
        import psutil

        total = 0.0
        for process in [self._root, *self._root.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.rss_bytes()))
            self._stop.wait(self._interval)

    def __enter__(self) -> "TreeMemorySampler":
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.samples.append((time.monotonic(), self.rss_bytes()))

    @property
    def peak_bytes(self) -> int:
        return max((rss for _, rss in self.samples), default=0)
