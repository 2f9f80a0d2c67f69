"""Report-ready exports: the standard set of maps and tables of one view, with an index.md that lists them.

Pure apart from writing the files: `export_report` takes an analysed view and an output directory. What gets
written is a registry of `ReportItem`s (`REPORT_ITEMS`): a print map (PNG and/or PDF) or a table (XLSX and
CSV). Adding a figure is one more registered entry::

    register_report_item(ReportItem(
        key="extra-map", stem="kaart-extra", kind=MAP, title="Kaart: ...", description="...",
        build=lambda context: coverage_print_map(context.view, context.mask, context.filter_text, ...),
        sources=lambda context: map_sources(context.view) + [SourceNote(...)]))

Indicator choropleths are registered with `register_indicator_map` (werkzoekendengraad and niet-werkende
werkzoekenden by default: the latest year with figures, quantiles, 5 classes). Their figures come in through
`export_report(indicator_values=...)`: loading them is the caller's job (`python -m analysis export` does it);
without them these maps are left out and index.md says why.

Tables have Dutch headers; counts and amounts in whole euro are integers, shares are percentages (0-100) and
populations are inhabitants on 1 January 2020. Decimal columns keep full precision in the XLSX (with a number
format) and are rounded in the CSV as the dashboard shows them (`COLUMN_DECIMALS`). A missing number stays an empty
cell (never 0) and missing text reads "onbekend".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.coverage import confidence_nl
from analysis.figures import (
    SourceNote, classification_text, coverage_print_map, gaps_print_map, indicator_classes, indicator_print_map,
    indicator_source_note, map_sources, mask_or_all, subtitle_for, version_text,
)
from analysis.formatting import MISSING_TEXT, is_missing
from analysis.indicators import QUANTILES, SUBSIDY_YEAR, available_years, municipality_values
from analysis.printmap import PrintMap, export_pdf, export_png
from analysis.scenario import CoverageView
from analysis.subsidy import DEFAULT_BUDGET_EUR, allocate_subsidies, subsidy_input_table, subsidy_totals
from analysis.tables import number_format, to_csv_bytes, to_xlsx_bytes

MAP, TABLE = "map", "table"
MAP_FORMATS = ("png", "pdf")
TABLE_FORMATS = ("xlsx", "csv")
FORMAT_NOTES = {"png": "A4, 300 dpi", "pdf": "A4, vector", "xlsx": "Excel", "csv": "; en decimaalkomma, UTF-8"}
INDEX_FILE = "index.md"
# The rate that ranks the regisseurs without a centre city: named as on the Subsidie page, the source's name.
SUBSIDY_RATE_COLUMN = f"Werkzoekendengraad {SUBSIDY_YEAR} (%)"
YES_NO = {True: "ja", False: "nee"}
CLUSTER_NAME_NL = {"unknown": "Onbekend", "non_participant": "Neemt niet deel", "combined": "Beide samen"}
CLUSTER_KIND_NL = {"unknown": "Onbekend", "non_participant": "Neemt niet deel",
                   "combined": "Beide samen (onbekend en neemt niet deel)"}

SUBSIDY_RULES = SourceNote(
    "subsidieregels 2020-2025",
    "Departement WSE, socialeeconomie.be: 'Subsidie voor regierol lokale sociale economie' en 'Oproep regie "
    "lokale besturen 2020-2025' (21 juni 2019)",
    "publieke overheidsinformatie")


@dataclass(frozen=True)
class ReportContext:
    """Everything a report item may need besides the view; amounts in euro per year."""

    view: CoverageView
    mask: pd.Series | None = None
    filter_text: str = ""
    orientation: str = "landscape"
    made_on: date = field(default_factory=date.today)
    budget_eur: float = DEFAULT_BUDGET_EUR
    unemployment_rate: pd.Series | Mapping[str, float] | None = None  # partnership_id -> percent
    unemployment_note: str = ""  # where the rates come from, or why there are none
    indicator_values: pd.DataFrame | None = None  # long format (geodata.indicators) on the view's map
    indicator_note: str = ""  # why there are no indicator values, when there are none


@dataclass(frozen=True)
class ReportItem:
    """One figure or table of the report.

    `build` returns a `PrintMap` for kind MAP, or sheets (name -> table) for kind TABLE; the first sheet is the
    one written to CSV. `title`, `description` and `sources` may depend on the context. `missing` says why the
    item cannot be made for a context (None: it can); such an item is left out and listed as such in index.md.
    """

    key: str
    stem: str  # file name without extension
    kind: str  # MAP or TABLE
    title: str | Callable[[ReportContext], str]
    description: str | Callable[[ReportContext], str]
    build: Callable[[ReportContext], PrintMap | Mapping[str, pd.DataFrame]]
    sources: Callable[[ReportContext], list[SourceNote]] = lambda context: map_sources(context.view)
    missing: Callable[[ReportContext], str | None] = lambda context: None

    def formats(self, map_formats: Sequence[str] = MAP_FORMATS) -> tuple[str, ...]:
        if self.kind == MAP:
            return tuple(fmt for fmt in MAP_FORMATS if fmt in map_formats)
        return TABLE_FORMATS

    def describe(self, context: ReportContext) -> str:
        return self.description(context) if callable(self.description) else self.description

    def heading(self, context: ReportContext) -> str:
        return self.title(context) if callable(self.title) else self.title


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    item_key: str  # "index" for index.md
    format: str


def register_report_item(item: ReportItem, registry: list[ReportItem] | None = None) -> ReportItem:
    """Add an item to the report (at the end); its key and file stem must be new."""
    registry = REPORT_ITEMS if registry is None else registry
    if item.kind not in (MAP, TABLE):
        raise ValueError(f"Onbekende soort {item.kind!r}; kies {MAP!r} of {TABLE!r}")
    for existing in registry:
        if existing.key == item.key or existing.stem == item.stem:
            raise ValueError(f"Er is al een rapportonderdeel met sleutel {item.key!r} of bestandsnaam {item.stem!r}")
    registry.append(item)
    return item


# --- tables ---------------------------------------------------------------------------------------------------

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
    from analysis.coverage import counted_partnership_ids

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
    from analysis.scenario import counted_partnership_rows

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


# --- the standard report ------------------------------------------------------------------------------------

def _subsidy_sources(context: ReportContext) -> list[SourceNote]:
    from geodata.sources import SOURCES

    notes = map_sources(context.view) + [SUBSIDY_RULES]
    if context.unemployment_rate is not None:
        jobseekers = SOURCES["jobseekers_xlsx"]
        notes.append(SourceNote("werkzoekendengraad (rangschikking bij budgettekort)",
                                jobseekers.attribution.removeprefix("Bron: "), jobseekers.licence))
    return notes


def _partnership_sources(context: ReportContext) -> list[SourceNote]:
    from geodata.sources import SOURCES

    regions = SOURCES["refreg_2025" if context.view.scheme.boundary_version == "2025" else "refreg_2019"]
    return map_sources(context.view) + [
        SourceNote("referentieregio's (hoofdregio)", regions.attribution.removeprefix("Bron: "), regions.licence),
        SourceNote("subsidieerbaarheid (minstens 60.000 inwoners)", SUBSIDY_RULES.attribution, SUBSIDY_RULES.licence),
    ]


def _subsidy_description(context: ReportContext) -> str:
    from analysis.formatting import format_eur

    text = (f"Subsidie per regisseur volgens de regels 2020-2025 bij een budget van {format_eur(context.budget_eur)} "
            "per jaar (budget 2020-2022): bedrag per inwonersschijf, plafonds, en bij een tekort eerst de "
            "regisseurs met een centrumstad, daarna de hoogste werkzoekendengraad. Tweede blad: totalen.")
    if context.unemployment_note:
        text += " Werkzoekendengraad: " + context.unemployment_note
    else:
        text += (" Zonder werkzoekendengraad: regisseurs zonder centrumstad staan dan in volgorde van ID en zijn "
                 "gemarkeerd.")
    return text


INDICATOR_MAPS = (("werkzoekendengraad", "kaart-werkzoekendengraad"),
                  ("nwwz", "kaart-niet-werkende-werkzoekenden"))


def latest_indicator_year(context: ReportContext, indicator_id: str) -> int | None:
    """The latest year with at least one known value of the indicator on the view's map (None: no figures)."""
    if context.indicator_values is None:
        return None
    years = available_years(context.indicator_values, indicator_id)
    return years[-1] if years else None


