"""Subsidie: the 2020-2025 subsidy rules on any membership scenario, with an editable budget."""

import re

import altair as alt
import pandas as pd
import streamlit as st

from analysis.export import SUBSIDY_RATE_COLUMN
from analysis.formatting import AmountError, format_amount, format_eur, parse_amount
from analysis.indicators import SUBSIDY_YEAR
from analysis.scenario import counted_partnership_rows
from analysis.subsidy import (
    BUDGET_2020_EUR,
    BUDGET_FROM_2023_EUR,
    SUBSIDY_BANDS_2020_2025,
    allocate_subsidies,
    subsidy_input_table,
    subsidy_totals,
)
from ui import downloads, state, views, widgets

BUDGET_KEY = "subsidy-budget-eur"  # the last valid budget (euro); kept across pages and invalid input
TEXT_KEY = "subsidy-budget-text"  # the text box
ERROR_KEY = "subsidy-budget-error"  # the Dutch message about the last refused input
MAX_BUDGET_EUR = 50_000_000
PRESETS = {"2020-2022": BUDGET_2020_EUR, "vanaf 2023": BUDGET_FROM_2023_EUR}


def markdown_text(text: str) -> str:
    """Text shown as Markdown exactly as written (names from an upload, typed input): special characters escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def use_budget(amount: float) -> None:
    st.session_state[BUDGET_KEY] = amount
    st.session_state[TEXT_KEY] = format_amount(amount)
    st.session_state.pop(ERROR_KEY, None)


def fill_preset() -> None:
    use_budget(PRESETS[st.session_state["subsidy-period"]])


def read_budget() -> None:
    """Take the typed budget when it is a Belgian amount; else keep the last valid one and say why."""
    try:
        use_budget(parse_amount(st.session_state[TEXT_KEY], maximum=MAX_BUDGET_EUR))
    except AmountError as error:
        st.session_state[ERROR_KEY] = str(error)


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

if BUDGET_KEY not in st.session_state:
    st.session_state[BUDGET_KEY] = PRESETS["2020-2022"]
if TEXT_KEY not in st.session_state:  # also after visiting another page, which drops the widget's state
    st.session_state[TEXT_KEY] = format_amount(st.session_state[BUDGET_KEY])
col_a, col_b, col_c = st.columns([1, 1, 1])
col_a.radio("Budgetjaar", list(PRESETS), horizontal=True, key="subsidy-period", on_change=fill_preset,
            help="Vult het jaarbudget van die periode in (2.225.000 euro voor 2020-2022, 3.000.000 euro vanaf "
                 "2023); daarna kun je het aanpassen.")
col_b.text_input("Budget (euro per jaar)", key=TEXT_KEY, on_change=read_budget,
                 help="In Belgische notatie: 3.000.000 of 2.225.000,50 (punt tussen de duizendtallen, komma voor "
                      "de cent). Druk op Enter om te herberekenen.")
partial = col_c.toggle("Laatste regisseur krijgt wat overblijft", value=True, key="subsidy-partial")
budget = float(st.session_state[BUDGET_KEY])
budget_text = format_eur(budget, 0 if budget.is_integer() else 2)
if st.session_state.get(ERROR_KEY):
    st.error(markdown_text(st.session_state[ERROR_KEY]) + f" Er wordt gerekend met het laatste geldige budget: "
             f"{markdown_text(budget_text)}.")

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

def euro_text(amount: float) -> str:
    return format_eur(amount, 0 if float(amount).is_integer() else 2)


# Two rows of three: five or six cards in one row cut "€ 1.650.000" off at 1280 px.
first, second = st.columns(3), st.columns(3)
first[0].metric("Budget", budget_text, border=True)
first[1].metric("Gevraagd", euro_text(totals["requested_eur"]), border=True,
                help="wat de subsidieerbare regisseurs samen kunnen vragen volgens schijf en plafond")
first[2].metric("Toegekend", euro_text(totals["funded_eur"]), border=True)
second[0].metric("Tekort", euro_text(totals["shortfall_eur"]), border=True, help="gevraagd min toegekend")
second[1].metric("Resterend budget", euro_text(totals["remaining_budget_eur"]), border=True,
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
        f"- **{'' if pd.isna(row.rank) else f'{row.rank}. '}{markdown_text(row.name)}**: {markdown_text(row.reason)}"
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
