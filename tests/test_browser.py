"""The dashboard in a real Chromium (Debian's build, driven by Playwright): what a user actually sees."""

import time

import pytest

from geodata.municipalities import load_municipalities
from tests.conftest import leaflet_frame, local_only

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LEGEND = "[data-testid='rk-legend']"


def settled_path_count(frame, seconds: float = 1.5) -> int:
    """Number of interactive paths once it stops changing (Streamlit may render the map twice)."""
    previous, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < seconds:
        count = len(frame.query_selector_all("path.leaflet-interactive"))
        if count != previous:
            previous, stable_since = count, time.monotonic()
        time.sleep(0.2)
    return previous


def test_home_page_draws_one_path_per_municipality(page, streamlit_url, artifacts_dir):
    page.goto(streamlit_url + "/")
    frame = leaflet_frame(page)
    assert settled_path_count(frame) == 300
    assert "Regiekaart" in page.inner_text("h1")
    legend = page.inner_text(LEGEND)  # beside the map, not on it
    assert "Onbekend (geen bron gevonden)" in legend and "In meer dan één verband" in legend
    assert frame.query_selector(".rk-legend") is None
    assert page.get_by_text("Bron: gemeentegrenzen").first.is_visible()  # the source line under the map
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)


def test_filter_in_the_url_is_applied(page, streamlit_url, artifacts_dir):
    page.goto(streamlit_url + "/?provincie=Limburg")
    frame = leaflet_frame(page)
    limburg = int((load_municipalities("2019")["province"] == "Limburg").sum())
    assert settled_path_count(frame) == limburg
    assert "provincie=Limburg" in page.url  # the link still reproduces the view
    page.screenshot(path=str(artifacts_dir / "home-limburg.png"), full_page=True)


def test_deep_link_on_a_fresh_server_gets_the_shared_sidebar(chromium, artifacts_dir):
    """The first request of a new server is a link to a page (streamlit's legacy pages/ mode must not win)."""
    from tests.conftest import start_streamlit

    process, base_url = start_streamlit()
    try:
        context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1000}))
        page = context.new_page()
        page.goto(base_url + "/verbanden?provincie=Limburg")
        page.wait_for_selector("h1:has-text('Samenwerkingsverbanden')", timeout=90_000)
        page.wait_for_selector("[data-testid='stSidebar'] :text('Referentieregio')", timeout=30_000)
        sidebar = page.inner_text("[data-testid='stSidebar']")
        assert "Filters" in sidebar and "Provincie" in sidebar
        assert "webmap" not in sidebar and "ui" not in sidebar.split()  # helper modules are not pages
        page.wait_for_selector("text=provincie Limburg", timeout=30_000)  # the URL's filter is applied
        frame = leaflet_frame(page)  # the partnership's map is drawn, so the screenshot shows the page in use
        assert settled_path_count(frame) >= 3  # the three members of the first Limburg partnership at least
        page.screenshot(path=str(artifacts_dir / "deep-link-verbanden.png"), full_page=True)
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_dekking_map_shows_all_of_flanders_and_keeps_the_users_zoom(page, streamlit_url):
    """On Dekking the legend sits beside the map, so the map is fitted to Flanders as a whole; once the user has
    zoomed, folding the legend away leaves their view alone."""
    page.goto(streamlit_url + "/dekking")
    frame = leaflet_frame(page)
    settled_path_count(frame)
    layout = frame.evaluate("""() => {
        const boxes = [...document.querySelectorAll('path.leaflet-interactive')].map(p => p.getBoundingClientRect());
        const map = document.querySelector('.leaflet-container').getBoundingClientRect();
        return {lowest: Math.max(...boxes.map(b => b.bottom)), top: Math.min(...boxes.map(b => b.top)),
                left: Math.min(...boxes.map(b => b.left)), right: Math.max(...boxes.map(b => b.right)),
                mapTop: map.top, mapBottom: map.bottom, mapLeft: map.left, mapRight: map.right};
    }""")
    assert layout["top"] >= layout["mapTop"] - 2 and layout["lowest"] <= layout["mapBottom"] + 2, layout
    assert layout["left"] >= layout["mapLeft"] - 2 and layout["right"] <= layout["mapRight"] + 2, layout
    # (streamlit-folium names the Leaflet map `map_div`; a refit would take it back to the fitted zoom.)
    def zoom():
        return frame.evaluate("() => map_div.getZoom()")

    fitted = zoom()
    frame.click("a.leaflet-control-zoom-in")
    page.wait_for_timeout(800)
    assert zoom() == fitted + 1
    page.get_by_text("Legende: Dekking").click()
    page.wait_for_timeout(800)
    assert not page.locator(LEGEND).first.is_visible()
    assert zoom() == fitted + 1


def test_gegevens_page_uploads_a_list_and_shows_the_diff_map(chromium, streamlit_url, artifacts_dir, tmp_path):
    """A list uploaded on the Gegevens page is compared with the reconstruction on a map with its legend."""
    import re

    from analysis.membership_list import read_list, reconcile_with_reconstruction
    from analysis.reconcile import CATEGORIES
    from tests.conftest import is_local_url

    text = "Regisseur;Gemeenten\nInterwaas;Beveren, Kruibeke en Sint-Niklaas\nNieuw verband;Herstappe, Voeren\nGent;Gent\n"
    path = tmp_path / "regisseurs.csv"
    path.write_text(text, encoding="utf-8")
    expected = reconcile_with_reconstruction(read_list(text.encode(), "regisseurs.csv")[0]).counts
    # Chromium under Playwright sends an intercepted multipart upload without its body (microsoft/playwright#14624):
    # only requests that leave this machine are routed (and refused); the upload to the dashboard is left alone.
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE")
    context.route(lambda url: not is_local_url(url), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(streamlit_url + "/gegevens")
        page.wait_for_selector("h1:has-text('Gegevens en bronnen')", timeout=90_000)
        choose_file(page, path)
        page.wait_for_selector("text=Vergelijking met de reconstructie", timeout=120_000)
        frame = leaflet_frame(page)
        assert settled_path_count(frame) == 300
        legend = page.inner_text(LEGEND)
        shown = {label: int(count) for label, count in re.findall(r"([^\n]+?)\s*\((\d+)\)", legend)}
        assert shown == {label: expected[key] for key, label, _ in CATEGORIES if expected[key]}
        assert expected["bevestigd"] and expected["nieuw"]  # the hand-made list has both
        assert page.get_by_text("vergelijking: regisseurs.csv").first.is_visible()  # the source line under the map
        page.screenshot(path=str(artifacts_dir / "gegevens-lijst-vergelijking.png"), full_page=True)
    finally:
        context.close()


def choose_file(page, path) -> None:
    """Give the page's first file uploader a file, again if a rerun of the page replaced the uploader first (on a
    fresh server the page is still being drawn when its uploader appears)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
    for _ in range(3):
        uploader.wait_for(state="attached", timeout=90_000)
        uploader.set_input_files(str(path))
        try:
            page.locator("[data-testid='stFileUploader']").first.get_by_text(path.name).wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{path.name} never reached the file uploader")
