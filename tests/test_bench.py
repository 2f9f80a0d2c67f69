"""Smoke tests of bench/: the figures come out as sane numbers (never a timing assertion), the synthetic grids
look like the real map, and the map layers that the payload figure measures carry the same coordinates as the web
layer."""

import html
import json
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from bench import browser as bench_browser
from bench import run as bench
from bench.synthetic import grid_shape, synthetic_map, synthetic_regions

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_synthetic_grid_has_partnerships_gaps_overlaps_and_non_participants():
    municipalities, scheme = synthetic_map(1_000)
    rows, cols = grid_shape(1_000)
    assert rows * cols == len(municipalities) == 1_000
    members = scheme.memberships
    assert set(members["nis"]) < set(municipalities["nis"])  # some cells are in no partnership
    assert members.duplicated("nis").any()  # overlaps
    assert len(scheme.non_participants) > 0 and not set(scheme.non_participants["nis"]) & set(members["nis"])
    sizes = members.groupby("partnership_id").size()
    assert 1 <= sizes.min() and sizes.max() <= 9 + 3  # 3 x 3 blocks, plus cells that overlap into them
    assert scheme.partnerships["centre_city_nis"].notna().any()
    assert set(synthetic_regions(municipalities)["nis"]) == set(municipalities["nis"])
    again = synthetic_map(1_000)[1].memberships
    assert again.equals(members)  # the same n gives the same map


@pytest.mark.slow
def test_payload_figure_compares_with_a_larger_naive_map():
    figure = bench.measure_payload(repeats=1)
    assert 0 < figure["coverage_map_bytes"] < figure["naive_choropleth_bytes"]
    assert figure["ratio"] == pytest.approx(figure["coverage_map_bytes"] / figure["naive_choropleth_bytes"])
    assert 0 < figure["coverage_map_gzip_bytes"] < figure["coverage_map_bytes"]
    assert 0 < figure["naive_choropleth_gzip_bytes"] < figure["naive_choropleth_bytes"]
    assert figure["coverage_map_build_ms"] > 0 and isinstance(figure["meets_target"], bool)


@pytest.mark.slow
def test_analysis_figure_reports_real_map_stages_and_grid_growth():
    figure = bench.measure_analysis(sizes=(200, 800), repeats=1)
    real = figure["real_300"]
    assert real["n"] == 300 and real["analysis_ms"] > 0 and real["adjacency_ms"] > 0
    assert set(real["stages_ms"]) >= {"overlaps", "clusters", "contiguity", "profiles"}
    small, large = figure["grids"]
    assert (small["n"], large["n"]) == (200, 800)
    assert small["growth_vs_nlogn"] == 1.0 and large["growth_vs_nlogn"] > 0 and "exponent" in large
    assert small["partnerships"] < large["partnerships"]


@pytest.mark.slow
def test_png_figure_is_measured():
    figure = bench.measure_png(repeats=1)
    assert figure["available"], figure.get("note")
    assert figure["export_png_ms"] > 0 and figure["minimal_export_png_ms"] > 0 and figure["total_s"] > 0


@pytest.mark.slow
def test_scenario_edit_figure_times_edits_against_a_plain_view():
    figure = bench.measure_scenario_edit(edits=6, repeats=1)
    assert figure["edits"] == 6 and len(figure["samples_ms"]) == 6
    assert 0 < figure["edit_only_ms"] < figure["edit_and_view_ms"] <= figure["max_edit_and_view_ms"]
    assert figure["baseline_build_view_ms"] > 0 and figure["undo_and_view_ms"] > 0
    assert figure["differences_after"] > 0  # the edits changed the scheme
    assert figure["meets_target"] == (figure["edit_and_view_ms"] < 300)
    assert "Scenario edit" in bench.format_table({"scenario_edit": figure})


def test_clear_caches_empties_the_module_caches():
    from geodata import weblayer
    from geodata.weblayer import web_layer

    web_layer("2019")
    assert weblayer._cached_web_layer.cache_info().currsize > 0
    cleared = bench.clear_caches()
    assert weblayer._cached_web_layer.cache_info().currsize == 0
    assert "geodata.weblayer._cached_web_layer" in cleared and "analysis.datasets.bundled_view" in cleared


