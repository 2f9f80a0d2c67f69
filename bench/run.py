"""Regiekaart benchmarks: every figure is printed next to a baseline measured in the same run.

    python bench/run.py            # a readable table
    python bench/run.py --json     # one JSON object
    python bench/run.py --quick    # smaller grids and fewer repeats (a smoke run, not for reporting)
    python bench/run.py --only payload,rerun
    python bench/run.py --only soak --soak-minutes 10

Figures (see bench/README.md for what each means and its target):
  payload      coverage-map HTML vs a naive folium.Choropleth of the unsimplified boundaries
  rerun        server time of a warm rerun after a filter change vs a cold run (Streamlit AppTest)
  analysis     build_coverage_view at the 300 real municipalities and on synthetic grids (growth vs n log n)
  png          PNG export of the coverage print map vs a minimal one-box print map
  scenario_edit  server time per scenario edit incl. rebuilding the view (300 municipalities) vs a plain build_view,
               and one edit as the Scenario's page does it (AppTest) vs a rerun of the page without an edit
  browser      Chromium: new session, filter change, page switch, cold start until the map is drawn, vs the
               same map as a static file (bench/browser.py)
  load         10, 25 and 50 sessions at once over Streamlit's websocket protocol: time per run, errors, RSS
               per session (bench/load.py)
  soak         10 sessions changing filters at random for 10 minutes: errors, RSS growth (bench/load.py);
               not part of the default set

Nothing here asserts a speed: it measures and prints. tests/test_bench.py only checks that the numbers are sane.
"""

from __future__ import annotations

# Imports inside functions, on purpose: the project's modules and the heavy or optional libraries (Playwright,
# psutil, websockets, Streamlit's protobuf messages) are imported by the measurement that needs them, so a figure
# such as a cold run or a server start never finds them imported already, and `--only` loads only its part.
import argparse
import gc
import gzip
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

TARGETS = {
    "payload_ratio_max": 0.2,
    "payload_bytes_max": 600_000,
    "rerun_speedup_min": 10.0,
    "rerun_warm_ms_max": 150.0,
    "analysis_300_ms_max": 50.0,
    "png_export_s_max": 3.0,
    "scenario_edit_ms_max": 300.0,
}
PROVINCES_CYCLE = ("Limburg", "Antwerpen", "Oost-Vlaanderen", "West-Vlaanderen", "Vlaams-Brabant", "alle")
FIGURES = ("payload", "rerun", "analysis", "png", "scenario_edit", "browser", "load", "soak")
DEFAULT_FIGURES = ("payload", "rerun", "analysis", "png", "scenario_edit", "browser", "load")  # the soak takes 10 minutes


def _median_seconds(function, repeats: int, warmup: int = 0) -> tuple[float, list[float]]:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


# ---------------------------------------------------------------------------------------------------------
# Map payload
# ---------------------------------------------------------------------------------------------------------

def naive_choropleth(view, version: str):
    """The obvious way to draw the same map: folium.Choropleth of the full-resolution boundaries, one colour
    per drawing category, with the same (escaped) tooltip texts."""
    import folium

    from geodata.municipalities import load_municipalities
    from ui.webmap import MUNICIPALITY_TOOLTIP, escape_text, municipality_table

    full = load_municipalities(version)[["nis", "name", "geometry"]].to_crs("EPSG:4326")
    texts = municipality_table(view, full)
    for column in MUNICIPALITY_TOOLTIP:
        texts[column] = texts[column].map(escape_text)
    codes = {key: number for number, key in enumerate(sorted(texts["category"].dropna().unique()))}
    texts["code"] = texts["category"].map(codes)
    fmap = folium.Map(location=[51.05, 4.4], zoom_start=8)
    choropleth = folium.Choropleth(geo_data=texts[["nis", *MUNICIPALITY_TOOLTIP, "geometry"]].to_json(),
                                   data=texts[["nis", "code"]], columns=["nis", "code"],
                                   key_on="feature.properties.nis", fill_color="Set3", name="Gemeenten")
    choropleth.geojson.add_child(folium.GeoJsonTooltip(fields=list(MUNICIPALITY_TOOLTIP),
                                                       aliases=list(MUNICIPALITY_TOOLTIP.values())))
    choropleth.add_to(fmap)
    return fmap


