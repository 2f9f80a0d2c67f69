"""Map categories/colours and dashboard filters on tiny hand-made tables."""

import pandas as pd
import pytest

from analysis.coverage import coverage_status
from analysis.filters import Selection, centre_cities, region_names, selected_municipalities, selected_partnerships
from analysis.mapstyle import (
    PARTNERSHIP_PALETTE, UNKNOWN_FILL, WARNING, coverage_categories, partnership_adjacency, partnership_colours,
)

PARTNERSHIPS = pd.DataFrame({
    "partnership_id": ["noord", "zuid", "stad"],
    "name": ["Noord", "Zuid", "Stad"],
    "centre_city_nis": [None, "00005", "00009"],
    "centre_city": [None, "Zuidstad", "Grootstad"],
    "standalone": [False, False, True],
})
MEMBERSHIPS = pd.DataFrame({
    "partnership_id": ["noord", "noord", "zuid", "zuid", "zuid", "stad"],
    "nis": ["00001", "00002", "00002", "00005", "00006", "00009"],
    "confidence": ["confirmed", "confirmed", "suggestive", "confirmed", "suggestive", "confirmed"],
})
MUNICIPALITIES = pd.DataFrame({
    "nis": ["00001", "00002", "00005", "00006", "00007", "00009"],
    "name": ["Een", "Twee", "Zuidstad", "Zes", "Zeven", "Grootstad"],
    "province": ["A", "A", "B", "B", "B", "B"],
    "population_2020": [10, 20, 50, 60, 70, 90],
})


def test_neighbouring_partnerships_get_different_colours():
    adjacency = pd.DataFrame({"a": ["p1", "p1", "p2"], "b": ["p2", "p3", "p3"]})  # a triangle
    colours = partnership_colours(["p1", "p2", "p3", "p4"], adjacency)
    assert len({colours["p1"], colours["p2"], colours["p3"]}) == 3
    assert set(colours.values()) <= set(PARTNERSHIP_PALETTE)
    # p4 borders nobody: its colour is its own, whatever the triangle got.
    assert colours["p4"] == partnership_colours(["p4"])["p4"]


def test_partnership_adjacency_from_member_borders():
    adjacency = pd.DataFrame({"nis_a": ["00001", "00005"], "nis_b": ["00005", "00009"]})
    pairs = partnership_adjacency(adjacency, MEMBERSHIPS)
    assert pairs.values.tolist() == [["noord", "zuid"], ["stad", "zuid"]]


def test_categories_keep_overlap_suggestive_and_unknown_apart():
    status = coverage_status(MUNICIPALITIES, MEMBERSHIPS, None)
    colours = {"noord": "#111111", "zuid": "#222222", "stad": "#333333"}
    frame, legend = coverage_categories(status, PARTNERSHIPS, colours)
    by_nis = frame.set_index("nis")
    assert by_nis.loc["00002", "category"] == "overlap"
    assert by_nis.loc["00002", "hatch"] == WARNING
    assert by_nis.loc["00001", "category"] == "p:noord:c" and by_nis.loc["00001", "fill"] == "#111111"
    assert by_nis.loc["00006", "category"] == "p:zuid:s"
    assert by_nis.loc["00006", "fill_opacity"] < by_nis.loc["00005", "fill_opacity"]
    assert by_nis.loc["00007", "category"] == "unknown" and by_nis.loc["00007", "fill"] == UNKNOWN_FILL
    labels = [category.label for category in legend]
    assert "Stad (alleen, centrumstad)" in labels
    assert labels[-2:] == ["In meer dan één verband (overlapping; telt mee bij elk van die verbanden)",
                           "Onbekend (geen bron gevonden)"]
    assert set(frame["category"]) == {category.key for category in legend}


