"""Samenwerkingsverbanden: one partnership on the map with its profile and sources."""

import pandas as pd
import streamlit as st

from analysis.coverage import confidence_nl
from analysis.export import partnership_table
from analysis.formatting import format_number, format_percent
from pages import downloads, ui
from pages.webmap import coverage_map

SIZE_CHECK_TEXT = {
    "binnen bereik": "binnen het officiële bereik 2020 (61.786 tot 301.550 inwoners)",
    "te groot": "groter dan het grootste verband van 2020 (301.550): deze reconstructie klopt vermoedelijk niet "
                "voor 2020",
    "te klein": "kleiner dan het kleinste verband van 2020 (61.786): deze reconstructie klopt vermoedelijk niet "
                "voor 2020",
}

filters = ui.current_filters()
view = ui.current_view(filters)
st.title("Samenwerkingsverbanden")
ui.data_banner(view)

options = ui.partnership_options(view)
in_view = set(view.scheme.memberships.loc[view.scheme.memberships["nis"].isin(
    set(view.municipalities.loc[ui.view_mask(view, filters), "nis"])), "partnership_id"])
choices = [pid for pid in options if pid != ui.ALL and (pid in in_view or filters.partnership == pid)]
if not choices:
    st.info("Geen samenwerkingsverbanden binnen deze filters.")
    st.stop()
if len(choices) < len(options) - 1:
    st.caption(f"{len(choices)} verbanden met leden binnen de filters ({ui.filter_text(view, filters)}).")
selected = filters.partnership if filters.partnership in choices else choices[0]
pid = st.selectbox("Kies een samenwerkingsverband", choices, index=choices.index(selected), format_func=options.get,
                   help="Ook te kiezen in de filter links; die keuze komt in de link.")
profile = view.profiles.set_index("partnership_id").loc[pid]
partnership = view.scheme.partnerships.set_index("partnership_id").loc[pid]

cards = st.columns(4)
cards[0].metric("Inwoners (2020)", format_number(profile["population"]), border=True)
cards[1].metric("Gemeenten", format_number(profile["n_members"]), border=True,
                help=f"bevestigd {format_number(profile['n_members_confirmed'])}, "
                     f"vermoedelijk {format_number(profile['n_members_suggestive'])}")
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
downloads.show_table(details_table, download=(downloads.file_stem("regiekaart-profiel", options[pid]), "Profiel"),
                     key="profile-table")

mask = view.municipalities["nis"].isin(set(view.scheme.memberships.loc[view.scheme.memberships["partnership_id"] == pid,
                                                                         "nis"]))
web = ui.cached_web_layer(filters.version)
ui.show_map(coverage_map(view, web, mask, source=ui.source_line(view), title=options[pid]),
            key=f"verband-map-{filters.scheme}-{filters.version}-{pid}", height=480)
st.caption(ui.source_line(view))
kind = "referentieregio" if filters.scheme == ui.SCHEME_REFREG else "samenwerkingsverband"
described = ui.filter_text(view, filters)
if filters.partnership != pid:
    described += f" · {kind} {options[pid]}"
downloads.print_figures(view, mask, filters, "coverage", downloads.file_stem("regiekaart", kind, options[pid]), "verband-print",
                        text=described, title=f"{kind.capitalize()} {options[pid]}", label_partnerships=True)

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
downloads.show_table(table, numbers={"Inwoners 2020": 0}, download=(downloads.file_stem("regiekaart-leden", options[pid]), "Leden"),
                     key="members-table")

st.subheader("Alle samenwerkingsverbanden")
# The report export's partnership table (analysis.export), with the columns that fit on screen.
overview = partnership_table(view)[[
    "Samenwerkingsverband", "Centrumstad", "Centrumstad alleen", "Gemeenten", "Inwoners 2020", "Aaneengesloten delen",
    "Subsidieerbaar", "Inwonertal tegenover officieel bereik 2020", "Hoofdreferentieregio",
    "Aandeel inwoners in hoofdreferentieregio (%)"]]
downloads.show_table(overview, numbers={"Gemeenten": 0, "Inwoners 2020": 0, "Aaneengesloten delen": 0,
                                       "Aandeel inwoners in hoofdreferentieregio (%)": 1},
                     download=("regiekaart-verbanden", "Verbanden"), key="profiles-table")
