"""Subsidie: the 2020-2025 subsidy rules on any membership scenario, with an editable budget."""

import altair as alt
import pandas as pd
import streamlit as st

from analysis.formatting import format_eur
from analysis.subsidy import (
    BUDGET_2020_EUR, BUDGET_FROM_2023_EUR, SUBSIDY_BANDS_2020_2025, allocate_subsidies, subsidy_input_table, subsidy_totals,
)
from analysis.scenario import counted_partnership_rows
from pages import downloads, ui

filters = ui.current_filters()
view = ui.current_view(filters)
st.title("Subsidiesimulator")
ui.data_banner(view)
filter_mask = ui.view_mask(view, filters)
ui.stop_if_empty(view, filters, filter_mask)
st.markdown(
    "Bedrag per regisseur volgens de regels 2020-2025: een bedrag per inwonersschijf, een verband met centrumstad "
    "krijgt hoogstens 50.000 euro meer dan de centrumstad alleen, een verband zonder centrumstad hoogstens "
    "50.000 euro. Is het budget te klein, dan gaan eerst de regisseurs met een centrumstad voor, daarna volgens "
    "de hoogste gemiddelde werkloosheidsgraad.")

presets = {"2020-2022": BUDGET_2020_EUR, "vanaf 2023": BUDGET_FROM_2023_EUR}
col_a, col_b, col_c = st.columns([1, 1, 1])
period = col_a.radio("Budgetjaar", list(presets), horizontal=True, key="subsidy-period")
budget = col_b.number_input("Budget (euro per jaar)", min_value=0, max_value=50_000_000, step=25_000,
                            value=presets[period], key=f"subsidy-budget-{period}")
partial = col_c.toggle("Laatste regisseur krijgt wat overblijft", value=True, key="subsidy-partial")

rates, rate_note = ui.unemployment_rates(view)
# The regisseurs the map counts (a partnership without known members has no inhabitants to fund).
regisseurs = counted_partnership_rows(view)
inputs = subsidy_input_table(view.municipalities, regisseurs, view.scheme.memberships)
allocation = allocate_subsidies(inputs, budget_eur=budget, unemployment_rate=rates, partial_funding=partial)
totals = subsidy_totals(allocation, budget)
st.caption(rate_note)
st.caption(ui.subsidy_scope_text(view, filters, filter_mask))
# Budget and totals are Flemish; with a filter the table and chart show the regisseurs within it.
allocation = allocation[allocation["partnership_id"].isin(set(ui.counted_partnerships(view, filters, filter_mask)))]

cards = st.columns(5)
cards[0].metric("Budget", format_eur(budget), border=True)  # the input above cannot show 2.225.000
cards[1].metric("Gevraagd", format_eur(totals["requested_eur"]), border=True)
cards[2].metric("Toegekend", format_eur(totals["funded_eur"]), border=True)
cards[3].metric("Tekort", format_eur(totals["shortfall_eur"]), border=True)
cards[4].metric("Gefinancierd", f"{totals['n_funded']} / {totals['n_eligible']}", border=True,
                help="regisseurs gefinancierd / subsidieerbare regisseurs")

table = allocation.assign(
    has_centre_city=allocation["has_centre_city"].map({True: "ja", False: "nee"}),
    funded=allocation["funded"].map({True: "ja", False: "nee"}),
)[["rank", "name", "has_centre_city", "population", "band", "base_amount_eur", "requested_amount_eur",
   "unemployment_rate", "funded_amount_eur", "funded", "reason"]].rename(columns={
    "rank": "Rang", "name": "Regisseur", "has_centre_city": "Centrumstad", "population": "Inwoners 2020",
    "band": "Schijf", "base_amount_eur": "Schijfbedrag", "requested_amount_eur": "Gevraagd",
    "unemployment_rate": "Werkloosheidsgraad (%)", "funded_amount_eur": "Toegekend", "funded": "Gefinancierd",
    "reason": "Toelichting"})
downloads.show_table(table, numbers={"Inwoners 2020": 0, "Werkloosheidsgraad (%)": 1},
                     euros=["Schijfbedrag", "Gevraagd", "Toegekend"], download=("regiekaart-subsidie", "Subsidie"),
                     key="subsidy-table")

st.subheader("Gevraagd en toegekend bedrag per regisseur")
# In the table's order (the funding order), each regisseur's request beside what it gets.
eligible = allocation[allocation["eligible"]].sort_values("rank")
bars = eligible.melt(id_vars=["rank", "name"], value_vars=["requested_amount_eur", "funded_amount_eur"],
                     var_name="bedrag", value_name="euro")
bars["bedrag"] = bars["bedrag"].map({"requested_amount_eur": "Gevraagd", "funded_amount_eur": "Toegekend"})
bars["euro_label"] = bars["euro"].map(format_eur)
chart = alt.Chart(bars).mark_bar().encode(
    y=alt.Y("name:N", sort=list(eligible["name"]), title=None, axis=alt.Axis(labelLimit=260)),
    yOffset=alt.YOffset("bedrag:N", sort=["Gevraagd", "Toegekend"]),
    x=alt.X("euro:Q", title="euro per jaar", axis=alt.Axis(labelExpr=ui.BELGIAN_AXIS_LABELS)),
    color=alt.Color("bedrag:N", sort=["Gevraagd", "Toegekend"], title=None, legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(domain=["Gevraagd", "Toegekend"], range=["#DDCC77", "#117733"])),
    tooltip=[alt.Tooltip("name:N", title="Regisseur"), alt.Tooltip("bedrag:N", title="Bedrag"),
             alt.Tooltip("euro_label:N", title="Euro")],
).properties(height=max(300, 26 * len(eligible)))
st.altair_chart(chart, width="stretch")

with st.expander("Inwonersschijven 2020-2025"):
    # The highest band has no upper bound: the band's name says so ("meer dan 500.000"), an empty cell would
    # read "onbekend".
    bands = pd.DataFrame({
        "Schijf (inwoners)": SUBSIDY_BANDS_2020_2025["band"].to_numpy(),
        "Vanaf (inwoners)": (SUBSIDY_BANDS_2020_2025["lower_exclusive"] + 1).to_numpy(),
        "Bedrag (euro per jaar)": SUBSIDY_BANDS_2020_2025["amount_eur"].to_numpy(),
    })
    downloads.show_table(bands, numbers={"Vanaf (inwoners)": 0}, euros=["Bedrag (euro per jaar)"],
                         download=("regiekaart-inwonersschijven-2020-2025", "Schijven"), key="bands-table")
