"""Adjacency of municipalities and the gaps in the partnership map.

Adjacency is the one heavy geometric step. :func:`adjacency_pairs` computes it once; every other function
here (and in :mod:`analysis.contiguity` and :mod:`analysis.profiles`) accepts its result, so a caller can
compute it once per map and cache it. Functions that receive ``adjacency=None`` compute it themselves (costly).

Two municipalities are adjacent when their borders run together over more than ``min_shared_border_m``
metres. Touching at a corner does not count. Coordinates must be in a projected CRS in metres
(EPSG:31370, Belgian Lambert 72).

Non-covered municipalities are those with status ``non_participant`` or ``unknown`` (see
:mod:`analysis.coverage`). Clusters are connected components of non-covered municipalities, computed per kind
("non_participant", "unknown") and for both kinds together ("combined").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from analysis.codes import nis_list, nis_series
from analysis.coverage import (
    COVERED_STATES,
    NON_PARTICIPANT,
    NOT_COVERED_STATES,
    UNKNOWN,
    status_series,
)
from analysis.formatting import is_missing

DEFAULT_MIN_SHARED_BORDER_M = 1.0
DEFAULT_SLIVER_TOLERANCE_M = 0.1
COMBINED = "combined"
CLUSTER_KINDS = (NON_PARTICIPANT, UNKNOWN, COMBINED)
ADJACENCY_COLUMNS = ("nis_a", "nis_b", "shared_border_m")


# --------------------------------------------------------------------------------------------------------------
# Adjacency
# --------------------------------------------------------------------------------------------------------------


def _check_projected(municipalities: Any) -> None:
    crs = getattr(municipalities, "crs", None)
    if crs is not None and not crs.is_projected:
        raise ValueError(f"adjacency needs a projected CRS in metres (e.g. EPSG:31370), got {crs.to_string()}")


def adjacency_pairs(
    municipalities: Any,
    min_shared_border_m: float = DEFAULT_MIN_SHARED_BORDER_M,
    sliver_tolerance_m: float = DEFAULT_SLIVER_TOLERANCE_M,
) -> pd.DataFrame:
    """Pairs of municipalities that share a border, with the length of that border in metres.

    Returns a DataFrame with columns ``nis_a``, ``nis_b`` (``nis_a < nis_b``, each pair once) and
    ``shared_border_m`` (metres), sorted by ``nis_a``, ``nis_b``.

    Method: an STRtree finds candidate pairs within ``sliver_tolerance_m`` of each other. The shared border
    is first measured exactly, as the length of the intersection of both boundaries (exact for data whose
    neighbours share identical vertices). When that is shorter than ``min_shared_border_m`` and
    ``sliver_tolerance_m > 0``, it is measured again with a tolerance: the length of each municipality's
    boundary lying within ``sliver_tolerance_m`` metres of the other (taking the smaller of the two
    directions), which bridges the slivers and small overlaps of independently simplified polygons.
    A corner touch then measures at most ``2 * sliver_tolerance_m``, so that must stay below
    ``min_shared_border_m`` (checked). Pairs whose bounding boxes overlap by at most
    ``2 * sliver_tolerance_m`` in both directions meet only at a corner and are not measured at all.
    With ``sliver_tolerance_m == 0`` only the exact measure is used.

    Cost: about 0.2 s for the 300 Flemish municipalities (63,000 vertices) and well under a second for a
    20,000-cell grid; compute it once per map and pass it to the other functions.
    """
    if min_shared_border_m <= 0:
        raise ValueError("min_shared_border_m must be > 0, otherwise a corner touch counts as adjacency")
    if sliver_tolerance_m < 0:
        raise ValueError("sliver_tolerance_m must be >= 0")
    if 2 * sliver_tolerance_m >= min_shared_border_m:
        raise ValueError(
            "2 * sliver_tolerance_m must be smaller than min_shared_border_m, otherwise a corner touch "
            "(which measures up to 2 * sliver_tolerance_m) would count as a shared border"
        )
    _check_projected(municipalities)
    codes = nis_series(municipalities["nis"]).to_numpy(dtype=object)
    geoms = np.asarray(municipalities.geometry.to_numpy(), dtype=object)
    empty = pd.DataFrame({c: pd.Series(dtype=float if c == "shared_border_m" else object) for c in ADJACENCY_COLUMNS})
    if len(geoms) < 2:
        return empty

    tree = shapely.STRtree(geoms)
    if sliver_tolerance_m > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=sliver_tolerance_m)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # Pairs whose bounding boxes overlap by at most 2 * tolerance in both directions can only meet at a
    # corner (a border longer than min_shared_border_m cannot fit in such a tiny box for real-world data;
    # with tolerance 0 this is exact). Skipping them avoids measuring the diagonal neighbours of a grid.
    bounds = shapely.bounds(geoms)
    overlap_x = np.minimum(bounds[left, 2], bounds[right, 2]) - np.maximum(bounds[left, 0], bounds[right, 0])
    overlap_y = np.minimum(bounds[left, 3], bounds[right, 3]) - np.maximum(bounds[left, 1], bounds[right, 1])
    corner_only = (overlap_x <= 2 * sliver_tolerance_m) & (overlap_y <= 2 * sliver_tolerance_m)
    left, right = left[~corner_only], right[~corner_only]
    if len(left) == 0:
        return empty

    boundaries = shapely.boundary(geoms)
    shared = shapely.length(shapely.intersection(boundaries[left], boundaries[right]))
    if sliver_tolerance_m > 0:
        retry = shared < min_shared_border_m
        if retry.any():
            # Buffer only the geometries that need the tolerant measure (usually corner touches).
            needed = np.unique(np.concatenate([left[retry], right[retry]]))
            buffered = np.empty(len(geoms), dtype=object)
            buffered[needed] = shapely.buffer(geoms[needed], sliver_tolerance_m, quad_segs=4)
            a, b = left[retry], right[retry]
            fuzzy = shapely.length(shapely.intersection(boundaries[a], buffered[b]))
            # The other direction only matters where the first one passes the threshold (the minimum of both
            # is used, so that the measure is symmetric).
            check = fuzzy > min_shared_border_m
            if check.any():
                b_near_a = shapely.length(shapely.intersection(boundaries[b[check]], buffered[a[check]]))
                fuzzy[check] = np.minimum(fuzzy[check], b_near_a)
            shared[retry] = np.maximum(shared[retry], fuzzy)
    adjacent = shared > min_shared_border_m
    nis_left, nis_right = codes[left[adjacent]], codes[right[adjacent]]
    swap = nis_left > nis_right
    result = pd.DataFrame(
        {
            "nis_a": np.where(swap, nis_right, nis_left),
            "nis_b": np.where(swap, nis_left, nis_right),
            "shared_border_m": shared[adjacent].astype(float),
        }
    )
    return result.sort_values(["nis_a", "nis_b"], kind="stable").reset_index(drop=True)


def _border_lengths(nis_a: list[str], nis_b: list[str], lengths: list[float]) -> dict[str, dict[str, float]]:
    """Mapping nis -> {adjacent nis: shared border in metres}, both directions (the graph as plain dicts)."""
    borders: dict[str, dict[str, float]] = {}
    for a, b, length in zip(nis_a, nis_b, lengths):
        borders.setdefault(a, {})[b] = length
        borders.setdefault(b, {})[a] = length
    return borders


def neighbour_sets(adjacency: pd.DataFrame) -> dict[str, set[str]]:
    """Mapping nis -> set of adjacent nis codes (municipalities without neighbours are absent)."""
    neighbours: dict[str, set[str]] = {}
    for a, b in zip(adjacency["nis_a"].tolist(), adjacency["nis_b"].tolist()):
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    return neighbours


def connected_components(
    nodes: Iterable[str], adjacency: pd.DataFrame | None = None, neighbours: Mapping[str, set[str]] | None = None
) -> list[tuple[str, ...]]:
    """Connected components of the graph induced on ``nodes`` by the adjacency.

    Give either ``adjacency`` (pairs table) or ``neighbours`` (from :func:`neighbour_sets`; faster when
    called many times on one map). Only edges with both ends in ``nodes`` are used. Each component is a
    sorted tuple of nis codes; components are sorted by size (largest first), then by their first code.
    Isolated nodes are components of one.
    """
    if neighbours is None:
        if adjacency is None:
            raise ValueError("give adjacency or neighbours")
        neighbours = neighbour_sets(adjacency)
    node_set = set(nodes)
    seen: set[str] = set()
    components = []
    for start in sorted(node_set):
        if start in seen:
            continue
        seen.add(start)
        stack, component = [start], []
        while stack:
            node = stack.pop()
            component.append(node)
            for other in neighbours.get(node, ()):
                if other in node_set and other not in seen:
                    seen.add(other)
                    stack.append(other)
        components.append(tuple(sorted(component)))
    return sorted(components, key=lambda c: (-len(c), c[0]))






# --------------------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------------------
#
# The gap analyses work on plain lists and dicts built once per call (or once for all three in
# :func:`gap_analysis`): per-unit pandas lookups on the Arrow-backed columns cost far more than the analysis.


@dataclass(frozen=True)
class _MapTable:
    """Per-municipality values keyed by nis, in map order (``codes``).

    ``population`` is inhabitants 2020 as float (NaN when unknown), ``area_km2`` km², ``perimeter_m`` metres.
    """

    codes: list[str]
    name: dict[str, Any]
    population: dict[str, float]
    area_km2: dict[str, float]
    perimeter_m: dict[str, float]


def _map_table(municipalities: Any) -> _MapTable:
    codes = nis_list(municipalities["nis"])
    names = municipalities["name"].tolist() if "name" in municipalities.columns else codes
    if "population_2020" in municipalities.columns:
        population = municipalities["population_2020"].to_numpy(dtype=float, na_value=np.nan).tolist()
    else:
        population = [np.nan] * len(codes)
    geometry = getattr(municipalities, "geometry", None)
    if "area_km2" in municipalities.columns:
        area = municipalities["area_km2"].to_numpy(dtype=float).tolist()
    elif geometry is not None:
        area = (geometry.area.to_numpy() / 1e6).tolist()
    else:
        area = [np.nan] * len(codes)
    perimeter = geometry.length.to_numpy().tolist() if geometry is not None else [np.nan] * len(codes)
    return _MapTable(codes, dict(zip(codes, names)), dict(zip(codes, population)), dict(zip(codes, area)),
                     dict(zip(codes, perimeter)))


def _status_dict(status: pd.DataFrame | pd.Series | Mapping[str, str]) -> tuple[dict[Any, Any], bool]:
    """The input of :func:`analysis.coverage.status_series` as a dict nis -> status, and whether every nis
    occurs once (with repeats, the dict keeps the last, like ``Series.to_dict``)."""
    if isinstance(status, pd.DataFrame) and "nis" in status.columns:
        keys, values = status["nis"].tolist(), status["status"].tolist()
    else:
        series = status_series(status)
        keys, values = series.index.tolist(), series.tolist()
    states = dict(zip(keys, values))
    return states, len(states) == len(keys)


@dataclass(frozen=True)
class _GapInputs:
    """What the gap analyses of one map and status share.

    ``state_of``: the status of every code on the map (None where the status has none), as
    ``status_series(status).reindex(codes)``; ``status_of``: the status input as a dict (codes off the map
    included); ``nis_a``, ``nis_b``, ``lengths``: the adjacency rows; ``borders``: the same as a graph.
    """

    table: _MapTable
    state_of: dict[str, Any]
    status_of: dict[Any, Any]
    nis_a: list[str]
    nis_b: list[str]
    lengths: list[float]
    borders: dict[str, dict[str, float]]


def _gap_inputs(municipalities: Any, status: pd.DataFrame | pd.Series | Mapping[str, str],
                adjacency: pd.DataFrame) -> _GapInputs:
    table = _map_table(municipalities)
    status_of, unique = _status_dict(status)
    if not unique:  # as reindexing a status with repeated codes did
        raise ValueError("cannot reindex on an axis with duplicate labels")
    state_of = {}
    for code in table.codes:
        state = status_of.get(code)
        state_of[code] = None if is_missing(state) else state
    nis_a, nis_b = adjacency["nis_a"].tolist(), adjacency["nis_b"].tolist()
    lengths = adjacency["shared_border_m"].tolist()
    return _GapInputs(table, state_of, status_of, nis_a, nis_b, lengths, _border_lengths(nis_a, nis_b, lengths))


def ensure_adjacency(municipalities: Any, adjacency: pd.DataFrame | None) -> pd.DataFrame:
    """``adjacency`` when given, else :func:`adjacency_pairs` of ``municipalities`` (costly: pass it when known)."""
    return adjacency_pairs(municipalities) if adjacency is None else adjacency


def _partnerships_by_nis(memberships: pd.DataFrame) -> dict[str, list[Any]]:
    """nis -> its distinct partnership ids in the order of the membership rows (missing ids included)."""
    result: dict[str, list[Any]] = {}
    for code, pid in dict.fromkeys(zip(nis_list(memberships["nis"]), memberships["partnership_id"].tolist())):
        result.setdefault(code, []).append(pid)
    return result


def _partnership_names(partnerships: pd.DataFrame | None) -> dict[str, str]:
    if partnerships is None or "name" not in partnerships.columns:
        return {}
    return dict(zip(partnerships["partnership_id"].tolist(), partnerships["name"].tolist()))


def gap_analysis(
    municipalities: Any,
    status: pd.DataFrame | pd.Series | Mapping[str, str],
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    partnerships: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(uncovered_clusters(...), enclaves(...), candidate_partnerships(...))`` with their default options,
    computed together: the lookups all three need are built once (what :func:`analysis.scenario.
    build_coverage_view` uses). Same tables as the three calls."""
    adjacency = ensure_adjacency(municipalities, adjacency)
    inputs = _gap_inputs(municipalities, status, adjacency)
    cluster_records = _cluster_records(inputs, CLUSTER_KINDS)
    partnerships_of = _partnerships_by_nis(memberships)
    names = _partnership_names(partnerships)
    enclave_table = _enclaves(inputs, [row for row in cluster_records if row["kind"] == COMBINED], partnerships_of,
                              names, 0.01, False)
    candidates = _candidates(inputs, partnerships_of, names, "municipality", None)
    return _cluster_frame(cluster_records), enclave_table, candidates


