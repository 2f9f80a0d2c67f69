"""Every dashboard page through Streamlit's AppTest: renders, filters change numbers, uploads show problems,
every map has its print downloads and every table its XLSX and CSV downloads."""

import io
import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from geodata.municipalities import load_municipalities
from ui.widgets import BELGIAN_AXIS_LABELS
from tests.apptest import metric, open_app, open_kpi_table
from tests.conftest import local_only

PAGES = ["pages/dekking.py", "pages/hiaten.py", "pages/verbanden.py", "pages/fusies.py", "pages/subsidie.py",
         "pages/gegevens.py"]


def app(page: str | None = None, **query) -> AppTest:
    return open_app(page, **query)


@pytest.mark.slow
def test_home_shows_kpis_beside_official_totals_and_the_reconstruction_banner():
    at = app()
    assert metric(at, "Gemeenten gedekt").endswith("/ 300")
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Gemeenten gedekt"].startswith("officieel 238")
    assert deltas["Steden alleen"] == "officieel 3 (0)"
    assert "Gereconstrueerde gegevens" in at.warning[0].value
    assert any(caption.value.startswith("Bron:") for caption in at.caption)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    at = app(page)
    assert at.title, f"{page} has no title"


@pytest.mark.slow
@pytest.mark.parametrize("page", ["pages/dekking.py", "pages/hiaten.py", "pages/verbanden.py", "pages/fusies.py"])
def test_every_map_page_states_its_source(page):
    at = app(page)
    assert any("Bron:" in caption.value for caption in at.caption)


def test_province_filter_changes_the_numbers():
    at = app()
    everything = metric(at, "Gemeenten gedekt")
    at.selectbox(key="f_province").set_value("Limburg").run()
    limburg = (load_municipalities("2019")["province"] == "Limburg").sum()
    assert metric(at, "Gemeenten gedekt").endswith(f"/ {limburg}")
    assert metric(at, "Gemeenten gedekt") != everything
    assert at.query_params["provincie"] == "Limburg"  # the filter goes into the link


def page_links(block) -> list:
    """Every st.page_link under `block` (an AppTest element tree node), in order."""
    found = []
    for child in getattr(block, "children", {}).values():
        found += [child] if type(child).__name__ == "PageLink" else page_links(child)
    return found


def test_the_page_menu_carries_the_filters_to_every_page():
    """The sidebar's page menu (ui.pagemenu): one link per page, in the navigation's order, each with the query
    string of the view (issue 17: a switch through it keeps the filters in the address bar)."""
    at = app(provincie="Limburg", versie="2025")
    links = page_links(at.sidebar)
    assert [link.proto.label for link in links] == [
        "Overzicht", "Dekking", "Overlappingen en hiaten", "Samenwerkingsverbanden", "Fusies 2025", "Subsidie",
        "Scenario's", "Indicatoren", "Gegevens"]
    assert {link.proto.query_string for link in links} == {"versie=2025&provincie=Limburg"}
    assert dict(at.query_params) == {"versie": "2025", "provincie": "Limburg"}  # the same as the address bar
    at.selectbox(key="f_province").set_value("Antwerpen").run()
    assert {link.proto.query_string for link in page_links(at.sidebar)} == {"versie=2025&provincie=Antwerpen"}
    at.selectbox(key="f_province").set_value("alle")
    at.radio(key="f_version").set_value("2019").run()
    assert {link.proto.query_string for link in page_links(at.sidebar)} == {""}  # the default view: a bare link


def test_filters_from_the_url_are_applied():
    at = app(provincie="Limburg", versie="2025")
    assert at.selectbox(key="f_province").value == "Limburg"
    limburg_2025 = (load_municipalities("2025")["province"] == "Limburg").sum()
    assert metric(at, "Gemeenten gedekt").endswith(f"/ {limburg_2025}")


def test_centre_city_filter_keeps_only_that_partnership():
    at = app(centrumstad="46021")  # Sint-Niklaas
    assert metric(at, "Verbanden") == "1"
    assert metric(at, "Met centrumstad") == "1"


