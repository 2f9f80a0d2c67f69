"""Where the time goes: a Chromium performance trace of a new session, and a sampling profile of the server.

    python bench/profile.py            # browser trace and server profile (JSON)
    python bench/profile.py --options  # the same server workload with Streamlit options changed
    python bench/profile.py --scripts  # V8's profile of a new session per script file: dashboard, map-only floor

Browser: Chromium's own trace (Playwright ``browser.start_tracing``) of one new session on a warm server, from
navigation until the home map's polygons are drawn plus one second; the renderer main thread's time is split the
way DevTools does (scripting, style and layout, paint and composite, HTML parsing, garbage collection, other) and
attributed to the top page or the map's iframe. Beside it the bytes fetched per frame and received over the
websocket (of which the map's HTML), and CDP's Performance metrics.

Server: py-spy (requirements-dev.txt) samples every thread of the Streamlit process while sessions of
bench/load.py open the home page, change the province and open Dekking; the samples of the script threads are
summed per function (inclusive) and per library (where the time was spent).

Nothing here is a figure with a target; it is what bench/README.md's list of causes is made from.
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "toplevel",
                    "loading", "blink.user_timing"]

# DevTools' grouping of main-thread trace events.
CATEGORY_OF_EVENT = {
    **dict.fromkeys(("EvaluateScript", "FunctionCall", "TimerFire", "EventDispatch", "v8.compile",
                     "v8.compileModule", "v8.evaluateModule", "RunMicrotasks", "FireAnimationFrame",
                     "FireIdleCallback", "XHRReadyStateChange", "XHRLoad", "v8.produceCache",
                     "v8.produceModuleCache", "V8.DeserializeContext", "v8.run", "v8.callFunction",
                     "CompileScript", "CompileCode", "OptimizeCode", "CacheScript", "StreamingCompileScript",
                     "v8.parseOnBackground", "ParseScriptOnBackground"), "scripting"),
    **dict.fromkeys(("Layout", "UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet", "HitTest",
                     "ScheduleStyleRecalculation", "InvalidateLayout", "UpdateLayerTree", "PrePaint", "Layerize",
                     "IntersectionObserverController::computeIntersections", "ComputeIntersections"),
                    "style_and_layout"),
    **dict.fromkeys(("Paint", "PaintImage", "CompositeLayers", "Decode Image", "UpdateLayer", "Commit",
                     "PaintSetup", "RasterTask", "ImageDecodeTask"), "paint_and_composite"),
    **dict.fromkeys(("ParseHTML",), "html_parsing"),
    **dict.fromkeys(("MajorGC", "MinorGC", "V8.GCScavenger", "V8.GCFinalizeMC", "V8.GCIncrementalMarking",
                     "BlinkGC.AtomicPhase", "ThreadState::performIdleLazySweep", "V8.GC_MC_BACKGROUND_MARKING",
                     "CppGC.IncrementalSweep"), "garbage_collection"),
}


# --- browser ------------------------------------------------------------------------------------------------------

def _frame_of(event) -> str | None:
    args = event.get("args") or {}
    for holder in (args.get("data"), args.get("beginData")):
        if isinstance(holder, dict) and holder.get("frame"):
            return holder["frame"]
    return None


def summarise_trace(trace: dict, map_frame_hint: str = "streamlit_folium") -> dict:
    """Self time (ms) of the renderer main threads by DevTools category and by frame (top page, map iframe)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main_threads = {(e["pid"], e["tid"]) for e in events
                    if e.get("ph") == "M" and e.get("name") == "thread_name"
                    and (e.get("args") or {}).get("name") == "CrRendererMain"}
    frame_urls: dict[str, str] = {}
    for event in events:
        data = (event.get("args") or {}).get("data") or {}
        if event.get("name") == "TracingStartedInBrowser":
            for frame in data.get("frames", []):
                frame_urls[frame["frame"]] = frame.get("url", "")
        elif event.get("name") in ("FrameCommittedInBrowser", "CommitLoad") and data.get("frame"):
            frame_urls[data["frame"]] = data.get("url", frame_urls.get(data["frame"], ""))

    def frame_kind(frame: str | None) -> str:
        url = frame_urls.get(frame or "", "")
        if map_frame_hint in url:
            return "map_iframe"
        if url.startswith("http"):
            return "top_page"
        return "unattributed"

    by_thread = defaultdict(list)
    for event in events:
        if event.get("ph") == "X" and (event["pid"], event["tid"]) in main_threads and "dur" in event:
            by_thread[(event["pid"], event["tid"])].append(event)
    totals: dict[str, Counter] = defaultdict(Counter)
    busy_ms = 0.0
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack: list[list] = []  # [event, end, child time, frame]

        def close(entry) -> None:
            event, _, children, frame = entry
            self_ms = max(event["dur"] - children, 0) / 1000
            category = CATEGORY_OF_EVENT.get(event["name"], "other")
            totals[frame_kind(frame)][category] += self_ms

        for event in thread_events:
            end = event["ts"] + event["dur"]
            while stack and stack[-1][1] <= event["ts"]:
                close(stack.pop())
            frame = _frame_of(event) or (stack[-1][3] if stack else None)
            if stack:
                stack[-1][2] += event["dur"]
            else:
                busy_ms += event["dur"] / 1000
            stack.append([event, end, 0, frame])
        while stack:
            close(stack.pop())
    summary = {kind: {category: round(ms, 1) for category, ms in sorted(counter.items(), key=lambda x: -x[1])}
               for kind, counter in totals.items()}
    return {"main_thread_busy_ms": round(busy_ms, 1), "self_ms_by_frame_and_category": summary,
            "frames": {frame: url[:120] for frame, url in frame_urls.items()}}


