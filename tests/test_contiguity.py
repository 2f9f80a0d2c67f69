import pytest
from shapely.geometry import box

from analysis.contiguity import partnership_part_labels, partnership_parts
from analysis.gaps import adjacency_pairs
from tests.grids import ORIGIN, cell, memberships_frame, municipalities_from_shapes, square_grid, two_part_square


@pytest.fixture(scope="module")
def grid():
    # 3 x 4 grid; the bigger population of r2c3 makes the small part the main part of "ex".
    return square_grid(3, 4, population={cell(2, 3): 50_000})


def test_exclave_partnership_has_two_parts(grid):
    memberships = memberships_frame(
        {"ex": [cell(0, 0), cell(0, 1), cell(1, 0), cell(2, 3)], "one": [cell(1, 2), cell(1, 3), cell(0, 3)]}
    )
    parts = partnership_parts(grid, memberships, adjacency_pairs(grid)).set_index("partnership_id")
    ex = parts.loc["ex"]
    assert ex["n_parts"] == 2 and not ex["contiguous"]
    assert ex["main_part"] == (cell(2, 3),)  # 50,000 inhabitants beat 3 x 10,000
    assert ex["main_part_population"] == 50_000
    assert ex["exclaves"] == ((cell(0, 0), cell(0, 1), cell(1, 0)),)
    assert ex["exclave_members"] == (cell(0, 0), cell(0, 1), cell(1, 0))
    assert ex["exclave_population"] == 30_000
    one = parts.loc["one"]
    assert one["n_parts"] == 1 and one["contiguous"] and one["exclaves"] == ()


def test_corner_touching_members_are_separate_parts(grid):
    memberships = memberships_frame({"diag": [cell(0, 0), cell(1, 1), cell(2, 2)]})
    parts = partnership_parts(grid, memberships, adjacency_pairs(grid))
    assert parts.iloc[0]["n_parts"] == 3
    # equal populations and sizes: lowest code is the main part
    assert parts.iloc[0]["main_part"] == (cell(0, 0),)
    assert parts.iloc[0]["exclaves"] == ((cell(1, 1),), (cell(2, 2),))


def test_members_off_map_are_listed_not_counted(grid):
    memberships = memberships_frame({"p": [cell(0, 0), "11007"]})
    row = partnership_parts(grid, memberships, adjacency_pairs(grid)).iloc[0]
    assert row["n_members"] == 2 and row["n_members_on_map"] == 1
    assert row["members_off_map"] == ("11007",)
    assert row["n_parts"] == 1


def test_multipart_municipality_is_one_node():
    # "13002" is two squares (like Baarle-Hertog); each touches a different neighbour.
    x, y = ORIGIN
    shapes = {
        "13002": two_part_square(),
        "13023": box(x + 1000, y - 1000, x + 2000, y),   # borders the first square
        "13035": box(x + 4000, y - 1000, x + 5000, y),   # borders the second square
    }
    municipalities = municipalities_from_shapes(shapes)
    memberships = memberships_frame({"p": ["13023", "13002", "13035"]})
    parts = partnership_parts(municipalities, memberships)  # adjacency computed on the fly
    assert parts.iloc[0]["n_parts"] == 1
    assert parts.iloc[0]["main_part"] == ("13002", "13023", "13035")


def test_part_labels(grid):
    memberships = memberships_frame({"ex": [cell(0, 0), cell(2, 3)]})
    labels = partnership_part_labels(grid, memberships, adjacency_pairs(grid)).set_index("nis")
    assert labels.loc[cell(2, 3), "part"] == 1 and not labels.loc[cell(2, 3), "is_exclave"]
    assert labels.loc[cell(0, 0), "part"] == 2 and labels.loc[cell(0, 0), "is_exclave"]


def test_rows_without_partnership_and_repeated_rows(grid):
    memberships = memberships_frame({"one": [cell(1, 2), cell(1, 3), cell(0, 3)]})
    memberships.loc[len(memberships)] = [None, cell(0, 0), None, "lid", None, None, "confirmed"]
    memberships = memberships.iloc[[0, 1, 2, 3, 0, 1]]  # every row of "one" but the last listed twice
    parts = partnership_parts(grid, memberships, adjacency_pairs(grid))
    assert parts["partnership_id"].tolist() == ["one"]
    assert parts.iloc[0]["n_members"] == 3 and parts.iloc[0]["n_parts"] == 1
