"""The source registry and the three ways a source arrives: mirror, cache, verified download."""

import errno
import hashlib
import http.server
import re
import shutil
import socket
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pooch
import pytest

from geodata import fetch as fetch_module
from geodata.fetch import SourceUnavailable, fetch, mirror_root
from geodata.sources import SOURCES

SMALL_SOURCE = "province_names"  # a 5 kB xlsx keeps the download tests quick
REAL_MIRROR = mirror_root()  # read before any test points REGIEKAART_MIRROR elsewhere


def test_every_source_is_pinned_hashed_and_licensed():
    assert len(SOURCES) >= 19
    for source in SOURCES.values():
        assert re.fullmatch(r"[0-9a-f]{40}", source.commit), source.key
        assert re.fullmatch(r"[0-9a-f]{64}", source.sha256), source.key
        assert source.url == f"https://raw.githubusercontent.com/{source.owner}/{source.repo}/{source.commit}/{source.path}"
        assert source.licence and source.description and source.attribution


def test_registered_hashes_match_the_mirror_sums():
    sums_file = REAL_MIRROR.parent / "SHA256SUMS"
    listed = dict(line.split("  mirror/")[::-1] for line in sums_file.read_text().splitlines() if line.strip())
    for source in SOURCES.values():
        assert listed[source.relative_path] == source.sha256, source.key


def test_mirror_is_used_when_present(monkeypatch, tmp_path):
    monkeypatch.setenv("REGIEKAART_CACHE", str(tmp_path / "cache"))
    fetched = fetch(SMALL_SOURCE)
    assert fetched.origin == "mirror"
    assert fetched.path == REAL_MIRROR / SOURCES[SMALL_SOURCE].relative_path
    assert not (tmp_path / "cache").exists()