def test_referentieregio_scheme_covers_everything():
    at = app(schema="referentieregio")
    assert metric(at, "Gemeenten gedekt") == "300 / 300"
    assert not at.warning  # official data: no reconstruction warning


@pytest.mark.slow
def test_gaps_page_answers_which_municipalities_near_genk_are_not_covered():
    at = app("pages/hiaten.py")
    answer = next(m.value for m in at.markdown if "binnen 10 km van Genk" in m.value)
    assert "inwoners (2020)" in answer
    near = at.dataframe[0].value
    assert len(near) > 0 and set(near["Status"]) <= {"onbekend", "neemt niet deel"}


def test_gaps_page_tables_speak_dutch():
    """Confidences and area names are Dutch words, not the data's codes ("suggestive", "unknown-1")."""
    at = app("pages/hiaten.py")
    tables = [df.value for df in at.dataframe]
    overlaps = next(t for t in tables if "Betrouwbaarheid" in t.columns)
    assert "Wielsbeke" in set(overlaps["Gemeente"])
    assert set(" | ".join(overlaps["Betrouwbaarheid"]).split(" | ")) <= {"bevestigd", "vermoedelijk"}
    clusters = next(t for t in tables if "Gebied" in t.columns)
    assert all(name.startswith("Onbekend ") for name in clusters["Gebied"])
    assert "Soort" not in clusters.columns and "waarvan onbekend" not in clusters.columns
    at.radio(key="cluster-kind").set_value("combined").run()
    combined = next(df.value for df in at.dataframe if "Gebied" in df.value.columns)
    assert all(name.startswith("Beide samen ") for name in combined["Gebied"])
    assert (combined["waarvan onbekend"] + combined["waarvan neemt niet deel"] == combined["Gemeenten"]).all()


def test_subsidy_chart_follows_the_funding_order_with_belgian_axis_labels():
    at = app("pages/subsidie.py")
    ranking = next(df.value for df in at.dataframe if "Rang" in df.value.columns).sort_values("Rang")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    eligible = ranking[ranking["Gevraagd"] > 0]
    assert spec["encoding"]["y"]["sort"] == list(eligible["Regisseur"])
    assert spec["encoding"]["x"]["axis"]["labelExpr"] == BELGIAN_AXIS_LABELS


def test_subsidy_recomputes_with_the_budget():
    at = app("pages/subsidie.py")
    funded_default = metric(at, "Toegekend")
    at.text_input(key="subsidy-budget-text").set_value("100.000").run()
    assert metric(at, "Toegekend") == "€ 100.000" and metric(at, "Budget") == "€ 100.000"
    assert metric(at, "Toegekend") != funded_default


def budget_box(at: AppTest):
    return at.text_input(key="subsidy-budget-text")


@pytest.mark.slow
@pytest.mark.parametrize("typed, shown, card", [
    ("1.000.000", "1.000.000", "€ 1.000.000"),  # was read as 1 euro
    ("1000000,50", "1.000.000,50", "€ 1.000.000,50"),  # was shown as 100000050 and computed with 1 euro
    ("2.225.000,50", "2.225.000,50", "€ 2.225.000,50"),
    ("3000000", "3.000.000", "€ 3.000.000"),
])
def test_subsidy_budget_is_typed_and_shown_the_belgian_way(typed, shown, card):
    at = app("pages/subsidie.py")
    assert budget_box(at).value == "2.225.000"  # the 2020-2022 preset
    budget_box(at).set_value(typed).run()
    assert not at.exception and not at.error
    assert budget_box(at).value == shown and metric(at, "Budget") == card
    funded, eligible = map(int, metric(at, "Gefinancierd").split(" / "))
    assert funded > 1 and eligible == 25


