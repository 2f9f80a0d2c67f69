"""Municipalities listed in more than one partnership of the same scheme and period.

A municipality can only take the regie role once per period, so every overlap means that at least one
source is wrong or out of date (e.g. Wielsbeke listed in both Midwest and W13). Overlaps are reported, never
resolved here.
"""

from __future__ import annotations

import pandas as pd

from analysis.coverage import CONFIRMED, _nis_series

# Columns of ``partnerships`` that define one scheme/period; those that exist are used.
SCHEME_COLUMNS = ("scheme", "period")


def _tuple_of(values: pd.Series) -> tuple:
    return tuple("" if pd.isna(v) else str(v) for v in values)


def overlap_membership_rows(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The membership rows involved in an overlap, one row per (municipality, partnership) listing.

    Columns: the scheme/period columns, ``nis``, ``municipality``, ``partnership_id``, ``partnership_name``,
    ``role``, ``source``, ``evidence``, ``confidence`` (those present in the input). With ``municipalities``
    given, membership rows whose NIS code is not on that map are left out.
    """
    rows = memberships.copy()
    rows["nis"] = _nis_series(rows["nis"]).to_numpy()
    if municipalities is not None:
        rows = rows[rows["nis"].isin(set(_nis_series(municipalities["nis"])))]
    scheme_columns = [c for c in SCHEME_COLUMNS if c in partnerships.columns]
    info = partnerships.loc[:, ["partnership_id", *scheme_columns]].copy()
    name_column = "name" if "name" in partnerships.columns else "partnership_id"
    info["partnership_name"] = partnerships[name_column]
    rows = rows.merge(info.drop_duplicates("partnership_id"), on="partnership_id", how="left")
    for column in scheme_columns:
        # A partnership without a period still has to be compared with the others.
        rows[column] = rows[column].astype(object).where(rows[column].notna(), "onbekend")
    # The same partnership listed twice for one municipality is a duplicate, not an overlap.
    distinct = rows.drop_duplicates([*scheme_columns, "nis", "partnership_id"])
    counts = distinct.groupby([*scheme_columns, "nis"], sort=False)["partnership_id"].transform("size")
    involved = distinct.loc[counts > 1, [*scheme_columns, "nis", "partnership_id"]]
    result = rows.merge(involved, on=[*scheme_columns, "nis", "partnership_id"], how="inner")
    keep = [
        c
        for c in (*scheme_columns, "nis", "municipality", "partnership_id", "partnership_name", "role", "source",
                  "evidence", "confidence")
        if c in result.columns
    ]
    return result.loc[:, keep].sort_values([*scheme_columns, "nis", "partnership_id"], kind="stable").reset_index(
        drop=True
    )


def overlapping_memberships(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per municipality listed in more than one partnership of the same scheme/period.

    Columns: the scheme/period columns of ``partnerships`` (``period``, and ``scheme`` when present),
    ``nis``, ``name`` (from ``municipalities`` when given, else the membership's municipality name),
    ``n_partnerships``, ``partnership_ids``, ``partnership_names``, ``confidences``, ``sources`` (tuples
    aligned with ``partnership_ids``; one entry per partnership, multiple rows of one partnership joined
    with " | "), ``all_confirmed`` (every listing is confirmed: a hard contradiction between sources) and
    ``population_2020`` (inhabitants, when ``municipalities`` has it).
    """
    rows = overlap_membership_rows(memberships, partnerships, municipalities)
    scheme_columns = [c for c in SCHEME_COLUMNS if c in rows.columns]
    columns = [*scheme_columns, "nis", "name", "n_partnerships", "partnership_ids", "partnership_names",
               "confidences", "sources", "all_confirmed"]
    if rows.empty:
        result = pd.DataFrame(columns=columns)
        if municipalities is not None and "population_2020" in municipalities.columns:
            result["population_2020"] = pd.Series(dtype="Int64")
        return result

    def join(values: pd.Series) -> str:
        return " | ".join(dict.fromkeys("" if pd.isna(v) else str(v) for v in values))

    per_partnership = rows.groupby([*scheme_columns, "nis", "partnership_id"], sort=True).agg(
        partnership_name=("partnership_name", "first"),
        confidence=("confidence", join) if "confidence" in rows.columns else ("partnership_id", lambda s: ""),
        source=("source", join) if "source" in rows.columns else ("partnership_id", lambda s: ""),
        municipality=("municipality", "first") if "municipality" in rows.columns else ("nis", "first"),
    ).reset_index()
    grouped = per_partnership.groupby([*scheme_columns, "nis"], sort=True)
    result = grouped.agg(
        name=("municipality", "first"),
        n_partnerships=("partnership_id", "size"),
        partnership_ids=("partnership_id", _tuple_of),
        partnership_names=("partnership_name", _tuple_of),
        confidences=("confidence", _tuple_of),
        sources=("source", _tuple_of),
    ).reset_index()
    result["all_confirmed"] = [all(c == CONFIRMED for c in confs) for confs in result["confidences"]]
    if municipalities is not None:
        lookup = pd.DataFrame({"nis": _nis_series(municipalities["nis"]).to_numpy()})
        if "name" in municipalities.columns:
            lookup["map_name"] = municipalities["name"].to_numpy()
        if "population_2020" in municipalities.columns:
            lookup["population_2020"] = municipalities["population_2020"].to_numpy()
        result = result.merge(lookup, on="nis", how="left")
        if "map_name" in result.columns:
            result["name"] = result["map_name"].where(result["map_name"].notna(), result["name"])
            result = result.drop(columns="map_name")
    return result
