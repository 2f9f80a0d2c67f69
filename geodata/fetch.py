"""Fetch registered sources: local mirror first, then the per-user cache, then a verified download.

Where a file comes from is reported ("mirror", "cache" or "download") so `python -m geodata info`
can show it. Every file is checked against its registered sha256 wherever it comes from.

Environment variables:
    REGIEKAART_MIRROR     a mirror root laid out as <owner>/<repo>/<commit>/<path>
                          (default: ../shared/data/mirror next to the project root)
    REGIEKAART_CACHE      the download cache (default: the per-user cache of the OS)
    REGIEKAART_BASE_URL   replaces https://raw.githubusercontent.com (used by tests with a local server)
    REGIEKAART_OFFLINE=1  never download; fail with a clear message instead
    HTTPS_PROXY           a proxy for the downloads (read by requests, which pooch uses)

A failure raises `SourceUnavailable`. Its message names the file and what to do but no path of this machine,
because it may be shown in a browser; the paths are in its `details`, for logs.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pooch

from geodata.sources import RAW_BASE_URL, SOURCES, Source, get_source

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_origins: dict[str, str] = {}


# Why a source could not be had (SourceUnavailable.reason).
OFFLINE = "offline"  # not in the mirror or the cache, and downloading is off
MIRROR_MISMATCH = "mirror_mismatch"  # the mirror's copy is not the registered file
DOWNLOAD_MISMATCH = "download_mismatch"  # the downloaded file is not the registered file
DOWNLOAD_FAILED = "download_failed"  # no connection, a proxy or server error
DISK_FULL = "disk_full"  # no space left to store the download

MIRROR_HINT = "de mirror (REGIEKAART_MIRROR, standaard ../shared/data/mirror naast het project)"

# A download reports (bytes received, bytes expected; 0 when the server does not say) to this.
Progress = Callable[[int, int], None]


class SourceUnavailable(RuntimeError):
    """A registered source could not be read from the mirror, the cache or its URL.

    ``str(error)`` is Dutch, names the file and what to do, and holds no path of this machine;
    ``details`` adds the paths and the underlying error for the server log. ``source`` and ``reason``
    (one of the constants above) let a page say what went wrong in its own words.
    """

    def __init__(self, message: str, *, source: Source | None = None, reason: str | None = None,
                 details: str = ""):
        super().__init__(message)
        self.source = source
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class FetchedFile:
    source: Source
    path: Path
    origin: str  # "mirror", "cache" or "download"


def mirror_root() -> Path:
    """The directory that holds the read-only mirror of upstream files."""
    configured = os.environ.get("REGIEKAART_MIRROR")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "data" / "mirror"


def cache_root() -> Path:
    """The per-user download cache."""
    configured = os.environ.get("REGIEKAART_CACHE")
    if configured:
        return Path(configured)
    return Path(pooch.os_cache("regiekaart"))


def source_url(source: Source) -> str:
    base = os.environ.get("REGIEKAART_BASE_URL", RAW_BASE_URL).rstrip("/")
    return f"{base}/{source.relative_path}"


@lru_cache(maxsize=256)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime so a file replaced on disk is hashed again.
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file (memoised per size and modification time)."""
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


def local_copy(key: str) -> FetchedFile | None:
    """The verified copy of source `key` in the mirror or the cache, or None when a download is needed.

    Raises SourceUnavailable when the mirror holds a different file: that is never replaced by a download.
    """
    source = get_source(key)
    mirrored = mirror_root() / source.relative_path
    if mirrored.is_file():
        if file_sha256(mirrored) != source.sha256:
            raise SourceUnavailable(
                f"{source.filename}: het bestand in {MIRROR_HINT} heeft een andere sha256 dan geregistreerd in "
                f"geodata/sources.py. Herstel de mirror of verwijder het bestand zodat het opnieuw gedownload "
                f"wordt van {source.url}.",
                source=source, reason=MIRROR_MISMATCH, details=f"mirror file {mirrored}")
        return FetchedFile(source, mirrored, "mirror")
    cached = cache_root() / source.relative_path
    if cached.is_file() and file_sha256(cached) == source.sha256:
        return FetchedFile(source, cached, "cache")
    return None