@pytest.mark.slow
@pytest.mark.parametrize("typed", ["1,000,000", "1.00.000", "abc", "-500.000", "1.5"])
def test_subsidy_budget_refuses_other_notations_in_dutch_and_keeps_the_last_budget(typed):
    at = app("pages/subsidie.py")
    budget_box(at).set_value("600.000").run()
    budget_box(at).set_value(typed).run()
    assert not at.exception
    message = at.error[0].value
    assert "Belgische notatie" in message or "negatief" in message
    assert "laatste geldige budget: € 600\\.000" in message
    assert metric(at, "Budget") == "€ 600.000" and metric(at, "Toegekend") == "€ 600.000"
    at.radio(key="subsidy-period").set_value("vanaf 2023").run()  # a preset fills the box and clears the message
    assert budget_box(at).value == "3.000.000" and metric(at, "Budget") == "€ 3.000.000" and not at.error


def test_subsidy_table_uses_the_werkzoekendengraad_and_explains_each_award_below_it():
    at = app("pages/subsidie.py")
    budget_box(at).set_value("600.000").run()
    table = next(df.value for df in at.dataframe if "Rang" in df.value.columns).set_index("Regisseur")
    assert "Werkzoekendengraad 2019 (%)" in table.columns
    assert not any("werkloosheid" in column.lower() for column in table.columns)
    antwerpen = table.loc["Antwerpen"]
    assert antwerpen["Rang"] == 1 and antwerpen["Toegekend"] == 200_000  # was last of the centre cities, 0
    assert antwerpen["Waarom"] == "volledig · voorrang · graad benaderd"
    assert "Antwerpen + Borsbeek" in antwerpen["Toelichting"]
    assert table["Waarom"].str.len().max() <= 45  # short enough for a table cell
    explained = next(e for e in at.expander if e.label == "Toelichting per regisseur")
    text = " ".join(m.value for m in explained.markdown)
    assert "Antwerpen \\+ Borsbeek" in text and text.count("\n- ") + 1 == len(table)


def test_bad_membership_upload_lists_problems_without_a_traceback():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(
        ("fout.csv", b"gemeente;verband\nGendt;X\n11999;Y\n", "text/csv")).run()
    assert not at.exception
    assert "2 fouten" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Rij"]) == ["2", "3"]
    assert "Gent" in problems["Suggestie"].iloc[0]


@pytest.mark.slow
def test_garbage_upload_gives_an_error_message():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(("rommel.xlsx", bytes(range(256)) * 50,
                                                          "application/octet-stream")).run()
    assert not at.exception
    assert at.error and "rommel.xlsx" in at.dataframe[0].value["Bestand"].iloc[0]


@pytest.mark.slow
def test_good_upload_becomes_a_scheme_for_all_pages_in_this_session():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(
        ("scenario.csv", "gemeente;verband\nGenk;Genk e.o.\nAs;Genk e.o.\nZutendaal;Genk e.o.\n".encode(), "text/csv")
    ).run()
    assert at.success and "1 regisseur (1 samenwerkingsverband en 0 centrumsteden alleen)" in at.success[0].value
    next(b for b in at.button if b.label.startswith("Gebruik deze upload")).click().run()
    assert at.session_state["f_scheme"] == "upload"
    at.switch_page("dashboard.py")
    at.run()
    assert not at.exception
    assert metric(at, "Gemeenten gedekt") == "3 / 300"
    assert "eigen upload" in at.info[0].value


def test_referentieregio_filter_from_the_url():
    at = app(referentieregio="REFREG06")  # Regio Brugge: the ten members of Werkkracht10
    assert metric(at, "Gemeenten gedekt") == "10 / 10"
    assert metric(at, "Verbanden") == "1"
    assert "referentieregio Regio Brugge" in next(c.value for c in at.caption if c.value.startswith("Filter:"))


def test_partnership_page_offers_the_partnerships_in_view():
    at = app("pages/verbanden.py", provincie="Limburg")
    chooser = at.selectbox[-1] if at.selectbox[-1].label.startswith("Kies") else \
        next(s for s in at.selectbox if s.label.startswith("Kies"))
    assert "antwerpen" not in chooser.options and "Antwerpen" not in chooser.options
    assert any("Maasland" in option for option in chooser.options)


