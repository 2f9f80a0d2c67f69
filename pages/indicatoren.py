"""Indicatoren: choropleth of a labour-market or population indicator, need versus coverage, and rankings."""

import altair as alt
import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis.coverage import STATUS_LABELS_NL
from analysis.figures import indicator_classes, indicator_print_map, indicator_source_note
from analysis.formatting import format_number
from geodata.crosswalk import aggregation_units, merger_notes
from geodata.indicator_model import COUNT, FLAG_APPROXIMATE, FLAG_MERGED, VALUE_FLAGS, flag_text
from geodata.indicators import CATALOGUE
from ui import downloads, state, views, widgets
from ui.indicator_map import indicator_map
from ui.indicator_upload import uploaded_catalogue, uploaded_values

METHOD_NAMES = {ind.QUANTILES: "kwantielen", ind.FISHER_JENKS: "natuurlijke breuken",
                ind.EQUAL_INTERVAL: "gelijke intervallen"}  # for file names

filters = state.current_filters()
view = views.current_view(filters)
version = filters.version
st.title("Indicatoren")
widgets.data_banner(view)
mask = state.view_mask(view, filters)
widgets.stop_if_empty(view, filters, mask)
web = views.cached_web_layer(version)

catalogue = {**CATALOGUE, **uploaded_catalogue()}
values = views.cached_indicator_values(version)
units = aggregation_units(version)  # which part holds a 2025 merged municipality's figure (geodata.indicators)
notes = merger_notes(version)
names = view.municipalities.set_index("nis")["name"]
uploads = uploaded_values(version)
if uploads is not None:
    values = pd.concat([values, uploads[values.columns]], ignore_index=True)

# --- choices ------------------------------------------------------------------------------------------------
order = [key for key in catalogue if not catalogue[key].derived] + [key for key in catalogue if catalogue[key].derived]
if st.session_state.get("ind_indicator") not in order:
    st.session_state["ind_indicator"] = "werkzoekendengraad"
col_a, col_b, col_c, col_d = st.columns([3, 1, 2, 1])
indicator_id = col_a.selectbox(
    "Indicator", order, key="ind_indicator",
    format_func=lambda key: catalogue[key].label + (" – eigen upload" if key.startswith("upload:") else ""))
entry = catalogue[indicator_id]
years = ind.available_years(values, indicator_id)
if not years:
    st.warning(f"Voor {entry.label} zijn er geen waarden op deze kaart.")
    st.stop()
if st.session_state.get("ind_year") not in years:
    st.session_state["ind_year"] = years[-1]
year = col_b.selectbox("Jaar", years, key="ind_year")
method = col_c.selectbox("Klassenindeling", list(ind.CLASSIFICATIONS), format_func=ind.CLASSIFICATIONS.get,
                         key="ind_method")
k = col_d.slider("Klassen", 3, 7, 5, key="ind_k")
highlight = st.toggle("Gemeenten zonder gekend verband markeren", value=False, key="ind_highlight")

# --- values: classes on all of Flanders, map on the selection -------------------------------------------------
all_codes = view.municipalities["nis"]
flanders = ind.municipality_values(values, all_codes, indicator_id, year)
breaks, minimum = indicator_classes(flanders, method, k)  # the print version computes the same classes
attribution = indicator_source_note(entry, year, values).attribution  # also for area, density and derived values
source = ("" if attribution.startswith("Bron:") else "Bron: ") + f"{attribution} ({year}); grenzen: Provincies in " \
    "Cijfers, Statbel"
title = f"{entry.label} {year}"
widgets.show_map(indicator_map(view, web, flanders, breaks, entry, year, mask, source=source,
                          highlight_not_covered=highlight, minimum=minimum, notes=notes),
            key=f"ind-map-{filters.scheme}-{version}", height=620)