def measure_payload(version: str = "2019", scheme: str = "regie-2020-2025", repeats: int = 5) -> dict:
    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map, geojson_payload_bytes

    view = bundled_view(scheme, version)
    web = web_layer(version)
    ours_map = coverage_map(view, web, None, source="Bron: bench", title="Dekking")
    naive_map = naive_choropleth(view, version)
    ours, naive = geojson_payload_bytes(ours_map), geojson_payload_bytes(naive_map)
    # What a compressing transport would carry (Streamlit's websocket compression is off by default).
    ours_gzip, naive_gzip = (len(gzip.compress(fmap.get_root().render().encode("utf-8"), mtime=0))
                             for fmap in (ours_map, naive_map))
    build_s, _ = _median_seconds(lambda: coverage_map(view, web, None, source="Bron: bench", title="Dekking"),
                                 repeats, warmup=1)
    naive_s, _ = _median_seconds(lambda: naive_choropleth(view, version).get_root().render(), max(1, repeats // 2))
    render_s, _ = _median_seconds(
        lambda: coverage_map(view, web, None, source="Bron: bench", title="Dekking").get_root().render(), repeats)
    return {
        "coverage_map_bytes": ours,
        "naive_choropleth_bytes": naive,
        "ratio": ours / naive,
        "coverage_map_gzip_bytes": ours_gzip,
        "naive_choropleth_gzip_bytes": naive_gzip,
        "gzip_ratio": ours_gzip / naive_gzip,
        "coverage_map_build_ms": build_s * 1000,
        "coverage_map_build_and_render_ms": render_s * 1000,
        "naive_build_and_render_ms": naive_s * 1000,
        "targets": {"ratio_max": TARGETS["payload_ratio_max"], "bytes_max": TARGETS["payload_bytes_max"]},
        "meets_target": ours / naive <= TARGETS["payload_ratio_max"] and ours < TARGETS["payload_bytes_max"],
    }


# ---------------------------------------------------------------------------------------------------------
# Warm rerun vs cold run, on the real app
# ---------------------------------------------------------------------------------------------------------

def clear_caches() -> list[str]:
    """Clear Streamlit's caches and every module-level lru_cache of the project's packages."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    cleared = []
    for name, module in list(sys.modules.items()):
        if not name.startswith(("geodata", "analysis", "pages", "ui")) or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", name) == name:
                value.cache_clear()
                cleared.append(f"{name}.{attribute}")
    webmap = sys.modules.get("ui.webmap")
    if webmap is not None and hasattr(webmap, "clear_map_caches"):
        webmap.clear_map_caches()  # derived tables and GeoJSON geometries (keyed by object, not lru_cache)
        cleared.append("ui.webmap.clear_map_caches")
    return sorted(set(cleared))


@contextmanager
def _folder_in_environment(variable: str, prefix: str, file_name: str | None = None):
    """A new, empty temporary folder (or `file_name` in it) as environment variable `variable` for the duration;
    then the variable as it was, and the folder removed."""
    previous = os.environ.get(variable)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ[variable] = str(folder / file_name if file_name else folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
        shutil.rmtree(folder, ignore_errors=True)


def fresh_cache_dir():
    """A new, empty REGIEKAART_CACHE for the duration (the web layer is rebuilt there)."""
    return _folder_in_environment("REGIEKAART_CACHE", "regiekaart-bench-cache-")


def _app(timeout: float = 300):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=timeout)


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what}: the app raised {[e.value for e in at.exception]}")


def measure_reruns(cold_runs: int = 3, warm_runs: int = 15) -> dict:
    """Cold: caches cleared and a fresh web-layer cache dir, a new AppTest, first run of the home page.
    Warm: the same AppTest after that run, province filter changed, one rerun; the median of `warm_runs`."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    # Imports are not what this measures: load every module once before the first timed run.
    with fresh_cache_dir():
        _check(_app().run(), "warm-up run")
    cold, warm, cold_cpu, warm_cpu, cleared = [], [], [], [], []

    def timed_run(at, wall: list, cpu: list, what: str) -> None:
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        at.run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)  # CPU of the whole process: the script thread's work
        _check(at, what)

    for _ in range(cold_runs):
        with fresh_cache_dir():
            cleared = clear_caches()
            at = _app()
            timed_run(at, cold, cold_cpu, "cold run")
            for number in range(warm_runs if not warm else 0):
                at.selectbox(key="f_province").set_value(PROVINCES_CYCLE[number % len(PROVINCES_CYCLE)])
                timed_run(at, warm, warm_cpu, "warm run")
    cold_s, warm_s = statistics.median(cold), statistics.median(warm)
    return {
        "cold_ms": cold_s * 1000,
        "warm_ms": warm_s * 1000,
        "speedup": cold_s / warm_s,
        "cold_cpu_ms": statistics.median(cold_cpu) * 1000,
        "warm_cpu_ms": statistics.median(warm_cpu) * 1000,
        "cold_samples_ms": [round(s * 1000, 1) for s in cold],
        "warm_samples_ms": [round(s * 1000, 1) for s in warm],
        "load_average": os.getloadavg()[0],
        "caches_cleared": cleared,
        "targets": {"speedup_min": TARGETS["rerun_speedup_min"], "warm_ms_max": TARGETS["rerun_warm_ms_max"]},
        "meets_target": cold_s / warm_s >= TARGETS["rerun_speedup_min"]
        and warm_s * 1000 < TARGETS["rerun_warm_ms_max"],
    }


# ---------------------------------------------------------------------------------------------------------
# Analysis: real map and synthetic grids
# ---------------------------------------------------------------------------------------------------------

def analysis_stages(municipalities, scheme, adjacency, regions, official) -> dict[str, float]:
    """Seconds per stage of build_coverage_view, called one by one in the same order (for profiling)."""
    from analysis.contiguity import partnership_parts
    from analysis.coverage import coverage_kpis, coverage_status
    from analysis.gaps import candidate_partnerships, enclaves, uncovered_clusters
    from analysis.mapstyle import coverage_categories, partnership_adjacency, partnership_colours
    from analysis.overlaps import overlapping_memberships
    from analysis.profiles import partnership_profiles

    times: dict[str, float] = {}

    def timed(name, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        times[name] = times.get(name, 0.0) + time.perf_counter() - start
        return result

    p, m, n = scheme.partnerships, scheme.memberships, scheme.non_participants
    status = timed("coverage_status", coverage_status, municipalities, m, n)
    status["province"] = status["nis"].map(municipalities.set_index("nis")["province"])
    timed("kpis", coverage_kpis, municipalities, p, m, n, official, status=status)
    timed("overlaps", overlapping_memberships, m, p, municipalities)
    timed("clusters", uncovered_clusters, municipalities, status, adjacency)
    timed("enclaves", enclaves, municipalities, status, m, adjacency, p)
    timed("candidates", candidate_partnerships, municipalities, status, m, adjacency, p)
    parts = timed("contiguity", partnership_parts, municipalities, m, adjacency)
    timed("profiles", partnership_profiles, municipalities, p, m, adjacency, regions, parts)
    colours = timed("colours", partnership_colours, p["partnership_id"].tolist(), partnership_adjacency(adjacency, m))
    timed("categories", coverage_categories, status, p, colours)
    return times


def measure_analysis(sizes=(1000, 5000, 20000), repeats: int = 5) -> dict:
    from analysis.datasets import REGIE, official_values, regie_scheme, scheme_for_version
    from analysis.gaps import adjacency_pairs
    from analysis.scenario import build_coverage_view
    from bench.synthetic import synthetic_map, synthetic_regions
    from geodata.municipalities import load_municipalities
    from geodata.regions import load_referentieregios

    municipalities = load_municipalities("2019")
    scheme = scheme_for_version(regie_scheme(), "2019")
    regions = load_referentieregios("2019")
    official = official_values(REGIE, "2019")
    adjacency_s, _ = _median_seconds(lambda: adjacency_pairs(municipalities), max(1, repeats // 2), warmup=1)
    adjacency = adjacency_pairs(municipalities)
    real_s, real_samples = _median_seconds(
        lambda: build_coverage_view(municipalities, scheme, adjacency, regions, official), repeats, warmup=1)
    stages = analysis_stages(municipalities, scheme, adjacency, regions, official)
    result = {
        "real_300": {"n": len(municipalities), "analysis_ms": real_s * 1000, "adjacency_ms": adjacency_s * 1000,
                     "samples_ms": [round(s * 1000, 1) for s in real_samples],
                     "stages_ms": {k: round(v * 1000, 1) for k, v in stages.items()}},
        "grids": [],
        "targets": {"analysis_300_ms_max": TARGETS["analysis_300_ms_max"], "growth": "no worse than n log n"},
    }
    for n in sizes:
        grid, grid_scheme = synthetic_map(n)
        grid_regions = synthetic_regions(grid)
        runs = max(1, repeats // 2) if n <= 5000 else 1
        grid_adjacency_s, _ = _median_seconds(lambda: adjacency_pairs(grid), runs)
        grid_adjacency = adjacency_pairs(grid)
        seconds, _ = _median_seconds(
            lambda: build_coverage_view(grid, grid_scheme, grid_adjacency, grid_regions, None), runs)
        result["grids"].append({"n": n, "partnerships": len(grid_scheme.partnerships), "analysis_ms": seconds * 1000,
                                "adjacency_ms": grid_adjacency_s * 1000,
                                "us_per_nlogn": seconds / (n * math.log2(n)) * 1e6})
    grids = result["grids"]
    if grids:
        base = grids[0]["us_per_nlogn"]
        for previous, row in zip([None, *grids[:-1]], grids):
            row["growth_vs_nlogn"] = row["us_per_nlogn"] / base  # <= ~1 means n log n or better
            if previous is not None:
                row["exponent"] = (math.log(row["analysis_ms"] / previous["analysis_ms"])
                                   / math.log(row["n"] / previous["n"]))
    result["meets_target"] = (real_s * 1000 < TARGETS["analysis_300_ms_max"]
                              and all(row["growth_vs_nlogn"] <= 1.5 for row in grids))
    return result


# ---------------------------------------------------------------------------------------------------------
# Scenario edits: one edit and the rebuilt view, as the Scenario's page does after every edit
# ---------------------------------------------------------------------------------------------------------

def scenario_edit_sequence(scenario, view, number: int):
    """The next edit of a realistic session, chosen from the current view: accept the gap analysis' first
    proposal, mark an unknown municipality as not taking part, assign it to a partnership, rename a partnership."""
    from analysis.scenario_edit import AcceptCandidate, Assign, MarkNonParticipant, RenamePartnership

    proposals = view.candidates[view.candidates["rank"] == 1]
    step = number % 4
    if step == 0 and len(proposals):
        return AcceptCandidate.from_candidate(proposals.iloc[0])
    unknown = view.status.loc[view.status["status"] == "unknown", "nis"].tolist()
    if step == 1 and unknown:
        return MarkNonParticipant(unknown[0])
    pids = scenario.scheme.partnerships["partnership_id"].tolist()
    if step == 2:
        marked = scenario.scheme.non_participants["nis"].tolist()
        return Assign(marked[-1], pids[0])
    return RenamePartnership(pids[number % len(pids)], f"Bench-verband {number}")


def measure_scenario_edit(edits: int = 24, repeats: int = 5) -> dict:
    """Per edit: apply it to the scenario (analysis.scenario_edit) and rebuild the view with
    analysis.datasets.build_view, on the reconstruction at the 300 municipalities of 2019-2024. Baseline:
    build_view of the same scheme without an edit. Undo (+ view) is measured after the last edit: it replays the
    edits since the last checkpoint, the worst case being UNDO_CHECKPOINT_EVERY - 1 of them."""
    from analysis.datasets import build_view, scenario_starting_point
    from analysis.scenario_edit import START_RECONSTRUCTION, new_scenario

    scenario = new_scenario(scenario_starting_point(START_RECONSTRUCTION, "2019"))
    view = build_view(scenario.scheme, "2019")  # loads the map, adjacency and regions once (cached per process)
    baseline_s, _ = _median_seconds(lambda: build_view(scenario.scheme, "2019"), repeats, warmup=1)
    apply_samples, total_samples = [], []
    for number in range(edits):
        edit = scenario_edit_sequence(scenario, view, number)
        gc.collect()
        start = time.perf_counter()
        scenario = scenario.apply(edit)
        applied = time.perf_counter()
        view = build_view(scenario.scheme, "2019")
        done = time.perf_counter()
        apply_samples.append(applied - start)
        total_samples.append(done - start)
    from analysis.scenario_edit import UNDO_CHECKPOINT_EVERY

    # The undo that replays the most edits: back to just before a checkpoint (UNDO_CHECKPOINT_EVERY - 1 edits
    # replayed), or one step back when there is no checkpoint yet (all but one edit replayed).
    last = len(scenario.history) - 1
    kept = last if last < UNDO_CHECKPOINT_EVERY - 1 else \
        last - (last - (UNDO_CHECKPOINT_EVERY - 1)) % UNDO_CHECKPOINT_EVERY
    undo_steps = len(scenario.history) - kept
    undo_s, _ = _median_seconds(lambda: build_view(scenario.undo(undo_steps).scheme, "2019"), repeats)
    differences_s, _ = _median_seconds(lambda: (scenario.municipality_differences(),
                                                scenario.partnership_differences()), repeats)
    edit_s = statistics.median(total_samples)
    return {
        "edits": edits,
        "edit_and_view_ms": edit_s * 1000,
        "edit_only_ms": statistics.median(apply_samples) * 1000,
        "baseline_build_view_ms": baseline_s * 1000,
        "undo_and_view_ms": undo_s * 1000,
        "undo_replayed_edits": kept % UNDO_CHECKPOINT_EVERY,
        "differences_ms": differences_s * 1000,
        "max_edit_and_view_ms": max(total_samples) * 1000,
        "samples_ms": [round(s * 1000, 1) for s in total_samples],
        "differences_after": len(scenario.municipality_differences()),
        "targets": {"edit_and_view_ms_max": TARGETS["scenario_edit_ms_max"]},
        "meets_target": edit_s * 1000 < TARGETS["scenario_edit_ms_max"],
    }


def measure_scenario_page_edit(edits: int = 8) -> dict:
    """One scenario edit as the Scenario's page does it, in Streamlit's AppTest: choose a municipality and a
    partnership in the editor, click 'Toepassen'; timed is the run that applies the edit (in its callback) and
    draws the page again (effects, map, tables). Baseline, same run: a rerun of the page without an edit (the
    view of the scenario is kept per session, so that rerun only draws). AppTest runs the page on its own,
    without dashboard.py's sidebar (the same for both)."""
    import logging

    from analysis.datasets import regie_scheme

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    scheme = regie_scheme()
    known = set(scheme.memberships["nis"]) | set(scheme.non_participants["nis"])
    from analysis.datasets import municipality_names

    unknown = sorted(set(municipality_names("2019")) - known)
    pids = sorted(scheme.partnerships["partnership_id"])
    with _folder_in_environment("REGIEKAART_DB", "regiekaart-bench-db-", "scenarios.sqlite"):
        at = _app()
        _check(at.run(), "home page")
        at.switch_page("pages/scenarios.py")
        _check(at.run(), "Scenario's page")
        _check(at.run(), "warm-up rerun")
        rerun, rerun_cpu, edit, edit_cpu = [], [], [], []

        def timed_run(wall: list, cpu: list, what: str) -> None:
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            at.run()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            _check(at, what)

        for number in range(edits):
            timed_run(rerun, rerun_cpu, "rerun without an edit")
            nis = unknown[number % len(unknown)]
            at.selectbox(key="scenario-nis").set_value(nis).run()
            at.selectbox(key="scenario-target").set_value(pids[number % len(pids)])
            at.button(key="scenario-apply").click()
            timed_run(edit, edit_cpu, "edit run")
            if len(at.session_state["scenario"].history) != number + 1:
                raise RuntimeError(f"edit {number + 1} (assign {nis}) was not applied: "
                                   f"{[e.value for e in at.error]}")
    edit_s, rerun_s = statistics.median(edit), statistics.median(rerun)
    return {
        "edits": edits,
        "edit_run_ms": edit_s * 1000,
        "edit_run_cpu_ms": statistics.median(edit_cpu) * 1000,
        "baseline_rerun_ms": rerun_s * 1000,
        "baseline_rerun_cpu_ms": statistics.median(rerun_cpu) * 1000,
        "samples_ms": [round(s * 1000, 1) for s in edit],
        "baseline_samples_ms": [round(s * 1000, 1) for s in rerun],
        "script_compile_ms": _script_compile_ms(["dashboard.py", "pages/scenarios.py"]) * 1000,
        "load_average": os.getloadavg()[0],
        "targets": {"edit_run_ms_max": TARGETS["scenario_edit_ms_max"]},
        "meets_target": edit_s * 1000 < TARGETS["scenario_edit_ms_max"],
    }


def _script_compile_ms(scripts: list[str], repeats: int = 5) -> float:
    """Seconds to parse and compile the given scripts (median of `repeats`): AppTest does that in every run (a new
    script runner with an empty script cache each time), a Streamlit server once per script. Part of both the edit
    run and the baseline above, and of no run a user waits for."""
    import ast

    sources = [(Path(PROJECT_ROOT) / script).read_text(encoding="utf-8") for script in scripts]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for script, source in zip(scripts, sources):
            compile(ast.parse(source), script, "exec")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------------------------------------
# PNG export
# ---------------------------------------------------------------------------------------------------------

def measure_png(repeats: int = 3) -> dict:
    import geopandas as gpd
    from shapely.geometry import box

    from analysis import figures
    from analysis.datasets import bundled_view
    from analysis.printmap import LegendItem, PrintMap, export_png

    view = bundled_view("regie-2020-2025", "2019")
    spec = figures.coverage_print_map(view, None, "Bench: heel Vlaanderen", orientation="landscape")
    minimal = PrintMap(areas=gpd.GeoDataFrame({"fill": ["#CC6677"], "fill_opacity": [0.85], "hatch": [None],
                                               "outline": [None]}, geometry=[box(0, 0, 10_000, 10_000)],
                                              crs="EPSG:31370"),
                       title="Bench", subtitle="één vak", legend_title="Legende", source="Bron: bench",
                       legend=[LegendItem("Vak", "#CC6677", count=1)])
    spec_s, _ = _median_seconds(lambda: figures.coverage_print_map(view, None, "Bench", orientation="landscape"),
                                repeats, warmup=1)
    export_s, _ = _median_seconds(lambda: export_png(spec), repeats, warmup=1)
    minimal_s, _ = _median_seconds(lambda: export_png(minimal), repeats, warmup=1)
    total = spec_s + export_s
    return {"available": True, "spec_ms": spec_s * 1000, "export_png_ms": export_s * 1000,
            "total_s": total, "minimal_export_png_ms": minimal_s * 1000, "ratio_vs_minimal": export_s / minimal_s,
            "targets": {"total_s_max": TARGETS["png_export_s_max"]},
            "meets_target": total < TARGETS["png_export_s_max"]}


# ---------------------------------------------------------------------------------------------------------

def run(only=DEFAULT_FIGURES, quick: bool = False, soak_minutes: float = 10.0) -> dict:
    results: dict = {"quick": quick}
    if "payload" in only:
        results["payload"] = measure_payload(repeats=2 if quick else 5)
    if "analysis" in only:
        results["analysis"] = measure_analysis(sizes=(400, 1600) if quick else (1000, 5000, 20000),
                                               repeats=2 if quick else 5)
    if "png" in only:
        results["png"] = measure_png(repeats=1 if quick else 3)
    if "rerun" in only:
        results["rerun"] = measure_reruns(cold_runs=1 if quick else 3, warm_runs=3 if quick else 15)
    if "scenario_edit" in only:
        results["scenario_edit"] = measure_scenario_edit(edits=8 if quick else 24, repeats=2 if quick else 5)
        results["scenario_edit"]["page"] = measure_scenario_page_edit(edits=3 if quick else 8)
    if "browser" in only:
        from bench.browser import measure_browser

        results["browser"] = measure_browser(repeats=2, cold_repeats=1) if quick else measure_browser()
    if "load" in only:
        from bench.load import LEVELS, measure_load

        # --quick: small levels on a server warmed up for the default view only (a smoke run).
        results["load"] = measure_load(levels=(2, 4), warm_up_queries=("",)) if quick else measure_load(LEVELS)
    if "soak" in only:
        from bench.load import measure_soak

        results["soak"] = (measure_soak(duration_s=15, sessions=3, warm_up_queries=("",)) if quick
                           else measure_soak(duration_s=soak_minutes * 60))
    return results


def _s(seconds) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def _ok(flag) -> str:
    return "ok" if flag else "MISSED"


def format_table(results: dict) -> str:
    lines = []
    add = lines.append
    if "payload" in results:
        p = results["payload"]
        add("Map payload (coverage map, 300 municipalities)")
        add(f"  coverage map HTML        {p['coverage_map_bytes']:>12,} bytes   (target < 600,000)")
        add(f"  naive choropleth HTML    {p['naive_choropleth_bytes']:>12,} bytes   (baseline)")
        add(f"  ratio                    {p['ratio']:>12.3f}         (target <= 0.20)  {_ok(p['meets_target'])}")
        add(f"  gzipped: coverage map    {p['coverage_map_gzip_bytes']:>12,} bytes   "
            f"(naive {p['naive_choropleth_gzip_bytes']:,}; ratio {p['gzip_ratio']:.3f})")
        add(f"  build coverage_map       {p['coverage_map_build_ms']:>12.1f} ms")
        add(f"  build + render HTML      {p['coverage_map_build_and_render_ms']:>12.1f} ms"
            f"   (naive: {p['naive_build_and_render_ms']:.1f} ms)")
    if "rerun" in results:
        r = results["rerun"]
        add("Server time per run (home page, AppTest)")
        add(f"  cold (caches cleared)    {r['cold_ms']:>12.1f} ms   (baseline) samples {r['cold_samples_ms']}")
        add(f"  warm (province changed)  {r['warm_ms']:>12.1f} ms   (target < 150) samples {r['warm_samples_ms']}")
        add(f"  speedup                  {r['speedup']:>12.1f} x    (target >= 10)  {_ok(r['meets_target'])}")
        add(f"  CPU time cold / warm     {r['cold_cpu_ms']:>12.1f} / {r['warm_cpu_ms']:.1f} ms "
            f"(less sensitive to other load; 1-min load average {r['load_average']:.1f})")
    if "analysis" in results:
        a = results["analysis"]
        real = a["real_300"]
        add("Analysis (build_coverage_view, no I/O)")
        add(f"  300 real municipalities  {real['analysis_ms']:>12.1f} ms   (target < 50)  "
            f"{_ok(real['analysis_ms'] < TARGETS['analysis_300_ms_max'])}")
        add(f"  adjacency (cached/map)   {real['adjacency_ms']:>12.1f} ms   (separate, once per map)")
        add("  stages: " + ", ".join(f"{k} {v:.1f}" for k, v in real["stages_ms"].items()) + " (ms)")
        for row in a["grids"]:
            exponent = f"exponent {row['exponent']:.2f}" if "exponent" in row else "baseline"
            add(f"  grid n={row['n']:<6} {row['analysis_ms']:>12.1f} ms   {row['us_per_nlogn']:.3f} us/(n log2 n), "
                f"x{row['growth_vs_nlogn']:.2f} vs smallest, {exponent}; adjacency {row['adjacency_ms']:.1f} ms")
    if "png" in results:
        g = results["png"]
        add("PNG export (coverage print map, A4 300 dpi)")
        if not g.get("available"):
            add(f"  not measured: {g['note']}")
        else:
            add(f"  spec + export            {g['total_s']:>12.2f} s    (target < 3)  {_ok(g['meets_target'])}")
            add(f"  export_png               {g['export_png_ms']:>12.1f} ms   minimal one-box map "
                f"{g['minimal_export_png_ms']:.1f} ms (baseline), x{g['ratio_vs_minimal']:.2f}")
    if "scenario_edit" in results:
        e = results["scenario_edit"]
        add(f"Scenario edit (apply + build_view, 300 municipalities, {e['edits']} edits)")
        add(f"  edit + rebuilt view      {e['edit_and_view_ms']:>12.1f} ms   (target < 300)  {_ok(e['meets_target'])}")
        add(f"  plain build_view         {e['baseline_build_view_ms']:>12.1f} ms   (baseline)")
        add(f"  edit alone               {e['edit_only_ms']:>12.1f} ms   slowest edit + view {e['max_edit_and_view_ms']:.1f} ms")
        add(f"  undo + rebuilt view      {e['undo_and_view_ms']:>12.1f} ms   (replays {e['undo_replayed_edits']} edits)")
        add(f"  list of differences      {e['differences_ms']:>12.1f} ms   ({e['differences_after']} municipalities differ)")
        if "page" in e:
            g = e["page"]
            add(f"Scenario edit on the page (AppTest: choose, 'Toepassen', the page run; {g['edits']} edits)")
            add(f"  edit run of the page     {g['edit_run_ms']:>12.1f} ms   (target < 300)  {_ok(g['meets_target'])}"
                f"  CPU {g['edit_run_cpu_ms']:.1f} ms")
            add(f"  rerun without an edit    {g['baseline_rerun_ms']:>12.1f} ms   (baseline)  CPU "
                f"{g['baseline_rerun_cpu_ms']:.1f} ms; load average {g['load_average']:.1f}")
            add(f"  of each: script compile  {g['script_compile_ms']:>12.1f} ms   (AppTest recompiles dashboard.py and "
                "the page in every run; a server once)")
    if "browser" in results:
        from bench.browser import format_browser

        lines.extend(format_browser(results["browser"]))
    if "load" in results:
        add("Load (sessions over Streamlit's websocket protocol, fresh warmed-up server per level)")
        for row in results["load"]["levels"]:
            add(f"  {row['sessions']:>3} sessions: runs p50 {_s(row['all_runs']['p50_s'])}, p95 "
                f"{_s(row['all_runs']['p95_s'])} (open p95 {_s(row['open']['p95_s'])}, change p95 "
                f"{_s(row['change']['p95_s'])}); errors {row['errors']}; RSS {row['rss_before_mb']:.0f} -> "
                f"{row['rss_connected_mb']:.0f} MB, {row['rss_per_session_mb']:.1f} MB per session; server CPU "
                f"{row['server_cpu_s']:.1f} s, client CPU {row['client_cpu_s']:.1f} s; load average "
                f"{row['load_average_before']:.1f}")
        add(f"  targets: no error at 50, p95 < 2 s at 25, < 20 MB per session: "
            f"{_ok(results['load']['meets_target'])}")
    if "soak" in results:
        k = results["soak"]
        add(f"Soak ({k['sessions']} sessions, {k['duration_s'] / 60:.1f} min, random filter changes)")
        add(f"  changes {k['changes']}, errors {k['errors']}, p50 {_s(k['change']['p50_s'])}, p95 "
            f"{_s(k['change']['p95_s'])}")
        add(f"  RSS {k['rss_start_mb']:.0f} -> {k['rss_end_mb']:.0f} MB: {k['rss_growth_pct']:+.1f} % "
            f"(target < 10 %) {_ok(k['meets_target'])}; load average {k['load_average_before']:.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--quick", action="store_true", help="smaller grids and fewer repeats")
    parser.add_argument("--only", default=",".join(DEFAULT_FIGURES),
                        help=f"comma-separated subset of {','.join(FIGURES)} (default: all but soak)")
    parser.add_argument("--soak-minutes", type=float, default=10.0, help="duration of the soak (default 10)")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s) {sorted(unknown)}; choose from {', '.join(FIGURES)}")
    results = run(only, quick=args.quick, soak_minutes=args.soak_minutes)
    print(json.dumps(results, indent=2, default=str) if args.json else format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
