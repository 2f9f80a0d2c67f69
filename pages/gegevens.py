"""Gegevens: upload a membership scenario, download templates, and see every source with its licence."""

import pandas as pd
import streamlit as st

from analysis.coverage import confidence_nl
from pages import downloads, indicator_upload, membership_upload, provenance, ui


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


def _use_upload(scheme) -> None:
    st.session_state["upload_scheme"] = scheme
    st.session_state.pop("upload_views", None)
    st.session_state["f_scheme"] = ui.SCHEME_UPLOAD


st.title("Gegevens en bronnen")

st.header("Eigen lidmaatschap opladen")
st.markdown(
    "Laad een CSV- of Excelbestand op met wie in welk samenwerkingsverband zit: het formaat van Regiekaart, "
    "of gewoon twee kolommen `gemeente;samenwerkingsverband` (of `nis;samenwerkingsverband`). Gemeentenamen "
    "mogen in hoofd- of kleine letters, met of zonder accenten, ook namen van vóór de fusies van 2025. "
    "De upload blijft alleen in deze browsersessie; de gebundelde gegevens worden nooit gewijzigd.")
template_csv, template_xlsx = membership_upload.membership_templates()
col_a, col_b = st.columns(2)
col_a.download_button("⬇ Sjabloon (CSV)", template_csv, file_name="regiekaart-sjabloon-lidmaatschap.csv",
                      mime="text/csv", on_click="ignore")
col_b.download_button("⬇ Sjabloon (Excel)", template_xlsx, file_name="regiekaart-sjabloon-lidmaatschap.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
upload = st.file_uploader("Lidmaatschapsbestand (CSV of XLSX, max. 5 MB)", type=["csv", "xlsx", "txt"],
                          key="membership-upload")
if upload is not None:
    scheme, problems = membership_upload.read_membership_upload(upload.getvalue(), upload.name)
    errors = [p for p in problems if p.is_error]
    if problems:
        (st.error if errors else st.warning)(
            f"{len(errors)} fouten en {len(problems) - len(errors)} waarschuwingen in {upload.name}.")
        downloads.show_table(pd.DataFrame([p.as_row() for p in problems]), numbers={"Rij": 0},
                             download=(downloads.file_stem("regiekaart-problemen", upload.name), "Problemen"),
                             key="membership-problems")
    if scheme is not None and not errors:
        st.success(f"{upload.name}: {len(scheme.partnerships)} verbanden, {len(scheme.memberships)} lidmaatschappen "
                   "gelezen.")
        # A callback runs before the next run: only then may the sidebar's scheme (a widget) be changed.
        st.button("Gebruik deze upload op alle pagina's", type="primary", on_click=_use_upload, args=(scheme,))
if ui.uploaded_scheme() is not None:
    st.info(f"Actieve upload: {ui.uploaded_scheme().label}. Kies 'Eigen upload' bij Indeling om ze te bekijken.")
    if st.button("Upload vergeten"):
        st.session_state.pop("upload_scheme", None)
        st.session_state.pop("upload_views", None)
        st.rerun()

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
