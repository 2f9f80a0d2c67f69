"""Reading uploaded CSV/XLSX files: encodings, separators, sheets, limits; problems instead of exceptions."""

import io

import pytest
from openpyxl import Workbook

from geodata import uploads
from geodata.uploads import ERROR, WARNING, column_letter, read_raw_sheets, read_upload_table


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("separator", [";", ",", "\t", "|"])
def test_csv_separator_is_detected(separator):
    data = separator.join(["gemeente", "verband"]).encode() + b"\n" + separator.join(["Gent", "Alleen"]).encode()
    table, problems = read_upload_table(data, "x.csv")
    assert problems == []
    assert list(table.frame.columns) == ["gemeente", "verband"]
    assert table.frame.loc[2].tolist() == ["Gent", "Alleen"]


def test_row_numbers_are_file_rows_and_skip_empty_lines():
    table, _ = read_upload_table(b"\n\na;b\n1;2\n\n3;4\n", "x.csv")
    assert list(table.frame.index) == [4, 6]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_unicode_with_bom(encoding):
    table, problems = read_upload_table("gemeente;naam\nZoë;Écaussinnes\n".encode(encoding), "x.csv")
    assert problems == []
    assert table.frame.loc[2].tolist() == ["Zoë", "Écaussinnes"]


def test_windows_1252_is_read_with_a_warning():
    table, problems = read_upload_table("gemeente;naam\nZoë;Écaussinnes\n".encode("cp1252"), "ansi.csv")
    assert table.frame.loc[2].tolist() == ["Zoë", "Écaussinnes"]
    assert [(p.severity, p.file) for p in problems] == [(WARNING, "ansi.csv")]
    assert "Windows-1252" in problems[0].message


@pytest.mark.parametrize("data, expected", [
    (b"", "leeg"),
    (b"\x00\x01\x02binary\x00" * 10, "geen tekstbestand"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04 not really a zip", "beschadigd"),
    (b"\n \n;;\n", "geen gegevens"),
])
def test_unreadable_files_give_one_error(data, expected):
    sheets, problems = read_raw_sheets(data, "bad.csv")
    assert sheets == []
    assert [p.severity for p in problems] == [ERROR]
    assert expected in problems[0].message and problems[0].file == "bad.csv"


def test_too_large_file_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 100)
    sheets, problems = read_raw_sheets(b"a;b\n" * 100, "groot.csv")
    assert sheets == [] and "MB" in problems[0].message and problems[0].file == "groot.csv"


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 3)
    _, problems = read_raw_sheets(b"a;b\n1;2\n3;4\n5;6\n", "rijen.csv")
    assert problems[0].severity == ERROR and problems[0].row == 4


def test_duplicated_headers_name_both_columns():
    table, problems = read_upload_table(b"Gemeente;verband;gemeente\nGent;x;Gent\n", "dubbel.csv")
    assert table is None
    assert (problems[0].row, problems[0].column) == (1, "C")
    assert "kolommen A en C" in problems[0].message


def test_long_cells_are_cut_with_a_warning(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_CELL_CHARACTERS", 10)
    table, problems = read_upload_table(b"a;b\nkort;" + b"x" * 50 + b"\n", "lang.csv")
    assert table.frame.loc[2, "b"] == "x" * 10
    assert (problems[0].severity, problems[0].row, problems[0].column) == (WARNING, 2, "B")


def test_xlsx_keeps_numbers_and_warns_about_other_sheets():
    data = xlsx_bytes({"Eerste": [["nis", "waarde"], [11002, 1.234]], "Tweede": [["x"], ["y"]]})
    table, problems = read_upload_table(data, "boek.xlsx")
    assert table.sheet == "Eerste"
    assert table.frame.loc[2].tolist() == [11002, 1.234]  # a native 1.234 is not the Dutch "1.234"
    assert [p.severity for p in problems] == [WARNING] and "'Tweede'" in problems[0].message


def test_preferred_sheet_is_used_without_warning():
    data = xlsx_bytes({"Uitleg": [["tekst"], ["..."]], "Lidmaatschap": [["a"], ["b"]]})
    table, problems = read_upload_table(data, "sjabloon.xlsx", preferred_sheet="lidmaatschap")
    assert table.sheet == "Lidmaatschap" and problems == []


def test_formulas_are_reported_not_evaluated():
    data = xlsx_bytes({"Blad1": [["a", "b"], [1, "=A2*1000"]]})
    table, problems = read_upload_table(data, "formule.xlsx")
    assert table.frame.loc[2, "b"] == ""  # openpyxl stores no cached value: nothing is computed
    assert (problems[0].severity, problems[0].row, problems[0].column) == (WARNING, 2, "B")
    assert "formule" in problems[0].message


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_title_rows_and_decimal_commas_do_not_fool_the_separator():
    data = "Werkloosheid per gemeente\nBron: VDAB\n\nGemeente;2022;2023\nAalst;2.738;3.011\nGent;12.345,5;x\n".encode()
    sheets, problems = read_raw_sheets(data, "titels.csv")
    assert problems == []
    assert sheets[0].cells.loc[6].tolist() == ["Gent", "12.345,5", "x"]


def test_workbook_with_a_wrong_used_range_is_read_whole():
    """Provincies in Cijfers exports declare <dimension ref="A1"/>; every cell must still be read."""
    import re
    import zipfile

    data = xlsx_bytes({"Blad1": [["gemeente", "2022"], ["Aalst", 2738], ["Gent", 12345]]})
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>", b'<dimension ref="A1"/>', content)
                assert b'<dimension ref="A1"/>' in content
            out.writestr(info, content)
    table, problems = read_upload_table(target.getvalue(), "pic.xlsx")
    assert problems == []
    assert table.frame.loc[3].tolist() == ["Gent", 12345]
