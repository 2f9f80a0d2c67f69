"""Subsidie: the 2020-2025 subsidy rules on any membership scenario, with an editable budget."""

import altair as alt
import pandas as pd
import streamlit as st

from analysis.export import SUBSIDY_RATE_COLUMN
from analysis.formatting import format_eur
from analysis.indicators import SUBSIDY_YEAR
from analysis.scenario import counted_partnership_rows
from analysis.subsidy import SUBSIDY_BANDS_2020_2025, allocate_subsidies, subsidy_input_table, subsidy_totals
from ui import downloads, state, views, widgets

filters = state.current_filters()
view = views.current_view(filters)
st.title("Subsidiesimulator")
widgets.data_banner(view)
filter_mask = state.view_mask(view, filters)
widgets.stop_if_empty(view, filters, filter_mask)
st.markdown(
    "Bedrag per regisseur volgens de regels 2020-2025: een bedrag per inwonersschijf, een verband met centrumstad "
    "krijgt hoogstens 50.000 euro meer dan de centrumstad alleen, een verband zonder centrumstad hoogstens "
    "50.000 euro. Is het budget te klein, dan gaan eerst de regisseurs met een centrumstad voor, daarna volgens "
    f"de hoogste werkzoekendengraad ({SUBSIDY_YEAR}, VDAB; de oproep spreekt van werkloosheidsgraad).")

col_a, col_b, col_c = st.columns([1, 1, 1])
budget = widgets.budget_input("subsidy", col_a, col_b)
partial = col_c.toggle("Laatste regisseur krijgt wat overblijft", value=True, key="subsidy-partial")
budget_text = widgets.euro_text(budget)

rates, rate_note = views.unemployment_rates(view)
# The regisseurs the map counts (a partnership without known members has no inhabitants to fund).
regisseurs = counted_partnership_rows(view)
inputs = subsidy_input_table(view.municipalities, regisseurs, view.scheme.memberships)
allocation = allocate_subsidies(inputs, budget_eur=budget, unemployment_rate=rates, partial_funding=partial)
totals = subsidy_totals(allocation, budget)
st.caption(rate_note)
st.caption(widgets.subsidy_scope_text(view, filters, filter_mask))
# Budget and totals are Flemish; with a filter the table and chart show the regisseurs within it.
allocation = allocation[allocation["partnership_id"].isin(set(state.counted_partnerships(view, filters, filter_mask)))]

# Two rows of three: five or six cards in one row cut "€ 1.650.000" off at 1280 px.
first, second = st.columns(3), st.columns(3)
first[0].metric("Budget", budget_text, border=True)
first[1].metric("Gevraagd", widgets.euro_text(totals["requested_eur"]), border=True,
                help="wat de subsidieerbare regisseurs samen kunnen vragen volgens schijf en plafond")
first[2].metric("Toegekend", widgets.euro_text(totals["funded_eur"]), border=True)
second[0].metric("Tekort", widgets.euro_text(totals["shortfall_eur"]), border=True, help="gevraagd min toegekend")
second[1].metric("Resterend budget", widgets.euro_text(totals["remaining_budget_eur"]), border=True,
                 help="budget min toegekend")
second[2].metric("Gefinancierd", f"{totals['n_funded']} / {totals['n_eligible']}", border=True,
                 help="regisseurs gefinancierd / subsidieerbare regisseurs")

table = allocation.assign(
    has_centre_city=allocation["has_centre_city"].map({True: "ja", False: "nee"}),
    unemployment_rate_approximate=allocation["unemployment_rate_approximate"].map({True: "ja", False: "nee"}),
)[["rank", "name", "funded_amount_eur", "requested_amount_eur", "reason_code", "unemployment_rate",
   "unemployment_rate_approximate", "has_centre_city", "population", "band", "base_amount_eur", "reason"]].rename(columns={
    "rank": "Rang", "name": "Regisseur", "has_centre_city": "Centrumstad", "population": "Inwoners 2020",
    "band": "Schijf", "base_amount_eur": "Schijfbedrag", "requested_amount_eur": "Gevraagd",
    "unemployment_rate": SUBSIDY_RATE_COLUMN, "unemployment_rate_approximate": "Graad is benadering",
    "funded_amount_eur": "Toegekend", "reason_code": "Waarom", "reason": "Toelichting"})
# The award and its short reason ("Waarom") come right after the name, so they are visible without scrolling
# sideways; the full explanation is too long for a cell and is listed below the table (and is in the downloads).
downloads.show_table(table, numbers={"Inwoners 2020": 0, SUBSIDY_RATE_COLUMN: 1},
                     euros=["Schijfbedrag", "Gevraagd", "Toegekend"], download=("regiekaart-subsidie", "Subsidie"),
                     key="subsidy-table", column_config={"Toelichting": None, "Graad is benadering": None})
st.caption("Waarom: volledig / gedeeltelijk / niet: budget op / niet subsidieerbaar; voorrang = centrumstad "
           "betrokken; begrensd = plafond toegepast; graad benaderd = werkzoekendengraad van een fusiegemeente "
           "(2025) voor haar grootste deel; graad onbekend = achteraan in de groep gerangschikt. De volledige "
           "toelichting staat hieronder en in de downloads.")
with st.expander("Toelichting per regisseur", expanded=False):
    st.markdown("\n".join(
        f"- **{'' if pd.isna(row.rank) else f'{row.rank}. '}{widgets.markdown_text(row.name)}**: {widgets.markdown_text(row.reason)}"
        for row in allocation.itertuples()))

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
    x=alt.X("euro:Q", title="euro per jaar", axis=alt.Axis(labelExpr=widgets.BELGIAN_AXIS_LABELS)),
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
