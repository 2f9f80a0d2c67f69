"""The list upload of the Gegevens page: a file or pasted text in any shape, its problems, its comparison with the
reconstruction (counts, tables, diff map, totals check) and the button that makes it the scheme of every page.

The list lives only in this browser session; `render()` is called by the Gegevens page.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from analysis.datasets import build_view
from analysis.membership_list import check_totals, read_list, reconcile_with_reconstruction
from analysis.reconcile import (
    CATEGORIES,
    CATEGORY_LABELS,
    CATEGORY_WORDS,
    municipalities_table_nl,
    partnerships_table_nl,
    totals_table_nl,
)
from analysis.tables import to_xlsx_bytes
from geodata import vocabulary
from geodata.membership import membership_template_csv, membership_template_xlsx
from geodata.official_list import PASTED_TEXT
from geodata.uploads import count_text, problems_summary, problems_table, upload_label
from ui import downloads, state, views, widgets
from ui.webmap import reconciliation_map

RESULT_KEY = "list_result"  # the list read last: {"token", "name", "scheme", "problems", "analysis"}
SOURCE_KEY = "list_source"  # "file" or "paste": what the user gave last is what the page shows
PASTE_KEY = "list-paste"
PASTE_EXAMPLE = ("Interwaas: Beveren, Kruibeke, Sint-Gillis-Waas, Sint-Niklaas, Stekene, Temse en Zwijndrecht\n"
                 "Gent: Gent\n"
                 "Midwest\n"
                 "    Ardooie\n"
                 "    Izegem")


@st.cache_data(show_spinner=False)
def membership_templates() -> tuple[bytes, bytes]:
    """The upload template as CSV and as XLSX (bytes)."""
    return membership_template_csv(), membership_template_xlsx()


def _read(data: bytes | str, name: str) -> dict:
    """The list read once per content (a rerun reuses it), kept in this session only."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    token = hashlib.sha256(raw).hexdigest() + name
    result = st.session_state.get(RESULT_KEY)
    if result is None or result["token"] != token:
        with st.spinner("Lijst lezen…"):
            scheme, problems = read_list(data, name)
        result = {"token": token, "name": name, "scheme": scheme, "problems": problems, "analysis": None}
        st.session_state[RESULT_KEY] = result
    return result


def _analysis(result: dict) -> dict:
    """The list's view on the 2019-2024 map, its comparison with the reconstruction and its totals check."""
    if result["analysis"] is None:
        with st.spinner("Lijst vergelijken met de reconstructie…"):
            view = build_view(result["scheme"], "2019")
            result["analysis"] = {"view": view, "reconciliation": reconcile_with_reconstruction(result["scheme"]),
                                  "totals": check_totals(view)}
    return result["analysis"]


def _use_list(result: dict) -> None:
    """Make the list the scheme of every page (a callback: only then may the sidebar's scheme be changed)."""
    scheme = result["scheme"]
    st.session_state["upload_scheme"] = scheme
    # The view of the 2019-2024 map is already built: the pages start from it.
    st.session_state["upload_views"] = {(id(scheme), "2019"): result["analysis"]["view"]} \
        if result.get("analysis") else {}
    st.session_state["f_scheme"] = vocabulary.SCHEME_UPLOAD
    st.session_state.pop(state.UPLOAD_LINK_MISSING, None)


def _forget_list() -> None:
    st.session_state.pop("upload_scheme", None)
    st.session_state.pop("upload_views", None)


