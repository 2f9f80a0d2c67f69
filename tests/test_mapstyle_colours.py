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


def test_a_partnership_keeps_its_colour_when_partnerships_elsewhere_are_added():
    """Colours depend on a partnership's id and its surroundings only: a second, separate block of partnerships
    (an upload that adds a region elsewhere) changes no colour of the first."""
    ids, adjacency, _, _ = _blocks(6, 6, 2)
    alone = partnership_colours(ids, adjacency)
    far_ids = [f"X{pid}" for pid in ids]
    far = pd.DataFrame({"a": [f"X{a}" for a in adjacency["a"]], "b": [f"X{b}" for b in adjacency["b"]]})
    together = partnership_colours(ids + far_ids + ["lonely"], pd.concat([adjacency, far], ignore_index=True))
    assert {pid: together[pid] for pid in ids} == alone
    assert together["lonely"] == partnership_colours(["lonely"])["lonely"]


def test_without_neighbours_a_colour_depends_on_the_id_alone():
    ids = [f"p{i:02d}" for i in range(20)]
    colours = partnership_colours(ids)
    assert all(colours[pid] == partnership_colours([pid])[pid] for pid in ids)
    assert len(set(colours.values())) > 4  # ids spread over the palette, not all one colour
    assert partnership_colours(list(reversed(ids))) == colours  # the order of the ids does not matter


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


@pytest.mark.parametrize("version", ["2019", "2025"])
def test_adjacent_partnerships_differ_on_the_real_reconstruction(version):
    from analysis.datasets import bundled_view

    view = bundled_view("regie-2020-2025", version)
    pairs = _neighbour_pairs(partnership_adjacency(view.adjacency, view.scheme.memberships))
    assert len(pairs) > 20
    assert all(view.colours[a] != view.colours[b] for a, b in pairs)
    assert set(view.colours) == set(view.scheme.partnerships["partnership_id"])


def test_a_filter_never_changes_a_colour():
    """The web map under a province filter draws every municipality in the fill it has on the whole map."""
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map
    from tests.conftest import feature_properties
    from analysis.datasets import bundled_view

    view, web = bundled_view("regie-2020-2025", "2019"), web_layer("2019")

    def fills(fmap) -> dict:
        return {p["name"]: p["style"]["fillColor"] for p in feature_properties(fmap) if "name" in p}

    everything = fills(coverage_map(view, web))
    mask = view.municipalities["province"] == view.municipalities["province"].iloc[0]
    filtered = fills(coverage_map(view, web, mask))
    assert 0 < len(filtered) < len(everything)
    assert all(everything[name] == fill for name, fill in filtered.items())


@pytest.mark.slow
def test_the_bundled_membership_uploaded_as_a_file_keeps_every_colour():
    """Uploading the project's own membership file (through the page's reader) gives every partnership the colour
    it has in the bundled scheme, on both maps."""
    from analysis.datasets import build_view, bundled_view
    from analysis.membership_list import read_list
    from geodata.membership import SCHEMES

    uploaded, problems = read_list((SCHEMES["regie-2020-2025"] / "memberships.csv").read_bytes(),
                                   "memberships.csv")
    assert uploaded is not None, problems
    for version in ("2019", "2025"):
        colours, bundled = build_view(uploaded, version).colours, bundled_view("regie-2020-2025", version).colours
        # A partnership without members (in the bundled list only) cannot appear in an upload of memberships.
        assert len(colours) >= 25 and set(colours) <= set(bundled)
        assert colours == {pid: bundled[pid] for pid in colours}