def register_indicator_map(indicator_id: str, stem: str, method: str = QUANTILES, k: int = 5,
                           registry: list[ReportItem] | None = None) -> ReportItem:
    """Register the choropleth of a catalogue indicator for its latest year with figures (`indicator_print_map`):
    classes on all of Flanders with `method` and `k`, partnership outlines, the source and year on the map."""
    from geodata.indicators import CATALOGUE

    entry = CATALOGUE[indicator_id]

    def year_of(context: ReportContext) -> int | None:
        return latest_indicator_year(context, indicator_id)

    def missing(context: ReportContext) -> str | None:
        if context.indicator_values is None:
            return context.indicator_note or "geen indicatorcijfers meegegeven"
        if year_of(context) is None:
            return f"geen cijfers voor {entry.label.lower()} op deze kaart"
        return None

    def description(context: ReportContext) -> str:
        year = year_of(context)
        per_municipality = municipality_values(context.indicator_values, context.view.municipalities["nis"],
                                               indicator_id, year)
        breaks, _ = indicator_classes(per_municipality, method, k)
        return (f"{entry.label} {year} per gemeente (het laatste jaar met cijfers), "
                f"{classification_text(method, len(breaks))}; de legende geeft de klassengrenzen en het aantal "
                "gemeenten per klasse. Nul, onbekend, geheim (kleine aantallen) en 'alleen gekend voor de "
                "fusiegemeente (2025)' zijn apart getekend, nooit als een klasse; met de grenzen van de verbanden. "
                f"{entry.description}")

    return register_report_item(ReportItem(
        key=f"indicator-{indicator_id}" + ("" if (method, k) == (QUANTILES, 5) else f"-{method}-{k}"), stem=stem,
        kind=MAP,
        title=lambda context: f"Kaart: {entry.label[:1].lower()}{entry.label[1:]} {year_of(context) or ''}".rstrip(),
        description=description,
        build=lambda context: indicator_print_map(context.view, context.mask, context.filter_text, indicator_id,
                                                  year_of(context), context.indicator_values, method, k,
                                                  orientation=context.orientation, made_on=context.made_on),
        sources=lambda context: map_sources(context.view) + [
            indicator_source_note(entry, year_of(context), context.indicator_values)],
        missing=missing), registry)


