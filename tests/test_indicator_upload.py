"""Indicator uploads: Dutch numbers, wide and long tables, titles and footnotes, names, duplicates, boundary
versions, and the real jobseekers workbook through the same parser."""

from __future__ import annotations

import io
import math

import pytest
from openpyxl import Workbook

from geodata.fetch import fetch_path
from geodata.dutch_numbers import INVALID, ParsedCell, parse_cell
from geodata.indicator_upload import read_indicator_upload, upload_catalogue
from geodata.indicator_model import COUNT, FLAG_APPROXIMATE, FLAG_MERGED, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED, RATE

AALST, GENT, HERSTAPPE, PELT = "41002", "44021", "73028", "72043"
GALMAARDEN, GOOIK, HERNE, PAJOTTEGEM = "23023", "23024", "23032", "23106"


def xlsx_bytes(rows: list[list], title: str = "Blad1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(text_or_bytes, filename="tabel.csv", version="2019"):
    data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
    return read_indicator_upload(data, filename, version)


def value_of(frame, nis, year, label=None):
    rows = frame[(frame["nis"] == nis) & (frame["year"] == year)]
    if label is not None:
        rows = rows[rows["label"] == label]
    assert len(rows) == 1, rows
    return rows.iloc[0]["value"], rows.iloc[0]["flag"]


def errors(problems):
    return [p for p in problems if p.is_error]


# --- Dutch numbers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, value, flag, percent", [
    ("1.234,5", 1234.5, FLAG_OK, False),
    ("1234,5", 1234.5, FLAG_OK, False),
    ("1.234", 1234.0, FLAG_OK, False),  # a dot before three digits groups thousands
    ("1.234.567", 1234567.0, FLAG_OK, False),
    ("1 234", 1234.0, FLAG_OK, False),
    ("1\u00a0234,5", 1234.5, FLAG_OK, False),
    ("12,3 %", 12.3, FLAG_OK, True),
    ("12,3%", 12.3, FLAG_OK, True),
    ("-3,2", -3.2, FLAG_OK, False),
    ("\u22123,2", -3.2, FLAG_OK, False),
    ("+1,5", 1.5, FLAG_OK, False),
    ("€ 1.234", 1234.0, FLAG_OK, False),
    ("0,096", 0.096, FLAG_OK, False),
    ("0", 0.0, FLAG_OK, False),
    ("1,5E+03", 1500.0, FLAG_OK, False),
    (1234.5, 1234.5, FLAG_OK, False),  # a workbook number is taken as it is
    (3011, 3011.0, FLAG_OK, False),
    ("-", None, FLAG_MISSING, False),
    ("–", None, FLAG_MISSING, False),
    ("n.b.", None, FLAG_MISSING, False),
    ("nvt", None, FLAG_MISSING, False),
    ("?", None, FLAG_MISSING, False),
    ("..", None, FLAG_MISSING, False),
    ("", None, FLAG_MISSING, False),
    (None, None, FLAG_MISSING, False),
    ("x", None, FLAG_SUPPRESSED, False),
    ("X", None, FLAG_SUPPRESSED, False),
    ("geheim", None, FLAG_SUPPRESSED, False),
    ("<5", None, FLAG_SUPPRESSED, False),
    ("abc", None, INVALID, False),
    ("12a", None, INVALID, False),
    ("1,2,3", None, INVALID, False),
    ("%", None, INVALID, False),
    (True, None, INVALID, False),
])
def test_dutch_numbers(cell, value, flag, percent):
    parsed = parse_cell(cell)
    assert parsed.flag == flag
    assert parsed.percent == percent
    if value is None:
        assert parsed.value is None
    else:
        assert parsed.value == pytest.approx(value)


@pytest.mark.parametrize("cell, value", [("0.5", 0.5), ("12.50", 12.5), ("1,234.5", 1234.5)])
def test_english_decimal_point_is_read_with_a_note(cell, value):
    parsed = parse_cell(cell)
    assert parsed == ParsedCell(value, FLAG_OK, note=parsed.note)
    assert parsed.note  # the guess is reported


