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
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from analysis.codes import nis_list, nis_series
from analysis.coverage import COVERED_STATES, NON_PARTICIPANT, NOT_COVERED_STATES, UNKNOWN, status_series

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


def ensure_adjacency(municipalities: Any, adjacency: pd.DataFrame | None) -> pd.DataFrame:
    """``adjacency`` when given, else :func:`adjacency_pairs` of ``municipalities`` (costly: pass it when known)."""
    return adjacency_pairs(municipalities) if adjacency is None else adjacency


def adjacency_graph(adjacency: pd.DataFrame) -> nx.Graph:
    """The adjacency as an undirected graph: nodes are nis codes, each edge carries ``shared_border_m``."""
    graph = nx.Graph()
    # Plain lists: networkx reads the columns element by element, which is slow on pandas' Arrow strings.
    graph.add_weighted_edges_from(
        zip(adjacency["nis_a"].tolist(), adjacency["nis_b"].tolist(), adjacency["shared_border_m"].tolist()),
        weight="shared_border_m")
    return graph


def neighbour_sets(adjacency: pd.DataFrame) -> dict[str, set[str]]:
    """Mapping nis -> set of adjacent nis codes (municipalities without neighbours are absent)."""
    graph = adjacency_graph(adjacency)
    return {code: set(graph[code]) for code in graph}


def connected_components(
    nodes: Iterable[str],
    adjacency: pd.DataFrame | None = None,
    neighbours: nx.Graph | Mapping[str, Iterable[str]] | None = None,
) -> list[tuple[str, ...]]:
    """Connected components of the graph induced on ``nodes`` by the adjacency.

    Give either ``adjacency`` (pairs table) or ``neighbours`` (a graph from :func:`adjacency_graph`, or a
    mapping from :func:`neighbour_sets`; cheaper when called many times on one map). Only edges with both
    ends in ``nodes`` are used. Each component is a sorted tuple of nis codes; components are sorted by size
    (largest first), then by their first code. Isolated nodes are components of one.
    """
    if neighbours is None:
        if adjacency is None:
            raise ValueError("give adjacency or neighbours")
        neighbours = adjacency_graph(adjacency)
    graph = neighbours if isinstance(neighbours, nx.Graph) else nx.Graph(neighbours)
    nodes = set(nodes)
    induced = graph.subgraph(nodes)
    components = [tuple(sorted(component)) for component in nx.connected_components(induced)]
    components += [(node,) for node in nodes - induced.nodes]  # nodes without any neighbour on the map
    return sorted(components, key=lambda component: (-len(component), component[0]))


def border_length(edges: Iterable[tuple[str, str, float]]) -> float:
    """Total length (m) of borders given as graph edges ``(nis, nis, shared_border_m)``.

    ``math.fsum`` rounds the exact sum once, so the total does not depend on the order in which networkx
    yields the edges (which follows set order for small subgraphs).
    """
    return math.fsum(length for _, _, length in edges)


# --------------------------------------------------------------------------------------------------------------
# What the gap analyses of one map share
# --------------------------------------------------------------------------------------------------------------


def _municipality_values(municipalities: Any, status: pd.DataFrame | pd.Series | Mapping[str, str]
                         ) -> dict[str, dict[str, Any]]:
    """For each of ``name``, ``status`` (missing where the status input has none), ``population`` (inhabitants
    2020, NaN when unknown), ``area_km2`` and ``perimeter_m``: a dict nis -> value over the municipalities on
    the map, in map order.

    The gap analyses look values up one municipality at a time (per cluster, per neighbour), which plain dicts
    do far faster than pandas on its Arrow strings; the columns are read once, as whole lists.
    """
    codes = nis_list(municipalities["nis"])
    columns = municipalities.columns
    geometry = getattr(municipalities, "geometry", None)
    unknown = [math.nan] * len(codes)
    if "area_km2" in columns:
        area = municipalities["area_km2"].astype(float).tolist()
    else:
        area = (geometry.area / 1e6).tolist() if geometry is not None else unknown
    values = {
        "name": municipalities["name"].tolist() if "name" in columns else codes,
        # reindex raises on a status that lists a code twice
        "status": status_series(status).reindex(codes).tolist(),
        "population": municipalities["population_2020"].astype(float).tolist()
        if "population_2020" in columns else unknown,
        "area_km2": area,
        "perimeter_m": geometry.length.tolist() if geometry is not None else unknown,
    }
    return {column: dict(zip(codes, column_values)) for column, column_values in values.items()}