REPORT_ITEMS: list[ReportItem] = []

register_report_item(ReportItem(
    key="coverage-map", stem="kaart-dekking", kind=MAP, title="Kaart: dekking door de samenwerkingsverbanden",
    description="Elke gemeente in de kleur van haar samenwerkingsverband (vermoedelijk lidmaatschap lichter, met "
                "stippellijn), overlappingen gearceerd in oranje, onbekend gearceerd grijs; grenzen van de "
                "verbanden en centrumsteden. De legende telt de gemeenten per categorie.",
    build=lambda context: coverage_print_map(context.view, context.mask, context.filter_text,
                                             orientation=context.orientation, made_on=context.made_on)))
register_report_item(ReportItem(
    key="gaps-map", stem="kaart-overlappingen-hiaten", kind=MAP, title="Kaart: overlappingen en hiaten",
    description="Gemeenten in meer dan één verband (oranje gearceerd), gemeenten die niet deelnemen (wit, zwarte "
                "rand) en gemeenten zonder gekende bron (grijs gearceerd); gedekte gemeenten lichtgrijs, met de "
                "namen van de verbanden waar ze passen.",
    build=lambda context: gaps_print_map(context.view, context.mask, context.filter_text,
                                         orientation=context.orientation, label_partnerships=True,
                                         made_on=context.made_on)))
