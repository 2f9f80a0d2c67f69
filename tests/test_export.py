"""Report exports: tables with Dutch headers, the full file set with index.md, and the `export` command.

Unit tests use a 4 x 4 grid of toy municipalities of 20,000 inhabitants (see test_figures for the layout):
A = 5 municipalities with centre city r0c0, B = 3 suggestive members, C = centre city r3c3 alone.
"""

import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from analysis import __main__ as cli
from analysis.report_files import export_report
from analysis.report_items import MAP, REPORT_ITEMS, ReportItem, register_indicator_map, register_report_item
from analysis.view_tables import (
    CLUSTER_COLUMNS, OVERLAP_COLUMNS, PARTNERSHIP_COLUMNS, SUBSIDY_COLUMNS, SUBSIDY_RATE_COLUMN,
    gap_clusters_table, overlaps_table, partnership_table, subsidy_tables,
)
from analysis.figures import coverage_print_map
from analysis.scenario import build_coverage_view
from geodata.fetch import SourceUnavailable
from geodata.membership import Scheme
from tests.grids import cell, memberships_frame, non_participants_frame, partnerships_frame, square_grid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MADE_ON = date(2025, 3, 14)
B_MEMBERS = [cell(0, 2), cell(0, 3), cell(1, 2)]
EXPECTED_FILES = [
    "kaart-dekking.png", "kaart-dekking.pdf", "kaart-overlappingen-hiaten.png", "kaart-overlappingen-hiaten.pdf",
    "kaart-werkzoekendengraad.png", "kaart-werkzoekendengraad.pdf", "kaart-niet-werkende-werkzoekenden.png",
    "kaart-niet-werkende-werkzoekenden.pdf",
    "tabel-samenwerkingsverbanden.xlsx", "tabel-samenwerkingsverbanden.csv", "tabel-subsidie.xlsx",
    "tabel-subsidie.csv", "tabel-overlappingen.xlsx", "tabel-overlappingen.csv", "tabel-hiaten.xlsx",
    "tabel-hiaten.csv", "index.md",
]
WITHOUT_INDICATORS = [name for name in EXPECTED_FILES if "werkzoekenden" not in name]


@pytest.fixture(scope="module")
def view():
    memberships = memberships_frame(
        {"A": [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1), cell(1, 2)], "B": B_MEMBERS, "C": [cell(3, 3)]},
        confidence={("B", nis): "suggestive" for nis in B_MEMBERS})
    partnerships = partnerships_frame(["A", "B", "C"], centre_city={"A": cell(0, 0), "C": cell(3, 3)},
                                      standalone=["C"])
    scheme = Scheme("test", "Testschema", partnerships, memberships, non_participants_frame([cell(2, 0)]),
                    reconstructed=True)
    return build_coverage_view(square_grid(4, 4, population=20_000), scheme)


def test_partnership_table_has_dutch_headers_and_typed_columns(view):
    table = partnership_table(view)
    assert list(table.columns) == PARTNERSHIP_COLUMNS
    assert table["Samenwerkingsverband"].tolist() == ["Verband A", "Verband B", "Verband C"]
    assert table["Gemeenten"].tolist() == [5, 3, 1]
    assert table["Gemeenten vermoedelijk"].tolist() == [0, 3, 0]
    assert table["Inwoners 2020"].tolist() == [100_000, 60_000, 20_000]
    assert str(table["Inwoners 2020"].dtype) == "Int64"
    assert table["Oppervlakte (km²)"].tolist() == [5.0, 3.0, 1.0]
    assert table["Centrumstad"].tolist() == ["Gemeente r0c0", "geen", "Gemeente r3c3"]
    assert table["Centrumstad alleen"].tolist() == ["nee", "nee", "ja"]
    assert table["Subsidieerbaar"].tolist() == ["ja", "ja", "ja"]
    # No referentieregio data for the toy grid: unknown, never 0.
    assert table["Hoofdreferentieregio"].tolist() == ["onbekend"] * 3
    assert table["Referentieregio's doorkruist"].isna().all()


def test_partnership_table_of_a_filter_keeps_partnerships_with_members_in_view(view):
    top_row = view.municipalities["nis"].isin([cell(0, c) for c in range(4)])
    assert partnership_table(view, top_row)["ID"].tolist() == ["A", "B"]


