"""The bundled regie 2020-2025 scheme, the official totals, and membership uploads."""

import io
import json
import subprocess
import sys
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from geodata.membership import (
    CENTRE_CITIES, check_scheme, load_scheme, membership_template_csv, membership_template_xlsx, official_totals,
)
from geodata.municipalities import load_municipalities
from geodata.official_list import read_membership_upload
from geodata.uploads import ERROR, WARNING
from tests.test_uploads import xlsx_bytes


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("regie-2020-2025")


def test_bundled_scheme_is_consistent_with_the_map(scheme):
    names = dict(zip(*load_municipalities("2019")[["nis", "name"]].to_numpy().T))
    assert set(scheme.memberships["nis"]) <= set(names)
    assert (scheme.memberships["municipality"] == scheme.memberships["nis"].map(names)).all()
    assert set(scheme.memberships["confidence"]) == {"confirmed", "suggestive"}
    assert scheme.memberships["source"].str.startswith("http").all()
    assert scheme.memberships["evidence"].notna().all()
    assert check_scheme(scheme) == []


def test_bundled_scheme_has_the_three_standalone_cities(scheme):
    standalone = scheme.partnerships[scheme.partnerships["standalone"]]
    assert sorted(standalone["centre_city"]) == ["Antwerpen", "Gent", "Leuven"]
    centre = scheme.partnerships.dropna(subset=["centre_city_nis"])
    assert set(centre["centre_city_nis"]) <= set(CENTRE_CITIES)


def test_documented_conflicts_are_kept_as_data(scheme):
    listed = scheme.memberships.groupby("municipality")["partnership_id"].agg(set)
    assert listed["Wielsbeke"] == {"midwest", "w13"}
    assert listed["Lille"] == listed["Kasterlee"] == {"neteland", "stadsregio-turnhout"}


def test_partnership_without_named_members_has_no_rows(scheme):
    assert "welzijnskoepel-west-brabant" in set(scheme.partnerships["partnership_id"])
    assert "welzijnskoepel-west-brabant" not in set(scheme.memberships["partnership_id"])


def test_check_scheme_finds_broken_rows(scheme):
    memberships = scheme.memberships.copy()
    memberships.loc[0, "nis"] = "99999"
    memberships.loc[1, "municipality"] = "Verkeerde naam"
    memberships.loc[2, "confidence"] = "misschien"
    problems = check_scheme(replace(scheme, memberships=memberships))
    assert any("onbekende NIS-code 99999" in p for p in problems)
    assert any("Verkeerde naam" in p for p in problems)
    assert any("misschien" in p for p in problems)


def test_official_totals():
    totals = official_totals()
    assert {key: totals[key]["value"] for key in ("regie_entities", "partnerships", "with_centre_city",
                                                    "standalone_cities", "municipalities", "total_municipalities")} \
        == {"regie_entities": 37, "partnerships": 34, "with_centre_city": 10, "standalone_cities": 3,
            "municipalities": 238, "total_municipalities": 300}
    assert totals["population_share"]["value"] == pytest.approx(0.89)
    forms = [totals[key]["value"] for key in totals if key.startswith("legal_form_")]
    assert sum(forms) == 34
    assert all(item["source"].startswith("https://www.socialeeconomie.be") for item in totals.values())


# --- uploads -------------------------------------------------------------------------------------------------

def upload(text: str, filename: str = "scenario.csv"):
    return read_membership_upload(text.encode("utf-8"), filename)


def test_simple_name_sheet_with_spelling_variants():
    scheme, problems = upload("gemeente;samenwerkingsverband\nST.-NIKLAAS;Waasland\nsint gillis waas;Waasland\n"
                              "Neerpelt;Noord\nPajottegem;Pajot\nGent;Gent alleen\n")
    assert scheme is not None, problems
    members = scheme.memberships.groupby("partnership_id")["nis"].agg(sorted).to_dict()
    assert members == {"waasland": ["46020", "46021"], "noord": ["72043"], "pajot": ["23023", "23024", "23032"],
                       "gent-alleen": ["44021"]}
    partnerships = scheme.partnerships.set_index("partnership_id")
    assert partnerships.loc["waasland", "centre_city"] == "Sint-Niklaas"
    assert not partnerships.loc["waasland", "standalone"]
    assert partnerships.loc["gent-alleen", "standalone"]
    assert [(p.severity, p.row) for p in problems] == [(WARNING, 4), (WARNING, 5)]  # Neerpelt, Pajottegem
    assert (scheme.memberships["confidence"] == "confirmed").all()