for _indicator_id, _stem in INDICATOR_MAPS:
    register_indicator_map(_indicator_id, _stem)
register_report_item(ReportItem(
    key="partnerships", stem="tabel-samenwerkingsverbanden", kind=TABLE, title="Tabel: samenwerkingsverbanden",
    description="Profiel per samenwerkingsverband: leden (bevestigd/vermoedelijk), inwoners 2020, oppervlakte, "
                "aaneengeslotenheid en exclaves, subsidieerbaarheid, hoofdreferentieregio.",
    build=lambda context: {"Samenwerkingsverbanden": partnership_table(context.view, context.mask)},
    sources=_partnership_sources))
register_report_item(ReportItem(
    key="subsidy", stem="tabel-subsidie", kind=TABLE, title="Tabel: subsidiesimulatie 2020-2025",
    description=_subsidy_description,
    build=lambda context: subsidy_tables(context.view, context.budget_eur, context.unemployment_rate, context.mask,
                                         context.unemployment_note),
    sources=_subsidy_sources))
register_report_item(ReportItem(
    key="overlaps", stem="tabel-overlappingen", kind=TABLE, title="Tabel: gemeenten in meer dan één verband",
    description="Elke gemeente die in meer dan één samenwerkingsverband vermeld staat, met per vermelding de "
                "betrouwbaarheid en de bron. Een overlap kan een echte dubbeltelling zijn of een fout in een bron.",
    build=lambda context: {"Overlappingen": overlaps_table(context.view, context.mask)}))
register_report_item(ReportItem(
    key="gap-clusters", stem="tabel-hiaten", kind=TABLE, title="Tabel: aaneengesloten gebieden zonder verband",
    description="Aaneengesloten groepen gemeenten zonder (gekend) samenwerkingsverband: alleen onbekend, alleen "
                "niet-deelnemers, en beide samen; met inwoners 2020, oppervlakte en omtrek.",
    build=lambda context: {"Hiaten": gap_clusters_table(context.view, context.mask)}))


def render_item(item: ReportItem, built, fmt: str) -> bytes:
    """The bytes of one file of an item, from what its `build` returned."""
    if item.kind == MAP:
        return {"png": export_png, "pdf": export_pdf}[fmt](built)
    sheets = dict(built)
    if fmt == "xlsx":
        return to_xlsx_bytes(sheets, number_formats={column: number_format(decimals)
                                                     for column, decimals in COLUMN_DECIMALS.items()})
    return to_csv_bytes(next(iter(sheets.values())), decimals=COLUMN_DECIMALS)


