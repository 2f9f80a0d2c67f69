"""The indicator map (classes, no-value categories, legend, source) and the Indicatoren page in Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.indicator_model import FLAG_APPROXIMATE, FLAG_MERGED, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED
from geodata.indicators import CATALOGUE
from analysis.figures import INDICATOR_NO_VALUE_STYLE as NO_VALUE_STYLE
from analysis.figures import INDICATOR_ZERO as ZERO
from analysis.figures import INDICATOR_ZERO_FILL as ZERO_FILL
from analysis.figures import indicator_palette as palette
from ui.indicator_map import drawing_table, indicator_map, legend_entries, value_text
from tests.conftest import feature_properties

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def test_palette_is_sequential_and_follows_the_direction():
    worse = palette(5, True)
    assert len(set(worse)) == 5 and all(colour.startswith("#") for colour in worse)
    assert palette(5, False) == list(reversed(worse))  # dark = more need either way
    assert palette(5, None) != worse  # a neutral indicator gets another ramp
    assert palette(0, True) == []


@pytest.mark.parametrize("value, flag, expected", [
    (8.1, FLAG_OK, "8,1%"),
    (np.nan, FLAG_MISSING, "onbekend"),
    (np.nan, FLAG_SUPPRESSED, "geheim (kleine aantallen)"),
    (np.nan, FLAG_MERGED, "cijfer zit in het grootste deel (fusie 2025)"),
])
def test_value_text(value, flag, expected):
    assert value_text(value, flag, CATALOGUE["werkzoekendengraad"]) == expected


def test_value_text_of_a_count_has_its_unit():
    assert value_text(3267.0, FLAG_OK, CATALOGUE["nwwz"]) == "3.267 personen"


def test_value_text_labels_a_merged_figure_and_says_where_a_part_s_figure_sits():
    entry = CATALOGUE["werkzoekendengraad"]
    note = "benadering: cijfer van fusiegemeente Antwerpen (2025) = Antwerpen + Borsbeek"
    assert value_text(14.04, FLAG_APPROXIMATE, entry, note) == f"14,0% ({note})"
    assert value_text(14.04, FLAG_APPROXIMATE, entry) == "14,0% (benadering: cijfer van de fusiegemeente (2025))"
    assert value_text(np.nan, FLAG_MERGED, entry, "cijfer zit in Antwerpen (fusie 2025)") == \
        "cijfer zit in Antwerpen (fusie 2025)"


@pytest.fixture(scope="module")
def referentieregio_2019():
    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer

    return bundled_view("referentieregio", "2019"), web_layer("2019")


def hand_values(view):
    codes = list(view.municipalities["nis"])
    values = pd.DataFrame({"nis": codes, "value": np.linspace(1, 10, len(codes)), "flag": FLAG_OK})
    special = {"41002": (0.0, FLAG_OK), "44021": (np.nan, FLAG_MISSING), "73028": (np.nan, FLAG_SUPPRESSED),
               "11007": (np.nan, FLAG_MERGED)}
    for nis, (value, flag) in special.items():
        values.loc[values["nis"] == nis, ["value", "flag"]] = [value, flag]
    return values


def test_drawing_table_keeps_zero_missing_suppressed_and_merged_apart(referentieregio_2019):
    view, web = referentieregio_2019
    table = drawing_table(view, web, hand_values(view), [4, 7, 10], CATALOGUE["werkzoekendengraad"]).set_index("nis")
    assert table.loc["41002", "category"] == ZERO and table.loc["41002", "fill"] == ZERO_FILL
    for nis, flag in (("44021", FLAG_MISSING), ("73028", FLAG_SUPPRESSED), ("11007", FLAG_MERGED)):
        assert table.loc[nis, "category"] == flag
        assert (table.loc[nis, "fill"], table.loc[nis, "hatch"]) == NO_VALUE_STYLE[flag]
    fills = {NO_VALUE_STYLE[f][0] for f in NO_VALUE_STYLE} | {ZERO_FILL}
    classes = table[table["category"].str.isdigit()]
    assert not set(classes["fill"]) & fills  # no class colour is mistaken for a no-value category
    assert len(classes) == 296


def test_a_largest_part_is_coloured_by_the_merged_figure_with_the_approximation_in_its_tooltip(referentieregio_2019):
    view, web = referentieregio_2019
    values = hand_values(view)
    values.loc[values["nis"] == "11002", ["value", "flag"]] = [9.0, FLAG_APPROXIMATE]
    notes = {"11002": "benadering: cijfer van fusiegemeente Antwerpen (2025) = Antwerpen + Borsbeek",
             "11007": "cijfer zit in Antwerpen (fusie 2025)"}
    table = drawing_table(view, web, values, [4, 7, 10], CATALOGUE["werkzoekendengraad"], notes=notes).set_index("nis")
    assert table.loc["11002", "category"] == "2" and table.loc["11002", "hatch"] is None
    assert table.loc["11002", "value_label"] == f"9,0% ({notes['11002']})"
    assert table.loc["11007", "category"] == FLAG_MERGED
    assert table.loc["11007", "value_label"] == "cijfer zit in Antwerpen (fusie 2025)"


def test_legend_has_class_bounds_and_counts_and_no_value_categories(referentieregio_2019):
    view, web = referentieregio_2019
    entry = CATALOGUE["werkzoekendengraad"]
    table = drawing_table(view, web, hand_values(view), [4, 7, 10], entry)
    entries = legend_entries(table, [4, 7, 10], entry, minimum=1.0)
    labels = [(e.label, e.count) for e in entries]
    assert [label for label, _ in labels[:3]] == ["1,0 – 4,0", "4,0 – 7,0", "7,0 – 10,0"]
    assert sum(count for _, count in labels[:3]) == 296
    assert labels[3:] == [("0 (nul)", 1), ("onbekend", 1), ("geheim (kleine aantallen)", 1),
                          ("cijfer zit in het grootste deel (fusie 2025)", 1)]


def test_indicator_map_escapes_text_states_source_and_filters(referentieregio_2019):
    view, web = referentieregio_2019
    entry = CATALOGUE["werkzoekendengraad"]
    mask = view.municipalities["province"] == "Limburg"
    fmap = indicator_map(view, web, hand_values(view), [4, 7, 10], entry, 2023, mask,
                         source="Bron: VDAB <script>x</script> (2023)", highlight_not_covered=True, minimum=1.0)
    html = fmap.get_root().render()
    assert "Bron: VDAB &lt;script&gt;" in html and "<script>x</script>" not in html
    properties = feature_properties(fmap)
    limburg = set(view.municipalities.loc[mask, "nis"])
    names = {p["name"] for p in properties if "value_label" in p}
    assert names == set(view.municipalities.set_index("nis").loc[sorted(limburg), "name"])
    herstappe = next(p for p in properties if p.get("name") == "Herstappe" and "value_label" in p)
    assert herstappe["value_label"] == "geheim (kleine aantallen)"
    assert "Werkzoekendengraad (jaargemiddelde) 2023 (%)" in html


# --- the page in Streamlit -----------------------------------------------------------------------------------

def run_page(**state):
    """The dashboard, then the Indicatoren page. AppTest runs a page it switched to without dashboard.py's
    sidebar, so filters are given as session state (``f_scheme``, ``f_version``, ...)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(DASHBOARD, default_timeout=240)
    at.run()
    at.switch_page("pages/indicatoren.py")
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at) -> str:
    return " ".join(caption.value for caption in at.caption)


