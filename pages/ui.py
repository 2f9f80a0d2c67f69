"""Shared Streamlit pieces: sidebar filters kept in the URL, cached data and views, banners, KPI cards and map
display. Table and print downloads are in `pages.downloads`.

Filters live in ``st.session_state`` and are written back to the URL query string on every page run, so a
copied link reproduces the view (Streamlit clears query parameters on a page switch, streamlit #7982).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis import scenario
from analysis.coverage import partnership_counts, partnerships_without_members, regisseurs_text
from analysis.datasets import build_view, bundled_view, merger_conflicts_for, referentieregio_scheme, regie_scheme
from analysis.filters import (
    Selection, centre_choices, centre_cities, empty_selection_reason, partnership_choices, region_choices,
    region_names, selected_municipalities,
)
from analysis.formatting import format_number, format_percent, format_signed_number, is_missing
from analysis.indicator_data import unemployment_rate_by_partnership, values_on
from geodata.municipalities import PROVINCES
from geodata.sources import SOURCES
from geodata.weblayer import web_layer
from ui.compat import leave_legacy_pages_mode


# Before anything else of the page runs: see ui.compat.leave_legacy_pages_mode.
leave_legacy_pages_mode()

SCHEME_REGIE = "regie-2020-2025"
SCHEME_REFREG = "referentieregio"
SCHEME_UPLOAD = "upload"
SCHEME_LABELS = {
    SCHEME_REGIE: "Regie sociale economie 2020-2025 (gereconstrueerd)",
    SCHEME_REFREG: "Referentieregio's (officieel)",
    SCHEME_UPLOAD: "Eigen upload (deze sessie)",
}
# Vega-Lite formats numbers the English way; this label expression turns 1,234.5 into 1.234,5 on chart axes.
BELGIAN_AXIS_LABELS = "replace(replace(replace(datum.label, /[.]/g, '#'), /,/g, '.'), /#/g, ',')"
VERSION_LABELS = {"2019": "Gemeenten 2019-2024 (300)", "2025": "Gemeenten vanaf 2025 (285)"}
ALL = "alle"
CENTRE_ANY, CENTRE_WITH, CENTRE_WITHOUT = "alle", "met", "zonder"
CENTRE_LABELS = {CENTRE_ANY: "Alle", CENTRE_WITH: "Met centrumstad", CENTRE_WITHOUT: "Zonder centrumstad"}

# URL parameter -> (session key, default)
URL_FILTERS = {
    "schema": ("f_scheme", SCHEME_REGIE),
    "versie": ("f_version", "2019"),
    "provincie": ("f_province", ALL),
    "centrumstad": ("f_centre", CENTRE_ANY),
    "verband": ("f_partnership", ALL),
    "referentieregio": ("f_region", ALL),
}


@dataclass(frozen=True)
class Filters:
    scheme: str
    version: str
    province: str
    centre: str
    partnership: str
    region: str = ALL

    def describe(self, partnership_names: dict[str, str], centre_names: dict[str, str],
                 region_names: dict[str, str] | None = None, scheme_label: str | None = None) -> str:
        """The filters in words, for subtitles and exports (`scheme_label`: the name of an uploaded list)."""
        parts = [scheme_label or SCHEME_LABELS.get(self.scheme, self.scheme),
                 VERSION_LABELS.get(self.version, self.version)]
        if self.province != ALL:
            parts.append(f"provincie {self.province}")
        if self.centre in CENTRE_LABELS and self.centre != CENTRE_ANY:
            parts.append(CENTRE_LABELS[self.centre].lower())
        elif self.centre not in CENTRE_LABELS:
            parts.append(f"centrumstad {centre_names.get(self.centre, self.centre)}")
        if self.partnership != ALL:
            parts.append(f"samenwerkingsverband {partnership_names.get(self.partnership, self.partnership)}")
        if self.region != ALL:
            parts.append(f"referentieregio {(region_names or {}).get(self.region, self.region)}")
        return " · ".join(parts)


def _load_url_state_once() -> None:
    if st.session_state.get("_url_loaded"):
        return
    params = st.query_params
    for name, (key, default) in URL_FILTERS.items():
        st.session_state.setdefault(key, params.get(name, default))
    if st.session_state.get("f_scheme") == SCHEME_UPLOAD and uploaded_scheme() is None:
        # A shared link to someone's upload: the upload lives in the browser session that made it, not here.
        st.session_state[UPLOAD_LINK_MISSING] = True
    st.session_state["_url_loaded"] = True


UPLOAD_LINK_MISSING = "_upload_link_missing"


def missing_upload_notice() -> None:
    """Say, in Dutch, that a link asked for an upload this session does not have (instead of silently showing the
    bundled data); shown until the user uploads a list or chooses another scheme."""
    if not st.session_state.get(UPLOAD_LINK_MISSING):
        return
    if uploaded_scheme() is not None or st.session_state.get("f_scheme") not in (SCHEME_REGIE, SCHEME_UPLOAD):
        st.session_state.pop(UPLOAD_LINK_MISSING, None)
        return
    st.warning("Deze link vraagt een eigen lijst (schema=upload), maar die zit niet in deze browsersessie: een "
               "opgeladen lijst blijft alleen in de sessie waarin ze is opgeladen en wordt nergens bewaard. U ziet nu "
               "de gereconstrueerde gegevens. Laad de lijst opnieuw op via de pagina **Gegevens** om ze te bekijken.",
               icon=":material/link_off:")


def plain_markdown(text) -> str:
    """User text (a file or partnership name) for a Markdown element, shown as typed: no emphasis, links or code."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$:])", r"\\\1", str(text))


