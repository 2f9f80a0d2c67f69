"""Shared page parts: the data banner, the empty-selection stop, KPI cards and table, map display and the source
line under every map. Table and print downloads are in `ui.downloads`."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis import scenario
from analysis.coverage import partnership_counts, partnerships_without_members, regisseurs_text
from analysis.filters import empty_selection_reason
from analysis.formatting import (
    AmountError,
    format_amount,
    format_eur,
    format_number,
    format_percent,
    format_signed_number,
    is_missing,
    parse_amount,
)
from analysis.subsidy import BUDGET_2020_EUR, BUDGET_FROM_2023_EUR
from geodata.sources import SOURCES
from geodata.vocabulary import SCHEME_UPLOAD
from ui.state import Filters, counted_partnerships, filter_notes, filter_text, selection_of, url_params
from ui.webmap import MapLegend, RegieMap, legend_html, live_parts

BELGIAN_AXIS_LABELS = "replace(replace(replace(datum.label, /[.]/g, '#'), /,/g, '.'), /#/g, ',')"


def plain_markdown(text) -> str:
    """User text (a file or partnership name) for a Markdown element, shown as typed: no emphasis, links or code."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$:])", r"\\\1", str(text))


def stop_if_empty(view, filters: Filters, mask) -> None:
    """When the filters keep no municipality, say why in Dutch and stop the page (no empty map or table)."""
    if bool(mask.any()):
        return

    st.info(empty_selection_reason(view.scheme.partnerships, view.scheme.memberships, view.municipalities,
                                   selection_of(filters), filter_text(view, filters))
            + " Kies een andere waarde in de filters in de zijbalk.",
            icon=":material/info:")
    st.stop()


def subsidy_scope_text(view, filters: Filters, mask) -> str:
    """Which regisseurs the Subsidie page simulates and shows, in the counts of `analysis.coverage`."""
    partnerships = view.scheme.partnerships
    everything = regisseurs_text(partnership_counts(partnerships, scenario.counted_partnerships(view)))
    text = f"Simulatie voor heel Vlaanderen: {everything}; het budget is Vlaams."
    memberless = partnerships_without_members(partnerships, view.scheme.memberships, view.municipalities["nis"])
    if memberless:
        names = dict(zip(partnerships["partnership_id"], partnerships["name"]))
        text += (" Niet in de simulatie, want zonder gekende leden: "
                 + ", ".join(names[pid] for pid in memberless) + ".")
    if not selection_of(filters).is_everything:
        shown = regisseurs_text(partnership_counts(partnerships, counted_partnerships(view, filters, mask)))
        text += f" De tabel en de grafiek tonen de {shown} binnen de filters ({filter_text(view, filters)})."
    return text


def data_banner(view) -> None:
    """Say which data is shown; reconstructed data is labelled as such, with a link to the data page. Notes about
    filter choices that were reset come first (on a phone the sidebar is folded away).

    Always one element on the page, however many notes it holds: Streamlit places elements by their position, so
    a varying number of elements above a map would make the browser build the map anew (and lose the user's zoom
    and pan) instead of updating it (`show_map`)."""
    with st.container():
        _data_banner_parts(view)


def _data_banner_parts(view) -> None:
    for note in filter_notes():
        st.info(note, icon=":material/filter_alt:")
    scheme = view.scheme
    if scheme.scheme_id == SCHEME_UPLOAD:
        st.info(f"U bekijkt uw eigen upload ({plain_markdown(scheme.label)}); die blijft alleen in deze sessie.",
                icon=":material/description:")
    elif scheme.reconstructed:
        kpis = dict(zip(view.kpis["kpi"], view.kpis["value"]))

        st.warning(
            "**Gereconstrueerde gegevens.** Er bestaat geen publieke officiële lijst van de samenwerkingsverbanden "
            "2020-2025. Deze kaart toont lidmaatschap dat uit openbare bronnen is samengesteld, elk met bron en "
            f"betrouwbaarheid: {format_number(kpis.get('municipalities_confirmed'))} gemeenten bevestigd, "
            f"{format_number(kpis.get('municipalities_suggestive'))} vermoedelijk, "
            f"{format_number(kpis.get('unknown'))} onbekend (officieel nemen 238 van de 300 gemeenten deel). "
            "Bronnen en details: zie de pagina **Gegevens**.", icon=":material/warning:")
        # With the view's query string, as the page menu's links (ui.pagemenu): the filters go along.
        st.page_link("pages/gegevens.py", label="Naar de gegevens en bronnen", icon=":material/database:",
                     query_params=url_params() or None)
    else:
        st.info(f"Officiële indeling: {scheme.label}.", icon=":material/info:")


