"""The tables of one analysed view with Dutch headers: partnerships, subsidy allocation, overlaps and gap clusters.

The pages show them, and the report (:mod:`analysis.report_items`) writes them to XLSX and CSV. Counts and amounts in
whole euro are integers, shares are percentages (0-100) and populations are inhabitants on 1 January 2020. Decimal
columns keep full precision (the XLSX gets a number format, the CSV rounds them as the dashboard shows them:
`COLUMN_DECIMALS`). A missing number stays an empty cell (never 0) and missing text reads "onbekend".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.coverage import confidence_nl, counted_partnership_ids
from analysis.figures import mask_or_all
from analysis.formatting import MISSING_TEXT, is_missing
from analysis.indicators import SUBSIDY_YEAR
from analysis.scenario import CoverageView, counted_partnership_rows
from analysis.subsidy import DEFAULT_BUDGET_EUR, allocate_subsidies, subsidy_input_table, subsidy_totals

# The rate that ranks the regisseurs without a centre city: named as on the Subsidie page, the source's name.
SUBSIDY_RATE_COLUMN = f"Werkzoekendengraad {SUBSIDY_YEAR} (%)"
YES_NO = {True: "ja", False: "nee"}
CLUSTER_NAME_NL = {"unknown": "Onbekend", "non_participant": "Neemt niet deel", "combined": "Beide samen"}
CLUSTER_KIND_NL = {"unknown": "Onbekend", "non_participant": "Neemt niet deel",
                   "combined": "Beide samen (onbekend en neemt niet deel)"}


def _whole(values: pd.Series) -> pd.Series:
    """Numbers as nullable integers when every known value is whole (counts, inhabitants, euro), else floats."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    known = numbers.dropna()
    if known.empty or ((known % 1) == 0).all():
        return numbers.round().astype("Int64")
    return numbers


def _floats(values: pd.Series) -> pd.Series:
    """Decimal numbers at full precision; `COLUMN_DECIMALS` says how the CSV rounds them."""
    return pd.to_numeric(values, errors="coerce").astype(float)


# Decimals of the decimal columns as the dashboard shows them: the CSV rounds to these, the XLSX keeps full precision
# with the matching number format (counts, inhabitants and euro are whole numbers already).
COLUMN_DECIMALS = {
    "Oppervlakte (km²)": 1,
    "Omtrek (km)": 1,
    "Aandeel inwoners in hoofdreferentieregio (%)": 1,
    SUBSIDY_RATE_COLUMN: 1,
}


def _text(values: Iterable, missing: str = MISSING_TEXT) -> list[str]:
    return [missing if is_missing(value) or value == "" else str(value) for value in values]


def _joined(values: Iterable, separator: str = ", ") -> list[str]:
    return [separator.join(map(str, value)) if isinstance(value, (list, tuple, set, frozenset)) else
            ("" if is_missing(value) else str(value))
            for value in values]


def _yes_no(values: Iterable) -> list[str]:
    return [MISSING_TEXT if is_missing(value) else YES_NO[bool(value)] for value in values]


def _codes_in_view(view: CoverageView, mask: pd.Series | None) -> set[str]:
    return set(view.municipalities.loc[mask_or_all(view, mask), "nis"])


def _partnerships_in_view(view: CoverageView, mask: pd.Series | None) -> set[str] | None:
    """The partnerships counted under the mask (`analysis.coverage.counted_partnership_ids`); None when nothing is
    filtered (then every partnership is listed, one without known members too)."""
    if mask is None or bool(mask_or_all(view, mask).all()):
        return None
    scheme = view.scheme
    return set(counted_partnership_ids(scheme.partnerships, scheme.memberships, _codes_in_view(view, mask)))


PARTNERSHIP_COLUMNS = [
    "Samenwerkingsverband", "ID", "Centrumstad", "Centrumstad alleen", "Gemeenten", "Gemeenten bevestigd",
    "Gemeenten vermoedelijk", "Inwoners 2020", "Oppervlakte (km²)", "Aaneengesloten delen", "Aaneengesloten",
    "Exclaves", "Leden niet op de kaart", "Subsidieerbaar", "Toelichting subsidieerbaarheid",
    "Inwonertal tegenover officieel bereik 2020", "Hoofdreferentieregio",
    "Aandeel inwoners in hoofdreferentieregio (%)", "Referentieregio's doorkruist", "Leden",
]