def render() -> None:
    """The upload section of the Gegevens page."""
    st.header("Eigen lijst van regisseurs opladen")
    st.markdown(
        "Laad de lijst van regisseurs op zoals u ze kreeg, als CSV- of Excelbestand, of plak ze als tekst. "
        "Regiekaart herkent: één rij per gemeente (`gemeente;samenwerkingsverband`, het sjabloon), één rij per "
        "regisseur met de gemeenten in één cel (`Interwaas;Beveren, Kruibeke en Temse`, ook met NIS-code: "
        "`Aalst (41002)`), één kolom per regisseur, één blad per regisseur, en tekst uit een pdf of webpagina "
        "(`Interwaas: Beveren, Kruibeke, ...` of de regisseur met de gemeenten op de regels eronder). Titels boven "
        "en opmerkingen onder de tabel mogen blijven staan. Gemeentenamen van vóór 2019 of van 2025, Franse namen, "
        "'St.-' en hoofdletters worden herkend. De lijst blijft alleen in deze browsersessie; de gebundelde gegevens "
        "worden nooit gewijzigd.")
    template_csv, template_xlsx = membership_templates()
    col_a, col_b = st.columns(2)
    col_a.download_button("⬇ Sjabloon (CSV)", template_csv, file_name="regiekaart-sjabloon-lidmaatschap.csv",
                          mime="text/csv", on_click="ignore")
    col_b.download_button("⬇ Sjabloon (Excel)", template_xlsx, file_name="regiekaart-sjabloon-lidmaatschap.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          on_click="ignore")
    file_tab, paste_tab = st.tabs(["Bestand opladen", "Tekst plakken"])
    with file_tab:
        upload = st.file_uploader(
            upload_label("Lijst of lidmaatschapsbestand"), type=["csv", "xlsx", "txt"], key="membership-upload",
            help="Een groter bestand weigert de browser meteen, nog voor Regiekaart het leest.",
            on_change=lambda: st.session_state.__setitem__(SOURCE_KEY, "file"))
    with paste_tab:
        st.text_area("Plak hier de lijst (tekst uit een pdf, webpagina of Excel)", key=PASTE_KEY, height=180,
                     placeholder=PASTE_EXAMPLE)
        st.button("Geplakte tekst lezen", key="list-paste-read", on_click=_read_pasted)

    result = None
    pasted = st.session_state.get(RESULT_KEY) if st.session_state.get(SOURCE_KEY) == "paste" else None
    if pasted is not None and pasted.get("pasted"):
        result = pasted
    elif upload is not None:
        result = _read(upload.getvalue(), upload.name)
    else:
        st.session_state.pop(RESULT_KEY, None)  # the file was removed
    if result is not None:
        _show_result(result)

    if views.uploaded_scheme() is not None:
        st.info(f"Actieve lijst op alle pagina's: {widgets.plain_markdown(views.uploaded_scheme().label)}. Kies ze bij "
                "Indeling in de "
                "zijbalk.", icon=":material/description:")
        st.button("Lijst vergeten", key="list-forget", on_click=_forget_list)


def _read_pasted() -> None:
    text = st.session_state.get(PASTE_KEY) or ""
    raw = text.encode("utf-8")
    token = hashlib.sha256(raw).hexdigest() + PASTED_TEXT
    scheme, problems = read_list(text, PASTED_TEXT)
    st.session_state[RESULT_KEY] = {"token": token, "name": PASTED_TEXT, "scheme": scheme, "problems": problems,
                                    "analysis": None, "pasted": True}
    st.session_state[SOURCE_KEY] = "paste"


def _show_result(result: dict) -> None:
    name, scheme, problems = result["name"], result["scheme"], result["problems"]
    errors = [p for p in problems if p.is_error]
    if problems:
        (st.error if errors else st.warning)(problems_summary(problems, widgets.plain_markdown(name)))
        downloads.show_table(problems_table(problems),
                             download=(downloads.file_stem("regiekaart-problemen", name), "Problemen"),
                             key="membership-problems")
    if scheme is None or errors:
        return
    partnerships = scheme.partnerships
    standalone = int(partnerships["standalone"].fillna(False).astype(bool).sum())
    st.success(f"{widgets.plain_markdown(name)}: {count_text(len(partnerships), 'regisseur', 'regisseurs')} "
               f"({count_text(len(partnerships) - standalone, 'samenwerkingsverband', 'samenwerkingsverbanden')} en "
               f"{count_text(standalone, 'centrumstad', 'centrumsteden')} alleen), "
               f"{count_text(scheme.memberships['nis'].nunique(), 'gemeente', 'gemeenten')} gelezen.")
    st.button("Gebruik deze upload op alle pagina's", type="primary", key="list-use", on_click=_use_list,
              args=(result,))
    _show_reconciliation(result)


def _show_reconciliation(result: dict) -> None:
    name = result["name"]
    analysis = _analysis(result)
    reconciliation, totals = analysis["reconciliation"], analysis["totals"]
    st.subheader("Vergelijking met de reconstructie")
    st.markdown("Elke gemeente van de lijst naast het gereconstrueerde lidmaatschap van Regiekaart. Elk verband van "
                "de lijst is gekoppeld aan het verband van de reconstructie waarmee het de meeste gemeenten deelt.")
    counts = reconciliation.counts
    columns = st.columns(len(CATEGORIES))
    for column, (key, label, _) in zip(columns, CATEGORIES):
        column.metric(label.split(":")[0], counts[key], help=label, border=True)
    web = views.cached_web_layer("2019")
    source = (f"{widgets.source_line(analysis['view'])}; vergelijking: {name} tegenover de reconstructie van Regiekaart")
    widgets.show_map(reconciliation_map(reconciliation.municipalities, web, source), key="list-diff-map")
    st.caption(source)

    stem = downloads.file_stem("regiekaart-vergelijking", name)
    municipalities = municipalities_table_nl(reconciliation)
    partnerships = partnerships_table_nl(reconciliation)
    totals_nl = totals_table_nl(totals)
    st.download_button("⬇ Volledig vergelijkingsrapport (Excel)",
                       lambda: to_xlsx_bytes({"Totalen": totals_nl, "Verbanden": partnerships,
                                              "Gemeenten": municipalities}),
                       file_name=f"{stem}.xlsx", key="list-report-xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    st.subheader("Totalen tegenover de officiële cijfers")
    agreeing = int(totals["agrees"].sum())
    st.markdown(f"{agreeing} van de {len(totals)} officiële cijfers kloppen met de lijst.")
    for row in totals.itertuples():
        icon = ":green[:material/check_circle:]" if row.agrees else ":orange[:material/error:]"
        st.markdown(f"{icon} {widgets.plain_markdown(row.sentence)}")
    downloads.show_table(totals_nl, numbers={"In de lijst": None, "Officieel": None, "Verschil": None},
                         download=(f"{stem}-totalen", "Totalen"), key="list-totals")
    st.caption("Officiële cijfers: socialeeconomie.be (8 april 2020); het aandeel van de bevolking in %, "
               "het verschil daarvan in procentpunt.")

    st.subheader("Verbanden: lijst en reconstructie naast elkaar")
    downloads.show_table(partnerships, numbers={"Overlap (%)": 1}, download=(f"{stem}-verbanden", "Verbanden"),
                         key="list-partnerships")
    st.subheader("Gemeenten")
    shown = st.multiselect("Toon", [key for key, _, _ in CATEGORIES],
                           default=[key for key, _, _ in CATEGORIES[:4]], format_func=CATEGORY_LABELS.get,
                           key="list-categories", placeholder="Kies een of meer uitkomsten")
    words = {CATEGORY_WORDS[key] for key in shown}
    downloads.show_table(municipalities[municipalities["Uitkomst"].isin(words)],
                         download=(f"{stem}-gemeenten", "Gemeenten"), key="list-municipalities")
