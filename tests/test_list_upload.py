"""A complete list of regisseurs through the dashboard and the command line: the session's scheme on every page,
the published counts reproduced, the reconciliation on the Gegevens page, and the upload defects of issue 12
(point 7)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis import __main__ as cli
from geodata.membership import CENTRE_CITIES
from geodata.municipalities import load_municipalities
from geodata.uploads import MAX_UPLOAD_BYTES, WHOLE_FILE, Problem, problems_summary, read_raw_sheets
from tests.apptest import metric, open_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
STANDALONE = ("11002", "44021", "24062")  # Antwerpen, Gent, Leuven


def complete_list() -> tuple[bytes, dict]:
    """A synthetic complete list built from the real 2019 municipalities: 34 partnerships (10 with one of the other
    centre cities), Antwerpen, Gent and Leuven alone, 238 municipalities; one row per regisseur, its municipalities
    in one cell as "A, B en C". Returns the CSV and the counts it was built with."""
    municipalities = load_municipalities("2019").sort_values("nis")
    names = dict(zip(municipalities["nis"], municipalities["name"]))
    cities = [code for code in sorted(CENTRE_CITIES) if code not in STANDALONE]
    others = [code for code in municipalities["nis"] if code not in CENTRE_CITIES][:238 - len(CENTRE_CITIES)]
    rows = ["Regisseur;Centrumstad;Gemeenten"]
    for number in range(34):
        members = ([cities[number]] if number < len(cities) else []) + others[number::34]
        listed = [names[code] for code in members]
        centre = names[cities[number]] if number < len(cities) else ""
        rows.append(f"Verband {number + 1:02d};{centre};{', '.join(listed[:-1])} en {listed[-1]}")
    for code in STANDALONE:
        rows.append(f"Stad {names[code]};{names[code]};{names[code]}")
    covered = set(others) | set(CENTRE_CITIES)
    expected = {"regie_entities": 34 + len(STANDALONE), "partnerships": 34, "with_centre_city": len(cities),
                "standalone_cities": len(STANDALONE), "municipalities": len(covered)}
    return ("\r\n".join(rows) + "\r\n").encode("utf-8"), expected


def test_the_synthetic_list_is_what_the_issue_asks_for():
    data, expected = complete_list()
    assert expected == {"regie_entities": 37, "partnerships": 34, "with_centre_city": 10, "standalone_cities": 3,
                        "municipalities": 238}
    assert b" en " in data


def test_a_complete_list_reproduces_the_published_counts_in_the_analysis():
    from analysis.datasets import build_view
    from analysis.membership_list import check_totals, read_list

    data, expected = complete_list()
    listed, problems = read_list(data, "volledige-lijst.csv")
    assert problems == []
    view = build_view(listed, "2019")
    kpis = dict(zip(view.kpis["kpi"], view.kpis["value"]))
    assert {key: kpis[key] for key in expected} == expected
    assert kpis["total_municipalities"] == 300
    totals = check_totals(view).set_index("key")
    assert totals.loc[["regie_entities", "partnerships", "with_centre_city", "standalone_cities", "municipalities"],
                      "agrees"].all()


@pytest.fixture(scope="module")
def list_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lijst") / "volledige-lijst.csv"
    path.write_bytes(complete_list()[0])
    return path


def run_cli(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_summary_json_of_a_list_keeps_the_kpi_keys(list_file):
    result = run_cli("summary", "--membership", str(list_file), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    kpis = {row["kpi"]: row["value"] for row in report["kpis"]}
    assert (kpis["partnerships"], kpis["with_centre_city"], kpis["standalone_cities"], kpis["municipalities"]) == \
        (34, 10, 3, 238)
    assert report["scheme"] == "upload" and "volledige-lijst.csv" in report["scheme_label"]
    assert report["reconstructed"] is False and len(report["partnerships"]) == 37


@pytest.mark.slow
def test_reconcile_json_compares_every_municipality(list_file):
    result = run_cli("reconcile", "--membership", str(list_file), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sum(report["counts"].values()) == len(report["municipalities"]) == 300
    assert set(report["counts"]) == {"bevestigd", "tegengesproken", "nieuw", "ontbreekt", "in_geen"}
    totals = {row["key"]: row for row in report["totals"]}
    assert totals["partnerships"]["agrees"] and totals["partnerships"]["sentence"] == \
        "34 samenwerkingsverbanden, zoals officieel."
    listed_names = {row["list_name"] for row in report["partnerships"] if row["list_name"]}
    assert len(listed_names) == 37


@pytest.mark.slow
def test_reconcile_text_output_names_the_categories(list_file):
    result = run_cli("reconcile", "--membership", str(list_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Vergelijking van volledige-lijst.csv met de reconstructie van Regiekaart")
    assert "[klopt] 34 samenwerkingsverbanden, zoals officieel." in result.stdout


@pytest.mark.parametrize("command", ["summary", "reconcile", "export"])
def test_an_unusable_list_exits_2_with_file_row_and_column_on_stderr(tmp_path, capsys, command):
    bad = tmp_path / "fout.csv"
    bad.write_text("Regisseur;Gemeenten\nInterwaas;Beveren\nMidwest;Ardooie, Izegemm\n", encoding="utf-8")
    arguments = [command, "--membership", str(bad)] + (["--out", str(tmp_path / "uit")] if command == "export" else [])
    assert cli.main(arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "fout.csv, rij 3, kolom B (Gemeenten): fout: 'Izegemm' is geen gekende Vlaamse gemeente. " \
           "Bedoelt u: Izegem?" in captured.err
    assert "Traceback" not in captured.err and not (tmp_path / "uit").exists()


def test_a_missing_list_file_exits_2_in_dutch(tmp_path, capsys):
    assert cli.main(["summary", "--membership", str(tmp_path / "bestaat-niet.csv")]) == 2
    error = capsys.readouterr().err
    assert "bestaat-niet.csv: fout: Het bestand kan niet geopend worden (het bestaat niet)." in error


@pytest.mark.slow
def test_export_of_a_list_reports_on_that_list(list_file, tmp_path, monkeypatch):
    seen = {}

    def export_report(view, out_dir, filter_text, **kwargs):
        seen["kpis"] = dict(zip(view.kpis["kpi"], view.kpis["value"]))
        seen["filter_text"] = filter_text
        return []

    monkeypatch.setattr(cli, "export_report", export_report)
    assert cli.main(["export", "--membership", str(list_file), "--out", str(tmp_path)]) == 0
    assert seen["kpis"]["partnerships"] == 34 and seen["kpis"]["municipalities"] == 238
    assert seen["filter_text"].startswith("eigen lijst volledige-lijst.csv")


# --- the dashboard ------------------------------------------------------------------------------------------------

def gegevens() -> AppTest:
    return open_app("pages/gegevens.py", timeout=240)


@pytest.mark.slow
def test_an_uploaded_complete_list_is_the_scheme_of_every_page_with_the_published_counts():
    data, _ = complete_list()
    at = gegevens()
    at.file_uploader(key="membership-upload").set_value(("volledige-lijst.csv", data, "text/csv")).run()
    assert not at.exception
    assert "37 regisseurs (34 samenwerkingsverbanden en 3 centrumsteden alleen), 238 gemeenten gelezen" in \
        at.success[0].value
    assert {m.label for m in at.metric} >= {"Bevestigd", "Tegengesproken", "Nieuw", "Ontbreekt"}
    next(b for b in at.button if b.label.startswith("Gebruik deze upload")).click().run()
    at.switch_page("dashboard.py")
    at.run()
    assert not at.exception
    assert (metric(at, "Verbanden"), metric(at, "Met centrumstad"), metric(at, "Steden alleen"),
            metric(at, "Gemeenten gedekt")) == ("34", "10", "3", "238 / 300")
    assert at.selectbox(key="f_scheme").value == "upload"
    assert "eigen lijst volledige-lijst.csv (deze sessie)" in at.selectbox(key="f_scheme").options
    assert any("lidmaatschap: eigen lijst volledige-lijst.csv" in caption.value for caption in at.caption)
    assert len(at.selectbox(key="f_partnership").options) == 37 + 1  # every regisseur, and "Alle verbanden"
    at.switch_page("pages/verbanden.py")
    at.run()
    assert not at.exception


@pytest.mark.slow
def test_gegevens_page_reconciles_a_pasted_list_with_tables_and_a_diff_map(deferred):
    at = gegevens()
    at.text_area(key="list-paste").input("Interwaas: Beveren, Kruibeke, Sint-Niklaas\nGent: Gent\nMidwest\n"
                                         "    Ardooie\n    Izegem\n")
    next(b for b in at.button if b.label == "Geplakte tekst lezen").click().run()
    assert not at.exception
    assert "geplakte tekst: 3 regisseurs" in at.success[0].value
    counts = {m.label: int(m.value) for m in at.metric}
    assert sum(counts[label] for label in ("Bevestigd", "Tegengesproken", "Nieuw", "Ontbreekt",
                                           "In geen van beide")) == 300
    headers = [tuple(frame.value.columns) for frame in at.dataframe]
    assert ("Verband in de lijst", "Verband bij ons", "Overlap (%)", "Gemeenten samen", "Alleen in de lijst",
            "Alleen bij ons", "Gemeenten in de lijst", "Gemeenten bij ons") in headers
    assert any(caption.value.startswith("Bron:") and "vergelijking: geplakte tekst" in caption.value
               for caption in at.caption)
    assert "regiekaart-vergelijking-geplakte-tekst.xlsx" in deferred
    assert "regiekaart-vergelijking-geplakte-tekst-gemeenten.csv" in deferred
    csv = deferred["regiekaart-vergelijking-geplakte-tekst-gemeenten.csv"]().decode("utf-8-sig")
    assert csv.splitlines()[0] == "NIS;Gemeente;Uitkomst;Verband in de lijst;Verband bij ons;Toelichting"


@pytest.mark.slow
def test_the_page_shows_what_was_given_last_a_file_or_pasted_text():
    at = gegevens()
    at.file_uploader(key="membership-upload").set_value(
        ("een.csv", b"Regisseur;Gemeenten\nMidwest;Ardooie, Izegem\n", "text/csv")).run()
    assert at.success[0].value.startswith("een.csv: 1 regisseur")
    at.text_area(key="list-paste").input("Gent: Gent\nLeuven: Leuven\n")
    next(b for b in at.button if b.label == "Geplakte tekst lezen").click().run()
    assert at.success[0].value.startswith("geplakte tekst: 2 regisseurs")
    at.file_uploader(key="membership-upload").set_value(
        ("twee.csv", b"Regisseur;Gemeenten\nMidwest;Ardooie\nW13;Menen\nGent;Gent\n", "text/csv")).run()
    assert at.success[0].value.startswith("twee.csv: 3 regisseurs")


# --- issue 12, point 7 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("errors, warnings, expected", [
    (1, 0, "1 fout in x.csv."), (2, 0, "2 fouten in x.csv."), (1, 1, "1 fout en 1 waarschuwing in x.csv."),
    (0, 3, "3 waarschuwingen in x.csv."), (2, 2, "2 fouten en 2 waarschuwingen in x.csv."),
])
def test_problem_counts_are_grammatical(errors, warnings, expected):
    problems = [Problem("fout", "x.csv", 1, None, "f")] * errors + [Problem("waarschuwing", "x.csv", 1, None, "w")] \
        * warnings
    assert problems_summary(problems, "x.csv") == expected


def test_one_error_says_1_fout_on_the_page():
    at = gegevens()
    at.file_uploader(key="membership-upload").set_value(("een.csv", b"gemeente;verband\nGendt;X\n", "text/csv")).run()
    assert at.error[0].value == "1 fout in een.csv."


def test_the_size_message_ends_without_a_comma():
    _, problems = read_raw_sheets(b"x" * (MAX_UPLOAD_BYTES + 1), "groot.csv")
    assert problems[0].message == "Het bestand is 5,1 MB; de grens is 5 MB."


@pytest.mark.slow
def test_a_whole_file_problem_does_not_show_row_and_column_as_unknown():
    at = gegevens()
    at.file_uploader(key="membership-upload").set_value(("leeg.csv", b"\n \n", "text/csv")).run()
    problems = at.dataframe[0].value
    assert problems[["Rij", "Kolom"]].iloc[0].tolist() == [WHOLE_FILE, WHOLE_FILE]
    assert problems["Rij"].iloc[0] != "onbekend"


@pytest.mark.slow
def test_a_link_to_an_upload_in_a_fresh_session_says_it_is_not_here():
    at = AppTest.from_file(DASHBOARD, default_timeout=240)
    at.query_params["schema"] = "upload"
    at.run()
    assert not at.exception
    assert any("zit niet in deze browsersessie" in warning.value for warning in at.warning)
    assert at.session_state["f_scheme"] == "regie-2020-2025"
    at.selectbox(key="f_scheme").set_value("referentieregio").run()
    assert not any("zit niet in deze browsersessie" in warning.value for warning in at.warning)


def test_the_dashboard_and_the_command_line_name_an_uploaded_list_the_same_way():
    from analysis.membership_list import UPLOAD_SCHEME_ID
    from geodata.vocabulary import SCHEME_UPLOAD

    assert SCHEME_UPLOAD == UPLOAD_SCHEME_ID


@pytest.mark.slow
def test_a_file_name_is_shown_as_typed_not_as_markdown():
    at = gegevens()
    at.file_uploader(key="membership-upload").set_value(
        ("**vet** [link](https://x.be).csv", b"Regisseur;Gemeenten\nMidwest;Ardooie\n", "text/csv")).run()
    assert at.success[0].value.startswith(r"\*\*vet\*\* \[link\](https\://x.be).csv: 1 regisseur")
