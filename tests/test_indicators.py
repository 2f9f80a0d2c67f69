"""Indicators: group values (counts summed, rates recomputed), missing stays missing, need versus coverage,
classes; and the real sources checked against the published totals."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from geodata import indicators as gi
from geodata.indicators import CATALOGUE, FLAG_MERGED, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED


def long(rows) -> pd.DataFrame:
    """(nis, indicator_id, year, value, flag) tuples as a long table."""
    frame = pd.DataFrame(rows, columns=["nis", "indicator_id", "year", "value", "flag"])
    frame["value"] = frame["value"].astype(float)
    return frame.assign(unit="", source="test")


def labour(nis, nwwz, labour_force, year=2019, nwwz_flag=FLAG_OK, lf_flag=FLAG_OK):
    return [(nis, "nwwz", year, nwwz, nwwz_flag), (nis, "beroepsbevolking", year, labour_force, lf_flag)]


# Three municipalities: A 100 of 2.000 (5%), B 10 of 100 (10%), C suppressed.
VALUES = long(labour("A", 100, 2000) + labour("B", 10, 100)
              + labour("C", np.nan, np.nan, nwwz_flag=FLAG_SUPPRESSED, lf_flag=FLAG_SUPPRESSED))
GROUPS = pd.DataFrame({"group": ["p1", "p1", "p2", "p2", "p3"], "nis": ["A", "B", "B", "C", "C"]})


def test_counts_are_summed_and_overlaps_count_in_each_group():
    result = ind.aggregate(VALUES, GROUPS, "nwwz", 2019).set_index("group")
    assert result.loc["p1", "value"] == 110
    assert result.loc["p2", "value"] == 10  # B counts here too (it is in p1 and p2)
    assert result.loc["p1", "n_shared"] == 1 and result.loc["p2", "n_shared"] == 2
    assert bool(result.loc["p1", "complete"])


def test_rates_are_recomputed_not_averaged():
    result = ind.aggregate(VALUES, GROUPS, "werkzoekendengraad", 2019).set_index("group")
    assert result.loc["p1", "value"] == pytest.approx(100 * 110 / 2100)  # 5,238...%
    naive_average = (5.0 + 10.0) / 2
    assert result.loc["p1", "value"] != pytest.approx(naive_average)
    assert result.loc["p1", "numerator"] == 110 and result.loc["p1", "denominator"] == 2100


def test_suppressed_values_stay_missing_and_are_reported():
    result = ind.aggregate(VALUES, GROUPS, "werkzoekendengraad", 2019).set_index("group")
    assert result.loc["p2", "value"] == pytest.approx(10.0)  # only B
    assert result.loc["p2", "n_suppressed"] == 1
    assert not result.loc["p2", "complete"]
    assert result.loc["p2", "missing_nis"] == ("C",)
    assert math.isnan(result.loc["p3", "value"])  # only C: nothing known, not 0
    assert result.loc["p3", "n_with_value"] == 0


def test_a_member_without_any_row_counts_as_missing():
    groups = pd.DataFrame({"group": ["g", "g"], "nis": ["A", "Z"]})
    result = ind.aggregate(VALUES, groups, "nwwz", 2019).iloc[0]
    assert result["value"] == 100 and result["n_missing"] == 1 and result["missing_nis"] == ("Z",)


def test_rate_without_numerator_and_denominator_is_not_aggregated():
    values = long([("A", "werkzoekendengraad_mannen", 2019, 5.0, FLAG_OK)])
    result = ind.aggregate(values, pd.DataFrame({"group": ["g"], "nis": ["A"]}), "werkzoekendengraad_mannen", 2019)
    assert math.isnan(result.iloc[0]["value"])
    assert not CATALOGUE["werkzoekendengraad_mannen"].aggregatable


def test_density_is_recomputed_from_population_and_area():
    values = long([("A", "bevolking", 2024, 1000, FLAG_OK), ("A", "oppervlakte", 2024, 10, FLAG_OK),
                   ("B", "bevolking", 2024, 100, FLAG_OK), ("B", "oppervlakte", 2024, 90, FLAG_OK)])
    result = ind.aggregate(values, pd.DataFrame({"group": ["g", "g"], "nis": ["A", "B"]}), "bevolkingsdichtheid",
                           2024)
    assert result.iloc[0]["value"] == pytest.approx(1100 / 100)  # not (100 + 1,11) / 2


# A 2025 merged municipality S covers the 2019 parts s1 and s2 (the jobseekers' file on the 2019 map).
UNIT_VALUES = long(labour("S", 60, 1000) + labour("A", 100, 2000))
UNITS = pd.DataFrame({"unit": ["S", "S", "A"], "nis": ["s1", "s2", "A"]})


def test_a_merged_value_counts_when_all_its_parts_are_members():
    groups = pd.DataFrame({"group": ["both", "both", "both", "half", "half"], "nis": ["s1", "s2", "A", "s1", "A"]})
    result = ind.aggregate(UNIT_VALUES, groups, "nwwz", 2019, UNITS).set_index("group")
    assert result.loc["both", "value"] == 160 and bool(result.loc["both", "complete"])
    assert result.loc["half", "value"] == 100  # S is not split over groups: s1's share is unknown
    assert result.loc["half", "n_split"] == 1 and result.loc["half", "missing_nis"] == ("s1",)


STATUS = pd.DataFrame({
    "nis": ["A", "B", "C", "D", "s1", "s2"],
    "status": ["member_confirmed", "member_suggestive", "non_participant", "unknown", "unknown", "member_confirmed"],
})
NEED = long(labour("A", 100, 2000) + labour("B", 50, 1000) + labour("C", 30, 300) + labour("D", 20, 400)
            + labour("s1", 40, 400) + labour("s2", 60, 600))


def test_need_versus_coverage_shares():
    table = ind.need_versus_coverage(NEED, STATUS, "nwwz", 2019).set_index("group")
    assert table.loc[ind.GROUP_COVERED, "value"] == 210  # A + B + s2
    assert table.loc[ind.GROUP_NON_PARTICIPANT, "value"] == 30
    assert table.loc[ind.GROUP_UNKNOWN, "value"] == 60  # D + s1
    assert table.loc[ind.GROUP_NOT_COVERED, "value"] == 90
    assert table.loc[ind.GROUP_TOTAL, "value"] == 300
    assert table.loc[ind.GROUP_NOT_COVERED, "share"] == pytest.approx(0.3)
    assert ind.GROUP_UNASSIGNED not in table.index
    sentence = ind.need_sentence(table.reset_index(), "nwwz", 2019)
    assert sentence.startswith("30,0% van de niet-werkende werkzoekenden in 2019 (90 van 300) woont in gemeenten "
                               "zonder gekend samenwerkingsverband")


def test_need_versus_coverage_rates_are_recomputed():
    table = ind.need_versus_coverage(NEED, STATUS, "werkzoekendengraad", 2019).set_index("group")
    assert table.loc[ind.GROUP_NOT_COVERED, "value"] == pytest.approx(100 * 90 / 1100)
    assert table.loc[ind.GROUP_COVERED, "value"] == pytest.approx(100 * 210 / 3600)
    assert math.isnan(table.loc[ind.GROUP_TOTAL, "share"])


def test_a_merged_value_split_over_groups_is_not_assigned():
    values = long(labour("A", 100, 2000) + labour("S", 60, 1000))
    status = pd.DataFrame({"nis": ["A", "s1", "s2"], "status": ["member_confirmed", "unknown", "member_confirmed"]})
    table = ind.need_versus_coverage(values, status, "nwwz", 2019, UNITS).set_index("group")
    assert table.loc[ind.GROUP_COVERED, "value"] == 100
    assert table.loc[ind.GROUP_UNKNOWN, "value"] == 0 or math.isnan(table.loc[ind.GROUP_UNKNOWN, "value"])
    assert table.loc[ind.GROUP_UNASSIGNED, "value"] == 60
    assert table.loc[ind.GROUP_TOTAL, "value"] == 160
    shares = table.loc[[ind.GROUP_COVERED, ind.GROUP_NON_PARTICIPANT, ind.GROUP_UNKNOWN, ind.GROUP_UNASSIGNED],
                       "share"].fillna(0)
    assert shares.sum() == pytest.approx(1.0)


def test_ranking_of_not_covered_municipalities_by_need():
    values = long(labour("C", 30, 300) + labour("D", 20, 400) + labour("s1", 40, 400)
                  + [("E", "nwwz", 2019, np.nan, FLAG_SUPPRESSED)])
    status = pd.concat([STATUS, pd.DataFrame({"nis": ["E"], "status": ["unknown"]})], ignore_index=True)
    rates = long([("C", "werkzoekendengraad", 2019, 10.0, FLAG_OK), ("D", "werkzoekendengraad", 2019, 5.0, FLAG_OK),
                  ("s1", "werkzoekendengraad", 2019, 10.0, FLAG_OK),
                  ("E", "werkzoekendengraad", 2019, np.nan, FLAG_MISSING)])
    ranking = ind.rank_not_covered(pd.concat([values, rates]), status, "werkzoekendengraad", 2019, context="nwwz")
    assert list(ranking["nis"]) == ["C", "s1", "D", "E"]  # ties by code, missing last
    assert list(ranking["rank"].iloc[:3]) == [1, 2, 3] and math.isnan(ranking["rank"].iloc[3])
    assert list(ranking["context_value"].iloc[:3]) == [30, 40, 20]
    assert ranking["flag"].iloc[3] == FLAG_MISSING


def test_ranking_follows_the_direction_of_the_indicator():
    entry = gi.Indicator("upload:werkzaamheid", "Werkzaamheidsgraad", "%", "rate", "", None, "upload",
                         higher_is_worse=False)
    values = long([("C", entry.id, 2023, 70.0, FLAG_OK), ("D", entry.id, 2023, 60.0, FLAG_OK)])
    ranking = ind.rank_not_covered(values, STATUS, entry, 2023)
    assert list(ranking["nis"].iloc[:2]) == ["D", "C"]  # lowest employment first


def fake_view(memberships: dict[str, list[str]], codes: list[str]):
    rows = [(pid, nis) for pid, members in memberships.items() for nis in members]
    return SimpleNamespace(
        scheme=SimpleNamespace(memberships=pd.DataFrame(rows, columns=["partnership_id", "nis"]),
                               partnerships=pd.DataFrame({"partnership_id": list(memberships),
                                                          "name": [f"Verband {p}" for p in memberships]}),
                               boundary_version="2019"),
        municipalities=pd.DataFrame({"nis": codes, "name": [f"Gemeente {c}" for c in codes]}),
    )


def test_unemployment_rate_by_partnership_for_the_subsidy_ranking():
    view = fake_view({"p1": ["A", "B"], "p2": ["B", "C"], "p3": ["C"]}, ["A", "B", "C"])
    rates, note = ind.unemployment_rate_by_partnership(view, VALUES)
    assert rates.to_dict() == pytest.approx({"p1": 100 * 110 / 2100, "p2": 10.0})
    assert "2019" in note and "oproep 2020-2025" in note
    assert "Verband p2 (zonder Gemeente C)" in note
    assert "Geen graad voor 1 verband(en): Verband p3" in note


def test_unemployment_rate_without_data_for_the_year_is_none():
    view = fake_view({"p1": ["A"]}, ["A"])
    rates, note = ind.unemployment_rate_by_partnership(view, VALUES, year=2018)
    assert rates is None and "2018" in note


# --- classes --------------------------------------------------------------------------------------------------

def test_class_breaks():
    assert ind.class_breaks(range(1, 11), ind.QUANTILES, 5) == pytest.approx([2.8, 4.6, 6.4, 8.2, 10])
    assert ind.class_breaks(range(0, 11), ind.EQUAL_INTERVAL, 5) == [2, 4, 6, 8, 10]
    assert ind.class_breaks([1, 1, 2, 10, 11, 20, 21], ind.FISHER_JENKS, 3) == [2, 11, 21]
    assert ind.class_breaks([3, 3, 3], ind.QUANTILES, 5) == [3]  # fewer distinct values than classes
    assert ind.class_breaks([np.nan], ind.QUANTILES, 5) == []


def test_assign_classes_and_labels():
    classes = ind.assign_classes([1, 2, 2.5, 10, np.nan, 12], [2, 4, 10])
    assert classes.iloc[:4].tolist() == [0, 0, 1, 2]
    assert math.isnan(classes.iloc[4])
    assert classes.iloc[5] == 2  # above the last bound (breaks from all of Flanders): last class
    assert ind.class_labels([2.5, 4.25], 1.0, 1) == ["1,0 – 2,5", "2,5 – 4,3"]


# --- the model and the derived denominator --------------------------------------------------------------------

def test_derived_labour_force():
    values = long([
        ("A", "nwwz", 2020, 3267, FLAG_OK), ("A", "werkzoekendengraad", 2020, 8.1, FLAG_OK),
        ("B", "nwwz", 2020, np.nan, FLAG_SUPPRESSED), ("B", "werkzoekendengraad", 2020, 6.7, FLAG_OK),
        ("C", "nwwz", 2020, 0, FLAG_OK), ("C", "werkzoekendengraad", 2020, 0, FLAG_OK),
        ("D", "nwwz", 2020, 5, FLAG_OK), ("D", "werkzoekendengraad", 2020, np.nan, FLAG_MISSING),
    ])
    derived = gi._derived_labour_force(values).set_index("nis")
    assert derived.loc["A", "value"] == pytest.approx(3267 / 0.081)
    assert (derived.loc["B", "flag"], derived.loc["C", "flag"], derived.loc["D", "flag"]) == \
        (FLAG_SUPPRESSED, FLAG_MISSING, FLAG_MISSING)
    assert derived[["value"]].iloc[1:].isna().all().all()
    assert set(derived["indicator_id"]) == {"beroepsbevolking"}


def test_catalogue_has_only_indicators_with_a_source():
    for missing in ("leefloners", "niet_beroepsactieven", "werkzaamheidsgraad"):
        assert not any(missing in key for key in CATALOGUE)
    rate = CATALOGUE["werkzoekendengraad"]
    assert (rate.numerator, rate.denominator, rate.scale) == ("nwwz", "beroepsbevolking", 100.0)
    assert CATALOGUE["beroepsbevolking"].derived and "Afgeleid" in CATALOGUE["beroepsbevolking"].description
    assert CATALOGUE["nwwz"].keyed_on == "2025" and CATALOGUE["bevolking"].keyed_on == "2019+2025"
    frame = gi.catalogue_frame()
    assert list(frame["id"]) == list(CATALOGUE)
    assert frame.set_index("id").loc["werkzoekendengraad_vrouwen", "aggregatable"] == False  # noqa: E712


# --- real sources ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def values_2019():
    return gi.indicator_values("2019")


@pytest.fixture(scope="module")
def values_2025():
    return gi.indicator_values("2025")


def totals(values, indicator_id):
    chosen = values[(values["indicator_id"] == indicator_id) & (values["flag"] == FLAG_OK)]
    return chosen.groupby("year")["value"].sum()


@pytest.mark.slow
def test_real_jobseekers_match_the_published_flemish_totals(values_2025):
    nwwz = totals(values_2025, "nwwz")
    assert (nwwz[2020], nwwz[2021], nwwz[2022], nwwz[2023]) == (213_981, 193_148, 177_972, 196_712)
    herstappe = values_2025[(values_2025["nis"] == "73028") & (values_2025["indicator_id"] == "nwwz")]
    flags = herstappe.set_index("year")["flag"]
    assert [flags[y] for y in (2022, 2023, 2024)] == [FLAG_SUPPRESSED] * 3
    assert flags[2021] == FLAG_MISSING and flags[2020] == FLAG_OK
    assert herstappe.set_index("year").loc[2023, "value"] != 0 and \
        math.isnan(herstappe.set_index("year").loc[2023, "value"])


@pytest.mark.slow
def test_real_population_matches_the_published_flemish_totals(values_2019, values_2025):
    assert totals(values_2019, "bevolking")[2024] == 6_821_770
    assert totals(values_2025, "bevolking")[2024] == 6_821_770  # 2019 parts summed to 2025 municipalities
    assert totals(values_2025, "bevolking")[2025] == 6_864_766
    assert totals(values_2019, "bevolking")[2018] == totals(values_2025, "bevolking")[2018]
    pelt_2018 = values_2019[(values_2019["nis"] == "72043") & (values_2019["indicator_id"] == "bevolking")
                            & (values_2019["year"] == 2018)]["value"].iloc[0]
    assert pelt_2018 == 17_174 + 15_478  # Neerpelt + Overpelt, before the 2019 merger
    population_2020 = values_2019[(values_2019["indicator_id"] == "bevolking") & (values_2019["year"] == 2020)]
    from geodata.municipalities import load_municipalities

    layer = load_municipalities("2019").set_index("nis")["population_2020"]
    assert (population_2020.set_index("nis")["value"] == layer.reindex(population_2020["nis"]).to_numpy()).all()


@pytest.mark.slow
def test_real_values_on_the_2019_map(values_2019):
    nwwz_2023 = values_2019[(values_2019["indicator_id"] == "nwwz") & (values_2019["year"] == 2023)]
    assert len(nwwz_2023) == 300
    flags = nwwz_2023["flag"].value_counts()
    assert flags[FLAG_MERGED] == 28
    assert flags[FLAG_OK] + flags.get(FLAG_SUPPRESSED, 0) + flags.get(FLAG_MISSING, 0) == 272
    borsbeek = nwwz_2023.set_index("nis").loc["11007"]
    assert borsbeek["flag"] == FLAG_MERGED and math.isnan(borsbeek["value"])
    population_2025 = values_2019[(values_2019["indicator_id"] == "bevolking") & (values_2019["year"] == 2025)]
    assert (population_2025["flag"] == FLAG_MERGED).sum() == 28
    aalst = values_2019[(values_2019["nis"] == "41002") & (values_2019["year"] == 2020)].set_index("indicator_id")
    assert aalst.loc["nwwz", "value"] == 3267
    assert aalst.loc["werkzoekendengraad", "value"] == pytest.approx(8.1)
    assert aalst.loc["beroepsbevolking", "value"] == pytest.approx(3267 / 0.081)


@pytest.mark.slow
def test_real_area_and_density(values_2019, values_2025):
    area_2019 = totals(values_2019, "oppervlakte")[2024]
    area_2025 = totals(values_2025, "oppervlakte")[2024]
    assert area_2019 == pytest.approx(area_2025, rel=1e-3)  # the same territory
    assert 13_500 < area_2019 < 13_700  # Flanders: about 13.625 km²
    density = ind.aggregate(values_2025, pd.DataFrame({"group": "Vlaanderen", "nis": values_2025["nis"].unique()}),
                            "bevolkingsdichtheid", 2025).iloc[0]["value"]
    assert density == pytest.approx(6_864_766 / area_2025)


@pytest.mark.slow
def test_recomputed_rate_of_one_municipality_is_its_published_rate(values_2025):
    year = 2023
    published = values_2025[(values_2025["indicator_id"] == "werkzoekendengraad") & (values_2025["year"] == year)
                            & (values_2025["flag"] == FLAG_OK)].set_index("nis")["value"]
    groups = pd.DataFrame({"group": published.index, "nis": published.index})
    recomputed = ind.aggregate(values_2025, groups, "werkzoekendengraad", year).set_index("group")["value"].dropna()
    assert len(recomputed) >= 280
    assert np.allclose(recomputed, published.reindex(recomputed.index), atol=1e-9)


@pytest.mark.slow
def test_real_subsidy_rates_for_the_referentieregios():
    from analysis.datasets import bundled_view
    from analysis.indicator_data import unemployment_rate_by_partnership

    for version in ("2019", "2025"):
        rates, note = unemployment_rate_by_partnership(bundled_view("referentieregio", version))
        assert len(rates) == 15
        assert rates.between(3, 15).all()
        assert "2019" in note and "Herstappe" in note  # Herstappe has no NWWZ figure for 2019
    # Every municipality of a referentieregio is in it on both maps, so 2025 mergers never split: same rates.
    old = unemployment_rate_by_partnership(bundled_view("referentieregio", "2019"))[0]
    new = unemployment_rate_by_partnership(bundled_view("referentieregio", "2025"))[0]
    assert np.allclose(old.sort_index(), new.sort_index())


@pytest.mark.slow
def test_real_need_versus_coverage_adds_up():
    from analysis.datasets import bundled_view
    from analysis.indicator_data import aggregation_input

    view = bundled_view("referentieregio", "2019")
    values, units = aggregation_input("nwwz", "2019")
    table = ind.need_versus_coverage(values, view.status, "nwwz", 2023, units).set_index("group")
    assert table.loc[ind.GROUP_TOTAL, "value"] == 196_712
    assert table.loc[ind.GROUP_COVERED, "value"] == 196_712  # every municipality is in a referentieregio
    assert table.loc[ind.GROUP_NOT_COVERED, "n_municipalities"] == 0


def test_latest_values_keep_a_suppressed_latest_figure_visible():
    values = long([("A", "nwwz", 2022, 90, FLAG_OK), ("A", "nwwz", 2023, np.nan, FLAG_SUPPRESSED),
                   ("B", "nwwz", 2023, 12, FLAG_OK), ("A", "bevolking", 2023, 5000, FLAG_OK),
                   ("A", "leeg", 2023, np.nan, FLAG_MISSING)])
    latest = ind.latest_values(values, "A", ["nwwz", "bevolking", "leeg"]).set_index("indicator_id")
    assert list(latest.index) == ["nwwz", "bevolking"]  # no known value anywhere: left out
    assert latest.loc["nwwz", "year"] == 2023 and latest.loc["nwwz", "flag"] == FLAG_SUPPRESSED
    assert math.isnan(latest.loc["nwwz", "value"])  # not 90 from 2022
    assert (latest.loc["bevolking", "year"], latest.loc["bevolking", "value"]) == (2023, 5000.0)
    assert ind.latest_values(values, "C", ["nwwz"]).iloc[0]["flag"] == FLAG_MISSING