def test_partnership_profile_says_geen_for_a_partnership_without_centre_city():
    from analysis.datasets import regie_scheme

    at = app("pages/verbanden.py", provincie="Limburg")
    pid = next(s for s in at.selectbox if s.label.startswith("Kies")).value
    partnerships = regie_scheme().partnerships.set_index("partnership_id")
    assert partnerships.isna().loc[pid, "centre_city"]  # the first Limburg partnership has none
    profile = next(df.value for df in at.dataframe if "Kenmerk" in df.value.columns).set_index("Kenmerk")["Waarde"]
    assert profile["Centrumstad"] == "geen"  # a fact, not "onbekend"
    assert profile["Periode"] == "2020-2025"
    members = next(df.value for df in at.dataframe if "Betrouwbaarheid" in df.value.columns)
    assert len(members) >= 1 and set(members["Betrouwbaarheid"]) <= {"bevestigd", "vermoedelijk"}
    overview = next(df.value for df in at.dataframe if "Aaneengesloten delen" in df.value.columns)
    assert len(overview) == len(partnerships)  # every partnership of the scheme, whatever the filter
    assert overview.set_index("Samenwerkingsverband").loc[partnerships.loc[pid, "name"], "Centrumstad"] == "geen"


# --- downloads: print maps and tables ------------------------------------------------------------------------
# Download buttons make their file only when clicked (a callable). The `deferred` fixture records those callables
# by file name, so a test can make the file the button would give; with `printed_specs` a print button gives the
# PrintMap it would render instead of the PNG.

XLSX, CSV, PNG, PDF = "⬇ Excel (XLSX)", "⬇ CSV", "⬇ PNG (300 dpi)", "⬇ PDF (vector)"
MAP_PAGES = {None: 1, "pages/dekking.py": 1, "pages/hiaten.py": 1, "pages/verbanden.py": 1, "pages/fusies.py": 2}




def in_order(node):
    """The elements of a page from top to bottom (columns left to right)."""
    children = getattr(node, "children", None)
    if isinstance(children, dict) and children:
        for index in sorted(children):
            yield from in_order(children[index])
    else:
        yield node


def tables_without_downloads(at: AppTest) -> list[str]:
    """Tables (st.dataframe, st.table) not directly followed by their XLSX and CSV buttons."""
    elements = list(in_order(at.main))
    lacking = []
    for position, element in enumerate(elements):
        if element.type not in ("dataframe", "table"):
            continue
        buttons = []
        for later in elements[position + 1:]:
            if later.type in ("dataframe", "table"):
                break
            if later.type == "download_button":
                buttons.append(later.label)
        if buttons[:2] != [XLSX, CSV]:
            lacking.append(f"{element.type} {list(element.value.columns)[:3] if element.type == 'dataframe' else ''}")
    return lacking


@pytest.mark.slow
@pytest.mark.parametrize("page, maps", MAP_PAGES.items())
def test_every_map_page_offers_the_print_map_as_png_and_pdf_on_a4(page, maps):
    at = app(page)
    labels = [button.label for button in at.get("download_button")]
    assert labels.count(PNG) == maps and labels.count(PDF) == maps
    papers = [radio for radio in at.radio if radio.label == "Papier"]
    assert len(papers) == maps and all(radio.options == ["A4 liggend", "A4 staand"] for radio in papers)


@pytest.mark.slow
@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_table_is_followed_by_its_xlsx_and_csv_downloads(page):
    at = app(page)
    if page is None:  # the home page draws its KPI table once its expander is opened
        open_kpi_table(at)
    assert at.dataframe, "the page shows no table"
    assert tables_without_downloads(at) == []
    assert not at.get("table")  # every table is an st.dataframe through downloads.show_table
    # The browser shows an empty cell as the placeholder (not the Styler's text): "onbekend", never "None".
    assert [table.proto.placeholder for table in at.dataframe] == ["onbekend"] * len(at.dataframe)


@pytest.mark.slow
def test_upload_problems_can_be_downloaded(deferred):
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(
        ("fout.csv", b"gemeente;verband\nGendt;X\n11999;Y\n", "text/csv")).run()
    assert tables_without_downloads(at) == []
    problems = pd.read_csv(io.BytesIO(deferred["regiekaart-problemen-fout-csv.csv"]()), sep=";",
                           encoding="utf-8-sig")
    assert list(problems["Rij"]) == [2, 3] and "Gent" in problems["Suggestie"].iloc[0]


