"""Shared Streamlit pieces: sidebar filters kept in the URL, cached data and views, banners, KPI cards and map
display. Table and print downloads are in `pages.downloads`.

Filters live in ``st.session_state`` and are written back to the URL query string on every page run, so a
copied link reproduces the view (Streamlit clears query parameters on a page switch, streamlit #7982).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


def _leave_legacy_pages_mode() -> None:
    """Make sure `dashboard.py` (shared sidebar and `st.navigation`) runs, also for a deep link.

    A folder named ``pages/`` beside the entry point puts Streamlit in its legacy multipage mode until
    `st.navigation` has run once in the process. When the very first request is a deep link such as
    ``/verbanden``, Streamlit then runs ``pages/verbanden.py`` on its own: no sidebar, no filters, and our
    helper modules listed as pages. Every page imports this module first, so switching the mode off here and
    rerunning hands the request to `dashboard.py`, which shows the intended page.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()

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
                 region_names: dict[str, str] | None = None) -> str:
        """The filters in words, for subtitles and exports."""
        parts = [SCHEME_LABELS.get(self.scheme, self.scheme), VERSION_LABELS.get(self.version, self.version)]
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
    st.session_state["_url_loaded"] = True


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
    from geodata.weblayer import web_layer

    return web_layer(version)


@st.cache_resource(show_spinner="Analyse berekenen…")
def cached_bundled_view(scheme_id: str, version: str):
    from analysis.datasets import bundled_view

    return bundled_view(scheme_id, version)


@st.cache_data(show_spinner="Indicatoren laden…")
def cached_indicator_values(version: str):
    """Every catalogue indicator on the map of `version` (long format, see geodata.indicators)."""
    from analysis.indicator_data import values_on

    return values_on(version)


def uploaded_scheme():
    """The membership scenario uploaded in this browser session, or None."""
    return st.session_state.get("upload_scheme")


def open_scenario_link() -> None:
    """A link ?scenario=<id>&scenarioversie=<n> makes that saved scenario the session's scheme, as an upload
    (pages.scenario_session); runs before the filters are drawn, as it sets them."""
    from pages.scenario_session import open_linked_scenario

    open_linked_scenario()


def current_view(filters: Filters):
    """The analysed view for the chosen scheme and boundary version."""
    if filters.scheme == SCHEME_UPLOAD and uploaded_scheme() is not None:
        # Uploaded data is kept per session, never in a shared cache.
        cache = st.session_state.setdefault("upload_views", {})
        token = (id(uploaded_scheme()), filters.version)
        if token not in cache:
            from analysis.datasets import build_view

            with st.spinner("Analyse van de upload berekenen…"):
                cache.clear()
                cache[token] = build_view(uploaded_scheme(), filters.version)
        return cache[token]
    return cached_bundled_view(SCHEME_REGIE if filters.scheme == SCHEME_UPLOAD else filters.scheme, filters.version)


# --- sidebar -----------------------------------------------------------------------------------------------

def sidebar() -> Filters:
    """Render the shared filters in the sidebar and keep them in the URL. Call once per run (dashboard.py)."""
    open_scenario_link()
    _load_url_state_once()
    schemes = [SCHEME_REGIE, SCHEME_REFREG] + ([SCHEME_UPLOAD] if uploaded_scheme() is not None else [])
    _valid_choice("f_scheme", schemes, SCHEME_REGIE)
    _valid_choice("f_version", list(VERSION_LABELS), "2019")
    with st.sidebar:
        st.header("Filters")
        st.selectbox("Indeling", schemes, format_func=SCHEME_LABELS.get, key="f_scheme")
        st.radio("Gemeentegrenzen", list(VERSION_LABELS), format_func=VERSION_LABELS.get, key="f_version")
        view = current_view(_filters_now())
        from geodata.municipalities import PROVINCES

        provinces = [ALL] + sorted(PROVINCES.values())
        _valid_choice("f_province", provinces, ALL)
        st.selectbox("Provincie", provinces, format_func=lambda p: "Alle provincies" if p == ALL else p,
                     key="f_province")
        regions = region_options(view)
        _valid_choice("f_region", list(regions), ALL)
        st.selectbox("Referentieregio", list(regions), format_func=regions.get, key="f_region")
        centres = centre_options(view)
        _valid_choice("f_centre", list(centres), CENTRE_ANY)
        st.selectbox("Centrumstad", list(centres), format_func=centres.get, key="f_centre")
        partnerships = partnership_options(view)
        _valid_choice("f_partnership", list(partnerships), ALL)
        st.selectbox("Samenwerkingsverband", list(partnerships), format_func=partnerships.get, key="f_partnership")
        st.caption("De filters staan in de adresbalk: kopieer de link om dit beeld te delen.")
    write_url_state()
    return _filters_now()


def _filters_now() -> Filters:
    return Filters(*(str(st.session_state.get(key, default)) for key, default in URL_FILTERS.values()))


def current_filters() -> Filters:
    """The filters chosen in the sidebar (for pages)."""
    return _filters_now()


def centre_options(view) -> dict[str, str]:
    from analysis.filters import centre_cities

    options = dict(CENTRE_LABELS)
    options.update({nis: f"Centrumstad {name}" for nis, name in centre_cities(view.scheme.partnerships).items()})
    return options


def region_options(view) -> dict[str, str]:
    from analysis.filters import region_names

    names = region_names(view.regions) if view.regions is not None else {}
    return {ALL: "Alle referentieregio's", **names}


