"""Read an uploaded CSV or XLSX file safely, turning every defect into a `Problem` instead of an exception.

Both uploads of Regiekaart (membership scenarios and indicator tables) go through here, so they share the same
limits and the same wording. The readers never evaluate anything: formulas in a workbook are reported and their
cached value (if Excel stored one) is used; nothing is written anywhere.

Row numbers in problems are the row numbers a user sees in Excel or a text editor (the first row is 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import unicodedata
import zipfile
from dataclasses import dataclass, field

import pandas as pd

ERROR = "fout"
WARNING = "waarschuwing"

# The one upload limit: stated in the upload labels (upload_label), enforced here with a Dutch message, and equal to
# Streamlit's own server.maxUploadSize in .streamlit/config.toml (a test checks that they agree).
MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 300
MAX_CELL_CHARACTERS = 2_000
# An .xlsx is a zip archive; a small file that unpacks to gigabytes is a zip bomb.
MAX_UNPACKED_XLSX_BYTES = 200 * 1024 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE documents)
_SEPARATORS = (";", ",", "\t", "|")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``fout``) or worth knowing (``waarschuwing``) about an uploaded file."""

    severity: str
    file: str
    row: int | None
    column: str | None
    message: str
    suggestion: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_row(self) -> dict:
        """The problem as a table row with Dutch headers, as the upload pages list them.

        A problem of the whole file has no row or column: it says so ("hele bestand") instead of "onbekend".
        Rows are text, so that a table of problems has one type per column.
        """
        return {"Ernst": self.severity, "Bestand": self.file,
                "Rij": WHOLE_FILE if self.row is None else str(self.row),
                "Kolom": self.column or ("" if self.row is not None else WHOLE_FILE),
                "Probleem": self.message, "Suggestie": self.suggestion or ""}


WHOLE_FILE = "hele bestand"


def has_errors(problems) -> bool:
    return any(problem.is_error for problem in problems)


def problems_table(problems) -> pd.DataFrame:
    """The problems as a table with Dutch headers (see :meth:`Problem.as_row`)."""
    return pd.DataFrame([problem.as_row() for problem in problems],
                        columns=["Ernst", "Bestand", "Rij", "Kolom", "Probleem", "Suggestie"])


def count_text(count: int, singular: str, plural: str) -> str:
    """ "1 fout", "2 fouten", "0 fouten"."""
    return f"{count} {singular if count == 1 else plural}"


def problems_summary(problems, name: str) -> str:
    """One Dutch sentence counting the errors and warnings of an upload: "1 fout en 2 waarschuwingen in x.csv"."""
    errors = sum(1 for problem in problems if problem.is_error)
    warnings = len(problems) - errors
    parts = [count_text(errors, "fout", "fouten")] if errors or not warnings else []
    if warnings:
        parts.append(count_text(warnings, "waarschuwing", "waarschuwingen"))
    return f"{' en '.join(parts)} in {name}."


@dataclass
class RawSheet:
    """The cells of one sheet (or of a CSV file) without any header interpretation.

    ``cells`` has integer columns 0..n-1 and, as index, the 1-based row number in the file. Empty rows are
    left out. Text cells are stripped strings; workbook numbers stay numbers (int or float) so that a native
    1.234 is never mistaken for the Dutch "1.234" (one thousand two hundred and thirty-four).
    """

    name: str | None
    cells: pd.DataFrame
    formula_cells: list[tuple[int, int]] = field(default_factory=list)  # (row, column index) with a formula


@dataclass
class UploadTable:
    """A table read from an upload: header row plus data rows."""

    file: str
    sheet: str | None
    frame: pd.DataFrame  # columns = header texts; index = 1-based row numbers in the file

    def row_number(self, index) -> int:
        return int(index)


def column_letter(position: int) -> str:
    """Spreadsheet column name of a 0-based position: 0 -> A, 27 -> AB."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_text(value) -> str:
    """A cell as text: '' for empty, whole floats without '.0' (so 11002.0 reads as '11002')."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _clean_text(text: str) -> str:
    # Non-breaking and other exotic spaces come with copy-paste from web pages and PDFs.
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ").replace("\ufeff", "")
    return text.strip()


# ---------------------------------------------------------------------------------------------------------
# Decoding text
# ---------------------------------------------------------------------------------------------------------

