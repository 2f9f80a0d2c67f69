"""Municipalities listed in more than one partnership of the same scheme and period.

A municipality can only take the regie role once per period, so every overlap means that at least one
source is wrong or out of date (e.g. Wielsbeke listed in both Midwest and W13). Overlaps are reported, never
resolved here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_list, nis_series
from analysis.coverage import CONFIRMED
from analysis.formatting import is_missing

# Columns of ``partnerships`` that define one scheme/period; those that exist are used.
SCHEME_COLUMNS = ("scheme", "period")


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def _join(values: Iterable[Any]) -> str:
    """Distinct values in order of appearance joined with " | " (missing values as "")."""
    return " | ".join(dict.fromkeys(_text(v) for v in values))


def _first(values: Iterable[Any]) -> Any:
    """The first value that is not missing, NaN when there is none (pandas' groupby ``first``)."""
    return next((v for v in values if not is_missing(v)), np.nan)


@dataclass(frozen=True)
class _Selection:
    """The membership rows involved in an overlap, in output order (scheme/period values, nis, partnership).

    ``positions`` are row positions in ``memberships``; the other lists hold one value per selected row:
    ``scheme`` a tuple of the scheme/period values ("onbekend" when missing), ``nis`` the 5-character code,
    ``partnership_id`` as given, and ``partnership_name`` from ``partnerships`` (NaN when not listed there).
    """

    scheme_columns: list[str]
    positions: list[int]
    scheme: list[tuple]
    nis: list[str]
    partnership_id: list[Any]
    partnership_name: list[Any]


def _key(value: Any) -> Any:
    # pandas matches a missing key with a missing key (merge) and drops it from groups; one None stands in
    # for NaN, None and pd.NA alike.
    return None if is_missing(value) else value


def _select_overlaps(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, municipalities: pd.DataFrame | None
) -> _Selection:
    """Plain lists and dicts instead of merges and grouped lambdas: the tables are small, so the fixed cost of
    each pandas call would dominate."""
    scheme_columns = [c for c in SCHEME_COLUMNS if c in partnerships.columns]
    name_column = "name" if "name" in partnerships.columns else "partnership_id"
    # Per partnership (its first row counts): the scheme/period values and the name.
    scheme_of: dict[Any, tuple] = {}
    name_of: dict[Any, Any] = {}
    for pid, *values, name in zip(partnerships["partnership_id"].tolist(),
                                  *(partnerships[c].tolist() for c in scheme_columns),
                                  partnerships[name_column].tolist()):
        pid = _key(pid)
        if pid not in scheme_of:
            # A partnership without a period still has to be compared with the others.
            scheme_of[pid] = tuple("onbekend" if is_missing(v) else v for v in values)
            name_of[pid] = name
    unlisted = ("onbekend",) * len(scheme_columns)

    codes = nis_list(memberships["nis"])
    pids = memberships["partnership_id"].tolist()
    on_map = set(nis_list(municipalities["nis"])) if municipalities is not None else None
    candidates = []  # (position, scheme values, code, partnership key)
    for position, (code, pid) in enumerate(zip(codes, pids)):
        if on_map is not None and code not in on_map:
            continue
        if not isinstance(pid, str):
            pid = _key(pid)
        candidates.append((position, scheme_of.get(pid, unlisted), code, pid))
    # The same partnership listed twice for one municipality is a duplicate, not an overlap.
    partnerships_per_place: dict[tuple, set] = {}
    for _, scheme, code, pid in candidates:
        if code is not None:
            partnerships_per_place.setdefault((scheme, code), set()).add(pid)
    selected = [row for row in candidates
                if row[2] is not None and len(partnerships_per_place[(row[1], row[2])]) > 1]
    selected.sort(key=lambda row: (row[1], row[2], row[3] is None, "" if row[3] is None else row[3]))
    positions = [row[0] for row in selected]
    return _Selection(
        scheme_columns,
        positions,
        [row[1] for row in selected],
        [row[2] for row in selected],
        [pids[i] for i in positions],
        [name_of.get(row[3], np.nan) for row in selected],
    )


def overlap_membership_rows(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The membership rows involved in an overlap, one row per (municipality, partnership) listing.

    Columns: the scheme/period columns, ``nis``, ``municipality``, ``partnership_id``, ``partnership_name``,
    ``role``, ``source``, ``evidence``, ``confidence`` (those present in the input). With ``municipalities``
    given, membership rows whose NIS code is not on that map are left out.
    """
    selection = _select_overlaps(memberships, partnerships, municipalities)
    scheme_columns = selection.scheme_columns
    rows = memberships.iloc[selection.positions].copy()
    # The codes' dtype follows from the whole column (as before selecting), also when nothing is selected.
    codes = pd.Series(nis_series(memberships["nis"]).to_numpy())
    rows["nis"] = codes.iloc[selection.positions].set_axis(rows.index)
    info = partnerships.loc[:, ["partnership_id", *scheme_columns]].copy()
    name_column = "name" if "name" in partnerships.columns else "partnership_id"
    info["partnership_name"] = partnerships[name_column]
    # A left merge keeps the (already sorted) order of the selected rows.
    rows = rows.merge(info.drop_duplicates("partnership_id"), on="partnership_id", how="left")
    for column in scheme_columns:
        rows[column] = rows[column].astype(object).where(rows[column].notna(), "onbekend")
    keep = [
        c
        for c in (*scheme_columns, "nis", "municipality", "partnership_id", "partnership_name", "role", "source",
                  "evidence", "confidence")
        if c in rows.columns
    ]
    return rows.loc[:, keep].reset_index(drop=True)


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
    selection = _select_overlaps(memberships, partnerships, municipalities)
    scheme_columns = selection.scheme_columns
    columns = [*scheme_columns, "nis", "name", "n_partnerships", "partnership_ids", "partnership_names",
               "confidences", "sources", "all_confirmed"]
    if not selection.positions:
        result = pd.DataFrame(columns=columns)
        if municipalities is not None and "population_2020" in municipalities.columns:
            result["population_2020"] = pd.Series(dtype="Int64")
        return result

    def selected(column: str) -> list[Any] | None:
        if column not in memberships.columns:
            return None
        values = memberships[column].tolist()
        return [values[i] for i in selection.positions]

    confidences, sources, places = selected("confidence"), selected("source"), selected("municipality")
    if places is None:
        places = selection.nis
    # One entry per (scheme/period, municipality, partnership), in the sorted order of the selected rows (the
    # dicts keep it). Rows without a partnership id form no entry, as groupby dropped them.
    per_partnership: dict[tuple, list[int]] = {}
    for i, (scheme, code, pid) in enumerate(zip(selection.scheme, selection.nis, selection.partnership_id)):
        if not is_missing(pid):
            per_partnership.setdefault((scheme, code, pid), []).append(i)
    per_place: dict[tuple, list[tuple]] = {}
    for (scheme, code, pid), rows in per_partnership.items():
        per_place.setdefault((scheme, code), []).append((
            pid,
            _first(selection.partnership_name[i] for i in rows),
            _join(confidences[i] for i in rows) if confidences is not None else "",
            _join(sources[i] for i in rows) if sources is not None else "",
            _first(places[i] for i in rows),
        ))

    table: dict[str, list[Any]] = {column: [] for column in columns}
    for (scheme, code), entries in per_place.items():
        for column, value in zip(scheme_columns, scheme):
            table[column].append(value)
        table["nis"].append(code)
        table["name"].append(_first(entry[4] for entry in entries))
        table["n_partnerships"].append(len(entries))
        table["partnership_ids"].append(tuple(_text(entry[0]) for entry in entries))
        table["partnership_names"].append(tuple(_text(entry[1]) for entry in entries))
        table["confidences"].append(tuple(entry[2] for entry in entries))
        table["sources"].append(tuple(entry[3] for entry in entries))
        table["all_confirmed"].append(all(entry[2] == CONFIRMED for entry in entries))
    if municipalities is not None:
        row_of = {code: i for i, code in reversed(list(enumerate(nis_list(municipalities["nis"]))))}
        found = [row_of[code] for code in table["nis"]]  # the selection holds only codes on the map
        if "name" in municipalities.columns:
            map_names = municipalities["name"].to_numpy()[found]
            table["name"] = [m if not is_missing(m) else n for m, n in zip(map_names, table["name"])]
        if "population_2020" in municipalities.columns:
            columns.append("population_2020")
            table["population_2020"] = municipalities["population_2020"].to_numpy()[found]
    return pd.DataFrame(table, columns=columns)
