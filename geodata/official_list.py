"""Read a list of regisseurs in the shape an administration sends it: one step from file (or pasted text) to Scheme.

No complete public list of the 2020-2025 regisseurs exists; the administration has one, in whatever layout its
workbook happens to have. :func:`read_membership_upload` recognises these shapes and turns each into the entries
of :class:`geodata.membership.MembershipReader` (the reader of the long table), so every shape gets the same
name resolution, the same checks and the same Dutch problems naming file, row and column:

- **long table**: one row per membership (municipality -> regisseur), the template's format;
- **one row per regisseur**: its municipalities in one cell, separated by ``,`` ``;`` ``/`` ``|``, line breaks,
  "en" or "&", with or without a NIS code in brackets ("Aalst (41002)") - the long table with several names in
  a cell;
- **one column per regisseur**: the regisseur in the header, its municipalities below;
- **one sheet per regisseur** in a workbook: the sheet name is the regisseur (or a "Regisseur: ..." line above
  the list);
- **pasted text** as copied from a PDF or web page: ``Interwaas: Beveren, Kruibeke, ...`` lines, or a regisseur
  line followed by (indented or bulleted) member lines; tab-separated text copied from a spreadsheet is a table.

Title rows above the table, blank rows, notes below it ("Bron: ...") and province headings are skipped with a
warning. Header synonyms: regisseur, regieverband, samenwerkingsverband, verband, lokaal bestuur,
(deelnemende) gemeente(n), leden, centrumstad, rechtsvorm, periode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from geodata import names as name_matching
from geodata.membership import (
    CENTRE_CITIES,
    LIST_HEADERS,
    NAME_HEADERS,
    NIS_HEADERS,
    OPTIONAL_HEADERS,
    PARTNERSHIP_HEADERS,
    REGISSEUR_FALLBACK_HEADERS,
    TEMPLATE_SHEET,
    Cell,
    MemberEntry,
    MembershipReader,
    Scheme,
    membership_reader,
    split_members,
)
from geodata.municipalities import PROVINCES
from geodata.uploads import (
    ERROR,
    MAX_UPLOAD_BYTES,
    WARNING,
    Problem,
    RawSheet,
    cell_text,
    column_letter,
    find_column,
    has_errors,
    header_key,
    read_raw_sheets,
    size_problem,
    table_from_sheet,
)

PASTED_TEXT = "geplakte tekst"
HEADER_SEARCH_ROWS = 30  # a header further down than this is not a header
# The first word(s) of a note under a table or in pasted text.
NOTE_WORDS = ("bron", "bronnen", "noot", "nota", "opmerking", "opmerkingen", "toelichting", "totaal", "update",
              "versie", "laatst bijgewerkt", "bijgewerkt", "datum", "http", "https", "www", "zie", "legende")
ATTRIBUTE_WORDS = {
    "centre": OPTIONAL_HEADERS["centre"],
    "legal_form": OPTIONAL_HEADERS["legal_form"],
    "period": OPTIONAL_HEADERS["period"],
    "partnership": ("regisseur", "samenwerkingsverband", "regieverband", "verband", "naam regisseur",
                    "naam verband", "lokale regisseur"),
}
DEFAULT_SHEET_NAME = re.compile(r"^(blad|sheet|feuil|tabelle|hoja|foglio)\s*\d+$", re.IGNORECASE)
# A line that looks this much like a municipality (difflib ratio) is a misspelt member, not a regisseur's name.
TYPO_SIMILARITY = 0.85
# A sheet is a list of names when most of its cells (between the first and the last row with names) are names.
NAME_SHARE = 0.7
# A list of regisseurs names each of the 300 municipalities a few times at most: a sheet or a pasted text far longer
# than this is something else (and testing every cell or line as a name would take long).
MAX_LIST_ROWS = 2_000
MAX_PASTED_LINES = 1_000


def read_membership_upload(data: bytes | str, filename: str | None = None,
                           municipalities: pd.DataFrame | None = None, merger_table: pd.DataFrame | None = None
                           ) -> tuple[Scheme | None, list[Problem]]:
    """Read a membership list in any shape (CSV, XLSX or pasted text) into a Scheme on 2019-2024 codes.

    `data` is the file's bytes, or a str for text pasted on the Gegevens page (problems then name
    "geplakte tekst" unless `filename` says otherwise). The shapes are described above;
    the long table (one row per membership) accepts: a partnership column
    ('samenwerkingsverband', 'regisseur', ...), and a NIS-code column ('nis', ...) and/or a municipality column
    ('gemeente', 'gemeenten', 'leden', ...: several names in one cell are split); optional 'rol', 'bron',
    'toelichting', 'betrouwbaarheid' (bevestigd/vermoedelijk, empty = bevestigd), 'rechtsvorm', 'centrumstad',
    'periode'. A partnership cell 'geen' marks a known non-participant. Centre cities and standalone cities are
    recognised from the members. Never raises; returns (None, problems) when any problem is an error.
    """
    pasted = isinstance(data, str)
    filename = str(filename or (PASTED_TEXT if pasted else "upload"))
    try:
        reader = membership_reader(filename, municipalities, merger_table)
        if pasted:
            entries, problems = _entries_from_text(data, reader)
        else:
            entries, problems = _entries_from_file(data, reader)
        if entries is None or has_errors(problems):
            return None, problems
        scheme = reader.read_entries(entries)
        problems = problems + reader.problems
        return (None if has_errors(problems) else scheme), problems
    except Exception as error:  # a bug must still reach the user as a message, never as a traceback
        return None, [Problem(ERROR, filename, None, None,
                              f"Het bestand kon niet verwerkt worden ({type(error).__name__}).",
                              "Controleer het formaat of gebruik het sjabloon.")]


# -------------------------------------------------------------------------------------------------------------
# Files: sheets
# -------------------------------------------------------------------------------------------------------------

def _entries_from_file(data: bytes, reader: MembershipReader) -> tuple[list[MemberEntry] | None, list[Problem]]:
    sheets, problems = read_raw_sheets(data, reader.file)
    if not sheets or has_errors(problems):
        return None, problems
    entries, shape_problems = _entries_from_sheets(sheets, reader)
    return entries, problems + shape_problems


def _entries_from_sheets(sheets: list[RawSheet], reader: MembershipReader
                         ) -> tuple[list[MemberEntry] | None, list[Problem]]:
    file = reader.file
    problems: list[Problem] = []
    several = len(sheets) > 1
    long_sheets = [(sheet, header) for sheet in sheets if (header := _long_header(sheet)) is not None]
    template = [(sheet, header) for sheet, header in long_sheets if str(sheet.name).lower() == TEMPLATE_SHEET.lower()]
    if template:  # the template: its explanation and municipality sheets are not data
        long_sheets = template
    elif long_sheets:
        read = {id(sheet) for sheet, _ in long_sheets}
        problems += [_skipped_sheet(file, sheet) for sheet in sheets if id(sheet) not in read]
    if long_sheets:
        entries: list[MemberEntry] = []
        for sheet, (row, columns) in long_sheets:
            found, sheet_problems = _entries_from_long_sheet(sheet, row, columns, file,
                                                            several and len(long_sheets) > 1)
            problems += sheet_problems
            if found is not None:
                entries += found
        return (entries if not has_errors(problems) else None), problems

    lists = [(sheet, found) for sheet in sheets if (found := _name_list(sheet, reader)) is not None]
    usable = []
    for sheet, name_list in lists:
        if name_list.kind == "members" and _sheet_regisseur(sheet, name_list) is None:
            continue  # a list of names without a regisseur (a CSV file, or "Blad1"): not this shape
        usable.append((sheet, name_list))
    if usable:
        read = {id(sheet) for sheet, _ in usable}
        problems += [_skipped_sheet(file, sheet) for sheet in sheets if id(sheet) not in read]
        entries = []
        for sheet, name_list in usable:
            entries += _entries_from_name_list(sheet, name_list, file, several, problems)
        return entries, problems

    problems.append(_no_shape_problem(file, sheets[0]))
    return None, problems


def _skipped_sheet(file: str, sheet: RawSheet) -> Problem:
    return Problem(WARNING, file, None, None,
                   f"Blad '{sheet.name}' is niet gelezen: er staat geen lijst van regisseurs en gemeenten op.", "")


def _no_shape_problem(file: str, sheet: RawSheet) -> Problem:
    first_row = int(sheet.cells.index[0])
    columns = [cell_text(value) for value in sheet.cells.iloc[0] if cell_text(value)]
    partnership = find_column(columns, PARTNERSHIP_HEADERS)
    member = find_column(columns, NIS_HEADERS) or find_column(columns, NAME_HEADERS)
    missing = []
    if partnership is None:
        missing.append("een kolom met het samenwerkingsverband (bv. 'samenwerkingsverband' of 'regisseur')")
    if member is None:
        missing.append("een kolom met de gemeente ('gemeente', 'gemeenten' of 'nis')")
    return Problem(ERROR, file, first_row, None,
                   f"Verplichte kolommen ontbreken: {' en '.join(missing) or 'geen herkende kolommen'}. Gevonden "
                   f"kolommen: {', '.join(columns) or 'geen'}. Ook geen kolom of blad per regisseur met "
                   "gemeentenamen gevonden.",
                   "Gebruik het sjabloon, twee kolommen 'gemeente;samenwerkingsverband', één rij per regisseur "
                   "('Regisseur;Gemeenten' met de gemeenten in één cel), één kolom per regisseur of één blad per "
                   "regisseur.")


def _sheet_suffix(sheet: RawSheet, several: bool) -> str:
    return f", blad {sheet.name}" if several and sheet.name else ""


# --- the long table (one row per membership, or one row per regisseur with its municipalities in a cell) -------

@dataclass
class _LongColumns:
    partnership: int
    names: int | None
    nis: int | None
    optional: dict[str, int] = field(default_factory=dict)


def _long_columns(header: list[str]) -> _LongColumns | None:
    """Where the partnership, municipality and optional columns are in a header row, or None when it is not the
    header of a long table."""
    labels = [text or f"kolom {column_letter(position)}" for position, text in enumerate(header)]
    position = {label: index for index, label in enumerate(labels)}
    partnership = find_column(labels, PARTNERSHIP_HEADERS)
    nis = find_column(labels, NIS_HEADERS)
    names = find_column([label for label in labels if label != partnership], NAME_HEADERS)
    if partnership is None:
        # "Lokaal bestuur | Gemeenten": beside a column that lists the members, 'lokaal bestuur' is the regisseur.
        names = find_column(labels, LIST_HEADERS)
        others = [label for label in labels if label != names]
        partnership = find_column(others, REGISSEUR_FALLBACK_HEADERS) if names else None
    if partnership is None or (nis is None and names is None):
        return None
    used = {partnership, nis, names}
    optional = {}
    for key, accepted in OPTIONAL_HEADERS.items():
        found = find_column([label for label in labels if label not in used], accepted)
        if found is not None:
            optional[key] = position[found]
    return _LongColumns(position[partnership], position[names] if names else None,
                        position[nis] if nis else None, optional)


def _long_header(sheet: RawSheet) -> tuple[int, _LongColumns] | None:
    for row in list(sheet.cells.index)[:HEADER_SEARCH_ROWS]:
        header = [cell_text(value) for value in sheet.cells.loc[row]]
        columns = _long_columns(header)
        if columns is not None:
            return int(row), columns
    return None


def _is_note(text: str) -> bool:
    key = header_key(text)
    return text.startswith(("*", "(1)", "¹", "Bron:", "bron:")) or any(key.startswith(header_key(word))
                                                                        for word in NOTE_WORDS)


def _is_heading(text: str) -> bool:
    key = name_matching.name_key(text)
    return key.startswith("provincie") or key in {name_matching.name_key(name) for name in PROVINCES.values()}


def _rows_text(rows: list[int]) -> str:
    return f"Rij {rows[0]}" if len(rows) == 1 else f"Rijen {rows[0]}-{rows[-1]}"


def _entries_from_long_sheet(sheet: RawSheet, header_row: int, columns: _LongColumns, file: str, several: bool
                             ) -> tuple[list[MemberEntry] | None, list[Problem]]:
    table, problems = table_from_sheet(sheet, file, header_row)
    if table is None:
        return None, problems
    frame = table.frame
    suffix = _sheet_suffix(sheet, several)
    headers = list(frame.columns)
    label = {position: f"{column_letter(position)} ({headers[position]}{suffix})" for position in range(len(headers))}
    above = [int(row) for row in sheet.cells.index if row < header_row]
    if above:
        problems.append(Problem(WARNING, file, above[0], None,
                                f"{_rows_text(above)} boven de kopregel (rij {header_row}){suffix} zijn overgeslagen "
                                "(titel of toelichting).", ""))
    if frame.empty:
        problems.append(Problem(ERROR, file, None, None, "Het bestand heeft een kopregel maar geen gegevens.",
                                "Vul minstens één rij in."))
        return None, problems
    texts = frame.map(cell_text)
    member_positions = [p for p in (columns.names, columns.nis) if p is not None]
    has_member = texts.iloc[:, member_positions].ne("").any(axis=1)
    last_member_row = int(has_member[has_member].index[-1]) if has_member.any() else None

    entries: list[MemberEntry] = []
    notes: list[int] = []
    headings: list[int] = []
    filled_down: dict[str, list[int]] = {}
    previous_row, previous_partnership = header_row, ""
    for row, values in texts.iterrows():
        row = int(row)
        filled = [text for text in values if text]
        gap = row - previous_row > 1
        after_table = last_member_row is None or row > last_member_row
        if notes or (after_table and len(filled) == 1 and (gap or _is_note(filled[0]))) or \
                (after_table and gap and entries):
            notes.append(row)
            continue
        if len(filled) == 1 and not has_member[row] and _is_heading(filled[0]):
            headings.append(row)
            previous_row = row
            continue
        partnership = values.iloc[columns.partnership]
        if not partnership and previous_partnership and has_member[row]:
            # Merged cells in a ministry workbook: the regisseur is written once, above its members.
            partnership = previous_partnership
            filled_down.setdefault(partnership, []).append(row)

        def cell(key: str, values=values) -> Cell | None:
            position = columns.optional.get(key)
            return Cell(values.iloc[position], label[position]) if position is not None else None

        entries.append(MemberEntry(
            row, Cell(partnership, label[columns.partnership]),
            names=Cell(values.iloc[columns.names], label[columns.names]) if columns.names is not None else None,
            codes=Cell(values.iloc[columns.nis], label[columns.nis]) if columns.nis is not None else None,
            confidence=cell("confidence"), source=cell("source"), evidence=cell("evidence"), role=cell("role"),
            legal_form=cell("legal_form"), centre=cell("centre"), period=cell("period")))
        previous_row, previous_partnership = row, partnership
    for partnership, rows in filled_down.items():
        problems.append(Problem(WARNING, file, rows[0], label[columns.partnership],
                                f"{_rows_text(rows)}: samenwerkingsverband leeg, gelezen als '{partnership}' zoals de "
                                "rij erboven (samengevoegde cellen).", "Vul het verband op elke rij in om zeker te zijn."))
    if headings:
        problems.append(Problem(WARNING, file, headings[0], None,
                                f"{_rows_text(headings)}{suffix}: tussentitel (provincie) overgeslagen.", ""))
    if notes:
        problems.append(Problem(WARNING, file, notes[0], None,
                                f"{_rows_text(notes)} onder de tabel{suffix} zijn overgeslagen (opmerking of bron): "
                                f"'{next(text for text in texts.loc[notes[0]] if text)}'.", ""))
    return entries, problems


# --- lists of names: one column per regisseur, one sheet per regisseur -----------------------------------------

@dataclass
class _NameList:
    kind: str  # "columns": the header names a regisseur per column; "members": the sheet is one regisseur's list
    header_row: int | None
    first_row: int
    last_row: int
    name_columns: list[int]
    attributes: list[tuple[int, int, str, str]]  # (row, column of the value, kind, value)
    member_header: bool = False  # "members": a 'gemeente'/'nis' header row, read as a long table


def _attribute(values: list[str]) -> tuple[str, int, str] | None:
    """(kind, position of the value, value) of an attribute row ("Centrumstad | Aalst", "Rechtsvorm: ...")."""
    filled = [(position, text) for position, text in enumerate(values) if text]
    if not filled:
        return None
    position, first = filled[0]
    key_text, _, inline = first.partition(":")
    key = header_key(key_text)
    for kind, words in ATTRIBUTE_WORDS.items():
        if key in {header_key(word) for word in words}:
            if inline.strip():
                return kind, position, inline.strip()
            if len(filled) > 1:
                return kind, filled[1][0], filled[1][1]
            return None
    return None


def _name_list(sheet: RawSheet, reader: MembershipReader) -> _NameList | None:
    """The sheet as a list of municipality names (one column per regisseur, or one regisseur's list), or None."""
    if len(sheet.cells) > MAX_LIST_ROWS:
        return None
    texts = sheet.cells.map(cell_text)
    rows = [int(row) for row in texts.index]
    attributes, known, filled = [], {}, {}
    for row in rows:
        values = list(texts.loc[row])
        attribute = _attribute(values)
        if attribute is not None:
            attributes.append((row, attribute[1], attribute[0], attribute[2]))
            continue
        filled[row] = [position for position, text in enumerate(values) if text]
        known[row] = [position for position in filled[row] if reader.knows(values[position])]
    # A row of names: more than half of its cells are municipalities ("Gent | X" is not).
    data_rows = [row for row in known if known[row] and len(known[row]) / len(filled[row]) > 0.5]
    if not data_rows:
        return None
    first, last = data_rows[0], data_rows[-1]
    region = [row for row in known if first <= row <= last]
    share = sum(len(known[row]) for row in region) / sum(len(filled[row]) for row in region)
    if share < NAME_SHARE:
        return None
    name_columns = sorted({position for row in region for position in known[row]})
    several = len(name_columns) > 1

    def header_like(row: int) -> bool:  # a title above a table fills one cell, a header one per column
        return len([p for p in filled[row] if p in name_columns]) >= (2 if several else 1)

    header_row = next((row for row in reversed(list(known)) if row < first and header_like(row)), None)
    header = list(texts.loc[header_row]) if header_row is not None else []
    member_header = bool(header) and any(find_column([header[p]], NAME_HEADERS + NIS_HEADERS)
                                         for p in name_columns if p < len(header) and header[p])
    if several and not member_header and header_row is None and len(region) > 1:
        # Regisseurs named after their city ("Stad Gent | Stad Leuven | Interwaas") make the header look like a
        # row of names; several columns of names without a header can only be one column per regisseur.
        header_row, first = first, next(row for row in region if row > first)
        header = list(texts.loc[header_row])
    regisseur_headers = [p for p in name_columns if p < len(header) and header[p] and not member_header]
    kind = "columns" if regisseur_headers else "members"
    return _NameList(kind, header_row, first, last, name_columns, attributes, member_header)


def _sheet_regisseur(sheet: RawSheet, name_list: _NameList) -> Cell | None:
    """The regisseur a one-regisseur sheet belongs to: a "Regisseur: ..." line, else a real sheet name."""
    for row, position, kind, value in name_list.attributes:
        if kind == "partnership":
            return Cell(value, f"{column_letter(position)}{row}")
    if sheet.name and not DEFAULT_SHEET_NAME.match(str(sheet.name).strip()):
        return Cell(str(sheet.name).strip(), f"blad {sheet.name}")
    return None


def _entries_from_name_list(sheet: RawSheet, name_list: _NameList, file: str, several: bool,
                            problems: list[Problem]) -> list[MemberEntry]:
    texts = sheet.cells.map(cell_text)
    suffix = _sheet_suffix(sheet, several)
    header = list(texts.loc[name_list.header_row]) if name_list.header_row is not None else []
    skipped_above = [int(row) for row in texts.index if row < name_list.first_row and row != name_list.header_row
                     and not any(row == attribute[0] for attribute in name_list.attributes)]
    if skipped_above:
        problems.append(Problem(WARNING, file, skipped_above[0], None,
                                f"{_rows_text(skipped_above)}{suffix} boven de lijst zijn overgeslagen (titel of "
                                "toelichting).", ""))
    below = [int(row) for row in texts.index if row > name_list.last_row
             and not any(row == attribute[0] for attribute in name_list.attributes)]
    if below:
        problems.append(Problem(WARNING, file, below[0], None,
                                f"{_rows_text(below)} onder de lijst{suffix} zijn overgeslagen (opmerking of bron): "
                                f"'{next(text for text in texts.loc[below[0]] if text)}'.", ""))
    region = [int(row) for row in texts.index if name_list.first_row <= row <= name_list.last_row
              and not any(row == attribute[0] for attribute in name_list.attributes)]

    def label(position: int, title: str) -> str:
        inside = ", ".join(part for part in (title, suffix[2:]) if part)
        return f"{column_letter(position)} ({inside})" if inside else column_letter(position)

    if name_list.kind == "members":
        regisseur = _sheet_regisseur(sheet, name_list)
        nis_column = next((p for p in name_list.name_columns if p < len(header)
                           and find_column([header[p]], NIS_HEADERS)), None)
        name_columns = [p for p in name_list.name_columns if p != nis_column]
        attributes = {kind: Cell(value, f"{column_letter(position)}{row}", row)
                      for row, position, kind, value in name_list.attributes if kind != "partnership"}
        entries = []
        for row in region:
            values = list(texts.loc[row])
            name_cells = [(p, values[p]) for p in name_columns if p < len(values) and values[p]]
            codes = Cell(values[nis_column], label(nis_column, header[nis_column])) \
                if nis_column is not None and values[nis_column] else None
            if not name_cells and codes is None:
                continue
            for position, text in name_cells or [(None, "")]:
                title = header[position] if position is not None and position < len(header) else ""
                entries.append(MemberEntry(
                    row, regisseur, names=Cell(text, label(position, title)) if position is not None else None,
                    codes=codes, **({} if entries else attributes)))
        return entries

    entries = []
    per_column_attributes: dict[int, dict[str, Cell]] = {}
    for row, position, kind, value in name_list.attributes:
        # An attribute row under a column-per-regisseur header ("Centrumstad | Sint-Niklaas | | Aalst") gives each
        # regisseur the value in its own column.
        values = list(texts.loc[row])
        for column in name_list.name_columns:
            if column < len(values) and values[column] and kind != "partnership":
                per_column_attributes.setdefault(column, {})[kind] = Cell(
                    values[column], f"{column_letter(column)}{row}", row)
    for column in name_list.name_columns:
        title = header[column] if column < len(header) else ""
        if not title:
            problems.append(Problem(ERROR, file, name_list.header_row or name_list.first_row,
                                    label(column, ""),
                                    f"Kolom {column_letter(column)}{suffix} heeft gemeentenamen maar geen regisseur in "
                                    "de kopregel.", "Zet de naam van de regisseur boven de kolom."))
            continue
        partnership = Cell(title, label(column, title))
        attributes = per_column_attributes.get(column, {})
        first_entry = True
        for row in region:
            text = texts.at[row, column] if column in texts.columns else ""
            if not text:
                continue
            entries.append(MemberEntry(row, partnership, names=Cell(text, label(column, title)),
                                       **(attributes if first_entry else {})))
            first_entry = False
    return entries


# -------------------------------------------------------------------------------------------------------------
# Pasted text
# -------------------------------------------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[-–—•*·▪◦‣]|\d{1,3}[.)])\s+")
_COLON = re.compile(r"^(?P<key>[^:]{1,200}?)\s*:\s*(?P<rest>.*)$")
_CONTINUES = re.compile(r"(?:[,;/|&]|\s(?:en|and))\s*$", re.IGNORECASE)


@dataclass
class _Line:
    number: int
    indent: int  # leading spaces (a tab counts 4), plus 1 for a bullet
    content: str
    column: int  # 1-based character position of the content
    blank_before: bool


@dataclass
class _Regisseur:
    cell: Cell
    indent: int
    open_list: bool  # a header without members on its line: the next lines are its members
    continues: bool = False  # the last member line ended with a separator: the next line goes on
    attributes: dict = field(default_factory=dict)
    first_entry: int | None = None


def _text_is_table(lines: list[str]) -> bool:
    """Text copied from a spreadsheet (tabs between cells) or typed as CSV with a header row."""
    content = [line for line in lines if line.strip()]
    if any("\t" in line.strip() for line in content):
        return True
    if not content:
        return False
    first = content[0]
    for separator in (";", ",", "|"):
        if separator in first and _long_columns([part.strip() for part in first.split(separator)]) is not None:
            return True
    return False


def _entries_from_text(text: str, reader: MembershipReader) -> tuple[list[MemberEntry] | None, list[Problem]]:
    file = reader.file
    size = len(text.encode("utf-8"))
    if size > MAX_UPLOAD_BYTES:
        return None, [size_problem(size, file)]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return None, [Problem(ERROR, file, None, None, "De geplakte tekst is leeg.",
                              "Plak de lijst van regisseurs met hun gemeenten.")]
    if _text_is_table(lines):
        return _entries_from_file(text.encode("utf-8"), reader)
    if sum(1 for line in lines if line.strip()) > MAX_PASTED_LINES:
        return None, [Problem(ERROR, file, MAX_PASTED_LINES + 1, None,
                              f"De geplakte tekst heeft meer dan {MAX_PASTED_LINES:,} regels; dat is geen lijst van "
                              "regisseurs.".replace(",", "."),
                              "Plak alleen de lijst, of laad het bestand op.")]
    return _entries_from_lines(lines, reader)


def _parse_lines(lines: list[str]) -> list[_Line]:
    parsed, blank = [], False
    for number, raw in enumerate(lines, start=1):
        expanded = raw.replace("\u00a0", " ").expandtabs(4)
        content = expanded.strip()
        if not content:
            blank = True
            continue
        indent = len(expanded) - len(expanded.lstrip())
        column = indent + 1
        bullet = _BULLET.match(content)
        if bullet and not re.match(r"^\d{4,5}\b", content):  # a NIS code is not a numbered bullet
            column += bullet.end()
            content = content[bullet.end():].strip()
            indent += 1
        parsed.append(_Line(number, indent, content, column, blank))
        blank = False
    return parsed


def _colon_kind(key: str) -> str:
    """What the text before a colon is: an attribute ("centre", ...), a note, or a regisseur."""
    for kind, words in ATTRIBUTE_WORDS.items():
        if kind != "partnership" and header_key(key) in {header_key(word) for word in words}:
            return kind
    if _is_note(key) or header_key(key) in ("http", "https"):
        return "note"
    return "regisseur"


def _entries_from_lines(lines: list[str], reader: MembershipReader
                        ) -> tuple[list[MemberEntry] | None, list[Problem]]:
    file = reader.file
    problems: list[Problem] = []
    parsed = _parse_lines(lines)
    entries: list[MemberEntry] = []
    skipped: list[_Line] = []
    current: _Regisseur | None = None

    looks: dict[str, bool] = {}

    def looks_like_members(line: _Line) -> bool:
        if line.content not in looks:
            looks[line.content] = reader.knows(line.content) or \
                reader.matcher.closest(line.content, TYPO_SIMILARITY)[0] >= TYPO_SIMILARITY
        return looks[line.content]

    def add_members(regisseur: _Regisseur, line: _Line, text: str, column: int) -> None:
        attributes = {} if regisseur.first_entry is not None else regisseur.attributes
        if regisseur.first_entry is None:
            regisseur.first_entry = len(entries)
        entries.append(MemberEntry(line.number, regisseur.cell, names=Cell(text, f"teken {column}"), **attributes))
        regisseur.continues = bool(_CONTINUES.search(text))

    for index, line in enumerate(parsed):
        following = parsed[index + 1] if index + 1 < len(parsed) else None
        colon = _COLON.match(line.content)
        if colon and "//" not in colon.group("key"):
            kind = _colon_kind(colon.group("key"))
            value = colon.group("rest").strip()
            value_column = line.column + colon.start("rest")
            if kind == "note":
                skipped.append(line)
                continue
            if kind != "regisseur":
                if current is None or not value:
                    skipped.append(line)
                    continue
                cell = Cell(value, f"teken {value_column}", line.number)
                if current.first_entry is None:
                    current.attributes[kind] = cell
                else:  # the attribute comes after the members: give it to the regisseur's first entry
                    first = entries[current.first_entry]
                    entries[current.first_entry] = MemberEntry(**{**first.__dict__, kind: cell})
                continue
            current = _Regisseur(Cell(colon.group("key").strip(), f"teken {line.column}"), line.indent,
                                 open_list=not value)
            if value:
                add_members(current, line, value, value_column)
            continue
        if current is not None and line.indent > current.indent:
            add_members(current, line, line.content, line.column)
            continue
        if current is not None and not line.blank_before and (
                current.continues or (current.open_list and looks_like_members(line))):
            add_members(current, line, line.content, line.column)
            continue
        if following is not None and not _COLON.match(following.content) and (
                following.indent > line.indent or (not following.blank_before and looks_like_members(following))):
            current = _Regisseur(Cell(line.content, f"teken {line.column}"), line.indent, open_list=True)
            continue
        if reader.knows(line.content) and _alone_centre_city(reader, line.content):
            current = _Regisseur(Cell(line.content, f"teken {line.column}"), line.indent, open_list=False)
            add_members(current, line, line.content, line.column)
            problems.append(Problem(WARNING, file, line.number, f"teken {line.column}",
                                    f"'{line.content}' staat alleen op een regel; gelezen als centrumstad die de "
                                    "regierol alleen opneemt.", f"Schrijf '{line.content}: {line.content}' om zeker "
                                                                "te zijn."))
            continue
        if current is not None and not line.blank_before and looks_like_members(line):
            add_members(current, line, line.content, line.column)
            continue
        skipped.append(line)
    for line in skipped:
        problems.append(Problem(WARNING, file, line.number, f"teken {line.column}",
                                f"Regel {line.number} ('{line.content[:80]}') is overgeslagen: geen regisseur met "
                                "gemeenten.", "Schrijf een regisseur als 'Naam: gemeente, gemeente, ...'."))
    if not entries:
        problems.append(Problem(ERROR, file, None, None,
                                "In de geplakte tekst staat geen regisseur met gemeenten.",
                                "Schrijf per regisseur een regel 'Interwaas: Beveren, Kruibeke, ...', of de "
                                "regisseur op een regel met de gemeenten op de regels eronder (ingesprongen), of "
                                "plak een tabel uit Excel."))
        return None, problems
    return entries, problems


def _alone_centre_city(reader: MembershipReader, text: str) -> bool:
    parts = split_members(text)
    if len(parts) != 1:
        return False
    match = reader.matcher.match(parts[0][0])
    return match.found and len(match.codes) == 1 and match.codes[0] in CENTRE_CITIES
