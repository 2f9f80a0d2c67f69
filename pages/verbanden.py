"""Samenwerkingsverbanden: one partnership on the map with its profile and sources."""

import pandas as pd
import streamlit as st

from analysis.coverage import (
    confidence_nl,
    counted_partnership_ids,
    partnership_counts,
    partnerships_without_members,
    regisseurs_text,
)
from analysis.export import partnership_table
from analysis.filters import memberless_explanation
from analysis.formatting import format_number, format_percent
from geodata import vocabulary
from ui import downloads, state, views, widgets
from ui.webmap import coverage_map

SIZE_CHECK_TEXT = {
    "binnen bereik": "binnen het officiële bereik 2020 (61.786 tot 301.550 inwoners)",
    "te groot": "groter dan het grootste verband van 2020 (301.550): deze reconstructie klopt vermoedelijk niet "
                "voor 2020",
    "te klein": "kleiner dan het kleinste verband van 2020 (61.786): deze reconstructie klopt vermoedelijk niet "
                "voor 2020",
}

filters = state.current_filters()
view = views.current_view(filters)
st.title("Samenwerkingsverbanden")
widgets.data_banner(view)
partnerships_table = view.scheme.partnerships
options = state.partnership_options(view)  # names, a partnership without known members marked as such
plain_names = dict(zip(partnerships_table["partnership_id"], partnerships_table["name"]))
memberless = partnerships_without_members(partnerships_table, view.scheme.memberships, view.municipalities["nis"])


def overview() -> None:
    """Every partnership of the scheme: the report export's partnership table (analysis.export), with the columns
    that fit on screen; one without known members is marked as such."""
    st.subheader("Alle samenwerkingsverbanden")
    everything = partnership_counts(partnerships_table, counted_partnership_ids(
        partnerships_table, view.scheme.memberships, view.municipalities["nis"]))
    note = f"{regisseurs_text(everything)} op de kaart."
    if memberless:
        note += (" Zonder gekende leden, niet meegeteld en niet op de kaart: "
                 + ", ".join(plain_names[pid] for pid in memberless) + ".")
    st.caption(note + " 'Gemeenten' telt alle gemeenten van een verband op de kaart; een gemeente in meer dan één "
               "verband telt bij elk van die verbanden mee.")
    table = partnership_table(view)[[
        "ID", "Samenwerkingsverband", "Centrumstad", "Centrumstad alleen", "Gemeenten", "Inwoners 2020",
        "Aaneengesloten delen", "Subsidieerbaar", "Inwonertal tegenover officieel bereik 2020", "Hoofdreferentieregio",
        "Aandeel inwoners in hoofdreferentieregio (%)"]]
    table["Samenwerkingsverband"] = [options.get(pid, name)
                                     for pid, name in zip(table["ID"], table["Samenwerkingsverband"])]
    downloads.show_table(table.drop(columns="ID"),
                         numbers={"Gemeenten": 0, "Inwoners 2020": 0, "Aaneengesloten delen": 0,
                                  "Aandeel inwoners in hoofdreferentieregio (%)": 1},
                         download=("regiekaart-verbanden", "Verbanden"), key="profiles-table")


filter_mask = state.view_mask(view, filters)
counted = set(state.counted_partnerships(view, filters, filter_mask))
# Partnerships without known members are listed (last) where the filters could hold them: no province or
# referentieregio chosen, and the centre-city and partnership filters let them through.
listed_memberless = [pid for pid in memberless if pid in state.partnership_options(view, filters)
                     and filters.partnership in (state.ALL, pid)]
choices = [pid for pid in options if pid in counted] + [pid for pid in options if pid in listed_memberless]
if not choices:
    widgets.stop_if_empty(view, filters, filter_mask)
    st.info("Geen samenwerkingsverbanden binnen deze filters.")
    st.stop()
shown = regisseurs_text(partnership_counts(partnerships_table, counted))
caption = f"{shown} met gemeenten binnen de filters ({state.filter_text(view, filters)})."
if listed_memberless:
    caption += (" Onderaan de lijst, zonder gekende leden en niet meegeteld: "
                + ", ".join(plain_names[pid] for pid in listed_memberless) + ".")
st.caption(caption)
selected = filters.partnership if filters.partnership in choices else choices[0]
pid = st.selectbox("Kies een samenwerkingsverband", choices, index=choices.index(selected), format_func=options.get,
                   help="Ook te kiezen in de filter links; die keuze komt in de link.")
