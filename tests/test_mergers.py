import numpy as np
import pandas as pd
import pytest

from analysis.coverage import coverage_status
from analysis.mergers import (
    merger_conflicts,
    project_membership_to_2025,
    project_non_participants_to_2025,
)
from geodata.crosswalk import parts_by_successor, successors
from tests.grids import memberships_frame, non_participants_frame

# 2019 -> 2025: Borsbeek (11007) into Antwerpen (11002); three into "23106" (like Pajottegem);
# two into "44088" (like Nazareth-De Pinte); "11001" unchanged.
MERGERS = pd.DataFrame(
    [("11002", "11002"), ("11007", "11002"), ("23023", "23106"), ("23024", "23106"), ("23032", "23106"),
     ("44048", "44088"), ("44012", "44088"), ("11001", "11001"), ("37002", "37021"), ("37007", "37021")],
    columns=["nis_2019", "nis_2025"],
)
POPULATION = pd.Series({"11002": 530_000, "11007": 10_000, "23023": 9_000, "23024": 11_000, "23032": 20_000,
                        "44048": 11_000, "44012": 9_000, "11001": 14_000, "37002": 6_000, "37007": 4_000})


@pytest.fixture
def memberships():
    return memberships_frame(
        {"antwerpen": ["11002"], "west": ["23023", "23024"], "oost": ["23032"], "leie": ["44048", "44012"],
         "rand": ["11001"]},
        confidence={("west", "23024"): "suggestive", ("leie", "44048"): "suggestive",
                    ("leie", "44012"): "suggestive"},
    )


def test_projection_keeps_partial_coverage_visible(memberships):
    projected = project_membership_to_2025(memberships, MERGERS, POPULATION).set_index(["partnership_id", "nis"])
    antwerpen = projected.loc[("antwerpen", "11002")]
    assert antwerpen["former_nis"] == ("11002",)
    assert antwerpen["all_parts"] == ("11002", "11007")
    assert antwerpen["member_population"] == 530_000 and antwerpen["population_total"] == 540_000
    assert antwerpen["covered_population_share"] == pytest.approx(530 / 540)
    assert not antwerpen["full_coverage"] and antwerpen["confidence"] == "confirmed"
    west = projected.loc[("west", "23106")]
    assert west["former_nis"] == ("23023", "23024") and west["confidence"] == "confirmed"  # one part confirmed
    assert west["municipality"] == "Gemeente 23023 + Gemeente 23024"
    leie = projected.loc[("leie", "44088")]
    assert leie["full_coverage"] and leie["confidence"] == "suggestive"
    assert projected.loc[("rand", "11001"), "full_coverage"]
    assert len(projected) == 5


def test_projection_passes_2025_codes_through():
    memberships = memberships_frame({"p": ["99999"]})
    projected = project_membership_to_2025(memberships, MERGERS, POPULATION)
    assert projected.iloc[0]["nis"] == "99999" and not projected.iloc[0]["mapped"]


def test_projection_feeds_coverage_on_2025_codes(memberships):
    projected = project_membership_to_2025(memberships, MERGERS, POPULATION)
    municipalities_2025 = pd.DataFrame({"nis": ["11001", "11002", "23106", "44088", "37021"]})
    status = coverage_status(municipalities_2025, projected, None).set_index("nis")
    assert status.loc["23106", "partnership_ids"] == ("oost", "west")
    assert status.loc["37021", "status"] == "unknown"


def test_non_participants_projected_only_when_all_parts_agree():
    non_participants = non_participants_frame(["37002", "37007", "11007"])
    projected = project_non_participants_to_2025(non_participants, MERGERS)
    assert list(projected["nis"]) == ["37021"]
    assert projected.iloc[0]["former_nis"] == ("37002", "37007")


def test_merger_conflicts(memberships):
    non_participants = non_participants_frame(["37002"])
    conflicts = merger_conflicts(memberships, non_participants, MERGERS, POPULATION,
                                 names_2019={"11002": "Antwerpen", "11007": "Borsbeek"},
                                 names_2025={"11002": "Antwerpen"}).set_index("nis_2025")
    assert list(conflicts.index) == ["11002", "23106", "37021"]  # 44088 (both in leie) and 11001 are fine
    antwerpen = conflicts.loc["11002"]
    assert antwerpen["name_2025"] == "Antwerpen"
    assert antwerpen["parts"] == ("11002", "11007")
    assert antwerpen["part_names"] == ("Antwerpen", "Borsbeek")
    assert antwerpen["part_statuses"] == ("member_confirmed", "unknown")
    assert antwerpen["part_partnership_ids"] == (("antwerpen",), ())
    assert antwerpen["part_populations"] == (530_000, 10_000)
    assert antwerpen["conflict_types"] == ("partly_covered",)
    assert antwerpen["covered_population"] == 530_000
    assert antwerpen["covered_population_share"] == pytest.approx(530 / 540)
    assert "Borsbeek: onbekend" in antwerpen["description"]
    pajottegem = conflicts.loc["23106"]
    assert pajottegem["conflict_types"] == ("different_partnerships",)
    assert pajottegem["part_statuses"] == ("member_confirmed", "member_suggestive", "member_confirmed")
    assert pajottegem["description"].startswith("Voormalige gemeenten in verschillende verbanden")
    mixed = conflicts.loc["37021"]
    assert mixed["conflict_types"] == ("mixed_not_covered",)
    assert mixed["covered_population"] == 0


def test_merger_conflicts_with_missing_population(memberships):
    conflicts = merger_conflicts(memberships, None, MERGERS, {"11002": 530_000}).set_index("nis_2025")
    antwerpen = conflicts.loc["11002"]
    assert np.isnan(antwerpen["part_populations"][1])
    assert antwerpen["population_total"] == 530_000  # the known part only
    assert antwerpen["part_names"] == ("Gemeente 11002", "11007")


# ---------------------------------------------------------------------------------------------- real data


def test_borsbeek_merged_into_antwerpen_real_tables():
    from geodata.municipalities import load_merger_table, load_municipalities

    municipalities = load_municipalities("2019")
    population = municipalities.set_index("nis")["population_2020"]
    names = municipalities.set_index("nis")["name"]
    merger_table = load_merger_table()
    memberships = memberships_frame({"antwerpen": ["11002"]})
    conflicts = merger_conflicts(memberships, None, merger_table, population, names_2019=names).set_index("nis_2025")
    antwerpen = conflicts.loc["11002"]
    assert antwerpen["parts"] == ("11002", "11007")
    assert antwerpen["part_names"] == ("Antwerpen", "Borsbeek")
    assert antwerpen["part_populations"] == (529_247, 10_949)
    assert antwerpen["conflict_types"] == ("partly_covered",)
    projected = project_membership_to_2025(memberships, merger_table, population).iloc[0]
    assert projected["covered_population_share"] == pytest.approx(529_247 / 540_196)
    # without any other membership, the other merged municipalities are all unknown: no conflict there
    assert list(conflicts.index) == ["11002"]


def test_crosswalk_codes_of_a_hand_made_table():
    assert successors(MERGERS)["11007"] == "11002" and successors(MERGERS)["11001"] == "11001"
    parts = parts_by_successor(MERGERS)
    assert parts["23106"] == ("23023", "23024", "23032") and parts["11001"] == ("11001",)
    assert sorted(code for codes in parts.values() for code in codes) == sorted(MERGERS["nis_2019"])
    with pytest.raises(ValueError, match="more than one 2025 code"):
        successors(pd.concat([MERGERS, pd.DataFrame({"nis_2019": ["11007"], "nis_2025": ["11001"]})]))
