"""The report: which maps and tables of one view `python -m analysis export` writes, as one explicit list.

:data:`REPORT_ITEMS` is the standard report, in the order of index.md: a print map (PNG and/or PDF) or a table
(XLSX and CSV) each. Adding a figure is one more entry in that list (or, for a variant, :func:`register_report_item`
on a copy)::

    ReportItem(
        key="extra-map", stem="kaart-extra", kind=MAP, title="Kaart: ...", description="...",
        build=lambda context: coverage_print_map(context.view, context.mask, context.filter_text, ...),
        sources=lambda context: map_sources(context.view) + [SourceNote(...)])

Indicator choropleths come from :func:`indicator_map_item` (werkzoekendengraad and niet-werkende werkzoekenden by
default: the latest year with figures, quantiles, 5 classes). Their figures come in through
`export_report(indicator_values=...)` (:mod:`analysis.report_files`): loading them is the caller's job; without
them these maps are left out and index.md says why. The tables are those of :mod:`analysis.view_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis.figures import (
    SourceNote,
    classification_text,
    coverage_print_map,
    gaps_print_map,
    indicator_classes,
    indicator_print_map,
    indicator_source_note,
    map_sources,
)
from analysis.formatting import format_eur
from analysis.indicators import QUANTILES, available_years, municipality_values
from analysis.printmap import PrintMap
from analysis.scenario import CoverageView
from analysis.subsidy import DEFAULT_BUDGET_EUR
from analysis.view_tables import gap_clusters_table, overlaps_table, partnership_table, subsidy_tables
from geodata.indicators import CATALOGUE
from geodata.sources import SOURCES

MAP, TABLE = "map", "table"
MAP_FORMATS = ("png", "pdf")
TABLE_FORMATS = ("xlsx", "csv")

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


def register_report_item(item: ReportItem, registry: list[ReportItem] | None = None) -> ReportItem:
    """Add an item to `registry` (:data:`REPORT_ITEMS` when None), at the end; its key and file stem must be new."""
    registry = REPORT_ITEMS if registry is None else registry
    if item.kind not in (MAP, TABLE):
        raise ValueError(f"Onbekende soort {item.kind!r}; kies {MAP!r} of {TABLE!r}")
    for existing in registry:
        if existing.key == item.key or existing.stem == item.stem:
            raise ValueError(f"Er is al een rapportonderdeel met sleutel {item.key!r} of bestandsnaam {item.stem!r}")
    registry.append(item)
    return item


def _checked(items: list[ReportItem]) -> list[ReportItem]:
    """`items` as a registry: each item's kind known, every key and file stem once."""
    registry: list[ReportItem] = []
    for item in items:
        register_report_item(item, registry)
    return registry


def _subsidy_sources(context: ReportContext) -> list[SourceNote]:
    notes = map_sources(context.view) + [SUBSIDY_RULES]
    if context.unemployment_rate is not None:
        jobseekers = SOURCES["jobseekers_xlsx"]
        notes.append(SourceNote("werkzoekendengraad (rangschikking bij budgettekort)",
                                jobseekers.attribution.removeprefix("Bron: "), jobseekers.licence))
    return notes


def _partnership_sources(context: ReportContext) -> list[SourceNote]:
    regions = SOURCES["refreg_2025" if context.view.scheme.boundary_version == "2025" else "refreg_2019"]
    return map_sources(context.view) + [
        SourceNote("referentieregio's (hoofdregio)", regions.attribution.removeprefix("Bron: "), regions.licence),
        SourceNote("subsidieerbaarheid (minstens 60.000 inwoners)", SUBSIDY_RULES.attribution, SUBSIDY_RULES.licence),
    ]


def _subsidy_description(context: ReportContext) -> str:
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