def scheme_label(scheme_id: str) -> str:
    """The name of a scheme in the sidebar, subtitles and exports; an upload is named by its file."""
    if scheme_id == SCHEME_UPLOAD and uploaded_scheme() is not None:
        return f"{uploaded_scheme().label} (deze sessie)"
    return SCHEME_LABELS.get(scheme_id, scheme_id)


def write_url_state() -> None:
    """Mirror the current filters into the query string (defaults are left out to keep links short)."""
    wanted = {name: str(st.session_state.get(key, default))
              for name, (key, default) in URL_FILTERS.items()
              if str(st.session_state.get(key, default)) != str(default)}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _valid_choice(key: str, options: list[str], default: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]


# --- cached data --------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner="Gemeentegrenzen voorbereiden…")
def cached_web_layer(version: str):
    return web_layer(version)


@st.cache_resource(show_spinner="Analyse berekenen…")
def cached_bundled_view(scheme_id: str, version: str):
    return bundled_view(scheme_id, version)


@st.cache_data(show_spinner="Indicatoren laden…")
def cached_indicator_values(version: str):
    """Every catalogue indicator on the map of `version` (long format, see geodata.indicators)."""
    return values_on(version)


def uploaded_scheme():
    """The membership scenario uploaded in this browser session, or None."""
    return st.session_state.get("upload_scheme")


def current_view(filters: Filters):
    """The analysed view for the chosen scheme and boundary version."""
    if filters.scheme == SCHEME_UPLOAD and uploaded_scheme() is not None:
        # Uploaded data is kept per session, never in a shared cache.
        cache = st.session_state.setdefault("upload_views", {})
        token = (id(uploaded_scheme()), filters.version)
        if token not in cache:
            with st.spinner("Analyse van de upload berekenen…"):
                cache.clear()
                cache[token] = build_view(uploaded_scheme(), filters.version)
        return cache[token]
    return cached_bundled_view(SCHEME_REGIE if filters.scheme == SCHEME_UPLOAD else filters.scheme, filters.version)


# --- sidebar -----------------------------------------------------------------------------------------------