def test_subsidy_table_follows_the_rules_and_the_budget(view):
    sheets = subsidy_tables(view, budget_eur=60_000, unemployment_rate={"A": 8.0, "B": 9.0, "C": 5.0},
                            unemployment_note="testgraad")
    table = sheets["Subsidie"]
    assert list(table.columns) == SUBSIDY_COLUMNS
    # A and C involve a centre city and go first; A (8 %) before C (5 %); B after them.
    assert table["ID"].tolist() == ["A", "C", "B"]
    assert table["Rang"].tolist() == [1, 2, 3]
    assert table["Gevraagd (euro)"].tolist() == [50_000, 25_000, 25_000]
    assert table["Plafond (euro)"].tolist()[0] == 75_000 and pd.isna(table["Plafond (euro)"].iloc[1])
    assert table["Toegekend (euro)"].tolist() == [50_000, 10_000, 0]
    assert str(table["Toegekend (euro)"].dtype) == "Int64"
    assert table["Gefinancierd"].tolist() == ["ja", "ja", "nee"]
    assert table["Volledig gefinancierd"].tolist() == ["ja", "nee", "nee"]
    assert table[SUBSIDY_RATE_COLUMN].tolist() == [8.0, 5.0, 9.0]
    totals = dict(zip(sheets["Totalen"]["Omschrijving"], sheets["Totalen"]["Waarde"]))
    assert totals["Budget per jaar (euro)"] == 60_000 and isinstance(totals["Budget per jaar (euro)"], int)
    assert totals["Toegekend (euro)"] == 60_000
    assert totals["Tekort (euro)"] == 40_000
    assert totals["Subsidieerbaar maar niet gefinancierd"] == 1


def test_subsidy_without_rates_leaves_them_empty(view):
    table = subsidy_tables(view, budget_eur=1_000_000)["Subsidie"]
    assert table[SUBSIDY_RATE_COLUMN].isna().all()
    assert table["Werkzoekendengraad ontbreekt"].tolist() == ["ja", "ja", "ja"]
    assert table["Toegekend (euro)"].tolist() == [50_000, 25_000, 25_000]


def test_overlaps_table(view):
    table = overlaps_table(view)
    assert list(table.columns) == OVERLAP_COLUMNS
    assert table.to_dict("records") == [{
        "NIS": cell(1, 2), "Gemeente": "Gemeente r1c2", "Provincie": "Antwerpen", "Aantal verbanden": 2,
        "Verbanden": "Verband A | Verband B", "Betrouwbaarheid": "bevestigd | vermoedelijk",
        "Alle vermeldingen bevestigd": "nee", "Bronnen": "https://example.org/A | https://example.org/B",
        "Inwoners 2020": 20_000,
    }]


def test_gap_clusters_table(view):
    table = gap_clusters_table(view)
    assert list(table.columns) == CLUSTER_COLUMNS
    rows = table.set_index("Soort")
    assert rows.loc["Onbekend", "Gemeenten"] == 7
    assert rows.loc["Onbekend", "Gebied"] == "Onbekend 1"  # the analysis's id "unknown-1" in Dutch
    assert rows.loc["Neemt niet deel", "NIS-codes"] == cell(2, 0)
    combined = rows.loc["Beide samen (onbekend en neemt niet deel)"]
    assert (combined["Gemeenten"], combined["waarvan neemt niet deel"], combined["waarvan onbekend"]) == (8, 1, 7)
    assert combined["Inwoners 2020"] == 160_000 and combined["Oppervlakte (km²)"] == 8.0


def indicator_values(view):
    """werkzoekendengraad 2023 (1 % ... 16 % in reading order) and nwwz, known in 2022 only (2023 suppressed)."""
    codes = list(view.municipalities["nis"])
    rate = pd.DataFrame({"nis": codes, "indicator_id": "werkzoekendengraad", "year": 2023,
                         "value": [float(number) for number in range(1, 17)], "unit": "%",
                         "source": "Bron: VDAB, Provincies in Cijfers", "flag": "ok"})
    known = pd.DataFrame({"nis": codes, "indicator_id": "nwwz", "year": 2022, "value": [100.0 * n for n in range(16)],
                          "unit": "personen", "source": "Bron: VDAB, Provincies in Cijfers", "flag": "ok"})
    hidden = known.assign(year=2023, value=float("nan"), flag="suppressed")
    return pd.concat([rate, known, hidden], ignore_index=True)