@pytest.mark.slow
def test_bundled_membership_is_shown_in_dutch_and_its_download_uploads_again(deferred):
    from analysis.datasets import regie_scheme
    from geodata.official_list import read_membership_upload

    at = app("pages/gegevens.py")
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    partnerships = next(t for columns, t in tables.items() if "Rechtsvorm" in columns)
    assert "geen" in set(partnerships["Centrumstad"]) and set(partnerships["Centrumstad alleen"]) == {"ja", "nee"}
    members = next(t for columns, t in tables.items() if columns[:2] == ("Samenwerkingsverband", "NIS"))
    assert set(members["Betrouwbaarheid"]) == {"bevestigd", "vermoedelijk"}

    data = deferred["regiekaart-lidmaatschap-2020-2025.csv"]()
    scheme, problems = read_membership_upload(data, "regiekaart-lidmaatschap-2020-2025.csv")
    assert scheme is not None and not [p for p in problems if p.is_error], problems
    assert sorted(p.message.split(" staat in")[0] for p in problems) == ["Kasterlee", "Lille", "Wielsbeke"]
    bundled = regie_scheme().memberships
    pairs = lambda m: set(zip(m["nis"], m["confidence"]))  # noqa: E731
    assert len(scheme.memberships) == len(bundled) and pairs(scheme.memberships) == pairs(bundled)
    assert set(scheme.partnerships["name"]) == set(regie_scheme().partnerships.loc[
        regie_scheme().partnerships["partnership_id"].isin(bundled["partnership_id"]), "name"])


@pytest.mark.slow
def test_table_downloads_hold_the_table_shown(deferred):
    at = app("pages/hiaten.py")
    shown = at.dataframe[0].value
    near = pd.read_csv(io.BytesIO(deferred["regiekaart-niet-gedekt-10-km-genk.csv"]()), sep=";", decimal=",",
                       encoding="utf-8-sig", dtype={"NIS": str})
    assert list(near.columns) == list(shown.columns) and list(near["NIS"]) == list(shown["NIS"])
    at = app("pages/gegevens.py")
    sheet = load_workbook(io.BytesIO(deferred["regiekaart-bronnen-en-licenties.xlsx"]()))["Bronnen"]
    assert [cell.value for cell in sheet[1]] == ["Bron", "Bestand", "Licentie", "Vermelding", "Herkomst", "URL",
                                                 "sha256"]
    assert sheet.max_row - 1 == len(at.dataframe[-2].value)


@pytest.mark.slow
def test_home_print_map_states_the_filters(printed_specs):
    app(None, provincie="Limburg")
    spec = printed_specs["regiekaart-overzicht-dekking-provincie-limburg.png"]()
    limburg = int((load_municipalities("2019")["province"] == "Limburg").sum())
    assert spec.subtitle.startswith("Regie sociale economie 2020-2025 (gereconstrueerd) · Gemeenten 2019-2024 (300) · "
                                    "provincie Limburg")
    assert f"selectie: {limburg} van 300 gemeenten getoond" in spec.subtitle
    assert len(spec.areas) == limburg and spec.orientation == "landscape"


@pytest.mark.slow
def test_partnership_print_map_is_the_chosen_partnership_with_its_name(printed_specs):
    at = app("pages/verbanden.py", provincie="Limburg")
    chooser = next(s for s in at.selectbox if s.label.startswith("Kies"))
    pid = chooser.value
    name = chooser.format_func(pid) if hasattr(chooser, "format_func") else chooser.value
    from analysis.datasets import regie_scheme

    members = regie_scheme().memberships
    codes = set(members.loc[members["partnership_id"] == pid, "nis"])
    spec = next(make() for file, make in printed_specs.items() if file.startswith("regiekaart-samenwerkingsverband-")
                and file.endswith(".png"))
    assert spec.title == f"Samenwerkingsverband {name}"
    assert "provincie Limburg" in spec.subtitle and f"samenwerkingsverband {name}" in spec.subtitle
    assert set(spec.areas["nis"]) == codes  # zoomed on the partnership: only its members are drawn
    assert name in set(spec.labels["label"])  # with the partnership's name