map_notes = [f"{source}.", "Klassengrenzen berekend op heel Vlaanderen; ze blijven gelijk bij filteren."]
if (flanders["flag"] == FLAG_MERGED).any() or (flanders["flag"] == FLAG_APPROXIMATE).any():
    holders = int((flanders["flag"] == FLAG_APPROXIMATE).sum())
    parts = int((flanders["flag"] == FLAG_MERGED).sum())
    map_notes.append(
        f"Benadering: voor de {format_number(holders + parts)} gemeenten die op 1 januari 2025 fuseerden geeft de "
        f"bron in {year} alleen het cijfer van de fusiegemeente. Op de kaart 2019-2024 draagt het grootste deel "
        f"(inwoners 2020) dat cijfer ({format_number(holders)} gemeenten, gekleurd, 'benadering' in de tooltip); "
        f"de andere {format_number(parts)} delen hebben geen eigen cijfer ('cijfer zit in ...', gearceerd). In "
        "verbanden en groepen gaat het hele cijfer naar de groep met het grootste deel: exact als alle delen erin "
        "zitten, anders een benadering (zo gemarkeerd). Kies de kaart vanaf 2025 voor de cijfers zonder benadering.")
if not entry.aggregatable:
    map_notes.append("Deze graad kan niet per groep herberekend worden (de bron geeft geen teller en noemer).")
st.caption(" ".join(map_notes))
described = state.filter_text(view, filters)
downloads.print_downloads(
    lambda orientation: indicator_print_map(view, mask, described, indicator_id, year, values, method, k, orientation,
                                            highlight, catalogue=catalogue),
    downloads.file_stem("regiekaart", indicator_id, str(year), METHOD_NAMES.get(method, method), f"{k} klassen"), "ind-print")
with st.expander("Over deze indicator"):
    st.markdown(entry.description)

in_view = flanders[flanders["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]

# --- histogram -------------------------------------------------------------------------------------------------
known = in_view[in_view["flag"].isin(VALUE_FLAGS)]
if len(known):
    chart = alt.Chart(known).mark_bar(color="#E6550D").encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=f"{entry.label} ({entry.unit})",
                axis=alt.Axis(labelExpr=widgets.BELGIAN_AXIS_LABELS)),
        y=alt.Y("count():Q", title="Aantal gemeenten", axis=alt.Axis(format="d", tickMinStep=1)))
    rules = alt.Chart(pd.DataFrame({"grens": breaks[:-1]})).mark_rule(color="#333333", strokeDash=[4, 3]).encode(
        x="grens:Q")
    st.altair_chart((chart + rules).properties(height=220), width="stretch")
    st.caption(f"Verdeling over {format_number(len(known))} gemeenten in beeld; stippellijnen: klassengrenzen. "
               f"Zonder cijfer: {format_number(len(in_view) - len(known))}.")

# --- table per municipality --------------------------------------------------------------------------------------
status = view.status.set_index("nis")
partnership_names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
table = pd.DataFrame({
    "NIS": in_view["nis"].to_numpy(),
    "Gemeente": in_view["nis"].map(names).to_numpy(),
    "Provincie": in_view["nis"].map(status["province"]).to_numpy(),
    "Status": in_view["nis"].map(status["status"]).map(STATUS_LABELS_NL).to_numpy(),
    "Verband(en)": in_view["nis"].map(status["partnership_ids"]).map(
        lambda ids: ", ".join(partnership_names.get(i, i) for i in ids) if isinstance(ids, tuple) and ids
        else "geen gekend verband").to_numpy(),
    f"{entry.label} {year}": in_view["value"].to_numpy(),
    "Toelichting": [flag_text(flag, nis, notes) for nis, flag in zip(in_view["nis"], in_view["flag"])],
})
table = table[["NIS", "Gemeente", f"{entry.label} {year}", "Toelichting", "Provincie", "Status", "Verband(en)"]]
st.subheader("Per gemeente")
# On screen the value column has a short header (the indicator is chosen right above; the downloads keep its full
# name) and the explanation room to be read: "cijfer zit in Antwerpen (fusie 2025)".
SHORT_VALUE = f"Waarde {year}" + (f" ({entry.unit})" if entry.unit else "")
downloads.show_table(table, numbers={f"{entry.label} {year}": entry.decimals}, height=360,
                     download=(downloads.file_stem("regiekaart", indicator_id, str(year)), "Indicator"), key="ind-table",
                     column_config={f"{entry.label} {year}": SHORT_VALUE,
                                    "Toelichting": st.column_config.TextColumn("Toelichting", width="large")})