def profile_browser(base_url: str) -> dict:
    """Trace one new session on the (warm) server at `base_url`."""
    from playwright.sync_api import sync_playwright

    from bench.browser import VIEWPORT, DrawWatch, SocketLog, _conftest, expected_paths

    conftest = _conftest()
    count = expected_paths("")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=conftest.chromium_path(), args=conftest.CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
            watch = DrawWatch(context)
            page = context.new_page()
            socket = SocketLog(page)
            fetched: list[dict] = []

            def finished(request):
                sizes = request.sizes()
                frame_url = request.frame.url if request.frame else ""
                fetched.append({"url": request.url.split("?")[0].replace(base_url, ""),
                                "frame": "map_iframe" if "streamlit_folium" in frame_url else "top_page",
                                "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"]})

            page.on("requestfinished", finished)
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            before = time.time() * 1000
            page.goto(base_url + "/", wait_until="commit")
            start = page.evaluate("() => performance.timeOrigin")
            drawn = watch.drawn_at(page, count, before)
            page.wait_for_timeout(1000)
            trace = json.loads(browser.stop_tracing())
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            context.close()
        finally:
            browser.close()
    by_frame = Counter()
    for item in fetched:
        by_frame[item["frame"]] += item["bytes"]
    return {
        "drawn_after_navigation_s": (drawn - start) / 1000,
        "trace": summarise_trace(trace),
        "http_bytes_by_frame": dict(by_frame),
        "largest_responses": sorted(fetched, key=lambda item: -item["bytes"])[:8],
        "websocket_bytes": socket.received_bytes,
        "map_args_bytes": socket.map_args_bytes,
        "reruns_sent": len(socket.sent_reruns),
        "cdp_metrics_s": {name: round(metrics[name], 3) for name in
                          ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
                          if name in metrics},
        "js_heap_used_mb": round(metrics.get("JSHeapUsedSize", 0) / 1e6, 1),
    }


def _chunk_name(url: str) -> str:
    """A script's file name without Vite's content hash: ".../static/js/Selectbox.7rsxE6LC.js" -> "Selectbox.js"."""
    name = url.rsplit("/", 1)[-1]
    parts = name.split(".")
    return ".".join([parts[0], parts[-1]]) if len(parts) > 2 and parts[-1] == "js" else name