class _ProgressBar:
    """pooch's custom progress bar interface (``total``, ``update``, ``reset``, ``close``) feeding a
    `Progress` callback, at most once per percent so a caller can afford to redraw on every call."""

    def __init__(self, report: Progress):
        self._report = report
        self.total = 0
        self._done = 0
        self._reported = -1

    def update(self, size: int) -> None:
        self._done += size
        done = min(self._done, self.total) if self.total else self._done
        step = done * 100 // self.total if self.total else done >> 20  # per percent, or per MiB when unknown
        if step != self._reported:
            self._reported = step
            self._report(done, self.total)

    def reset(self) -> None:
        self._done = 0

    def close(self) -> None:
        pass


def fetch(key: str, progress: Progress | None = None) -> FetchedFile:
    """Return a verified local copy of the registered source `key`.

    A download reports its progress to `progress` (bytes received, bytes expected). Raises SourceUnavailable
    with a message that names the file and what to do.
    """
    local = local_copy(key)
    if local is not None:
        return _remember(local)
    source = get_source(key)
    cached = cache_root() / source.relative_path
    where = f"mirror {mirror_root()}, cache {cache_root()}"
    if os.environ.get("REGIEKAART_OFFLINE") == "1":
        raise SourceUnavailable(
            f"{source.filename}: niet gevonden in {MIRROR_HINT} of de downloadcache, en downloaden staat uit "
            f"(REGIEKAART_OFFLINE=1). Zet de mirror klaar of download {source.url} met `python -m geodata fetch`.",
            source=source, reason=OFFLINE, details=where)
    url = source_url(source)
    if progress is not None:
        downloader = pooch.HTTPDownloader(progressbar=_ProgressBar(progress), chunk_size=1 << 16)
    else:
        downloader = pooch.HTTPDownloader(progressbar=sys.stderr.isatty())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        downloaded = pooch.retrieve(
            url,
            known_hash=f"sha256:{source.sha256}",
            fname=cached.name,
            path=cached.parent,
            downloader=downloader,
        )
    except ValueError as error:
        # pooch downloads to a temporary file and deletes it when the hash does not match.
        raise SourceUnavailable(
            f"{source.filename}: de download van {source.url} heeft niet de geregistreerde sha256 "
            f"({source.sha256[:12]}…); er is niets in de cache bewaard. Controleer de URL of de "
            f"netwerkverbinding en probeer opnieuw.",
            source=source, reason=DOWNLOAD_MISMATCH, details=f"{url}: {error}; {where}") from None
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise _download_failed(source, url, error, where) from None
        raise SourceUnavailable(
            f"{source.filename}: de schijf is vol, de download van {source.url} kon niet bewaard worden. "
            f"Maak plaats vrij in de downloadcache (REGIEKAART_CACHE) en probeer opnieuw.",
            source=source, reason=DISK_FULL, details=f"{type(error).__name__}: {error}; {where}") from None
    except Exception as error:  # network errors come in many types (requests, urllib3, ...)
        raise _download_failed(source, url, error, where) from None
    return _remember(FetchedFile(source, Path(downloaded), "download"))


def _download_failed(source: Source, url: str, error: BaseException, where: str) -> SourceUnavailable:
    return SourceUnavailable(
        f"{source.filename}: kon niet gedownload worden van {source.url}. Controleer de netwerkverbinding "
        f"(achter een proxy: stel HTTPS_PROXY in), of zet zonder netwerk {MIRROR_HINT} klaar.",
        source=source, reason=DOWNLOAD_FAILED, details=f"{url}: {type(error).__name__}: {error}; {where}")


def fetch_path(key: str) -> Path:
    """Shorthand for ``fetch(key).path``."""
    return fetch(key).path


def _remember(fetched: FetchedFile) -> FetchedFile:
    _origins[fetched.source.key] = fetched.origin
    return fetched


def origins() -> dict[str, str]:
    """Where each source fetched in this process came from."""
    return dict(_origins)


def fetch_all() -> list[FetchedFile]:
    """Fetch every registered source (used by `python -m geodata fetch`)."""
    return [fetch(key) for key in SOURCES]


def missing_sources() -> list[str]:
    """Keys of the registered sources that have no verified copy in the mirror or the cache yet.

    Raises SourceUnavailable when the mirror holds a different file than registered.
    """
    return [key for key in SOURCES if local_copy(key) is None]
