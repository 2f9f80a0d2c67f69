"""Server capacity without browsers: sessions that speak Streamlit's own websocket protocol.

A browser would put its own CPU (layout, Leaflet, 12 renderers on 2 cores) into the figure; these sessions only
send what the browser sends and read what the server answers, so the time per rerun is the server's.

How the browser talks to Streamlit (frontend/connection/src/WebsocketConnection.tsx in the Streamlit repository;
streamlit/web/server/starlette/starlette_websocket.py in the installed package):

- one websocket to ``/_stcore/stream``, subprotocols ``["streamlit", <xsrf cookie or "PLACEHOLDER_AUTH_TOKEN">]``
  (a third entry, the previous session id, only when reconnecting);
- binary protobuf frames. The browser sends ``BackMsg``; a run is ``rerun_script`` with a ``ClientState``: the
  URL's ``query_string``, the ``page_name`` of the URL path (or the ``page_script_hash`` of a page) and the current
  ``widget_states`` (a selectbox or radio sends the chosen option as shown, in ``string_value``);
- the server answers with ``ForwardMsg``: ``new_session``, ``delta`` (the page's elements, each with its
  ``delta_path``), ``page_info_changed`` (the query string the page wrote), ``script_finished``.

A run ends at the ``script_finished`` that is not ``FINISHED_EARLY_FOR_RERUN`` (the first run of a new server
reruns itself once, see ui.compat.leave_legacy_pages_mode). A run has an error when the page holds an
exception element or one of the Dutch error messages of ui/errors.py. What a browser does on top (the
streamlit-folium component sends its value back after drawing, which may cost one more rerun) is not emulated:
these figures are the server's time per run.

Bounded: every wait has a timeout, the number of sessions is given, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

RUN_TIMEOUT_S = 180.0
CONNECT_TIMEOUT_S = 30.0
LEVELS = (10, 25, 50)
PROVINCES = ("Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen")


def _errors_titles() -> tuple[str, ...]:
    from ui.errors import TITLES

    return TITLES


@dataclass
class Widget:
    id: str
    kind: str  # "selectbox", "radio" or "checkbox"
    value: object  # what the widget shows: set by the server, else kept by the browser, else the default
    options: list[str]
    set_by_server: bool = True


@dataclass
class Run:
    """What one run of the page showed, as the server sent it."""

    seconds: float = 0.0
    outcome: str = "finished"  # "finished", "timeout", "closed", "compile_error"
    exceptions: list[str] = field(default_factory=list)
    error_messages: list[str] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)  # by label
    metrics: dict[str, str] = field(default_factory=dict)  # label -> value as shown
    texts: list[str] = field(default_factory=list)  # markdown, captions, alerts, headings
    query_string: str | None = None  # as written by the page (page_info_changed), None when not sent
    received_bytes: int = 0
    messages: int = 0

    @property
    def errors(self) -> int:
        """Exception elements, Dutch error messages, and a run that did not finish (timeout, closed): each one."""
        return (len([e for e in self.exceptions if not e.startswith("connection closed")])
                + len(self.error_messages) + (self.outcome != "finished"))


class Session:
    """One visitor: a websocket to the server, runs of the page, widget changes."""

    def __init__(self, base_url: str, timeout_s: float = RUN_TIMEOUT_S):
        host = urlparse(base_url).hostname
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"load sessions only talk to this machine, not {host}")
        self.url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.websocket = None
        self.query_string = ""
        self.page_name = ""
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}
        self._sent: dict[str, object] = {}  # widget id -> the value sent with the last run

    async def connect(self) -> None:
        import websockets

        # Like a browser: no keepalive pings of our own (a browser answers the server's pings but sends none);
        # with them, a server busy for 40 s would see every session closed by this client.
        self.websocket = await asyncio.wait_for(websockets.connect(
            self.url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], max_size=None,
            open_timeout=CONNECT_TIMEOUT_S, ping_interval=None), CONNECT_TIMEOUT_S)

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
            self.websocket = None

    async def __aenter__(self) -> "Session":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def open(self, query: str = "", page_name: str = "") -> Run:
        """Like typing the URL ``/<page_name>?<query>``: the first run of a new session."""
        self.query_string, self.page_name, self.page_script_hash = query, page_name, ""
        self.widgets, self._sent = {}, {}
        return await self._run({})

    async def change(self, label: str, value: str) -> Run:
        """Like choosing `value` (the option as shown) in the widget labelled `label`."""
        widget = self.widgets[label]
        if value not in widget.options:
            raise ValueError(f"{label}: {value!r} is not one of {widget.options}")
        return await self._run({widget.id: value})

    def _client_state(self, overrides: dict):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = "" if self.page_script_hash else self.page_name
        for widget in self.widgets.values():
            value = overrides.get(widget.id, widget.value)
            self._sent[widget.id] = value
            if value is None:
                continue
            proto = state.widget_states.widgets.add()
            proto.id = widget.id
            if widget.kind == "checkbox":
                proto.bool_value = bool(value)
            else:
                proto.string_value = str(value)
        return message

    async def _run(self, overrides: dict) -> Run:
        import websockets
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run()
        start = time.perf_counter()
        await self.websocket.send(self._client_state(overrides).SerializeToString())
        deadline = time.monotonic() + self.timeout_s
        titles = _errors_titles()
        widgets: dict[str, Widget] = {}
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    run.outcome = "timeout"
                    break
                raw = await asyncio.wait_for(self.websocket.recv(), remaining)
                run.received_bytes += len(raw)
                run.messages += 1
                message = ForwardMsg()
                message.ParseFromString(raw)
                kind = message.WhichOneof("type")
                if kind == "new_session":
                    self.page_script_hash = message.new_session.page_script_hash
                    widgets, run.exceptions, run.error_messages, run.texts, run.metrics = {}, [], [], [], {}
                elif kind == "page_info_changed":
                    run.query_string = message.page_info_changed.query_string
                    self.query_string = run.query_string
                elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    _read_element(message.delta.new_element, run, widgets, titles)
                elif kind == "script_finished":
                    status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                    if status == "FINISHED_EARLY_FOR_RERUN":
                        continue  # the server starts the run again by itself
                    if status == "FINISHED_WITH_COMPILE_ERROR":
                        run.outcome = "compile_error"
                    break
        except asyncio.TimeoutError:
            run.outcome = "timeout"
        except (OSError, websockets.ConnectionClosed) as error:  # counted as an error of this run
            run.outcome = "closed"
            run.exceptions.append(f"connection closed: {error}")
        run.seconds = time.perf_counter() - start
        if widgets:
            # Like the browser: a widget the server did not set keeps the value the browser sent for it.
            for widget in widgets.values():
                if not widget.set_by_server and widget.id in self._sent:
                    widget.value = self._sent[widget.id]
            self.widgets = widgets
        run.widgets = dict(self.widgets)
        return run


def _read_element(element, run: Run, widgets: dict, titles: tuple[str, ...]) -> None:
    kind = element.WhichOneof("type")
    if kind == "exception":
        run.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
    elif kind == "alert":
        run.texts.append(element.alert.body)
        if element.alert.body.lstrip("*").startswith(titles):
            run.error_messages.append(element.alert.body[:300])
    elif kind in ("markdown", "heading"):
        run.texts.append(getattr(element, kind).body)
    elif kind == "metric":
        run.metrics[element.metric.label] = element.metric.body
    elif kind in ("selectbox", "radio"):
        proto = getattr(element, kind)
        options = list(proto.options)
        if proto.set_value:
            value = proto.raw_value
        else:
            value = options[proto.default] if proto.HasField("default") and options else None
        widgets[proto.label] = Widget(proto.id, kind, value, options, proto.set_value)
    elif kind == "checkbox":
        proto = element.checkbox
        widgets[proto.label] = Widget(proto.id, kind, proto.value if proto.set_value else proto.default, [],
                                      proto.set_value)


def run_async(coroutine, timeout_s: float):
    """Run a coroutine to its end in a thread of its own: the caller may already run an event loop (synchronous
    Playwright does, e.g. in the test suite)."""
    import threading

    outcome: dict = {}

    def target():
        try:
            outcome["result"] = asyncio.run(asyncio.wait_for(coroutine, timeout_s))
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="load-sessions", daemon=True)
    thread.start()
    thread.join(timeout_s + 30)
    if thread.is_alive():
        raise TimeoutError(f"the sessions did not finish within {timeout_s} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# --- scenarios ------------------------------------------------------------------------------------------------

def filter_urls(count: int, seed: int = 16) -> list[tuple[str, str]]:
    """`count` different (page name, query string) pairs: home page and Dekking, schemes, versions, provinces,
    centre-city filters. The same seed gives the same list."""
    combinations = []
    for scheme in ("", "schema=referentieregio"):
        for version in ("", "versie=2025"):
            for province in ("", *(f"provincie={p}" for p in PROVINCES)):
                for centre in ("", "centrumstad=met", "centrumstad=zonder"):
                    for page in ("", "dekking"):
                        query = "&".join(part for part in (scheme, version, province, centre) if part)
                        combinations.append((page, query))
    random.Random(seed).shuffle(combinations)
    if count > len(combinations):
        raise ValueError(f"at most {len(combinations)} different filter URLs")
    return combinations[:count]


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share  # linear interpolation between closest ranks
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_s": percentile(seconds, 0.5), "p95_s": percentile(seconds, 0.95),
            "max_s": max(seconds) if seconds else None}


WARM_UP_QUERIES = ("", "versie=2025", "schema=referentieregio", "schema=referentieregio&versie=2025")


async def warm_up(base_url: str, queries=WARM_UP_QUERIES) -> int:
    """One session per (scheme, version) on both map pages, one after the other: the shared caches are filled
    before anything is measured. Returns the number of errors seen."""
    errors = 0
    for query in queries:
        for page in ("", "dekking"):
            async with Session(base_url) as session:
                errors += (await session.open(query, page)).errors
    return errors


class _Gate:
    """Visitors report when their runs are in, then stay connected until the gate opens."""

    def __init__(self):
        self.arrived = 0
        self.open = asyncio.Event()
        self.deadline = 0.0  # the soak's end, set when every visitor has arrived


async def _visitor(base_url: str, page: str, query: str, number: int, gate: _Gate) -> dict:
    """Open a filter URL, change the province, then stay connected until every visitor is done."""
    record = {"page": page, "query": query, "runs": [], "errors": 0, "error_texts": []}
    try:
        async with Session(base_url) as session:
            opened = await session.open(query, page)
            record["runs"].append(("open", opened.seconds, opened.errors))
            record["error_texts"] += opened.exceptions + opened.error_messages
            province = session.widgets.get("Provincie")
            if province is not None and opened.outcome == "finished":
                choices = [option for option in province.options if option != province.value]
                changed = await session.change("Provincie", choices[number % len(choices)])
                record["runs"].append(("change", changed.seconds, changed.errors))
                record["error_texts"] += changed.exceptions + changed.error_messages
            else:
                record["runs"].append(("change", None, 1))
                record["error_texts"].append(f"{query}: no province filter after {opened.outcome}")
            record["errors"] = sum(errors for _, _, errors in record["runs"])
            gate.arrived += 1
            await gate.open.wait()
    except Exception as error:  # could not connect, or the connection broke
        record["errors"] += 1
        record["error_texts"].append(f"{type(error).__name__}: {error}")
    return record


async def _level(base_url: str, sessions: int, sampler) -> dict:
    gate = _Gate()
    tasks = [asyncio.create_task(_visitor(base_url, page, query, number, gate))
             for number, (page, query) in enumerate(filter_urls(sessions))]
    while gate.arrived + sum(task.done() for task in tasks) < sessions:
        await asyncio.sleep(0.1)
    rss_connected = sampler.rss_bytes()  # every visitor still connected, both runs done
    gate.open.set()
    return {"records": await asyncio.gather(*tasks), "rss_connected": rss_connected}


def measure_level(sessions: int, extra_env: dict | None = None, warm_up_queries=WARM_UP_QUERIES) -> dict:
    """A fresh server, warmed up; then `sessions` visitors at once, each opening its own filter URL and
    changing the province. Server RSS before and with everyone connected, time per run, errors."""
    from bench.server import TreeMemorySampler, start

    with start(extra_env) as server:
        warm_errors = run_async(warm_up(server.base_url, warm_up_queries), RUN_TIMEOUT_S * 8)
        sampler = TreeMemorySampler(server.pid)
        time.sleep(1.0)
        rss_before = sampler.rss_bytes()
        cpu_before, client_cpu_before, wall_start = sampler.cpu_seconds(), time.process_time(), time.monotonic()
        load_before = os.getloadavg()[0]
        with sampler:
            outcome = run_async(_level(server.base_url, sessions, sampler), RUN_TIMEOUT_S * 2 + 60)
        wall = time.monotonic() - wall_start
        server_cpu, client_cpu = sampler.cpu_seconds() - cpu_before, time.process_time() - client_cpu_before
    records = outcome["records"]
    opens = [s for r in records for kind, s, _ in r["runs"] if kind == "open" and s is not None]
    changes = [s for r in records for kind, s, _ in r["runs"] if kind == "change" and s is not None]
    mb = 1024 * 1024
    return {
        "sessions": sessions,
        "errors": sum(record["errors"] for record in records),
        "error_examples": [text for record in records for text in record["error_texts"]][:5],
        "warm_up_errors": warm_errors,
        "open": _summary(opens),
        "change": _summary(changes),
        "all_runs": _summary(opens + changes),
        "wall_s": wall,
        "rss_before_mb": rss_before / mb,
        "rss_connected_mb": outcome["rss_connected"] / mb,
        "rss_peak_mb": sampler.peak_bytes / mb,
        "rss_per_session_mb": (outcome["rss_connected"] - rss_before) / mb / sessions,
        "server_cpu_s": server_cpu,
        "client_cpu_s": client_cpu,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
    }


def measure_load(levels=LEVELS, warm_up_queries=WARM_UP_QUERIES) -> dict:
    targets = {"errors_at_50": 0, "p95_s_at_25_max": 2.0, "rss_per_session_mb_max": 20.0}
    results = [measure_level(sessions, warm_up_queries=warm_up_queries) for sessions in levels]
    by_size = {row["sessions"]: row for row in results}
    meets = (all(row["errors"] == 0 for row in results)
             and (25 not in by_size or (by_size[25]["all_runs"]["p95_s"] or 1e9) < targets["p95_s_at_25_max"])
             and all(row["rss_per_session_mb"] < targets["rss_per_session_mb_max"] for row in results))
    return {"levels": results, "targets": targets, "meets_target": meets}


# --- soak ---------------------------------------------------------------------------------------------------

SOAK_WIDGETS = ("Provincie", "Centrumstad", "Referentieregio", "Samenwerkingsverband", "Indeling", "Gemeentegrenzen")


async def _soak_visitor(base_url: str, page: str, query: str, think_s: tuple[float, float], rng: random.Random,
                        gate: _Gate) -> dict:
    record = {"runs": [], "errors": 0, "error_texts": []}
    arrived = False
    try:
        async with Session(base_url) as session:
            run = await session.open(query, page)
            record["runs"].append(run.seconds)
            record["errors"] += run.errors
            gate.arrived += 1
            arrived = True
            await gate.open.wait()
            while time.monotonic() < gate.deadline:
                await asyncio.sleep(rng.uniform(*think_s))
                label = rng.choice([label for label in SOAK_WIDGETS if label in session.widgets])
                widget = session.widgets[label]
                choices = [option for option in widget.options if option != widget.value]
                if not choices:
                    continue
                run = await session.change(label, rng.choice(choices))
                record["runs"].append(run.seconds)
                record["errors"] += run.errors
                record["error_texts"] += run.exceptions + run.error_messages
                if run.outcome != "finished":
                    record["error_texts"].append(f"{label}: {run.outcome}")
                    break
    except Exception as error:
        record["errors"] += 1
        record["error_texts"].append(f"{type(error).__name__}: {error}")
    finally:
        if not arrived:
            gate.arrived += 1
    return record


def measure_soak(duration_s: float = 600.0, sessions: int = 10, think_s: tuple[float, float] = (0.5, 2.0),
                 seed: int = 16, extra_env: dict | None = None, warm_up_queries=WARM_UP_QUERIES) -> dict:
    """`sessions` visitors change filters at random for `duration_s` (after all have opened their page, with
    a think time between changes); errors and server RSS growth from then to the end."""
    from bench.server import TreeMemorySampler, start

    async def scenario(base_url, sampler):
        rng = random.Random(seed)
        gate = _Gate()
        tasks = [asyncio.create_task(_soak_visitor(base_url, page, query, think_s, random.Random(rng.random()),
                                                   gate))
                 for page, query in filter_urls(sessions, seed)]
        while gate.arrived < sessions:
            await asyncio.sleep(0.1)
        baseline = (time.monotonic(), sampler.rss_bytes())
        gate.deadline = time.monotonic() + duration_s
        gate.open.set()
        return await asyncio.gather(*tasks), baseline

    with start(extra_env) as server:
        warm_errors = run_async(warm_up(server.base_url, warm_up_queries), RUN_TIMEOUT_S * 8)
        sampler = TreeMemorySampler(server.pid, interval_s=min(5.0, max(1.0, duration_s / 30)))
        load_before = os.getloadavg()[0]
        with sampler:
            records, baseline = run_async(scenario(server.base_url, sampler), duration_s + 2 * RUN_TIMEOUT_S + 60)
        final = sampler.rss_bytes()
    mb = 1024 * 1024
    samples = [(t - baseline[0], rss / mb) for t, rss in sampler.samples if t >= baseline[0]]
    timeline = [(round(t), round(rss, 1)) for t, rss in samples]
    runs = [seconds for record in records for seconds in record["runs"][1:]]
    # Start and end are medians of the first and the last tenth (at least 15 s): one sample may catch a run's
    # short-lived arrays.
    window = max(15.0, duration_s / 10)
    start_mb = statistics.median([rss for t, rss in samples if t <= window] or [baseline[1] / mb])
    end_mb = statistics.median([rss for t, rss in samples if t >= samples[-1][0] - window] or [final / mb])
    growth = (end_mb - start_mb) / start_mb * 100
    errors = sum(record["errors"] for record in records)
    return {
        "sessions": sessions,
        "duration_s": duration_s,
        "think_s": list(think_s),
        "changes": len(runs),
        "errors": errors,
        "error_examples": [text for record in records for text in record["error_texts"]][:5],
        "warm_up_errors": warm_errors,
        "change": _summary(runs),
        "rss_start_mb": start_mb,
        "rss_end_mb": end_mb,
        "rss_growth_pct": growth,
        "rss_window_s": window,
        "rss_peak_mb": sampler.peak_bytes / mb,
        "rss_timeline_mb": timeline[:: max(1, len(timeline) // 40)],
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "targets": {"rss_growth_pct_max": 10.0, "errors": 0},
        "meets_target": errors == 0 and growth < 10.0,
    }
