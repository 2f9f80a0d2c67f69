"""Spatial contiguity of partnerships: into how many connected parts does each partnership fall?

Parts are connected components of the partnership's member municipalities in the municipality adjacency graph
(:func:`analysis.gaps.adjacency_pairs`): two members are connected when they share a border longer than the
adjacency threshold, not when they only touch at a corner. A multipart municipality (Baarle-Hertog and its
exclaves in the Netherlands) counts as one node, so its own exclaves never split a partnership.

The main part is the part with the most inhabitants (ties: more members, then the lowest NIS code); every
other part is an exclave of the partnership.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_list
from analysis.formatting import is_missing
from analysis.gaps import connected_components, ensure_adjacency, neighbour_sets

PARTS_COLUMNS = (
    "partnership_id", "n_members", "n_members_on_map", "members_off_map", "n_parts", "contiguous", "main_part",
    "main_part_population", "exclaves", "exclave_members", "exclave_population",
)


class _Populations:
    """Inhabitants 2020 of the municipalities on the map, summed as pandas' ``Series.sum`` does (NaN counts
    as 0, numpy's pairwise order), so the sums stay bit-identical to the Series code this replaces."""

    def __init__(self, municipalities: Any):
        self.codes = nis_list(municipalities["nis"])
        if "population_2020" in municipalities.columns:
            values = municipalities["population_2020"].to_numpy(dtype=float)
        else:
            values = np.full(len(self.codes), np.nan)
        self.filled = np.where(np.isnan(values), 0.0, values)
        self.position = {code: i for i, code in enumerate(self.codes)}

    def total(self, codes: Iterable[str]) -> float:
        positions = [self.position[c] for c in codes if c in self.position]
        return float(self.filled[positions].sum()) if positions else 0.0


def _ordered_parts(parts: list[tuple[str, ...]], population: _Populations) -> list[tuple[str, ...]]:
    """Parts ordered main part first: most inhabitants, then most members, then lowest code."""
    if len(parts) < 2:
        return parts
    return sorted(parts, key=lambda part: (-population.total(part), -len(part), part[0]))


def _parts_by_partnership(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame
) -> tuple[dict[str, list[tuple[str, ...]]], dict[str, tuple[str, ...]], dict[str, int], _Populations]:
    population = _Populations(municipalities)
    on_map = population.position
    neighbours = neighbour_sets(adjacency)
    # Distinct (partnership, member) pairs in row order, grouped per partnership in id order; rows without
    # a partnership id are left out, as groupby did.
    members_of: dict[str, list[str]] = {}
    for pid, code in dict.fromkeys(zip(memberships["partnership_id"].tolist(), nis_list(memberships["nis"]))):
        if not is_missing(pid):
            members_of.setdefault(pid, []).append(code)
    parts: dict[str, list[tuple[str, ...]]] = {}
    off_map: dict[str, tuple[str, ...]] = {}
    n_members: dict[str, int] = {}
    for pid in sorted(members_of):
        members = members_of[pid]
        n_members[pid] = len(members)
        off_map[pid] = tuple(sorted(m for m in members if m not in on_map))
        present = [m for m in members if m in on_map]
        parts[pid] = _ordered_parts(connected_components(present, neighbours=neighbours), population)
    return parts, off_map, n_members, population


def partnership_parts(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Number of connected parts per partnership, with the main part and the exclaves.

    One row per partnership in ``memberships`` (any confidence): ``partnership_id``, ``n_members``,
    ``n_members_on_map``, ``members_off_map`` (nis codes not on this map, e.g. pre-merger codes),
    ``n_parts``, ``contiguous`` (at most one part), ``main_part`` (sorted nis tuple),
    ``main_part_population`` (inhabitants 2020), ``exclaves`` (tuple of nis tuples, largest first),
    ``exclave_members`` (all exclave nis codes, flat) and ``exclave_population`` (inhabitants).
    Pass ``adjacency`` from :func:`analysis.gaps.adjacency_pairs` to avoid recomputing it.
    """
    adjacency = ensure_adjacency(municipalities, adjacency)
    parts, off_map, n_members, population = _parts_by_partnership(municipalities, memberships, adjacency)
    records = []
    for pid, ordered in parts.items():
        main = ordered[0] if ordered else ()
        exclaves = tuple(ordered[1:])
        exclave_members = tuple(sorted(m for part in exclaves for m in part))
        records.append(
            {
                "partnership_id": pid,
                "n_members": n_members[pid],
                "n_members_on_map": sum(len(p) for p in ordered),
                "members_off_map": off_map[pid],
                "n_parts": len(ordered),
                "contiguous": len(ordered) <= 1,
                "main_part": main,
                "main_part_population": population.total(main),
                "exclaves": exclaves,
                "exclave_members": exclave_members,
                "exclave_population": population.total(exclave_members),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(PARTS_COLUMNS))


def partnership_part_labels(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Long form of :func:`partnership_parts` for maps: one row per (partnership, member on the map).

    Columns ``partnership_id``, ``nis``, ``part`` (1 = main part, 2.. = exclaves, largest first) and
    ``is_exclave`` (bool).
    """
    adjacency = ensure_adjacency(municipalities, adjacency)
    parts, _, _, _ = _parts_by_partnership(municipalities, memberships, adjacency)
    records = [
        (pid, nis, number, number > 1)
        for pid, ordered in parts.items()
        for number, part in enumerate(ordered, start=1)
        for nis in part
    ]
    return pd.DataFrame.from_records(records, columns=["partnership_id", "nis", "part", "is_exclave"])
