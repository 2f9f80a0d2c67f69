"""Carry 2019-2024 memberships over to the municipalities of 2025, and find the mergers that do not fit.

On 1 January 2025 several municipalities merged (e.g. Borsbeek 11007 into Antwerpen 11002). The 2020-2025
memberships are known per 2019 municipality. A 2025 municipality inherits every partnership of its former
parts; when only some parts were members, the projection keeps the membership but records which share of the
inhabitants was actually covered (``covered_population_share``), and :func:`merger_conflicts` lists it.

Populations are inhabitants per 2019 municipality (the ``population_2019_by_nis`` argument: a Series or
mapping nis_2019 -> inhabitants; the 1 January 2020 figures are fine).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_series
from analysis.coverage import CONFIRMED, COVERED_STATES, STATUS_LABELS_NL, status_for_codes
from geodata.crosswalk import parts_by_successor, successors

DIFFERENT_PARTNERSHIPS = "different_partnerships"
PARTLY_COVERED = "partly_covered"
MIXED_NOT_COVERED = "mixed_not_covered"
CONFLICT_LABELS_NL = {
    DIFFERENT_PARTNERSHIPS: "voormalige gemeenten in verschillende verbanden",
    PARTLY_COVERED: "slechts een deel van de voormalige gemeenten neemt deel",
    MIXED_NOT_COVERED: "voormalige gemeenten deels niet-deelnemend, deels onbekend",
}


def _crosswalk(merger_table: pd.DataFrame) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The crosswalk of `merger_table` (codes as 5-character texts): 2019 code -> 2025 code, and 2025 code -> its
    2019 parts, as :mod:`geodata.crosswalk` defines them."""
    table = pd.DataFrame({"nis_2019": nis_series(merger_table["nis_2019"]).to_numpy(),
                          "nis_2025": nis_series(merger_table["nis_2025"]).to_numpy()})
    return successors(table), parts_by_successor(table)


def _population_series(population_2019_by_nis: pd.Series | Mapping[str, float]) -> pd.Series:
    series = population_2019_by_nis if isinstance(population_2019_by_nis, pd.Series) else pd.Series(
        dict(population_2019_by_nis), dtype=float
    )
    return pd.Series(series.to_numpy(dtype=float), index=nis_series(list(series.index)).to_numpy())


def _join(values: Any) -> str:
    return " | ".join(dict.fromkeys(str(v) for v in values if v is not None and not pd.isna(v)))


def project_membership_to_2025(
    memberships: pd.DataFrame,
    merger_table: pd.DataFrame,
    population_2019_by_nis: pd.Series | Mapping[str, float],
) -> pd.DataFrame:
    """Memberships on 2025 codes: one row per (partnership_id, 2025 municipality).

    Columns: ``partnership_id``, ``nis`` (2025 code), ``municipality`` (names of the member parts joined with
    " + "), ``role``, ``source``, ``evidence`` (distinct values of the parts joined with " | "),
    ``confidence`` ("confirmed" when at least one member part is confirmed, as in
    :func:`analysis.coverage.coverage_status`), ``former_nis`` (member parts, tuple of 2019 codes),
    ``all_parts`` (every 2019 code merged into this 2025 code), ``member_population`` (inhabitants of the
    member parts), ``population_total`` (inhabitants of all parts), ``covered_population_share`` (0-1) and
    ``full_coverage`` (all parts are members of this partnership). Codes absent from the merger table are kept
    unchanged (``mapped`` False), so memberships already on 2025 codes pass through.
    """
    to_2025, parts_of = _crosswalk(merger_table)
    population = _population_series(population_2019_by_nis)

    rows = memberships.copy()
    rows["nis_2019"] = nis_series(rows["nis"]).to_numpy()
    rows["mapped"] = rows["nis_2019"].isin(to_2025.keys())
    rows["nis"] = [to_2025.get(code, code) for code in rows["nis_2019"]]
    for column in ("municipality", "role", "source", "evidence", "confidence"):
        if column not in rows.columns:
            rows[column] = None

    records = []
    for (pid, nis), group in rows.groupby(["partnership_id", "nis"], sort=True):
        former = tuple(sorted(set(group["nis_2019"])))
        all_parts = parts_of.get(nis, former)
        member_population = float(population.reindex(list(former)).sum(min_count=1))
        total_population = float(population.reindex(list(all_parts)).sum(min_count=1))
        records.append(
            {
                "partnership_id": pid,
                "nis": nis,
                "municipality": " + ".join(dict.fromkeys(str(v) for v in group["municipality"] if not pd.isna(v))),
                "role": _join(group["role"]),
                "source": _join(group["source"]),
                "evidence": _join(group["evidence"]),
                "confidence": CONFIRMED if group["confidence"].eq(CONFIRMED).any() else _join(group["confidence"])
                or None,
                "former_nis": former,
                "all_parts": all_parts,
                "member_population": member_population,
                "population_total": total_population,
                "covered_population_share": member_population / total_population if total_population else np.nan,
                "full_coverage": set(former) >= set(all_parts),
                "mapped": bool(group["mapped"].all()),
            }
        )
    columns = ["partnership_id", "nis", "municipality", "role", "source", "evidence", "confidence", "former_nis",
               "all_parts", "member_population", "population_total", "covered_population_share", "full_coverage",
               "mapped"]
    return pd.DataFrame.from_records(records, columns=columns)


