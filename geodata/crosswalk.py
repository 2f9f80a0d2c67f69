"""The one crosswalk between the municipalities of 2019-2024 (300) and those from 2025 (285).

Codes: :func:`successors` (2019 code -> 2025 code) and :func:`parts_by_successor` (2025 code -> its 2019 parts) are
the only conversion of codes between the two maps; memberships (:mod:`analysis.mergers`), populations, name
matching and uploads all go through them. They read the merger table (:func:`geodata.municipalities.load_merger_table`)
unless they are given one (a hand-made table in a unit test).

Figures that a source gives only for the 2025 merged municipalities follow one rule, used by every page, table, export and the command line (see "Boundary versions" in
:mod:`geodata.indicators`): on the 2019-2024 map a 2025 merged municipality's figure is attributed to its **largest**
2019 part (inhabitants on 1 January 2020), flagged as an approximation; the other parts have no figure of their own
("cijfer zit in <grootste deel> (fusie 2025)"). Nothing is divided over the parts: that would invent numbers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from geodata.indicator_model import FLAG_APPROXIMATE, FLAG_MERGED, FLAG_OK
from geodata.municipalities import load_merger_table, load_municipalities


def successors(merger_table: pd.DataFrame | None = None) -> dict[str, str]:
    """2019-2024 code -> the 2025 code of the municipality it is (part of), from `merger_table` (columns
    ``nis_2019``, ``nis_2025`` as 5-character texts; the official table when None). Raises ValueError when a 2019
    code has two."""
    table = load_merger_table() if merger_table is None else merger_table
    if table["nis_2019"].duplicated().any():
        raise ValueError("merger_table maps a 2019 code to more than one 2025 code")
    return dict(zip(table["nis_2019"], table["nis_2025"]))


def parts_by_successor(merger_table: pd.DataFrame | None = None) -> dict[str, tuple[str, ...]]:
    """2025 code -> its 2019-2024 parts (sorted codes; one part when it did not merge), from `merger_table`
    (the official table when None)."""
    parts: dict[str, list[str]] = {}
    for old, new in successors(merger_table).items():
        parts.setdefault(new, []).append(old)
    return {new: tuple(sorted(olds)) for new, olds in sorted(parts.items())}


@lru_cache(maxsize=2)
def _aggregation_units(version: str) -> pd.DataFrame:
    layer = load_municipalities(version)
    if version == "2025":
        codes = layer["nis"].to_numpy()
        return pd.DataFrame({"nis": codes, "unit_nis": codes, "holder": codes})
    if version != "2019":
        raise ValueError(f"Onbekende grensversie {version!r}")
    table = load_merger_table().rename(columns={"nis_2019": "nis", "nis_2025": "unit_nis"})
    table["population"] = table["nis"].map(dict(zip(layer["nis"], layer["population_2020"])))
    # The largest part by inhabitants on 1 January 2020; equal populations by the lowest code.
    largest = table.sort_values(["unit_nis", "population", "nis"], ascending=[True, False, True])
    table["holder"] = table["unit_nis"].map(largest.groupby("unit_nis")["nis"].first())
    return table[["nis", "unit_nis", "holder"]].sort_values("nis").reset_index(drop=True)


def aggregation_units(version: str) -> pd.DataFrame:
    """Which municipality of the map `version` holds the figure of each municipality: columns ``nis``,
    ``unit_nis`` (the 2025 municipality it is part of) and ``holder`` (the map code that carries the unit's figure).

    On the 2025 map every code is its own unit and holder. On the 2019-2024 map a 2025 merged municipality is the
    unit of its parts and its **largest** part (inhabitants on 1 January 2020) holds the figure that the source
    gives only for the merged municipality; see "Boundary versions" in the module docstring. Used by
    :func:`on_2019_map` (per municipality) and :func:`analysis.indicators.aggregate` (per group), so both follow the
    same rule.
    """
    return _aggregation_units(version).copy()


def on_2019_map(values: pd.DataFrame) -> pd.DataFrame:
    """Values keyed on the 2025 codes (columns ``nis``, ``value``, ``flag`` and any others) on the 2019-2024 map.

    A municipality that did not merge in 2025 takes its own value. Of a 2025 merged municipality the largest
    2019 part holds the merged municipality's figure, flagged :data:`FLAG_APPROXIMATE` (a missing or suppressed
    figure keeps its flag); the other parts get no figure (NaN, :data:`FLAG_MERGED`: "cijfer zit in <grootste
    deel>"). Nothing is divided over the parts: that would invent numbers.
    """
    units = aggregation_units("2019")
    n_parts = units["unit_nis"].map(units["unit_nis"].value_counts())
    units = units.assign(merged=n_parts.to_numpy() > 1)
    frame = units.merge(values.rename(columns={"nis": "unit_nis"}), on="unit_nis", how="inner")
    part, holder = frame["merged"] & (frame["nis"] != frame["holder"]), frame["merged"] & (frame["nis"] == frame["holder"])
    frame.loc[part, "value"] = np.nan
    frame.loc[part, "flag"] = FLAG_MERGED
    frame.loc[holder & (frame["flag"] == FLAG_OK), "flag"] = FLAG_APPROXIMATE
    return frame.drop(columns=["unit_nis", "holder", "merged"])[list(values.columns)].reset_index(drop=True)


@lru_cache(maxsize=2)
def merger_notes(version: str) -> dict[str, str]:
    """Why a municipality of the map `version` shows a merged municipality's figure or none: nis -> Dutch text.

    For the parts of a 2025 merged municipality on the 2019-2024 map: the largest part gets "benadering: cijfer
    van fusiegemeente Antwerpen (2025) = Antwerpen + Borsbeek", the others "cijfer zit in Antwerpen (fusie 2025)".
    Empty on the 2025 map.
    """
    if version != "2019":
        return {}
    units = aggregation_units(version)
    names = dict(zip(load_municipalities("2019")["nis"], load_municipalities("2019")["name"]))
    names_2025 = dict(zip(load_municipalities("2025")["nis"], load_municipalities("2025")["name"]))
    notes = {}
    for unit, parts in units.groupby("unit_nis"):
        if len(parts) < 2:
            continue
        holder = parts["holder"].iloc[0]
        others = sorted((names.get(code, code) for code in parts["nis"] if code != holder), key=str.lower)
        merged_name = names_2025.get(unit, unit)
        holder_name = names.get(holder, holder)
        notes[holder] = (f"benadering: cijfer van fusiegemeente {merged_name} (2025) = "
                         + " + ".join([holder_name, *others]))
        for code in parts["nis"]:
            if code != holder:
                notes[code] = f"cijfer zit in {holder_name} (fusie 2025)"
    return notes