@pytest.fixture
def served_tree(tmp_path):
    """A local HTTP server on 127.0.0.1 serving a copy of the mirror layout; yields (root, base_url)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def no_mirror(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("REGIEKAART_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("REGIEKAART_CACHE", str(cache))
    monkeypatch.delenv("REGIEKAART_OFFLINE", raising=False)
    return cache


def _serve(source_key, served_root, content=None):
    source = SOURCES[source_key]
    target = served_root / source.relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        shutil.copyfile(REAL_MIRROR / source.relative_path, target)
    else:
        target.write_bytes(content)
    return source


def test_download_verifies_hash_then_reuses_the_cache(no_mirror, served_tree, monkeypatch):
    served_root, base_url = served_tree
    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    source = _serve(SMALL_SOURCE, served_root)

    first = fetch(SMALL_SOURCE)
    assert first.origin == "download"
    assert first.path == no_mirror / source.relative_path
    assert hashlib.sha256(first.path.read_bytes()).hexdigest() == source.sha256

    (served_root / source.relative_path).unlink()  # the server no longer has it: the cache must answer
    second = fetch(SMALL_SOURCE)
    assert second.origin == "cache"
    assert second.path == first.path


def test_corrupted_download_fails_clearly_and_leaves_nothing(no_mirror, served_tree, monkeypatch):
    served_root, base_url = served_tree
    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    original = (REAL_MIRROR / SOURCES[SMALL_SOURCE].relative_path).read_bytes()
    corrupted = original[:-10] + b"0123456789"
    source = _serve(SMALL_SOURCE, served_root, corrupted)

    with pytest.raises(SourceUnavailable) as raised:
        fetch(SMALL_SOURCE)
    message = str(raised.value)
    assert source.filename in message and "sha256" in message
    left = [path for path in no_mirror.rglob("*") if path.is_file()] if no_mirror.exists() else []
    assert left == []


def test_missing_file_on_server_names_the_file(no_mirror, served_tree, monkeypatch):
    _, base_url = served_tree
    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    with pytest.raises(SourceUnavailable, match=re.escape(SOURCES[SMALL_SOURCE].filename)):
        fetch(SMALL_SOURCE)


def test_corrupted_mirror_file_is_rejected(monkeypatch, tmp_path):
    source = SOURCES[SMALL_SOURCE]
    fake_mirror = tmp_path / "mirror"
    target = fake_mirror / source.relative_path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not the registered file")
    monkeypatch.setenv("REGIEKAART_MIRROR", str(fake_mirror))
    with pytest.raises(SourceUnavailable, match="andere sha256"):
        fetch(SMALL_SOURCE)


def test_offline_without_data_gives_one_clear_error(no_mirror, monkeypatch):
    monkeypatch.setenv("REGIEKAART_OFFLINE", "1")
    with pytest.raises(SourceUnavailable, match="REGIEKAART_OFFLINE"):
        fetch(SMALL_SOURCE)


@pytest.mark.slow
def test_info_cli_exits_non_zero_without_data(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "REGIEKAART_MIRROR": str(tmp_path / "none"),
           "REGIEKAART_CACHE": str(tmp_path / "cache"), "REGIEKAART_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "geodata", "info", "--json"], capture_output=True,
                            text=True, env=env, cwd=Path(fetch_module.__file__).parent.parent)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "niet beschikbaar" in result.stderr and "niet gevonden in de mirror" in result.stderr


def test_download_reports_its_progress(no_mirror, served_tree, monkeypatch):
    """What the dashboard shows per file on a first visit: bytes received of bytes expected, rising to the end."""
    served_root, base_url = served_tree
    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    key = "gemeente2025.dbf"  # about 150 kB: a few 64 kB chunks
    source = _serve(key, served_root)
    size = (served_root / source.relative_path).stat().st_size
    reports = []

    fetched = fetch(key, progress=lambda done, total: reports.append((done, total)))

    assert fetched.origin == "download"
    assert hashlib.sha256(fetched.path.read_bytes()).hexdigest() == source.sha256
    assert len(reports) >= 2, reports
    assert all(total == size for _, total in reports)
    received = [done for done, _ in reports]
    assert received == sorted(received) and received[-1] == size
    assert fetch(key, progress=lambda *_: pytest.fail("a cached file is not downloaded again")).origin == "cache"


def _path_free(error: SourceUnavailable, *paths: Path) -> None:
    message = str(error)
    for path in paths:
        assert str(path) not in message, message
    assert str(Path(fetch_module.__file__).parent.parent) not in message, message


def test_failures_say_which_source_and_why_without_paths_of_this_machine(no_mirror, served_tree, monkeypatch,
                                                                          tmp_path):
    served_root, base_url = served_tree
    source = SOURCES[SMALL_SOURCE]

    monkeypatch.setenv("REGIEKAART_OFFLINE", "1")
    with pytest.raises(SourceUnavailable) as offline:
        fetch(SMALL_SOURCE)
    monkeypatch.delenv("REGIEKAART_OFFLINE")

    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    _serve(SMALL_SOURCE, served_root, b"not the registered file")
    with pytest.raises(SourceUnavailable) as mismatch:
        fetch(SMALL_SOURCE)

    with socket.socket() as closed:  # a port nobody listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("REGIEKAART_BASE_URL", f"http://127.0.0.1:{closed.getsockname()[1]}")
    with pytest.raises(SourceUnavailable) as refused:
        fetch(SMALL_SOURCE)

    for raised, reason in ((offline, fetch_module.OFFLINE), (mismatch, fetch_module.DOWNLOAD_MISMATCH),
                           (refused, fetch_module.DOWNLOAD_FAILED)):
        error = raised.value
        assert (error.source, error.reason) == (source, reason)
        assert source.filename in str(error)
        _path_free(error, tmp_path)
    assert str(tmp_path) in offline.value.details  # the log gets the paths
    assert "ConnectionError" in refused.value.details and "HTTPS_PROXY" in str(refused.value)


def test_a_full_disk_is_named_as_such(no_mirror, served_tree, monkeypatch, tmp_path):
    """ENOSPC while the download is written (injected: a real full disk is not something a test can make)."""
    served_root, base_url = served_tree
    monkeypatch.setenv("REGIEKAART_BASE_URL", base_url)
    _serve(SMALL_SOURCE, served_root)

    def disk_full(self, url, output_file, pooch_instance, check_only=False):
        raise OSError(errno.ENOSPC, "No space left on device", str(output_file))

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", disk_full)
    with pytest.raises(SourceUnavailable) as raised:
        fetch(SMALL_SOURCE)
    assert raised.value.reason == fetch_module.DISK_FULL and "schijf is vol" in str(raised.value)
    _path_free(raised.value, tmp_path)


def test_a_different_file_in_the_mirror_is_reported_before_any_download(monkeypatch, tmp_path):
    source = SOURCES[SMALL_SOURCE]
    fake_mirror = tmp_path / "mirror"
    (fake_mirror / source.relative_path).parent.mkdir(parents=True)
    (fake_mirror / source.relative_path).write_bytes(b"not the registered file")
    monkeypatch.setenv("REGIEKAART_MIRROR", str(fake_mirror))
    monkeypatch.setenv("REGIEKAART_CACHE", str(tmp_path / "cache"))
    with pytest.raises(SourceUnavailable) as raised:
        fetch_module.missing_sources()
    assert (raised.value.source, raised.value.reason) == (source, fetch_module.MIRROR_MISMATCH)
    _path_free(raised.value, tmp_path)
    assert str(fake_mirror) in raised.value.details


def test_missing_sources_lists_what_a_first_visit_must_download(monkeypatch, tmp_path):
    monkeypatch.setenv("REGIEKAART_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("REGIEKAART_CACHE", str(tmp_path / "cache"))
    assert fetch_module.missing_sources() == list(SOURCES)
    monkeypatch.setenv("REGIEKAART_MIRROR", str(REAL_MIRROR))
    assert fetch_module.missing_sources() == []
