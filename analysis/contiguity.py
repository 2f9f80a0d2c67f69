"""Spatial contiguity of partnerships: into how many connected parts does each partnership fall?

Parts are connected components of the partnership's member municipalities in the municipality adjacency graph
(:func:`analysis.gaps.adjacency_pairs`): two members are connected when they share a border longer than the
adjacency threshold, not when they only touch at a corner. A multipart municipality (Baarle-Hertog and its
exclaves in the Netherlands) counts as one node, so its own exclaves never split a partnership.

The main part is the part with the most inhabitants (ties: more members, then the lowest NIS code); every
other part is an exclave of the partnership.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.coverage import _nis_series
from analysis.gaps import _ensure_adjacency, connected_components, neighbour_sets

PARTS_COLUMNS = (
    "partnership_id", "n_members", "n_members_on_map", "members_off_map", "n_parts", "contiguous", "main_part",
    "main_part_population", "exclaves", "exclave_members", "exclave_population",
)


def _ordered_parts(parts: list[tuple[str, ...]], population: pd.Series) -> list[tuple[str, ...]]:
    """Parts ordered main part first: most inhabitants, then most members, then lowest code."""

    def key(part: tuple[str, ...]):
        inhabitants = population.reindex(list(part)).astype(float).sum()
        return (-inhabitants, -len(part), part[0])

    return sorted(parts, key=key)


def _parts_by_partnership(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame
) -> tuple[dict[str, list[tuple[str, ...]]], dict[str, tuple[str, ...]], dict[str, int], pd.Series]:
    codes = pd.Index(_nis_series(municipalities["nis"]).to_numpy())
    if "population_2020" in municipalities.columns:
        population = pd.Series(municipalities["population_2020"].to_numpy(dtype=float), index=codes)
    else:
        population = pd.Series(np.nan, index=codes)
    on_map = set(codes)
    neighbours = neighbour_sets(adjacency)
    rows = pd.DataFrame(
        {"partnership_id": memberships["partnership_id"].to_numpy(), "nis": _nis_series(memberships["nis"]).to_numpy()}
    ).drop_duplicates()
    parts: dict[str, list[tuple[str, ...]]] = {}
    off_map: dict[str, tuple[str, ...]] = {}
    n_members: dict[str, int] = {}
    for pid, group in rows.groupby("partnership_id", sort=True):
        members = list(group["nis"])
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
    adjacency = _ensure_adjacency(municipalities, adjacency)
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
                "main_part_population": float(population.reindex(list(main)).sum()),
                "exclaves": exclaves,
                "exclave_members": exclave_members,
                "exclave_population": float(population.reindex(list(exclave_members)).sum()),
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
    adjacency = _ensure_adjacency(municipalities, adjacency)
    parts, _, _, _ = _parts_by_partnership(municipalities, memberships, adjacency)
    records = [
        (pid, nis, number, number > 1)
        for pid, ordered in parts.items()
        for number, part in enumerate(ordered, start=1)
        for nis in part
    ]
    return pd.DataFrame.from_records(records, columns=["partnership_id", "nis", "part", "is_exclave"])
