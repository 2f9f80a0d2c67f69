
import numpy as np
import pandas as pd
import pytest

from analysis.coverage import (
    COVERAGE_STATES,
    coverage_kpis,
    coverage_status,
    kpi_values,
    memberships_off_map,
    status_for_codes,
    status_series,
)
from tests.grids import cell, memberships_frame, non_participants_frame, partnerships_frame, square_grid


@pytest.fixture
def grid():
    # 2 x 3 grid; populations 10k, 20k, ... so the population KPIs are easy to check.
    return square_grid(2, 3, population=lambda r, c: 10_000 * (1 + 3 * r + c))


def test_status_precedence_and_counts(grid):
    memberships = memberships_frame(
        {"a": [cell(0, 0), cell(0, 1)], "b": [cell(0, 1), cell(0, 2)], "c": [cell(1, 0)]},
        confidence={("a", cell(0, 0)): "suggestive", ("b", cell(0, 1)): "suggestive",
                    ("b", cell(0, 2)): "suggestive", ("c", cell(1, 0)): "suggestive"},
    )
    # 90002 has only a suggestive row but a source says it does not take part: non_participant wins.
    non_participants = non_participants_frame([cell(0, 2), cell(1, 1)])
    status = coverage_status(grid, memberships, non_participants)
    assert list(status.columns) == ["nis", "name", "population_2020", "status", "n_partnerships", "partnership_ids",
                                    "confirmed_partnership_ids", "evidence_conflict"]
    status = status.set_index("nis")
    assert status.loc[cell(0, 0), "status"] == "member_suggestive"
    assert status.loc[cell(0, 1), "status"] == "member_confirmed"  # one confirmed row is enough
    assert status.loc[cell(0, 1), "n_partnerships"] == 2
    assert status.loc[cell(0, 1), "partnership_ids"] == ("a", "b")
    assert status.loc[cell(0, 1), "confirmed_partnership_ids"] == ("a",)
    assert status.loc[cell(0, 2), "status"] == "non_participant"
    assert bool(status.loc[cell(0, 2), "evidence_conflict"]) is True
    assert status.loc[cell(1, 0), "status"] == "member_suggestive"
    assert status.loc[cell(1, 1), "status"] == "non_participant"
    assert status.loc[cell(1, 2), "status"] == "unknown"
    assert status.loc[cell(1, 2), "partnership_ids"] == ()
    assert status.loc[cell(1, 2), "n_partnerships"] == 0
    assert set(status["status"]) <= set(COVERAGE_STATES)


def test_confirmed_beats_non_participant_and_order_is_kept(grid):
    memberships = memberships_frame({"a": [cell(1, 2)]})
    status = coverage_status(grid, memberships, non_participants_frame([cell(1, 2)]))
    assert list(status["nis"]) == list(grid["nis"])
    row = status.set_index("nis").loc[cell(1, 2)]
    assert row["status"] == "member_confirmed" and bool(row["evidence_conflict"])


def test_integer_codes_and_no_non_participants():
    memberships = pd.DataFrame({"partnership_id": ["p"], "nis": [11002], "confidence": ["confirmed"]})
    status = status_for_codes(["11002", "11007"], memberships, None)
    assert status.loc["11002", "status"] == "member_confirmed"
    assert status.loc["11007", "status"] == "unknown"
    with pytest.raises(ValueError):
        status_for_codes(["11002", "11002"], memberships, None)


def test_memberships_off_map_and_status_series(grid):
    memberships = memberships_frame({"a": [cell(0, 0), "11002"]})
    assert list(memberships_off_map(grid, memberships)["nis"]) == ["11002"]
    status = coverage_status(grid, memberships, None)
    assert status_series(status)[cell(0, 0)] == "member_confirmed"
    assert status_series({"x": "unknown"})["x"] == "unknown"


