"""A fresh machine without the data, in a real Chromium: a Dutch page, never a traceback or a server path."""

import re

import pytest

from tests.conftest import local_only, server_log, start_streamlit
from tests.test_errors import assert_nothing_of_the_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server_without_data(tmp_path):
    (tmp_path / "empty-mirror").mkdir()
    env = {"REGIEKAART_CACHE": str(tmp_path / "cache"), "REGIEKAART_MIRROR": str(tmp_path / "empty-mirror"),
           "REGIEKAART_OFFLINE": "1", "REGIEKAART_STRICT_ERRORS": "0"}  # production behaviour
    process, base_url = start_streamlit(env)
    yield base_url, int(base_url.rsplit(":", 1)[1])
    process.terminate()
    process.wait(timeout=15)


@pytest.mark.parametrize("path", ["/", "/dekking?provincie=Limburg"])
def test_offline_without_data_shows_a_dutch_page_and_keeps_the_details_in_the_log(
        chromium, server_without_data, tmp_path, artifacts_dir, path):
    base_url, port = server_without_data
    context = local_only(chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE"))
    try:
        page = context.new_page()
        page.goto(base_url + path)
        page.wait_for_selector("text=Gegevens niet beschikbaar", timeout=90_000)
        page.wait_for_timeout(500)  # let the run finish drawing
        text = page.inner_text("body")
        for advice in ("python -m geodata fetch", "../shared/data/mirror", "REGIEKAART_MIRROR", "HTTPS_PROXY",
                       "gemeente2024.shp"):
            assert advice in text, advice
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_nothing_of_the_server(text, tmp_path)
        assert "/tmp" not in text and "/work" not in text and "/home" not in text
        page.screenshot(path=str(artifacts_dir / f"offline-without-data{path.split('?')[0].replace('/', '-')}.png"),
                        full_page=True)
        reference = re.search(r"Referentie in het serverlog: ([0-9a-f]{8})", text).group(1)
    finally:
        context.close()
    log = server_log(port).read_text(errors="replace")
    assert f"[{reference}] bron niet beschikbaar (offline)" in log and str(tmp_path) in log