@pytest.mark.slow
def test_indicator_page_renders_with_the_default_scheme():
    at = run_page()
    assert at.title[0].value == "Indicatoren"
    assert "Bron: VDAB, Provincies in Cijfers (2024)" in captions(at)
    assert "28 gemeenten die op 1 januari 2025 fuseerden" in captions(at)
    at.selectbox(key="ind_indicator").set_value("nwwz").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("woont in gemeenten zonder gekend samenwerkingsverband" in m.value for m in at.markdown)
    at.toggle(key="ind_highlight").set_value(True).run()
    at.selectbox(key="ind_method").set_value("fisher_jenks").run()
    at.selectbox(key="ind_indicator").set_value("werkzoekendengraad_vrouwen").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("kan niet per verband berekend worden" in info.value for info in at.info)


@pytest.mark.slow
def test_need_versus_coverage_on_the_page_adds_up_and_names_what_it_leaves_out():
    at = run_page(ind_indicator="nwwz")
    need = next(df.value for df in at.dataframe if "Groep" in df.value.columns).set_index("Groep")
    assert not any("toe te wijzen" in group.lower() for group in need.index)
    value = next(column for column in need.columns if column.startswith("Niet-werkende werkzoekenden"))
    groups = ["In een gekend samenwerkingsverband", "Neemt niet deel (volgens bron)", "Onbekend (geen bron gevonden)"]
    assert need.loc[groups, value].sum() == need.loc["Totaal", value]
    assert need.loc[groups, "Aandeel"].sum() == pytest.approx(1.0)
    assert (need["Gemeenten"] == need["Met cijfer"] + need["Zonder cijfer"] + need["Cijfer in andere groep"]).all()
    sentence = next(m.value for m in at.markdown if "woont in gemeenten zonder gekend" in m.value)
    assert f"Zonder cijfer, telt niet mee: {need.loc['Totaal', 'Zonder cijfer']} gemeente" in sentence
    moved = int(need.loc[groups, "Cijfer in andere groep"].sum())
    assert f"{moved} gemeenten in een andere groep" in sentence and "Borsbeek: cijfer zit in Antwerpen" in sentence
    municipalities = at.dataframe[0].value.set_index("Gemeente")
    antwerpen = municipalities.loc["Antwerpen"]
    assert antwerpen[value] > 30_000 and antwerpen["Toelichting"].startswith("benadering: cijfer van fusiegemeente")
    assert municipalities.loc["Borsbeek", "Toelichting"] == "cijfer zit in Antwerpen (fusie 2025)"


