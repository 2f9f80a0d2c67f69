"""Partnership colours: the greedy colouring stays the same while it got linear."""

import pandas as pd

from analysis.gaps import adjacency_pairs
from analysis.mapstyle import PARTNERSHIP_PALETTE, map_colours, partnership_adjacency, partnership_colours
from tests.grids import memberships_frame, square_grid


def _reference_colours(ids, adjacency, palette=PARTNERSHIP_PALETTE):
    """The original implementation: counts the colours given so far for every partnership (quadratic)."""
    ids = sorted(dict.fromkeys(ids))
    neighbours = {pid: set() for pid in ids}
    for a, b in zip(adjacency["a"], adjacency["b"]):
        if a in neighbours and b in neighbours and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    colours = {}
    for pid in sorted(ids, key=lambda p: (-len(neighbours[p]), p)):
        taken = {colours[n] for n in neighbours[pid] if n in colours}
        used = list(colours.values())
        candidates = [c for c in palette if c not in taken] or list(palette)
        colours[pid] = min(candidates, key=lambda c: (used.count(c), palette.index(c)))
    return colours


def _blocks(rows: int, cols: int, size: int = 2):
    grid = square_grid(rows, cols)
    members: dict[str, list[str]] = {}
    for nis in grid["nis"]:
        row, col = int(nis[1:3]), int(nis[3:])
        members.setdefault(f"P{row // size:02d}{col // size:02d}", []).append(nis)
    memberships = memberships_frame(members)
    return list(members), partnership_adjacency(adjacency_pairs(grid), memberships)


def test_colours_match_the_original_greedy_colouring():
    ids, adjacency = _blocks(30, 40)  # 300 partnerships, each with up to 8 neighbours
    assert partnership_colours(ids, adjacency) == _reference_colours(ids, adjacency)
    assert partnership_colours(ids) == _reference_colours(ids, pd.DataFrame(columns=["a", "b"]))


def test_more_neighbours_than_colours_and_a_palette_with_repeats():
    ids = [f"p{i}" for i in range(14)]
    star = pd.DataFrame({"a": ["p0"] * 13, "b": ids[1:]})  # p0 borders 13 partnerships, more than 9 colours
    assert partnership_colours(ids, star) == _reference_colours(ids, star)
    palette = ("#111111", "#222222", "#111111")
    assert partnership_colours(ids, star, palette) == _reference_colours(ids, star, palette)


def test_map_colours_skip_the_pair_table():
    grid = square_grid(6, 6)
    members = {f"P{i}": list(grid["nis"][i * 4:(i + 1) * 4]) for i in range(9)}
    memberships = memberships_frame(members)
    adjacency = adjacency_pairs(grid)
    assert map_colours(list(members), adjacency, memberships) == partnership_colours(
        list(members), partnership_adjacency(adjacency, memberships))