def _partnership_members(memberships: pd.DataFrame) -> pd.DataFrame:
    """Distinct (``nis``, ``partnership_id``) pairs of the membership rows; rows without a partnership are left
    out (they cannot enclose a gap or be proposed)."""
    pairs = pd.DataFrame({"nis": nis_list(memberships["nis"]), "partnership_id": memberships["partnership_id"]})
    return pairs.dropna().drop_duplicates(ignore_index=True)


def _covered_partnerships(municipality: Mapping[str, Mapping[str, Any]], members: pd.DataFrame
                          ) -> dict[str, set[str]]:
    """nis -> the partnerships it is a member of, for municipalities on the map with a covered status (a
    municipality listed in a partnership but known not to take part encloses nothing and is not proposed)."""
    status_of = municipality["status"]
    partnerships_of: dict[str, set[str]] = {}
    for code, pid in zip(members["nis"].tolist(), members["partnership_id"].tolist()):
        if status_of.get(code) in COVERED_STATES:
            partnerships_of.setdefault(code, set()).add(pid)
    return partnerships_of


def _partnership_names(partnerships: pd.DataFrame | None) -> dict[str, str]:
    if partnerships is None or "name" not in partnerships.columns:
        return {}
    return dict(zip(partnerships["partnership_id"], partnerships["name"]))


