"""Indicators: group values (counts summed, rates recomputed), missing stays missing, need versus coverage,
classes; and the real sources checked against the published totals."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from geodata import crosswalk, indicator_model
from geodata import indicators as gi
from geodata.indicator_model import FLAG_APPROXIMATE, FLAG_MERGED, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED
from geodata.indicators import CATALOGUE


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


# The merger rule on the 2019-2024 map: the 2025 merged municipality M (parts m1, m2, m3; m1 the largest) has
# figures only as a whole, carried by m1 (flag approximate); m2 and m3 have none of their own (flag merged).
MERGER = long(labour("m1", 60, 1000, nwwz_flag=FLAG_APPROXIMATE, lf_flag=FLAG_APPROXIMATE)
              + labour("m2", np.nan, np.nan, nwwz_flag=FLAG_MERGED, lf_flag=FLAG_MERGED)
              + labour("m3", np.nan, np.nan, nwwz_flag=FLAG_MERGED, lf_flag=FLAG_MERGED)
              + labour("A", 100, 2000) + labour("B", 10, 100))
MERGER_UNITS = pd.DataFrame({"nis": ["m1", "m2", "m3", "A", "B"], "unit_nis": ["M", "M", "M", "A", "B"],
                             "holder": ["m1", "m1", "m1", "A", "B"]})


def test_a_merger_with_all_its_parts_in_one_group_is_exact():
    groups = pd.DataFrame({"group": "g", "nis": ["m1", "m2", "m3", "A"]})
    row = ind.aggregate(MERGER, groups, "nwwz", 2019, MERGER_UNITS).iloc[0]
    assert row["value"] == 160 and row["n_with_value"] == 4 and row["n_elsewhere"] == 0
    assert bool(row["complete"]) and not row["approximate"] and row["approximate_nis"] == ()
    rate = ind.aggregate(MERGER, groups, "werkzoekendengraad", 2019, MERGER_UNITS).iloc[0]
    assert rate["value"] == pytest.approx(100 * 160 / 3000) and not rate["approximate"]


def test_a_merger_split_over_two_groups_goes_whole_to_the_group_of_its_largest_part():
    groups = pd.DataFrame({"group": ["g1", "g1", "g2", "g2", "g2", "all", "all", "all", "all", "all"],
                           "nis": ["m1", "A", "m2", "m3", "B", "m1", "m2", "m3", "A", "B"]})
    counts = ind.aggregate(MERGER, groups, "nwwz", 2019, MERGER_UNITS).set_index("group")
    assert counts.loc["g1", "value"] == 160  # M's 60 with m1, not divided over m1, m2, m3
    assert bool(counts.loc["g1", "approximate"]) and counts.loc["g1", "approximate_nis"] == ("m1",)
    assert counts.loc["g2", "value"] == 10 and counts.loc["g2", "n_elsewhere"] == 2
    assert counts.loc["g2", "elsewhere_nis"] == ("m2", "m3") and counts.loc["g2", "missing_nis"] == ("m2", "m3")
    assert not counts.loc["g2", "approximate"]
    assert counts.loc["g1", "value"] + counts.loc["g2", "value"] == counts.loc["all", "value"] == 170
    assert not counts.loc["all", "approximate"] and bool(counts.loc["all", "complete"])
    for group in ("g1", "g2", "all"):  # every member is counted once: with a figure, without, or elsewhere
        row = counts.loc[group]
        assert row["n_municipalities"] == row["n_with_value"] + row["n_missing"] + row["n_suppressed"] + \
            row["n_elsewhere"]
    rates = ind.aggregate(MERGER, groups, "werkzoekendengraad", 2019, MERGER_UNITS).set_index("group")
    assert rates.loc["g1", ["numerator", "denominator"]].tolist() == [160, 3000]  # M's labour force goes along
    assert rates.loc["g2", ["numerator", "denominator"]].tolist() == [10, 100]
    assert rates.loc["all", "value"] == pytest.approx(100 * 170 / 3100)
    low, high = sorted([rates.loc["g1", "value"], rates.loc["g2", "value"]])
    assert low <= rates.loc["all", "value"] <= high  # a total never lies outside its parts


def test_a_part_whose_figure_sits_in_another_group_is_named_with_the_reason():
    groups = pd.DataFrame({"group": "g", "nis": ["m2", "B"]})
    row = ind.aggregate(MERGER, groups, "nwwz", 2019, MERGER_UNITS).iloc[0]
    assert row["value"] == 10 and row["missing_nis"] == ("m2",)
    notes = {"m1": "benadering: cijfer van fusiegemeente M (2025) = Een + Twee + Drie",
             "m2": "cijfer zit in Een (fusie 2025)"}
    assert ind.left_out_text(row, {"m2": "Twee"}, notes) == "Twee: cijfer zit in Een (fusie 2025)"
    approximate = ind.aggregate(MERGER, pd.DataFrame({"group": "g", "nis": ["m1"]}), "nwwz", 2019,
                                MERGER_UNITS).iloc[0]
    assert ind.approximate_text(approximate, {}, notes) == "cijfer van fusiegemeente M (2025) = Een + Twee + Drie"


def test_without_units_a_merged_figure_still_makes_the_group_approximate():
    row = ind.aggregate(MERGER, pd.DataFrame({"group": "g", "nis": ["m1", "A"]}), "nwwz", 2019).iloc[0]
    assert row["value"] == 160 and bool(row["approximate"])


def test_parts_with_figures_of_their_own_stay_apart():
    values = long([("m1", "nwwz", 2019, 30, FLAG_OK), ("m2", "nwwz", 2019, 20, FLAG_OK),
                   ("m3", "nwwz", 2019, 10, FLAG_OK)])
    row = ind.aggregate(values, pd.DataFrame({"group": "g", "nis": ["m2"]}), "nwwz", 2019, MERGER_UNITS).iloc[0]
    assert row["value"] == 20 and not row["approximate"] and row["n_elsewhere"] == 0


def test_a_density_of_a_largest_part_takes_the_area_of_all_parts():
    values = long([("m1", "bevolking", 2025, 900, FLAG_APPROXIMATE), ("m2", "bevolking", 2025, np.nan, FLAG_MERGED),
                   ("m3", "bevolking", 2025, np.nan, FLAG_MERGED)]
                  + [(nis, "oppervlakte", 2025, area, FLAG_OK) for nis, area in (("m1", 5), ("m2", 3), ("m3", 1))])
    row = ind.aggregate(values, pd.DataFrame({"group": "g", "nis": ["m1"]}), "bevolkingsdichtheid", 2025,
                        MERGER_UNITS).iloc[0]
    assert row["value"] == pytest.approx(900 / 9) and bool(row["approximate"])


def test_a_suppressed_merged_figure_stays_suppressed():
    values = long([("m1", "nwwz", 2019, np.nan, FLAG_SUPPRESSED), ("m2", "nwwz", 2019, np.nan, FLAG_MERGED),
                   ("m3", "nwwz", 2019, np.nan, FLAG_MERGED), ("A", "nwwz", 2019, 100, FLAG_OK)])
    groups = pd.DataFrame({"group": ["g", "g", "g", "h"], "nis": ["m1", "m2", "A", "m3"]})
    rows = ind.aggregate(values, groups, "nwwz", 2019, MERGER_UNITS).set_index("group")
    assert rows.loc["g", "value"] == 100 and rows.loc["g", "n_suppressed"] == 2
    assert rows.loc["h", "n_elsewhere"] == 1 and math.isnan(rows.loc["h", "value"])


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
    assert "niet toe te wijzen" not in table.index
    sentence = ind.need_sentence(table.reset_index(), "nwwz", 2019)
    assert sentence.startswith("30,0% van de niet-werkende werkzoekenden in 2019 (90 van 300) woont in gemeenten "
                               "zonder gekend samenwerkingsverband")


def test_need_versus_coverage_rates_are_recomputed():
    table = ind.need_versus_coverage(NEED, STATUS, "werkzoekendengraad", 2019).set_index("group")
    assert table.loc[ind.GROUP_NOT_COVERED, "value"] == pytest.approx(100 * 90 / 1100)
    assert table.loc[ind.GROUP_COVERED, "value"] == pytest.approx(100 * 210 / 3600)
    assert math.isnan(table.loc[ind.GROUP_TOTAL, "share"])


def test_need_versus_coverage_with_a_merger_split_over_the_groups_adds_up():
    status = pd.DataFrame({"nis": ["m1", "m2", "m3", "A", "B"],
                           "status": ["member_confirmed", "unknown", "non_participant", "member_confirmed", "unknown"]})
    table = ind.need_versus_coverage(MERGER, status, "nwwz", 2019, MERGER_UNITS).set_index("group")
    assert "niet toe te wijzen" not in table.index and len(table) == 5
    base = table.loc[list(ind.BASE_GROUPS)]
    assert base["value"].sum() == table.loc[ind.GROUP_TOTAL, "value"] == 170
    assert base["share"].sum() == pytest.approx(1.0)
    assert base["n_municipalities"].sum() == table.loc[ind.GROUP_TOTAL, "n_municipalities"]
    assert table.loc[ind.GROUP_COVERED, "value"] == 160 and bool(table.loc[ind.GROUP_COVERED, "approximate"])
    assert table.loc[ind.GROUP_UNKNOWN, "elsewhere_nis"] == ("m2",)
    assert table.loc[ind.GROUP_NON_PARTICIPANT, "elsewhere_nis"] == ("m3",)
    rates = ind.need_versus_coverage(MERGER, status, "werkzoekendengraad", 2019, MERGER_UNITS).set_index("group")
    base = rates.loc[list(ind.BASE_GROUPS)]
    assert base["numerator"].sum() == rates.loc[ind.GROUP_TOTAL, "numerator"]
    assert base["denominator"].sum() == rates.loc[ind.GROUP_TOTAL, "denominator"]
    known = base["value"].dropna()
    assert known.min() <= rates.loc[ind.GROUP_TOTAL, "value"] <= known.max()
    names = {"m1": "Een", "m2": "Twee", "m3": "Drie", "A": "Aa", "B": "Bee"}
    notes = {"m2": "cijfer zit in Een (fusie 2025)", "m3": "cijfer zit in Een (fusie 2025)"}
    sentence = ind.need_sentence(table.reset_index(), "nwwz", 2019, names=names, notes=notes)
    assert "Benadering" in sentence and "2 gemeenten in een andere groep dan het grootste deel" in sentence
    assert "Twee: cijfer zit in Een (fusie 2025)" in sentence and "Drie: cijfer zit in Een" in sentence
    assert "zonder cijfer" not in sentence.lower()  # none is without a figure


def test_need_sentence_and_table_count_the_same_municipalities():
    values = pd.concat([MERGER, long(labour("C", np.nan, np.nan, nwwz_flag=FLAG_SUPPRESSED, lf_flag=FLAG_SUPPRESSED))])
    status = pd.DataFrame({"nis": ["m1", "m2", "m3", "A", "B", "C"],
                           "status": ["unknown", "member_confirmed", "member_confirmed", "member_confirmed", "unknown",
                                      "unknown"]})
    table = ind.need_versus_coverage(values, status, "nwwz", 2019, MERGER_UNITS)
    total = table.set_index("group").loc[ind.GROUP_TOTAL]
    sentence = ind.need_sentence(table, "nwwz", 2019, names={"C": "Cee", "m2": "Twee", "m3": "Drie"},
                                 notes={"m2": "cijfer zit in Een (fusie 2025)", "m3": "cijfer zit in Een (fusie 2025)"})
    assert total["n_missing"] + total["n_suppressed"] == 1
    assert "Zonder cijfer, telt niet mee: 1 gemeente (Cee: geheim (kleine aantallen))" in sentence
    elsewhere = int(table.set_index("group").loc[list(ind.BASE_GROUPS), "n_elsewhere"].sum())
    assert elsewhere == 2 and f"{elsewhere} gemeenten in een andere groep dan het grootste deel" in sentence


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
    entry = indicator_model.Indicator("upload:werkzaamheid", "Werkzaamheidsgraad", "%", "rate", "", None, "upload",
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
    assert rates["rate"].to_dict() == pytest.approx({"p1": 100 * 110 / 2100, "p2": 10.0})
    assert not rates["approximate"].any()
    assert "2019" in note and "oproep 2020-2025" in note
    assert "Verband p2 (zonder Gemeente C: geheim (kleine aantallen))" in note
    assert rates.loc["p2", "remark"] == "berekend zonder Gemeente C: geheim (kleine aantallen)"
    assert "Geen graad voor 1 verband(en): Verband p3" in note


def test_the_largest_part_of_a_merger_gets_the_merged_rate_labelled_as_an_approximation():
    view = fake_view({"city": ["m1"], "rest": ["m2", "m3", "B"]}, ["m1", "m2", "m3", "A", "B"])
    notes = {"m1": "benadering: cijfer van fusiegemeente M (2025) = Gemeente m1 + Gemeente m2 + Gemeente m3",
             "m2": "cijfer zit in Gemeente m1 (fusie 2025)", "m3": "cijfer zit in Gemeente m1 (fusie 2025)"}
    rates, note = ind.unemployment_rate_by_partnership(view, MERGER, MERGER_UNITS, notes=notes)
    assert rates.loc["city", "rate"] == pytest.approx(6.0) and rates.loc["city", "approximate"]
    assert rates.loc["city", "remark"].startswith("is een benadering: cijfer van fusiegemeente M (2025)")
    assert rates.loc["rest", "rate"] == pytest.approx(10.0) and not rates.loc["rest", "approximate"]
    assert "Gemeente m2: cijfer zit in Gemeente m1 (fusie 2025)" in rates.loc["rest", "remark"]
    assert "Benadering" in note and "Verband city" in note


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


def test_real_jobseekers_match_the_published_flemish_totals(values_2025):
    nwwz = totals(values_2025, "nwwz")
    assert (nwwz[2020], nwwz[2021], nwwz[2022], nwwz[2023]) == (213_981, 193_148, 177_972, 196_712)
    herstappe = values_2025[(values_2025["nis"] == "73028") & (values_2025["indicator_id"] == "nwwz")]
    flags = herstappe.set_index("year")["flag"]
    assert [flags[y] for y in (2022, 2023, 2024)] == [FLAG_SUPPRESSED] * 3
    assert flags[2021] == FLAG_MISSING and flags[2020] == FLAG_OK
    assert herstappe.set_index("year").loc[2023, "value"] != 0 and \
        math.isnan(herstappe.set_index("year").loc[2023, "value"])


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


def test_real_values_on_the_2019_map(values_2019):
    nwwz_2023 = values_2019[(values_2019["indicator_id"] == "nwwz") & (values_2019["year"] == 2023)]
    assert len(nwwz_2023) == 300
    flags = nwwz_2023["flag"].value_counts()
    # 28 municipalities merged into 13: the 13 largest parts carry the merged figure, the 15 others none.
    assert (flags[FLAG_APPROXIMATE], flags[FLAG_MERGED]) == (13, 15)
    assert flags[FLAG_OK] + flags.get(FLAG_SUPPRESSED, 0) + flags.get(FLAG_MISSING, 0) == 272
    borsbeek = nwwz_2023.set_index("nis").loc["11007"]
    assert borsbeek["flag"] == FLAG_MERGED and math.isnan(borsbeek["value"])
    population_2025 = values_2019[(values_2019["indicator_id"] == "bevolking") & (values_2019["year"] == 2025)]
    assert (population_2025["flag"] == FLAG_MERGED).sum() == 15
    assert population_2025.loc[population_2025["flag"].isin(indicator_model.VALUE_FLAGS), "value"].sum() == 6_864_766
    aalst = values_2019[(values_2019["nis"] == "41002") & (values_2019["year"] == 2020)].set_index("indicator_id")
    assert aalst.loc["nwwz", "value"] == 3267
    assert aalst.loc["werkzoekendengraad", "value"] == pytest.approx(8.1)
    assert aalst.loc["beroepsbevolking", "value"] == pytest.approx(3267 / 0.081)


def test_real_area_and_density(values_2019, values_2025):
    area_2019 = totals(values_2019, "oppervlakte")[2024]
    area_2025 = totals(values_2025, "oppervlakte")[2024]
    assert area_2019 == pytest.approx(area_2025, rel=1e-3)  # the same territory
    assert 13_500 < area_2019 < 13_700  # Flanders: about 13.625 km²
    density = ind.aggregate(values_2025, pd.DataFrame({"group": "Vlaanderen", "nis": values_2025["nis"].unique()}),
                            "bevolkingsdichtheid", 2025).iloc[0]["value"]
    assert density == pytest.approx(6_864_766 / area_2025)


def test_recomputed_rate_of_one_municipality_is_its_published_rate(values_2025):
    year = 2023
    published = values_2025[(values_2025["indicator_id"] == "werkzoekendengraad") & (values_2025["year"] == year)
                            & (values_2025["flag"] == FLAG_OK)].set_index("nis")["value"]
    groups = pd.DataFrame({"group": published.index, "nis": published.index})
    recomputed = ind.aggregate(values_2025, groups, "werkzoekendengraad", year).set_index("group")["value"].dropna()
    assert len(recomputed) >= 280
    assert np.allclose(recomputed, published.reindex(recomputed.index), atol=1e-9)


def test_real_subsidy_rates_for_the_referentieregios():
    from analysis.datasets import bundled_view
    from analysis.indicator_data import unemployment_rate_by_partnership

    for version in ("2019", "2025"):
        rates, note = unemployment_rate_by_partnership(bundled_view("referentieregio", version))
        assert len(rates) == 15
        assert rates["rate"].between(3, 15).all()
        assert not rates["approximate"].any()  # every part of a 2025 merger is in the same referentieregio
        assert "2019" in note and "Herstappe" in note  # Herstappe has no NWWZ figure for 2019
    # Every municipality of a referentieregio is in it on both maps, so 2025 mergers never split: same rates.
    old = unemployment_rate_by_partnership(bundled_view("referentieregio", "2019"))[0]["rate"]
    new = unemployment_rate_by_partnership(bundled_view("referentieregio", "2025"))[0]["rate"]
    assert np.allclose(old.sort_index(), new.sort_index())


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


# --- the merger rule on the real data (2019-2024 map) ------------------------------------------------------------

def test_real_largest_parts_carry_the_merged_figures(values_2019, values_2025):
    units = crosswalk.aggregation_units("2019").set_index("nis")
    assert units.loc["11007", "holder"] == "11002"  # Borsbeek's figure sits in Antwerpen
    assert units.loc[["23023", "23024", "23032"], "holder"].tolist() == ["23024"] * 3  # Pajottegem: Gooik
    assert units["holder"].nunique() == 300 - 15
    year = 2019
    antwerpen = values_2019[(values_2019["nis"] == "11002") & (values_2019["year"] == year)].set_index("indicator_id")
    merged = values_2025[(values_2025["nis"] == "11002") & (values_2025["year"] == year)].set_index("indicator_id")
    for indicator_id in ("nwwz", "werkzoekendengraad", "beroepsbevolking"):
        assert antwerpen.loc[indicator_id, "flag"] == FLAG_APPROXIMATE
        assert antwerpen.loc[indicator_id, "value"] == merged.loc[indicator_id, "value"]
    notes = crosswalk.merger_notes("2019")
    assert notes["11002"] == "benadering: cijfer van fusiegemeente Antwerpen (2025) = Antwerpen + Borsbeek"
    assert notes["11007"] == "cijfer zit in Antwerpen (fusie 2025)"
    assert crosswalk.merger_notes("2025") == {}
    density = values_2019[(values_2019["nis"] == "11002") & (values_2019["year"] == 2025)
                          & (values_2019["indicator_id"] == "bevolkingsdichtheid")].iloc[0]
    expected = values_2025[(values_2025["nis"] == "11002") & (values_2025["year"] == 2025)
                           & (values_2025["indicator_id"] == "bevolkingsdichtheid")].iloc[0]["value"]
    assert density["flag"] == FLAG_APPROXIMATE and density["value"] == pytest.approx(expected, rel=1e-3)


@pytest.fixture(scope="module")
def regie_2019():
    from analysis.datasets import bundled_view

    return bundled_view("regie-2020-2025", "2019")


@pytest.mark.parametrize("indicator_id", ["nwwz", "werkzoekendengraad"])
def test_real_need_versus_coverage_on_the_default_map_adds_up(regie_2019, indicator_id):
    from analysis.indicator_data import aggregation_input

    values, units = aggregation_input(indicator_id, "2019")
    year = ind.available_years(values, "nwwz")[-1]
    table = ind.need_versus_coverage(values, regie_2019.status, indicator_id, year, units).set_index("group")
    assert "niet toe te wijzen" not in table.index
    base, total = table.loc[list(ind.BASE_GROUPS)], table.loc[ind.GROUP_TOTAL]
    assert base["numerator"].sum() == pytest.approx(total["numerator"])  # covered + not participating + unknown
    assert base["n_municipalities"].sum() == total["n_municipalities"] == 300
    counted = table["n_with_value"] + table["n_missing"] + table["n_suppressed"] + table["n_elsewhere"]
    assert (counted == table["n_municipalities"]).all()
    assert total["missing_nis"] == ("73028",) and total["n_elsewhere"] == 0  # only Herstappe (suppressed)
    if indicator_id == "werkzoekendengraad":
        assert base["denominator"].sum() == pytest.approx(total["denominator"])
        known = base["value"].dropna()
        assert known.min() <= total["value"] <= known.max()
    else:
        assert base["value"].sum() == total["value"]
    covered = table.loc[ind.GROUP_COVERED]
    assert "11002" in covered["approximate_nis"]  # Antwerpen carries Antwerpen + Borsbeek, labelled
    assert "11007" in table.loc[ind.GROUP_UNKNOWN, "elsewhere_nis"]  # Borsbeek (unknown) is named, not dropped
    names = dict(zip(regie_2019.municipalities["nis"], regie_2019.municipalities["name"]))
    sentence = ind.need_sentence(table.reset_index(), indicator_id, year, names=names, notes=crosswalk.merger_notes("2019"))
    elsewhere = int(base["n_elsewhere"].sum())
    assert f"{elsewhere} gemeenten in een andere groep dan het grootste deel" in sentence
    assert "Borsbeek: cijfer zit in Antwerpen (fusie 2025)" in sentence
    assert "Zonder cijfer, telt niet mee: 1 gemeente (Herstappe" in sentence