def test_a_guessed_decimal_point_is_reported_once_per_column():
    frame, problems = read("Gemeente;2022;2023\nAalst;0.5;1.5\nGent;0.25;2\n")
    assert value_of(frame, AALST, 2022) == (0.5, FLAG_OK)
    notes = [p for p in problems if "punt als decimaalteken" in p.message]
    assert [(p.row, p.column) for p in notes] == [(2, "B"), (2, "C")]
    assert "en nog 1 cel(len)" in notes[0].message


# --- layouts ---------------------------------------------------------------------------------------------------

def test_wide_table_with_one_column_per_year():
    frame, problems = read("Gemeente;2022;2023\nAalst;2.738;3.011\nGent;12.345,5;x\n", "nwwz.csv")
    assert errors(problems) == []
    assert value_of(frame, AALST, 2022) == (2738.0, FLAG_OK)
    assert value_of(frame, AALST, 2023) == (3011.0, FLAG_OK)
    assert value_of(frame, GENT, 2022) == (12345.5, FLAG_OK)
    value, flag = value_of(frame, GENT, 2023)
    assert math.isnan(value) and flag == FLAG_SUPPRESSED
    assert set(frame["indicator_id"]) == {"upload:nwwz"}  # no label in the header: the file name


def test_long_table_is_detected():
    text = ("NIS;Gemeente;Jaar;Indicator;Waarde;Eenheid\n"
            "41002;Aalst;2022;NWWZ;2738;aantal\n"
            "41002;Aalst;2023;NWWZ;3011;aantal\n"
            "41002;Aalst;2023;Werkzoekendengraad;7,2 %;%\n"
            "44021;Gent;2023;NWWZ;n.b.;aantal\n")
    frame, problems = read(text)
    assert problems == []
    assert sorted(set(frame["indicator_id"])) == ["upload:nwwz", "upload:werkzoekendengraad"]
    assert value_of(frame, AALST, 2023, "NWWZ") == (3011.0, FLAG_OK)
    assert value_of(frame, AALST, 2023, "Werkzoekendengraad") == (7.2, FLAG_OK)
    value, flag = value_of(frame, GENT, 2023, "NWWZ")
    assert math.isnan(value) and flag == FLAG_MISSING
    kinds = dict(zip(frame["label"], frame["kind"]))
    assert kinds == {"NWWZ": COUNT, "Werkzoekendengraad": RATE}
    assert dict(zip(frame["label"], frame["unit"])) == {"NWWZ": "aantal", "Werkzoekendengraad": "%"}


def test_one_column_per_indicator_with_the_year_from_the_file_name():
    frame, problems = read("NIS;Gemeente;NWWZ;Werkzoekendengraad (%)\n41002;Aalst;3011;7,2\n",
                           "werkloosheid 2023.csv")
    assert errors(problems) == []
    assert any("jaar 2023 uit de titel of de bestandsnaam" in p.message for p in problems)
    assert value_of(frame, AALST, 2023, "NWWZ") == (3011.0, FLAG_OK)
    assert value_of(frame, AALST, 2023, "Werkzoekendengraad") == (7.2, FLAG_OK)
    assert dict(zip(frame["label"], frame["unit"]))["Werkzoekendengraad"] == "%"


def test_no_year_anywhere_is_an_error_naming_the_columns():
    frame, problems = read("Gemeente;NWWZ\nAalst;3011\n", "tabel.csv")
    assert frame is None
    assert [(p.severity, p.column) for p in problems] == [("fout", "B")]
    assert "Geen jaar" in problems[0].message


def test_title_rows_and_footnotes_in_a_workbook():
    rows = [
        ["Werkloosheid - gemeenten"],
        [],
        ["Gemeente", "2022", "2023"],
        ["Aalst", 2738, 3011],
        ["Herstappe", "-", "x"],
        ["Vlaams Gewest", 177972, 196712],
        [],
        ["Bron", "VDAB | provincies.incijfers.be"],
        ["(1)", "De woonplaats is het domicilieadres, volgens het Rijksregister."],
        ["Datum export", "donderdag 21 mei 2026"],
    ]
    frame, problems = read(xlsx_bytes(rows), "export.xlsx")
    assert errors(problems) == []
    assert [(p.row, p.column) for p in problems] == [(6, "A")]  # only the Flemish total, skipped
    assert "Vlaams Gewest" in problems[0].message
    assert sorted(frame["nis"].unique()) == [AALST, HERSTAPPE]
    assert set(frame["label"]) == {"Werkloosheid - gemeenten"}  # the title names the indicator
    assert value_of(frame, HERSTAPPE, 2022)[1] == FLAG_MISSING
    assert value_of(frame, HERSTAPPE, 2023)[1] == FLAG_SUPPRESSED