@pytest.fixture(scope="module")
def report(view, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport")
    lines = []
    written = export_report(view, out, made_on=MADE_ON, unemployment_rate={"A": 8.0},
                            unemployment_note="werkzoekendengraad 2019 (test)", indicator_values=indicator_values(view),
                            progress=lambda number, total, name: lines.append(f"[{number}/{total}] {name}"))
    return out, written, lines


@pytest.mark.slow
def test_export_writes_the_standard_set_with_progress(report):
    out, written, lines = report
    assert [file.path.name for file in written] == EXPECTED_FILES
    assert lines == [f"[{number}/17] {name}" for number, name in enumerate(EXPECTED_FILES, start=1)]
    assert sorted(path.name for path in out.iterdir()) == sorted(EXPECTED_FILES)  # no partial files left


def test_index_lists_the_indicator_maps_with_their_year_and_source(report):
    out, _, _ = report
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "| [kaart-werkzoekendengraad.png](kaart-werkzoekendengraad.png) | Kaart: werkzoekendengraad " \
           "(jaargemiddelde) 2023 (A4, 300 dpi) |" in index
    # nwwz: 2023 is all suppressed, so the latest year with figures is 2022.
    assert "## Kaart: niet-werkende werkzoekenden (jaargemiddelde) 2022" in index
    section = index.split("## Kaart: werkzoekendengraad (jaargemiddelde) 2023")[1].split("\n## ")[0]
    assert "kwantielen (even veel gemeenten per klasse), 5 klassen, berekend op heel Vlaanderen" in section
    assert "- Werkzoekendengraad (jaargemiddelde) 2023: VDAB, Provincies in Cijfers (licentie: " in section
    assert "- gemeentegrenzen: Provincies in Cijfers, Statbel" in section
    assert "Niet gemaakt" not in index


def test_exported_indicator_map_is_a4_with_the_classes_of_the_latest_year(report, view):
    from analysis.figures import indicator_print_map

    out, _, _ = report
    assert Image.open(out / "kaart-niet-werkende-werkzoekenden.png").size == (3508, 2480)
    spec = indicator_print_map(view, None, "", "nwwz", 2022, indicator_values(view), "quantiles", 5)
    # 0 is a category of its own; the other 15 values (100 ... 1.500) in five quantile classes of three.
    assert [item.text for item in spec.legend] == [
        "100 – 380 (3)", "380 – 660 (3)", "660 – 940 (3)", "940 – 1.220 (3)", "1.220 – 1.500 (3)", "0 (nul) (1)",
        "Grens van een samenwerkingsverband"]


@pytest.mark.slow
def test_without_indicator_figures_the_maps_are_left_out_and_the_index_says_why(view, tmp_path):
    written = export_report(view, tmp_path, map_formats=("pdf",), made_on=MADE_ON,
                            indicator_note="indicatorcijfers niet beschikbaar (test)")
    assert [file.path.name for file in written if file.format != "pdf"] == \
        [name for name in WITHOUT_INDICATORS if not name.endswith(".png") and not name.endswith(".pdf")]
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "- Kaart: werkzoekendengraad (jaargemiddelde) (`kaart-werkzoekendengraad`): indicatorcijfers niet " \
           "beschikbaar (test)" in index
    assert "(`kaart-niet-werkende-werkzoekenden`): indicatorcijfers niet beschikbaar (test)" in index
    assert not list(tmp_path.glob("*werkzoekenden*"))


def test_index_lists_every_file_with_its_sources(report):
    out, _, _ = report
    index = (out / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)]+)\)", index))
    assert linked == set(EXPECTED_FILES) - {"index.md"}
    assert all((out / name).is_file() for name in linked)
    assert "Gemaakt op 14-03-2025" in index
    assert "Gereconstrueerde gegevens" in index
    assert "Provincies in Cijfers, Statbel" in index
    assert "gereconstrueerd door Regiekaart uit openbare bronnen" in index
    assert "werkzoekendengraad 2019 (test)" in index
    assert "VDAB" in index  # the rates' source is credited when rates were used
    assert "€ 2.225.000" in index  # the default budget, in Belgian notation