@pytest.mark.slow
def test_the_table_and_the_json_show_the_same_figures():
    result = subprocess.run([sys.executable, "bench/run.py", "--json", "--only", "payload", "--quick"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=True)
    figures = json.loads(result.stdout)
    assert set(figures) == {"quick", "payload"}
    table = bench.format_table(figures)
    assert f"{figures['payload']['coverage_map_bytes']:,}" in table and "naive choropleth" in table


@pytest.mark.slow
@pytest.mark.browser
def test_browser_load_and_soak_figures_have_their_shape_and_are_sane(chromium):
    """A --quick run of the figures that start servers (no timing is asserted, only that the numbers hang
    together). `chromium` only decides skip or fail; the bench launches its own."""
    result = subprocess.run([sys.executable, "bench/run.py", "--json", "--only", "browser,load,soak", "--quick"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures) == {"quick", "browser", "load", "soak"}

    browser = figures["browser"]
    paths = browser["paths"]
    assert paths["alle"] == 300 and sum(paths[p] for p in bench_browser.PROVINCES) == 300
    for name in ("new_session_s", "static_floor_s", "filter_change_s", "filter_change_floor_s", "page_switch_s",
                 "cold_start_s", "streamlit_floor_s", "component_floor_s"):
        assert 0 < browser[name] < bench_browser.DRAW_TIMEOUT_S + 90, name
    assert browser["new_session_vs_floor"] == pytest.approx(browser["new_session_s"] / browser["static_floor_s"])
    # The floors of a new session: Streamlit alone, then Streamlit with the same map through streamlit-folium.
    assert browser["new_session_above_component_floor_s"] == pytest.approx(
        browser["new_session_s"] - browser["component_floor_s"])
    for name in ("streamlit_floor", "component_floor"):
        assert len(browser["samples"][name]) == browser["repeats"], name
        assert all(sample["reruns"] >= 1 and sample["server_ms"] for sample in browser["samples"][name]), name
        assert browser["cpu_s"][name]["browser"] > 0 and browser["cpu_s"][name]["server"] >= 0, name
    # The map alone sends the dashboard's map (same base map and layers: as many bytes), the empty page no map.
    assert {sample["map_args_bytes"] for sample in browser["samples"]["component_floor"]} == {
        browser["map_args_bytes_new_session"]}
    assert {sample["map_args_bytes"] for sample in browser["samples"]["streamlit_floor"]} == {0}
    for sample in browser["samples"]["cold_start"]:  # the server answered before the map could be drawn
        assert 0 < sample["ready_s"] < sample["seconds"]
    assert all(count >= 1 for count in browser["reruns_per_action"].values())
    assert 0 < browser["map_args_bytes_new_session"] < browser["websocket_bytes_new_session"]
    assert isinstance(browser["meets_target"], bool) and browser["load_average"]["cpus"] >= 1

    load = figures["load"]
    assert [row["sessions"] for row in load["levels"]] == [2, 4]
    for row in load["levels"]:
        assert row["errors"] == 0 and row["warm_up_errors"] == 0, row["error_examples"]
        assert row["open"]["n"] == row["change"]["n"] == row["sessions"]
        runs = row["all_runs"]
        assert 0 < runs["p50_s"] <= runs["p95_s"] <= runs["max_s"]
        assert row["rss_connected_mb"] > 0 and row["rss_per_session_mb"] == pytest.approx(
            (row["rss_connected_mb"] - row["rss_before_mb"]) / row["sessions"])
        assert row["server_cpu_s"] > 0 and row["client_cpu_s"] > 0

    soak = figures["soak"]
    assert soak["errors"] == 0 and soak["warm_up_errors"] == 0, soak["error_examples"]
    assert soak["changes"] >= soak["sessions"] and soak["change"]["n"] == soak["changes"]
    assert soak["rss_growth_pct"] == pytest.approx((soak["rss_end_mb"] - soak["rss_start_mb"])
                                                   / soak["rss_start_mb"] * 100)
    table = bench.format_table(figures)
    assert "static map file (floor)" in table and "4 sessions" in table and "Soak (3 sessions" in table


@pytest.mark.slow
def test_map_layers_carry_the_web_layer_coordinates_exactly():
    import folium

    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map

    view, web = bundled_view("regie-2020-2025", "2019"), web_layer("2019")
    fmap = coverage_map(view, web, None)
    by_name = dict(zip(web["name"], web.geometry))
    drawn = 0
    for layer in (layer for layer in fmap.layers if isinstance(layer, folium.GeoJson)):
        for feature in layer.data["features"]:
            name = html.unescape(feature["properties"].get("name") or "")
            if name in by_name:  # a municipality: the very same vertices (shared borders stay shared)
                assert shapely.equals_exact(shapely.geometry.shape(feature["geometry"]), by_name[name],
                                            tolerance=5e-6), name
                drawn += 1
    assert drawn == 300


@pytest.mark.slow
def test_coverage_map_pieces_are_prepared_once_per_view_and_released_with_it(monkeypatch):
    """What the rerun figure relies on: a filter change only selects, and nothing outlives its view."""
    import gc

    import folium

    from analysis.datasets import build_view, regie_scheme
    from geodata.weblayer import web_layer
    from ui import webmap

    calls = []
    original = webmap._municipality_table
    monkeypatch.setattr(webmap, "_municipality_table", lambda view, web: calls.append(1) or original(view, web))
    view, web = build_view(regie_scheme(), "2019"), web_layer("2019")
    for province in ("Limburg", "Antwerpen", None):
        mask = None if province is None else view.municipalities["province"] == province
        fmap = webmap.coverage_map(view, web, mask)
        expected = len(view.municipalities) if mask is None else int(mask.sum())
        drawn = sum(len(layer.data["features"]) for layer in fmap.layers
                    if isinstance(layer, folium.GeoJson) and layer.layer_name != "Grenzen samenwerkingsverbanden")
        assert drawn == expected
    assert calls == [1]
    view_id = id(view)
    assert any(key[1] == view_id for key in webmap._PER_VIEW._entries)
    del view, fmap
    gc.collect()
    assert not any(key[1] == view_id for key in webmap._PER_VIEW._entries)


def test_trace_summary_counts_self_time_by_category_and_frame():
    from bench.profile import summarise_trace

    main = {"pid": 1, "tid": 7}
    trace = {"traceEvents": [
        {"ph": "M", "name": "thread_name", "args": {"name": "CrRendererMain"}, **main},
        {"ph": "M", "name": "thread_name", "args": {"name": "Compositor"}, "pid": 1, "tid": 8},
        {"ph": "I", "name": "TracingStartedInBrowser", "pid": 0, "tid": 0, "ts": 0, "args": {"data": {"frames": [
            {"frame": "A", "url": "http://127.0.0.1:1/"},
            {"frame": "B", "url": "http://127.0.0.1:1/component/streamlit_folium.st_folium/index.html"}]}}},
        {"ph": "X", "name": "RunTask", "ts": 0, "dur": 100_000, **main},
        {"ph": "X", "name": "FunctionCall", "ts": 10_000, "dur": 50_000, "args": {"data": {"frame": "A"}}, **main},
        {"ph": "X", "name": "Layout", "ts": 20_000, "dur": 10_000, **main},  # inherits frame A
        {"ph": "X", "name": "Paint", "ts": 70_000, "dur": 20_000, "args": {"data": {"frame": "B"}}, **main},
        {"ph": "X", "name": "Paint", "ts": 0, "dur": 99_000, "pid": 1, "tid": 8},  # not the main thread
    ]}
    summary = summarise_trace(trace)
    assert summary["main_thread_busy_ms"] == 100.0
    assert summary["self_ms_by_frame_and_category"] == {
        "unattributed": {"other": 30.0},
        "top_page": {"scripting": 40.0, "style_and_layout": 10.0},
        "map_iframe": {"paint_and_composite": 20.0},
    }


def test_server_profile_summary_names_the_buckets_per_run():
    from bench.profile import SAMPLE_RATE_HZ, summarise_py_spy

    runner = "thread (1): ScriptRunner-1;ScriptRunner._run_script (streamlit/runtime/scriptrunner/script_runner.py:9)"
    page = "ScriptRunner._run_script.<locals>.code_to_exec (streamlit/runtime/scriptrunner/script_runner.py:9)"
    raw = "\n".join([
        f"{runner};{page};<module> (dashboard.py:60);show_map (ui/widgets.py:250) 8",
        f"{runner};{page};<module> (dashboard.py:60);kpis_for (analysis/scenario.py:5) 2",
        f"{runner};ScriptRunner._on_script_finished (streamlit/runtime/scriptrunner/script_runner.py:1055) 6",
        "thread (2): MainThread;BaseEventLoop.run_forever (asyncio/base_events.py:607);"
        "LocalSourcesWatcher.update_watched_modules (streamlit/watcher/local_sources_watcher.py:281) 4",
    ])
    summary = summarise_py_spy(raw, runs=2)
    per_run = summary["seconds_per_run_by_bucket"]
    assert per_run["script: page script (dashboard.py and the page)"] == pytest.approx(10 / SAMPLE_RATE_HZ / 2)
    assert per_run["script: gc.collect(2) after every run (runner.postScriptGC)"] == pytest.approx(
        6 / SAMPLE_RATE_HZ / 2)
    assert per_run["event loop: file watcher: paths of every loaded module after every run"] == pytest.approx(
        4 / SAMPLE_RATE_HZ / 2)
    shares = summary["page_script_inclusive_share"]
    assert shares["dashboard.py:<module>"] == 1.0 and shares["ui/widgets.py:show_map"] == 0.8
    assert shares["analysis/scenario.py:kpis_for"] == 0.2


def test_the_page_level_scenario_edit_figure_times_an_edit_run_against_a_rerun():
    figure = bench.measure_scenario_page_edit(edits=2)
    assert figure["edits"] == 2 and len(figure["samples_ms"]) == 2 and len(figure["baseline_samples_ms"]) == 2
    assert figure["edit_run_ms"] > 0 and figure["baseline_rerun_ms"] > 0 and figure["edit_run_cpu_ms"] > 0
    assert figure["meets_target"] == (figure["edit_run_ms"] < 300)
    table = bench.format_table({"scenario_edit": {**bench.measure_scenario_edit(edits=2, repeats=1), "page": figure}})
    assert "Scenario edit on the page" in table and f"{figure['edit_run_ms']:.1f} ms" in table