def partnership_table(view: CoverageView, mask: pd.Series | None = None) -> pd.DataFrame:
    """One row per partnership (from view.profiles) with Dutch headers; only those with members in `mask`."""
    profiles = view.profiles
    wanted = _partnerships_in_view(view, mask)
    if wanted is not None:
        profiles = profiles[profiles["partnership_id"].isin(wanted)]
    profiles = profiles.sort_values("name", key=lambda names: names.str.lower(), kind="stable")
    size_check = profiles["official_size_check"] if "official_size_check" in profiles.columns \
        else pd.Series(None, index=profiles.index)
    table = pd.DataFrame({
        "Samenwerkingsverband": _text(profiles["name"]),
        "ID": _text(profiles["partnership_id"]),
        "Centrumstad": _text(profiles["centre_city"], missing="geen"),
        "Centrumstad alleen": _yes_no(profiles["standalone"]),
        "Gemeenten": _whole(profiles["n_members"]).array,
        "Gemeenten bevestigd": _whole(profiles["n_members_confirmed"]).array,
        "Gemeenten vermoedelijk": _whole(profiles["n_members_suggestive"]).array,
        "Inwoners 2020": _whole(profiles["population"]).array,
        "Oppervlakte (km²)": _floats(profiles["area_km2"]).array,
        "Aaneengesloten delen": _whole(profiles["n_parts"]).array,
        "Aaneengesloten": _yes_no(profiles["contiguous"]),
        "Exclaves": _joined(profiles["exclave_members"]),
        "Leden niet op de kaart": _joined(profiles["members_off_map"]),
        "Subsidieerbaar": _yes_no(profiles["eligible"]),
        "Toelichting subsidieerbaarheid": _text(profiles["eligibility_reason"]),
        "Inwonertal tegenover officieel bereik 2020": _text(size_check, missing="niet van toepassing"),
        "Hoofdreferentieregio": _text(profiles["main_region_name"]),
        "Aandeel inwoners in hoofdreferentieregio (%)": (_floats(profiles["main_region_population_share"]) * 100)
        .array,
        # Without referentieregio data on this map the count is unknown, not 0.
        "Referentieregio's doorkruist": _whole(profiles["n_regions"] if view.regions is not None
                                               else pd.Series(pd.NA, index=profiles.index)).array,
        "Leden": [names or "zonder gekende leden" for names in _joined(profiles["member_names"])],
    }, columns=PARTNERSHIP_COLUMNS)
    return table.reset_index(drop=True)


SUBSIDY_COLUMNS = [
    "Rang", "Regisseur", "ID", "Centrumstad", "Centrumstad alleen", "Inwoners 2020", "Subsidieerbaar", "Schijf",
    "Schijfbedrag (euro)", "Plafond (euro)", "Gevraagd (euro)", SUBSIDY_RATE_COLUMN,
    "Werkzoekendengraad ontbreekt", "Toegekend (euro)", "Gefinancierd", "Volledig gefinancierd", "Toelichting",
]


def subsidy_tables(view: CoverageView, budget_eur: float = DEFAULT_BUDGET_EUR,
                   unemployment_rate: pd.Series | Mapping[str, float] | None = None,
                   mask: pd.Series | None = None, unemployment_note: str = "") -> dict[str, pd.DataFrame]:
    """The subsidy allocation (`allocate_subsidies`, 2020-2025 rules, yearly budget in euro) and its totals.

    The allocation is made for the whole scheme (the budget is Flemish); a mask only selects the rows shown.
    Returns {"Subsidie": one row per regisseur, "Totalen": totals of the whole allocation}.
    """
    scheme = view.scheme
    # The regisseurs the map counts: a partnership without known members has no inhabitants to fund.
    inputs = subsidy_input_table(view.municipalities, counted_partnership_rows(view), scheme.memberships)
    allocation = allocate_subsidies(inputs, budget_eur=budget_eur, unemployment_rate=unemployment_rate)
    totals = subsidy_totals(allocation, budget_eur)
    wanted = _partnerships_in_view(view, mask)
    shown = allocation if wanted is None else allocation[allocation["partnership_id"].isin(wanted)]
    table = pd.DataFrame({
        "Rang": shown["rank"].astype("Int64").array,
        "Regisseur": _text(shown["name"]),
        "ID": _text(shown["partnership_id"]),
        "Centrumstad": _yes_no(shown["has_centre_city"]),
        "Centrumstad alleen": _yes_no(shown["standalone"]),
        "Inwoners 2020": _whole(shown["population"]).array,
        "Subsidieerbaar": _yes_no(shown["eligible"]),
        "Schijf": _text(shown["band"], missing="geen"),
        "Schijfbedrag (euro)": _whole(shown["base_amount_eur"]).array,
        "Plafond (euro)": _whole(shown["cap_eur"]).array,
        "Gevraagd (euro)": _whole(shown["requested_amount_eur"]).array,
        SUBSIDY_RATE_COLUMN: _floats(shown["unemployment_rate"]).array,
        "Werkzoekendengraad ontbreekt": _yes_no(shown["unemployment_rate_missing"]),
        "Toegekend (euro)": _whole(shown["funded_amount_eur"]).array,
        "Gefinancierd": _yes_no(shown["funded"]),
        "Volledig gefinancierd": _yes_no(shown["fully_funded"]),
        "Toelichting": _text(shown["reason"]),
    }, columns=SUBSIDY_COLUMNS)
    rows = [
        ("Budget per jaar (euro)", totals["budget_eur"], ""),
        ("Gevraagd door subsidieerbare regisseurs (euro)", totals["requested_eur"], ""),
        ("Toegekend (euro)", totals["funded_eur"], ""),
        ("Tekort (euro)", totals["shortfall_eur"], "gevraagd min toegekend"),
        ("Resterend budget (euro)", totals["remaining_budget_eur"], ""),
        ("Regisseurs", totals["n_partnerships"], ""),
        ("Subsidieerbaar", totals["n_eligible"], ""),
        ("Gefinancierd (geheel of gedeeltelijk)", totals["n_funded"], ""),
        ("Volledig gefinancierd", totals["n_fully_funded"], ""),
        ("Subsidieerbaar maar niet gefinancierd", totals["n_eligible_unfunded"], ""),
        ("Zonder werkzoekendengraad (achteraan gerangschikt)", totals["n_missing_unemployment_rate"],
         unemployment_note),
    ]
    # Whole numbers as int so Excel shows 2225000, not 2225000.0; this column mixes euro and counts.
    summary = pd.DataFrame({
        "Omschrijving": [row[0] for row in rows],
        "Waarde": pd.Series([int(row[1]) if float(row[1]).is_integer() else float(row[1]) for row in rows],
                            dtype=object),
        "Toelichting": [row[2] for row in rows],
    })
    return {"Subsidie": table.reset_index(drop=True), "Totalen": summary}