def test_title_and_footnote_rows_in_a_csv():
    text = ("Niet-werkende werkzoekenden per gemeente\n"
            "Bron: VDAB\n"
            "\n"
            "Gemeente;2022;2023\n"
            "Aalst;2738;3011\n"
            "Gent;12345;13011\n"
            "Kortrijk;3300;3400\n"
            "\n"
            "Bron: VDAB - jaargemiddelde\n")
    frame, problems = read(text)
    assert problems == []
    assert value_of(frame, GENT, 2023) == (13011.0, FLAG_OK)
    assert set(frame["label"]) == {"Niet-werkende werkzoekenden per gemeente"}


def test_small_csv_with_title_rows_and_decimal_commas():
    text = "Werkloosheid per gemeente\nBron: VDAB\n\nGemeente;2022;2023\nAalst;2.738;3.011\nGent;12.345,5;x\n"
    frame, problems = read(text)
    assert errors(problems) == []
    assert value_of(frame, GENT, 2022) == (12345.5, FLAG_OK)


@pytest.mark.parametrize("label_at", ["first", "last"])
def test_two_row_header_with_indicator_groups_over_years(label_at):
    # Merged cells put the group label in the first column of the group; Provincies in Cijfers in the last.
    top = ["", "graad [%]", "", "werkzoekenden [aantal]", ""] if label_at == "first" else \
        ["", "", "graad [%]", "", "werkzoekenden [aantal]"]
    rows = [top, ["", "2022", "2023", "2022", "2023"], ["Aalst", "6,6", "7,2", 2738, 3011]]
    frame, problems = read(xlsx_bytes(rows), "export.xlsx")
    assert errors(problems) == []
    assert value_of(frame, AALST, 2023, "graad") == (7.2, FLAG_OK)
    assert value_of(frame, AALST, 2022, "werkzoekenden") == (2738.0, FLAG_OK)
    assert dict(zip(frame["label"], frame["unit"])) == {"graad": "%", "werkzoekenden": "aantal"}


def test_years_over_indicators():
    rows = [["", "2022", "", "2023", ""], ["Gemeente", "NWWZ", "graad (%)", "NWWZ", "graad (%)"],
            ["Aalst", 2738, "6,6", 3011, "7,2"]]
    frame, problems = read(xlsx_bytes(rows), "export.xlsx")
    assert errors(problems) == []
    assert value_of(frame, AALST, 2023, "NWWZ") == (3011.0, FLAG_OK)
    assert value_of(frame, AALST, 2022, "graad") == (6.6, FLAG_OK)


def test_percent_formatted_workbook_fractions_become_percentages():
    rows = [["Gemeente", "werkzoekendengraad [%] 2023"], ["Aalst", 0.072], ["Gent", 0.101]]
    frame, problems = read(xlsx_bytes(rows), "export.xlsx")
    assert value_of(frame, AALST, 2023) == (pytest.approx(7.2), FLAG_OK)
    assert value_of(frame, GENT, 2023) == (pytest.approx(10.1), FLAG_OK)
    assert [(p.severity, p.row, p.column) for p in problems] == [("waarschuwing", 2, "B")]
    assert "met 100 vermenigvuldigd" in problems[0].message


def test_nis_codes_as_workbook_numbers_and_name_check():
    rows = [["NIS", "Gemeente", "2023"], [41002, "Aalst", 5], [44021, "Kortrijk", 6]]
    frame, problems = read(xlsx_bytes(rows), "export.xlsx")
    assert value_of(frame, AALST, 2023) == (5.0, FLAG_OK)
    assert value_of(frame, GENT, 2023) == (6.0, FLAG_OK)  # the code wins
    assert [(p.severity, p.row, p.column) for p in problems] == [("waarschuwing", 3, "B")]
    assert "44021 is Gent" in problems[0].message


# --- names, duplicates, other rows ---------------------------------------------------------------------------