# --- per partnership ---------------------------------------------------------------------------------------------
codes_in_view = set(view.municipalities.loc[mask, "nis"])
st.subheader("Per samenwerkingsverband")
if not entry.aggregatable:
    st.info(f"{entry.label} kan niet per verband berekend worden: er is geen teller en noemer, en een gemiddelde "
            "van gemeentelijke graden zou een ander cijfer geven dan het echte.")
else:
    per_partnership = ind.aggregate_by_partnership(values, view.scheme.memberships, view.scheme.partnerships,
                                                   entry, year, units, codes=view.municipalities["nis"],
                                                   catalogue=catalogue)
    members = view.scheme.memberships
    shown_ids = set(members.loc[members["nis"].isin(codes_in_view), "partnership_id"])
    per_partnership = per_partnership[per_partnership["partnership_id"].isin(shown_ids)]
    how = "som" if entry.kind == COUNT else "herberekend uit teller en noemer (geen gemiddelde)"
    records = per_partnership.to_dict("records")
    part_table = pd.DataFrame({
        "Samenwerkingsverband": per_partnership["name"].to_numpy(),
        f"{entry.label} {year}": per_partnership["value"].to_numpy(),
        "Benadering": per_partnership["approximate"].map({True: "ja", False: "nee"}).to_numpy(),
        "Gemeenten": per_partnership["n_municipalities"].to_numpy(),
        "Met cijfer": per_partnership["n_with_value"].to_numpy(),
        "Ook in ander verband": per_partnership["n_shared"].to_numpy(),
        "Zonder cijfer": [ind.left_out_text(row, names, notes) for row in records],
        "Toelichting benadering": [ind.approximate_text(row, names, notes) for row in records],
    })
    downloads.show_table(part_table, numbers={f"{entry.label} {year}": entry.decimals, "Gemeenten": 0, "Met cijfer": 0,
                                       "Ook in ander verband": 0},
                         download=(downloads.file_stem("regiekaart", indicator_id, str(year), "verbanden"), "Verbanden"),
                         key="ind-part", column_config={f"{entry.label} {year}": SHORT_VALUE,
                                                        "Toelichting benadering": None})
    st.caption(f"Waarde per verband: {how}. Een gemeente in meer dan één verband telt in elk verband mee, dus de "
               "verbanden samen kunnen meer zijn dan Vlaanderen. 'Benadering': het verband bevat het grootste deel "
               "van een fusiegemeente van 2025 maar niet al haar delen, en telt het hele cijfer van de fusiegemeente "
               "mee. 'Zonder cijfer': onbekend, geheim, of een deel van een fusiegemeente waarvan het cijfer in het "
               "grootste deel zit, buiten het verband.")

