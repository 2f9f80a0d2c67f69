import numpy as np
import pandas as pd
import pytest

from analysis.contiguity import partnership_parts
from analysis.gaps import adjacency_pairs
from analysis.profiles import official_size_check, partnership_profile, partnership_profiles
from tests.grids import cell, memberships_frame, partnerships_frame, square_grid

# 2 x 4 grid, 20,000 inhabitants per cell except r0c0 (the centre city, 30,000).
# Regions: R1 = column 0-1, R2 = column 2-3.


@pytest.fixture(scope="module")
def setting():
    grid = square_grid(2, 4, population={**{n: 20_000 for n in square_grid(2, 4)["nis"]}, cell(0, 0): 30_000})
    partnerships = partnerships_frame(["stad", "p", "klein", "city"], centre_city={"p": cell(0, 0),
                                      "city": cell(1, 3)}, standalone=["city"])
    memberships = memberships_frame(
        {"p": [cell(0, 0), cell(0, 1), cell(1, 0), cell(0, 2)], "klein": [cell(1, 1), cell(1, 2)],
         "city": [cell(1, 3)], "stad": []},
        confidence={("p", cell(0, 2)): "suggestive"},
    )
    regions = pd.DataFrame(
        [("R1", "Regio een", n) for n in grid["nis"] if n[-1] in "01"]
        + [("R2", "Regio twee", n) for n in grid["nis"] if n[-1] in "23"],
        columns=["region_id", "region_name", "nis"],
    )
    adjacency = adjacency_pairs(grid)
    return grid, partnerships, memberships, regions, adjacency


def test_profile_of_partnership_with_centre_city(setting):
    grid, partnerships, memberships, regions, adjacency = setting
    profiles = partnership_profiles(grid, partnerships, memberships, adjacency, regions).set_index("partnership_id")
    p = profiles.loc["p"]
    assert p["members"] == (cell(0, 0), cell(0, 1), cell(0, 2), cell(1, 0))
    assert p["member_names"][0] == "Gemeente r0c0"
    assert p["n_members"] == 4 and p["n_members_confirmed"] == 3 and p["n_members_suggestive"] == 1
    assert p["population"] == 90_000
    assert p["area_km2"] == pytest.approx(4.0)
    assert p["centre_city_nis"] == cell(0, 0) and p["centre_city"] == "Gemeente r0c0"
    assert p["n_parts"] == 1 and p["contiguous"]
    assert p["eligible"] and p["eligibility_reason"] == "Subsidieerbaar: minstens 60.000 inwoners"
    assert p["main_region_id"] == "R1" and p["main_region_name"] == "Regio een"
    assert p["main_region_population_share"] == pytest.approx(70_000 / 90_000)
    assert p["main_region_covered_share"] == pytest.approx(70_000 / 90_000)  # R1 has 90,000; p holds 70,000
    assert p["regions_crossed"] == ("R1", "R2") and p["n_regions"] == 2
    assert p["population_without_region"] == 0


def test_eligibility_and_standalone(setting):
    grid, partnerships, memberships, regions, adjacency = setting
    profiles = partnership_profiles(grid, partnerships, memberships, adjacency, regions).set_index("partnership_id")
    assert not profiles.loc["klein", "eligible"]  # 40,000 inhabitants
    assert profiles.loc["klein", "eligibility_reason"] == "Niet subsidieerbaar: minder dan 60.000 inwoners"
    assert profiles.loc["city", "eligible"]  # a centre city alone: no minimum
    assert profiles.loc["city", "eligibility_reason"].startswith("Subsidieerbaar: centrumstad die alleen indient")
    # a partnership without members stays visible with unknown population
    assert profiles.loc["stad", "n_members"] == 0 and np.isnan(profiles.loc["stad", "population"])
    assert profiles.loc["stad", "eligibility_reason"] == "Onbekend: inwonertal ontbreekt"
    assert profiles.loc["klein", "regions_crossed"] == ("R1", "R2")
    # tie 20,000 / 20,000: the lowest region id is the main region
    assert profiles.loc["klein", "main_region_id"] == "R1"


def test_exclave_and_no_regions(setting):
    grid, partnerships, _, _, adjacency = setting
    memberships = memberships_frame({"p": [cell(0, 0), cell(0, 3), cell(1, 3)]})
    profiles = partnership_profiles(grid, partnerships, memberships, adjacency).set_index("partnership_id")
    assert profiles.loc["p", "n_parts"] == 2
    assert profiles.loc["p", "exclave_members"] == (cell(0, 0),)  # 30,000 < 40,000
    assert profiles.loc["p", "main_region_id"] is None
    assert np.isnan(profiles.loc["p", "main_region_population_share"])


