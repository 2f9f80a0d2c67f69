import pandas as pd
import pytest

from analysis.subsidy import (
    SUBSIDY_BANDS_2020_2025,
    allocate_subsidies,
    band_amount,
    budget_for_year,
    is_eligible,
    requested_amount,
    subsidy_input_table,
    subsidy_totals,
)
from tests.grids import cell, memberships_frame, partnerships_frame, square_grid


@pytest.mark.parametrize(
    "population, expected",
    [
        (1, 25_000), (45_000, 25_000), (60_000, 25_000), (80_000, 25_000),
        (80_001, 50_000), (150_000, 50_000), (150_001, 75_000), (220_000, 75_000), (220_001, 100_000),
        (290_000, 100_000), (290_001, 125_000), (360_000, 125_000), (360_001, 150_000), (430_000, 150_000),
        (430_001, 175_000), (500_000, 175_000), (500_001, 200_000), (2_000_000, 200_000),
        (0, 0), (None, 0), (float("nan"), 0),
    ],
)
def test_band_edges(population, expected):
    assert band_amount(population) == expected


def test_band_table_is_explicit_data():
    assert list(SUBSIDY_BANDS_2020_2025.columns) == ["band", "lower_exclusive", "upper_inclusive", "amount_eur"]
    assert SUBSIDY_BANDS_2020_2025["amount_eur"].tolist() == [25_000 * k for k in range(1, 9)]
    # bands are contiguous: each lower edge is the previous upper edge
    uppers = SUBSIDY_BANDS_2020_2025["upper_inclusive"].tolist()[:-1]
    assert SUBSIDY_BANDS_2020_2025["lower_exclusive"].tolist()[1:] == uppers


@pytest.mark.parametrize(
    "population, standalone, expected",
    [(59_999, False, False), (60_000, False, True), (60_001, False, True), (10_000, True, True),
     (None, False, False)],
)
def test_eligibility_edge(population, standalone, expected):
    assert is_eligible(population, standalone) is expected


def test_requested_amount_without_centre_city():
    below = requested_amount(59_999, has_centre_city=False, standalone=False)
    assert not below["eligible"] and below["requested_amount_eur"] == 0 and below["band"] is None
    edge = requested_amount(60_000, has_centre_city=False, standalone=False)
    assert edge["requested_amount_eur"] == 25_000 and not edge["cap_applied"]
    big = requested_amount(310_000, has_centre_city=False, standalone=False)
    assert big["base_amount_eur"] == 125_000 and big["cap_eur"] == 50_000
    assert big["cap_applied"] and big["requested_amount_eur"] == 50_000
    at_cap = requested_amount(150_000, has_centre_city=False, standalone=False)
    assert at_cap["requested_amount_eur"] == 50_000 and not at_cap["cap_applied"]


def test_requested_amount_with_centre_city():
    # like Rivierenland: Mechelen (86k, alone 50,000) in a partnership of 310k (band 125,000)
    rivierenland = requested_amount(310_000, True, False, centre_city_population=86_000)
    assert rivierenland["cap_eur"] == 100_000 and rivierenland["cap_applied"]
    assert rivierenland["requested_amount_eur"] == 100_000
    # like Turnhout: a 45k centre city (alone 25,000) in a partnership of 100k (band 50,000, cap 75,000)
    turnhout = requested_amount(100_000, True, False, centre_city_population=45_000)
    assert turnhout["requested_amount_eur"] == 50_000 and not turnhout["cap_applied"]
    # a partnership with a centre city still needs 60,000 inhabitants
    assert not requested_amount(59_999, True, False, centre_city_population=45_000)["eligible"]
    # cap cannot be computed without the centre city population: flagged, not invented
    unknown = requested_amount(310_000, True, False, centre_city_population=None)
    assert unknown["cap_unknown"] and unknown["cap_eur"] is None and unknown["requested_amount_eur"] == 125_000


def test_standalone_centre_city_has_no_minimum_and_no_cap():
    antwerpen = requested_amount(530_000, True, True, centre_city_population=530_000)
    assert antwerpen["requested_amount_eur"] == 200_000 and antwerpen["cap_eur"] is None
    small = requested_amount(45_000, True, True)
    assert small["eligible"] and small["requested_amount_eur"] == 25_000


def _inputs():
    return pd.DataFrame(
        [
            # partnership_id, population, has_centre_city, standalone, centre_city_population
            ("city", 263_000, True, True, 263_000),      # 100,000
            ("with_centre", 310_000, True, False, 86_000),  # 100,000 (capped)
            ("low", 70_000, False, False, None),         # 25,000, rate 5.0
            ("high", 200_000, False, False, None),       # 50,000 (capped), rate 9.0
            ("norate", 90_000, False, False, None),      # 50,000, no rate
            ("small", 59_999, False, False, None),       # not eligible
        ],
        columns=["partnership_id", "population", "has_centre_city", "standalone", "centre_city_population"],
    )


