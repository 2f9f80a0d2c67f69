"""Hostile partnership names in a real Chromium: uploaded through the Gegevens page, shown as text everywhere.

The upload names one partnership ``<img src=x onerror=alert(1)>``, one ``</script><script>alert(2)</script>`` and one
``{{ 7*7 }} ${alert(3)}`` (template syntax of Jinja, which branca runs over every rendered map element, and of
JavaScript template literals). On the home page and the Dekking page no JavaScript dialog may open, and the names
must be visible as plain text in the map tooltip, the map legend, the sidebar and the table.
"""

from __future__ import annotations

import time

import pytest

from geodata.weblayer import web_layer
from tests.conftest import leaflet_frame, local_only

LEGEND = "[data-testid='rk-legend']"

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
TEMPLATE = "{{ 7*7 }} ${alert(3)}"
UPLOAD_NAME = "xss.csv"
UPLOAD = (f"gemeente;samenwerkingsverband\nGenk;{IMG}\nAs;{IMG}\nHasselt;{SCRIPT}\nDiepenbeek;{SCRIPT}\n"
          f"Gent;{TEMPLATE}\n").encode()
UPLOAD_LABEL = "eigen lijst xss.csv (deze sessie)"  # an uploaded list is named by its file
WAIT_MS = 120_000


# --- no browser: the server never evaluates template syntax in names -----------------------------------------

@pytest.mark.slow
def test_template_syntax_in_names_is_not_evaluated_on_the_server():
    from analysis.datasets import build_view
    from analysis.membership_list import read_list
    from ui.webmap import coverage_map, escape_text, gaps_map

    jinja = "{{ 'rk' ~ 'ssti' ~ 7*7 }}"
    loop = "{% for x in 'ab' %}rk-loop{% endfor %}"
    data = f"gemeente;samenwerkingsverband\nGenk;{jinja}\nAs;{loop}\nGent;{IMG}\n".encode()
    scheme, problems = read_list(data, "ssti.csv")
    assert scheme is not None, problems
    view = build_view(scheme, "2019")
    web = web_layer("2019")
    for fmap in (coverage_map(view, web, None, source=f"Bron: {jinja}", title=loop), gaps_map(view, web)):
        html = fmap.get_root().render()
        assert "rkssti49" not in html and "rk-looprk-loop" not in html
        assert IMG not in html
        # The map as an embeddable iframe (folium's public _repr_html_): no evaluated template either.
        shown = fmap._repr_html_()
        assert "rkssti49" not in shown and "rk-looprk-loop" not in shown
    legend = coverage_map(view, web).get_root().render()
    assert escape_text(jinja) in legend and escape_text(loop) in legend  # shown, as text


# --- the browser ------------------------------------------------------------------------------------------------

@pytest.fixture
def page(chromium):
    context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1100}, locale="nl-BE"))
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


def settled(page, seconds: float = 2.0, timeout_s: float = 90):
    """(frame, number of interactive paths) once the count has not changed for `seconds` (Streamlit may draw
    the map twice; the frame is looked up again each time, as a redraw replaces it)."""
    previous, since, deadline = -1, time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frame = leaflet_frame(page)
        try:
            count = len(frame.query_selector_all("path.leaflet-interactive"))
        except Exception:  # replaced while counting
            count = -1
        if count != previous:
            previous, since = count, time.monotonic()
        elif count >= 0 and time.monotonic() - since >= seconds:
            return frame, count
        time.sleep(0.25)
    raise AssertionError(f"the map did not settle (last count {previous})")


