"""Concurrent use: twelve browser contexts open the dashboard at the same time, each with its own filter URL.

Each must finish without a Streamlit exception and see its own filters (sidebar values, number of municipalities
drawn on the Leaflet map, the link). The peak memory of the Streamlit process tree is printed and written to
test-artifacts/concurrency.json. The scenario lives in bench/concurrency.py, which bench/run.py also uses.
"""

import json
from urllib.parse import parse_qsl, unquote

import pytest

from bench.concurrency import QUERIES, measure, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def own_server():
    process, base_url = start_server()
    yield process, base_url
    stop_server(process)


def test_simultaneous_sessions_each_keep_their_own_filters(chromium, own_server, artifacts_dir):
    # `chromium` only decides skip (no browser) or fail (CI requires one); the sessions use their own
    # async browser, in a thread of their own.
    process, base_url = own_server
    assert len(set(QUERIES)) >= 10
    report = measure(process, base_url, QUERIES)
    (artifacts_dir / "concurrency.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"\nconcurrency: {report['sessions']} sessions, peak RSS of the Streamlit process tree "
          f"{report['peak_rss_mb']:.0f} MB (idle {report['idle_rss_mb']:.0f} MB, after one session "
          f"{report['after_one_session_rss_mb']:.0f} MB), {report['wall_s']:.0f} s")

    assert report["warmup_ok"]
    assert report["sessions"] == len(QUERIES)
    for result in report["results"]:
        query = result["query"]
        expected = report["expected"][query]
        assert result["error"] is None, (query, result["error"])
        assert result["exceptions"] == 0, query
        assert result["dialogs"] == [], query
        assert result["paths"] == expected["paths"], (query, result["paths"], expected["paths"])
        for label, value in expected["sidebar"].items():
            assert result["sidebar"].get(label) == value, (query, label, result["sidebar"])
        link = dict(parse_qsl(unquote(result["url"].split("?", 1)[1]))) if "?" in result["url"] else {}
        assert link == dict(parse_qsl(query)), (query, result["url"])
        assert result["ok"], query
    # Different filters really gave different maps (the sessions did not all get one shared state).
    assert len({result["paths"] for result in report["results"]}) >= 6
    assert report["peak_rss_mb"] > report["idle_rss_mb"] > 0
