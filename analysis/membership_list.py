"""A list of regisseurs read from a file or pasted text, as the scheme of a session or a command: one way for the
dashboard and the command line to read it, compare it with the reconstruction and check its totals.

Like `analysis.datasets`, this module meets the data files (through `geodata`); the comparisons themselves are the
pure functions of `analysis.reconcile`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.datasets import regie_scheme
from analysis.reconcile import Reconciliation, reconcile, totals_check
from analysis.scenario import CoverageView
from geodata.membership import Scheme, official_totals
from geodata.municipalities import load_merger_table, load_municipalities
from geodata.official_list import PASTED_TEXT, read_membership_upload
from geodata.uploads import ERROR, Problem
from geodata.vocabulary import SCHEME_UPLOAD

UPLOAD_SCHEME_ID = SCHEME_UPLOAD  # the scheme id of an uploaded list


def list_label(filename: str) -> str:
    """How an uploaded list is named on every page, map and export: by its file name."""
    return f"eigen lijst {filename}"


def scheme_data(scheme: Scheme, filename: str) -> Scheme:
    """A scheme read from an upload under the session's upload id and its list label (on 2019-2024 codes)."""
    return replace(scheme, scheme_id=UPLOAD_SCHEME_ID, label=list_label(filename), reconstructed=False,
                   source_note=filename, boundary_version="2019")


def read_list(data: bytes | str, filename: str | None = None):
    """Read a list (file bytes, or pasted text as a str): (Scheme or None, problems). Never raises."""
    name = str(filename or (PASTED_TEXT if isinstance(data, str) else "upload"))
    scheme, problems = read_membership_upload(data, name, load_municipalities("2019")[["nis", "name"]],
                                              load_merger_table())
    return (scheme_data(scheme, name) if scheme is not None else None), problems


def read_list_file(path: str | Path):
    """Read a list from a file on disk: (Scheme or None, problems); a file that cannot be opened is a problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = ("het bestaat niet" if isinstance(error, FileNotFoundError) else
                  "het is een map" if isinstance(error, IsADirectoryError) else
                  "geen toegang" if isinstance(error, PermissionError) else "leesfout")
        return None, [Problem(ERROR, path.name, None, None, f"Het bestand kan niet geopend worden ({reason}).",
                              "Controleer de naam en de map van het bestand.")]
    return read_list(data, path.name)


def reconcile_with_reconstruction(listed: Scheme) -> Reconciliation:
    """The list compared with Regiekaart's reconstruction, per municipality of the 2019-2024 map."""
    return reconcile(listed, regie_scheme(), load_municipalities("2019")[["nis", "name"]])


def official_facts() -> dict:
    """The published 2020-2025 facts as plain values by key."""
    return {key: item["value"] for key, item in official_totals().items()}


def check_totals(view: CoverageView) -> pd.DataFrame:
    """The totals of the list's view (the dashboard's own KPI definitions) beside the published facts."""
    return totals_check(view.kpis, view.profiles, view.scheme.partnerships, official_facts())