RATES = pd.Series({"low": 5.0, "high": 9.0, "small": 12.0})


def test_allocation_with_enough_budget():
    table = allocate_subsidies(_inputs(), budget_eur=1_000_000, unemployment_rate=RATES)
    by_id = table.set_index("partnership_id")
    assert by_id["requested_amount_eur"].to_dict() == {
        "city": 100_000, "with_centre": 100_000, "high": 50_000, "low": 25_000, "norate": 50_000, "small": 0
    }
    assert list(table["partnership_id"]) == ["city", "with_centre", "high", "low", "norate", "small"]
    assert by_id.loc[["city", "with_centre", "high", "low", "norate"], "fully_funded"].all()
    assert not by_id.loc["small", "funded"] and pd.isna(by_id.loc["small", "rank"])
    assert by_id.loc["small", "reason"].startswith("Niet subsidieerbaar: minder dan 60.000 inwoners")
    assert by_id.loc["with_centre", "cap_applied"] and by_id.loc["with_centre", "cap_eur"] == 100_000
    assert by_id.loc["norate", "unemployment_rate_missing"]
    assert "werkzoekendengraad ontbreekt" in by_id.loc["norate", "reason"]
    assert "werkloosheidsgraad" not in " ".join(table["reason"])  # one name for the rate: the source's
    assert by_id.loc["city", "reason"].startswith("Volledig gesubsidieerd (voorrang: centrumstad betrokken)")
    totals = subsidy_totals(table, budget_eur=1_000_000)
    assert totals["requested_eur"] == 325_000 and totals["funded_eur"] == 325_000
    assert totals["remaining_budget_eur"] == 675_000 and totals["shortfall_eur"] == 0
    assert totals["n_eligible"] == 5 and totals["n_partnerships"] == 6
    assert totals["n_missing_unemployment_rate"] == 1


def test_budget_shortage_order_and_partial_funding():
    # 100k + 100k for the centre-city group, then high (50k) fits, low (25k) gets 10k, norate nothing
    table = allocate_subsidies(_inputs(), budget_eur=260_000, unemployment_rate=RATES)
    by_id = table.set_index("partnership_id")
    assert by_id["rank"].dropna().astype(int).to_dict() == {"city": 1, "with_centre": 2, "high": 3, "low": 4,
                                                            "norate": 5}
    assert by_id["priority_group"].to_dict()["city"] == 1 and by_id.loc["high", "priority_group"] == 2
    assert by_id["funded_amount_eur"].to_dict() == {
        "city": 100_000, "with_centre": 100_000, "high": 50_000, "low": 10_000, "norate": 0, "small": 0
    }
    assert by_id.loc["low", "funded"] and not by_id.loc["low", "fully_funded"]
    assert by_id.loc["low", "reason"].startswith("Gedeeltelijk gesubsidieerd")
    assert by_id.loc["norate", "reason"].startswith("Niet gesubsidieerd: budget ontoereikend")
    totals = subsidy_totals(table, budget_eur=260_000)
    assert totals["funded_eur"] == 260_000 and totals["shortfall_eur"] == 65_000
    assert totals["n_eligible_unfunded"] == 1 and totals["remaining_budget_eur"] == 0


def test_budget_shortage_without_partial_funding_does_not_skip_ahead():
    table = allocate_subsidies(_inputs(), budget_eur=260_000, unemployment_rate=RATES, partial_funding=False)
    funded = table.set_index("partnership_id")["funded_amount_eur"].to_dict()
    assert funded["low"] == 0 and funded["norate"] == 0  # norate (50k) would not fit anyway; low (25k) did not
    assert subsidy_totals(table, 260_000)["remaining_budget_eur"] == 10_000


def test_centre_city_group_first_even_with_lower_unemployment():
    table = allocate_subsidies(_inputs(), budget_eur=150_000, unemployment_rate={"city": 1.0, "with_centre": 2.0,
                                                                                 "high": 20.0})
    by_id = table.set_index("partnership_id")
    assert by_id.loc["with_centre", "rank"] == 1  # higher rate within the centre-city group
    assert by_id.loc["city", "rank"] == 2
    assert by_id.loc["high", "funded_amount_eur"] == 0


