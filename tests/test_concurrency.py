"""Concurrent use: ten sessions at once, each with its own filter URL, then each changing its province at the same
moment. Every session must see its own filters and none may get an error.

The sessions speak Streamlit's own websocket protocol (bench/load.py), so the test checks what the server sends
each session (the sidebar values, the number of municipalities covered, the link the page writes) without ten
browsers competing for the CPU. What a browser draws is tested in tests/test_browser.py.
"""

import asyncio
from urllib.parse import parse_qsl

import pytest

from bench.load import Session, run_async

pytestmark = [pytest.mark.slow]

QUERIES = (
    "",
    "provincie=Limburg",
    "provincie=Antwerpen",
    "provincie=West-Vlaanderen",
    "centrumstad=met",
    "centrumstad=zonder&provincie=Oost-Vlaanderen",
    "versie=2025",
    "versie=2025&provincie=Vlaams-Brabant",
    "schema=referentieregio",
    "schema=referentieregio&provincie=Limburg",
)
# The province each session switches to, all at the same time.
CHANGES = ("Limburg", "Antwerpen", "Limburg", "Antwerpen", "West-Vlaanderen", "Vlaams-Brabant", "Oost-Vlaanderen",
           "Antwerpen", "Oost-Vlaanderen", "West-Vlaanderen")


def expected(params: dict[str, str]) -> dict[str, str]:
    """What the home page must show for these filters, computed from the data the same way the dashboard
    filters (no number typed in here): sidebar values and the 'Gemeenten gedekt' card."""
    from analysis.datasets import bundled_view
    from analysis.filters import Selection, selected_municipalities
    from analysis.formatting import format_number
    from analysis.scenario import kpis_for
    from geodata import vocabulary
    from ui import state

    scheme = params.get("schema", vocabulary.SCHEME_REGIE)
    version = params.get("versie", "2019")
    province = params.get("provincie", state.ALL)
    centre = params.get("centrumstad", state.CENTRE_ANY)
    view = bundled_view(scheme, version)
    selection = Selection(province=province, centre=centre)
    mask = selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   selection, view.regions)
    kpis = (view.kpis if selection.is_everything else kpis_for(view, mask)).set_index("kpi")["value"]
    return {
        "Indeling": vocabulary.SCHEME_LABELS[scheme],
        "Gemeentegrenzen": vocabulary.VERSION_LABELS[version],
        "Provincie": "Alle provincies" if province == state.ALL else province,
        "Centrumstad": state.centre_options(view)[centre],
        "Gemeenten gedekt": f"{format_number(kpis['municipalities'])} / {format_number(kpis['total_municipalities'])}",
    }


def shown(run) -> dict[str, str]:
    values = {label: str(run.widgets[label].value) for label in ("Indeling", "Gemeentegrenzen", "Provincie",
                                                                 "Centrumstad") if label in run.widgets}
    values["Gemeenten gedekt"] = run.metrics.get("Gemeenten gedekt")
    return values


async def _all_sessions(base_url: str):
    sessions = [Session(base_url, timeout_s=240) for _ in QUERIES]
    await asyncio.gather(*(session.connect() for session in sessions))
    try:
        opened = await asyncio.gather(*(session.open(query) for session, query in zip(sessions, QUERIES)))
        changed = await asyncio.gather(*(session.change("Provincie", province)
                                         for session, province in zip(sessions, CHANGES)))
        return opened, changed
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


def test_simultaneous_sessions_each_keep_their_own_filters(streamlit_url):
    opened, changed = run_async(_all_sessions(streamlit_url), timeout_s=600)
    wanted_after = []
    for query, province, first, second in zip(QUERIES, CHANGES, opened, changed):
        params = dict(parse_qsl(query))
        for run in (first, second):
            assert run.outcome == "finished" and run.errors == 0, (query, run.exceptions, run.error_messages)
        assert shown(first) == expected(params), query
        # The page writes the link of what it shows; unchanged filters need no new link.
        assert first.query_string is None or dict(parse_qsl(first.query_string)) == params, (query, first.query_string)
        after = {**params, "provincie": province}
        assert shown(second) == expected(after), (query, province)
        assert dict(parse_qsl(second.query_string)) == after, (query, second.query_string)
        wanted_after.append(shown(second)["Gemeenten gedekt"])
    # Different filters really gave different numbers (the sessions did not share one state).
    assert len({shown(run)["Gemeenten gedekt"] for run in opened}) >= 6
    assert len(set(wanted_after)) >= 5