if pid in memberless:
    st.info(memberless_explanation(partnerships_table, pid), icon=":material/info:")
    overview()
    st.stop()
profile = view.profiles.set_index("partnership_id").loc[pid]
partnership = view.scheme.partnerships.set_index("partnership_id").loc[pid]

cards = st.columns(4)
cards[0].metric("Inwoners (2020)", format_number(profile["population"]), border=True)
cards[1].metric("Gemeenten", format_number(profile["n_members"]), border=True,
                help="Alle gemeenten van het verband op de kaart, bevestigd of vermoedelijk; een gemeente in meer dan "
                     f"één verband telt bij elk van die verbanden mee. Bevestigd "
                     f"{format_number(profile['n_members_confirmed'])}, vermoedelijk "
                     f"{format_number(profile['n_members_suggestive'])}.")
cards[2].metric("Aaneengesloten delen", format_number(profile["n_parts"]), border=True,
                help="1 = één aaneengesloten gebied; meer = er zijn exclaves")
cards[3].metric("Subsidieerbaar", "ja" if profile["eligible"] else "nee", border=True,
                help=profile["eligibility_reason"])

details = {
    "Rechtsvorm": partnership.get("legal_form"),
    "Centrumstad": partnership.get("centre_city") if pd.notna(partnership.get("centre_city")) else "geen",
    "Alleen regisseur (centrumstad)": "ja" if bool(partnership.get("standalone")) else "nee",
    "Periode": partnership.get("period"),
    "Subsidieerbaarheid": profile["eligibility_reason"],
    "Inwonertal tegenover officieel bereik": SIZE_CHECK_TEXT.get(profile["official_size_check"], "niet van toepassing"),
    "Exclaves": ", ".join(profile["exclave_members"]) if len(profile["exclave_members"]) else "geen",
    "Hoofdreferentieregio": (f"{profile['main_region_name']} ({format_percent(profile['main_region_population_share'])}"
                             " van de inwoners)") if isinstance(profile["main_region_name"], str) else "onbekend",
    "Referentieregio's doorkruist": format_number(profile["n_regions"]),
}
details_table = pd.DataFrame({"Kenmerk": list(details),
                              "Waarde": [str(v) if v is not None and v == v else "onbekend" for v in details.values()]})
map_parts = ([] if filters.version == "2019" else [f"gemeenten {filters.version}"])
downloads.show_table(details_table, download=(downloads.file_stem("regiekaart-profiel", plain_names[pid], *map_parts),
                                              "Profiel"), key="profile-table")

mask = view.municipalities["nis"].isin(set(view.scheme.memberships.loc[view.scheme.memberships["partnership_id"] == pid,
                                                                         "nis"]))
web = views.cached_web_layer(filters.version)
# The map of one partnership counts that partnership only; its overlap members are drawn (and named) as overlaps.
widgets.show_map(coverage_map(view, web, mask, source=widgets.source_line(view), title=plain_names[pid], counted=[pid]),
            key=f"verband-map-{filters.scheme}-{filters.version}", height=480)  # another partnership: same live map
st.caption(widgets.source_line(view))
kind = "referentieregio" if filters.scheme == vocabulary.SCHEME_REFREG else "samenwerkingsverband"
described = state.filter_text(view, filters)
if filters.partnership != pid:
    described += f" · {kind} {plain_names[pid]}"
downloads.print_figures(view, mask, filters, "coverage", downloads.file_stem("regiekaart", kind, plain_names[pid], *map_parts),
                        "verband-print", text=described, title=f"{kind.capitalize()} {plain_names[pid]}",
                        label_partnerships=True, counted=[pid])

st.subheader("Leden en bronnen")
members = view.scheme.memberships[view.scheme.memberships["partnership_id"] == pid]
names = view.municipalities.set_index("nis")["name"]
population = view.municipalities.set_index("nis")["population_2020"]
table = members.assign(name=members["nis"].map(names).fillna(members.get("municipality")),
                       confidence=members["confidence"].map(confidence_nl),
                       population=members["nis"].map(population))[
    ["nis", "name", "role", "confidence", "source", "evidence", "population"]].rename(columns={
        "nis": "NIS", "name": "Gemeente", "role": "Rol", "confidence": "Betrouwbaarheid", "source": "Bron",
        "evidence": "Toelichting", "population": "Inwoners 2020"})
downloads.show_table(table, numbers={"Inwoners 2020": 0},
                     download=(downloads.file_stem("regiekaart-leden", plain_names[pid], *map_parts), "Leden"),
                     key="members-table")

overview()