@pytest.mark.slow
def test_indicator_page_on_the_2025_map_with_the_referentieregios():
    # Widget state of the (absent) sidebar lasts one run in AppTest, so everything is chosen up front.
    at = run_page(f_scheme="referentieregio", f_version="2025", ind_indicator="bevolking", ind_year=2025)
    assert at.selectbox(key="ind_indicator").value == "bevolking"
    assert "Bron: Statbel (2025)" in captions(at)
    assert "fuseerden" not in captions(at)  # nothing is missing on the 2025 map


@pytest.mark.slow
def test_uploaded_indicator_is_selectable_on_the_page():
    from streamlit.testing.v1 import AppTest

    from geodata.indicator_upload import read_indicator_upload, upload_catalogue

    data = "Gemeente;Leefloners 2023\nAalst;812\nGent;4.120\nHasselt;x\n".encode()
    frames = {version: read_indicator_upload(data, "leefloners.csv", version)[0] for version in ("2019", "2025")}
    entry = upload_catalogue(frames["2019"], "leefloners.csv")["upload:leefloners"]
    at = AppTest.from_file(DASHBOARD, default_timeout=240)
    at.session_state["indicator_uploads"] = {entry.id: {"entry": entry, "values": frames, "file": "leefloners.csv"}}
    at.session_state["ind_indicator"] = entry.id
    at.run()
    at.switch_page("pages/indicatoren.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ind_indicator").value == entry.id
    assert "Bron: eigen upload (leefloners.csv) (2023)" in captions(at)


# --- print map and downloads on the page ------------------------------------------------------------------------

@pytest.mark.slow
def test_indicator_page_prints_the_current_indicator_year_classification_and_filters(printed_specs):
    from tests.test_dashboard import CSV, PDF, PNG, XLSX, tables_without_downloads

    at = run_page(f_province="Limburg", ind_method="equal_interval", ind_k=4, ind_highlight=True)
    labels = [button.label for button in at.get("download_button")]
    assert labels.count(PNG) == 1 and labels.count(PDF) == 1
    assert labels.count(XLSX) == labels.count(CSV) == len(at.dataframe) == 4
    assert tables_without_downloads(at) == []
    spec = printed_specs["regiekaart-werkzoekendengraad-2024-gelijke-intervallen-4-klassen.png"]()
    assert spec.title == "Werkzoekendengraad (jaargemiddelde) 2024 (%)"
    assert "provincie Limburg" in spec.subtitle and "selectie: 42 van 300 gemeenten getoond" in spec.subtitle
    assert "Werkzoekendengraad (jaargemiddelde) 2024 · klassen: gelijke intervallen, 4 klassen, berekend op heel " \
           "Vlaanderen · benadering: 4 gemeenten met het cijfer van hun fusiegemeente (2025) · gemeenten zonder " \
           "gekend verband omlijnd" in spec.subtitle
    assert spec.source.endswith("Werkzoekendengraad (jaargemiddelde) 2024: VDAB, Provincies in Cijfers.")
    # The legend counts the municipalities of the page's own table: classes, and the 2025 merged ones apart.
    table = at.dataframe[0].value
    assert len(table) == 42
    texts = [item.text for item in spec.legend]
    class_counts = [item.count for item in spec.legend[:4]]
    assert sum(class_counts) == int(table["Werkzoekendengraad (jaargemiddelde) 2024"].gt(0).sum())
    # Limburg has 8 municipalities that merged in 2025: the 4 largest parts carry their merged municipality's
    # figure (classified, labelled), the 4 others are drawn apart and say where their figure sits.
    merged = int(table["Toelichting"].str.startswith("cijfer zit in ").sum())
    approximate = int(table["Toelichting"].str.startswith("benadering: cijfer van fusiegemeente").sum())
    assert f"cijfer zit in het grootste deel (fusie 2025) ({merged})" in texts and (merged, approximate) == (4, 4)
    assert any(text.startswith("Zonder gekend verband: onbekend (") for text in texts)