def project_non_participants_to_2025(non_participants: pd.DataFrame, merger_table: pd.DataFrame) -> pd.DataFrame:
    """Non-participants on 2025 codes.

    A 2025 municipality is a non-participant only when every former part was listed as one; otherwise its
    status is not known from this table (the mixed cases appear in :func:`merger_conflicts`). Columns:
    ``nis`` (2025), ``municipality`` (joined names), ``source``, ``evidence``, ``former_nis``.
    """
    to_2025, parts_of = _crosswalk(merger_table)
    rows = non_participants.copy()
    rows["nis_2019"] = nis_series(rows["nis"]).to_numpy()
    rows["nis"] = [to_2025.get(code, code) for code in rows["nis_2019"]]
    for column in ("municipality", "source", "evidence"):
        if column not in rows.columns:
            rows[column] = None
    records = []
    for nis, group in rows.groupby("nis", sort=True):
        former = set(group["nis_2019"])
        if not former >= set(parts_of.get(nis, former)):
            continue
        records.append(
            {
                "nis": nis,
                "municipality": " + ".join(dict.fromkeys(str(v) for v in group["municipality"] if not pd.isna(v))),
                "source": _join(group["source"]),
                "evidence": _join(group["evidence"]),
                "former_nis": tuple(sorted(former)),
            }
        )
    return pd.DataFrame.from_records(records, columns=["nis", "municipality", "source", "evidence", "former_nis"])


MERGER_CONFLICT_COLUMNS = (
    "nis_2025", "name_2025", "parts", "part_names", "part_statuses", "part_partnership_ids", "part_populations",
    "population_total", "covered_population", "covered_population_share", "conflict_types", "description",
)


def merger_conflicts(
    memberships: pd.DataFrame,
    non_participants: pd.DataFrame | None,
    merger_table: pd.DataFrame,
    population_2019_by_nis: pd.Series | Mapping[str, float],
    names_2019: Mapping[str, str] | pd.Series | None = None,
    names_2025: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Merged 2025 municipalities whose former parts do not agree.

    Conflict types (``conflict_types``, a tuple): ``different_partnerships`` (member parts listed in different
    partnerships), ``partly_covered`` (some parts are members, others unknown or non-participant, e.g.
    Borsbeek 11007 merged into Antwerpen 11002) and ``mixed_not_covered`` (no member parts, but some
    non-participant and some unknown). Only 2025 codes with two or more parts are examined.

    One row per conflicting 2025 municipality: ``nis_2025``, ``name_2025``, ``parts`` (2019 codes),
    ``part_names``, ``part_statuses`` (coverage states), ``part_partnership_ids`` (tuple per part),
    ``part_populations`` (inhabitants per part), ``population_total``, ``covered_population`` (inhabitants of
    member parts), ``covered_population_share`` (0-1) and ``description`` (Dutch).
    Names default to the membership's municipality names, then to the codes.
    """
    _, parts_of = _crosswalk(merger_table)
    population = _population_series(population_2019_by_nis)
    names_2019 = dict(names_2019.items() if isinstance(names_2019, pd.Series) else (names_2019 or {}).items())
    if "municipality" in memberships.columns:
        for code, name in zip(nis_series(memberships["nis"]), memberships["municipality"]):
            names_2019.setdefault(code, name)
    if non_participants is not None and "municipality" in non_participants.columns:
        for code, name in zip(nis_series(non_participants["nis"]), non_participants["municipality"]):
            names_2019.setdefault(code, name)
    names_2025 = dict(names_2025.items() if isinstance(names_2025, pd.Series) else (names_2025 or {}).items())

    merged = {nis_2025: parts for nis_2025, parts in parts_of.items() if len(parts) > 1}
    all_parts = [code for parts in merged.values() for code in parts]
    status = status_for_codes(all_parts, memberships, non_participants)

    records = []
    for nis_2025, parts in merged.items():
        part_status = status.loc[list(parts)]
        statuses = tuple(part_status["status"])
        ids = tuple(part_status["partnership_ids"])
        covered = [s in COVERED_STATES for s in statuses]
        types = []
        member_id_sets = {frozenset(i) for i, c in zip(ids, covered) if c}
        if len(member_id_sets) > 1:
            types.append(DIFFERENT_PARTNERSHIPS)
        if any(covered) and not all(covered):
            types.append(PARTLY_COVERED)
        if not any(covered) and len(set(statuses)) > 1:
            types.append(MIXED_NOT_COVERED)
        if not types:
            continue
        populations = tuple(float(population.get(p, np.nan)) for p in parts)
        total = float(np.nansum(populations)) if not all(np.isnan(populations)) else np.nan
        covered_population = float(sum(pop for pop, c in zip(populations, covered) if c and not np.isnan(pop)))
        part_names = tuple(str(names_2019.get(p, p)) for p in parts)
        details = "; ".join(
            f"{name}: {STATUS_LABELS_NL[s]}" + (f" ({', '.join(i)})" if i else "")
            for name, s, i in zip(part_names, statuses, ids)
        )
        records.append(
            {
                "nis_2025": nis_2025,
                "name_2025": names_2025.get(nis_2025, nis_2025),
                "parts": parts,
                "part_names": part_names,
                "part_statuses": statuses,
                "part_partnership_ids": ids,
                "part_populations": populations,
                "population_total": total,
                "covered_population": covered_population,
                "covered_population_share": covered_population / total if total else np.nan,
                "conflict_types": tuple(types),
                "description": ", ".join(CONFLICT_LABELS_NL[t] for t in types).capitalize() + ". " + details,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(MERGER_CONFLICT_COLUMNS))