def sidebar() -> Filters:
    """Render the shared filters in the sidebar and keep them in the URL. Call once per run (dashboard.py).

    Filters narrow each other's choices: province and referentieregio restrict the referentieregio, centre-city
    and partnership options to those with municipalities there, and the centre city the partnerships. A choice that
    no longer fits is reset, with a note (`filter_notes`) that says so.
    """
    _load_url_state_once()
    schemes = [SCHEME_REGIE, SCHEME_REFREG] + ([SCHEME_UPLOAD] if uploaded_scheme() is not None else [])
    _valid_choice("f_scheme", schemes, SCHEME_REGIE)
    _valid_choice("f_version", list(VERSION_LABELS), "2019")
    notes = []
    with st.sidebar:
        st.header("Filters")
        labels = {scheme: scheme_label(scheme) for scheme in schemes}
        st.selectbox("Indeling", schemes, format_func=labels.get, key="f_scheme")
        st.radio("Gemeentegrenzen", list(VERSION_LABELS), format_func=VERSION_LABELS.get, key="f_version")
        view = current_view(_filters_now())

        provinces = [ALL] + sorted(PROVINCES.values())
        _valid_choice("f_province", provinces, ALL)
        st.selectbox("Provincie", provinces, format_func=lambda p: "Alle provincies" if p == ALL else p,
                     key="f_province")
        regions = region_options(view, _filters_now())
        notes += _narrow("f_region", regions, ALL, "referentieregio", region_options(view), view)
        st.selectbox("Referentieregio", list(regions), format_func=regions.get, key="f_region")
        centres = centre_options(view, _filters_now())
        notes += _narrow("f_centre", centres, CENTRE_ANY, "centrumstad", centre_options(view), view)
        st.selectbox("Centrumstad", list(centres), format_func=centres.get, key="f_centre")
        partnerships = partnership_options(view, _filters_now())
        notes += _narrow("f_partnership", partnerships, ALL, "samenwerkingsverband", partnership_options(view), view)
        st.selectbox("Samenwerkingsverband", list(partnerships), format_func=partnerships.get, key="f_partnership")
        st.caption("De filters staan in de adresbalk: kopieer de link om dit beeld te delen.")
        if notes:  # shown on the page itself by `data_banner` (on a phone the sidebar is folded away)
            st.session_state["_filter_notes"] = (_filters_now(), notes)
    write_url_state()
    missing_upload_notice()
    return _filters_now()


def _narrow(key: str, options: dict[str, str], default: str, kind: str, every_option: dict[str, str],
            view) -> list[str]:
    """Reset a filter whose value is not among `options` (the choices left by the other filters); returns the
    Dutch note saying so, or nothing when the value fits (or was never a valid choice at all)."""
    value = st.session_state.get(key)
    if value in options:
        return []
    st.session_state[key] = default
    if value is None or value == default or value not in every_option:
        return []
    # The other filters in words, without the scheme and the boundary version (the first two parts).
    others = " · ".join(filter_text(view, _filters_now()).split(" · ")[2:])
    return [f"De keuze {kind} '{every_option[value]}' past niet bij de andere filters ({others}): er liggen geen "
            f"gemeenten in beide. De keuze is teruggezet op '{options[default]}'."]


def filter_notes() -> list[str]:
    """Notes about filter choices that were reset, while the filters are still those they were reset to."""
    stored = st.session_state.get("_filter_notes")
    if not stored or stored[0] != _filters_now():
        return []
    return list(stored[1])


def _filters_now() -> Filters:
    return Filters(*(str(st.session_state.get(key, default)) for key, default in URL_FILTERS.values()))


def current_filters() -> Filters:
    """The filters chosen in the sidebar (for pages)."""
    return _filters_now()


def centre_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Centre-city filter options; with `filters`, only those that keep a municipality in its province and
    referentieregio."""
    options = dict(CENTRE_LABELS)
    options.update({nis: f"Centrumstad {name}" for nis, name in centre_cities(view.scheme.partnerships).items()})
    if filters is None:
        return options
    allowed = centre_choices(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                             selection_of(filters), view.regions)
    return {value: label for value, label in options.items() if value in allowed}


def region_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Referentieregio filter options; with `filters`, only the regions with a municipality in its province."""
    names = region_names(view.regions) if view.regions is not None else {}
    if filters is not None and view.regions is not None:
        allowed = set(region_choices(view.municipalities, view.regions, filters.province))
        names = {region: name for region, name in names.items() if region in allowed}
    return {ALL: "Alle referentieregio's", **names}