def test_filters_by_centre_city_and_partnership():
    assert selected_partnerships(PARTNERSHIPS, MEMBERSHIPS, Selection(centre="met")) == ["zuid", "stad"]
    assert selected_partnerships(PARTNERSHIPS, MEMBERSHIPS, Selection(centre="zonder")) == ["noord"]
    assert selected_partnerships(PARTNERSHIPS, MEMBERSHIPS, Selection(centre="00005")) == ["zuid"]
    everything = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, Selection())
    assert everything.all()
    province_b = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, Selection(province="B"))
    assert MUNICIPALITIES.loc[province_b, "nis"].tolist() == ["00005", "00006", "00007", "00009"]
    noord = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, Selection(partnership="noord"))
    assert MUNICIPALITIES.loc[noord, "nis"].tolist() == ["00001", "00002"]
    zonder_in_b = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS,
                                          Selection(province="B", centre="zonder"))
    assert not zonder_in_b.any()
    assert centre_cities(PARTNERSHIPS) == {"00009": "Grootstad", "00005": "Zuidstad"}


def test_referentieregio_filter():
    regions = pd.DataFrame({"region_id": ["R2", "R2", "R1", "R1", "R1", "R1"], "region_name": ["Oost"] * 2 + ["West"] * 4,
                            "nis": ["00001", "00002", "00005", "00006", "00007", "00009"]})
    oost = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, Selection(region="R2"), regions)
    assert MUNICIPALITIES.loc[oost, "nis"].tolist() == ["00001", "00002"]
    west_zonder = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS,
                                          Selection(region="R1", centre="zonder"), regions)
    assert not west_zonder.any()
    assert not selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, Selection(region="R1")).any()
    assert not Selection(region="R1").is_everything
    assert region_names(regions) == {"R2": "Oost", "R1": "West"}


# Zuid has a centre city (Zuidstad) and the overlap municipality 00002 with Noord; "leeg" has no known member.
WITH_MEMBERLESS = pd.concat([PARTNERSHIPS, pd.DataFrame({"partnership_id": ["leeg"], "name": ["Leeg"],
                                                        "centre_city_nis": [None], "centre_city": [None],
                                                        "standalone": [False]})], ignore_index=True)


def test_only_the_chosen_partnerships_count_under_a_centre_city_filter():
    """Zuidstad's filter shows 00002, also in Noord: Noord must not be counted for it."""
    from analysis.coverage import counted_partnership_ids
    from analysis.filters import chosen_partnerships

    selection = Selection(centre="00005")
    mask = selected_municipalities(MUNICIPALITIES, PARTNERSHIPS, MEMBERSHIPS, selection)
    codes = MUNICIPALITIES.loc[mask, "nis"]
    assert "00002" in set(codes)
    assert counted_partnership_ids(PARTNERSHIPS, MEMBERSHIPS, codes,
                                   chosen_partnerships(PARTNERSHIPS, MEMBERSHIPS, selection)) == ["zuid"]
    # Without a centre-city or partnership filter every partnership with a member in view counts.
    assert chosen_partnerships(PARTNERSHIPS, MEMBERSHIPS, Selection(province="A")) is None
    assert counted_partnership_ids(PARTNERSHIPS, MEMBERSHIPS, ["00002"]) == ["noord", "zuid"]


def test_a_partnership_without_members_is_never_counted():
    from analysis.coverage import counted_partnership_ids, partnerships_without_members
    from analysis.filters import empty_selection_reason

    codes = MUNICIPALITIES["nis"]
    assert counted_partnership_ids(WITH_MEMBERLESS, MEMBERSHIPS, codes) == ["noord", "zuid", "stad"]
    assert partnerships_without_members(WITH_MEMBERLESS, MEMBERSHIPS, codes) == ["leeg"]
    assert "geen gekende leden" in empty_selection_reason(WITH_MEMBERLESS, MEMBERSHIPS, MUNICIPALITIES,
                                                          Selection(partnership="leeg"), "verband Leeg")


