"""No traceback reaches a visitor: ui.errors turns errors into Dutch messages with a log reference, and a first
visit downloads missing sources with progress (ui.sources_download). AppTest runs here; the same in a real
browser is in tests/test_browser_errors.py."""

import logging
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.fetch import mirror_root
from geodata.sources import SOURCES
from ui import errors

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
REAL_MIRROR = mirror_root()
EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Unavailable)\b")


@pytest.fixture
def production(monkeypatch):
    """The boundary as a visitor meets it: the message only, not raised again."""
    monkeypatch.delenv("REGIEKAART_STRICT_ERRORS", raising=False)


def page_text(at: AppTest) -> str:
    parts = [element.value for kind in ("error", "markdown", "caption", "title", "info", "warning")
             for element in getattr(at, kind)]
    return "\n".join(str(part) for part in parts)


def assert_nothing_of_the_server(text: str, *paths: Path) -> None:
    assert "Traceback" not in text
    for path in (PROJECT_ROOT, *paths):
        assert str(path) not in text, path
    assert ".py" not in text and "site-packages" not in text
    assert not EXCEPTION_NAME.search(text), EXCEPTION_NAME.search(text)


def _failing_page():
    from ui.errors import error_boundary

    with error_boundary():
        import streamlit as st

        st.title("Pagina")
        raise ValueError("kapot in /srv/regiekaart/geheim.py")


def test_an_unexpected_error_shows_a_reference_that_the_log_has(production, caplog):
    caplog.set_level(logging.ERROR, logger="regiekaart")
    at = AppTest.from_function(_failing_page, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Pagina"  # what the page showed before the error stays
    (message,) = [error.value for error in at.error]
    assert message.startswith(f"**{errors.UNEXPECTED_TITLE}**")
    reference = re.search(r"referentie `([0-9a-f]{8})`", message).group(1)
    assert_nothing_of_the_server(page_text(at), Path("/srv/regiekaart"))
    (record,) = [r for r in caplog.records if r.name == "regiekaart"]
    assert reference in record.getMessage()
    assert record.exc_info and "geheim.py" in str(record.exc_info[1])  # the details are in the log


def _page_on_a_full_disk():
    import errno

    from ui.errors import error_boundary

    with error_boundary():
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/regiekaart/cache/web.parquet")


def test_a_full_disk_anywhere_is_named_as_such(production, caplog):
    caplog.set_level(logging.ERROR, logger="regiekaart")
    at = AppTest.from_function(_page_on_a_full_disk, default_timeout=30).run()
    assert not at.exception
    (message,) = [error.value for error in at.error]
    assert message.startswith(f"**{errors.DATA_TITLE}.**") and "schijf van de server is vol" in message
    assert_nothing_of_the_server(page_text(at), Path("/srv/regiekaart"))
    reference = re.search(r"`([0-9a-f]{8})`", message).group(1)
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records if r.name == "regiekaart")


def test_strict_mode_raises_the_error_again_for_tests(monkeypatch):
    monkeypatch.setenv("REGIEKAART_STRICT_ERRORS", "1")
    at = AppTest.from_function(_failing_page, default_timeout=30).run()
    assert at.error[0].value.startswith(f"**{errors.UNEXPECTED_TITLE}**") and at.exception


def _app_without_data(monkeypatch, tmp_path, offline: bool) -> AppTest:
    from bench.run import clear_caches

    monkeypatch.setenv("REGIEKAART_MIRROR", str(tmp_path / "empty-mirror"))
    monkeypatch.setenv("REGIEKAART_CACHE", str(tmp_path / "cache"))
    if offline:
        monkeypatch.setenv("REGIEKAART_OFFLINE", "1")
    else:
        monkeypatch.delenv("REGIEKAART_OFFLINE", raising=False)
    (tmp_path / "empty-mirror").mkdir()
    clear_caches()  # nothing loaded by an earlier test may stand in for the missing files
    return AppTest.from_file(DASHBOARD, default_timeout=180)


def test_offline_without_data_the_dashboard_names_the_source_and_what_to_do(production, monkeypatch, tmp_path,
                                                                          caplog):
    caplog.set_level(logging.ERROR, logger="regiekaart")
    at = _app_without_data(monkeypatch, tmp_path, offline=True).run()
    assert not at.exception
    (message,) = [error.value for error in at.error]
    first = next(iter(SOURCES.values()))
    assert message.startswith(f"**{errors.DATA_TITLE}.**") and first.filename in message
    for advice in ("python -m geodata fetch", "../shared/data/mirror", "REGIEKAART_MIRROR", "HTTPS_PROXY",
                   "REGIEKAART_OFFLINE=1", first.url):
        assert advice in message, advice
    assert_nothing_of_the_server(page_text(at), tmp_path)
    reference = re.search(r"`([0-9a-f]{8})`", message).group(1)
    logged = [r.getMessage() for r in caplog.records if r.name == "regiekaart"]
    assert any(reference in line and str(tmp_path) in line for line in logged)  # paths go to the log only


def test_a_wrong_file_in_the_mirror_is_named_with_how_to_repair_it(production, monkeypatch, tmp_path):
    at = _app_without_data(monkeypatch, tmp_path, offline=True)
    source = SOURCES["province_names"]
    shutil.copytree(REAL_MIRROR, tmp_path / "empty-mirror", dirs_exist_ok=True)
    (tmp_path / "empty-mirror" / source.relative_path).unlink()
    (tmp_path / "empty-mirror" / source.relative_path).write_bytes(b"not the registered file")
    at.run()
    assert not at.exception
    (message,) = [error.value for error in at.error]
    assert source.filename in message and "andere sha256" in message and "Herstel dit bestand" in message
    assert_nothing_of_the_server(page_text(at), tmp_path)


@pytest.mark.slow
def test_a_first_visit_downloads_every_source_with_a_line_per_file(production, monkeypatch, tmp_path):
    """A local HTTP server on 127.0.0.1 stands in for GitHub; every file is hash-checked on arrival."""
    import http.server
    import threading
    from functools import partial

    at = _app_without_data(monkeypatch, tmp_path, offline=False)
    served = tmp_path / "served"
    shutil.copytree(REAL_MIRROR, served)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("REGIEKAART_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        at.run()
    finally:
        server.shutdown()
        server.server_close()
    assert not at.exception and not at.error
    lines = [m.value for m in at.markdown if m.value.startswith(":material/check:")]
    assert len(lines) == len(SOURCES)
    for source, line in zip(SOURCES.values(), lines):
        assert source.filename in line and (tmp_path / "cache" / source.relative_path).is_file()
    assert at.title[0].value == "Regiekaart"  # and then the page itself