MEMBERLESS_SUFFIX = " (zonder gekende leden)"


def partnership_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Partnership filter options by name; a partnership without members on the map is marked "zonder gekende
    leden". With `filters`, only those that fit its province, referentieregio and centre city."""
    partnerships = view.scheme.partnerships.sort_values("name", key=lambda s: s.str.lower())
    memberless = set(partnerships_without_members(partnerships, view.scheme.memberships, view.municipalities["nis"]))
    options = {pid: name + (MEMBERLESS_SUFFIX if pid in memberless else "")
               for pid, name in zip(partnerships["partnership_id"], partnerships["name"])}
    if filters is not None:
        allowed = set(partnership_choices(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                          selection_of(filters), view.regions))
        options = {pid: label for pid, label in options.items() if pid in allowed}
    return {ALL: "Alle verbanden", **options}


def selection_of(filters: Filters):
    return Selection(province=filters.province, centre=filters.centre, partnership=filters.partnership,
                     region=filters.region)


def view_mask(view, filters: Filters):
    """Boolean mask over view.municipalities of the municipalities the filters keep."""
    return selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   selection_of(filters), view.regions)


def counted_partnerships(view, filters: Filters, mask=None) -> list[str]:
    """The partnership ids (stand-alone centre cities included) the view counts under the filters: the one
    definition of `analysis.coverage.counted_partnership_ids`, for cards, legends, tables and downloads alike."""
    in_view = view_mask(view, filters) if mask is None else mask
    return scenario.counted_partnerships(view, in_view, selection_of(filters))


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


def filter_text(view, filters: Filters) -> str:
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))

    return filters.describe(names, centre_cities(view.scheme.partnerships), region_options(view),
                            scheme_label(filters.scheme))


# --- shared page parts -------------------------------------------------------------------------------------

def data_banner(view) -> None:
    """Say which data is shown; reconstructed data is labelled as such, with a link to the data page. Notes about
    filter choices that were reset come first (on a phone the sidebar is folded away)."""
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
        st.page_link("pages/gegevens.py", label="Naar de gegevens en bronnen", icon=":material/database:")
    else:
        st.info(f"Officiële indeling: {scheme.label}.", icon=":material/info:")


def show_map(fmap, key: str, height: int = 600, returned_objects: list[str] | None = None) -> dict:
    """Show a folium map without reruns on pan/zoom (only the listed objects come back)."""
    return st_folium(fmap, key=key, height=height, use_container_width=True,
                     returned_objects=returned_objects or []) or {}


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


def cached_merger_conflicts(scheme_id: str):
    """Merger conflicts of the chosen scheme (on its 2019 codes); empty for schemes keyed on 2025 codes."""

    if scheme_id == SCHEME_UPLOAD and uploaded_scheme() is not None:
        scheme = uploaded_scheme()
        if scheme.boundary_version != "2019":
            return pd.DataFrame(columns=["nis_2025"])
        return merger_conflicts_for(scheme)
    return _bundled_merger_conflicts(SCHEME_REGIE if scheme_id == SCHEME_UPLOAD else scheme_id)


@st.cache_data(show_spinner=False)
def _bundled_merger_conflicts(scheme_id: str):

    if scheme_id == SCHEME_REGIE:
        return merger_conflicts_for(regie_scheme())
    if scheme_id == SCHEME_REFREG:
        return merger_conflicts_for(referentieregio_scheme("2019"))
    return pd.DataFrame(columns=["nis_2025"])


def unemployment_rates(view):
    """The werkzoekendengraad (%) per partnership for the subsidy ranking, with a note on its source and year.

    Recomputed per partnership from the number of jobseekers and the (derived) labour force of 2019, the last full
    year before the 2020-2025 call (`analysis.indicator_data`). Returns (None, note) when no rate can be computed
    honestly: missing rates are never invented.
    """
    return unemployment_rate_by_partnership(view)