@pytest.mark.slow
def test_merger_print_maps_outline_the_conflicts_on_the_2025_map(printed_specs):
    from analysis.datasets import merger_conflicts_for, regie_scheme
    from analysis.figures import CONFLICT_LABEL

    app("pages/fusies.py")
    after = printed_specs["regiekaart-fusies-gemeenten-2025.png"]()
    before = printed_specs["regiekaart-fusies-gemeenten-2019.png"]()
    conflicts = merger_conflicts_for(regie_scheme())
    outlined = next(item for item in after.legend if item.label == CONFLICT_LABEL)
    assert outlined.count == len(conflicts) > 0
    assert sorted(after.areas.loc[after.areas["inset"], "nis"]) == sorted(conflicts["nis_2025"])
    assert after.subtitle.startswith("Regie sociale economie 2020-2025 (gereconstrueerd) · Gemeenten vanaf 2025 (285)")
    assert before.subtitle.startswith("Regie sociale economie 2020-2025 (gereconstrueerd) · Gemeenten 2019-2024 (300)")
    assert CONFLICT_LABEL not in [item.label for item in before.legend]


@pytest.mark.browser
@pytest.mark.slow
def test_fusies_page_draws_both_maps_in_the_browser(chromium, streamlit_url):
    """The 2025 map gets the merger-conflict layer after the map is finished; its layer control must still come
    last, or the browser stops with a script error and the map stays empty."""
    import time

    context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1600}))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(streamlit_url + "/fusies")
    deadline, drawn = time.monotonic() + 120, []
    while time.monotonic() < deadline:
        drawn = []
        for frame in page.frames:
            try:
                drawn.append(len(frame.query_selector_all("path.leaflet-interactive")))
            except Exception:  # a frame may be detached while Streamlit re-renders
                continue
        if len([count for count in drawn if count]) >= 2:
            break
        time.sleep(0.5)
    context.close()
    assert errors == []
    # 300 municipalities of 2019; 285 of 2025 plus the conflict outlines and partnership borders.
    assert len([count for count in drawn if count >= 285]) == 2, drawn


@pytest.mark.slow
def test_municipality_details_show_partnership_confidence_and_indicators():
    at = app("pages/dekking.py")
    chooser = next(s for s in at.selectbox if s.label.startswith("Gemeente (of klik"))
    chooser.set_value("37017").run()  # Wielsbeke: listed by Midwest and W13
    text = " ".join(m.value for m in at.markdown)
    assert "Midwest" in text and "W13" in text and "(vermoedelijk)" in text and "suggestive" not in text
    assert "Niet-werkende werkzoekenden" in text and "Werkzoekendengraad" in text
    assert "2024:" in text


# --- one definition of each count, filters that narrow each other, exports for reports ---------------------------

def _components(at: AppTest) -> list:
    return [element for element in at.get("component_instance") if element.proto.component_name.endswith("st_folium")]


@pytest.mark.slow
def test_partnership_count_leaves_out_a_partnership_without_members_and_says_how_it_counts():
    from analysis.datasets import regie_scheme

    scheme = regie_scheme()
    partnerships = scheme.partnerships
    with_members = partnerships["partnership_id"].isin(set(scheme.memberships["partnership_id"]))
    standalone = partnerships["standalone"].astype(bool)
    at = app()
    assert metric(at, "Verbanden") == str(int((with_members & ~standalone).sum()))
    assert (~with_members).any()  # Welzijnskoepel West-Brabant: named in a source, its members are not
    verbanden = next(m for m in at.metric if m.label == "Verbanden")
    assert "telt mee wanneer minstens één van zijn gemeenten op de kaart en in de selectie ligt" in verbanden.help


