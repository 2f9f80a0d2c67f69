"""Every dashboard page through Streamlit's AppTest: renders, filters change numbers, uploads show problems."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.municipalities import load_municipalities

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = ["pages/dekking.py", "pages/hiaten.py", "pages/verbanden.py", "pages/fusies.py", "pages/subsidie.py",
         "pages/gegevens.py"]


def app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_home_shows_kpis_beside_official_totals_and_the_reconstruction_banner():
    at = app()
    assert metric(at, "Gemeenten gedekt").endswith("/ 300")
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Gemeenten gedekt"].startswith("officieel 238")
    assert deltas["Centrumsteden alleen"] == "officieel 3 (0)"
    assert "Gereconstrueerde gegevens" in at.warning[0].value
    assert any(caption.value.startswith("Bron:") for caption in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    at = app(page)
    assert at.title, f"{page} has no title"


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


def test_filters_from_the_url_are_applied():
    at = app(provincie="Limburg", versie="2025")
    assert at.selectbox(key="f_province").value == "Limburg"
    limburg_2025 = (load_municipalities("2025")["province"] == "Limburg").sum()
    assert metric(at, "Gemeenten gedekt").endswith(f"/ {limburg_2025}")


def test_centre_city_filter_keeps_only_that_partnership():
    at = app(centrumstad="46021")  # Sint-Niklaas
    assert metric(at, "Samenwerkingsverbanden") == "1"
    assert metric(at, "…met centrumstad") == "1"


def test_referentieregio_scheme_covers_everything():
    at = app(schema="referentieregio")
    assert metric(at, "Gemeenten gedekt") == "300 / 300"
    assert not at.warning  # official data: no reconstruction warning


def test_gaps_page_answers_which_municipalities_near_genk_are_not_covered():
    at = app("pages/hiaten.py")
    answer = next(m.value for m in at.markdown if "binnen 10 km van Genk" in m.value)
    assert "inwoners (2020)" in answer
    near = at.dataframe[0].value
    assert len(near) > 0 and set(near["Status"]) <= {"onbekend", "neemt niet deel"}


def test_subsidy_recomputes_with_the_budget():
    at = app("pages/subsidie.py")
    funded_default = metric(at, "Toegekend")
    at.number_input(key="subsidy-budget-2020-2022").set_value(100_000).run()
    assert metric(at, "Toegekend") == "€ 100.000"
    assert metric(at, "Toegekend") != funded_default


def test_bad_membership_upload_lists_problems_without_a_traceback():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(
        ("fout.csv", b"gemeente;verband\nGendt;X\n11999;Y\n", "text/csv")).run()
    assert not at.exception
    assert "2 fouten" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Rij"]) == [2, 3]
    assert "Gent" in problems["Suggestie"].iloc[0]


def test_garbage_upload_gives_an_error_message():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(("rommel.xlsx", bytes(range(256)) * 50,
                                                          "application/octet-stream")).run()
    assert not at.exception
    assert at.error and "rommel.xlsx" in at.dataframe[0].value["Bestand"].iloc[0]


def test_good_upload_becomes_a_scheme_for_all_pages_in_this_session():
    at = app("pages/gegevens.py")
    at.file_uploader(key="membership-upload").set_value(
        ("scenario.csv", "gemeente;verband\nGenk;Genk e.o.\nAs;Genk e.o.\nZutendaal;Genk e.o.\n".encode(), "text/csv")
    ).run()
    assert at.success and "1 verbanden" in at.success[0].value
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
    assert metric(at, "Samenwerkingsverbanden") == "1"
    assert "referentieregio Regio Brugge" in next(c.value for c in at.caption if c.value.startswith("Filter:"))


def test_partnership_page_offers_the_partnerships_in_view():
    at = app("pages/verbanden.py", provincie="Limburg")
    chooser = at.selectbox[-1] if at.selectbox[-1].label.startswith("Kies") else \
        next(s for s in at.selectbox if s.label.startswith("Kies"))
    assert "antwerpen" not in chooser.options and "Antwerpen" not in chooser.options
    assert any("Maasland" in option for option in chooser.options)