def indicator_map_item(indicator_id: str, stem: str, method: str = QUANTILES, k: int = 5) -> ReportItem:
    """The choropleth of a catalogue indicator for its latest year with figures (`indicator_print_map`): classes
    on all of Flanders with `method` and `k`, partnership outlines, the source and year on the map."""
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

    return ReportItem(
        key=f"indicator-{indicator_id}" + ("" if (method, k) == (QUANTILES, 5) else f"-{method}-{k}"), stem=stem,
        kind=MAP,
        title=lambda context: f"Kaart: {entry.label[:1].lower()}{entry.label[1:]} {year_of(context) or ''}".rstrip(),
        description=description,
        build=lambda context: indicator_print_map(context.view, context.mask, context.filter_text, indicator_id,
                                                  year_of(context), context.indicator_values, method, k,
                                                  orientation=context.orientation, made_on=context.made_on),
        sources=lambda context: map_sources(context.view) + [
            indicator_source_note(entry, year_of(context), context.indicator_values)],
        missing=missing)


def register_indicator_map(indicator_id: str, stem: str, method: str = QUANTILES, k: int = 5,
                           registry: list[ReportItem] | None = None) -> ReportItem:
    """Add :func:`indicator_map_item` to `registry` (:data:`REPORT_ITEMS` when None)."""
    return register_report_item(indicator_map_item(indicator_id, stem, method, k), registry)


# The standard report, in the order of index.md.
REPORT_ITEMS: list[ReportItem] = _checked([
    ReportItem(
        key="coverage-map", stem="kaart-dekking", kind=MAP, title="Kaart: dekking door de samenwerkingsverbanden",
        description="Elke gemeente in de kleur van haar samenwerkingsverband (vermoedelijk lidmaatschap lichter, met "
                    "stippellijn), overlappingen gearceerd in oranje, onbekend gearceerd grijs; grenzen van de "
                    "verbanden en centrumsteden. De legende telt de gemeenten per categorie.",
        build=lambda context: coverage_print_map(context.view, context.mask, context.filter_text,
                                                 orientation=context.orientation, made_on=context.made_on)),
    ReportItem(
        key="gaps-map", stem="kaart-overlappingen-hiaten", kind=MAP, title="Kaart: overlappingen en hiaten",
        description="Gemeenten in meer dan één verband (oranje gearceerd), gemeenten die niet deelnemen (wit, zwarte "
                    "rand) en gemeenten zonder gekende bron (blauw gearceerd); gedekte gemeenten lichtgrijs, met de "
                    "namen van de verbanden waar ze passen.",
        build=lambda context: gaps_print_map(context.view, context.mask, context.filter_text,
                                             orientation=context.orientation, label_partnerships=True,
                                             made_on=context.made_on)),
    *(indicator_map_item(indicator_id, stem) for indicator_id, stem in INDICATOR_MAPS),
    ReportItem(
        key="partnerships", stem="tabel-samenwerkingsverbanden", kind=TABLE, title="Tabel: samenwerkingsverbanden",
        description="Profiel per samenwerkingsverband: leden (bevestigd/vermoedelijk), inwoners 2020, oppervlakte, "
                    "aaneengeslotenheid en exclaves, subsidieerbaarheid, hoofdreferentieregio.",
        build=lambda context: {"Samenwerkingsverbanden": partnership_table(context.view, context.mask)},
        sources=_partnership_sources),
    ReportItem(
        key="subsidy", stem="tabel-subsidie", kind=TABLE, title="Tabel: subsidiesimulatie 2020-2025",
        description=_subsidy_description,
        build=lambda context: subsidy_tables(context.view, context.budget_eur, context.unemployment_rate, context.mask,
                                             context.unemployment_note),
        sources=_subsidy_sources),
    ReportItem(
        key="overlaps", stem="tabel-overlappingen", kind=TABLE, title="Tabel: gemeenten in meer dan één verband",
        description="Elke gemeente die in meer dan één samenwerkingsverband vermeld staat, met per vermelding de "
                    "betrouwbaarheid en de bron. Een overlap kan een echte dubbeltelling zijn of een fout in een bron.",
        build=lambda context: {"Overlappingen": overlaps_table(context.view, context.mask)}),
    ReportItem(
        key="gap-clusters", stem="tabel-hiaten", kind=TABLE, title="Tabel: aaneengesloten gebieden zonder verband",
        description="Aaneengesloten groepen gemeenten zonder (gekend) samenwerkingsverband: alleen onbekend, alleen "
                    "niet-deelnemers, en beide samen; met inwoners 2020, oppervlakte en omtrek.",
        build=lambda context: {"Hiaten": gap_clusters_table(context.view, context.mask)}),
])