# --------------------------------------------------------------------------------------------------------------
# Clusters of non-covered municipalities
# --------------------------------------------------------------------------------------------------------------


CLUSTER_COLUMNS = (
    "cluster_id", "kind", "members", "member_names", "n_municipalities", "n_non_participant", "n_unknown",
    "population", "area_km2", "perimeter_m",
)


def uncovered_clusters(
    municipalities: Any,
    status: pd.DataFrame | pd.Series | Mapping[str, str],
    adjacency: pd.DataFrame | None = None,
    kinds: Iterable[str] = CLUSTER_KINDS,
) -> pd.DataFrame:
    """Connected groups of adjacent non-covered municipalities.

    ``status`` is the output of :func:`analysis.coverage.coverage_status` (or a Series nis -> status).
    ``kinds`` chooses the views: "non_participant" (only non-participants), "unknown" (only unknown) and
    "combined" (both together). Returns one row per cluster with ``cluster_id`` ("<kind>-<n>", numbered by
    population, largest first), ``kind``, ``members`` (sorted tuple of nis), ``member_names``,
    ``n_municipalities``, ``n_non_participant``, ``n_unknown``, ``population`` (inhabitants 2020),
    ``area_km2`` (km²) and ``perimeter_m`` (outer perimeter in metres; borders inside the cluster excluded).
    The clusters of one kind do not depend on the other kinds asked for, so this table can be passed on to
    :func:`enclaves` and :func:`candidate_partnerships` (their ``clusters`` argument).
    """
    kinds = tuple(kinds)
    unknown_kinds = set(kinds) - set(CLUSTER_KINDS)
    if unknown_kinds:
        raise ValueError(f"unknown cluster kind(s) {sorted(unknown_kinds)}; choose from {CLUSTER_KINDS}")
    adjacency = ensure_adjacency(municipalities, adjacency)
    return _cluster_frame(_cluster_records(_gap_inputs(municipalities, status, adjacency), kinds))