def test_no_rates_at_all_ranks_by_id_and_flags_everyone():
    table = allocate_subsidies(_inputs(), budget_eur=2_225_000)
    assert table["unemployment_rate_missing"].all()
    group_two = table[table["priority_group"].eq(2) & table["eligible"]]
    assert list(group_two["partnership_id"]) == ["high", "low", "norate"]


def test_budget_for_year():
    assert budget_for_year(2020) == 2_225_000
    assert budget_for_year(2022) == 2_225_000
    assert budget_for_year(2023) == 3_000_000


def test_input_table_from_data_model():
    grid = square_grid(2, 4, population=lambda r, c: 20_000)
    partnerships = partnerships_frame(["p", "q", "city"], centre_city={"p": cell(0, 0), "city": cell(1, 3)},
                                      standalone=["city"])
    memberships = memberships_frame(
        {"p": [cell(0, 0), cell(0, 1), cell(0, 2), cell(0, 3)], "q": [cell(1, 0), cell(1, 1)], "city": [cell(1, 3)]}
    )
    inputs = subsidy_input_table(grid, partnerships, memberships).set_index("partnership_id")
    assert inputs.loc["p", "population"] == 80_000 and inputs.loc["p", "centre_city_population"] == 20_000
    assert inputs.loc["p", "has_centre_city"] and not inputs.loc["p", "standalone"]
    assert inputs.loc["q", "population"] == 40_000 and not inputs.loc["q", "has_centre_city"]
    assert inputs.loc["city", "standalone"] and inputs.loc["city", "has_centre_city"]
    table = allocate_subsidies(inputs.reset_index()).set_index("partnership_id")
    assert table.loc["p", "requested_amount_eur"] == 25_000
    assert not table.loc["q", "eligible"]
    assert table.loc["city", "requested_amount_eur"] == 25_000


def test_an_approximate_rate_ranks_and_is_explained():
    rates = pd.DataFrame({"rate": [9.0, 5.0], "approximate": [True, False],
                          "remark": ["is een benadering: cijfer van fusiegemeente H (2025) = H + K", ""]},
                         index=pd.Index(["high", "low"], name="partnership_id"))
    table = allocate_subsidies(_inputs(), budget_eur=260_000, unemployment_rate=rates).set_index("partnership_id")
    assert table.loc["high", "rank"] < table.loc["low", "rank"]  # ranked on the approximate rate
    assert table.loc["high", "unemployment_rate"] == 9.0 and table.loc["high", "unemployment_rate_approximate"]
    assert not table.loc["low", "unemployment_rate_approximate"]
    assert "werkzoekendengraad is een benadering: cijfer van fusiegemeente H (2025) = H + K" in \
        table.loc["high", "reason"]
    assert table.loc["high", "reason_code"] == "volledig · begrensd · graad benaderd"
    assert table.loc["low", "reason_code"] == "gedeeltelijk"
    assert table.loc["norate", "reason_code"] == "niet: budget op · graad onbekend"
    assert table.loc["small", "reason_code"] == "niet subsidieerbaar"
    assert table.loc["with_centre", "reason_code"] == "volledig · voorrang · begrensd · graad onbekend"
    assert subsidy_totals(table.reset_index(), 260_000)["n_approximate_unemployment_rate"] == 1


def test_real_antwerpen_ranks_on_the_merged_rate_and_is_funded():
    # Antwerpen has no 2019 rate of its own in the source (only Antwerpen + Borsbeek, 2025): the merged rate stands
    # for it, labelled, instead of ranking it last of the centre cities with nothing at a budget of 600.000.
    from analysis.datasets import bundled_view
    from analysis.indicator_data import unemployment_rate_by_partnership

    view = bundled_view("regie-2020-2025", "2019")
    rates, note = unemployment_rate_by_partnership(view)
    inputs = subsidy_input_table(view.municipalities, view.scheme.partnerships, view.scheme.memberships)
    table = allocate_subsidies(inputs, budget_eur=600_000, unemployment_rate=rates).set_index("partnership_id")
    antwerpen = table.loc["antwerpen"]
    assert antwerpen["requested_amount_eur"] == 200_000
    assert not antwerpen["unemployment_rate_missing"] and antwerpen["unemployment_rate_approximate"]
    assert antwerpen["unemployment_rate"] == pytest.approx(14.0, abs=0.05)
    assert antwerpen["rank"] == 1 and antwerpen["funded_amount_eur"] == 200_000
    assert "Antwerpen + Borsbeek" in antwerpen["reason"] and "benadering" in antwerpen["reason"]
    assert "graad benaderd" in antwerpen["reason_code"]
    assert "Geen graad" not in note and "Antwerpen (cijfer van fusiegemeente Antwerpen (2025)" in note
    assert not table["reason"].str.contains("werkloosheidsgraad").any()