def profile_scripts(script: str = "dashboard.py", top: int = 25) -> dict:
    """V8's sampling profiler (CDP ``Profiler``) over one new session of `script` (the dashboard or a floor of
    bench/floors) on a warm server, from navigation until the home map's polygons are drawn (the empty floor: its
    text): self time per script file, so the time of Streamlit's element code (Selectbox, Metric, DataFrame,
    StreamlitMarkdown, react-dom ...) is told apart from Leaflet's and the map's. One server and browser."""
    from playwright.sync_api import sync_playwright

    from bench.browser import VIEWPORT, DrawWatch, _conftest, expected_paths
    from bench.server import start

    conftest = _conftest()
    count = None if script.endswith("empty.py") else expected_paths("")

    def new_session(browser, base_url: str, sample: bool):
        context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
        try:
            watch = DrawWatch(context)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            if sample:
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 200})  # microseconds
                cdp.send("Profiler.start")
            before = time.time() * 1000
            page.goto(base_url + "/", wait_until="commit")
            start_ms = page.evaluate("() => performance.timeOrigin")
            drawn = watch.drawn_at(page, count, before)
            profile = cdp.send("Profiler.stop")["profile"] if sample else None
            return (drawn - start_ms) / 1000, profile
        finally:
            context.close()

    with sync_playwright() as playwright, start(script=script) as server:
        browser = playwright.chromium.launch(executable_path=conftest.chromium_path(), args=conftest.CHROMIUM_FLAGS)
        try:
            new_session(browser, server.base_url, sample=False)  # warm-up: the server's first run of the process
            seconds, profile = new_session(browser, server.base_url, sample=True)
        finally:
            browser.close()
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    self_us: Counter = Counter()
    for node_id, delta in zip(profile["samples"][1:], profile["timeDeltas"][1:]):
        self_us[node_id] += delta
    by_script, by_function = Counter(), Counter()
    for node_id, microseconds in self_us.items():
        frame = nodes[node_id]
        where = _chunk_name(frame["url"]) if frame["url"] else frame["functionName"] or "(native)"
        by_script[where] += microseconds
        by_function[f"{where} {frame['functionName'] or '(anonymous)'}"] += microseconds
    busy = sum(us for name, us in by_script.items() if name != "(idle)")
    return {"script": script, "drawn_after_navigation_s": round(seconds, 3), "sampled_busy_ms": round(busy / 1000),
            "self_ms_by_script": {name: round(us / 1000, 1) for name, us in by_script.most_common(top)},
            "self_ms_by_function": {name: round(us / 1000, 1) for name, us in by_function.most_common(top)},
            "load_average": round(os.getloadavg()[0], 2)}


# --- server -------------------------------------------------------------------------------------------------------

