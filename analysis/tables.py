"""Table exports for reports: XLSX with typed columns, and CSV as Belgian Excel expects it.

CSV: UTF-8 with a byte-order mark (so Excel recognises the encoding), ``;`` as separator and, optionally,
a decimal comma. XLSX: numbers stay numbers, the header row is frozen and bold, and columns are wide
enough to read.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

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


def to_csv_bytes(frame: pd.DataFrame, decimal_comma: bool = True, separator: str = ";") -> bytes:
    """CSV as UTF-8 with BOM; ``;`` separator and decimal comma by default (Belgian Excel)."""
    frame = flatten_cells(frame).map(_safe_text)
    text = frame.to_csv(index=False, sep=separator, decimal="," if decimal_comma else ".", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


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
                fmt = "#,##0" if pd.api.types.is_integer_dtype(frame[column]) else "#,##0.0##"
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                    cell.number_format = fmt
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
