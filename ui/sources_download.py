"""First visit: download the registered sources that are in neither the mirror nor the cache, with progress.

Called by dashboard.py before anything reads data, inside the error boundary (`ui.errors`): a download that
fails there gives the Dutch "gegevens niet beschikbaar" page. Once every source was found for a mirror and cache,
later runs in the process skip the check.
"""

from __future__ import annotations

import os
import threading

import streamlit as st

from analysis.formatting import format_number
from geodata.fetch import SourceUnavailable, cache_root, fetch, mirror_root, missing_sources
from geodata.sources import SOURCES

_COMPLETE: set[tuple[str, str]] = set()  # (mirror, cache) pairs that hold every registered source
_DOWNLOADING = threading.Lock()  # one session downloads; the others wait and then find the files


def size_text(size: int) -> str:
    """A file size in Belgian notation: 950 kB, 1,2 MB."""
    return f"{format_number(size / 1e6, 1)} MB" if size >= 1e6 else f"{format_number(size / 1e3)} kB"


def ensure_sources() -> None:
    """Make sure every registered source has a verified local copy; download the missing ones with progress."""
    roots = (str(mirror_root()), str(cache_root()))
    if roots in _COMPLETE:
        return
    missing = missing_sources()
    if missing and os.environ.get("REGIEKAART_OFFLINE") == "1":
        fetch(missing[0])  # raises SourceUnavailable (offline): nothing to show progress for
    if missing:
        if not _DOWNLOADING.acquire(blocking=False):
            with st.spinner("Een andere bezoeker downloadt de brongegevens; even geduld…"):
                _DOWNLOADING.acquire()
        try:
            missing = missing_sources()  # what is still missing after waiting
            if missing:
                download_with_progress(missing)
        finally:
            _DOWNLOADING.release()
    _COMPLETE.add(roots)


def download_with_progress(keys: list[str]) -> None:
    """Fetch `keys` one by one under an st.status with a progress bar (per file, by bytes) and a line per file."""
    count = len(keys)
    with st.status(f"Brongegevens downloaden ({count} bestanden, eenmalig)…", expanded=True) as status:
        st.caption("Regiekaart haalt de open brongegevens op en controleert elk bestand (sha256). "
                   "Dit gebeurt alleen bij het eerste bezoek.")
        bar = st.progress(0.0, text="Verbinden…")
        for number, key in enumerate(keys, 1):
            source = SOURCES[key]
            label = f"Bestand {number} van {count}: {source.filename}"

            def report(done: int, total: int, number=number, label=label) -> None:
                share = min(done / total, 1.0) if total else 0.0
                amount = f"{size_text(done)} van {size_text(total)}" if total else size_text(done)
                bar.progress((number - 1 + share) / count, text=f"{label} · {amount}")

            bar.progress((number - 1) / count, text=label)
            try:
                fetched = fetch(key, progress=report)
            except SourceUnavailable:
                status.update(label=f"Downloaden mislukt bij {source.filename}", state="error", expanded=True)
                raise
            st.markdown(f":material/check: {source.filename} · {source.description} · "
                        f"{size_text(fetched.path.stat().st_size)}")
        bar.progress(1.0, text="Alle brongegevens gedownload en gecontroleerd.")
        status.update(label=f"Brongegevens gedownload en gecontroleerd ({count} bestanden)", state="complete",
                      expanded=False)