def _py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def _server_workload(base_url: str, rounds: int) -> dict:
    from bench.load import PROVINCES, Session

    timings = defaultdict(list)
    for number in range(rounds):
        async with Session(base_url) as session:
            run = await session.open()
            timings["open_home"].append(run.seconds)
            for province in PROVINCES[:3]:
                run = await session.change("Provincie", province)
                timings["province_change"].append(run.seconds)
        async with Session(base_url) as session:
            run = await session.open("", "dekking")
            timings["open_dekking"].append(run.seconds)
    return {name: round(sorted(values)[len(values) // 2], 3) for name, values in timings.items()}


SAMPLE_RATE_HZ = 200

# (thread kind, bucket, marker in a stack): the first marker found names the bucket of a sample.
BUCKETS = (
    ("script", "page script (dashboard.py and the page)", "ScriptRunner._run_script.<locals>.code_to_exec"),
    ("script", "gc.collect(2) after every run (runner.postScriptGC)", "ScriptRunner._on_script_finished"),
    ("script", "other script-runner work", "ScriptRunner._run_script"),
    ("event loop", "file watcher: paths of every loaded module after every run",
     "LocalSourcesWatcher.update_watched_modules"),
    ("event loop", "websocket: serialise and send", "write_forward_msg"),
    ("event loop", "waiting for events (select; py-spy cannot tell it is idle)", "EpollSelector.select"),
    ("event loop", "other event-loop work", "run_forever"),
    ("other", "file watcher threads (polling and inotify)", "Watch"),
)


def _library(path: str) -> str:
    """py-spy names frames by module path: "pandas/io/formats/style.py", "ui/widgets.py", "dashboard.py"."""
    if path in ("dashboard.py",):
        return "dashboard.py"
    head = path.split("/", 1)[0]
    return head if "/" in path else "python"


def summarise_py_spy(raw: str, runs: int, top: int = 25) -> dict:
    """py-spy's collapsed stacks (``--format raw --threads``): seconds per bucket (see BUCKETS) per run, and the
    functions of the page script with their inclusive share of it."""
    buckets, inclusive, self_by_library = Counter(), Counter(), Counter()
    page_samples = 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        count = int(count)
        frames = stack.split(";")[1:]  # the first entry names the thread
        names = [frame.partition(" (")[0] for frame in frames]
        bucket = next((f"{kind}: {name}" for kind, name, marker in BUCKETS if any(marker in n for n in names)),
                      None)
        buckets[bucket or "other: unclassified"] += count
        if not bucket or not bucket.startswith("script: page script"):
            continue
        page_samples += count
        seen = set()
        for frame, name in zip(frames, names):
            path = frame.partition(" (")[2].rsplit(":", 1)[0]
            if _library(path) in ("pages", "ui", "analysis", "geodata", "dashboard.py", "streamlit_folium", "folium",
                                  "branca", "pandas"):
                key = f"{path}:{name}"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += count
        self_by_library[_library(frames[-1].partition(" (")[2].rsplit(":", 1)[0])] += count
    per_run = {name: round(count / SAMPLE_RATE_HZ / runs, 3) for name, count in buckets.most_common()}
    return {
        "runs": runs,
        "seconds_per_run_by_bucket": per_run,
        "page_script_inclusive_share": {key: round(count / page_samples, 3)
                                        for key, count in inclusive.most_common(top)} if page_samples else {},
        "page_script_self_share_by_library": {key: round(count / page_samples, 3)
                                              for key, count in self_by_library.most_common(10)}
        if page_samples else {},
    }


def profile_server(rounds: int = 3) -> dict:
    from bench.load import run_async, warm_up
    from bench.server import start

    spy = _py_spy()
    if spy is None:
        return {"available": False, "note": "py-spy niet geïnstalleerd (pip install -r requirements-dev.txt)"}
    with start() as server, tempfile.TemporaryDirectory() as folder:
        run_async(warm_up(server.base_url), 1800)
        output = Path(folder) / "server.txt"
        recorder = subprocess.Popen([spy, "record", "--pid", str(server.pid), "--rate", str(SAMPLE_RATE_HZ),
                                     "--format", "raw",
                                     "--threads", "--nonblocking", "-o", str(output)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        try:
            timings = run_async(_server_workload(server.base_url, rounds), 1800)
        finally:
            recorder.send_signal(2)  # SIGINT: py-spy writes what it has
            recorder.wait(timeout=60)
        raw = output.read_text() if output.exists() else ""
        if os.environ.get("REGIEKAART_PROFILE_RAW"):
            Path(os.environ["REGIEKAART_PROFILE_RAW"]).write_text(raw)
    runs = rounds * 5  # per round: open home, three province changes, open Dekking
    return {"available": bool(raw), "median_run_s": timings, **summarise_py_spy(raw, runs)}


SERVER_OPTION_VARIANTS = {
    "as configured": {},
    "runner.postScriptGC = false": {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"},
    "server.fileWatcherType = none": {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
    "both": {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
}


def compare_server_options(rounds: int = 3) -> dict:
    """The same sequential workload on servers started with Streamlit options changed through environment
    variables (no code change): median seconds per kind of run and server CPU per run."""
    from bench.load import run_async, warm_up
    from bench.server import TreeMemorySampler, start

    results = {}
    for name, env in SERVER_OPTION_VARIANTS.items():
        with start(env) as server:
            run_async(warm_up(server.base_url), 1800)
            sampler = TreeMemorySampler(server.pid)
            cpu = sampler.cpu_seconds()
            load = os.getloadavg()[0]
            timings = run_async(_server_workload(server.base_url, rounds), 1800)
            results[name] = {**timings, "server_cpu_s_per_run": round((sampler.cpu_seconds() - cpu) / (rounds * 5), 3),
                             "load_average": round(load, 2)}
    return results


def main(argv=None) -> int:
    import argparse

    from bench.load import run_async, warm_up
    from bench.server import start

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", action="store_true",
                        help="only compare Streamlit server options (postScriptGC, fileWatcherType) on one workload")
    parser.add_argument("--scripts", nargs="*", metavar="APP",
                        help="only V8's profile of a new session per script file, for each app given (default: the "
                             "dashboard, then the map-only floor bench/floors/component.py), one server at a time")
    args = parser.parse_args(argv)
    if args.scripts is not None:
        apps = args.scripts or ["dashboard.py", "bench/floors/component.py"]
        print(json.dumps([profile_scripts(app) for app in apps], indent=2))
        return 0
    if args.options:
        print(json.dumps(compare_server_options(), indent=2))
        return 0
    result = {"load_average_start": os.getloadavg()[0]}
    with start() as server:
        run_async(warm_up(server.base_url), 1800)
        result["browser"] = profile_browser(server.base_url)
    result["server"] = profile_server()
    result["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
