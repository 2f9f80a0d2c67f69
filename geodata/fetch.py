"""Fetch registered sources: local mirror first, then the per-user cache, then a verified download.

Where a file comes from is reported ("mirror", "cache" or "download") so `python -m geodata info`
can show it. Every file is checked against its registered sha256 wherever it comes from.

Environment variables:
    REGIEKAART_MIRROR     a mirror root laid out as <owner>/<repo>/<commit>/<path>
                          (default: ../shared/data/mirror next to the project root)
    REGIEKAART_CACHE      the download cache (default: the per-user cache of the OS)
    REGIEKAART_BASE_URL   replaces https://raw.githubusercontent.com (used by tests with a local server)
    REGIEKAART_OFFLINE=1  never download; fail with a clear message instead
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pooch

from geodata.sources import RAW_BASE_URL, SOURCES, Source, get_source

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_origins: dict[str, str] = {}


class SourceUnavailable(RuntimeError):
    """A registered source could not be read from the mirror, the cache or its URL."""


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


def fetch(key: str) -> FetchedFile:
    """Return a verified local copy of the registered source `key`.

    Raises SourceUnavailable with a message that names the file and what to do.
    """
    source = get_source(key)
    mirrored = mirror_root() / source.relative_path
    if mirrored.is_file():
        if file_sha256(mirrored) != source.sha256:
            raise SourceUnavailable(
                f"{source.filename}: het bestand in de mirror ({mirrored}) heeft een andere sha256 dan "
                f"geregistreerd in geodata/sources.py. Herstel de mirror of verwijder het bestand zodat "
                f"het opnieuw gedownload wordt van {source.url}."
            )
        return _remember(FetchedFile(source, mirrored, "mirror"))

    cached = cache_root() / source.relative_path
    if cached.is_file() and file_sha256(cached) == source.sha256:
        return _remember(FetchedFile(source, cached, "cache"))

    if os.environ.get("REGIEKAART_OFFLINE") == "1":
        raise SourceUnavailable(
            f"{source.filename}: niet gevonden in de mirror ({mirror_root()}) of de cache ({cache_root()}) "
            f"en downloaden staat uit (REGIEKAART_OFFLINE=1). Zet de mirror klaar of download {source.url}."
        )
    url = source_url(source)
    try:
        downloaded = pooch.retrieve(
            url,
            known_hash=f"sha256:{source.sha256}",
            fname=cached.name,
            path=cached.parent,
            progressbar=sys.stderr.isatty(),
        )
    except ValueError as error:
        # pooch downloads to a temporary file and deletes it when the hash does not match.
        raise SourceUnavailable(
            f"{source.filename}: de download van {url} heeft niet de geregistreerde sha256 "
            f"({source.sha256[:12]}…); er is niets in de cache bewaard. Controleer de URL of de "
            f"netwerkverbinding en probeer opnieuw. ({error})"
        ) from None
    except Exception as error:  # network errors come in many types (requests, OSError, ...)
        raise SourceUnavailable(
            f"{source.filename}: kon niet gedownload worden van {url} ({type(error).__name__}: {error}). "
            f"Zonder netwerk: zet de mirror klaar in {mirror_root()} of stel REGIEKAART_MIRROR in."
        ) from None
    return _remember(FetchedFile(source, Path(downloaded), "download"))


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