def test_kpis_with_official_totals(grid):
    partnerships = partnerships_frame(["a", "b", "city"], centre_city={"a": cell(0, 0), "city": cell(1, 2)},
                                      standalone=["city"])
    memberships = memberships_frame(
        {"a": [cell(0, 0), cell(0, 1)], "b": [cell(0, 2)], "city": [cell(1, 2)]},
        confidence={("b", cell(0, 2)): "suggestive"},
    )
    non_participants = non_participants_frame([cell(1, 0)])
    official = {"partnerships": 34, "with_centre_city": 10, "standalone_cities": 3, "municipalities": 238,
                "total_municipalities": 300, "population_share": 0.89, "not_a_kpi": 1}
    kpis = coverage_kpis(grid, partnerships, memberships, non_participants, official=official)
    values = kpi_values(kpis)
    assert values["partnerships"] == 2
    assert values["with_centre_city"] == 1
    assert values["standalone_cities"] == 1
    assert values["municipalities"] == 4
    assert values["municipalities_confirmed"] == 3
    assert values["municipalities_suggestive"] == 1
    assert values["non_participants"] == 1
    assert values["unknown"] == 1
    assert values["total_municipalities"] == 6
    # populations 10k..60k: covered = 10k + 20k + 30k + 60k
    assert values["population_covered"] == 120_000
    assert values["population_covered_confirmed"] == 90_000
    assert values["population_total"] == 210_000
    assert values["population_share"] == pytest.approx(120 / 210)
    by_key = kpis.set_index("kpi")
    assert by_key.loc["partnerships", "official"] == 34
    assert by_key.loc["partnerships", "difference"] == 2 - 34
    assert by_key.loc["population_share", "difference"] == pytest.approx(120 / 210 - 0.89)
    assert np.isnan(by_key.loc["unknown", "official"]) and np.isnan(by_key.loc["unknown", "difference"])
    assert set(kpis.columns) == {"kpi", "label", "unit", "definition", "value", "official", "difference"}
    assert by_key.loc["population_share", "unit"] == "aandeel"


def test_kpis_without_official(grid):
    partnerships = partnerships_frame(["a"])
    kpis = coverage_kpis(grid, partnerships, memberships_frame({"a": [cell(0, 0)]}), None)
    assert kpis["official"].isna().all()
    assert kpi_values(kpis)["municipalities"] == 1


def _flanders_sized_inputs():
    codes = [f"{10000 + i:05d}" for i in range(300)]
    municipalities = pd.DataFrame({"nis": codes, "name": codes, "population_2020": np.arange(300) * 100 + 5000})
    members = {f"p{k}": codes[k * 7:(k + 1) * 7] for k in range(34)}
    memberships = memberships_frame(members)
    non_participants = non_participants_frame(codes[250:280])
    partnerships = partnerships_frame(list(members))
    return municipalities, partnerships, memberships, non_participants


def test_coverage_of_300_municipalities_in_34_partnerships():
    municipalities, partnerships, memberships, non_participants = _flanders_sized_inputs()
    values = kpi_values(coverage_kpis(municipalities, partnerships, memberships, non_participants))
    # Codes 0-237 are members (34 x 7), 250-279 non-participants, the rest (12 + 20) unknown.
    assert (values["municipalities"], values["non_participants"], values["unknown"]) == (238, 30, 32)
    assert values["partnerships"] == 34
    assert values["population_covered"] == sum(i * 100 + 5000 for i in range(238))


def test_a_partnership_without_members_is_not_counted_and_every_kpi_states_its_definition(grid):
    partnerships = partnerships_frame(["a", "ghost", "city"], centre_city={"city": cell(1, 2)}, standalone=["city"])
    memberships = memberships_frame({"a": [cell(0, 0)], "city": [cell(1, 2)]})
    kpis = coverage_kpis(grid, partnerships, memberships, None)
    values = kpi_values(kpis)
    assert (values["partnerships"], values["standalone_cities"], values["regie_entities"]) == (1, 1, 2)
    # Counted on the selection: the stand-alone city outside it does not count.
    top_row = grid[grid["nis"].str.startswith("900")]
    assert kpi_values(coverage_kpis(top_row, partnerships, memberships, None))["regie_entities"] == 1
    assert kpis.set_index("kpi").loc["partnerships", "definition"].startswith("Samenwerkingsverbanden die")
    assert all(len(text) > 20 for text in kpis["definition"])


def test_a_member_counts_in_each_of_its_partnerships():
    from analysis.coverage import member_counts

    memberships = memberships_frame({"a": ["00001", "00002"], "b": ["00002", "00003"]})
    assert member_counts(memberships, ["00001", "00002", "00003"]) == {"a": 2, "b": 2}
    assert member_counts(memberships, ["00002"]) == {"a": 1, "b": 1}
