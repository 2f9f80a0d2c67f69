"""Profile of each partnership: members, inhabitants, contiguity, eligibility and fit with referentieregio's.

Populations are inhabitants on 1 January 2020 (``population_2020``) summed over the distinct member
municipalities on the map (any confidence); areas are km². Eligibility follows
:func:`analysis.subsidy.is_eligible` (at least 60,000 inhabitants, unless a centre city applies alone).

Alignment with referentieregio's takes a region membership table ``DataFrame(region_id, region_name, nis)``
(one region per municipality; the 15 regions decided by the Flemish government in 2022). The main region of a
partnership is the region holding most of its inhabitants.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_code, nis_list
from analysis.contiguity import partnership_parts
from analysis.coverage import CONFIRMED
from analysis.formatting import is_missing
from analysis.gaps import ensure_adjacency
from analysis.subsidy import MIN_PARTNERSHIP_POPULATION, is_eligible

PROFILE_COLUMNS = (
    "partnership_id", "name", "standalone", "centre_city_nis", "centre_city", "n_members", "n_members_confirmed",
    "n_members_suggestive", "members", "member_names", "population", "area_km2", "n_parts", "contiguous",
    "exclave_members", "members_off_map", "eligible", "eligibility_reason", "main_region_id", "main_region_name",
    "main_region_population_share", "main_region_covered_share", "regions_crossed", "n_regions",
    "population_without_region",
)


def _eligibility_reason(population: float, standalone: bool) -> str:
    if standalone:
        return "Subsidieerbaar: centrumstad die alleen indient (geen ondergrens)"
    if pd.isna(population):
        return "Onbekend: inwonertal ontbreekt"
    if population >= MIN_PARTNERSHIP_POPULATION:
        return "Subsidieerbaar: minstens 60.000 inwoners"
    return "Niet subsidieerbaar: minder dan 60.000 inwoners"


def partnership_profiles(
    municipalities: Any,
    partnerships: pd.DataFrame,
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
    parts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One profile row per partnership of ``partnerships`` (see :data:`PROFILE_COLUMNS`).

    ``adjacency`` (from :func:`analysis.gaps.adjacency_pairs`) and ``parts`` (from
    :func:`analysis.contiguity.partnership_parts`) are reused when given. ``regions`` is optional; without it
    the region columns are missing values. Columns: identity (``partnership_id``, ``name``, ``standalone``,
    ``centre_city_nis``, ``centre_city``), members (``n_members``, ``n_members_confirmed``,
    ``n_members_suggestive``: member municipalities on the map, any confidence, an overlap municipality counted
    in each of its partnerships; ``members``, ``member_names``, ``members_off_map``), size (``population`` in
    inhabitants, ``area_km2``), contiguity (``n_parts``, ``contiguous``, ``exclave_members``), eligibility
    (``eligible``, ``eligibility_reason`` in Dutch), regions (``main_region_id``, ``main_region_name``,
    ``main_region_population_share``: share 0-1 of the partnership's inhabitants living in its main region,
    ``main_region_covered_share``: share 0-1 of the main region's inhabitants inside the partnership,
    ``regions_crossed``: region ids by inhabitants, largest first, ``n_regions``,
    ``population_without_region``: inhabitants of members missing from the region table).
    """
    # Plain lists, dicts and numpy arrays built once: per-partnership .loc/reindex/groupby calls on the
    # (Arrow-backed) pandas columns cost far more than the arithmetic.
    codes = nis_list(municipalities["nis"])
    position = {code: i for i, code in enumerate(codes)}
    names = municipalities["name"].tolist() if "name" in municipalities.columns else codes
    name_of = dict(zip(codes, names))
    population = municipalities["population_2020"].to_numpy(dtype=float)
    if "area_km2" in municipalities.columns:
        area = municipalities["area_km2"].to_numpy(dtype=float)
    else:
        area = municipalities.geometry.area.to_numpy() / 1e6
    population_of = dict(zip(codes, population.tolist()))
    # NaN counts as 0 and numpy sums in its own (pairwise) order, as Series.sum did: the same floats.
    population_filled = np.where(np.isnan(population), 0.0, population)
    area_filled = np.where(np.isnan(area), 0.0, area)

    if parts is None:
        parts = partnership_parts(municipalities, memberships, ensure_adjacency(municipalities, adjacency))
    part_of = {
        pid: (n_parts, contiguous, exclave_members)
        for pid, n_parts, contiguous, exclave_members in zip(
            parts["partnership_id"].tolist(), parts["n_parts"].tolist(), parts["contiguous"].tolist(),
            parts["exclave_members"].tolist())
    }

    # Distinct members per partnership (sorted codes) and whether any of a member's rows is confirmed; rows
    # without partnership id or code are left out, as groupby did.
    confirmed_of: dict[str, dict[str, bool]] = {}
    for pid, code, confidence in zip(memberships["partnership_id"].tolist(), nis_list(memberships["nis"]),
                                     memberships["confidence"].tolist()):
        if is_missing(pid) or code is None:
            continue
        member = confirmed_of.setdefault(pid, {})
        member[code] = member.get(code, False) or (isinstance(confidence, str) and confidence == CONFIRMED)

    regions_by_nis: dict[str, Any] | None = None
    region_names: dict[str, str] = {}
    region_population: dict[Any, float] | None = None
    if regions is not None:
        regions_by_nis = {}
        for code, region in zip(nis_list(regions["nis"]), regions["region_id"].tolist()):
            regions_by_nis.setdefault(code, region)  # one region per municipality: the first row counts
        region_names = dict(zip(regions["region_id"].tolist(), regions["region_name"].tolist()))
        # Inhabitants are whole numbers, so these sums do not depend on the order of adding.
        region_population = {}
        for code, inhabitants in population_of.items():
            region = regions_by_nis.get(code)
            if not is_missing(region):
                region_population[region] = region_population.get(region, 0.0) + (
                    0.0 if math.isnan(inhabitants) else inhabitants)

    # Only the columns used, as lists (to_dict("records") alone costs more than this whole loop).
    used = [c for c in ("partnership_id", "name", "standalone", "centre_city_nis", "centre_city")
            if c in partnerships.columns]
    records = []
    for values in zip(*(partnerships[c].tolist() for c in used)):
        p = dict(zip(used, values))
        pid = p["partnership_id"]
        confirmed = confirmed_of.get(pid, {})
        members = tuple(sorted(confirmed))
        on_map = [m for m in members if m in position]
        positions = [position[m] for m in on_map]
        total = float(population_filled[positions].sum()) if on_map else np.nan
        standalone = bool(p.get("standalone")) if not pd.isna(p.get("standalone", False)) else False
        centre_nis = p.get("centre_city_nis")
        centre_nis = None if centre_nis is None or pd.isna(centre_nis) else nis_code(centre_nis)
        centre_name = p.get("centre_city")
        if centre_nis in position:  # the map's spelling, consistent with member_names
            centre_name = name_of[centre_nis]
        part = part_of.get(pid)
        # The member count shown everywhere: member municipalities on the map, any confidence
        # (analysis.coverage.member_counts); codes not on the map are listed in members_off_map.
        n_confirmed = sum(confirmed[m] for m in on_map)
        record: dict[str, Any] = {
            "partnership_id": pid,
            "name": p.get("name", pid),
            "standalone": standalone,
            "centre_city_nis": centre_nis,
            "centre_city": None if centre_name is None or pd.isna(centre_name) else centre_name,
            "n_members": len(on_map),
            "n_members_confirmed": n_confirmed,
            "n_members_suggestive": len(on_map) - n_confirmed,
            "members": members,
            "member_names": tuple(name_of[m] if m in position else m for m in members),
            "members_off_map": tuple(m for m in members if m not in position),
            "population": total,
            "area_km2": float(area_filled[positions].sum()) if on_map else np.nan,
            "n_parts": int(part[0]) if part is not None else 0,
            "contiguous": bool(part[1]) if part is not None else True,
            "exclave_members": part[2] if part is not None else (),
            "eligible": is_eligible(total, standalone),
            "eligibility_reason": _eligibility_reason(total, standalone),
        }
        record.update(_region_alignment(on_map, total, population_of, regions_by_nis, region_names,
                                        region_population))
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(PROFILE_COLUMNS))


