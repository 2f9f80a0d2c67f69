"""The dashboard in Streamlit's AppTest, as the page tests open it: dashboard.py with the query parameters of a link,
then (optionally) one page of its navigation."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def open_app(page: str | None = None, timeout: float = 120, **query) -> AppTest:
    """The dashboard opened with `query` as its link's parameters, switched to `page` (a script under pages/), and
    run without an exception."""
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


def metric(at: AppTest, label: str) -> str:
    """The shown value of the KPI card `label`."""
    return next(m.value for m in at.metric if m.label == label)


def open_kpi_table(at: AppTest) -> AppTest:
    """Open the home page's "Kerncijfers als tabel" as a click on it does (the table is drawn only while it is
    open): its state turns True and the page runs again."""
    from ui.widgets import KPI_TABLE_OPEN

    at.session_state[KPI_TABLE_OPEN] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
