"""Dekking: the coverage map, a sortable table, and details of a clicked municipality."""

import html

import streamlit as st

from analysis.coverage import STATUS_LABELS_NL, confidence_nl
from analysis.formatting import format_number
from analysis.indicators import latest_values
from geodata.crosswalk import merger_notes
from geodata.indicators import CATALOGUE
from ui import downloads, state, views, widgets
from ui.indicator_map import value_text
from ui.webmap import coverage_map, municipality_table

# The figures shown for a chosen municipality, next to its partnership(s).
DETAIL_INDICATORS = ("nwwz", "werkzoekendengraad", "bevolking", "bevolkingsdichtheid")

filters = state.current_filters()
view = views.current_view(filters)
st.title("Dekking")
widgets.data_banner(view)
mask = state.view_mask(view, filters)
widgets.stop_if_empty(view, filters, mask)
web = views.cached_web_layer(filters.version)

map_key = f"dekking-map-{filters.scheme}-{filters.version}"
# The municipality clicked last, as the map sent it back before this run (so the map can outline it now).
feature = widgets.map_value(map_key).get("last_active_drawing") or {}
# Map properties come back HTML-escaped; unescape before looking up, Streamlit escapes on display.
chosen_name = html.unescape(str((feature.get("properties") or {}).get("name", "")))
names = view.municipalities.set_index("nis")["name"]
options = sorted(view.municipalities.loc[mask, "nis"], key=lambda nis: names[nis].lower())
chosen = next((nis for nis in options if names[nis] == chosen_name), None)

# The map, and beside it the chosen municipality's details above the legend (on a phone: below the map).
left, right = st.columns(widgets.MAP_AND_LEGEND, gap="small")
with right:
    st.subheader("Details")
    nis = st.selectbox("Gemeente (of klik op de kaart)", options, index=options.index(chosen) if chosen else None,
                       format_func=lambda code: f"{names[code]} ({code})", placeholder="Kies een gemeente")
with left:
    fmap = coverage_map(view, web, mask, source=widgets.source_line(view), title="Dekking",
                        counted=state.counted_partnerships(view, filters, mask), chosen_nis=nis)  # outlined
    legend = widgets.take_legend(fmap)
    widgets.show_map(fmap, key=map_key, height=500, returned_objects=["last_active_drawing"])
    st.caption(widgets.source_line(view))
with right:
    if nis:
        status = view.status.set_index("nis").loc[nis]

        st.markdown(f"**{names[nis]}** · NIS {nis} · provincie {status['province']}")
        st.markdown(f"Status: **{STATUS_LABELS_NL[status['status']]}** · inwoners (2020): "
                    f"**{format_number(status['population_2020'])}**")
        rows = view.scheme.memberships[view.scheme.memberships["nis"] == nis]
        partnership_names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
        if rows.empty:
            st.markdown("Geen gekend samenwerkingsverband: **onbekend** (geen bron gevonden), niet hetzelfde als "
                        "'neemt niet deel'.")
        for row in rows.itertuples():
            with st.container(border=True):
                st.markdown(f"**{partnership_names.get(row.partnership_id, row.partnership_id)}** "
                            f"({confidence_nl(row.confidence)})")
                st.caption(f"Rol: {row.role or 'lid'}")
                st.caption(f"Bron: {row.source}")
                if getattr(row, "evidence", None) and str(row.evidence) != "nan":
                    st.caption(f"Toelichting: {row.evidence}")
        for row in view.scheme.non_participants[view.scheme.non_participants["nis"] == nis].itertuples():
            with st.container(border=True):
                st.markdown("**Neemt niet deel** (volgens bron)")
                st.caption(f"Bron: {row.source}")
        indicators = latest_values(views.cached_indicator_values(filters.version), nis, DETAIL_INDICATORS)
        if len(indicators):
            # A 2019 municipality that merged in 2025 shows its merged municipality's figure, labelled (or where
            # its figure sits): the merger rule of geodata.indicators.
            note = merger_notes(filters.version).get(nis)
            st.markdown("**Indicatoren** (laatste jaar)\n" + "\n".join(
                f"- {CATALOGUE[i].label} {year}: {value_text(value, flag, CATALOGUE[i], note)}"
                for i, year, value, flag in indicators.itertuples(index=False)))
            st.caption("Meer op de pagina Indicatoren. Bronnen: VDAB via Provincies in Cijfers; Statbel.")
    widgets.show_legend(legend)

st.subheader("Gemeenten")
table = municipality_table(view, web)
table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
shown = table[["nis", "name", "province", "status_label", "partnerships_label", "population_2020"]].rename(columns={
    "nis": "NIS", "name": "Gemeente", "province": "Provincie", "status_label": "Status",
    "partnerships_label": "Verband(en) en betrouwbaarheid", "population_2020": "Inwoners 2020"})
downloads.show_table(shown, numbers={"Inwoners 2020": 0}, download=(downloads.selection_stem("regiekaart-dekking", view, filters), "Dekking"), key="dekking-table")
st.subheader("Afdrukken")
downloads.print_figures(view, mask, filters, "coverage", "regiekaart-dekking", "dekking-print")