def gap_analysis(
    municipalities: Any,
    status: pd.DataFrame | pd.Series | Mapping[str, str],
    memberships: pd.DataFrame,
    adjacency: pd.DataFrame | None = None,
    partnerships: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(uncovered_clusters(...), enclaves(...), candidate_partnerships(...))`` with their default options,
    computed together: the municipality values, the adjacency graph and the clusters are built once (what
    :func:`analysis.scenario.build_coverage_view` uses). Same tables as the three calls."""
    adjacency = ensure_adjacency(municipalities, adjacency)
    municipality = _municipality_values(municipalities, status)
    graph = adjacency_graph(adjacency)
    clusters = _clusters(municipality, graph, CLUSTER_KINDS)
    members = _partnership_members(memberships)
    partnerships_of = _covered_partnerships(municipality, members)
    names = _partnership_names(partnerships)
    enclave_table = _enclaves(graph, _clusters_of_kind(clusters, COMBINED), partnerships_of, names, 0.01, False)
    candidates = _candidates(municipality, graph, members, partnerships_of, names, "municipality", None)
    return clusters, enclave_table, candidates


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
    population, largest first; unknown populations last; ties by lowest member code), ``kind``, ``members``
    (sorted tuple of nis), ``member_names``, ``n_municipalities``, ``n_non_participant``, ``n_unknown``,
    ``population`` (inhabitants 2020; NaN when no member's is known), ``area_km2`` (km²) and ``perimeter_m``
    (outer perimeter in metres; borders inside the cluster excluded). Rows come per kind, in the order of
    ``kinds``. The clusters of one kind do not depend on the other kinds asked for, so this table can be
    passed on to :func:`enclaves` and :func:`candidate_partnerships` (their ``clusters`` argument).
    """
    kinds = tuple(kinds)
    unknown_kinds = set(kinds) - set(CLUSTER_KINDS)
    if unknown_kinds:
        raise ValueError(f"unknown cluster kind(s) {sorted(unknown_kinds)}; choose from {CLUSTER_KINDS}")
    adjacency = ensure_adjacency(municipalities, adjacency)
    return _clusters(_municipality_values(municipalities, status), adjacency_graph(adjacency), kinds)


def _clusters(municipality: Mapping[str, Mapping[str, Any]], graph: nx.Graph, kinds: tuple[str, ...]
              ) -> pd.DataFrame:
    """The table of :func:`uncovered_clusters` (``municipality`` from :func:`_municipality_values`)."""
    status_of = municipality["status"]
    missing = [code for code, state in status_of.items() if pd.isna(state)]
    if missing:
        raise ValueError(f"status is missing for municipalities on the map, e.g. {missing[:5]}")

    def cluster(kind: str, members: tuple[str, ...]) -> dict[str, Any]:
        states = [status_of[code] for code in members]
        populations = [municipality["population"][code] for code in members]
        known = [population for population in populations if not math.isnan(population)]
        # a border between two members is inside the cluster, and part of both members' perimeters
        internal_border = border_length(graph.subgraph(members).edges(data="shared_border_m"))
        return {
            "kind": kind,
            "members": members,
            "member_names": tuple(municipality["name"][code] for code in members),
            "n_municipalities": len(members),
            "n_non_participant": states.count(NON_PARTICIPANT),
            "n_unknown": states.count(UNKNOWN),
            "population": math.fsum(known) if known else math.nan,
            "area_km2": math.fsum(municipality["area_km2"][code] for code in members),
            "perimeter_m": math.fsum(municipality["perimeter_m"][code] for code in members) - 2.0 * internal_border,
        }

    def order(row: dict[str, Any]) -> tuple[float, str]:
        """Largest population first (unknown population last), then lowest member code."""
        population = -1.0 if math.isnan(row["population"]) else row["population"]
        return -population, row["members"][0]

    rows = []
    for kind in kinds:
        wanted = NOT_COVERED_STATES if kind == COMBINED else {kind}
        nodes = [code for code, state in status_of.items() if state in wanted]
        clusters = sorted((cluster(kind, members) for members in connected_components(nodes, neighbours=graph)),
                          key=order)
        rows.extend({"cluster_id": f"{kind}-{number}", **row} for number, row in enumerate(clusters, start=1))
    return pd.DataFrame.from_records(rows, columns=list(CLUSTER_COLUMNS))


def _clusters_of_kind(clusters: pd.DataFrame, kind: str) -> pd.DataFrame:
    return clusters[clusters["kind"] == kind]


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
    municipality bordering it is a member of P with a covered status (any confidence; a neighbour listed in
    several partnerships may make several P qualify, all are listed). A cluster with a neighbour that is not
    a member of any partnership is not an enclave.

    ``fully_enclosed`` tells whether the cluster is surrounded on all sides: its outer border not shared with
    a neighbour on the map (``open_border_m``, metres, e.g. a regional or national border) is at most
    ``max_open_border_share`` of its outer perimeter. With ``only_fully_enclosed`` the others are dropped.

    Columns: ``cluster_id``, ``kind``, ``members``, ``member_names``, ``population`` (inhabitants 2020),
    ``area_km2``, ``enclosing_partnership_ids``, ``enclosing_partnership_names``, ``neighbours`` (nis tuple),
    ``n_neighbours``, ``perimeter_m``, ``open_border_m``, ``fully_enclosed``. Rows in the order of the
    clusters.
    """
    adjacency = ensure_adjacency(municipalities, adjacency)
    municipality = _municipality_values(municipalities, status)
    graph = adjacency_graph(adjacency)
    if clusters is None:
        clusters = _clusters(municipality, graph, (kind,))
    partnerships_of = _covered_partnerships(municipality, _partnership_members(memberships))
    return _enclaves(graph, _clusters_of_kind(clusters, kind), partnerships_of, _partnership_names(partnerships),
                     max_open_border_share, only_fully_enclosed)


def _enclaves(graph: nx.Graph, clusters: pd.DataFrame, partnerships_of: Mapping[str, set[str]],
              names: Mapping[str, str], max_open_border_share: float, only_fully_enclosed: bool) -> pd.DataFrame:
    """Enclaves among ``clusters`` (rows of one kind of :func:`uncovered_clusters`)."""
    rows = []
    for cluster in clusters.to_dict("records"):
        members = cluster["members"]
        neighbours = nx.node_boundary(graph, members)
        enclosing = set.intersection(*(partnerships_of.get(code, set()) for code in neighbours)) if neighbours \
            else set()
        if not enclosing:
            continue
        ids = tuple(sorted(enclosing))
        perimeter = cluster["perimeter_m"]
        open_border = max(0.0, perimeter - border_length(nx.edge_boundary(graph, members, data="shared_border_m")))
        fully_enclosed = open_border <= max_open_border_share * perimeter
        if fully_enclosed or not only_fully_enclosed:
            rows.append({**cluster, "enclosing_partnership_ids": ids,
                         "enclosing_partnership_names": tuple(names.get(pid, pid) for pid in ids),
                         "neighbours": tuple(sorted(neighbours)), "n_neighbours": len(neighbours),
                         "open_border_m": open_border, "fully_enclosed": fully_enclosed})
    return pd.DataFrame.from_records(rows, columns=list(ENCLAVE_COLUMNS))


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
    members on the map), ``population_if_joined`` and ``rank`` (1 = longest shared border; ties by lowest
    partnership id). A unit without any bordering partnership keeps one row with ``partnership_id`` missing,
    ``shared_border_m`` 0 and no rank, so it stays visible. Units come in map order (municipalities) or in the
    order of the clusters. With ``level="cluster"``, ``clusters`` (output of :func:`uncovered_clusters` for
    the same status and adjacency, with at least the kind ``kind``) is reused instead of recomputed.
    """
    if level not in ("municipality", "cluster"):
        raise ValueError('level must be "municipality" or "cluster"')
    adjacency = ensure_adjacency(municipalities, adjacency)
    municipality = _municipality_values(municipalities, status)
    graph = adjacency_graph(adjacency)
    if level == "cluster":
        clusters = _clusters_of_kind(_clusters(municipality, graph, (kind,)) if clusters is None else clusters, kind)
    members = _partnership_members(memberships)
    return _candidates(municipality, graph, members, _covered_partnerships(municipality, members),
                       _partnership_names(partnerships), level, clusters)


def _bordering_partnerships(graph: nx.Graph, members: tuple[str, ...], partnerships_of: Mapping[str, set[str]]
                            ) -> list[tuple[str, float, tuple[str, ...]]]:
    """``(partnership_id, shared border in metres, its bordering members)`` for every partnership with a member
    along the border of ``members``, longest shared border first (ties: lowest partnership id)."""
    borders_with: dict[str, list[tuple[str, str, float]]] = {}
    for border in nx.edge_boundary(graph, members, data="shared_border_m"):
        for pid in partnerships_of.get(border[1], ()):
            borders_with.setdefault(pid, []).append(border)
    bordering = [(pid, border_length(borders), tuple(sorted({neighbour for _, neighbour, _ in borders})))
                 for pid, borders in borders_with.items()]
    return sorted(bordering, key=lambda candidate: (-candidate[1], candidate[0]))


def _candidates(municipality: Mapping[str, Mapping[str, Any]], graph: nx.Graph, members: pd.DataFrame,
                partnerships_of: Mapping[str, set[str]], names: Mapping[str, str], level: str,
                clusters: pd.DataFrame | None) -> pd.DataFrame:
    if level == "municipality":
        units = [{"unit_id": code, "kind": state, "members": (code,), "member_names": (municipality["name"][code],),
                  "unit_population": municipality["population"][code], "perimeter_m": municipality["perimeter_m"][code]}
                 for code, state in municipality["status"].items() if state in NOT_COVERED_STATES]
    else:
        units = clusters.rename(columns={"cluster_id": "unit_id", "population": "unit_population"})[
            ["unit_id", "kind", "members", "member_names", "unit_population", "perimeter_m"]].to_dict("records")
    if not units:  # everything covered: nothing to propose
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    # Inhabitants of each partnership's distinct members on the map (unknown populations count as 0).
    partnership_population: dict[str, float] = {}
    for code, pid in zip(members["nis"].tolist(), members["partnership_id"].tolist()):
        inhabitants = municipality["population"].get(code)
        if inhabitants is not None:  # on the map
            partnership_population[pid] = partnership_population.get(pid, 0.0) + (
                0.0 if math.isnan(inhabitants) else inhabitants)

    def row(unit: dict[str, Any], pid: str | None, shared: float, bordering: tuple[str, ...], rank: int | None
            ) -> dict[str, Any]:
        population = partnership_population.get(pid, math.nan)
        return {
            "level": level, **unit, "partnership_id": pid, "partnership_name": names.get(pid, pid),
            "shared_border_m": shared,
            "share_of_unit_border": shared / unit["perimeter_m"] if unit["perimeter_m"] > 0 else math.nan,
            "n_bordering_members": len(bordering), "bordering_members": bordering,
            "partnership_population": population, "population_if_joined": population + unit["unit_population"],
            "rank": rank,
        }

    rows = []
    for unit in units:
        bordering = _bordering_partnerships(graph, unit["members"], partnerships_of)
        rows.extend(row(unit, pid, shared, codes, rank) for rank, (pid, shared, codes) in enumerate(bordering, 1))
        if not bordering:  # the unit stays visible: one row without partnership or rank
            rows.append(row(unit, None, 0.0, (), None))
    result = pd.DataFrame.from_records(rows, columns=list(CANDIDATE_COLUMNS))
    result["rank"] = result["rank"].astype("Int64")
    return result
