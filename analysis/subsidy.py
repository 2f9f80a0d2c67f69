"""Subsidy for the local regie role in social economy, published rules for 2020-2025.

Sources: socialeeconomie.be "Subsidie voor regierol lokale sociale economie" (bands, caps and ranking) and
"Oproep regie lokale besturen 2020-2025" (21 June 2019: partnerships need at least 60,000 inhabitants; a
centre city applying on its own has no minimum).

Rules as implemented (all amounts in euro per year, populations in inhabitants):

1. Eligibility: a centre city applying alone is always eligible; any partnership (with or without a centre
   city) needs ``population >= 60,000`` (:data:`MIN_PARTNERSHIP_POPULATION`, inclusive).
2. Base amount from the population band in :data:`SUBSIDY_BANDS_2020_2025`. Each band is
   ``lower_exclusive < population <= upper_inclusive``: the published "80.000 tot 150.000" is read as
   80,001 up to and including 150,000, so exactly 80,000 gets 25,000 and 80,001 gets 50,000.
3. Cap: a partnership with a centre city gets at most the amount the centre city would get alone plus
   50,000 (:data:`CENTRE_CITY_SUPPLEMENT_CAP_EUR`); a partnership without a centre city at most 50,000
   (:data:`NO_CENTRE_CITY_CAP_EUR`). A stand-alone centre city has no cap beyond its band.
4. Budget shortage: first the partnerships with a centre city and the stand-alone centre cities, then the
   others by highest werkzoekendengraad (the rate of non-working jobseekers, as VDAB names it; the call speaks of
   "werkloosheidsgraad"). A missing rate is never invented: such partnerships are ranked last (within their
   priority group) and flagged. A rate that is an approximation (a 2025 merged municipality's figure standing for
   its largest 2019 part, see :mod:`geodata.indicators`) is used and labelled as one in the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_series

MIN_PARTNERSHIP_POPULATION = 60_000  # inclusive: 60,000 inhabitants is enough
CENTRE_CITY_SUPPLEMENT_CAP_EUR = 50_000
NO_CENTRE_CITY_CAP_EUR = 50_000

# Yearly budget of the Flemish government for the regie subsidies (euro).
BUDGET_2020_EUR = 2_225_000
BUDGET_FROM_2023_EUR = 3_000_000
DEFAULT_BUDGET_EUR = BUDGET_2020_EUR

# Population bands: lower_exclusive < population <= upper_inclusive (upper None = no upper limit).
SUBSIDY_BANDS_2020_2025 = pd.DataFrame(
    {
        "band": ["t/m 80.000", "80.001-150.000", "150.001-220.000", "220.001-290.000", "290.001-360.000",
                 "360.001-430.000", "430.001-500.000", "meer dan 500.000"],
        "lower_exclusive": [0, 80_000, 150_000, 220_000, 290_000, 360_000, 430_000, 500_000],
        "upper_inclusive": [80_000, 150_000, 220_000, 290_000, 360_000, 430_000, 500_000, None],
        "amount_eur": [25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 175_000, 200_000],
    }
)

ALLOCATION_COLUMNS = (
    "partnership_id", "name", "population", "has_centre_city", "standalone", "centre_city_population",
    "eligible", "band", "base_amount_eur", "cap_eur", "cap_applied", "cap_unknown", "requested_amount_eur",
    "priority_group",
    "unemployment_rate", "unemployment_rate_missing", "unemployment_rate_approximate", "unemployment_rate_remark",
    "rank", "funded_amount_eur", "funded", "fully_funded", "reason_code", "reason",
)
RATE_NAME = "werkzoekendengraad"  # the one name of the ranking rate, as the source (VDAB) calls it


def budget_for_year(year: int) -> int:
    """Yearly regie budget in euro: 2,225,000 for 2020-2022, 3,000,000 from 2023."""
    return BUDGET_FROM_2023_EUR if year >= 2023 else BUDGET_2020_EUR


def population_band(population: float, bands: pd.DataFrame = SUBSIDY_BANDS_2020_2025) -> pd.Series | None:
    """The band row (``band``, ``lower_exclusive``, ``upper_inclusive``, ``amount_eur``) for a population.

    Returns None for a missing or non-positive population.
    """
    if population is None or pd.isna(population) or population <= 0:
        return None
    for _, band in bands.iterrows():
        upper = band["upper_inclusive"]
        if population > band["lower_exclusive"] and (upper is None or pd.isna(upper) or population <= upper):
            return band
    return None


def band_amount(population: float, bands: pd.DataFrame = SUBSIDY_BANDS_2020_2025) -> int:
    """Band amount in euro for a population, ignoring eligibility (0 when the population is missing)."""
    band = population_band(population, bands)
    return 0 if band is None else int(band["amount_eur"])


def is_eligible(population: float, standalone: bool) -> bool:
    """A stand-alone centre city is always eligible; a partnership needs at least 60,000 inhabitants."""
    if standalone:
        return True
    return population is not None and not pd.isna(population) and population >= MIN_PARTNERSHIP_POPULATION


def requested_amount(
    population: float,
    has_centre_city: bool,
    standalone: bool,
    centre_city_population: float | None = None,
    bands: pd.DataFrame = SUBSIDY_BANDS_2020_2025,
) -> dict[str, Any]:
    """Amount one partnership can claim (euro), before any budget shortage.

    Returns a dict with ``eligible``, ``band`` (label or None), ``base_amount_eur`` (band amount),
    ``cap_eur`` (None when no cap applies), ``cap_applied`` and ``requested_amount_eur``.
    A partnership with a centre city but an unknown centre-city population cannot be capped: its cap stays
    None and ``cap_unknown`` is True.
    """
    eligible = is_eligible(population, standalone)
    band = population_band(population, bands) if eligible else None
    base = 0 if band is None else int(band["amount_eur"])
    cap: int | None = None
    cap_unknown = False
    if eligible and not standalone:
        if has_centre_city:
            if centre_city_population is None or pd.isna(centre_city_population):
                cap_unknown = True
            else:
                cap = band_amount(centre_city_population, bands) + CENTRE_CITY_SUPPLEMENT_CAP_EUR
        else:
            cap = NO_CENTRE_CITY_CAP_EUR
    requested = base if cap is None else min(base, cap)
    return {
        "eligible": eligible,
        "band": None if band is None else band["band"],
        "base_amount_eur": base,
        "cap_eur": cap,
        "cap_applied": cap is not None and base > cap,
        "cap_unknown": cap_unknown,
        "requested_amount_eur": requested,
    }


def subsidy_input_table(
    municipalities: pd.DataFrame, partnerships: pd.DataFrame, memberships: pd.DataFrame
) -> pd.DataFrame:
    """Build the input of :func:`allocate_subsidies` from the data model.

    Population (inhabitants 2020) is the sum over the distinct member municipalities on the map (any
    confidence). ``centre_city_population`` is the population of ``centre_city_nis``. Partnerships without
    members on the map get population NaN.
    """
    codes = nis_series(municipalities["nis"]).to_numpy()
    population = pd.Series(municipalities["population_2020"].to_numpy(dtype=float), index=codes)
    pairs = pd.DataFrame(
        {"partnership_id": memberships["partnership_id"].to_numpy(), "nis": nis_series(memberships["nis"]).to_numpy()}
    ).drop_duplicates()
    pairs = pairs[pairs["nis"].isin(population.index)]
    totals = pairs.assign(population=population.reindex(pairs["nis"]).to_numpy()).groupby("partnership_id")[
        "population"
    ].sum()
    table = pd.DataFrame({"partnership_id": partnerships["partnership_id"].to_numpy()})
    table["name"] = partnerships["name"].to_numpy() if "name" in partnerships.columns else table["partnership_id"]
    table["population"] = table["partnership_id"].map(totals).astype(float)
    standalone = (
        partnerships["standalone"].fillna(False).astype(bool).to_numpy()
        if "standalone" in partnerships.columns
        else np.zeros(len(table), dtype=bool)
    )
    centre = (
        nis_series(partnerships["centre_city_nis"]).to_numpy()
        if "centre_city_nis" in partnerships.columns
        else np.full(len(table), None, dtype=object)
    )
    table["standalone"] = standalone
    table["has_centre_city"] = [c is not None and not pd.isna(c) for c in centre] | standalone
    table["centre_city_population"] = [
        population.get(c, np.nan) if c is not None and not pd.isna(c) else np.nan for c in centre
    ]
    return table


def _reason(row: Mapping[str, Any], partial: bool) -> str:
    """The full Dutch explanation of one regisseur's amount."""
    if not row["eligible"]:
        if pd.isna(row["population"]):
            return "Niet subsidieerbaar: inwonertal onbekend"
        return "Niet subsidieerbaar: minder dan 60.000 inwoners en geen centrumstad die alleen indient"
    parts = []
    if row["cap_applied"]:
        if row["has_centre_city"]:
            parts.append("bedrag begrensd op centrumstadbedrag + 50.000 euro")
        else:
            parts.append("bedrag begrensd op 50.000 euro (geen centrumstad)")
    if row.get("cap_unknown"):
        parts.append("plafond onbekend: inwonertal centrumstad ontbreekt")
    if row["unemployment_rate_missing"]:
        parts.append(f"{RATE_NAME} ontbreekt: achteraan in de groep gerangschikt")
    elif row.get("unemployment_rate_remark"):
        parts.append(f"{RATE_NAME} {row['unemployment_rate_remark']}")
    elif row.get("unemployment_rate_approximate"):
        parts.append(f"{RATE_NAME} is een benadering")
    if row["fully_funded"]:
        head = "Volledig gesubsidieerd"
    elif row["funded"]:
        head = "Gedeeltelijk gesubsidieerd: budget ontoereikend"
    else:
        head = "Niet gesubsidieerd: budget ontoereikend"
    if row["priority_group"] == 1:
        head += " (voorrang: centrumstad betrokken)"
    return head + ("; " + "; ".join(parts) if parts else "")