def test_centre_city_kortrijk_counts_only_its_own_partnership():
    """Wielsbeke lies in W13 (Kortrijk) and in Midwest: Midwest is not counted under centre city Kortrijk."""
    at = app(centrumstad="34022")
    assert (metric(at, "Verbanden"), metric(at, "Met centrumstad")) == ("1", "1")
    legend = next(element.proto.body for element in at.get("html") if "rk-legend" in element.proto.body)
    assert "W13 (Zuid-West-Vlaanderen)" in legend and "Midwest" not in legend


@pytest.mark.slow
def test_choosing_a_partnership_without_members_explains_it_in_dutch():
    at = app(verband="welzijnskoepel-west-brabant")
    assert any("geen gekende leden" in info.value for info in at.info)
    assert not at.metric and not at.dataframe and not _components(at)  # no "0 / 0", no empty map or table
    at = app("pages/verbanden.py")
    chooser = next(s for s in at.selectbox if s.label.startswith("Kies"))
    assert chooser.options[-1] == "Welzijnskoepel West-Brabant (project Regierol Sociale Economie) " \
                                  "(zonder gekende leden)"
    chooser.set_value("welzijnskoepel-west-brabant").run()
    assert any("geen gekende leden" in info.value for info in at.info)
    assert not _components(at) and all(len(frame.value) for frame in at.dataframe)


def test_province_narrows_the_partnership_and_centre_city_choices():
    from analysis.datasets import regie_scheme
    from geodata.municipalities import load_municipalities

    municipalities = load_municipalities("2019")
    limburg = set(municipalities.loc[municipalities["province"] == "Limburg", "nis"])
    memberships = regie_scheme().memberships
    in_limburg = set(memberships.loc[memberships["nis"].isin(limburg), "partnership_id"])
    at = app(provincie="Limburg")
    assert set(at.selectbox(key="f_partnership").options) - {"Alle verbanden"} == set(
        regie_scheme().partnerships.set_index("partnership_id").loc[sorted(in_limburg), "name"])
    assert not any(option.startswith("Centrumstad ") for option in at.selectbox(key="f_centre").options)


def test_a_partnership_that_no_longer_fits_the_province_is_reset_with_a_dutch_note():
    at = app(provincie="Limburg", verband="interwaas")
    assert at.selectbox(key="f_partnership").value == "alle" and "verband" not in at.query_params
    note = next(info.value for info in at.info if "teruggezet" in info.value)
    assert "Interwaas" in note and "provincie Limburg" in note
    assert metric(at, "Gemeenten gedekt").endswith("/ 42") and "onbekend" not in metric(at, "Bevolking gedekt")


def _paths_of(at: AppTest, kind: str) -> list[tuple]:
    """Where each element or block of `kind` ("expander", "dataframe", "component_instance") sits in the main area,
    as Streamlit places it: the index path of its containers."""
    found = []

    def walk(node, prefix):
        for index, child in getattr(node, "children", {}).items():
            if getattr(child, "type", None) == kind:
                found.append((*prefix, index))
            walk(child, (*prefix, index))

    walk(at.main, ())
    return found


def test_the_kpi_table_is_drawn_when_its_expander_is_opened_and_the_map_keeps_its_place():
    from analysis.datasets import bundled_view
    from ui.widgets import kpi_table

    at = app()
    assert len(_paths_of(at, "expander")) == 2 and not at.dataframe  # the KPI table's and the legend's; no table
    table_expander = _paths_of(at, "expander")[0]
    map_path = _paths_of(at, "component_instance")
    open_kpi_table(at)
    assert not at.exception
    assert _paths_of(at, "dataframe") == [(*table_expander, 0)]
    shown = at.dataframe[0].value
    assert list(shown["Kerncijfer"]) == list(kpi_table(bundled_view("regie-2020-2025", "2019").kpis)["Kerncijfer"])
    # The map stays where it was: the browser keeps the live map (and the user's zoom) instead of building it anew.
    assert _paths_of(at, "component_instance") == map_path