def _cluster_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=list(CLUSTER_COLUMNS))


def _cluster_records(inputs: _GapInputs, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of :func:`uncovered_clusters` as dicts."""
    table, state_of = inputs.table, inputs.state_of
    missing = [code for code in table.codes if state_of[code] is None]
    if missing:
        raise ValueError(f"status is missing for municipalities on the map, e.g. {missing[:5]}")
    records = []
    for kind in kinds:
        wanted = NOT_COVERED_STATES if kind == COMBINED else {kind}
        nodes = [code for code in table.codes if state_of[code] in wanted]
        rows = []
        for members in connected_components(nodes, neighbours=inputs.borders):
            populations = [table.population[m] for m in members]
            known = [p for p in populations if not math.isnan(p)]
            member_states = [state_of[m] for m in members]
            rows.append(
                {
                    "kind": kind,
                    "members": members,
                    "member_names": tuple(table.name[m] for m in members),
                    "n_municipalities": len(members),
                    "n_non_participant": member_states.count(NON_PARTICIPANT),
                    "n_unknown": member_states.count(UNKNOWN),
                    "population": float(sum(known)) if known else np.nan,
                    "area_km2": float(sum(table.area_km2[m] for m in members)),
                    "perimeter_m": float(sum(table.perimeter_m[m] for m in members))
                    - 2.0 * _internal_border(members, inputs.borders),
                }
            )
        rows.sort(key=lambda r: (-(r["population"] if not math.isnan(r["population"]) else -1), r["members"][0]))
        for number, row in enumerate(rows, start=1):
            row["cluster_id"] = f"{kind}-{number}"
        records.extend(rows)
    return records


def _internal_border(members: tuple[str, ...], borders: Mapping[str, Mapping[str, float]]) -> float:
    """Total length (m) of the borders between the members (each shared border once).

    Members are visited in their (sorted) order, so the floating-point sum is the same on every run.
    """
    member_set = set(members)
    total = 0.0
    for m in members:
        for other, length in borders.get(m, {}).items():
            if other in member_set and m < other:
                total += length
    return total


def _compensated_sum(values: Iterable[float]) -> float:
    """Sum skipping NaN, with the Kahan compensation pandas' ``groupby(...).sum()`` uses, so border lengths
    come out bit-identical to the grouped tables this replaces."""
    total = compensation = 0.0
    for value in values:
        if value != value:
            continue
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if compensation != compensation:  # an infinite length: keep the infinity, not NaN
            compensation = 0.0
        total = t
    return total


def _clusters_of_kind(clusters: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """The rows of one kind of an :func:`uncovered_clusters` table as dicts (from column lists: row access on
    the frame is slow)."""
    columns = {column: clusters[column].tolist() for column in clusters.columns}
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    return [row for row in rows if row["kind"] == kind]


# --------------------------------------------------------------------------------------------------------------
# Enclaves and candidate partnerships
# --------------------------------------------------------------------------------------------------------------


ENCLAVE_COLUMNS = (
    "cluster_id", "kind", "members", "member_names", "population", "area_km2", "enclosing_partnership_ids",
    "enclosing_partnership_names", "neighbours", "n_neighbours", "perimeter_m", "open_border_m", "fully_enclosed",
)


def enclaves(
    municipalities: Any,
    status: pd.DataFrame | pd.Series | Mapping[str, str],
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    partnerships: pd.DataFrame | None = None,
    kind: str = COMBINED,
    max_open_border_share: float = 0.01,
    only_fully_enclosed: bool = False,
    clusters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Non-covered clusters whose neighbours all belong to one (the same) partnership.

    Clusters come from :func:`uncovered_clusters` with the given ``kind`` (a single non-covered municipality
    is a cluster of one); pass ``clusters`` (its output for the same status and adjacency, with at least the
    kind ``kind``) to reuse them instead of recomputing. A cluster is an enclave of partnership P when every
    municipality bordering it is a member of P (any confidence; a neighbour listed in several partnerships
    may make several P qualify, all are listed). A cluster with a neighbour that is not a member of any
    partnership is not an enclave.

    ``fully_enclosed`` tells whether the cluster is surrounded on all sides: its outer border not shared with
    a neighbour on the map (``open_border_m``, metres, e.g. a regional or national border) is at most
    ``max_open_border_share`` of its outer perimeter. With ``only_fully_enclosed`` the others are dropped.

    Columns: ``cluster_id``, ``kind``, ``members``, ``member_names``, ``population`` (inhabitants 2020),
    ``area_km2``, ``enclosing_partnership_ids``, ``enclosing_partnership_names``, ``neighbours`` (nis tuple),
    ``n_neighbours``, ``perimeter_m``, ``open_border_m``, ``fully_enclosed``.
    """
    adjacency = ensure_adjacency(municipalities, adjacency)
    inputs = _gap_inputs(municipalities, status, adjacency)
    if clusters is None:
        rows = _cluster_records(inputs, (kind,))
    else:
        rows = _clusters_of_kind(clusters, kind)
    return _enclaves(inputs, rows, _partnerships_by_nis(memberships), _partnership_names(partnerships),
                     max_open_border_share, only_fully_enclosed)


def _enclaves(inputs: _GapInputs, clusters: list[dict[str, Any]], partnerships_of: Mapping[str, list[Any]],
              names: Mapping[str, str], max_open_border_share: float, only_fully_enclosed: bool) -> pd.DataFrame:
    """Enclaves among ``clusters`` (rows of one kind of :func:`uncovered_clusters`)."""
    borders, status_of = inputs.borders, inputs.status_of
    records = []
    for cluster in clusters:
        members = cluster["members"]
        member_set = set(members)
        outside = sorted({n for m in members for n in borders.get(m, ())} - member_set)
        if not outside:
            continue
        common: set[str] | None = None
        for n in outside:
            # A neighbour whose own status is not covered (e.g. non-participant despite a suggestive row)
            # does not enclose anything.
            ids = set(partnerships_of.get(n, ())) if status_of.get(n) in COVERED_STATES else set()
            common = ids if common is None else common & ids
            if not common:
                break
        if not common:
            continue
        # Per member, its outside neighbours in code order: the same terms in the same order as summing over
        # every (member, outside municipality) pair, without the pairs that share no border.
        border_with_neighbours = sum(
            borders[m][n] for m in members for n in sorted(set(borders.get(m, ())) - member_set)
        )
        perimeter = cluster["perimeter_m"]
        open_border = max(0.0, perimeter - border_with_neighbours)
        fully = open_border <= max_open_border_share * perimeter
        if only_fully_enclosed and not fully:
            continue
        ids = tuple(sorted(common))
        records.append(
            {
                "cluster_id": cluster["cluster_id"],
                "kind": cluster["kind"],
                "members": members,
                "member_names": cluster["member_names"],
                "population": cluster["population"],
                "area_km2": cluster["area_km2"],
                "enclosing_partnership_ids": ids,
                "enclosing_partnership_names": tuple(names.get(i, i) for i in ids),
                "neighbours": tuple(outside),
                "n_neighbours": len(outside),
                "perimeter_m": perimeter,
                "open_border_m": open_border,
                "fully_enclosed": bool(fully),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(ENCLAVE_COLUMNS))


CANDIDATE_COLUMNS = (
    "level", "unit_id", "kind", "members", "member_names", "unit_population", "partnership_id",
    "partnership_name", "shared_border_m", "share_of_unit_border", "n_bordering_members", "bordering_members",
    "partnership_population", "population_if_joined", "rank",
)


def candidate_partnerships(
    municipalities: Any,
    status: pd.DataFrame | pd.Series | Mapping[str, str],
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    partnerships: pd.DataFrame | None = None,
    level: str = "municipality",
    kind: str = COMBINED,
    clusters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Partnerships adjacent to each non-covered municipality (``level="municipality"``) or cluster
    (``level="cluster"``, clusters of the given ``kind``), ranked by shared border length.

    A partnership borders a unit when one of its members (a municipality with a covered status) shares a
    border with a municipality of the unit. One row per (unit, partnership): ``level``, ``unit_id`` (nis or
    cluster id), ``kind`` (the municipality's status, or the cluster kind), ``members``, ``member_names``,
    ``unit_population`` (inhabitants), ``partnership_id``, ``partnership_name``, ``shared_border_m``
    (metres), ``share_of_unit_border`` (shared border / the unit's outer perimeter, 0-1),
    ``n_bordering_members``, ``bordering_members`` (nis tuple), ``partnership_population`` (inhabitants of its
    members on the map), ``population_if_joined`` and ``rank`` (1 = longest shared border). A unit without
    any bordering partnership keeps one row with ``partnership_id`` missing and ``shared_border_m`` 0, so it
    stays visible. With ``level="cluster"``, ``clusters`` (output of :func:`uncovered_clusters` for the same
    status and adjacency, with at least the kind ``kind``) is reused instead of recomputed.
    """
    if level not in ("municipality", "cluster"):
        raise ValueError('level must be "municipality" or "cluster"')
    adjacency = ensure_adjacency(municipalities, adjacency)
    inputs = _gap_inputs(municipalities, status, adjacency)
    if level == "cluster":
        clusters = _cluster_records(inputs, (kind,)) if clusters is None else _clusters_of_kind(clusters, kind)
    return _candidates(inputs, _partnerships_by_nis(memberships), _partnership_names(partnerships), level,
                       clusters)


def _candidates(inputs: _GapInputs, partnerships_of: Mapping[str, list[Any]], names: Mapping[str, str],
                level: str, clusters: list[dict[str, Any]] | None) -> pd.DataFrame:
    table, state_of = inputs.table, inputs.state_of
    if level == "municipality":
        units = [
            {"unit_id": c, "kind": state_of[c], "members": (c,), "member_names": (table.name[c],),
             "unit_population": table.population[c], "perimeter_m": table.perimeter_m[c]}
            for c in table.codes if state_of[c] in NOT_COVERED_STATES
        ]
    else:
        units = [
            {"unit_id": row["cluster_id"], "kind": row["kind"], "members": row["members"],
             "member_names": row["member_names"], "unit_population": row["population"],
             "perimeter_m": row["perimeter_m"]}
            for row in clusters
        ]
    if not units:  # everything covered: nothing to propose
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))

    unit_of = {m: unit["unit_id"] for unit in units for m in unit["members"]}
    covered = {c for c in table.codes if state_of[c] in COVERED_STATES}
    # Every border from a unit's municipality to a covered member, per (unit, partnership). The adjacency is
    # walked forward (nis_a -> nis_b), then backward, so the lengths are added in one fixed order.
    lengths: dict[tuple[str, str], list[float]] = {}
    targets: dict[tuple[str, str], set[str]] = {}
    for sources, ends in ((inputs.nis_a, inputs.nis_b), (inputs.nis_b, inputs.nis_a)):
        for source, target, length in zip(sources, ends, inputs.lengths):
            unit = unit_of.get(source)
            if unit is None or target not in covered:
                continue
            for pid in partnerships_of.get(target, ()):
                if is_missing(pid):
                    continue  # a row without partnership cannot be proposed
                key = (unit, pid)
                lengths.setdefault(key, []).append(length)
                targets.setdefault(key, set()).add(target)
    by_unit: dict[str, list[tuple[str, float, tuple[str, ...]]]] = {}
    for (unit, pid), values in lengths.items():
        by_unit.setdefault(unit, []).append((pid, _compensated_sum(values), tuple(sorted(targets[(unit, pid)]))))

    # Inhabitants of each partnership's distinct members on the map (unknown populations count as 0).
    partnership_population: dict[str, float] = {}
    for code, pids in partnerships_of.items():
        if code not in table.population:
            continue
        inhabitants = table.population[code]
        for pid in pids:
            if is_missing(pid):
                continue
            partnership_population[pid] = partnership_population.get(pid, 0.0) + (
                0.0 if math.isnan(inhabitants) else inhabitants)

    columns: dict[str, list[Any]] = {column: [] for column in CANDIDATE_COLUMNS}
    for unit in units:
        rows = sorted(by_unit.get(unit["unit_id"], ()), key=lambda row: (-row[1], row[0])) or [(None, 0.0, ())]
        perimeter = unit["perimeter_m"]
        for rank, (pid, shared, bordering) in enumerate(rows, start=1):
            population = partnership_population.get(pid, np.nan) if pid is not None else np.nan
            columns["level"].append(level)
            columns["unit_id"].append(unit["unit_id"])
            columns["kind"].append(unit["kind"])
            columns["members"].append(unit["members"])
            columns["member_names"].append(unit["member_names"])
            columns["unit_population"].append(unit["unit_population"])
            columns["partnership_id"].append(pid)
            columns["partnership_name"].append(names.get(pid, pid) if isinstance(pid, str) else None)
            columns["shared_border_m"].append(shared)
            columns["share_of_unit_border"].append(shared / perimeter if perimeter > 0 else np.nan)
            columns["n_bordering_members"].append(len(bordering))
            columns["bordering_members"].append(bordering)
            columns["partnership_population"].append(population)
            columns["population_if_joined"].append(population + unit["unit_population"])
            columns["rank"].append(rank if pid is not None else 0)
    numeric = {"unit_population": float, "shared_border_m": float, "share_of_unit_border": float,
               "n_bordering_members": int, "partnership_population": float, "population_if_joined": float}
    for column, dtype in numeric.items():
        columns[column] = np.asarray(columns[column], dtype=dtype)
    ranks = np.asarray(columns["rank"], dtype="int64")
    columns["rank"] = pd.arrays.IntegerArray(ranks, ranks == 0)  # no rank (0) where no partnership borders
    return pd.DataFrame(columns)