def test_nis_sheet_with_excel_numbers():
    scheme, problems = read_membership_upload(
        xlsx_bytes({"Blad1": [["NIS-code", "Verband"], [11002, "A"], [11007.0, "A"], ["13040", "B"]]}), "codes.xlsx")
    assert problems == []
    assert sorted(scheme.memberships["nis"]) == ["11002", "11007", "13040"]


def test_unknown_name_names_file_row_column_and_suggests():
    scheme, problems = upload("gemeente;verband\nGent;X\nGendt;X\n", "fout.csv")
    assert scheme is None
    error = [p for p in problems if p.severity == ERROR][0]
    assert (error.file, error.row, error.column) == ("fout.csv", 3, "A (gemeente)")
    assert "Gendt" in error.message and "Gent" in error.suggestion


@pytest.mark.parametrize("row, message", [
    ("21004;X", "geen Vlaamse gemeente"),  # Brussels
    ("11999;X", "Onbekende NIS-code"),  # Flemish-looking but not a municipality
    ("abc;X", "geen NIS-code"),
    (";X", "Gemeente is leeg"),
    ("11002;", "Samenwerkingsverband is leeg"),
])
def test_bad_nis_rows(row, message):
    scheme, problems = upload(f"nis;verband\n{row}\n")
    assert scheme is None
    assert any(p.severity == ERROR and p.row == 2 and message in p.message for p in problems), problems


def test_2025_merger_code_is_spread_over_its_parts():
    scheme, problems = upload("nis;verband\n23106;Pajot\n")
    assert sorted(scheme.memberships["nis"]) == ["23023", "23024", "23032"]
    assert problems[0].severity == WARNING and "fusiegemeente" in problems[0].message


def test_code_and_name_must_agree():
    scheme, problems = upload("nis;gemeente;verband\n11002;Gent;X\n")
    assert scheme is None and "niet naar dezelfde gemeente" in problems[0].message


def test_missing_columns_are_listed():
    scheme, problems = upload("stad;groep\nGent;X\n")
    assert scheme is None
    assert "Verplichte kolommen ontbreken" in problems[0].message and "stad, groep" in problems[0].message


def test_duplicates_overlaps_and_non_participants():
    scheme, problems = upload("gemeente;verband;bron\nGent;A;\nGent;A;\nGent;B;\nLede;geen;https://x.be/besluit\n")
    assert scheme is not None
    assert len(scheme.memberships) == 2  # the duplicate row is dropped
    assert scheme.non_participants["nis"].tolist() == ["41034"]
    assert scheme.non_participants["source"].tolist() == ["https://x.be/besluit"]
    messages = [p.message for p in problems]
    assert any("twee keer" in m for m in messages) and any("overlapping" in m for m in messages)


def test_confidence_words():
    scheme, problems = upload("gemeente;verband;betrouwbaarheid\nGent;A;Bevestigd\nLede;A;vermoedelijk\nAalst;A;\n")
    assert scheme.memberships.set_index("municipality")["confidence"].to_dict() == \
        {"Gent": "confirmed", "Lede": "suggestive", "Aalst": "confirmed"}
    scheme, problems = upload("gemeente;verband;betrouwbaarheid\nGent;A;misschien\n")
    assert scheme is None and problems[0].column == "C (betrouwbaarheid)"


def test_html_in_names_is_kept_as_plain_text():
    scheme, _ = upload("gemeente;verband\nGent;<img src=x onerror=alert(1)>\n")
    assert scheme.partnerships["name"].tolist() == ["<img src=x onerror=alert(1)>"]  # escaped where it is shown


@pytest.mark.parametrize("template", [membership_template_csv, membership_template_xlsx])
def test_templates_read_back_without_errors(template):
    data = template()
    scheme, problems = read_membership_upload(data, "sjabloon." + ("csv" if template is membership_template_csv
                                                                     else "xlsx"))
    assert scheme is not None and problems == []
    assert sorted(scheme.memberships["municipality"]) == ["Antwerpen", "Schoten"]
    assert scheme.non_participants["municipality"].tolist() == ["Zoersel"]


def test_xlsx_template_lists_all_municipalities():
    book = load_workbook(io.BytesIO(membership_template_xlsx()))
    assert book.sheetnames == ["Lidmaatschap", "Uitleg", "Gemeenten"]
    assert book["Gemeenten"].max_row == 301