def show_map(fmap, key: str, height: int = 600, returned_objects: list[str] | None = None) -> dict:
    """Show a folium map without reruns on pan/zoom (only the listed objects come back), its legend beside it
    (below it on a phone), unless the page placed the legend itself (`take_legend`).

    A `ui.webmap.RegieMap` is shown as a live map (`ui.webmap.live_parts`): while `key` stays the same, a rerun
    with other data (a filter change, a clicked municipality) replaces the map's layers in the browser and keeps
    the user's zoom and pan."""
    # render=False: st_folium renders the map itself right after (folium's Map.render renders every child);
    # with True it first renders the whole page once more, which doubled the largest cost of a run.
    with legend_beside(fmap):
        if isinstance(fmap, RegieMap):
            live = live_parts(fmap)
            return st_folium(live.base, key=key, height=height, use_container_width=True, render=False,
                             returned_objects=returned_objects or [], feature_group_to_add=live.groups,
                             layer_control=live.layer_control) or {}
        return st_folium(fmap, key=key, height=height, use_container_width=True, render=False,
                         returned_objects=returned_objects or []) or {}


# Map and legend side by side. Flanders is about 2,5 times as wide as it is tall, so the map loses little by giving
# the legend a third of the row, which keeps most partnership names on one line at 1280 px and the whole legend
# (about 30 entries) within one screen height.
MAP_AND_LEGEND = (2, 1)


@contextmanager
def legend_beside(fmap):
    """Inside: the column for the map, with the map's legend in a column to its right. Streamlit stacks columns on
    a narrow screen, so on a phone the legend comes below the map. Nothing happens for a map without a legend or
    one whose legend the page already placed (`take_legend`)."""
    if getattr(fmap, "legend", None) is None or not getattr(fmap, "legend_in_map", False):
        yield
        return
    legend = take_legend(fmap)
    map_column, legend_column = st.columns(MAP_AND_LEGEND, gap="small")
    with legend_column:
        show_legend(legend)
    with map_column:
        yield


def take_legend(fmap) -> MapLegend:
    """The map's legend, for the page to show where it wants (`show_legend`); the map then draws none itself."""
    fmap.legend_in_map = False
    return fmap.legend


LEGEND_CSS = "font-size:11px;line-height:1.25;display:flex;flex-direction:column;gap:2px;"
# A legend as wide as the page (under maps side by side): entries in as many columns of 16em as fit.
WIDE_LEGEND_CSS = "font-size:11px;line-height:1.25;columns:16em;column-gap:18px;"


def show_legend(legend: MapLegend, *, wide: bool = False) -> None:
    """The legend beside (or below) a map, in the map's own swatches, every entry visible without scrolling inside
    it; it can be folded away. Its text is escaped (`ui.webmap.legend_html`). `wide`: a legend across the page, in
    columns (under maps side by side, which leave no room beside them)."""
    with st.expander(f"Legende: {plain_markdown(legend.title)}", expanded=True):
        st.html(f"<div class='rk-legend' data-testid='rk-legend' style='{WIDE_LEGEND_CSS if wide else LEGEND_CSS}'>"
                f"{legend_html(legend.entries)}</div>")