OVERLAP_COLUMNS = ["NIS", "Gemeente", "Provincie", "Aantal verbanden", "Verbanden", "Betrouwbaarheid",
                   "Alle vermeldingen bevestigd", "Bronnen", "Inwoners 2020"]


def overlaps_table(view: CoverageView, mask: pd.Series | None = None) -> pd.DataFrame:
    """Municipalities in more than one partnership, each mention with its confidence and source."""
    overlaps = view.overlaps[view.overlaps["nis"].isin(_codes_in_view(view, mask))]
    provinces = dict(zip(view.municipalities["nis"], view.municipalities["province"]))
    table = pd.DataFrame({
        "NIS": _text(overlaps["nis"]),
        "Gemeente": _text(overlaps["name"]),
        "Provincie": _text(overlaps["nis"].map(provinces)),
        "Aantal verbanden": _whole(overlaps["n_partnerships"]).array,
        "Verbanden": _joined(overlaps["partnership_names"], " | "),
        "Betrouwbaarheid": [" | ".join(map(confidence_nl, values)) for values in overlaps["confidences"]],
        "Alle vermeldingen bevestigd": _yes_no(overlaps["all_confirmed"]),
        "Bronnen": _joined(overlaps["sources"], " | "),
        "Inwoners 2020": _whole(overlaps["population_2020"]).array,
    }, columns=OVERLAP_COLUMNS)
    return table.reset_index(drop=True)


CLUSTER_COLUMNS = ["Gebied", "Soort", "Gemeenten", "waarvan neemt niet deel", "waarvan onbekend", "Namen",
                   "NIS-codes", "Inwoners 2020", "Oppervlakte (km²)", "Omtrek (km)"]


def cluster_label(cluster_id: str, kind: str) -> str:
    """A gap cluster's name for tables: "Onbekend 2" for the analysis's id "unknown-2"."""
    number = str(cluster_id).rsplit("-", 1)[-1]
    return f"{CLUSTER_NAME_NL.get(kind, kind)} {number}"


def gap_clusters_table(view: CoverageView, mask: pd.Series | None = None) -> pd.DataFrame:
    """Contiguous areas without a (known) partnership, per kind; areas in km², perimeters in km."""
    codes = _codes_in_view(view, mask)
    clusters = view.clusters
    if not clusters.empty:
        clusters = clusters[clusters["members"].map(lambda members: bool(set(members) & codes))]
    table = pd.DataFrame({
        "Gebied": [cluster_label(cluster_id, kind) for cluster_id, kind in zip(clusters["cluster_id"], clusters["kind"])],
        "Soort": [CLUSTER_KIND_NL.get(str(kind), str(kind)) for kind in clusters["kind"]],
        "Gemeenten": _whole(clusters["n_municipalities"]).array,
        "waarvan neemt niet deel": _whole(clusters["n_non_participant"]).array,
        "waarvan onbekend": _whole(clusters["n_unknown"]).array,
        "Namen": _joined(clusters["member_names"]),
        "NIS-codes": _joined(clusters["members"]),
        "Inwoners 2020": _whole(clusters["population"]).array,
        "Oppervlakte (km²)": _floats(clusters["area_km2"]).array,
        "Omtrek (km)": (_floats(clusters["perimeter_m"]) / 1000).array,
    }, columns=CLUSTER_COLUMNS)
    return table.reset_index(drop=True)
