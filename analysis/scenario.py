"""Assemble everything a view needs from one membership scenario and one boundary version.

A *scheme* is a set of partnerships with their members (the reconstructed regie 2020-2025 data, the official
referentieregio's, or an analyst's upload). `build_coverage_view` runs the analysis once (coverage, overlaps,
adjacency, gaps, enclaves, candidates, profiles, colours); pages and exports only select from the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd

from analysis.contiguity import partnership_parts
from analysis.coverage import COVERED_STATES, counted_partnership_ids, coverage_kpis, coverage_status
from analysis.filters import chosen_partnerships
from analysis.gaps import adjacency_pairs, gap_analysis
from analysis.mapstyle import coverage_categories, map_colours
from analysis.mergers import project_membership_to_2025, project_non_participants_to_2025
from analysis.overlaps import overlapping_memberships
from analysis.profiles import official_size_check, partnership_profiles
from geodata.crosswalk import successors
from geodata.membership import Scheme

# One scheme type for geodata and analysis; the old name stays importable for code written against it.
SchemeData = Scheme


def scheme_from_regions(regions: pd.DataFrame, source: str, version: str) -> Scheme:
    """The referentieregio's as a scheme: every region a 'partnership', every municipality a confirmed member."""
    names = regions.drop_duplicates("region_id").set_index("region_id")["region_name"]
    partnerships = pd.DataFrame({
        "partnership_id": names.index, "name": names.to_numpy(), "legal_form": None, "centre_city_nis": None,
        "centre_city": None, "standalone": False, "period": "vanaf 2022", "confidence": "confirmed", "notes": None,
    })
    memberships = pd.DataFrame({
        "partnership_id": regions["region_id"].to_numpy(), "nis": regions["nis"].to_numpy(), "municipality": None,
        "role": "lid", "source": source, "evidence": "Vlaamse Regering 2022", "confidence": "confirmed",
    })
    return Scheme("referentieregio", "Referentieregio's", partnerships, memberships,
                  reconstructed=False, source_note=source, boundary_version=version)


def scheme_on_version(scheme: Scheme, version: str, merger_table: pd.DataFrame,
                      population_2019: pd.Series) -> Scheme:
    """The scheme with its memberships expressed in the codes of `version` ("2019" or "2025").

    Memberships kept on 2019 codes are projected onto the 2025 map (a merged municipality is listed in every
    partnership one of its parts was in; `analysis.mergers.merger_conflicts` reports the disagreements).
    """
    if scheme.boundary_version == version:
        return scheme
    if not (scheme.boundary_version == "2019" and version == "2025"):
        raise ValueError(f"Kan lidmaatschap niet omzetten van {scheme.boundary_version} naar {version}")
    memberships = project_membership_to_2025(scheme.memberships, merger_table, population_2019)
    non_participants = project_non_participants_to_2025(scheme.non_participants, merger_table)
    centre = scheme.partnerships["centre_city_nis"].map(successors(merger_table)).where(
        scheme.partnerships["centre_city_nis"].notna())
    partnerships = scheme.partnerships.assign(centre_city_nis=centre)
    return replace(scheme, partnerships=partnerships, memberships=memberships,
                   non_participants=non_participants, boundary_version=version)


@dataclass
class CoverageView:
    """The analysed state of one scheme on one boundary version."""

    scheme: Scheme
    municipalities: gpd.GeoDataFrame
    adjacency: pd.DataFrame
    status: pd.DataFrame
    kpis: pd.DataFrame
    overlaps: pd.DataFrame
    clusters: pd.DataFrame
    enclaves: pd.DataFrame
    candidates: pd.DataFrame
    profiles: pd.DataFrame
    colours: dict[str, str]
    categories: pd.DataFrame
    legend: list
    regions: pd.DataFrame | None = None  # referentieregio membership (region_id, region_name, nis) of this map

    @property
    def covered_nis(self) -> set[str]:
        return set(self.status.loc[self.status["status"].isin(COVERED_STATES), "nis"])


