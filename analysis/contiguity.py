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

import pandas as pd

from analysis.codes import nis_list
from analysis.gaps import adjacency_graph, connected_components, ensure_adjacency

PARTS_COLUMNS = (
    "partnership_id", "n_members", "n_members_on_map", "members_off_map", "n_parts", "contiguous", "main_part",
    "main_part_population", "exclaves", "exclave_members", "exclave_population",
)


def _inhabitants(municipalities: Any) -> dict[str, float]:
    """nis -> inhabitants 2020 of every municipality on the map (unknown counts as 0)."""
    codes = nis_list(municipalities["nis"])
    if "population_2020" not in municipalities.columns:
        return dict.fromkeys(codes, 0.0)
    return dict(zip(codes, municipalities["population_2020"].astype(float).fillna(0.0).tolist()))


def _parts_by_partnership(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame
) -> tuple[dict[str, tuple[list[str], list[tuple[str, ...]]]], dict[str, float]]:
    """Per partnership id (in id order): its distinct member codes, and its parts on the map ordered main part
    first (most inhabitants, then most members, then lowest code). Also the inhabitants per code on the map.

    Rows without a partnership id are left out; a member listed twice counts once.
    """
    inhabitants = _inhabitants(municipalities)
    graph = adjacency_graph(adjacency)
    members_of: dict[str, list[str]] = {}
    for pid, code in dict.fromkeys(zip(memberships["partnership_id"].tolist(), nis_list(memberships["nis"]))):
        if not pd.isna(pid):
            members_of.setdefault(pid, []).append(code)

    def size(part: tuple[str, ...]) -> tuple[float, int, str]:
        return -sum(inhabitants[code] for code in part), -len(part), part[0]

    parts = {}
    for pid in sorted(members_of):
        on_map = [code for code in members_of[pid] if code in inhabitants]
        parts[pid] = (members_of[pid], sorted(connected_components(on_map, neighbours=graph), key=size))
    return parts, inhabitants


def partnership_parts(
    municipalities: Any, memberships: pd.DataFrame, adjacency: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Number of connected parts per partnership, with the main part and the exclaves.

    One row per partnership in ``memberships`` (any confidence), in id order: ``partnership_id``,
    ``n_members``, ``n_members_on_map``, ``members_off_map`` (nis codes not on this map, e.g. pre-merger
    codes), ``n_parts``, ``contiguous`` (at most one part), ``main_part`` (sorted nis tuple),
    ``main_part_population`` (inhabitants 2020), ``exclaves`` (tuple of nis tuples, largest first),
    ``exclave_members`` (all exclave nis codes, flat) and ``exclave_population`` (inhabitants).
    Pass ``adjacency`` from :func:`analysis.gaps.adjacency_pairs` to avoid recomputing it.
    """
    adjacency = ensure_adjacency(municipalities, adjacency)
    parts, inhabitants = _parts_by_partnership(municipalities, memberships, adjacency)
    records = []
    for pid, (codes, ordered) in parts.items():
        main = ordered[0] if ordered else ()
        exclaves = tuple(ordered[1:])
        exclave_members = tuple(sorted(code for part in exclaves for code in part))
        records.append(
            {
                "partnership_id": pid,
                "n_members": len(codes),
                "n_members_on_map": sum(len(part) for part in ordered),
                "members_off_map": tuple(sorted(code for code in codes if code not in inhabitants)),
                "n_parts": len(ordered),
                "contiguous": len(ordered) <= 1,
                "main_part": main,
                "main_part_population": float(sum(inhabitants[code] for code in main)),
                "exclaves": exclaves,
                "exclave_members": exclave_members,
                "exclave_population": float(sum(inhabitants[code] for code in exclave_members)),
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
    parts, _ = _parts_by_partnership(municipalities, memberships, adjacency)
    records = [
        (pid, code, number, number > 1)
        for pid, (_, ordered) in parts.items()
        for number, part in enumerate(ordered, start=1)
        for code in part
    ]
    return pd.DataFrame.from_records(records, columns=["partnership_id", "nis", "part", "is_exclave"])