def _reason_code(row: Mapping[str, Any]) -> str:
    """A short version of :func:`_reason` for a table cell: "volledig · voorrang · graad benaderd"."""
    if not row["eligible"]:
        return "niet subsidieerbaar"
    codes = ["volledig" if row["fully_funded"] else "gedeeltelijk" if row["funded"] else "niet: budget op"]
    if row["priority_group"] == 1:
        codes.append("voorrang")
    if row["cap_applied"]:
        codes.append("begrensd")
    if row.get("cap_unknown"):
        codes.append("plafond onbekend")
    if row["unemployment_rate_missing"]:
        codes.append("graad onbekend")
    elif row.get("unemployment_rate_approximate"):
        codes.append("graad benaderd")
    return " · ".join(codes)


def allocate_subsidies(
    inputs: pd.DataFrame,
    budget_eur: float = DEFAULT_BUDGET_EUR,
    unemployment_rate: pd.Series | Mapping[str, float] | None = None,
    partial_funding: bool = True,
    bands: pd.DataFrame = SUBSIDY_BANDS_2020_2025,
) -> pd.DataFrame:
    """Amount per partnership under the 2020-2025 rules and a yearly budget (euro).

    ``inputs`` has one row per partnership: ``partnership_id``, ``name`` (optional), ``population``
    (inhabitants), ``has_centre_city`` (bool), ``standalone`` (bool) and ``centre_city_population``
    (inhabitants of the centre city alone, NaN when none); :func:`subsidy_input_table` builds it.
    ``unemployment_rate`` maps partnership_id -> werkzoekendengraad in percent (e.g. 7.4): a Series or mapping,
    or the table of :func:`analysis.indicators.unemployment_rate_by_partnership` (index partnership_id, columns
    ``rate``, ``approximate`` and ``remark``), whose approximation and remark go into the explanation. A missing
    rate ranks the partnership last within its priority group and sets ``unemployment_rate_missing``.

    Ranking: priority group 1 = a centre city is involved (also stand-alone), group 2 = the others; within a
    group by unemployment rate, highest first, missing last, ties by partnership_id. Eligible partnerships
    are funded in rank order until the budget runs out. With ``partial_funding`` the first partnership that
    no longer fits gets what is left; without it, it and all later ones get nothing (no skipping ahead, so
    the priority order is respected).

    Returns one row per partnership (:data:`ALLOCATION_COLUMNS`), in rank order, ineligible ones last with
    ``rank`` missing; ``reason`` is the full explanation, ``reason_code`` a short one for a table cell. Use
    :func:`subsidy_totals` for the totals.
    """
    table = inputs.copy()
    if "name" not in table.columns:
        table["name"] = table["partnership_id"]
    if "centre_city_population" not in table.columns:
        table["centre_city_population"] = np.nan
    table["standalone"] = table["standalone"].fillna(False).astype(bool)
    table["has_centre_city"] = table["has_centre_city"].fillna(False).astype(bool) | table["standalone"]

    amounts = [
        requested_amount(r.population, r.has_centre_city, r.standalone, r.centre_city_population, bands)
        for r in table.itertuples(index=False)
    ]
    amounts_frame = pd.DataFrame.from_records(amounts, index=table.index)
    table = pd.concat([table, amounts_frame], axis=1)

    if isinstance(unemployment_rate, pd.DataFrame):
        rates = unemployment_rate["rate"].astype(float)
        approximate = unemployment_rate["approximate"].astype(bool)
        remarks = unemployment_rate["remark"].fillna("").astype(str)
    else:
        rates = unemployment_rate.astype(float) if isinstance(unemployment_rate, pd.Series) \
            else pd.Series(dict(unemployment_rate or {}), dtype=float)
        approximate, remarks = pd.Series(False, index=rates.index), pd.Series("", index=rates.index)
    table["unemployment_rate"] = table["partnership_id"].map(rates).astype(float)
    table["unemployment_rate_missing"] = table["unemployment_rate"].isna()
    table["unemployment_rate_approximate"] = table["partnership_id"].isin(approximate.index[approximate]) \
        & ~table["unemployment_rate_missing"]
    table["unemployment_rate_remark"] = [remarks.get(pid, "") for pid in table["partnership_id"]]
    table["priority_group"] = np.where(table["has_centre_city"], 1, 2)

    eligible = table[table["eligible"]].copy()
    eligible["_rate_sort"] = (-eligible["unemployment_rate"]).fillna(np.inf)
    eligible = eligible.sort_values(["priority_group", "_rate_sort", "partnership_id"], kind="stable")
    eligible["rank"] = np.arange(1, len(eligible) + 1)

    remaining = float(budget_eur)
    funded_amounts = []
    stopped = False
    for requested in eligible["requested_amount_eur"]:
        if stopped:
            funded_amounts.append(0.0)
        elif requested <= remaining:
            funded_amounts.append(float(requested))
            remaining -= requested
        else:
            funded_amounts.append(remaining if partial_funding else 0.0)
            remaining = remaining if not partial_funding else 0.0
            stopped = True
    eligible["funded_amount_eur"] = funded_amounts

    ineligible = table[~table["eligible"]].sort_values("partnership_id", kind="stable").copy()
    ineligible["rank"] = pd.NA
    ineligible["funded_amount_eur"] = 0.0
    result = pd.concat([eligible.drop(columns="_rate_sort"), ineligible])
    result["rank"] = result["rank"].astype("Int64")
    result["funded"] = result["funded_amount_eur"] > 0
    result["fully_funded"] = result["eligible"] & (result["funded_amount_eur"] >= result["requested_amount_eur"]) & (
        result["requested_amount_eur"] > 0
    )
    records = result.to_dict("records")
    result["reason"] = [_reason(row, partial_funding) for row in records]
    result["reason_code"] = [_reason_code(row) for row in records]
    result["cap_eur"] = result["cap_eur"].astype("Float64")
    return result.loc[:, list(ALLOCATION_COLUMNS)].reset_index(drop=True)