def build_coverage_view(municipalities: gpd.GeoDataFrame, scheme: Scheme, adjacency: pd.DataFrame | None = None,
                        regions: pd.DataFrame | None = None, official: dict | None = None,
                        colours: dict[str, str] | None = None) -> CoverageView:
    """Run the coverage analysis for a scheme whose memberships use the codes of `municipalities`."""
    if adjacency is None:
        adjacency = adjacency_pairs(municipalities)
    partnerships, memberships = scheme.partnerships, scheme.memberships
    status = coverage_status(municipalities, memberships, scheme.non_participants)
    status["province"] = municipalities["province"].to_numpy()  # same rows, same order
    kpis = coverage_kpis(municipalities, partnerships, memberships, scheme.non_participants, official, status=status)
    overlaps = overlapping_memberships(memberships, partnerships, municipalities)
    # Clusters, enclaves and candidates in one go: enclaves start from the clusters, and all three share the
    # lookups of the map, the status and the adjacency.
    clusters, enclave_table, candidates = gap_analysis(municipalities, status, memberships, adjacency, partnerships)
    parts = partnership_parts(municipalities, memberships, adjacency)
    profiles = partnership_profiles(municipalities, partnerships, memberships, adjacency, regions, parts)
    official = official or {}
    profiles["official_size_check"] = official_size_check(profiles, official.get("min_partnership_population"),
                                                          official.get("max_partnership_population"))
    if colours is None:
        colours = map_colours(partnerships["partnership_id"].tolist(), adjacency, memberships)
    categories, legend = coverage_categories(status, partnerships, colours)
    return CoverageView(scheme, municipalities, adjacency, status, kpis, overlaps, clusters, enclave_table,
                        candidates, profiles, colours, categories, legend, regions)


def counted_partnerships(view: CoverageView, mask: pd.Series | None = None, selection=None) -> list[str]:
    """The partnership ids (stand-alone centre cities included) this view counts under `mask` and `selection`
    (an `analysis.filters.Selection`), as `analysis.coverage.counted_partnership_ids` defines it."""
    scheme = view.scheme
    codes = view.municipalities["nis"] if mask is None else view.municipalities.loc[mask, "nis"]
    chosen = None if selection is None else chosen_partnerships(scheme.partnerships, scheme.memberships, selection)
    return counted_partnership_ids(scheme.partnerships, scheme.memberships, codes, chosen)


def counted_partnership_rows(view: CoverageView) -> pd.DataFrame:
    """The rows of view.scheme.partnerships the whole map counts (`counted_partnerships`): the regisseurs a
    simulation or table of all of Flanders is about; one without known members is left out."""
    counted = set(counted_partnerships(view))
    partnerships = view.scheme.partnerships
    return partnerships[partnerships["partnership_id"].isin(counted)]


def kpis_for(view: CoverageView, mask: pd.Series | None = None, official: dict | None = None,
             selection=None) -> pd.DataFrame:
    """KPIs of the municipalities in `mask` (all when None), the partnerships counted as
    `analysis.coverage.counted_partnership_ids` says; `selection` (an `analysis.filters.Selection`) supplies the
    partnerships a centre-city or partnership filter chose."""
    scheme = view.scheme
    chosen = None if selection is None else chosen_partnerships(scheme.partnerships, scheme.memberships, selection)
    if (mask is None or bool(mask.all())) and chosen is None:
        return coverage_kpis(view.municipalities, scheme.partnerships, scheme.memberships, scheme.non_participants,
                             official, status=view.status)
    municipalities = view.municipalities if mask is None else view.municipalities[mask]
    codes = set(municipalities["nis"])
    memberships = scheme.memberships[scheme.memberships["nis"].isin(codes)]
    non_participants = scheme.non_participants[scheme.non_participants["nis"].isin(codes)]
    status = view.status[view.status["nis"].isin(codes)]
    return coverage_kpis(municipalities, scheme.partnerships, memberships, non_participants, official, status=status,
                         chosen=chosen)


def partnership_areas(view: CoverageView, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One area per partnership: the union of its members among `areas` (nis, geometry, any CRS), with its name.

    Columns partnership_id, name, geometry, in the CRS of `areas`; a partnership with no member in `areas` has
    no row.
    """
    members = view.scheme.memberships[["partnership_id", "nis"]].drop_duplicates()
    joined = areas[["nis", "geometry"]].merge(members, on="nis")
    if joined.empty:
        return gpd.GeoDataFrame({"partnership_id": [], "name": []}, geometry=[], crs=areas.crs)
    dissolved = gpd.GeoDataFrame(joined, geometry="geometry", crs=areas.crs).dissolve("partnership_id").reset_index()
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    dissolved["name"] = dissolved["partnership_id"].map(names).fillna(dissolved["partnership_id"])
    return dissolved[["partnership_id", "name", "geometry"]]
