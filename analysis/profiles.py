"""Profile of each partnership: members, inhabitants, contiguity, eligibility and fit with referentieregio's.

Populations are inhabitants on 1 January 2020 (``population_2020``) summed over the distinct member
municipalities on the map (any confidence); areas are km². Eligibility follows
:func:`analysis.subsidy.is_eligible` (at least 60,000 inhabitants, unless a centre city applies alone).

Alignment with referentieregio's takes a region membership table ``DataFrame(region_id, region_name, nis)``
(one region per municipality; the 15 regions decided by the Flemish government in 2022). The main region of a
partnership is the region holding most of its inhabitants.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.contiguity import partnership_parts
from analysis.coverage import CONFIRMED, _nis_series
from analysis.gaps import _ensure_adjacency
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
    ``n_members_suggestive``, ``members``, ``member_names``, ``members_off_map``), size (``population`` in
    inhabitants, ``area_km2``), contiguity (``n_parts``, ``contiguous``, ``exclave_members``), eligibility
    (``eligible``, ``eligibility_reason`` in Dutch), regions (``main_region_id``, ``main_region_name``,
    ``main_region_population_share``: share 0-1 of the partnership's inhabitants living in its main region,
    ``main_region_covered_share``: share 0-1 of the main region's inhabitants inside the partnership,
    ``regions_crossed``: region ids by inhabitants, largest first, ``n_regions``,
    ``population_without_region``: inhabitants of members missing from the region table).
    """
    codes = _nis_series(municipalities["nis"]).to_numpy()
    table = pd.DataFrame(index=pd.Index(codes, name="nis"))
    table["name"] = municipalities["name"].to_numpy() if "name" in municipalities.columns else codes
    table["population"] = municipalities["population_2020"].to_numpy(dtype=float)
    if "area_km2" in municipalities.columns:
        table["area_km2"] = municipalities["area_km2"].to_numpy(dtype=float)
    else:
        table["area_km2"] = municipalities.geometry.area.to_numpy() / 1e6

    if parts is None:
        parts = partnership_parts(municipalities, memberships, _ensure_adjacency(municipalities, adjacency))
    parts_by_id = parts.set_index("partnership_id")

    rows = memberships.loc[:, ["partnership_id", "nis", "confidence"]].copy()
    rows["nis"] = _nis_series(rows["nis"]).to_numpy()
    rows["is_confirmed"] = rows["confidence"].eq(CONFIRMED).fillna(False).astype(bool)
    per_member = rows.groupby(["partnership_id", "nis"], sort=True)["is_confirmed"].any().reset_index()
    members_by_id = {pid: group for pid, group in per_member.groupby("partnership_id", sort=False)}
    no_members = per_member.iloc[0:0]

    region_of: pd.Series | None = None
    region_names: dict[str, str] = {}
    region_population: pd.Series | None = None
    if regions is not None:
        region_of = pd.Series(regions["region_id"].to_numpy(), index=_nis_series(regions["nis"]).to_numpy())
        region_of = region_of[~region_of.index.duplicated()]
        region_names = dict(zip(regions["region_id"], regions["region_name"]))
        on_map_regions = region_of.reindex(table.index)
        region_population = table["population"].groupby(on_map_regions).sum()

    records = []
    for p in partnerships.to_dict("records"):
        pid = p["partnership_id"]
        members_frame = members_by_id.get(pid, no_members)
        members = tuple(members_frame["nis"])
        on_map = [m for m in members if m in table.index]
        population = float(table.loc[on_map, "population"].sum()) if on_map else np.nan
        standalone = bool(p.get("standalone")) if not pd.isna(p.get("standalone", False)) else False
        centre_nis = p.get("centre_city_nis")
        centre_nis = None if centre_nis is None or pd.isna(centre_nis) else _nis_series([centre_nis])[0]
        centre_name = p.get("centre_city")
        if centre_nis in table.index:  # the map's spelling, consistent with member_names
            centre_name = table.at[centre_nis, "name"]
        part_row = parts_by_id.loc[pid] if pid in parts_by_id.index else None
        record: dict[str, Any] = {
            "partnership_id": pid,
            "name": p.get("name", pid),
            "standalone": standalone,
            "centre_city_nis": centre_nis,
            "centre_city": None if centre_name is None or pd.isna(centre_name) else centre_name,
            "n_members": len(members),
            "n_members_confirmed": int(members_frame["is_confirmed"].sum()),
            "n_members_suggestive": int((~members_frame["is_confirmed"]).sum()),
            "members": members,
            "member_names": tuple(table.at[m, "name"] if m in table.index else m for m in members),
            "members_off_map": tuple(m for m in members if m not in table.index),
            "population": population,
            "area_km2": float(table.loc[on_map, "area_km2"].sum()) if on_map else np.nan,
            "n_parts": int(part_row["n_parts"]) if part_row is not None else 0,
            "contiguous": bool(part_row["contiguous"]) if part_row is not None else True,
            "exclave_members": part_row["exclave_members"] if part_row is not None else (),
            "eligible": is_eligible(population, standalone),
            "eligibility_reason": _eligibility_reason(population, standalone),
        }
        record.update(_region_alignment(on_map, table, region_of, region_names, region_population))
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(PROFILE_COLUMNS))


def _region_alignment(
    on_map: list[str],
    table: pd.DataFrame,
    region_of: pd.Series | None,
    region_names: dict[str, str],
    region_population: pd.Series | None,
) -> dict[str, Any]:
    empty = {
        "main_region_id": None, "main_region_name": None, "main_region_population_share": np.nan,
        "main_region_covered_share": np.nan, "regions_crossed": (), "n_regions": 0,
        "population_without_region": np.nan,
    }
    if region_of is None or not on_map:
        return empty
    member_population = table.loc[on_map, "population"]
    member_regions = region_of.reindex(on_map)
    by_region = member_population.groupby(member_regions.to_numpy()).sum()
    without = float(member_population[member_regions.isna().to_numpy()].sum())
    if by_region.empty:
        return {**empty, "population_without_region": without}
    # Largest region first; ties broken by region id so the result is stable.
    ordered = sorted(by_region.items(), key=lambda kv: (-kv[1], str(kv[0])))
    main_id, main_population = ordered[0]
    total = float(member_population.sum())
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