def test_single_profile_reuses_parts(setting):
    grid, partnerships, memberships, regions, adjacency = setting
    parts = partnership_parts(grid, memberships, adjacency)
    profile = partnership_profile("p", grid, partnerships, memberships, adjacency, regions, parts)
    assert profile["population"] == 90_000 and profile["partnership_id"] == "p"
    with pytest.raises(KeyError):
        partnership_profile("nope", grid, partnerships, memberships, adjacency)


# ---------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def flanders_2019():
    from geodata.municipalities import load_municipalities
    from geodata.regions import load_referentieregios

    municipalities = load_municipalities("2019")
    return municipalities, load_referentieregios("2019"), adjacency_pairs(municipalities)


def test_werkkracht10_matches_referentieregio_brugge(flanders_2019):
    from analysis.subsidy import allocate_subsidies, subsidy_input_table

    municipalities, regions, adjacency = flanders_2019
    brugge_region = list(regions.loc[regions["region_name"] == "Regio Brugge", "nis"])
    assert len(brugge_region) == 10
    partnerships = partnerships_frame(["werkkracht10"], centre_city={"werkkracht10": "31005"})
    memberships = memberships_frame({"werkkracht10": brugge_region})
    profile = partnership_profiles(municipalities, partnerships, memberships, adjacency, regions).iloc[0]
    assert profile["population"] == 282_745  # Statbel 1 January 2020
    assert profile["centre_city"] == "Brugge"
    assert profile["contiguous"] and profile["n_parts"] == 1
    assert profile["main_region_name"] == "Regio Brugge"
    assert profile["main_region_population_share"] == 1.0 and profile["main_region_covered_share"] == 1.0
    assert profile["n_regions"] == 1 and profile["eligible"]
    # Brugge alone (118,656) would get 50,000; the partnership's band (220,001-290,000) is 100,000 = the cap.
    allocation = allocate_subsidies(subsidy_input_table(municipalities, partnerships, memberships)).iloc[0]
    assert allocation["base_amount_eur"] == 100_000 and allocation["cap_eur"] == 100_000
    assert allocation["requested_amount_eur"] == 100_000 and not allocation["cap_applied"]


def test_official_size_check_flags_partnerships_outside_the_published_range():
    profiles = pd.DataFrame({"population": [50_000.0, 61_786.0, 301_550.0, 320_000.0, float("nan"), 529_247.0],
                             "standalone": [False, False, False, False, False, True]})
    checked = official_size_check(profiles, 61_786, 301_550)
    assert checked.tolist() == ["te klein", "binnen bereik", "binnen bereik", "te groot", None, None]
    assert official_size_check(profiles, None, None).isna().all()


def test_sums_are_those_of_pandas_and_missing_rows_are_skipped():
    # Uneven areas and an unknown population: the totals must be what Series.sum gives (NaN counts as 0),
    # to the last bit, whatever the members' order.
    grid = square_grid(3, 4)
    grid["area_km2"] = [1 / (i + 3) for i in range(len(grid))]
    grid.loc[grid.index[5], "population_2020"] = np.nan
    members = {"a": list(grid["nis"][:9]), "b": list(grid["nis"][4:])}
    memberships = memberships_frame(members)
    memberships.loc[len(memberships)] = [None, cell(0, 0), None, "lid", None, None, "confirmed"]  # no partnership
    memberships.loc[len(memberships)] = ["a", None, None, "lid", None, None, "confirmed"]  # no code
    memberships = pd.concat([memberships, memberships.iloc[[0]]], ignore_index=True)  # a duplicate row
    profiles = partnership_profiles(grid, partnerships_frame(["a", "b"]), memberships, adjacency_pairs(grid))
    by_nis = grid.set_index("nis")
    for pid, codes in members.items():
        row = profiles.set_index("partnership_id").loc[pid]
        assert row["members"] == tuple(sorted(codes))
        assert row["area_km2"] == by_nis.loc[sorted(codes), "area_km2"].sum()
        assert row["population"] == by_nis.loc[sorted(codes), "population_2020"].astype(float).sum()
    assert profiles.set_index("partnership_id").loc["a", "n_members"] == 9