def test_unknown_name_gets_suggestions_and_names_file_row_and_column():
    frame, problems = read("Gemeente;2023\nAalst;1\nZwevegemm;2\n", "mijn.csv")
    assert value_of(frame, AALST, 2023) == (1.0, FLAG_OK)
    (problem,) = errors(problems)
    assert (problem.file, problem.row, problem.column) == ("mijn.csv", 3, "A")
    assert "'Zwevegemm'" in problem.message
    assert "Zwevegem" in problem.suggestion


def test_names_written_differently_are_matched():
    frame, problems = read("Gemeente;2023\nST.-NIKLAAS;1\nsint truiden;2\nAnvers;3\n")
    assert problems == []
    assert sorted(frame["nis"]) == ["11002", "46021", "71053"]


def test_duplicate_municipality_names_both_rows():
    frame, problems = read("Gemeente;2023\nSint-Niklaas;5\nAalst;1\nST.-NIKLAAS;6\n")
    (problem,) = errors(problems)
    assert (problem.row, problem.column) == (4, "B")
    assert "rij 2" in problem.message and "rij 4" in problem.message
    assert value_of(frame, "46021", 2023) == (5.0, FLAG_OK)  # the first one is kept


def test_duplicate_column_headers_are_an_error():
    frame, problems = read("Gemeente;2023;2023\nAalst;1;2\n")
    (problem,) = errors(problems)
    assert "kolommen B en C" in problem.message


def test_text_in_a_value_cell_is_an_error_with_row_and_column():
    frame, problems = read("Gemeente;2022;2023\nAalst;1;abc\nGent;2;3\n")
    (problem,) = errors(problems)
    assert (problem.row, problem.column) == (2, "C")
    assert "'abc' is geen getal" in problem.message


def test_municipalities_outside_flanders_and_totals_are_skipped_with_a_warning():
    text = "NIS;Gemeente;2023\n41002;Aalst;1\n21004;Bruxelles;2\n62063;Liège;3\n02000;Vlaams Gewest;4\n"
    frame, problems = read(text)
    assert list(frame["nis"]) == [AALST]
    assert errors(problems) == []
    messages = [p.message for p in problems]
    assert any("2 rij(en) met gemeenten buiten Vlaanderen" in m for m in messages)
    assert any("Vlaams Gewest" in m for m in messages)


# --- boundary versions -----------------------------------------------------------------------------------------

def test_2019_parts_are_summed_on_the_2025_map_for_counts_only():
    text = "Gemeente;NWWZ 2023;graad 2023 (%)\nGalmaarden;100;5,1\nGooik;50;4,0\nHerne;25;3,2\nAalst;3011;7,2\n"
    frame, problems = read(text, version="2025")
    assert value_of(frame, PAJOTTEGEM, 2023, "NWWZ") == (175.0, FLAG_OK)
    value, flag = value_of(frame, PAJOTTEGEM, 2023, "graad")
    assert math.isnan(value) and flag == FLAG_MISSING  # a rate of parts is never averaged
    assert value_of(frame, AALST, 2023, "graad") == (7.2, FLAG_OK)
    assert any("Pajottegem" in p.message and "verhouding" in p.message for p in problems)


def test_incomplete_parts_stay_missing_on_the_2025_map():
    frame, problems = read("Gemeente;NWWZ 2023\nGalmaarden;100\nGooik;50\n", version="2025")
    value, flag = value_of(frame, PAJOTTEGEM, 2023)
    assert math.isnan(value) and flag == FLAG_MISSING
    assert any("niet alle deelgemeenten" in p.message for p in problems)


def test_a_2025_merger_name_goes_to_its_largest_part_on_the_2019_map():
    # The merger rule of geodata.indicators: Gooik (the largest part of Pajottegem) carries the figure, labelled as
    # an approximation; Galmaarden and Herne have none of their own. Nothing is divided over the parts.
    frame, problems = read("Gemeente;NWWZ 2023\nPajottegem;175\nAalst;3011\n", version="2019")
    assert value_of(frame, GOOIK, 2023) == (175.0, FLAG_APPROXIMATE)
    for part in (GALMAARDEN, HERNE):
        value, flag = value_of(frame, part, 2023)
        assert math.isnan(value) and flag == FLAG_MERGED
    assert value_of(frame, AALST, 2023) == (3011.0, FLAG_OK)
    assert any("Pajottegem" in p.message and "grootste deel" in p.message and "benadering" in p.message
               for p in problems)