def partnership_options(view) -> dict[str, str]:
    partnerships = view.scheme.partnerships.sort_values("name", key=lambda s: s.str.lower())
    return {ALL: "Alle verbanden", **dict(zip(partnerships["partnership_id"], partnerships["name"]))}


def selection_of(filters: Filters):
    from analysis.filters import Selection

    return Selection(province=filters.province, centre=filters.centre, partnership=filters.partnership,
                     region=filters.region)


def view_mask(view, filters: Filters):
    """Boolean mask over view.municipalities of the municipalities the filters keep."""
    from analysis.filters import selected_municipalities

    return selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   selection_of(filters), view.regions)


def filter_text(view, filters: Filters) -> str:
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    from analysis.filters import centre_cities

    return filters.describe(names, centre_cities(view.scheme.partnerships), region_options(view))


# --- shared page parts -------------------------------------------------------------------------------------

def data_banner(view) -> None:
    """Say which data is shown; reconstructed data is labelled as such, with a link to the data page."""
    scheme = view.scheme
    if scheme.scheme_id == SCHEME_UPLOAD:
        st.info(f"U bekijkt uw eigen upload ({scheme.label}); die blijft alleen in deze sessie.", icon=":material/description:")
    elif scheme.reconstructed:
        kpis = dict(zip(view.kpis["kpi"], view.kpis["value"]))
        from analysis.formatting import format_number

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
    from streamlit_folium import st_folium

    return st_folium(fmap, key=key, height=height, use_container_width=True,
                     returned_objects=returned_objects or []) or {}


def source_line(view) -> str:
    """The source and licence line printed under and on every map."""
    from geodata.sources import SOURCES

    boundary = SOURCES["gemeente2024.shp"].attribution.removeprefix("Bron: ")
    parts = [f"gemeentegrenzen: {boundary}", "bevolking 2020: Statbel"]
    if view.scheme.reconstructed:
        parts.append("lidmaatschap: gereconstrueerd door Regiekaart uit openbare bronnen")
    elif view.scheme.scheme_id == SCHEME_UPLOAD:
        parts.append("lidmaatschap: eigen upload")
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
    """KPI cards, each beside its official total and the difference when there is one."""
    from analysis.formatting import (
        format_number,
        format_percent,
        format_signed_number,
        is_missing,
    )

    rows = kpis.set_index("kpi")
    columns = st.columns(len(KPI_CARDS))
    for column, (key, label) in zip(columns, KPI_CARDS):
        row = rows.loc[key]
        share = row["unit"] == "aandeel"
        value = format_percent(row["value"]) if share else format_number(row["value"])
        help_text = row["label"]
        if key == "municipalities":
            value += f" / {format_number(rows.loc['total_municipalities', 'value'])}"
            help_text += (f". Bevestigd: {format_number(rows.loc['municipalities_confirmed', 'value'])}, "
                          f"vermoedelijk: {format_number(rows.loc['municipalities_suggestive', 'value'])}, "
                          f"onbekend: {format_number(rows.loc['unknown', 'value'])}.")
        if key == "population_share":
            help_text += f". Inwoners: {format_number(rows.loc['population_covered', 'value'])} (2020)."
        delta = None
        if with_official and not is_missing(row["official"]):
            official = format_percent(row["official"]) if share else format_number(row["official"])
            difference = (format_signed_number(100 * row["difference"], 1) + " %-punt") if share \
                else format_signed_number(row["difference"])
            delta = f"officieel {official} ({difference})"
            help_text += f" Officieel: {official}; verschil: {difference}."
        column.metric(label, value, delta=delta, delta_color="off", delta_arrow="off", help=help_text, border=True)


def kpi_table(kpis):
    """The KPIs as a table with Dutch headers: shares in % (0-100), differences of shares in percentage points."""
    import pandas as pd

    share = kpis["unit"] == "aandeel"
    scale = share.map({True: 100.0, False: 1.0})

    def scaled(column):
        values = pd.to_numeric(kpis[column], errors="coerce") * scale
        return [round(v, 1) if s else v for v, s in zip(values, share)]

    return pd.DataFrame({
        "Kerncijfer": kpis["label"].to_numpy(),
        "Waarde": scaled("value"),
        "Eenheid": kpis["unit"].map(lambda unit: "%" if unit == "aandeel" else unit).to_numpy(),
        "Officieel": scaled("official"),
        "Verschil met officieel": scaled("difference"),
    })


def cached_merger_conflicts(scheme_id: str):
    """Merger conflicts of the chosen scheme (on its 2019 codes); empty for schemes keyed on 2025 codes."""
    import pandas as pd

    from analysis.datasets import merger_conflicts_for

    if scheme_id == SCHEME_UPLOAD and uploaded_scheme() is not None:
        scheme = uploaded_scheme()
        if scheme.boundary_version != "2019":
            return pd.DataFrame(columns=["nis_2025"])
        return merger_conflicts_for(scheme)
    return _bundled_merger_conflicts(SCHEME_REGIE if scheme_id == SCHEME_UPLOAD else scheme_id)


@st.cache_data(show_spinner=False)
def _bundled_merger_conflicts(scheme_id: str):
    import pandas as pd

    from analysis.datasets import (
        merger_conflicts_for,
        referentieregio_scheme,
        regie_scheme,
    )

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
    from analysis.indicator_data import unemployment_rate_by_partnership

    return unemployment_rate_by_partnership(view)