def _write(path: Path, data: bytes) -> None:
    # Write next to the target and rename, so a reader never sees half a file.
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def export_report(view: CoverageView, out_dir: str | os.PathLike, *, map_formats: Sequence[str] = MAP_FORMATS,
                  items: Sequence[ReportItem] | None = None, mask: pd.Series | None = None, filter_text: str = "",
                  orientation: str = "landscape", made_on: date | None = None,
                  budget_eur: float = DEFAULT_BUDGET_EUR,
                  unemployment_rate: pd.Series | Mapping[str, float] | None = None, unemployment_note: str = "",
                  indicator_values: pd.DataFrame | None = None, indicator_note: str = "",
                  progress: Callable[[int, int, str], None] | None = None) -> list[WrittenFile]:
    """Write every report item (maps in `map_formats`, tables as XLSX and CSV) and an index.md to `out_dir`.

    `indicator_values` (long format on the view's map, see `geodata.indicators`) feed the indicator maps;
    without them those maps are left out and index.md gives `indicator_note` as the reason.
    `progress(number, total, filename)` is called after each file is written. Returns the files in the order
    written, index.md last.
    """
    unknown = [fmt for fmt in map_formats if fmt not in MAP_FORMATS]
    if unknown:
        raise ValueError(f"Onbekend kaartformaat {', '.join(unknown)}; kies uit {', '.join(MAP_FORMATS)}")
    items = list(REPORT_ITEMS if items is None else items)
    context = ReportContext(view, mask, filter_text or "", orientation, made_on or date.today(), budget_eur,
                            unemployment_rate, unemployment_note, indicator_values, indicator_note)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = [(item, fmt) for item in items if item.missing(context) is None for fmt in item.formats(map_formats)]
    total = len(plan) + 1
    written: list[WrittenFile] = []
    built_for: dict[str, object] = {}
    for number, (item, fmt) in enumerate(plan, start=1):
        if item.key not in built_for:
            built_for = {item.key: item.build(context)}  # keep one item's result at a time
        path = out / f"{item.stem}.{fmt}"
        _write(path, render_item(item, built_for[item.key], fmt))
        written.append(WrittenFile(path, item.key, fmt))
        if progress:
            progress(number, total, path.name)
    index = out / INDEX_FILE
    _write(index, index_markdown(context, items, written).encode("utf-8"))
    written.append(WrittenFile(index, "index", "md"))
    if progress:
        progress(total, total, index.name)
    return written


def index_markdown(context: ReportContext, items: Sequence[ReportItem], written: Sequence[WrittenFile]) -> str:
    """index.md: what the report files show, for which selection, and their sources and licences."""
    view = context.view
    files = {}
    for file in written:
        files.setdefault(file.item_key, []).append(file)
    lines = [
        "# Regiekaart: kaarten en tabellen voor een rapport",
        "",
        f"- Indeling: {view.scheme.label}",
        f"- Gemeentegrenzen: {version_text(view)}",
        f"- Selectie: {subtitle_for(view, context.mask, context.filter_text)}",
        f"- Gemaakt op {context.made_on:%d-%m-%Y} met Regiekaart (`python -m analysis export`).",
        "",
    ]
    if view.scheme.reconstructed:
        lines += ["> **Gereconstrueerde gegevens.** Er bestaat geen publieke officiële lijst van de "
                  "samenwerkingsverbanden 2020-2025. Het lidmaatschap is door Regiekaart samengesteld uit openbare "
                  "bronnen, met bron en betrouwbaarheid (bevestigd of vermoedelijk) per gemeente. 'Onbekend' "
                  "betekent: geen bron gevonden, niet: neemt niet deel.", ""]
    lines += ["CSV-bestanden: UTF-8 met BOM, `;` als scheidingsteken en decimaalkomma (zo opent Excel ze in België). "
              "Een lege cel in een getalkolom betekent onbekend, nooit 0. Inwoners: 1 januari 2020 (Statbel).", "",
              "## Bestanden", "", "| Bestand | Inhoud |", "| --- | --- |"]
    for item in items:
        for file in files.get(item.key, []):
            lines.append(f"| [{file.path.name}]({file.path.name}) | {item.heading(context)} "
                         f"({FORMAT_NOTES[file.format]}) |")
    lines.append("")
    left_out = [(item, item.missing(context)) for item in items if not files.get(item.key)]
    left_out = [(item, reason) for item, reason in left_out if reason]
    if left_out:
        lines += ["Niet gemaakt:", ""]
        lines += [f"- {item.heading(context)} (`{item.stem}`): {reason}" for item, reason in left_out]
        lines.append("")
    for item in items:
        item_files = files.get(item.key, [])
        if not item_files:
            continue
        lines += [f"## {item.heading(context)}", "",
                  "Bestanden: " + ", ".join(f"[{file.path.name}]({file.path.name})" for file in item_files), "",
                  item.describe(context), "", "Bronnen en licenties:", ""]
        lines += [f"- {note.what}: {note.attribution.removeprefix('Bron: ')} (licentie: {note.licence})"
                  for note in item.sources(context)]
        lines.append("")
    return "\n".join(lines)
