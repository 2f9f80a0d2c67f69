"""XLSX and CSV exports: values and types survive, Belgian CSV conventions hold."""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.tables import to_csv_bytes, to_xlsx_bytes

TABLE = pd.DataFrame({
    "nis": ["11002", "44021"],
    "gemeente": ["Antwerpen", "Sint-Martens-Latem"],
    "inwoners": [529_247, 8_512],
    "aandeel": [0.125, 0.5],
    "verbanden": [("a", "b"), ()],
    "formule": ["=1+1", "gewoon"],
})


def test_xlsx_round_trip_keeps_values_and_types():
    data = to_xlsx_bytes({"Gemeenten": TABLE})
    sheet = load_workbook(io.BytesIO(data))["Gemeenten"]
    assert [cell.value for cell in sheet[1]] == list(TABLE.columns)
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "11002" and isinstance(sheet["A2"].value, str)  # codes stay text
    assert sheet["C2"].value == 529_247 and isinstance(sheet["C2"].value, int)
    assert sheet["D3"].value == 0.5 and isinstance(sheet["D3"].value, float)
    assert sheet["E2"].value == "a, b"
    assert sheet["F2"].value == "'=1+1"  # never a live formula
    assert sheet.column_dimensions["B"].width >= len("Sint-Martens-Latem")
    back = pd.read_excel(io.BytesIO(data), dtype={"nis": str})
    assert back["inwoners"].tolist() == [529_247, 8_512]


def test_csv_uses_bom_semicolon_and_decimal_comma():
    data = to_csv_bytes(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first, second = text.splitlines()[:3]
    assert header == "nis;gemeente;inwoners;aandeel;verbanden;formule"
    assert first == "11002;Antwerpen;529247;0,125;a, b;'=1+1"
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", dtype={"nis": str}, encoding="utf-8-sig")
    assert back["aandeel"].tolist() == [0.125, 0.5]
    assert back["nis"].tolist() == ["11002", "44021"]


def test_csv_with_decimal_point_option():
    text = to_csv_bytes(TABLE[["nis", "aandeel"]], decimal_comma=False).decode("utf-8-sig")
    assert text.splitlines()[1] == "11002;0.125"


def test_nullable_numbers_keep_their_type_and_missing_stays_empty():
    table = pd.DataFrame({
        "inwoners": pd.array([61_786, None], dtype="Int64"),
        "graad": [7.25, float("nan")],
        "bedrag": pd.array([25_000.5, None], dtype="Float64"),
        "naam": ["Regio", None],
    })
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(table)))["Tabel"]
    assert sheet["A2"].value == 61_786 and isinstance(sheet["A2"].value, int)
    assert sheet["A3"].value is None  # unknown is an empty cell, never 0
    assert sheet["B2"].value == 7.25 and isinstance(sheet["B2"].value, float)
    assert sheet["B3"].value is None
    assert sheet["C2"].value == 25_000.5 and sheet["C3"].value is None
    assert sheet["D2"].value == "Regio" and sheet["D3"].value is None
    assert sheet["A2"].number_format == "#,##0" and sheet["B2"].number_format == "#,##0.0##"
    text = to_csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["61786;7,25;25000,5;Regio", ";;;"]
    back = pd.read_csv(io.BytesIO(to_csv_bytes(table)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["graad"].iloc[0] == 7.25 and pd.isna(back["graad"].iloc[1])
    assert back["inwoners"].iloc[0] == 61_786


def test_several_sheets_each_with_a_frozen_bold_header():
    data = to_xlsx_bytes({"Subsidie": TABLE[["nis", "inwoners"]], "Totalen": pd.DataFrame({"Waarde": [1, 2.5]})})
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Subsidie", "Totalen"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert workbook["Totalen"]["A2"].value == 1 and isinstance(workbook["Totalen"]["A2"].value, int)
    assert workbook["Totalen"]["A3"].value == 2.5


def test_csv_writes_counts_as_integers_and_rounds_as_the_screen_shows():
    """A float column of counts (a KPI table mixes counts and shares) never reads "173,0"; a rate rounded to the
    screen's decimals never shows 16 of them. The XLSX keeps the full value with the screen's number format."""
    table = pd.DataFrame({"Waarde": [173.0, 69.53151, 300.0], "Aantal": [173.0, 86.0, 87.0],
                          "Graad (%)": [6.2328803099273395, 5.25, float("nan")], "Aandeel": [0.8915, 0.5, 1.0]})
    text = to_csv_bytes(table, decimals={"Waarde": None, "Graad (%)": 1, "Aandeel": 3}).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["173;173;6,2;0,892", "69,5;86;5,3;0,500", "300;87;;1,000"]
    plain = to_csv_bytes(table[["Aantal"]]).decode("utf-8-sig")
    assert plain.splitlines()[1:] == ["173", "86", "87"]
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(table, number_formats={"Graad (%)": "#,##0.0"})))["Tabel"]
    # Excel keeps 15 significant digits: full precision, not the 6.2 on screen.
    assert sheet["C2"].value == pytest.approx(6.2328803099273395, rel=1e-14) and sheet["C2"].number_format == "#,##0.0"
    assert sheet["A2"].number_format == "#,##0" and sheet["A3"].number_format == "#,##0.0##"