def go_to(page, link: str, heading: str) -> None:
    """Navigate inside the app (same session; a new URL would start a new session without the upload)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=link, exact=True).click()
    page.wait_for_function(f"() => document.querySelector('h1') && "
                           f"document.querySelector('h1').innerText.includes({heading!r})", timeout=WAIT_MS)


def scheme_in_sidebar(page) -> str:
    return page.locator('input[aria-label="Indeling"]').input_value()


def choose(page, label: str, option: str) -> None:
    page.locator(f'input[aria-label="{label}"]').click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_function(
        f"() => document.querySelector('input[aria-label=\"{label}\"]').value === {option!r}", timeout=WAIT_MS)


def upload_membership(page, base_url: str) -> None:
    page.goto(base_url + "/gegevens")
    uploader = page.locator('[data-testid="stFileUploader"] input[type=file]').first
    uploader.wait_for(state="attached", timeout=WAIT_MS)
    uploader.set_input_files(files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": UPLOAD}])
    page.get_by_text(f"{UPLOAD_NAME}: 3 regisseurs").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Gebruik deze upload op alle pagina's").click()
    time.sleep(3)


def exception_texts(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def hover_municipality(page, frame, name: str) -> str:
    """Move the mouse onto a municipality of the map and return the tooltip's text."""
    web = web_layer("2019")
    point = web.loc[web["name"] == name].geometry.iloc[0].representative_point()
    frame.frame_element().scroll_into_view_if_needed()
    box = frame.frame_element().bounding_box()
    x, y = frame.evaluate("""([lat, lon]) => {
        const map = window.map instanceof L.Map ? window.map
            : Object.values(window).find(v => v && v instanceof L.Map);
        const p = map.latLngToContainerPoint([lat, lon]);
        const r = map.getContainer().getBoundingClientRect();
        return [p.x + r.left, p.y + r.top];
    }""", [point.y, point.x])
    page.mouse.move(box["x"] + x + 3, box["y"] + y + 3)
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for(state="visible", timeout=30_000)
    return tooltip.inner_text()


def assert_nothing_injected(page) -> None:
    assert page.dialogs == []
    for frame in page.frames:
        try:
            assert frame.query_selector('img[src="x"]') is None, frame.url
            scripts = frame.evaluate("() => [...document.scripts].map(s => s.text.trim())")
        except Exception as error:  # a detached frame holds nothing
            if "detached" in str(error).lower():
                continue
            raise
        assert "alert(2)" not in scripts and "alert(1)" not in scripts


@pytest.mark.browser
@pytest.mark.slow
def test_activating_an_upload_switches_the_app_to_it(page, streamlit_url):
    upload_membership(page, streamlit_url)
    assert exception_texts(page) == []
    go_to(page, "Overzicht", "Regiekaart")
    assert scheme_in_sidebar(page) == UPLOAD_LABEL


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_partnership_names_are_shown_as_text(page, streamlit_url, artifacts_dir):
    upload_membership(page, streamlit_url)
    go_to(page, "Overzicht", "Regiekaart")
    if scheme_in_sidebar(page) != UPLOAD_LABEL:  # see test_activating_an_upload_switches_the_app_to_it
        choose(page, "Indeling", UPLOAD_LABEL)

    # Home page: legend and tooltip.
    frame, paths = settled(page)
    assert paths == 300
    legend = page.inner_text(LEGEND)  # beside the map, in the page
    for name in (IMG, SCRIPT, TEMPLATE):
        assert name in legend, legend
    assert page.query_selector(f"{LEGEND} img, {LEGEND} script") is None
    tooltip = hover_municipality(page, frame, "Genk")
    assert "Genk" in tooltip and IMG in tooltip, tooltip
    tooltip = hover_municipality(page, frame, "Hasselt")
    assert "Hasselt" in tooltip and SCRIPT in tooltip, tooltip
    assert frame.query_selector(".leaflet-tooltip img, .leaflet-tooltip script") is None
    assert exception_texts(page) == []
    assert_nothing_injected(page)
    page.screenshot(path=str(artifacts_dir / "xss-home.png"), full_page=True)

    # Dekking: only the members of the <img> partnership, so its rows are in the table.
    go_to(page, "Dekking", "Dekking")
    choose(page, "Samenwerkingsverband", IMG)
    frame, paths = settled(page)
    assert paths == 2
    assert IMG in page.inner_text(LEGEND)
    tooltip = hover_municipality(page, frame, "Genk")
    assert IMG in tooltip, tooltip
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=WAIT_MS)
    table.scroll_into_view_if_needed()
    deadline = time.monotonic() + 60
    rows = ""
    while IMG not in rows and time.monotonic() < deadline:
        time.sleep(0.5)
        # The grid draws on a canvas; its accessible table holds the same cells as text.
        rows = table.evaluate("e => [...e.querySelectorAll('table, [role=grid]')].map(t => t.innerText).join('\\n')")
    assert "Genk" in rows and "As" in rows and IMG in rows, rows
    assert IMG in page.locator('[data-testid="stSidebar"]').inner_text() or \
        page.locator('input[aria-label="Samenwerkingsverband"]').input_value() == IMG
    assert exception_texts(page) == []
    assert_nothing_injected(page)
    page.screenshot(path=str(artifacts_dir / "xss-dekking.png"), full_page=True)