def test_upload_never_raises_on_garbage():
    scheme, problems = read_membership_upload(bytes(range(256)) * 10, "rommel.csv")
    assert scheme is None and problems and problems[0].severity == ERROR


# --- the summary command on real data --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def summary_2019():
    result = subprocess.run([sys.executable, "-m", "analysis", "summary", "--scheme", "regie-2020-2025",
                             "--version", "2019", "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.slow
def test_summary_reports_overlaps_with_their_sources(summary_2019):
    overlaps = {row["name"]: row for row in summary_2019["overlaps"]}
    assert set(overlaps) == {"Wielsbeke", "Lille", "Kasterlee"}
    assert overlaps["Wielsbeke"]["partnership_ids"] == ["midwest", "w13"]
    assert all(source.startswith("http") for source in overlaps["Wielsbeke"]["sources"])


def test_summary_kpis_stand_beside_official_totals(summary_2019):
    kpis = {row["kpi"]: row for row in summary_2019["kpis"]}
    assert kpis["municipalities"]["official"] == 238
    assert kpis["municipalities"]["value"] + kpis["unknown"]["value"] + kpis["non_participants"]["value"] == 300
    assert kpis["municipalities"]["difference"] == kpis["municipalities"]["value"] - 238
    assert kpis["standalone_cities"]["value"] == kpis["standalone_cities"]["official"] == 3
    assert summary_2019["reconstructed"] is True


def test_summary_counts_partnerships_as_the_dashboard_does(summary_2019, scheme):
    """Welzijnskoepel West-Brabant has no known member: it is not counted. Counts are integers, with a definition."""
    kpis = {row["kpi"]: row for row in summary_2019["kpis"]}
    with_members = scheme.partnerships["partnership_id"].isin(set(scheme.memberships["partnership_id"]))
    standalone = scheme.partnerships["standalone"].astype(bool)
    assert kpis["partnerships"]["value"] == int((with_members & ~standalone).sum()) < int((~standalone).sum())
    assert kpis["regie_entities"]["value"] == int(with_members.sum())
    assert all(isinstance(kpis[key]["value"], int) for key in ("partnerships", "municipalities", "population_total"))
    assert "minstens één van zijn gemeenten" in kpis["partnerships"]["definition"]


def test_summary_merger_conflicts_name_the_municipalities(summary_2019):
    conflicts = {row["name_2025"]: row for row in summary_2019["merger_conflicts"]}
    assert "different_partnerships" in conflicts["Tongeren-Borgloon"]["conflict_types"]
    assert "partly_covered" in conflicts["Antwerpen"]["conflict_types"]  # Borsbeek has no known partnership


@pytest.mark.slow
def test_summary_works_on_the_2025_map():
    result = subprocess.run([sys.executable, "-m", "analysis", "summary", "--version", "2025", "--json"],
                            capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    kpis = {row["kpi"]: row["value"] for row in report["kpis"]}
    assert kpis["total_municipalities"] == 285
    assert kpis["municipalities"] + kpis["unknown"] + kpis["non_participants"] == 285


def test_the_projects_own_membership_file_reads_back_as_the_same_scheme(scheme):
    from geodata.membership import SCHEMES

    data = (SCHEMES["regie-2020-2025"] / "memberships.csv").read_bytes()
    uploaded, problems = read_membership_upload(data, "memberships.csv")
    assert uploaded is not None, problems
    assert all(p.severity == WARNING for p in problems)  # only the documented overlaps are reported
    assert {p.message.split(" staat in")[0] for p in problems if "overlapping" in p.message} == \
        {"Wielsbeke", "Lille", "Kasterlee"}
    read_back = set(zip(uploaded.memberships["partnership_id"], uploaded.memberships["nis"],
                        uploaded.memberships["confidence"]))
    assert read_back == set(zip(scheme.memberships["partnership_id"], scheme.memberships["nis"],
                                scheme.memberships["confidence"]))
    standalone = set(uploaded.partnerships.loc[uploaded.partnerships["standalone"], "partnership_id"])
    assert standalone == {"antwerpen", "gent", "leuven"}


def test_a_partnership_has_the_same_colour_on_both_maps():
    from analysis.datasets import bundled_view

    before, after = bundled_view("regie-2020-2025", "2019"), bundled_view("regie-2020-2025", "2025")
    assert before.colours == after.colours
    assert len(set(before.colours.values())) > 5