def map_value(key: str) -> dict:
    """What the map shown with `key` last sent back (streamlit-folium keeps it in the session state under that key),
    available before the map is drawn again in this run; empty before the first interaction."""
    return st.session_state.get(key) or {}


def source_line(view) -> str:
    """The source and licence line printed under and on every map."""
    boundary = SOURCES["gemeente2024.shp"].attribution.removeprefix("Bron: ")
    parts = [f"gemeentegrenzen: {boundary}", "bevolking 2020: Statbel"]
    if view.scheme.reconstructed:
        parts.append("lidmaatschap: gereconstrueerd door Regiekaart uit openbare bronnen")
    elif view.scheme.scheme_id == SCHEME_UPLOAD:
        parts.append(f"lidmaatschap: {view.scheme.label}")
    else:
        parts.append("referentieregio's: Vlaamse Regering (2022)")
    return "Bron: " + "; ".join(parts)


KPI_CARDS = (
    ("partnerships", "Verbanden"),
    ("with_centre_city", "Met centrumstad"),
    ("standalone_cities", "Steden alleen"),
    ("municipalities", "Gemeenten gedekt"),
    ("population_share", "Bevolking gedekt"),
)


def kpi_cards(kpis, with_official: bool) -> None:
    """KPI cards, each beside its official total and the difference when there is one; the help text states the
    KPI's definition (`analysis.coverage.KPI_DEFINITIONS`)."""
    rows = kpis.set_index("kpi")
    # Two rows (the counts of regisseurs, then coverage): five cards side by side cut "173 / 300" and the official
    # totals off on a 1280 px screen.
    columns = [*st.columns(3), *st.columns(2)]
    for column, (key, label) in zip(columns, KPI_CARDS):
        row = rows.loc[key]
        share = row["unit"] == "aandeel"
        value = format_percent(row["value"]) if share else format_number(row["value"])
        help_text = f"**{row['label']}.** {row['definition']}"
        if key == "municipalities":
            value += f" / {format_number(rows.loc['total_municipalities', 'value'])}"
            help_text += (f" Bevestigd: {format_number(rows.loc['municipalities_confirmed', 'value'])}, "
                          f"vermoedelijk: {format_number(rows.loc['municipalities_suggestive', 'value'])}, "
                          f"onbekend: {format_number(rows.loc['unknown', 'value'])}.")
        if key == "population_share":
            help_text += f" Inwoners: {format_number(rows.loc['population_covered', 'value'])} (2020)."
        if key == "standalone_cities":
            help_text += f" Regisseurs in totaal: {format_number(rows.loc['regie_entities', 'value'])}."
        delta = None
        if with_official and not is_missing(row["official"]):
            official = format_percent(row["official"]) if share else format_number(row["official"])
            difference = format_signed_number(100 * row["difference"], 1) if share \
                else format_signed_number(row["difference"])
            # Short enough for the card at every width; the help text names the unit of a share's difference.
            delta = f"officieel {official} ({difference})"
            help_text += f" Officieel: {official}; verschil: {difference}{' procentpunt' if share else ''}."
        column.metric(label, value, delta=delta, delta_color="off", delta_arrow="off", help=help_text, border=True)


# The session-state key of the home page's "Kerncijfers als tabel" expander: True while it is open (the table is
# drawn only then, dashboard.home).
KPI_TABLE_OPEN = "home-kpi-table-open"


def kpi_table(kpis):
    """The KPIs as a table with Dutch headers: shares in % (0-100), differences of shares in percentage points.

    Values keep full precision (for the XLSX); the screen and the CSV show whole numbers bare and the rest with one
    decimal (`show_table(numbers={...: None})`)."""
    share = kpis["unit"] == "aandeel"
    scale = share.map({True: 100.0, False: 1.0})

    def scaled(column):
        return (pd.to_numeric(kpis[column], errors="coerce") * scale).tolist()

    return pd.DataFrame({
        "Kerncijfer": kpis["label"].to_numpy(),
        "Waarde": scaled("value"),
        "Eenheid": kpis["unit"].map(lambda unit: "%" if unit == "aandeel" else unit).to_numpy(),
        "Officieel": scaled("official"),
        "Verschil met officieel": scaled("difference"),
        "Definitie": kpis["definition"].to_numpy(),
    })