# --- need versus coverage ----------------------------------------------------------------------------------------
st.subheader("Nood en dekking")
status_in_view = view.status[view.status["nis"].isin(codes_in_view)]
if entry.aggregatable:
    need = ind.need_versus_coverage(values, status_in_view, entry, year, units, catalogue)
    st.markdown(ind.need_sentence(need, entry, year, catalogue, names=names.to_dict(), notes=notes))
    need_records = need.to_dict("records")
    value_column = f"{entry.label} {year}"
    need_table = pd.DataFrame({
        "Groep": need["label"].to_numpy(),
        value_column: need["value"].to_numpy(),
        "Aandeel": need["share"].to_numpy(),
        "Benadering": need["approximate"].map({True: "ja", False: "nee"}).to_numpy(),
        "Gemeenten": need["n_municipalities"].to_numpy(),
        "Met cijfer": need["n_with_value"].to_numpy(),
        "Zonder cijfer": (need["n_missing"] + need["n_suppressed"]).to_numpy(),
        "Cijfer in andere groep": need["n_elsewhere"].to_numpy(),
        "Niet meegeteld": [ind.left_out_text(row, names, notes) for row in need_records],
        "Toelichting benadering": [ind.approximate_text(row, names, notes) for row in need_records],
    })
    if entry.kind != COUNT:
        need_table = need_table.drop(columns="Aandeel")
    downloads.show_table(need_table, numbers={value_column: entry.decimals, "Gemeenten": 0,
                                              "Met cijfer": 0, "Zonder cijfer": 0, "Cijfer in andere groep": 0},
                         percents={"Aandeel": 1},
                         download=(downloads.file_stem("regiekaart-nood-dekking", indicator_id, str(year)), "Nood en dekking"),
                         key="ind-need",
                         # A short header on screen (the indicator is named above); the names left out are in the
                         # sentence above and in the downloads, the toolbar can show them.
                         column_config={value_column: SHORT_VALUE, "Niet meegeteld": None,
                                        "Toelichting benadering": None})
    st.caption("Gemeenten = met cijfer + zonder cijfer + cijfer in andere groep. De drie groepen (gekend verband, "
               "neemt niet deel, onbekend) tellen op tot het totaal, over dezelfde gemeenten. 'Cijfer in andere "
               "groep': een deel van een fusiegemeente van 2025 waarvan het cijfer bij het grootste deel zit, in een "
               "andere groep; die groep is dan een benadering.")
else:
    st.info("Kies een indicator die per groep berekend kan worden (bv. niet-werkende werkzoekenden of de totale "
            "werkzoekendengraad) om nood en dekking te vergelijken.")

st.subheader("Gemeenten zonder gekend verband, volgens nood")
context = "nwwz" if indicator_id in ("werkzoekendengraad", "beroepsbevolking") else None
ranking = ind.rank_not_covered(values, status_in_view, entry, year, context=context, catalogue=catalogue)
if ranking.empty:
    st.success("Elke gemeente in deze selectie zit in een gekend samenwerkingsverband.")
else:
    direction = "hoogste" if entry.higher_is_worse is not False else "laagste"
    ranking_table = pd.DataFrame({
        "Rang": ranking["rank"].to_numpy(),
        "Gemeente": ranking["nis"].map(names).to_numpy(),
        "NIS": ranking["nis"].to_numpy(),
        "Status": ranking["status"].map(STATUS_LABELS_NL).to_numpy(),
        f"{entry.label} {year}": ranking["value"].to_numpy(),
        "Toelichting": [flag_text(flag, nis, notes) for nis, flag in zip(ranking["nis"], ranking["flag"])],
    })
    numbers = {"Rang": 0, f"{entry.label} {year}": entry.decimals}
    headers = {f"{entry.label} {year}": SHORT_VALUE,
               "Toelichting": st.column_config.TextColumn("Toelichting", width="large")}
    if context:
        label = catalogue[context].label
        ranking_table.insert(5, f"{label} {year}", ranking["context_value"].to_numpy())
        numbers[f"{label} {year}"] = 0
        headers[f"{label} {year}"] = f"{label.split(' (')[0]} {year}"
    downloads.show_table(ranking_table, numbers=numbers, height=360,
                         download=(downloads.file_stem("regiekaart-nood-zonder-verband", indicator_id, str(year)),
                            "Rangschikking"), key="ind-rank", column_config=headers)
    st.caption(f"Gesorteerd op {entry.label.lower()}, {direction} eerst; gemeenten zonder cijfer onderaan. "
               "'Onbekend' betekent: geen bron gevonden, niet: neemt niet deel.")