def _region_alignment(
    on_map: list[str],
    total: float,
    population_of: dict[str, float],
    regions_by_nis: dict[str, Any] | None,
    region_names: dict[str, str],
    region_population: dict[Any, float] | None,
) -> dict[str, Any]:
    """Region columns of one partnership; ``total`` is the inhabitants of its members on the map."""
    empty = {
        "main_region_id": None, "main_region_name": None, "main_region_population_share": np.nan,
        "main_region_covered_share": np.nan, "regions_crossed": (), "n_regions": 0,
        "population_without_region": np.nan,
    }
    if regions_by_nis is None or not on_map:
        return empty
    by_region: dict[Any, float] = {}
    without = 0.0
    for code in on_map:
        inhabitants = population_of[code]
        inhabitants = 0.0 if math.isnan(inhabitants) else inhabitants
        region = regions_by_nis.get(code)
        if is_missing(region):
            without += inhabitants
        else:
            by_region[region] = by_region.get(region, 0.0) + inhabitants
    if not by_region:
        return {**empty, "population_without_region": without}
    # Largest region first; ties broken by region id so the result is stable.
    ordered = sorted(by_region.items(), key=lambda kv: (-kv[1], str(kv[0])))
    main_id, main_population = ordered[0]
    region_total = float(region_population.get(main_id, np.nan)) if region_population is not None else np.nan
    return {
        "main_region_id": main_id,
        "main_region_name": region_names.get(main_id, main_id),
        "main_region_population_share": main_population / total if total else np.nan,
        "main_region_covered_share": main_population / region_total if region_total else np.nan,
        "regions_crossed": tuple(r for r, _ in ordered),
        "n_regions": len(ordered),
        "population_without_region": without,
    }


