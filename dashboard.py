"""Regiekaart: entry point (``streamlit run dashboard.py``). Shared sidebar, navigation and the home page."""

from pathlib import Path

import streamlit as st

from analysis.scenario import kpis_for
from ui import downloads, errors, heap, pagemenu, scenario_session, sources_download, state, views, widgets
from ui.compat import navigation_position
from ui.webmap import coverage_map, install_leaflet_assets

st.set_page_config(page_title="Regiekaart – regierol sociale economie", page_icon=":material/map:", layout="wide")
install_leaflet_assets(Path(__file__).parent / "static", st.get_option("server.baseUrlPath"))


def _kpi_table(view, filters, kpis, with_official: bool) -> None:
    """The KPIs as a table with their downloads (inside the home page's "Kerncijfers als tabel")."""
    downloads.show_table(widgets.kpi_table(kpis),
                         numbers={"Waarde": None, "Officieel": None, "Verschil met officieel": None},
                         download=(downloads.selection_stem("regiekaart-kerncijfers", view, filters), "Kerncijfers"),
                         key="home-kpi-table")
    st.caption("Aandelen in %; het verschil met een officieel aandeel in procentpunt. "
               + ("Officiële cijfers: socialeeconomie.be (8 april 2020)." if with_official
                  else "Geen officiële cijfers voor deze indeling of selectie."))


def home() -> None:
    filters = state.current_filters()
    view = views.current_view(filters)
    st.title("Regiekaart")
    st.markdown("Wie neemt de **lokale regierol sociale economie en werk** op, in welk samenwerkingsverband, "
                "en waar zijn er **overlappingen** en **hiaten**?")
    widgets.data_banner(view)
    mask = state.view_mask(view, filters)
    widgets.stop_if_empty(view, filters, mask)
    everything = state.selection_of(filters).is_everything
    # Official totals describe all of Flanders: the view's own KPIs carry them, a filtered selection's do not.
    kpis = view.kpis if everything else kpis_for(view, mask, selection=state.selection_of(filters))
    with_official = everything and bool(kpis["official"].notna().any())
    widgets.kpi_cards(kpis, with_official)
    with st.container():  # one element either way, so the map below keeps its place (widgets.data_banner)
        if not everything:
            st.caption(f"Filter: {state.filter_text(view, filters)}. Officiële totalen gelden voor heel Vlaanderen "
                       "en worden alleen zonder filter getoond.")
    # The table is drawn only while its expander is open (a rerun when it is opened): folded away, a table still
    # made a new session load and run Streamlit's table and Arrow code before the map (bench/README.md, issue 16).
    table = st.expander("Kerncijfers als tabel", key=widgets.KPI_TABLE_OPEN, on_change="rerun")
    if table.open:
        with table:
            _kpi_table(view, filters, kpis, with_official)
    web = views.cached_web_layer(filters.version)
    widgets.show_map(coverage_map(view, web, mask, source=widgets.source_line(view), title="Dekking",
                             counted=state.counted_partnerships(view, filters, mask)),
                key=f"home-map-{filters.scheme}-{filters.version}", height=500)
    st.caption(widgets.source_line(view))
    downloads.print_figures(view, mask, filters, "coverage", "regiekaart-overzicht-dekking", "home-print")


pages = [
    st.Page(home, title="Overzicht", icon=":material/home:", default=True),
    st.Page("pages/dekking.py", title="Dekking", icon=":material/map:"),
    st.Page("pages/hiaten.py", title="Overlappingen en hiaten", icon=":material/join_inner:"),
    st.Page("pages/verbanden.py", title="Samenwerkingsverbanden", icon=":material/handshake:"),
    st.Page("pages/fusies.py", title="Fusies 2025", icon=":material/merge:"),
    st.Page("pages/subsidie.py", title="Subsidie", icon=":material/euro:"),
    st.Page("pages/scenarios.py", title="Scenario's", icon=":material/edit_note:"),
    st.Page("pages/indicatoren.py", title="Indicatoren", icon=":material/bar_chart:"),
    st.Page("pages/gegevens.py", title="Gegevens", icon=":material/database:"),
]
# Streamlit's own page menu drops the filters on a page switch: it is hidden, and ui.pagemenu draws one that keeps them.
navigation = st.navigation(pages, position=navigation_position())
menu = pagemenu.container()
try:
    with errors.error_boundary():  # a Dutch message and a log entry instead of a traceback, for every page
        try:
            sources_download.ensure_sources()  # first visit: download missing sources with progress
            # A link ?scenario=<id>&scenarioversie=<n> makes that saved scenario the session's scheme (and sets the
            # filters it saved), so it runs before the sidebar draws them.
            scenario_session.open_linked_scenario()
            state.sidebar()
        finally:  # after the filters have settled; also when they failed, as the error message says to pick a page
            pagemenu.draw(pages, menu)
        navigation.run()
finally:
    heap.freeze_long_lived()  # once caches were filled: keep them out of the garbage collector's walks
