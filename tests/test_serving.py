"""Serving the dashboard to colleagues: behind a reverse proxy at a sub-path (Streamlit's server.baseUrlPath)."""

import subprocess

import pytest

from ui.webmap import leaflet_urls
from tests.conftest import leaflet_frame, local_only, start_streamlit


def test_leaflet_is_loaded_below_the_base_url_path():
    assert leaflet_urls("")[0].startswith("/app/static/leaflet-")
    assert leaflet_urls("regiekaart")[0].startswith("/regiekaart/app/static/leaflet-")
    assert leaflet_urls("/a/b/")[1].startswith("/a/b/app/static/leaflet-") and leaflet_urls("/a/b/")[1].endswith(".css")


@pytest.mark.browser
@pytest.mark.slow
def test_maps_draw_when_served_below_a_base_url_path(chromium):
    process, base_url = start_streamlit({"STREAMLIT_SERVER_BASE_URL_PATH": "regiekaart"})
    context = local_only(chromium.new_context(viewport={"width": 1280, "height": 900}))
    try:
        missing = []
        page = context.new_page()
        page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
        page.goto(base_url + "/regiekaart/")
        frame = leaflet_frame(page, timeout_s=90)
        assert frame.query_selector_all("path.leaflet-interactive")
        assert not [url for url in missing if "/static/" in url], missing
    finally:
        context.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