def test_province_narrows_the_centre_city_and_partnership_choices():
    from analysis.filters import centre_choices, partnership_choices, region_choices

    in_a = Selection(province="A")
    assert partnership_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, in_a) == ["noord", "zuid"]
    assert centre_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, in_a) == ["alle", "met", "zonder", "00005"]
    in_b = Selection(province="B")
    assert partnership_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, in_b) == ["zuid", "stad"]
    assert centre_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, in_b) == ["alle", "met", "00009", "00005"]
    # The centre city narrows the partnerships too; without a province the memberless one stays offered.
    assert partnership_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, Selection(centre="met")) == \
        ["zuid", "stad"]
    assert partnership_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, Selection()) == \
        ["noord", "zuid", "stad", "leeg"]
    regions = pd.DataFrame({"region_id": ["R2", "R2", "R1", "R1", "R1", "R1"], "region_name": ["Oost"] * 2 + ["West"] * 4,
                            "nis": ["00001", "00002", "00005", "00006", "00007", "00009"]})
    assert region_choices(MUNICIPALITIES, regions, "A") == ["R2"]
    assert partnership_choices(MUNICIPALITIES, WITH_MEMBERLESS, MEMBERSHIPS, Selection(region="R2"), regions) == \
        ["noord", "zuid"]


def test_one_legend_row_per_partnership_whatever_the_confidence_of_its_members():
    """Zuid has confirmed (00005) and suggestive (00006) members: one row with all its members, in the confirmed
    drawing, and one note (without a count) that explains how suggestive members are drawn."""
    from analysis.mapstyle import SUGGESTIVE_NOTE_LABEL, coverage_legend
    from analysis.scenario import build_coverage_view
    from geodata.membership import Scheme
    from tests.grids import square_grid

    grid = square_grid(2, 3).assign(nis=MUNICIPALITIES["nis"].tolist())
    view = build_coverage_view(grid, Scheme("t", "T", PARTNERSHIPS, MEMBERSHIPS, None))
    legend = coverage_legend(view, grid["nis"], ["noord", "zuid", "stad"])
    labels = [row.category.label for row in legend]
    assert labels.count("Zuid") == 1 and not any("vermoedelijk" in label and label != SUGGESTIVE_NOTE_LABEL
                                                 for label in labels)
    zuid = next(row for row in legend if row.category.label == "Zuid")
    assert zuid.count == 3 and zuid.category.key == "p:zuid:c" and not zuid.category.dashed
    note = [row for row in legend if row.category.label == SUGGESTIVE_NOTE_LABEL]
    assert len(note) == 1 and note[0].count is None and note[0].category.dashed
    # Without a suggestive member in view there is nothing to explain.
    assert SUGGESTIVE_NOTE_LABEL not in [row.category.label for row in coverage_legend(view, ["00001"], ["noord"])]


@pytest.mark.slow
@pytest.mark.parametrize("scheme_id", ["regie-2020-2025", "referentieregio"])
def test_centre_choices_follow_the_filter_definition_on_real_data(scheme_id):
    """`centre_choices` offers exactly the values whose selection (`selected_municipalities`, the one definition of
    what a filter keeps) leaves a municipality in the province, for every province of both bundled schemes."""
    from analysis.datasets import bundled_view
    from analysis.filters import centre_cities, centre_choices, selected_municipalities
    from geodata.municipalities import PROVINCES

    view = bundled_view(scheme_id, "2019")
    scheme = view.scheme
    candidates = ["alle", "met", "zonder", *centre_cities(scheme.partnerships)]
    for province in ["alle", *PROVINCES.values()]:
        expected = [centre for centre in candidates
                    if selected_municipalities(view.municipalities, scheme.partnerships, scheme.memberships,
                                               Selection(province=province, centre=centre), view.regions).any()]
        assert centre_choices(view.municipalities, scheme.partnerships, scheme.memberships,
                              Selection(province=province), view.regions) == expected, province