def test_kpi_table_csv_writes_counts_as_integers(deferred):
    at = open_kpi_table(app())
    shown = next(df.value for df in at.dataframe if "Kerncijfer" in df.value.columns)
    csv = deferred["regiekaart-kerncijfers.csv"]().decode("utf-8-sig")
    rows = {line.split(";")[0]: line.split(";")[1] for line in csv.splitlines()[1:]}
    covered = shown.set_index("Kerncijfer").loc["Deelnemende gemeenten (bevestigd + vermoedelijk)", "Waarde"]
    assert rows["Deelnemende gemeenten (bevestigd + vermoedelijk)"] == str(int(covered))  # "173", never "173,0"
    share = rows["Aandeel inwoners in deelnemende gemeenten"]
    assert re.fullmatch(r"\d+,\d", share)  # one decimal, as on screen


@pytest.mark.slow
def test_subsidy_csv_rounds_the_rate_as_on_screen_and_the_xlsx_keeps_it(deferred):
    at = app("pages/subsidie.py")
    table = next(df.value for df in at.dataframe if "Regisseur" in df.value.columns)
    rate = next(column for column in table.columns if column.startswith("Werkzoekendengraad") and column.endswith("(%)"))
    csv = pd.read_csv(io.BytesIO(deferred["regiekaart-subsidie.csv"]()), sep=";", encoding="utf-8-sig", dtype=str)
    known = csv[rate].dropna()
    assert len(known) and known.str.fullmatch(r"\d+,\d").all()  # e.g. "6,2", not "6,2328803099273395"
    sheet = load_workbook(io.BytesIO(deferred["regiekaart-subsidie.xlsx"]()))["Subsidie"]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index(rate)] for row in sheet.iter_rows(min_row=2) if row[header.index(rate)].value is not None]
    assert cells and all(cell.number_format == "#,##0.0" for cell in cells)
    assert any(round(cell.value, 1) != cell.value for cell in cells)  # full precision kept


@pytest.mark.slow
def test_print_file_names_carry_the_selection(printed_specs):
    app(None, centrumstad="34022")
    assert "regiekaart-overzicht-dekking-centrumstad-kortrijk.png" in printed_specs
    app("pages/dekking.py", versie="2025", provincie="Limburg")
    assert "regiekaart-dekking-gemeenten-2025-provincie-limburg.pdf" in printed_specs


def test_partnership_print_labels_an_overlap_member_as_such(printed_specs):
    """On the print of Midwest, Wielsbeke (also in W13) is Midwest's overlap member, not a piece of W13."""
    app("pages/verbanden.py", verband="midwest")
    spec = printed_specs["regiekaart-samenwerkingsverband-midwest.png"]()
    labels = set(spec.labels["label"])
    assert "Wielsbeke: ook in W13 (Zuid-West-Vlaanderen)" in labels
    assert "W13 (Zuid-West-Vlaanderen)" not in labels and "Midwest" in labels
    assert list(spec.outlines["name"]) == ["Midwest"]
    midwest = next(item for item in spec.legend if item.label.startswith("Midwest"))
    assert midwest.count == len(spec.areas)  # all its members, Wielsbeke included


@pytest.mark.slow
def test_antwerpen_details_show_its_labour_figures_labelled_as_an_approximation():
    at = app("pages/dekking.py")
    chooser = next(s for s in at.selectbox if s.label.startswith("Gemeente (of klik"))
    chooser.set_value("11002").run()
    text = next(m.value for m in at.markdown if m.value.startswith("**Indicatoren**"))
    assert "Werkzoekendengraad (jaargemiddelde) 2024: 14,1% (benadering: cijfer van fusiegemeente Antwerpen (2025) " \
           "= Antwerpen + Borsbeek)" in text
    assert "Niet-werkende werkzoekenden (jaargemiddelde) 2024: " in text and "onbekend" not in text
    chooser = next(s for s in at.selectbox if s.label.startswith("Gemeente (of klik"))
    chooser.set_value("11007").run()
    text = next(m.value for m in at.markdown if m.value.startswith("**Indicatoren**"))
    assert "Werkzoekendengraad (jaargemiddelde) 2024: cijfer zit in Antwerpen (fusie 2025)" in text