def decode_text(data: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """Decode a text upload: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError as error:
                return None, [Problem(ERROR, filename, None, None,
                                      f"Het bestand begint als {encoding.upper()}, maar bevat ongeldige tekens "
                                      f"(vanaf byte {error.start}).",
                                      "Sla het bestand opnieuw op als CSV UTF-8.")]
    if b"\x00" in data[:4096]:
        return None, [Problem(ERROR, filename, None, None,
                              "Dit is geen tekstbestand (het bevat binaire gegevens).",
                              "Laad een CSV- of XLSX-bestand op.")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if "\ufffd" in text or control > max(2, len(text) // 100):
        return None, [Problem(ERROR, filename, None, None,
                              "De tekens in dit bestand zijn niet te lezen (geen UTF-8 en geen Windows-1252).",
                              "Sla het bestand in Excel op als 'CSV UTF-8 (met scheidingstekens)'.")]
    return text, [Problem(WARNING, filename, None, None,
                          "Het bestand is niet in UTF-8 gecodeerd; het is gelezen als Windows-1252 (ANSI). "
                          "Controleer letters met accenten.",
                          "Sla het bestand op als 'CSV UTF-8' om twijfel te vermijden.")]


def _sniff_separator(lines: list[str]) -> str:
    """The separator that splits the most of the first lines into the same number (>1) of fields.

    Lines that stay one field (titles, "Bron: ..." notes above a portal export) say nothing about the
    separator and are not counted, so a few decimal commas cannot outvote the ';' of every data row.
    """
    best, best_score = ";", (0, 0)
    for separator in _SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=separator)
                  if sum(1 for cell in row if cell.strip()) >= 1 and len(row) >= 2]
        if not counts:
            continue
        most_common = max(set(counts), key=lambda count: (counts.count(count), count))
        score = (counts.count(most_common), most_common)
        if score > best_score:
            best, best_score = separator, score
    return best


def read_csv_sheet(data: bytes, filename: str) -> tuple[RawSheet | None, list[Problem]]:
    text, problems = decode_text(data, filename)
    if text is None:
        return None, problems
    lines = text.splitlines()
    separator = _sniff_separator(lines[:50])
    rows: dict[int, list[str]] = {}
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS:
                problems.append(_too_many_rows(filename))
                return None, problems
            if len(row) > MAX_COLUMNS:
                problems.append(_too_many_columns(filename, number, len(row)))
                return None, problems
            cleaned = [_clean_text(cell) for cell in row]
            if any(cleaned):
                rows[number] = cleaned
    except csv.Error as error:
        problems.append(Problem(ERROR, filename, None, None, f"Het CSV-bestand is niet goed gevormd ({error}).",
                                "Controleer aanhalingstekens in de cellen."))
        return None, problems
    return RawSheet(None, _frame_from_rows(rows)), problems


# ---------------------------------------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------------------------------------

def read_xlsx_sheets(data: bytes, filename: str) -> tuple[list[RawSheet], list[Problem]]:
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [Problem(ERROR, filename, None, None, "Het Excelbestand is beschadigd of geen echt .xlsx-bestand.",
                            "Open het in Excel en sla het opnieuw op als .xlsx.")]
    if unpacked > MAX_UNPACKED_XLSX_BYTES:
        return [], [Problem(ERROR, filename, None, None,
                            "Het Excelbestand is uitgepakt veel te groot (mogelijk een 'zip-bom').",
                            "Laad een kleiner bestand op.")]
    # Imported here on purpose: openpyxl takes about a second to import, and only an XLSX upload needs it.
    from openpyxl import load_workbook

    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formula_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for malformed files
        return [], [Problem(ERROR, filename, None, None,
                            f"Het Excelbestand kon niet gelezen worden ({type(error).__name__}).",
                            "Open het in Excel en sla het opnieuw op als .xlsx, of gebruik CSV.")]
    sheets: list[RawSheet] = []
    try:
        for values, formulas in zip(values_book.worksheets, formula_book.worksheets):
            rows: dict[int, list] = {}
            formula_cells: list[tuple[int, int]] = []
            # Some portal exports declare a used range of "A1"; the read-only reader would trust it and
            # return one cell, so the range is measured from the rows themselves.
            values.reset_dimensions()
            formulas.reset_dimensions()
            for number, (value_row, formula_row) in enumerate(
                    zip(values.iter_rows(values_only=True), formulas.iter_rows(values_only=True)), start=1):
                if number > MAX_ROWS:
                    problems.append(_too_many_rows(filename, values.title))
                    return [], problems
                if len(value_row) > MAX_COLUMNS and any(v is not None for v in value_row[MAX_COLUMNS:]):
                    problems.append(_too_many_columns(filename, number, len(value_row), values.title))
                    return [], problems
                cleaned = []
                for position, (value, raw) in enumerate(zip(value_row[:MAX_COLUMNS], formula_row[:MAX_COLUMNS])):
                    if isinstance(raw, str) and raw.startswith("="):
                        formula_cells.append((number, position))
                    cleaned.append(_clean_text(value) if isinstance(value, str) else
                                   ("" if value is None else value))
                if any(cell_text(cell) for cell in cleaned):
                    rows[number] = cleaned
            sheets.append(RawSheet(values.title, _frame_from_rows(rows), formula_cells))
    except Exception as error:
        return [], [Problem(ERROR, filename, None, None,
                            f"Het Excelbestand kon niet gelezen worden ({type(error).__name__}).",
                            "Open het in Excel en sla het opnieuw op als .xlsx, of gebruik CSV.")]
    finally:
        values_book.close()
        formula_book.close()
    for sheet in sheets:
        if sheet.formula_cells:
            row, position = sheet.formula_cells[0]
            problems.append(Problem(
                WARNING, filename, row, column_letter(position),
                f"Blad '{sheet.name}' bevat {len(sheet.formula_cells)} cel(len) met een formule; Regiekaart rekent "
                "geen formules uit en gebruikt de waarde die Excel bewaarde (leeg als er geen is).",
                "Plak de cellen als waarden om zeker te zijn."))
    return sheets, problems


def _frame_from_rows(rows: dict[int, list]) -> pd.DataFrame:
    width = max((len(row) for row in rows.values()), default=0)
    padded = {number: list(row) + [""] * (width - len(row)) for number, row in rows.items()}
    frame = pd.DataFrame.from_dict(padded, orient="index", columns=list(range(width)), dtype=object)
    # Trailing columns that are empty everywhere (Excel's formatted-but-empty cells) carry nothing.
    while frame.shape[1] and not frame.iloc[:, -1].map(cell_text).any():
        frame = frame.iloc[:, :-1]
    return frame


def upload_label(what: str) -> str:
    """The label of an upload widget, stating the one size limit: "Lidmaatschapsbestand (CSV of XLSX, max. 5 MB)"."""
    return f"{what} (CSV of XLSX, max. {MAX_UPLOAD_MB} MB)"


def size_problem(size: int, filename: str) -> Problem:
    """The problem for a file (or pasted text) of `size` bytes over :data:`MAX_UPLOAD_BYTES`."""
    # Rounded up: a file just over the limit must not read as "5,0 MB; de grens is 5 MB".
    size_mb = f"{math.ceil(size / 1024 / 1024 * 10) / 10:.1f}".replace(".", ",")
    return Problem(ERROR, filename, None, None, f"Het bestand is {size_mb} MB; de grens is {MAX_UPLOAD_MB} MB.",
                   "Laad een kleiner bestand op (enkel de nodige kolommen en rijen).")


def _too_many_rows(filename: str, sheet: str | None = None) -> Problem:
    where = f" (blad '{sheet}')" if sheet else ""
    return Problem(ERROR, filename, MAX_ROWS + 1, None,
                   f"Het bestand{where} heeft meer dan {MAX_ROWS:,} rijen; dat is meer dan Regiekaart leest."
                   .replace(",", "."), "Splits het bestand of laat overbodige rijen weg.")


def _too_many_columns(filename: str, row: int, count: int, sheet: str | None = None) -> Problem:
    where = f" (blad '{sheet}')" if sheet else ""
    return Problem(ERROR, filename, row, None,
                   f"Rij {row}{where} heeft {count} kolommen; Regiekaart leest er hoogstens {MAX_COLUMNS}.",
                   "Laat overbodige kolommen weg.")


# ---------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------

def read_raw_sheets(data: bytes, filename: str) -> tuple[list[RawSheet], list[Problem]]:
    """Every non-empty sheet of an upload (one for CSV), or problems saying why nothing could be read.

    Checks, in this order: size (at most :data:`MAX_UPLOAD_BYTES`), empty file, legacy .xls, workbook or
    text, the number of rows and columns and over-long cells (cut with a warning).
    """
    filename = filename or "upload"
    if data is None or len(data) == 0:
        return [], [Problem(ERROR, filename, None, None, "Het bestand is leeg.", "Kies een bestand met gegevens.")]
    if len(data) > MAX_UPLOAD_BYTES:
        return [], [size_problem(len(data), filename)]
    if data.startswith(_OLE_MAGIC):
        return [], [Problem(ERROR, filename, None, None,
                            "Dit is een oud Excelbestand (.xls), dat Regiekaart niet leest.",
                            "Sla het in Excel op als .xlsx of als CSV UTF-8.")]
    if data.startswith(_XLSX_MAGIC):
        sheets, problems = read_xlsx_sheets(data, filename)
    else:
        sheet, problems = read_csv_sheet(data, filename)
        sheets = [sheet] if sheet is not None else []
    sheets = [sheet for sheet in sheets if not sheet.cells.empty]
    if not sheets and not has_errors(problems):
        problems.append(Problem(ERROR, filename, None, None, "Het bestand bevat geen gegevens (alle cellen leeg).",
                                "Kies een bestand met gegevens."))
    for sheet in sheets:
        problems.extend(_cut_long_cells(sheet, filename))
    return sheets, problems


def _cut_long_cells(sheet: RawSheet, filename: str) -> list[Problem]:
    problems = []
    for position in sheet.cells.columns:
        column = sheet.cells[position]
        long = column.map(lambda value: isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS)
        for row in column.index[long]:
            problems.append(Problem(WARNING, filename, int(row), column_letter(position),
                                    f"Cel met {len(column[row])} tekens ingekort tot {MAX_CELL_CHARACTERS}.",
                                    "Hou cellen kort; lange toelichting hoort in een aparte bron."))
            sheet.cells.at[row, position] = column[row][:MAX_CELL_CHARACTERS]
    return problems


def read_upload_table(data: bytes, filename: str, preferred_sheet: str | None = None
                      ) -> tuple[UploadTable | None, list[Problem]]:
    """The first non-empty sheet (or the one named `preferred_sheet`) as a table with its first non-empty row
    as header.

    Header cells that are empty get a name like ``kolom C``; duplicated header names are an error (the
    values could go to either). When a workbook has several non-empty sheets and none is the preferred one,
    the first is used and a warning names the others.
    """
    sheets, problems = read_raw_sheets(data, filename)
    if not sheets or has_errors(problems):
        return None, problems
    preferred = [s for s in sheets if preferred_sheet and str(s.name).lower() == preferred_sheet.lower()]
    sheet = preferred[0] if preferred else sheets[0]
    if len(sheets) > 1 and not preferred:
        problems.append(Problem(WARNING, filename, None, None,
                                f"Het bestand heeft {len(sheets)} bladen met gegevens; alleen blad '{sheet.name}' "
                                f"is gelezen ({', '.join(repr(s.name) for s in sheets[1:])} niet).",
                                "Zet alle gegevens op één blad, of laad elk blad apart op."))
    table, header_problems = table_from_sheet(sheet, filename)
    return table, problems + header_problems


def table_from_sheet(sheet: RawSheet, filename: str, header_row: int | None = None
                     ) -> tuple[UploadTable | None, list[Problem]]:
    """The sheet as a table whose header is row `header_row` (a file row number; default: its first non-empty
    row); the rows above it are left out.

    Header cells that are empty get a name like ``kolom C``; duplicated header names are an error (the
    values could go to either).
    """
    cells = sheet.cells
    if header_row is not None:
        cells = cells.loc[cells.index >= header_row]
    header_row = int(cells.index[0])
    header = [cell_text(value) for value in cells.iloc[0]]
    names = [text or f"kolom {column_letter(position)}" for position, text in enumerate(header)]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        key = header_key(name)
        if key in seen:
            problems.append(Problem(ERROR, filename, header_row, column_letter(position),
                                    f"De kolomnaam '{name}' komt twee keer voor (kolommen "
                                    f"{column_letter(seen[key])} en {column_letter(position)}).",
                                    "Geef elke kolom een eigen naam."))
        else:
            seen[key] = position
    if has_errors(problems):
        return None, problems
    frame = cells.iloc[1:].copy()
    frame.columns = names
    return UploadTable(filename, sheet.name, frame), problems


def header_key(text: str) -> str:
    """A header name compared without case, accents, spaces or punctuation ('NIS-code' == 'nis code')."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def find_column(columns, accepted: tuple[str, ...]) -> str | None:
    """The first column whose header matches one of the accepted names (see :func:`header_key`)."""
    wanted = [header_key(name) for name in accepted]
    keys = {header_key(column): column for column in columns}
    for key in wanted:
        if key in keys:
            return keys[key]
    return None
