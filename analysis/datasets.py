"""Load the bundled schemes and build analysed views (the one place where analysis meets the data files).

Everything else in `analysis` is pure; this module reads through `geodata` and memoises per process, so the
CLI, the batch export and the dashboard share one way of getting a view.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.gaps import adjacency_pairs
from analysis.mapstyle import map_colours
from analysis.mergers import merger_conflicts
from analysis.scenario import CoverageView, build_coverage_view, scheme_from_regions, scheme_on_version
from analysis.scenario_edit import (
    START_EMPTY,
    START_LABELS_NL,
    START_RECONSTRUCTION,
    START_REFERENCE_REGIONS,
    START_UPLOAD,
    EditError,
    scenario_from_content,
    starting_point,
)
from geodata.membership import Scheme, load_scheme, official_totals
from geodata.municipalities import load_merger_table, load_municipalities
from geodata.regions import REGION_SOURCE, load_referentieregios
from geodata.sources import SOURCES
from geodata.vocabulary import SCHEME_LABELS, SCHEME_REFREG, SCHEME_REGIE

REGIE = SCHEME_REGIE
REFERENTIEREGIO = SCHEME_REFREG
BUNDLED_SCHEMES = {scheme_id: SCHEME_LABELS[scheme_id] for scheme_id in (REGIE, REFERENTIEREGIO)}


@lru_cache(maxsize=1)
def regie_scheme() -> Scheme:
    """The reconstructed 2020-2025 regie membership (on 2019 codes)."""
    return load_scheme(REGIE)


def referentieregio_scheme(version: str) -> Scheme:
    source = SOURCES[REGION_SOURCE[version]]
    return scheme_from_regions(load_referentieregios(version), f"{source.attribution} ({source.url})", version)


def population_2019() -> pd.Series:
    frame = load_municipalities("2019")
    return pd.Series(frame["population_2020"].to_numpy(), index=frame["nis"].to_numpy())


def scheme_for_version(scheme: Scheme, version: str) -> Scheme:
    """Express any scheme in the codes of a boundary version."""
    return scheme_on_version(scheme, version, load_merger_table(), population_2019())


@lru_cache(maxsize=4)
def adjacency_for(version: str) -> pd.DataFrame:
    return adjacency_pairs(load_municipalities(version))


def build_view(scheme: Scheme, version: str) -> CoverageView:
    """Analyse a scheme (bundled or uploaded) on a boundary version."""
    on_version = scheme_for_version(scheme, version)
    return build_coverage_view(load_municipalities(version), on_version, adjacency_for(version),
                               load_referentieregios(version), official_values(scheme.scheme_id, version),
                               colours=scheme_colours(scheme))


def scheme_colours(scheme: Scheme) -> dict[str, str]:
    """Partnership colours decided on the map of the scheme's own codes, so that the 2019-2024 and the 2025 map
    of one scheme show every partnership in the same colour (the Fusies page puts them side by side)."""
    return map_colours(scheme.partnerships["partnership_id"].tolist(), adjacency_for(scheme.boundary_version),
                       scheme.memberships)


@lru_cache(maxsize=8)
def bundled_view(scheme_id: str, version: str) -> CoverageView:
    """The analysed view of a bundled scheme (memoised)."""
    if scheme_id == REGIE:
        return build_view(regie_scheme(), version)
    if scheme_id == REFERENTIEREGIO:
        return build_view(referentieregio_scheme(version), version)
    raise ValueError(f"Onbekend schema {scheme_id!r}; kies uit {', '.join(BUNDLED_SCHEMES)}")


# The published 2020-2025 totals describe the 300 municipalities of the 2019-2024 map.
OFFICIAL_TOTALS_VERSION = "2019"
OFFICIAL_TOTALS_SOURCE_NL = "socialeeconomie.be, 8 april 2020"


def _official_numbers() -> dict:
    return {key: item.get("value") if isinstance(item, dict) else item
            for key, item in dict(official_totals()).items()}


def official_values(scheme_id: str, version: str) -> dict | None:
    """The published 2020-2025 totals as plain numbers, for the scheme and map they describe: the regie scheme on
    the 300 municipalities of 2019-2024. None for any other scheme or map."""
    if scheme_id != REGIE or version != OFFICIAL_TOTALS_VERSION:
        return None
    return _official_numbers()


@dataclass(frozen=True)
class OfficialComparison:
    """What a scenario's KPIs are set beside: the published totals (``values``, None for no comparison), and a
    Dutch sentence (``note``) that says so, to show with them."""

    values: dict | None
    note: str


def scenario_official_comparison(version: str) -> OfficialComparison:
    """Whether the KPIs of a scenario on the map of `version` are compared with the official 2020-2025 totals.

    A scenario is an alternative to the official 2020-2025 situation, so on the map those totals describe (the 300
    municipalities of 2019-2024) the comparison shows what the scenario changes, whatever its starting point. On
    the 2025 map the totals count other municipalities (285, after the mergers): no comparison.
    """
    if version == OFFICIAL_TOTALS_VERSION:
        return OfficialComparison(_official_numbers(), (
            "Vergeleken met de officiële totalen 2020-2025 (" + OFFICIAL_TOTALS_SOURCE_NL + "; 300 gemeenten van "
            "2019-2024): het verschil is wat dit scenario verandert tegenover de officiële toestand."))
    return OfficialComparison(None, (
        "Geen vergelijking met de officiële totalen 2020-2025: die tellen de 300 gemeenten van 2019-2024, niet de "
        "gemeenten van deze kaart."))


def merger_conflicts_for(scheme: Scheme) -> pd.DataFrame:
    """Merged 2025 municipalities whose 2019 parts disagree in this scheme (needs a scheme on 2019 codes)."""
    if scheme.boundary_version != "2019":
        raise ValueError("Fusieconflicten vragen lidmaatschap op de codes van 2019-2024")
    old, new = load_municipalities("2019"), load_municipalities("2025")
    return merger_conflicts(scheme.memberships, scheme.non_participants, load_merger_table(), population_2019(),
                            dict(zip(old["nis"], old["name"])), dict(zip(new["nis"], new["name"])))


def municipality_names(version: str) -> dict[str, str]:
    """nis -> name of every municipality of a boundary version."""
    frame = load_municipalities(version)
    return dict(zip(frame["nis"].tolist(), frame["name"].tolist()))


def scenario_starting_point(kind: str, version: str, uploaded: Scheme | None = None):
    """The starting point of a new scenario on the map of `version` ("2019" or "2025").

    `kind` is one of analysis.scenario_edit.START_LABELS_NL: the reconstruction, the referentieregio's, an uploaded
    scheme (`uploaded`) or an empty map. A scheme on the 2019-2024 codes started on the 2025 map is projected onto
    it, and the merger conflicts of that projection are listed to resolve.
    """
    names = municipality_names(version)
    if kind == START_EMPTY:
        return starting_point(kind, None, names, version)
    if kind == START_RECONSTRUCTION:
        base = regie_scheme()
    elif kind == START_REFERENCE_REGIONS:
        base = referentieregio_scheme(version)
    elif kind == START_UPLOAD:
        if uploaded is None:
            raise EditError("Er is geen upload om van te vertrekken; laad eerst een lidmaatschapsbestand op.")
        base = uploaded
    else:
        raise EditError(f"Onbekend vertrekpunt '{kind}'; kies uit {', '.join(START_LABELS_NL)}.")
    conflicts = None
    if base.boundary_version == "2019" and version == "2025":
        conflicts = merger_conflicts_for(base)
    label = None
    if kind == START_RECONSTRUCTION and version == "2025":
        label = "De reconstructie 2020-2025, geprojecteerd op de kaart vanaf 2025"
    elif kind == START_UPLOAD:
        label = f"Upload {uploaded.source_note or uploaded.label}".strip()
    return starting_point(kind, scheme_for_version(base, version), names, version, conflicts, label)


def scenario_from_saved(content):
    """The scenario of a saved version (geodata.scenario_store.ScenarioContent), ready to edit further."""
    return scenario_from_content(content, municipality_names(content.boundary_version))
