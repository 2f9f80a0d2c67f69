"""What a visitor sees when something goes wrong: a short Dutch message, never a traceback or a server path.

`error_boundary()` wraps the whole page run in dashboard.py (data loading, sidebar, page). Source data that
cannot be had (`geodata.fetch.SourceUnavailable`: offline without mirror, a file that is not the registered one,
a failed download, a full disk) gives a page that names the source and what to do; any other error a short
message with a reference. The details, with the reference, go to the server log (Python logging, logger
"regiekaart"). Streamlit's own error display is switched off in .streamlit/config.toml
(client.showErrorDetails = "none") for whatever happens outside the boundary.

With REGIEKAART_STRICT_ERRORS=1 (set for the test suite by tests/conftest.py) the error is raised again after the
message, so a test that checks for exceptions still sees every one.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import sys
from contextlib import contextmanager

import streamlit as st

from geodata import fetch

LOG = logging.getLogger("regiekaart")

DATA_TITLE = "Gegevens niet beschikbaar"
UNEXPECTED_TITLE = "Er ging iets mis"
# Every message starts with one of these titles (bench/load.py counts such a page as an error).
TITLES = (DATA_TITLE, UNEXPECTED_TITLE)

_REASONS = {
    fetch.OFFLINE: "het staat niet in de mirror of de downloadcache van de server, en downloaden staat uit "
                   "(REGIEKAART_OFFLINE=1)",
    fetch.MIRROR_MISMATCH: "het bestand in de mirror is niet het geregistreerde bestand (andere sha256)",
    fetch.DOWNLOAD_MISMATCH: "de download is niet het geregistreerde bestand (andere sha256); er is niets bewaard",
    fetch.DOWNLOAD_FAILED: "het kon niet gedownload worden (geen verbinding, een proxy of een fout van de server)",
    fetch.DISK_FULL: "de schijf van de server is vol",
}
_FETCH_ADVICE = ("Download alle brongegevens op de server, in de projectmap: `python -m geodata fetch`.")
_MIRROR_ADVICE = ("Zonder internet: zet de mirror klaar in `../shared/data/mirror` naast het project, of wijs met "
                  "de omgevingsvariabele `REGIEKAART_MIRROR` naar een mirror.")
_PROXY_ADVICE = "Achter een proxy: stel `HTTPS_PROXY` in voor het serverproces."
_DISK_ADVICE = ("Maak plaats vrij op de schijf van de server (de downloadcache staat in `REGIEKAART_CACHE` of de "
                "gebruikerscache).")


def _logger() -> logging.Logger:
    """The "regiekaart" logger; writes to stderr (Streamlit's own log) unless logging was configured."""
    if not LOG.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
    return LOG


def new_reference() -> str:
    """A short reference a visitor can quote; the log line of the error carries the same one."""
    return secrets.token_hex(4)


def data_unavailable_text(error: fetch.SourceUnavailable, reference: str) -> str:
    """Markdown for a source that cannot be had: which file, why, what to do. No path of the server."""
    source = error.source
    if source is None:
        what = "Regiekaart kon een bestand niet bewaren" if error.reason == fetch.DISK_FULL \
            else "Een bronbestand ontbreekt"
    else:
        what = f"Het bronbestand **{source.filename}** ({source.description}) ontbreekt"
    reason = _REASONS.get(error.reason, "het kon niet gelezen worden")
    if error.reason == fetch.MIRROR_MISMATCH:
        steps = ["Herstel dit bestand in de mirror, of verwijder het zodat het opnieuw gedownload wordt.",
                 _FETCH_ADVICE]
    elif error.reason == fetch.DISK_FULL:
        steps = [_DISK_ADVICE, _FETCH_ADVICE]
    else:
        steps = [_FETCH_ADVICE, _MIRROR_ADVICE, _PROXY_ADVICE]
    lines = [f"**{DATA_TITLE}.** {what}: {reason}. Regiekaart kan deze pagina daarom niet tonen.", "",
             "Wat u kunt doen (als beheerder van de server):"]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, 1)]
    lines += ["", "Laad daarna deze pagina opnieuw.", ""]
    if source is not None:
        lines.append(f"Bron: {source.url}  ")  # two spaces: a line break in Markdown
    lines.append(f"Referentie in het serverlog: `{reference}`.")
    return "\n".join(lines)


def unexpected_error_text(reference: str) -> str:
    return (f"**{UNEXPECTED_TITLE}** bij het tonen van deze pagina. Probeer het opnieuw of kies een andere pagina. "
            f"Blijft het misgaan, meld dan de referentie `{reference}` aan de beheerder: het serverlog heeft de "
            "details.")


@contextmanager
def error_boundary():
    """Run a page; turn any error into a Dutch message and a log entry with the same reference.

    Streamlit's st.rerun / st.stop / page switches are BaseExceptions and pass through untouched.
    """
    try:
        yield
    except fetch.SourceUnavailable as error:
        reference = new_reference()
        _logger().error("[%s] bron niet beschikbaar (%s): %s | %s", reference, error.reason, error, error.details)
        st.error(data_unavailable_text(error, reference), icon=":material/cloud_off:")
        _raise_again_when_strict()
    except OSError as error:
        reference = new_reference()
        _logger().exception("[%s] fout bij lezen of schrijven van bestanden", reference)
        if error.errno == errno.ENOSPC:
            st.error(data_unavailable_text(fetch.SourceUnavailable("", reason=fetch.DISK_FULL), reference),
                     icon=":material/cloud_off:")
        else:
            st.error(unexpected_error_text(reference), icon=":material/error:")
        _raise_again_when_strict()
    except Exception:
        reference = new_reference()
        _logger().exception("[%s] onverwachte fout", reference)
        st.error(unexpected_error_text(reference), icon=":material/error:")
        _raise_again_when_strict()


def _raise_again_when_strict() -> None:
    if os.environ.get("REGIEKAART_STRICT_ERRORS") == "1":
        raise  # noqa: PLE0704 (called from an except block: re-raises the error being handled)