# --- The yearly subsidy budget: one input, read the Belgian way, the same budget on every page ----------------

BUDGET_KEY = "subsidy-budget-eur"  # the last valid budget (euro), shared by the pages; kept on invalid input
MAX_BUDGET_EUR = 50_000_000
BUDGET_PRESETS = {"2020-2022": BUDGET_2020_EUR, "vanaf 2023": BUDGET_FROM_2023_EUR}


def _budget_keys(prefix: str) -> tuple[str, str, str]:
    """The keys of a page's budget widgets: (preset choice, text box, message about the last refused text)."""
    return f"{prefix}-period", f"{prefix}-budget-text", f"{prefix}-budget-error"


def markdown_text(text: str) -> str:
    """Text shown as Markdown exactly as written (names from an upload, typed input): special characters escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def euro_text(amount: float) -> str:
    """An amount in euro, with cents only when it has them (€ 2.225.000, € 2.225.000,50)."""
    return format_eur(amount, 0 if float(amount).is_integer() else 2)


def _fill_preset(prefix: str) -> None:
    period_key, _, error_key = _budget_keys(prefix)
    st.session_state[BUDGET_KEY] = BUDGET_PRESETS[st.session_state[period_key]]
    st.session_state.pop(error_key, None)


def _read_budget(prefix: str) -> None:
    """Take the typed budget when it is a Belgian amount; else keep the last valid one and say why."""
    _, text_key, error_key = _budget_keys(prefix)
    try:
        st.session_state[BUDGET_KEY] = parse_amount(st.session_state[text_key], maximum=MAX_BUDGET_EUR)
        st.session_state.pop(error_key, None)
    except AmountError as error:
        st.session_state[error_key] = str(error)


def budget_input(prefix: str, period_place=st, amount_place=st) -> float:
    """The yearly subsidy budget in euro: a period's preset (2.225.000 or 3.000.000) or a typed amount in Belgian
    notation, shown back the same way. A refused amount gets a Dutch message and the last valid budget stays.
    Every page that calls it computes with the same budget; `prefix` keeps each page's widgets apart (a widget's
    state does not survive a page switch).

    `period_place`, `amount_place`: where the preset choice and the text box go (columns, a tab)."""
    period_key, text_key, error_key = _budget_keys(prefix)
    budget = float(st.session_state.setdefault(BUDGET_KEY, BUDGET_PRESETS["2020-2022"]))
    if not st.session_state.get(error_key):  # a refused text stays in the box, beside its message
        st.session_state[text_key] = format_amount(budget)
    # The period whose budget is in use is the one chosen, also when it was chosen on another page; an own amount
    # leaves none chosen (not a period that no longer applies).
    st.session_state[period_key] = next((period for period, amount in BUDGET_PRESETS.items() if amount == budget),
                                        None)
    period_place.radio("Budgetjaar", list(BUDGET_PRESETS), index=None, horizontal=True, key=period_key,
                       on_change=_fill_preset,
                       args=(prefix,),
                       help="Vult het jaarbudget van die periode in (2.225.000 euro voor 2020-2022, 3.000.000 euro "
                            "vanaf 2023); daarna kun je het aanpassen.")
    amount_place.text_input("Budget (euro per jaar)", key=text_key, on_change=_read_budget, args=(prefix,),
                            help="In Belgische notatie: 3.000.000 of 2.225.000,50 (punt tussen de duizendtallen, "
                                 "komma voor de cent). Druk op Enter om te herberekenen.")
    if st.session_state.get(error_key):
        st.error(markdown_text(st.session_state[error_key]) + " Er wordt gerekend met het laatste geldige "
                 f"budget: {markdown_text(euro_text(budget))}.")
    return budget
