"""Table exports for reports: XLSX with typed columns, and CSV as Belgian Excel expects it.

CSV: UTF-8 with a byte-order mark (so Excel recognises the encoding), ``;`` as separator and, optionally,
a decimal comma; counts as integers and, given the screen's decimals, rates and shares rounded as shown. XLSX: numbers stay numbers, the header row is frozen and bold, and columns are wide
enough to read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_COLUMN_WIDTH = 60
EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in one cell


def flatten_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn list/tuple/set cells into text joined by ", " so every export writes plain values."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda value: ", ".join(map(str, value)) if isinstance(value, (list, tuple, set, frozenset)) else value
            )
    return frame


def _safe_text(value):
    # A cell that starts with = + - @ would run as a formula in Excel; a leading apostrophe keeps it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _looks_numeric(value):
        return "'" + value
    return value


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


WHOLE_OR_ONE_DECIMAL = None  # a column's decimals: whole numbers without decimals, others with one (as on screen)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _number_text(value, decimals: int | None, decimal_mark: str) -> str:
    """One number as CSV text: rounded half away from zero to `decimals` as the screen does (None: whole numbers
    bare, others with one decimal); a whole number never gets ",0"."""
    number = float(value)
    if math.isinf(number) or math.isnan(number):
        return ""
    if decimals is None:
        decimals = 0 if number.is_integer() else 1
    # Decimal of the shortest repr, as analysis.formatting.format_number rounds for the screen.
    rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,0"
    return f"{rounded:f}".replace(".", decimal_mark)


def _csv_column(values: pd.Series, decimals, decimal_mark: str) -> pd.Series:
    """A column with its numbers written out: as `decimals` says when given, else whole numbers as integers and
    other numbers in full (with the decimal mark); text and missing values as they are."""
    if pd.api.types.is_bool_dtype(values):
        return values
    numeric = pd.api.types.is_numeric_dtype(values)
    if not numeric and not any(_is_number(v) for v in values.dropna()):
        return values

    def text(value):
        if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if not _is_number(value):
            return value
        if decimals is not _UNSPECIFIED:
            return _number_text(value, decimals, decimal_mark)
        if float(value).is_integer():
            return _number_text(value, 0, decimal_mark)
        return repr(float(value)).replace(".", decimal_mark)

    return values.astype(object).map(text)


_UNSPECIFIED = object()


def to_csv_bytes(frame: pd.DataFrame, decimal_comma: bool = True, separator: str = ";",
                 decimals: Mapping[str, int | None] | None = None) -> bytes:
    """CSV as UTF-8 with BOM; ``;`` separator and decimal comma by default (Belgian Excel).

    Numbers are written as a reader expects them: a count is an integer ("173", never "173,0"), and a column listed
    in `decimals` is rounded as the screen shows it (column -> decimals; None: whole numbers bare, others with one
    decimal). Other numbers are written in full. The XLSX keeps full precision (`to_xlsx_bytes`).
    """
    decimal_mark = "," if decimal_comma else "."
    frame = flatten_cells(frame)
    frame = pd.DataFrame({column: _csv_column(frame[column], (decimals or {}).get(column, _UNSPECIFIED), decimal_mark)
                          for column in frame.columns}, columns=frame.columns)
    frame = frame.map(_safe_text)
    text = frame.to_csv(index=False, sep=separator, decimal=decimal_mark, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def number_format(decimals: int | None, percent: bool = False) -> str | None:
    """The Excel number format that shows a column as the screen does: "#,##0" for whole numbers, "#,##0.0" for one
    decimal, "0.0%" for a share shown as a percentage with one decimal; None (decimals None, not a percentage): per
    cell, whole numbers without and others with decimals (`to_xlsx_bytes` decides)."""
    if percent:
        return "0" + ("." + "0" * decimals if decimals else "") + "%"
    if decimals is None:
        return None
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, number_formats: Mapping[str, str] | None = None) -> bytes:
    """An XLSX workbook with one sheet per table (typed cells, frozen bold header, readable widths).

    `number_formats` maps a column name to an Excel number format (e.g. ``"#,##0"`` or ``"0.0%"``);
    numeric columns without one get ``#,##0`` for integers and ``#,##0.0##`` for decimals.
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Tabel": sheets}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, frame in sheets.items():
        frame = flatten_cells(frame)
        sheet = workbook.create_sheet(title=str(sheet_name)[:31] or "Tabel")
        sheet.append([str(column) for column in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([_excel_value(value) for value in row])
        sheet.freeze_panes = "A2"
        for position, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(position)
            fmt = (number_formats or {}).get(column)
            if fmt is None and pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                fmt = "#,##0" if pd.api.types.is_integer_dtype(frame[column]) else None
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                if fmt:
                    cell.number_format = fmt
                elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    # Full precision in the cell; a whole number is shown without decimals ("173", not "173.0").
                    cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.0##"
            texts = [str(column)] + [str(v) for v in frame[column].head(500)]
            sheet.column_dimensions[letter].width = min(MAX_COLUMN_WIDTH, max(len(t) for t in texts) + 2)
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar -> Python scalar keeps its type in the cell
        value = value.item()
    if isinstance(value, str):
        return _safe_text(value[:EXCEL_CELL_LIMIT])
    return value
