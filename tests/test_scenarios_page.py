"""The Scenario's page through Streamlit's AppTest: an edit changes the KPIs and the subsidy table, a saved
version opens from its link in a new session (on every page), and broken links and databases give Dutch
messages while the rest keeps working."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.datasets import municipality_names, regie_scheme
from geodata.municipalities import load_municipalities
from geodata.official_list import read_membership_upload
from tests.apptest import metric, open_app

PAGE = "pages/scenarios.py"


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "scenarios.sqlite"
    monkeypatch.setenv("REGIEKAART_DB", str(path))
    return path


def app(page: str | None = PAGE, **query) -> AppTest:
    return open_app(page, timeout=180, **query)


def covered(at: AppTest) -> int:
    return int(metric(at, "Gemeenten gedekt").split("/")[0].replace(".", "").strip())


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def unknown_municipality_and_partnership():
    """A municipality in no partnership of the reconstruction (2019-2024) and a partnership with a centre city."""
    scheme = regie_scheme()
    known = set(scheme.memberships["nis"]) | set(scheme.non_participants["nis"])
    nis = min(set(municipality_names("2019")) - known)
    partnership = scheme.partnerships.dropna(subset=["centre_city_nis"]).iloc[0]
    return nis, partnership["partnership_id"], partnership["name"]


def assign(at: AppTest, nis: str, partnership_id: str) -> None:
    at.selectbox(key="scenario-nis").set_value(nis).run()
    at.selectbox(key="scenario-target").set_value(partnership_id).run()
    at.button(key="scenario-apply").click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.slow
def test_the_page_starts_from_the_reconstruction_with_the_same_kpis_as_the_home_page(database):
    home = app(page=None)
    at = app()
    for label in ("Verbanden", "Met centrumstad", "Steden alleen", "Gemeenten gedekt", "Bevolking gedekt"):
        assert metric(at, label) == metric(home, label)
    assert {m.label: m.proto.delta for m in at.metric}["Gemeenten gedekt"].startswith("officieel 238")
    assert any(c.value.startswith("Vergeleken met de officiële totalen 2020-2025") for c in at.caption)


@pytest.mark.slow
def test_an_edit_changes_the_kpis_the_subsidy_table_and_the_differences(database):
    nis, pid, name = unknown_municipality_and_partnership()
    population = load_municipalities("2019").set_index("nis").at[nis, "population_2020"]
    at = app()
    before_covered = covered(at)
    before = table_with(at, "Schijfbedrag (euro)").set_index("Regisseur")["Inwoners 2020"]
    assign(at, nis, pid)
    assert covered(at) == before_covered + 1
    after = table_with(at, "Schijfbedrag (euro)").set_index("Regisseur")["Inwoners 2020"]
    assert after[name] == before[name] + population
    differences = table_with(at, "Vertrekpunt")
    row = differences[differences["Gemeente"] == municipality_names("2019")[nis]]
    assert list(row["Scenario"]) == [name] and list(row["Vertrekpunt"]) == ["onbekend"]
    assert any("toegewezen" in s.value or name in s.value for s in at.success)
    at.button(key="scenario-undo").click().run()
    assert covered(at) == before_covered


@pytest.mark.slow
def test_the_subsidy_follows_the_budget_typed_the_belgian_way_and_shared_with_the_subsidy_page(database):
    at = app()
    budget_box = at.text_input(key="scenario-budget-text")
    assert budget_box.value == "2.225.000"  # the 2020-2022 preset, as on the Subsidie page
    assert at.radio(key="scenario-period").value == "2020-2022"
    budget_box.set_value("100.000").run()
    assert at.radio(key="scenario-period").value is None  # an own amount: no period chosen
    funded = table_with(at, "Schijfbedrag (euro)")["Toegekend (euro)"]
    assert 0 < funded.sum() <= 100_000
    assert metric(at, "Toegekend") == "€ 100.000"
    at.text_input(key="scenario-budget-text").set_value("1,000,000").run()  # not Belgian: refused, 100.000 stays
    assert not at.exception
    assert "Belgische notatie" in at.error[0].value and "laatste geldige budget: € 100\\.000" in at.error[0].value
    assert metric(at, "Toegekend") == "€ 100.000"
    at.text_input(key="scenario-budget-text").set_value("1000000,50").run()
    assert at.text_input(key="scenario-budget-text").value == "1.000.000,50" and not at.error
    at.switch_page("pages/subsidie.py").run()  # the Subsidie page computes with the same budget
    assert metric(at, "Budget") == "€ 1.000.000,50"
    assert at.text_input(key="subsidy-budget-text").value == "1.000.000,50"
    at.radio(key="subsidy-period").set_value("vanaf 2023").run()
    at.switch_page("pages/scenarios.py").run()  # and back: the preset chosen there shows here
    assert at.radio(key="scenario-period").value == "vanaf 2023"
    assert at.text_input(key="scenario-budget-text").value == "3.000.000"


@pytest.mark.slow
def test_a_new_partnership_with_centre_city_and_legal_form(database):
    nis, _, _ = unknown_municipality_and_partnership()
    at = app()
    partnerships = int(metric(at, "Verbanden"))
    at.text_input(key="scenario-new-name").input("Proefverband <b>Noord</b>").run()
    at.multiselect(key="scenario-new-members").set_value([nis]).run()
    at.button(key="scenario-create").click().run()
    assert int(metric(at, "Verbanden")) == partnerships + 1
    differences = " ".join(m.value for m in at.markdown)
    assert "Nieuw: Proefverband &lt;b&gt;Noord&lt;/b&gt;" in differences  # user text escaped before markdown


@pytest.mark.slow
def test_saving_gives_a_link_that_restores_the_scenario_in_a_new_session(database):
    nis, pid, name = unknown_municipality_and_partnership()
    at = app()
    assign(at, nis, pid)
    kpis = {m.label: m.value for m in at.metric}
    at.text_input(key="scenario-title").input("Proef Noord").run()
    at.text_area(key="scenario-note").input("Een toelichting").run()
    at.button(key="scenario-save").click().run()
    assert not at.exception
    link = next(code.value for code in at.code if "scenario=" in code.value)
    match = re.search(r"\?scenario=([A-Za-z0-9_-]{24})&scenarioversie=1$", link)
    assert match, link

    home = app(page=None, scenario=match.group(1), scenarioversie="1")
    assert not home.error
    assert "scenario 'Proef Noord' (versie 1)" in home.info[0].value  # every page uses it like an upload
    assert home.selectbox(key="f_scheme").value == "upload"
    assert metric(home, "Gemeenten gedekt") == kpis["Gemeenten gedekt"]
    home.switch_page(PAGE)
    home.run()
    assert {m.label: m.value for m in home.metric} == kpis
    assert home.text_input(key="scenario-title").value == "Proef Noord"
    differences = table_with(home, "Vertrekpunt")
    assert name in set(differences["Scenario"])

    # A second save of the opened scenario is version 2 of the same id; version 1 stays as it was.
    home.button(key="scenario-save").click().run()
    assert any(f"scenario={match.group(1)}&scenarioversie=2" in code.value for code in home.code)
    again = app(scenario=match.group(1), scenarioversie="1")
    assert {m.label: m.value for m in again.metric} == kpis


@pytest.mark.slow
@pytest.mark.parametrize("query, expected", [
    ({"scenario": "kapot", "scenarioversie": "1"}, "ongeldig"),
    ({"scenario": "A" * 24, "scenarioversie": "1"}, "bestaat niet"),
    ({"scenario": "A" * 24, "scenarioversie": "nul"}, "ongeldig"),
])
def test_a_malformed_or_unknown_link_gives_a_message_and_the_default_view(database, query, expected):
    at = app(page=None, **query)
    assert any(expected in error.value and "standaardweergave" in error.value for error in at.error)
    assert at.selectbox(key="f_scheme").value == "regie-2020-2025"
    assert metric(at, "Gemeenten gedekt").endswith("/ 300")


@pytest.mark.slow
@pytest.mark.parametrize("make_broken", ["missing_directory", "corrupt_file"])
def test_a_broken_database_gives_a_dutch_message_and_the_page_still_works(tmp_path, monkeypatch, make_broken):
    if make_broken == "missing_directory":
        location = tmp_path / "bestaat-niet" / "scenarios.sqlite"
    else:
        location = tmp_path / "kapot.sqlite"
        location.write_bytes(b"dit is geen databank " * 100)
    monkeypatch.setenv("REGIEKAART_DB", str(location))
    at = app()
    assert any("Bewaren kan nu niet" in error.value for error in at.error)
    assert covered(at) > 0  # the effects are still shown
    linked = app(page=None, scenario="A" * 24, scenarioversie="1")
    assert any("kon niet geopend worden" in error.value for error in linked.error)
    assert metric(linked, "Gemeenten gedekt").endswith("/ 300")


@pytest.mark.slow
def test_the_download_in_the_upload_format_reads_back_as_the_same_scheme():
    from analysis.datasets import scenario_starting_point
    from analysis.scenario_edit import CreatePartnership, MarkNonParticipant, new_scenario
    from analysis.tables import to_csv_bytes, to_xlsx_bytes
    from geodata.membership import TEMPLATE_SHEET, membership_upload_table

    nis, _, _ = unknown_municipality_and_partnership()
    scheme = new_scenario(scenario_starting_point("reconstructie", "2019")).apply_all([
        MarkNonParticipant(nis),
        # Partnerships without municipalities (yet): one with a legal form, one without.
        CreatePartnership("leeg-noord", "Leeg verband Noord", "welzijnsvereniging"),
        CreatePartnership("leeg-zuid", "Leeg verband Zuid"),
    ]).scheme
    assert list(scheme.non_participants["nis"]) == [nis]
    table = membership_upload_table(scheme.partnerships, scheme.memberships, scheme.non_participants)
    partnership_names = dict(zip(scheme.partnerships["partnership_id"], scheme.partnerships["name"]))
    expected = set(zip(scheme.memberships["nis"], scheme.memberships["partnership_id"].map(partnership_names)))
    expected_forms = {name: form if isinstance(form, str) and form else None
                      for name, form in zip(scheme.partnerships["name"], scheme.partnerships["legal_form"])}
    # The reconstruction has one too: a partnership known from a source whose municipalities are not.
    expected_without_members = set(scheme.partnerships["name"]) - set(scheme.memberships["partnership_id"].map(
        partnership_names))
    assert {"Leeg verband Noord", "Leeg verband Zuid"} < expected_without_members
    for data, filename in ((to_csv_bytes(table), "scenario.csv"),
                           (to_xlsx_bytes({TEMPLATE_SHEET: table}), "scenario.xlsx")):
        read, problems = read_membership_upload(data, filename)
        assert read is not None, [p.as_row() for p in problems]
        names = dict(zip(read.partnerships["partnership_id"], read.partnerships["name"]))
        assert set(zip(read.memberships["nis"], read.memberships["partnership_id"].map(names))) == expected
        assert list(read.non_participants["nis"]) == [nis]
        # Every partnership comes back, those without municipalities included, each with its legal form.
        assert dict(zip(read.partnerships["name"], read.partnerships["legal_form"])) == expected_forms
        without_members = set(read.partnerships["name"]) - set(read.memberships["partnership_id"].map(names))
        assert without_members == expected_without_members


@pytest.mark.slow
def test_the_reconstruction_on_the_2025_map_lists_merger_conflicts_and_its_link_opens_on_that_map(database):
    at = app()
    at.radio(key="scenario-start-map").set_value("2025").run()
    at.button(key="scenario-start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Gemeenten gedekt").endswith("/ 285")
    # The official 2020-2025 totals count the 300 municipalities of 2019-2024: no comparison on this map.
    assert not any(m.proto.delta for m in at.metric if m.label in ("Verbanden", "Gemeenten gedekt"))
    assert any(c.value.startswith("Geen vergelijking met de officiële totalen") for c in at.caption)
    assert not any(c.value.startswith("Vergeleken met de officiële totalen") for c in at.caption)
    conflicts = table_with(at, "NIS 2025")
    assert len(conflicts) > 0
    assert list(conflicts.columns) == ["NIS 2025", "Gemeente", "Conflict"]  # no working columns of the projection
    first = at.selectbox(key="scenario-conflict").value
    at.button(key="scenario-keep").click().run()
    remaining = [df.value for df in at.dataframe if "NIS 2025" in df.value.columns]
    if remaining:
        assert first not in set(remaining[0]["NIS 2025"]) and len(remaining[0]) == len(conflicts) - 1
    else:
        assert len(conflicts) == 1
    at.text_input(key="scenario-title").input("Kaart 2025").run()
    at.button(key="scenario-save").click().run()
    link = next(code.value for code in at.code if "scenario=" in code.value)
    scenario_id = re.search(r"scenario=([A-Za-z0-9_-]{24})", link).group(1)

    home = app(page=None, scenario=scenario_id, scenarioversie="1")
    assert home.radio(key="f_version").value == "2025"
    assert metric(home, "Gemeenten gedekt") == metric(at, "Gemeenten gedekt")
    home.radio(key="f_version").set_value("2019").run()  # its 2025 codes cannot be drawn on the older map
    assert not home.exception
    assert home.radio(key="f_version").value == "2025"


def saved_scenario(database, edits=(), version: str = "2019", title: str = "Adresbalk"):
    """A scenario saved straight into the test database (as the page saves it), from the reconstruction."""
    from analysis.datasets import scenario_starting_point
    from analysis.scenario_edit import new_scenario, scenario_content
    from geodata.scenario_store import open_store

    scenario = new_scenario(scenario_starting_point("reconstructie", version)).apply_all(edits)
    store = open_store(str(database))
    try:
        return store.save_new(title, "", scenario_content(scenario, {"versie": version}))
    finally:
        store.close()


def link_in_address_bar(at: AppTest) -> tuple[str | None, str | None]:
    return at.query_params.get("scenario"), at.query_params.get("scenarioversie")


def home_page(at: AppTest) -> AppTest:
    """Back to the home page, which draws the sidebar and writes the query string. (AppTest runs a page reached by
    ``switch_page`` on its own, without dashboard.py and its sidebar: the page switches of a real browser are in
    tests/test_browser_scenarios.py.)"""
    at.switch_page("dashboard.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_link_of_a_saved_scenario_stays_in_the_address_bar_until_another_scheme_is_chosen(database):
    from analysis.scenario_edit import Assign

    nis, pid, _ = unknown_municipality_and_partnership()
    saved = saved_scenario(database, [Assign(nis, pid)])
    at = app(page=None, scenario=saved.scenario_id, scenarioversie="1")
    assert link_in_address_bar(at) == (saved.scenario_id, "1")
    assert at.query_params.get("schema") == "upload"
    at.run()  # the next run rewrites the query string from the filters
    assert link_in_address_bar(at) == (saved.scenario_id, "1")
    at.selectbox(key="f_province").set_value("Antwerpen").run()
    assert link_in_address_bar(at) == (saved.scenario_id, "1")
    assert at.query_params.get("provincie") == "Antwerpen"  # with the filters

    at.selectbox(key="f_scheme").set_value("regie-2020-2025").run()  # another scheme: the link goes
    assert link_in_address_bar(at) == (None, None)
    assert at.query_params.get("provincie") == "Antwerpen"
    at.selectbox(key="f_scheme").set_value("upload").run()  # the saved scenario again: the link is back
    assert link_in_address_bar(at) == (saved.scenario_id, "1")


def test_the_filters_of_a_copied_address_bar_win_over_those_saved_with_the_scenario(database):
    saved = saved_scenario(database)
    at = app(page=None, scenario=saved.scenario_id, scenarioversie="1", provincie="Limburg")
    assert at.selectbox(key="f_province").value == "Limburg"
    assert link_in_address_bar(at) == (saved.scenario_id, "1")


def test_a_saved_version_used_on_every_page_puts_its_link_in_the_address_bar_an_edited_one_does_not(database):
    nis, pid, _ = unknown_municipality_and_partnership()
    at = app()
    at.button(key="scenario-use").click().run()  # not saved: no link
    home_page(at)
    assert link_in_address_bar(at) == (None, None) and at.query_params.get("schema") == "upload"

    at.switch_page(PAGE)
    at.run()
    at.text_input(key="scenario-title").input("Gebruikt").run()
    at.button(key="scenario-save").click().run()  # the scheme in use is now that saved version
    home_page(at)
    scenario_id = link_in_address_bar(at)[0]
    assert scenario_id and link_in_address_bar(at) == (scenario_id, "1")
    assert any("scenario 'Gebruikt' (versie 1)" in label for label in at.selectbox(key="f_scheme").options)

    at.switch_page(PAGE)
    at.run()
    assign(at, nis, pid)
    at.button(key="scenario-use").click().run()  # edited since version 1: that link would open something else
    home_page(at)
    assert link_in_address_bar(at) == (None, None)
    assert any("scenario 'Gebruikt' (versie 1, gewijzigd)" in label
               for label in at.selectbox(key="f_scheme").options)

    at.switch_page(PAGE)
    at.run()
    at.button(key="scenario-save").click().run()
    home_page(at)
    assert link_in_address_bar(at) == (scenario_id, "2")