def partnership_profile(
    partnership_id: str,
    municipalities: Any,
    partnerships: pd.DataFrame,
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
    parts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Profile of one partnership as a dict (same keys as the columns of :func:`partnership_profiles`)."""
    selected = partnerships[partnerships["partnership_id"] == partnership_id]
    if selected.empty:
        raise KeyError(f"unknown partnership_id {partnership_id!r}")
    member_rows = memberships[memberships["partnership_id"] == partnership_id]
    if parts is not None:
        parts = parts[parts["partnership_id"] == partnership_id]
    profiles = partnership_profiles(municipalities, selected, member_rows, adjacency, regions, parts)
    return profiles.iloc[0].to_dict()


def official_size_check(profiles: pd.DataFrame, min_population: float | None,
                        max_population: float | None) -> pd.Series:
    """Whether each partnership's population fits the published range of partnership sizes (inhabitants).

    The 2020 call published the smallest and largest partnership (61,786 and 301,550 inhabitants). A
    reconstructed partnership outside that range cannot have had that composition in 2020, which flags the
    reconstruction, not the partnership. Returns, per row of ``profiles`` (output of
    :func:`partnership_profiles`), "te klein", "te groot", "binnen bereik", or None for stand-alone centre
    cities (not partnerships), unknown populations and missing bounds.
    """
    def check(population, standalone):
        if standalone or pd.isna(population):
            return None
        if min_population is not None and population < min_population:
            return "te klein"
        if max_population is not None and population > max_population:
            return "te groot"
        return "binnen bereik" if min_population is not None or max_population is not None else None

    return pd.Series([check(p, s) for p, s in zip(profiles["population"], profiles["standalone"])],
                     index=profiles.index, name="official_size_check", dtype=object)