def subsidy_totals(allocation: pd.DataFrame, budget_eur: float = DEFAULT_BUDGET_EUR) -> dict[str, float]:
    """Totals of an allocation (euro and counts).

    Keys: ``budget_eur``, ``n_partnerships``, ``n_eligible``, ``n_funded`` (any amount), ``n_fully_funded``,
    ``n_eligible_unfunded``, ``requested_eur``, ``funded_eur``, ``shortfall_eur`` (requested - funded),
    ``remaining_budget_eur`` (budget - funded), ``n_missing_unemployment_rate`` (eligible, group 2: ranked
    last for lack of a werkzoekendengraad) and ``n_approximate_unemployment_rate`` (eligible, rate approximate).
    """
    eligible = allocation["eligible"]
    requested = float(allocation.loc[eligible, "requested_amount_eur"].sum())
    funded = float(allocation["funded_amount_eur"].sum())
    return {
        "budget_eur": float(budget_eur),
        "n_partnerships": int(len(allocation)),
        "n_eligible": int(eligible.sum()),
        "n_funded": int(allocation["funded"].sum()),
        "n_fully_funded": int(allocation["fully_funded"].sum()),
        "n_eligible_unfunded": int((eligible & ~allocation["funded"]).sum()),
        "requested_eur": requested,
        "funded_eur": funded,
        "shortfall_eur": requested - funded,
        "remaining_budget_eur": float(budget_eur) - funded,
        "n_missing_unemployment_rate": int(
            (eligible & allocation["unemployment_rate_missing"] & allocation["priority_group"].eq(2)).sum()
        ),
        "n_approximate_unemployment_rate": int((eligible & allocation["unemployment_rate_approximate"]).sum()),
    }