def test_exported_maps_are_a4(report):
    out, _, _ = report
    image = Image.open(out / "kaart-dekking.png")
    assert image.size == (3508, 2480) and [round(v) for v in image.info["dpi"]] == [300, 300]
    pdf = (out / "kaart-overlappingen-hiaten.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    media_box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert (float(media_box.group(1)), float(media_box.group(2))) == pytest.approx((841.89, 595.28), abs=1)


def test_exported_xlsx_keeps_types_and_freezes_the_header(report):
    out, _, _ = report
    sheet = load_workbook(out / "tabel-samenwerkingsverbanden.xlsx")["Samenwerkingsverbanden"]
    header = [cell.value for cell in sheet[1]]
    assert header == PARTNERSHIP_COLUMNS and sheet.freeze_panes == "A2"
    row = dict(zip(header, [cell.value for cell in sheet[2]]))
    assert row["Samenwerkingsverband"] == "Verband A"
    assert row["Inwoners 2020"] == 100_000 and isinstance(row["Inwoners 2020"], int)
    assert row["Gemeenten"] == 5 and isinstance(row["Gemeenten"], int)
    assert row["Referentieregio's doorkruist"] is None  # unknown stays empty, not 0
    subsidy = load_workbook(out / "tabel-subsidie.xlsx")
    assert subsidy.sheetnames == ["Subsidie", "Totalen"]
    amounts = {cell.value: cell.offset(column=1).value for cell in subsidy["Totalen"]["A"][1:]}
    assert amounts["Budget per jaar (euro)"] == 2_225_000
    header = [c.value for c in subsidy["Subsidie"][1]]
    rate = subsidy["Subsidie"].cell(row=2, column=header.index(SUBSIDY_RATE_COLUMN) + 1)
    # XLSX has one number type, so 8.0 reads back as 8: the decimal number format is what keeps it a decimal.
    assert rate.value == 8.0 and rate.number_format == "#,##0.0"  # one decimal, as the Subsidie page shows it
    area = sheet.cell(row=2, column=PARTNERSHIP_COLUMNS.index("Oppervlakte (km²)") + 1)
    assert area.value == 5.0 and area.number_format == "#,##0.0"
    name = sheet.cell(row=2, column=1)
    assert isinstance(name.value, str) and name.data_type == "s"


def test_exported_csv_opens_with_semicolon_and_decimal_comma(report):
    out, _, _ = report
    raw = (out / "tabel-samenwerkingsverbanden.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0].split(";") == PARTNERSHIP_COLUMNS
    table = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert table["Inwoners 2020"].tolist() == [100_000, 60_000, 20_000]
    subsidy = pd.read_csv(out / "tabel-subsidie.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert subsidy[SUBSIDY_RATE_COLUMN].iloc[0] == 8.0
    clusters = pd.read_csv(out / "tabel-hiaten.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert sorted(clusters["Omtrek (km)"]) == [4.0, 14.0, 14.0]


@pytest.mark.slow
def test_only_the_asked_map_formats(view, tmp_path):
    written = export_report(view, tmp_path, map_formats=("pdf",), made_on=MADE_ON)
    names = [file.path.name for file in written]
    assert "kaart-dekking.pdf" in names and not any(name.endswith(".png") for name in names)
    assert len(names) == 11
    with pytest.raises(ValueError, match="gif"):
        export_report(view, tmp_path, map_formats=("gif",))


@pytest.mark.slow
def test_a_new_figure_is_one_registered_entry(view, tmp_path):
    registry = list(REPORT_ITEMS)
    register_report_item(ReportItem(
        key="extra-map", stem="kaart-extra", kind=MAP, title="Kaart: extra", description="Een extra kaart.",
        build=lambda context: replace(coverage_print_map(context.view, context.mask, context.filter_text),
                                      title="Extra")), registry)
    written = export_report(view, tmp_path, items=registry, map_formats=("pdf",), made_on=MADE_ON)
    assert "kaart-extra.pdf" in [file.path.name for file in written]
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "## Kaart: extra" in index and "[kaart-extra.pdf](kaart-extra.pdf)" in index
    with pytest.raises(ValueError, match="extra-map"):
        register_report_item(replace(registry[-1], stem="iets-anders"), registry)
    assert [item.key for item in REPORT_ITEMS] == [
        "coverage-map", "gaps-map", "indicator-werkzoekendengraad", "indicator-nwwz", "partnerships", "subsidy",
        "overlaps", "gap-clusters"]  # the shared registry is untouched


def test_another_indicator_map_is_one_call(view, tmp_path):
    registry = list(REPORT_ITEMS)
    register_indicator_map("werkzoekendengraad", "kaart-werkzoekendengraad-gelijke-intervallen", "equal_interval", 3,
                           registry)
    with pytest.raises(ValueError, match="kaart-werkzoekendengraad"):
        register_indicator_map("werkzoekendengraad", "kaart-werkzoekendengraad", registry=registry)
    written = export_report(view, tmp_path, items=registry[-1:], map_formats=("pdf",), made_on=MADE_ON,
                            indicator_values=indicator_values(view))
    assert [file.path.name for file in written] == ["kaart-werkzoekendengraad-gelijke-intervallen.pdf", "index.md"]
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "gelijke intervallen, 3 klassen, berekend op heel Vlaanderen" in index


def test_cli_reports_missing_data_with_exit_code_2(monkeypatch, capsys, tmp_path):
    def unavailable(scheme_id, version):
        raise SourceUnavailable("gemeente2024.shp: niet gevonden in de mirror")

    monkeypatch.setattr(cli, "bundled_view", unavailable)
    assert cli.main(["export", "--out", str(tmp_path / "uit")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("Fout: gegevens niet beschikbaar. gemeente2024.shp: niet gevonden in de mirror")
    assert "Traceback" not in error


@pytest.mark.slow
def test_cli_without_data_exits_2_without_traceback(tmp_path):
    env = {**os.environ, "REGIEKAART_MIRROR": str(tmp_path / "geen-mirror"), "REGIEKAART_CACHE": str(tmp_path),
           "REGIEKAART_OFFLINE": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "analysis", "export", "--out", str(tmp_path / "uit"),
                             "--scheme", "referentieregio"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("Fout: gegevens niet beschikbaar.")
    assert "REGIEKAART_OFFLINE=1" in result.stderr and "Traceback" not in result.stderr


def test_cli_rejects_an_unknown_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["export", "--out", str(tmp_path), "--format", "png,gif"])
    assert stopped.value.code == 2
    assert "onbekend kaartformaat gif" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["referentieregio", "regie-2020-2025"])
def test_cli_export_on_real_data_writes_every_file_in_the_index(tmp_path, scheme):
    out = tmp_path / scheme
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "analysis", "export", "--out", str(out), "--scheme", scheme,
                             "--version", "2019"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress[0] == "[1/17] kaart-dekking.png" and progress[-1] == "[17/17] index.md"
    index = (out / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)]+)\)", index))
    assert linked == set(EXPECTED_FILES) - {"index.md"}
    for name in linked:
        assert (out / name).stat().st_size > 0, name
    partnerships = pd.read_csv(out / "tabel-samenwerkingsverbanden.csv", sep=";", decimal=",", encoding="utf-8-sig")
    population = partnerships["Inwoners 2020"]
    if scheme == "referentieregio":
        # The referentieregio's split Flanders: together they hold every inhabitant of 2020.
        assert len(partnerships) == 15 and population.sum() == 6_629_143
    else:
        assert "Gereconstrueerde gegevens" in index
        assert (out / "kaart-dekking.png").stat().st_size > 100_000
    assert Image.open(out / "kaart-dekking.png").size == (3508, 2480)
    assert Image.open(out / "kaart-werkzoekendengraad.png").size == (3508, 2480)
    # The latest year of the VDAB workbook (2014-2024), with its source, on both indicator maps.
    assert "## Kaart: werkzoekendengraad (jaargemiddelde) 2024" in index
    assert "## Kaart: niet-werkende werkzoekenden (jaargemiddelde) 2024" in index
    assert "- Niet-werkende werkzoekenden (jaargemiddelde) 2024: VDAB, Provincies in Cijfers (licentie: " in index
