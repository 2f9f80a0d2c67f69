"""Gegevens: upload a list of regisseurs (any shape) and compare it with the reconstruction, upload an indicator,
download templates, and see every source with its licence."""

import pandas as pd
import streamlit as st

from analysis.coverage import confidence_nl
from ui import downloads, indicator_upload, membership_upload, provenance


def partnerships_table_nl(scheme) -> pd.DataFrame:
    """The scheme's partnerships with Dutch headers and words; no centre city is "geen", not unknown."""
    partnerships = scheme.partnerships
    return pd.DataFrame({
        "Code": partnerships["partnership_id"],
        "Samenwerkingsverband": partnerships["name"],
        "Rechtsvorm": partnerships["legal_form"],
        "Centrumstad": partnerships["centre_city"].fillna("geen"),
        "NIS centrumstad": partnerships["centre_city_nis"],
        "Centrumstad alleen": partnerships["standalone"].map({True: "ja", False: "nee"}),
        "Periode": partnerships["period"],
        "Betrouwbaarheid": partnerships["confidence"].map(confidence_nl),
        "Toelichting": partnerships["notes"],
    })


def memberships_table_nl(scheme) -> pd.DataFrame:
    """The scheme's membership rows with Dutch headers, in the upload format: a download can be edited and
    uploaded again as a scenario."""
    memberships = scheme.memberships
    names = dict(zip(scheme.partnerships["partnership_id"], scheme.partnerships["name"]))
    return pd.DataFrame({
        "Samenwerkingsverband": memberships["partnership_id"].map(names).fillna(memberships["partnership_id"]),
        "NIS": memberships["nis"],
        "Gemeente": memberships["municipality"],
        "Rol": memberships["role"],
        "Betrouwbaarheid": memberships["confidence"].map(confidence_nl),
        "Bron": memberships["source"],
        "Toelichting": memberships["evidence"],
    })


st.title("Gegevens en bronnen")

membership_upload.render()
indicator_upload.render()

st.header("Gereconstrueerd lidmaatschap 2020-2025")
from analysis.datasets import regie_scheme  # noqa: E402
from geodata.membership import official_totals  # noqa: E402

scheme = regie_scheme()
st.markdown(
    "Er bestaat geen publieke officiële lijst van de 34 samenwerkingsverbanden 2020-2025. Regiekaart reconstrueert "
    "ze uit gemeentelijke en regionale websites en verhalen op socialeeconomie.be. Elke rij heeft een bron en een "
    "betrouwbaarheid: **bevestigd** (een bron noemt zowel de regierol als het lid) of **vermoedelijk** (de regierol "
    "is gedocumenteerd maar het lidmaatschap is afgeleid of uit een andere periode). Gemeenten zonder rij zijn "
    "**onbekend**, niet 'niet deelnemend'. Tegenstrijdige bronnen blijven zichtbaar als overlapping.")
official = official_totals()
st.subheader("Officiële cijfers")
official_rows = []
for key, item in official.items():
    item = item if isinstance(item, dict) else {"value": item}
    share = item.get("unit") == "aandeel"  # shares as percentages, like everywhere else on the dashboard
    official_rows.append({"Officieel cijfer": item.get("label") or key,
                          "Waarde": item.get("value") * 100 if share and item.get("value") is not None
                          else item.get("value"),
                          "Eenheid": "%" if share else item.get("unit", ""), "Toelichting": item.get("note", ""),
                          "Bron": item.get("source", ""), "Sleutel": key})
official_table = pd.DataFrame(official_rows)
downloads.show_table(official_table, numbers={"Waarde": None}, download=("regiekaart-officiele-cijfers", "Officieel"),
                     key="official-table", column_config={"Bron": st.column_config.LinkColumn("Bron")})
st.subheader("Verbanden")
downloads.show_table(partnerships_table_nl(scheme), download=("regiekaart-verbanden-2020-2025", "Verbanden"),
                     key="bundled-partnerships")
st.subheader("Lidmaatschap met bronnen")
downloads.show_table(memberships_table_nl(scheme), download=("regiekaart-lidmaatschap-2020-2025", "Lidmaatschap"),
                     key="bundled-memberships")

st.header("Bronnen en licenties")
downloads.show_table(provenance.sources_frame(), download=("regiekaart-bronnen-en-licenties", "Bronnen"), key="sources-table",
                     column_config={"URL": st.column_config.LinkColumn("URL")})
st.subheader("Herstelde fouten in de brongegevens")
downloads.show_table(provenance.repairs_frame(), download=("regiekaart-herstelde-fouten", "Herstellingen"), key="repairs-table")