def test_a_2025_name_that_kept_a_part_name_is_read_on_the_2025_map():
    # With Pajottegem in the file it is a 2025 table, so "Antwerpen" is Antwerpen including Borsbeek.
    frame, _ = read("Gemeente;NWWZ 2023\nPajottegem;175\nAntwerpen;30000\n", version="2019")
    assert value_of(frame, "11002", 2023) == (30000.0, FLAG_APPROXIMATE)  # Antwerpen carries Antwerpen + Borsbeek
    assert value_of(frame, "11007", 2023)[1] == FLAG_MERGED
    frame, _ = read("Gemeente;NWWZ 2023\nBorsbeek;500\nAntwerpen;29500\n", version="2025")
    assert value_of(frame, "11002", 2023) == (30000.0, FLAG_OK)  # a 2019 table: both parts summed


def test_an_ambiguous_name_is_read_on_the_map_of_the_years():
    # "Antwerpen" in a 2023 table without other hints is the Antwerpen of 2023, without Borsbeek.
    frame, problems = read("Gemeente;2023\nAntwerpen;9500\nAalst;850\n", version="2025")
    value, flag = value_of(frame, "11002", 2023)
    assert math.isnan(value) and flag == FLAG_MISSING
    assert value_of(frame, AALST, 2023) == (850.0, FLAG_OK)
    assert any("vóór 2025" in p.message and "Antwerpen" in p.message for p in problems)
    frame, problems = read("Gemeente;2023\nAntwerpen;9500\n", version="2019")
    assert value_of(frame, "11002", 2023) == (9500.0, FLAG_OK)
    frame, _ = read("Gemeente;2025\nAntwerpen;9700\n", version="2025")
    assert value_of(frame, "11002", 2025) == (9700.0, FLAG_OK)


def test_former_municipalities_of_2019_are_summed_when_all_present():
    frame, problems = read("Gemeente;NWWZ 2017\nNeerpelt;10\nOverpelt;20\n", version="2019")
    assert value_of(frame, PELT, 2017) == (30.0, FLAG_OK)
    frame, problems = read("Gemeente;NWWZ 2017\nNeerpelt;10\nAalst;1\n", version="2019")
    assert PELT not in set(frame["nis"])
    assert any("Pelt" in p.message and "vóór de fusie van 2019" in p.message for p in problems)


# --- files that are not tables ---------------------------------------------------------------------------------

def test_windows_1252_file_is_read_with_a_warning():
    frame, problems = read("Gemeente;2023\nAalst;1\nLiège;2\n".encode("cp1252"))
    assert list(frame["nis"]) == [AALST]
    assert any("Windows-1252" in p.message for p in problems)


