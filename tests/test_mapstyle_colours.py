"""Partnership colours: neighbours never share a colour where the palette allows it (as mapclassify's
test_greedy.py checks its greedy colouring), and the colours spread over the whole palette."""

from collections import Counter

import pandas as pd
import pytest

from analysis.gaps import adjacency_pairs
from analysis.mapstyle import PARTNERSHIP_PALETTE, map_colours, partnership_adjacency, partnership_colours
from tests.grids import memberships_frame, square_grid


def _blocks(rows: int, cols: int, size: int):
    """A rows x cols grid of toy municipalities in partnerships of size x size cells."""
    grid = square_grid(rows, cols)
    members: dict[str, list[str]] = {}
    for nis in grid["nis"]:
        row, col = int(nis[1:3]), int(nis[3:])
        members.setdefault(f"P{row // size:02d}{col // size:02d}", []).append(nis)
    memberships = memberships_frame(members)
    return list(members), partnership_adjacency(adjacency_pairs(grid), memberships), grid, memberships


def _neighbour_pairs(adjacency: pd.DataFrame) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(adjacency["a"], adjacency["b"]) if a != b]


@pytest.mark.parametrize("rows, cols, size", [(3, 3, 1), (6, 6, 2), (12, 9, 3), (30, 40, 2)])
def test_adjacent_partnerships_always_get_different_colours(rows, cols, size):
    ids, adjacency, _, _ = _blocks(rows, cols, size)
    pairs = _neighbour_pairs(adjacency)
    assert pairs, "the grid must have neighbouring partnerships"
    degree = Counter(pid for pair in pairs for pid in pair)
    assert max(degree.values()) < len(PARTNERSHIP_PALETTE)  # the palette is large enough for a proper colouring
    colours = partnership_colours(ids, adjacency)
    assert set(colours) == set(ids)
    assert set(colours.values()) <= set(PARTNERSHIP_PALETTE)
    assert all(colours[a] != colours[b] for a, b in pairs)


def test_a_3x3_grid_of_single_cell_partnerships_uses_each_of_the_nine_colours_once():
    # Rook neighbours: the centre has 4, the edges 3, the corners 2. Nine partnerships, nine palette colours:
    # colours are spread over the palette before any is used twice, so each is used exactly once.
    ids, adjacency, _, _ = _blocks(3, 3, 1)
    assert len(_neighbour_pairs(adjacency)) == 12
    counts = Counter(partnership_colours(ids, adjacency).values())
    assert len(PARTNERSHIP_PALETTE) == 9
    assert sorted(counts.values()) == [1] * 9


def test_without_neighbours_colours_spread_evenly_over_the_palette():
    ids = [f"p{i:02d}" for i in range(20)]
    counts = Counter(partnership_colours(ids).values())
    assert set(counts) == set(PARTNERSHIP_PALETTE)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_more_neighbours_than_colours_still_colours_everyone_from_the_palette():
    ids = [f"p{i}" for i in range(14)]
    star = pd.DataFrame({"a": ["p0"] * 13, "b": ids[1:]})  # p0 borders 13 partnerships, more than 9 colours
    colours = partnership_colours(ids, star)
    assert set(colours) == set(ids) and set(colours.values()) <= set(PARTNERSHIP_PALETTE)
    # The hub keeps a colour that as few of its neighbours as possible share: at most ceil(13 / 8) of them.
    assert sum(colours[leaf] == colours["p0"] for leaf in ids[1:]) <= 2


def test_map_colours_from_municipality_adjacency_equal_the_partnership_colouring():
    ids, adjacency, grid, memberships = _blocks(6, 6, 2)
    assert map_colours(ids, adjacency_pairs(grid), memberships) == partnership_colours(ids, adjacency)