@pytest.mark.parametrize("data, filename", [
    (b"", "leeg.csv"),
    (b"\x00\x01\x02\x03binary", "x.csv"),
    (b"PK\x03\x04broken zip", "x.xlsx"),
    ("gemeente;2023\n".encode("utf-16-le"), "utf16.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "oud.xls"),
    (b"a;b\nc;d\n", "geen-gemeenten.csv"),
])
def test_unreadable_files_give_problems_not_exceptions(data, filename):
    frame, problems = read_indicator_upload(data, filename, "2019")
    assert frame is None
    assert errors(problems)
    assert all(p.file == filename for p in problems)


def test_unknown_version_is_a_problem():
    frame, problems = read_indicator_upload(b"Gemeente;2023\nAalst;1\n", "x.csv", "2030")
    assert frame is None and errors(problems)


def test_upload_catalogue_entries():
    frame, _ = read("Gemeente;NWWZ 2023;graad 2023 (%)\nAalst;3011;7,2\n")
    entries = upload_catalogue(frame, "x.csv", kinds={"upload:graad": RATE}, higher_is_worse={"upload:nwwz": False})
    assert entries["upload:nwwz"].kind == COUNT and entries["upload:nwwz"].aggregatable
    assert entries["upload:nwwz"].higher_is_worse is False
    assert entries["upload:graad"].unit == "%" and not entries["upload:graad"].aggregatable
    assert entries["upload:graad"].source == "Bron: eigen upload (x.csv)"
    assert entries["upload:graad"].years == (2023,)


# --- the real portal export through the same parser --------------------------------------------------------

@pytest.fixture(scope="module")
def jobseekers_bytes():
    path = fetch_path("jobseekers_xlsx")
    return path.read_bytes(), path.name


@pytest.mark.slow
def test_real_jobseekers_workbook_parses_through_the_upload_parser(jobseekers_bytes):
    data, name = jobseekers_bytes
    frame, problems = read_indicator_upload(data, name, "2025")
    assert errors(problems) == []
    skipped = sorted(p.row for p in problems if "geen Vlaamse gemeente" in p.message)
    assert skipped == [289, 290, 291, 292]  # Buiten Vlaanderen en Brussel, Niet te lokaliseren (3x)
    nwwz = frame[frame["label"] == "werkzoekenden zonder werk (jaargemiddelde)"]
    assert nwwz["nis"].nunique() == 285
    totals = nwwz.groupby("year")["value"].sum()
    assert totals[2020] == 213_981 and totals[2021] == 193_148 and totals[2022] == 177_972 \
        and totals[2023] == 196_712
    herstappe = nwwz[nwwz["nis"] == HERSTAPPE].set_index("year")["flag"]
    assert herstappe[2020] == FLAG_OK
    assert [herstappe[y] for y in (2022, 2023, 2024)] == [FLAG_SUPPRESSED] * 3  # "x" in the file
    assert [herstappe[y] for y in (2019, 2021)] == [FLAG_MISSING] * 2  # "-" in the file
    rate = frame[frame["label"] == "werkzoekendengraad (jaargemiddelde)"]
    assert value_of(rate, AALST, 2020)[0] == pytest.approx(8.1)  # stored as 0.081 in a percent cell
    assert set(rate["unit"]) == {"%"}


@pytest.mark.slow
def test_real_jobseekers_workbook_on_the_2019_map(jobseekers_bytes):
    data, name = jobseekers_bytes
    frame, problems = read_indicator_upload(data, name, "2019")
    nwwz = frame[(frame["label"] == "werkzoekenden zonder werk (jaargemiddelde)") & (frame["year"] == 2023)]
    assert nwwz["nis"].nunique() == 300
    assert (nwwz["flag"] == FLAG_MERGED).sum() == 15 and (nwwz["flag"] == FLAG_APPROXIMATE).sum() == 13
    assert nwwz.loc[nwwz["flag"] == FLAG_OK, "value"].sum() < 196_712  # the 13 successors are not on this map
    assert any("13 fusiegemeente(n)" in p.message for p in problems)


def test_a_statbel_style_long_export_of_all_belgium():
    """The Statbel population table (codes, Dutch/French names, province, region, one row per year) as a CSV."""
    import pandas as pd

    population = pd.read_parquet(fetch_path("population_parquet"))
    sample = population[population["year"].isin([2023, 2024])]
    data = sample.to_csv(sep=";", decimal=",", index=False).encode("utf-8")
    frame, problems = read_indicator_upload(data, "statbel_bevolking.csv", "2025")
    assert errors(problems) == []
    assert any("562 rij(en) met gemeenten buiten Vlaanderen" in p.message for p in problems)
    total = frame[frame["label"] == "total"]
    assert set(total["kind"]) == {COUNT}
    assert total.groupby("year")["value"].sum().to_dict() == {2023: 6_774_807, 2024: 6_821_770}
    assert total["nis"].nunique() == 285  # 2019 codes summed into the 2025 municipalities
    share = frame[(frame["label"] == "pct_etr") & (frame["nis"] == PAJOTTEGEM)]
    assert share["value"].isna().all() and set(share["flag"]) == {FLAG_MISSING}  # a percentage is never summed


def test_too_large_upload_is_refused_before_anything_is_unpacked():
    from geodata.uploads import MAX_UPLOAD_BYTES

    data = b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES
    frame, problems = read_indicator_upload(data, "groot.xlsx", "2019")
    assert frame is None
    assert [p.severity for p in problems] == ["fout"] and "MB" in problems[0].message
