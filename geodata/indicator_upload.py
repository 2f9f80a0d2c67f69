"""Read indicator tables as the portals export them (Steunpunt Werk, VDAB, Statbel, Provincies in Cijfers).

`read_indicator_upload(data, filename, version)` turns a CSV or XLSX into the long format of
:mod:`geodata.indicators` on the map of `version`, or explains per file, row and column why it cannot. It never
raises. The bundled jobseekers workbook is read by this same function (see :func:`geodata.indicators.load_jobseekers`).

What it understands
-------------------
* **Layout.** Title rows above the table (a row with nothing above the value columns, or separated from the
  table by an empty row), a header of one or more rows, footnote rows below the data (rows without any value),
  rows that are not a municipality (Vlaanderen, provinces, "Niet te lokaliseren", totals; skipped with a
  warning) and municipalities outside Flanders (skipped, one warning).
* **Wide or long.** Every value column gets a year and an indicator from the header above it; a multi-row
  header is read as groups (an indicator) over years, or years over indicators. A spanning label may sit in the
  first *or* the last column of its group (Provincies in Cijfers puts it in the last): a group is a run of columns
  whose lowest header does not repeat. A *long* table has a year column (``jaar``) and/or an indicator column
  (``indicator``), plus a value column (``waarde``), optionally a unit column (``eenheid``). When neither header
  nor a column gives the year, a single year in the title or file name is used (with a warning).
* **Municipalities** by NIS code (a column of 5-digit codes) or by name (via :mod:`geodata.names`: case, accents,
  "St.-", French names, former names). Unknown names are errors with suggestions; two rows for the same
  municipality, indicator and year are errors naming both rows.
* **Numbers, Dutch style** (:func:`geodata.dutch_numbers.parse_cell`). ``1.234,5``, ``1234,5``, ``12,3 %``, ``1 234``, ``-3,2``; a workbook's native numbers
  are taken as they are. ``-``, ``n.b.``, ``nvt``, ``?``, ``..`` and empty cells are *missing*; ``x``, ``geheim``
  and ``<5`` are *suppressed* (small numbers). A dot followed by exactly three digits is a thousands separator
  ("1.234" is 1234); any other single dot is read as a decimal point with a warning. Workbook cells in a column
  whose unit is % and whose values all lie between 0 and 1 are percent-formatted fractions (0,081 shown as 8,1%)
  and are multiplied by 100 (with a warning).
* **Boundary versions.** The file's own map is recognised from the names or codes that exist on only one map
  (Borsbeek and 11007 only before 2025, Pajottegem and 23106 only from 2025). A municipality of the target map
  takes a value when the file has exactly that municipality; when the file has all its parts (2019 codes on the
  2025 map, or the former municipalities of a 2019 merger) a *count* is summed and a rate stays missing (it cannot
  be recomputed without numerator and denominator); when the file only has a larger merged municipality (2025 name
  on the 2019 map) the merger rule of :mod:`geodata.indicators` applies: its largest part carries the value (flag
  ``approximate``), the other parts have none (flag ``merged``).

The result has the columns of :data:`geodata.indicators.LONG_COLUMNS` plus ``label`` (the indicator as named in the
file) and ``kind`` (``count`` when the unit says so or every value is a whole number, else ``rate``; the page lets
the analyst change it). Indicator ids are ``upload:<label>``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

import pandas as pd

from geodata.crosswalk import aggregation_units, parts_by_successor, successors
from geodata.dutch_numbers import INVALID, ParsedCell, parse_cell
from geodata.fetch import fetch_path
from geodata.indicator_model import (
    COUNT,
    FLAG_APPROXIMATE,
    FLAG_MERGED,
    FLAG_MISSING,
    FLAG_OK,
    FLAG_SUPPRESSED,
    LONG_COLUMNS,
    RATE,
    Indicator,
)
from geodata.municipalities import french_names_2019, is_flemish, load_municipalities, normalise_nis
from geodata.names import (
    AMBIGUOUS,
    FORMER,
    MERGED_2025,
    MERGED_INTO,
    UNKNOWN,
    former_municipalities_2019,
    matcher_for_version,
    name_key,
    slug,
)
from geodata.uploads import (
    ERROR,
    WARNING,
    Problem,
    RawSheet,
    cell_text,
    column_letter,
    has_errors,
    header_key,
    read_raw_sheets,
)

UPLOAD_PREFIX = "upload:"
RESULT_COLUMNS = LONG_COLUMNS + ["label", "kind"]

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_EDGE_YEAR = re.compile(r"^\(?((?:19|20)\d\d)\)?\s+(.*)$|^(.*?)\s+\(?((?:19|20)\d\d)\)?$")
_DATE_YEAR = re.compile(r"^((?:19|20)\d\d)-\d\d-\d\d(?:[ T].*)?$|^\d{1,2}[/.-]\d{1,2}[/.-]((?:19|20)\d\d)$")

_YEAR_HEADERS = {"jaar", "year", "jaartal", "periode", "period", "refjaar", "referentiejaar"}
_INDICATOR_HEADERS = {"indicator", "variabele", "onderwerp", "kenmerk", "omschrijving", "thema", "naamindicator",
                      "indicatornaam"}
_UNIT_HEADERS = {"eenheid", "unit", "maateenheid"}
_GENERIC_VALUE_HEADERS = {"waarde", "value", "values", "waarden", "cijfer", "getal"}
_UNIT_WORDS = {"%": "%", "in%": "%", "procent": "%", "percent": "%", "pct": "%", "aantal": "aantal",
               "aantallen": "aantal", "n": "aantal", "personen": "personen", "inwoners": "inwoners",
               "km2": "km²", "km²": "km²", "‰": "‰", "promille": "‰"}
_COUNT_UNITS = {"aantal", "personen", "inwoners", "km²"}
_RATE_UNITS = {"%", "‰"}
_AGGREGATE_PREFIXES = ("provincie", "arrondissement", "arr", "niettelokaliseren", "buitenvlaanderen", "totaal",
                       "referentieregio", "gewest", "regio", "bestuurlijkarrondissement")
_AGGREGATE_KEYS = {"vlaanderen", "vlaamsgewest", "vlaamsgewestvlaanderen", "belgie", "belgique", "belgien",
                   "rijk", "total", "totaal", "som", "gemiddelde", "brusselshoofdstedelijkgewest",
                   "brusselscapitalregion", "waalsgewest", "wallonie", "regionwallonne", "limburg",
                   "westvlaanderen", "oostvlaanderen", "vlaamsbrabant", "waalsbrabant", "henegouwen", "luik",
                   "luxemburg", "namen", "onbekend", "buitenland"}


def _is_token(parsed: ParsedCell, cell) -> bool:
    """A value or a missing/suppressed mark that is really written in the cell (not just empty)."""
    return parsed.flag != INVALID and cell_text(cell) != ""


# ---------------------------------------------------------------------------------------------------------
# Reference data: what the municipalities are called and coded on each map
# ---------------------------------------------------------------------------------------------------------

@dataclass
class _Reference:
    codes: dict[str, set[str]]  # version -> Flemish codes on that map
    parts: dict[str, tuple[str, ...]]  # 2025 code -> its 2019 codes
    successor: dict[str, str]  # 2019 code -> 2025 code
    names: dict[str, dict[str, str]]  # version -> code -> name
    former_parts: dict[str, frozenset[str]]  # 2019 code -> former-municipality atoms it was formed from
    former_codes: dict[str, str]  # pre-2019 code -> former-municipality atom
    former_nis: dict[str, str]  # former-municipality atom -> 2019 code
    outside_codes: set[str]  # Brussels and Walloon municipality codes (any year)
    outside_names: set[str]  # their names (Dutch and French), as name keys
    flemish_names: set[str]  # every Flemish name the matchers know (both maps, French, former), as name keys
    name_cache: dict = field(default_factory=dict)

    def matcher(self, version: str):
        return matcher_for_version(version)


def _former_atom(name: str) -> str:
    return "former:" + name_key(name)


@lru_cache(maxsize=1)
def _reference() -> _Reference:
    old, new = load_municipalities("2019"), load_municipalities("2025")
    parts = parts_by_successor()
    former = former_municipalities_2019()
    former_parts = {nis: frozenset(_former_atom(name) for name in group["former_name"])
                    for nis, group in former.groupby("nis_2019")}
    population = pd.read_parquet(fetch_path("population_parquet"),
                                 columns=["year", "CD_REFNIS", "TX_DESCR_NL", "TX_DESCR_FR"])
    population["CD_REFNIS"] = population["CD_REFNIS"].map(normalise_nis)
    flemish = population["CD_REFNIS"].map(is_flemish)
    outside = population[~flemish]
    known = set(old["nis"]) | set(new["nis"])
    former_names = {name_key(name): _former_atom(name) for name in former["former_name"]}
    early = population[flemish & ~population["CD_REFNIS"].isin(known)].drop_duplicates("CD_REFNIS")
    former_codes = {code: former_names[name_key(name)] for code, name in zip(early["CD_REFNIS"], early["TX_DESCR_NL"])
                    if name_key(name) in former_names}
    return _Reference(
        codes={"2019": set(old["nis"]), "2025": set(new["nis"])},
        parts=parts,
        successor=successors(),
        names={"2019": dict(zip(old["nis"], old["name"])), "2025": dict(zip(new["nis"], new["name"]))},
        former_parts=former_parts,
        former_codes=former_codes,
        former_nis={_former_atom(name): nis for name, nis in zip(former["former_name"], former["nis_2019"])},
        outside_codes=set(outside["CD_REFNIS"]),
        outside_names={name_key(n) for n in pd.concat([outside["TX_DESCR_NL"], outside["TX_DESCR_FR"]]).dropna()},
        flemish_names={name_key(n) for n in [*old["name"], *new["name"], *former["former_name"],
                                             *french_names_2019().values()]},
    )


# What a key cell stands for.
_MUNICIPALITY, _FORMER, _OUTSIDE, _AGGREGATE, _UNKNOWN, _EMPTY = (
    "municipality", "former", "outside", "aggregate", "unknown", "empty")


@dataclass(frozen=True)
class _Key:
    kind: str
    text: str
    code: str | None = None  # a NIS code (for municipalities: on the map it was matched on)
    atoms: frozenset[str] = frozenset()  # 2019 codes and former-municipality atoms the row covers
    only_on: str | None = None  # "2019" / "2025" when the name or code exists on one map only
    suggestions: tuple[str, ...] = ()
    note: str = ""


def _code_text(cell) -> str | None:
    text = cell_text(cell).lstrip("'").strip()
    if re.fullmatch(r"\d{4,5}", text):
        return text.zfill(5)
    return None


def _is_aggregate_key(key: str) -> bool:
    return key in _AGGREGATE_KEYS or any(key.startswith(prefix) for prefix in _AGGREGATE_PREFIXES)


def _atoms_of(ref: _Reference, code: str, version: str) -> frozenset[str]:
    return frozenset(ref.parts[code]) if version == "2025" else frozenset({code})


def _classify_code(ref: _Reference, code: str) -> _Key:
    in_2019, in_2025 = code in ref.codes["2019"], code in ref.codes["2025"]
    if in_2019 or in_2025:
        only = "2019" if not in_2025 else "2025" if not in_2019 else None
        if only is None and len(ref.parts.get(code, ())) > 1:
            only = "both"  # a merged municipality that kept the code of one part (Antwerpen, 11002)
        return _Key(_MUNICIPALITY, code, code, only_on=only)
    if code in ref.former_codes:
        atom = ref.former_codes[code]
        return _Key(_FORMER, code, ref.former_nis[atom], atoms=frozenset({atom}))
    if code in ref.outside_codes:
        return _Key(_OUTSIDE, code, code)
    if code.endswith("000") or code in ("20001", "20002", "04000"):
        return _Key(_AGGREGATE, code, code)
    return _Key(_UNKNOWN, code, code, note="onbekende NIS-code")


_NAME_CACHE_LIMIT = 20_000  # the cache lives as long as the process: keep uploads from growing it forever


def _classify_name(ref: _Reference, text: str) -> _Key:
    if text not in ref.name_cache:
        if len(ref.name_cache) >= _NAME_CACHE_LIMIT:
            ref.name_cache.clear()
        ref.name_cache[text] = _classify_name_uncached(ref, text)
    return ref.name_cache[text]


def _classify_name_uncached(ref: _Reference, text: str) -> _Key:
    key = name_key(text)
    if not key:
        return _Key(_EMPTY, text)
    if key not in ref.flemish_names:  # cheap answers first: suggestions for unknown names are slow
        if key in ref.outside_names:
            return _Key(_OUTSIDE, text)
        if _is_aggregate_key(key):
            return _Key(_AGGREGATE, text)
    old, new = ref.matcher("2019").match(text), ref.matcher("2025").match(text)
    if old.kind == FORMER and new.kind == FORMER:
        return _Key(_FORMER, text, old.codes[0], atoms=frozenset({_former_atom(text)}))
    if old.found or new.found:
        only = None
        if old.found and old.kind != MERGED_2025 and (not new.found or new.kind == MERGED_INTO):
            only = "2019"
        elif new.found and new.kind != MERGED_INTO and (not old.found or old.kind == MERGED_2025):
            only = "2025"
        elif old.found and new.found and len(ref.parts.get(new.codes[0], ())) > 1:
            only = "both"
        return _Key(_MUNICIPALITY, text, None, only_on=only)
    if key in ref.outside_names:
        return _Key(_OUTSIDE, text)
    if _is_aggregate_key(key):
        return _Key(_AGGREGATE, text)
    kind = AMBIGUOUS if AMBIGUOUS in (old.kind, new.kind) else UNKNOWN
    suggestions = tuple(dict.fromkeys(old.suggestions + new.suggestions))[:4]
    return _Key(_UNKNOWN, text, suggestions=suggestions,
                note="meerdere gemeenten mogelijk" if kind == AMBIGUOUS else "onbekende gemeente")


def _known_name(ref: _Reference, text: str) -> bool:
    """A municipality name (Flemish or not) without asking the matchers (no suggestions: fast)."""
    key = name_key(text)
    return bool(key) and (key in ref.flemish_names or key in ref.outside_names)


def _resolve_on(ref: _Reference, key: _Key, file_version: str) -> _Key:
    """The 2019 codes (atoms) a municipality row covers, reading it on the map `file_version`."""
    if key.kind != _MUNICIPALITY:
        return key
    if key.code is not None:
        version = file_version if key.code in ref.codes[file_version] else \
            ("2019" if key.code in ref.codes["2019"] else "2025")
        return _Key(key.kind, key.text, key.code, _atoms_of(ref, key.code, version), key.only_on)
    match = ref.matcher(file_version).match(key.text)
    if not match.found or match.kind == MERGED_INTO:  # a name of the other map only: read it on that map
        other = "2025" if file_version == "2019" else "2019"
        match, file_version = ref.matcher(other).match(key.text), other
    if match.kind == FORMER:
        return _Key(_FORMER, key.text, match.codes[0], atoms=frozenset({_former_atom(key.text)}))
    atoms = frozenset().union(*(_atoms_of(ref, code, file_version) for code in match.codes))
    return _Key(key.kind, key.text, match.codes[0], atoms, key.only_on)


# ---------------------------------------------------------------------------------------------------------
# Sheet structure
# ---------------------------------------------------------------------------------------------------------

@dataclass
class _Record:
    row: int
    column: int  # 0-based position of the value cell
    key: _Key
    label: str
    unit: str
    year: int | None
    cell: ParsedCell
    sheet: str | None


class _Sheet:
    """One sheet being interpreted; collects problems with file, row and column."""

    def __init__(self, sheet: RawSheet, filename: str, ref: _Reference, several: bool):
        self.cells = sheet.cells
        # Plain lists: cell access through pandas is far too slow for a 300 x 232 portal export.
        self.grid = {int(row): list(values)
                     for row, values in zip(sheet.cells.index, sheet.cells.itertuples(index=False, name=None))}
        self.rows = list(self.grid)
        self.positions = list(range(sheet.cells.shape[1]))
        self.name = sheet.name
        self.filename = filename
        self.ref = ref
        self.where = f" (blad '{sheet.name}')" if several and sheet.name else ""
        self.problems: list[Problem] = []

    def problem(self, severity, row, position, message, suggestion=""):
        column = column_letter(position) if position is not None else None
        self.problems.append(Problem(severity, self.filename, None if row is None else int(row), column,
                                     message + self.where, suggestion))

    # -- columns -----------------------------------------------------------------------------------------

    def key_columns(self) -> tuple[int | None, int | None]:
        """(code column, name column): the columns with the most NIS codes and municipality names."""
        best_code, best_name = (None, 0), (None, 0)
        for position in self.positions:
            column = [values[position] for values in self.grid.values()]
            codes = sum(1 for cell in column if (code := _code_text(cell)) is not None
                        and _classify_code(self.ref, code).kind in (_MUNICIPALITY, _FORMER, _OUTSIDE))
            if codes > best_code[1]:
                best_code = (position, codes)
            texts = [cell for cell in column if isinstance(cell, str) and cell and _code_text(cell) is None
                     and parse_cell(cell).flag == INVALID]
            names = sum(1 for cell in texts if _known_name(self.ref, cell))
            if names > best_name[1]:
                best_name = (position, names)
        code_column, name_column = best_code[0], best_name[0]
        if code_column is not None and best_code[1] < 0.5 * best_name[1]:
            code_column = None  # a few code-like numbers in a value column, while names are the key
        if code_column is not None and code_column == name_column:
            name_column = None
        return code_column, name_column

    def key_of(self, row, code_column, name_column) -> _Key:
        name = cell_text(self.grid[row][name_column]) if name_column is not None else ""
        if code_column is not None:
            code_cell = self.grid[row][code_column]
            code = _code_text(code_cell)
            if code is not None:
                key = _classify_code(self.ref, code)
                if key.kind == _MUNICIPALITY and name:
                    self._check_name(row, name_column, code, name)
                elif name:
                    key = _Key(key.kind, f"{name} ({code})", key.code, key.atoms, key.only_on, key.suggestions,
                               key.note)
                return key
            if cell_text(code_cell) and not name:
                return _Key(_UNKNOWN, cell_text(code_cell), note="geen geldige NIS-code")
        if name:
            return _classify_name(self.ref, name)
        return _Key(_EMPTY, "")

    def _check_name(self, row, name_column, code, name) -> None:
        version = "2019" if code in self.ref.codes["2019"] else "2025"
        match = self.ref.matcher(version).match(name)
        other = self.ref.matcher("2025" if version == "2019" else "2019").match(name)
        if match.found and code not in match.codes and not (other.found and code in other.codes):
            self.problem(WARNING, row, name_column,
                         f"NIS-code {code} is {self.ref.names[version][code]}, maar de naam zegt '{name}'; "
                         "de NIS-code is gebruikt.", "Controleer code en naam.")


def _strip_label(text: str) -> tuple[str, str | None]:
    """A header text without footnote marks, with its unit taken out: "NWWZ [aantal] (1)", "graad (%)", "graad in %"."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\s*\(\d+\))+$", "", text).rstrip("* ").strip()
    unit = None
    bracket = re.search(r"\[([^\]]+)\]", text)
    if bracket:
        unit = _unit_word(bracket.group(1)) or bracket.group(1).strip()
        text = (text[:bracket.start()] + text[bracket.end():]).strip()
        text = re.sub(r"(\s*\(\d+\))+$", "", text).strip()
    else:
        trailing = re.search(r"\s*(?:\(([^()]+)\)|\bin\s+(%|‰|km²|km2))$", text)
        if trailing and _unit_word(trailing.group(1) or trailing.group(2)):
            unit = _unit_word(trailing.group(1) or trailing.group(2))
            text = text[:trailing.start()].strip()
    return re.sub(r"\s+", " ", text).strip(" -–:"), unit


def _unit_word(text: str) -> str | None:
    """The unit a short text names ("%", "in %", "(aantal)", "km2"), or None."""
    key = text.strip().lower().replace(" ", "").strip("[]()")
    return _UNIT_WORDS.get(key)


def _year_of(text: str) -> int | None:
    text = text.strip()
    if _YEAR.match(text):
        return int(text)
    match = _DATE_YEAR.match(text)
    if match:
        return int(match.group(1) or match.group(2))
    return None


def _split_year(text: str) -> tuple[str, int | None]:
    """'NWWZ 2020' -> ('NWWZ', 2020); '2020' -> ('', 2020); other texts unchanged."""
    year = _year_of(text)
    if year is not None:
        return "", year
    match = _EDGE_YEAR.match(text.strip())
    if match:
        if match.group(1):
            return match.group(2).strip(), int(match.group(1))
        return match.group(3).strip(), int(match.group(4))
    return text, None


# ---------------------------------------------------------------------------------------------------------
# Reading one sheet into records
# ---------------------------------------------------------------------------------------------------------

def _read_sheet(sheet: _Sheet) -> list[_Record] | None:
    grid = sheet.grid
    code_column, name_column = sheet.key_columns()
    if code_column is None and name_column is None:
        return None
    key_column = code_column if code_column is not None else name_column
    keys = {row: sheet.key_of(row, code_column, name_column) for row in sheet.rows}
    known_rows = [row for row, key in keys.items() if key.kind in (_MUNICIPALITY, _FORMER, _OUTSIDE, _AGGREGATE)]
    parsed = {position: {row: parse_cell(grid[row][position]) for row in sheet.rows}
              for position in sheet.positions}

    # Header of the dimension columns: the text just above the first known row.
    first_known = known_rows[0]
    header_rows = [row for row in sheet.rows if row < first_known]

    def header_text(position) -> str:
        for row in reversed(header_rows):
            text = cell_text(grid[row][position])
            if text:
                return text
        return ""

    dimension = {key_column} | ({name_column} if name_column is not None else set())
    year_column = indicator_column = unit_column = None
    for position in sheet.positions:
        if position in dimension:
            continue
        key = header_key(header_text(position))
        if key in _YEAR_HEADERS:
            values = [cell_text(grid[row][position]) for row in known_rows]
            if sum(_year_of(v) is not None for v in values if v) >= max(1, 0.8 * sum(1 for v in values if v)):
                year_column = position
        elif key in _INDICATOR_HEADERS:
            indicator_column = position
        elif key in _UNIT_HEADERS:
            unit_column = position
    dimension |= {p for p in (year_column, indicator_column, unit_column) if p is not None}

    value_columns = []
    for position in sheet.positions:
        if position in dimension:
            continue
        written = [row for row in known_rows if cell_text(grid[row][position])]
        tokens = [row for row in written if parsed[position][row].flag != INVALID]
        if written and len(tokens) >= 0.5 * len(written):
            value_columns.append(position)
    if not value_columns:
        sheet.problem(ERROR, first_known, None, "Geen kolom met getallen gevonden naast de gemeenten.",
                      "Zet de waarden in kolommen naast de kolom met gemeenten of NIS-codes.")
        return []

    # Data rows: from the first municipality row; rows with no value at all are notes or footnotes.
    data_rows = []
    for row in sheet.rows:
        if row < first_known:
            continue
        has_token = any(_is_token(parsed[p][row], grid[row][p]) for p in value_columns)
        key = keys[row]
        if key.kind == _MUNICIPALITY or key.kind == _FORMER:
            data_rows.append(row)
        elif has_token:
            data_rows.append(row)
    first_data = next((row for row in data_rows if keys[row].kind in (_MUNICIPALITY, _FORMER, _OUTSIDE)),
                      first_known)
    data_rows = [row for row in data_rows if row >= first_data]
    header_rows = [row for row in sheet.rows if row < first_data]
    column_labels, column_units, column_years, title = _column_headers(sheet, header_rows, value_columns)
    label_fallback = title or PurePath(sheet.filename).stem
    fallback_years = _fallback_years(sheet.filename, [title] + ([sheet.name] if sheet.name else []))
    notes: dict[tuple[int, str], list[int]] = defaultdict(list)

    records: list[_Record] = []
    skipped_outside: list[int] = []
    for row in data_rows:
        key = keys[row]
        if key.kind == _OUTSIDE:
            skipped_outside.append(row)
            continue
        if key.kind == _AGGREGATE:
            sheet.problem(WARNING, row, key_column,
                          f"'{key.text}' is geen Vlaamse gemeente (een totaal of een gebied); de rij is overgeslagen.")
            continue
        if key.kind == _EMPTY:
            sheet.problem(ERROR, row, key_column, "Deze rij heeft waarden maar geen gemeente of NIS-code.",
                          "Vul de gemeente in of verwijder de rij.")
            continue
        if key.kind == _UNKNOWN:
            suggestion = ("Bedoelde u " + " of ".join(f"'{s}'" for s in key.suggestions) + "?") if key.suggestions \
                else "Gebruik de officiële gemeentenaam of de NIS-code."
            sheet.problem(ERROR, row, key_column, f"'{key.text}': {key.note}.", suggestion)
            continue
        row_year = None
        if year_column is not None:
            text = cell_text(grid[row][year_column])
            row_year = _year_of(text)
            if row_year is None:
                sheet.problem(ERROR, row, year_column, f"'{text}' is geen jaar.", "Schrijf het jaar als 2023.")
                continue
        row_label = cell_text(grid[row][indicator_column]) if indicator_column is not None else ""
        row_unit = _unit_word(cell_text(grid[row][unit_column])) or cell_text(grid[row][unit_column]) \
            if unit_column is not None else None
        for position in value_columns:
            cell = parsed[position][row]
            if cell.flag == INVALID:
                sheet.problem(ERROR, row, position, f"'{cell_text(grid[row][position])}' is geen getal.",
                              "Gebruik een getal zoals 1.234,5 of 12,3 %; '-' of 'n.b.' voor ontbrekend, "
                              "'x' voor geheim.")
                continue
            if cell.note:
                notes[(position, cell.note)].append(int(row))
            label, year = column_labels[position], column_years[position]
            if row_label:
                label = f"{row_label} – {label}" if label else row_label
            if year is not None and row_year is not None and year != row_year:
                sheet.problem(ERROR, row, position, f"Jaar {row_year} in de jaarkolom, maar {year} in de kop.",
                              "Geef het jaar op één plaats.")
                continue
            year = year if year is not None else row_year
            records.append(_Record(int(row), int(position), key, label or label_fallback,
                                   row_unit or column_units[position] or "", year, cell, sheet.name))
    for (position, note), rows in notes.items():
        sheet.problem(WARNING, rows[0], position,
                      f"'{cell_text(grid[rows[0]][position])}': {note}"
                      + (f" (en nog {len(rows) - 1} cel(len) in deze kolom)." if len(rows) > 1 else "."),
                      "Controleer of de getallen goed gelezen zijn.")
    if skipped_outside:
        rows = ", ".join(map(str, skipped_outside[:5])) + (" …" if len(skipped_outside) > 5 else "")
        sheet.problem(WARNING, None, key_column,
                      f"{len(skipped_outside)} rij(en) met gemeenten buiten Vlaanderen overgeslagen (rij {rows}).")
    missing_year = [r for r in records if r.year is None]
    if missing_year:
        if len(fallback_years) == 1:
            for record in missing_year:
                record.year = fallback_years[0]
            sheet.problem(WARNING, None, None, f"Geen jaar in de kolomkoppen; jaar {fallback_years[0]} uit de titel "
                          "of de bestandsnaam gebruikt.", "Zet het jaar in de kolomkop of in een kolom 'jaar'.")
        else:
            positions = sorted({r.column for r in missing_year})
            sheet.problem(ERROR, header_rows[-1] if header_rows else None, positions[0],
                          "Geen jaar gevonden voor de kolom(men) " + ", ".join(map(column_letter, positions)) + ".",
                          "Zet het jaar in de kolomkop (bv. 2023) of voeg een kolom 'jaar' toe.")
            records = [r for r in records if r.year is not None]
    return records


def _column_headers(sheet: _Sheet, header_rows: list, value_columns: list[int]):
    """Label, unit and year of each value column from a (multi-row) header; also the title text, if any."""
    grid = sheet.grid
    title = ""
    # Rows above an empty row, and rows with nothing above the value columns, are titles.
    table_rows = []
    for row in reversed(header_rows):
        if table_rows and row != table_rows[-1] - 1:
            break
        if not any(cell_text(grid[row][p]) for p in value_columns):
            break
        table_rows.append(row)
    table_rows.reverse()
    for row in header_rows:
        if row in table_rows:
            continue
        texts = [cell_text(value) for value in grid[row] if cell_text(value)]
        if texts and not title:
            title = _strip_label(texts[0])[0]
    texts: dict[int, list[str]] = {p: [] for p in value_columns}
    if table_rows:
        lowest = table_rows[-1]
        blocks = _blocks(value_columns, [cell_text(grid[lowest][p]) for p in value_columns])
        for row in table_rows[:-1]:
            labels = {p: cell_text(grid[row][p]) for p in value_columns if cell_text(grid[row][p])}
            for position, label in _spread(labels, value_columns, blocks).items():
                texts[position].append(label)
        for position in value_columns:
            text = cell_text(grid[lowest][position])
            if text:
                texts[position].append(text)
    labels, units, years = {}, {}, {}
    for position in value_columns:
        parts, unit, year = [], None, None
        for text in texts[position]:
            word = _unit_word(text)
            if word:
                unit = word
                continue
            label, text_unit = _strip_label(text)
            unit = text_unit or unit
            label, found = _split_year(label)
            if found is not None:
                year = found
            if label and header_key(label) not in _GENERIC_VALUE_HEADERS:
                parts.append(label)
        labels[position] = " – ".join(dict.fromkeys(parts))
        units[position] = unit
        years[position] = year
    return labels, units, years, title


def _blocks(value_columns: list[int], lowest: list[str]) -> list[list[int]]:
    """Runs of columns in which the lowest header does not repeat (e.g. 2014..2024, then 2014..2024 again)."""
    blocks: list[list[int]] = []
    seen: set[str] = set()
    previous = None
    for position, text in zip(value_columns, lowest):
        key = header_key(text) or text
        if not blocks or (key and key in seen) or (previous is not None and position != previous + 1):
            blocks.append([])
            seen = set()
        blocks[-1].append(position)
        if key:
            seen.add(key)
        previous = position
    return blocks


def _spread(labels: dict[int, str], value_columns: list[int], blocks: list[list[int]]) -> dict[int, str]:
    """Give each value column the spanning label above it."""
    if not labels:
        return {}
    if len(labels) == 1:
        (label,) = labels.values()
        return {p: label for p in value_columns}
    if len(blocks) > 1:
        per_block = [[labels[p] for p in block if p in labels] for block in blocks]
        if all(len(found) == 1 for found in per_block):
            return {p: found[0] for block, found in zip(blocks, per_block) for p in block}
    spread, current = {}, None
    for position in value_columns:  # merged cells: the label sits in the first column of its span
        current = labels.get(position, current)
        if current is not None:
            spread[position] = current
    return spread


# ---------------------------------------------------------------------------------------------------------
# From records to the long table on the target map
# ---------------------------------------------------------------------------------------------------------

def _file_version(records: list[_Record], target: str) -> tuple[str, str]:
    """The map the file's names and codes belong to, and how that was decided.

    Names or codes that exist on one map only decide. Without them, a name such as "Antwerpen" (a 2025 merged
    municipality that kept the name of one part) is read on the map of the file's years: before 2025 the
    municipalities of 2019-2024, from 2025 those of 2025. Returns (version, reason) with reason "names",
    "years", "mixed" (both kinds of names; each read where it exists) or "" (nothing ambiguous in the file).
    """
    only = {record.key.only_on for record in records if record.key.kind == _MUNICIPALITY}
    has_2019, has_2025 = "2019" in only, "2025" in only
    if has_2019 and not has_2025:
        return "2019", "names"
    if has_2025 and not has_2019:
        return "2025", "names"
    if has_2019 and has_2025:
        return target, "mixed"
    if "both" not in only:
        return target, ""
    years = {record.year for record in records if record.year is not None}
    if years and max(years) <= 2024:
        return "2019", "years"
    if years and min(years) >= 2025:
        return "2025", "years"
    return target, ""


def _unit_and_kind(records: list[_Record], label: str) -> tuple[str, str]:
    units = [r.unit for r in records if r.unit]
    unit = max(set(units), key=units.count) if units else ""
    if not unit and any(r.cell.percent for r in records):
        unit = "%"
    if unit in _RATE_UNITS:
        return unit, RATE
    if unit in _COUNT_UNITS:
        return unit, COUNT
    key = header_key(label)
    if any(word in key for word in ("graad", "aandeel", "percentage", "ratio", "per1000", "perinwoner")):
        return unit, RATE
    values = [r.cell.value for r in records if r.cell.flag == FLAG_OK]
    if key.startswith("aantal") or (values and all(float(v).is_integer() and v >= 0 for v in values)):
        return unit or "aantal", COUNT
    return unit, RATE


class _Notes:
    """Warnings about placing values, one per municipality and kind (not one per indicator and year)."""

    def __init__(self):
        self.items: dict[tuple[str, str], dict] = {}

    def add(self, kind: str, subject: str, record: _Record, label: str) -> None:
        item = self.items.setdefault((kind, subject), {"record": record, "labels": set(), "years": set()})
        item["labels"].add(label)
        item["years"].add(record.year)

    def problems(self, filename: str) -> list[Problem]:
        texts = {
            "former": ("{subject}: niet alle gemeenten van vóór de fusie van 2019 staan in het bestand; de waarde "
                       "blijft leeg", "Voeg de ontbrekende deelgemeenten toe of gebruik de gemeente van 2019."),
            "incomplete": ("{subject}: niet alle deelgemeenten staan in het bestand; de waarde blijft leeg",
                           "Voeg de ontbrekende deelgemeenten toe."),
            "rate_parts": ("{subject}: een verhouding van deelgemeenten kan niet opgeteld of gemiddeld worden; de "
                           "waarde blijft leeg", "Laad teller en noemer als aantallen op, of gebruik de kaart "
                           "2019-2024."),
            "both": ("{subject}: het bestand heeft zowel de gemeente als haar deelgemeenten; de gemeente zelf is "
                     "gebruikt", "Laat de deelgemeenten of de gemeente weg."),
        }
        result = []
        for (kind, subject), item in self.items.items():
            message, suggestion = texts[kind]
            years = sorted(item["years"])
            span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
            labels = sorted(item["labels"])
            what = labels[0] if len(labels) == 1 else f"{len(labels)} indicatoren"
            record = item["record"]
            result.append(Problem(WARNING, filename, record.row, column_letter(record.column),
                                  message.format(subject=subject) + f" ({what}, {span}).", suggestion))
        return result


def _combine(records: list[_Record], target: str, ref: _Reference, filename: str, problems: list[Problem]
             ) -> pd.DataFrame:
    file_version, reason = _file_version(records, target)
    if reason == "mixed":
        problems.append(Problem(WARNING, filename, None, None,
                                "Het bestand mengt gemeenten van vóór en na de fusies van 2025 (bv. Borsbeek en "
                                "Pajottegem); elke naam is gelezen op de kaart waar hij bestaat.",
                                "Gebruik één indeling: de gemeenten 2019-2024 of die vanaf 2025."))
    elif reason == "years" and file_version != target:
        names = sorted({r.key.text for r in records if r.key.kind == _MUNICIPALITY and r.key.only_on == "both"})
        era = "vóór 2025" if file_version == "2019" else "vanaf 2025"
        problems.append(Problem(WARNING, filename, None, None,
                                f"De jaren liggen {era}, dus {', '.join(names[:5])}{' …' if len(names) > 5 else ''} "
                                f"is gelezen als de gemeente {'van vóór' if file_version == '2019' else 'na'} de "
                                "fusie van 2025.",
                                "Staan de cijfers al op de grenzen van 2025, voeg dan een fusiegemeente met een "
                                "nieuwe naam toe of gebruik NIS-codes van 2025."))
    resolved: dict[_Key, _Key] = {}
    for record in records:
        if record.key not in resolved:
            resolved[record.key] = _resolve_on(ref, record.key, file_version)
        record.key = resolved[record.key]
    source = f"Bron: eigen upload ({filename})"
    unit_of = (lambda atom: atom) if target == "2019" else (lambda atom: ref.successor[atom])
    target_parts = {code: frozenset({code}) for code in ref.codes["2019"]} if target == "2019" else \
        {code: frozenset(parts) for code, parts in ref.parts.items()}

    by_label: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_label[record.label].append(record)
    rows = []
    merged: dict[str, set[str]] = defaultdict(set)
    notes = _Notes()
    for label, group in by_label.items():
        unit, kind = _unit_and_kind(group, label)
        natives = [r.cell.value for r in group if r.cell.flag == FLAG_OK and r.cell.native]
        scale = 1.0
        if unit == "%" and natives and all(abs(v) <= 1 for v in natives) and not any(r.cell.percent for r in group):
            scale = 100.0
            first = min(group, key=lambda r: (r.row, r.column))
            problems.append(Problem(WARNING, filename, first.row, column_letter(first.column),
                                    f"'{label}': de waarden liggen tussen 0 en 1 in een kolom in %; gelezen als "
                                    "fracties (0,081 = 8,1%) en met 100 vermenigvuldigd.",
                                    "Controleer de eerste waarden in de tabel met resultaten."))
        indicator_id = UPLOAD_PREFIX + slug(label, separator="_", default="indicator")
        by_year: dict[int, list[_Record]] = defaultdict(list)
        for record in group:
            by_year[record.year].append(record)
        for year, year_records in sorted(by_year.items()):
            unique = _without_duplicates(year_records, label, filename, problems)
            for nis, value, flag in _place(unique, ref, target, target_parts, unit_of, kind, scale, label, notes,
                                           merged):
                rows.append((nis, indicator_id, year, value, unit, source, flag, label, kind))
    problems.extend(notes.problems(filename))
    if merged:
        names = sorted(merged)
        problems.append(Problem(WARNING, filename, None, None,
                                f"{len(names)} fusiegemeente(n) van 2025 ({', '.join(names[:6])}"
                                f"{' …' if len(names) > 6 else ''}) staan alleen als geheel in het bestand; op de "
                                "kaart 2019-2024 draagt het grootste deel hun cijfer, als benadering, en hebben de "
                                "andere delen geen eigen cijfer (een waarde verdelen zou cijfers verzinnen).",
                                "Bekijk deze gemeenten op de kaart vanaf 2025 voor de cijfers zonder benadering."))
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["year"] = frame["year"].astype(int)
    return frame


def _without_duplicates(records: list[_Record], label: str, filename: str, problems: list[Problem]) -> list[_Record]:
    """Drop (and report) a second value for the same area, indicator and year."""
    seen: dict[frozenset, _Record] = {}
    unique = []
    for record in records:
        atoms = record.key.atoms
        if atoms not in seen:
            seen[atoms] = record
            unique.append(record)
            continue
        other = seen[atoms]
        if other.row == record.row:
            message = (f"De kolommen {column_letter(other.column)} en {column_letter(record.column)} geven allebei "
                       f"'{label}' voor {record.year}.")
            suggestion = "Geef elke kolom een eigen kop."
        else:
            message = (f"{record.key.text} staat twee keer in het bestand voor '{label}' ({record.year}): rij "
                       f"{other.row} ({other.key.text}) en rij {record.row}.")
            suggestion = "Laat één van beide rijen weg."
        problems.append(Problem(ERROR, filename, record.row, column_letter(record.column), message, suggestion))
    return unique


def _place(records, ref, target, target_parts, unit_of, kind, scale, label, notes: _Notes, merged):
    """Values of one indicator and year on the target map (see "Boundary versions" in the module docstring)."""
    pieces = []  # (2019 codes covered, records)
    by_code: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        if record.key.kind == _FORMER:
            by_code[record.key.code].append(record)
        else:
            pieces.append((record.key.atoms, [record]))
    for code, group in by_code.items():  # former municipalities of 2019 make their 2019 municipality together
        present = frozenset().union(*(r.key.atoms for r in group))
        if present == ref.former_parts.get(code, frozenset()):
            pieces.append((frozenset({code}), group))
        else:
            notes.add("former", ref.names["2019"].get(code, code), group[0], label)
    exact: dict[str, list[_Record]] = {}
    partial: dict[str, list] = defaultdict(list)
    larger: dict[str, list[_Record]] = {}
    for atoms, group in pieces:
        for unit in {unit_of(atom) for atom in atoms}:
            unit_atoms = target_parts[unit]
            if atoms == unit_atoms:
                if unit not in exact or len(group) == 1:  # a row for the whole wins over combined parts
                    exact[unit] = group
            elif atoms < unit_atoms:
                partial[unit].append((atoms, group))
            else:
                larger[unit] = group
                merged[group[0].key.text].add(unit)
    placed = []
    for unit in sorted(set(exact) | set(partial) | set(larger)):
        name = ref.names[target].get(unit, unit)
        if unit in exact:
            cells = [r.cell for r in exact[unit]]
            placed.append((unit, *(_sum_cells(cells, scale) if len(cells) > 1 else _one(cells[0], scale))))
            if unit in partial:
                notes.add("both", name, partial[unit][0][1][0], label)
        elif unit in partial:
            covered = frozenset().union(*(atoms for atoms, _ in partial[unit]))
            first = partial[unit][0][1][0]
            if covered != target_parts[unit]:
                notes.add("incomplete", name, first, label)
                placed.append((unit, math.nan, FLAG_MISSING))
            elif kind == COUNT:
                placed.append((unit, *_sum_cells([r.cell for _, group in partial[unit] for r in group], scale)))
            else:
                notes.add("rate_parts", name, first, label)
                placed.append((unit, math.nan, FLAG_MISSING))
        elif unit == _largest_part(unit):  # the merger rule of geodata.indicators
            cells = [r.cell for r in larger[unit]]
            value, flag = _sum_cells(cells, scale) if len(cells) > 1 else _one(cells[0], scale)
            placed.append((unit, value, FLAG_APPROXIMATE if flag == FLAG_OK else flag))
        else:
            placed.append((unit, math.nan, FLAG_MERGED))
    return placed


def _largest_part(code_2019: str) -> str:
    """The 2019 municipality that carries its 2025 merged municipality's figure on the 2019-2024 map."""
    units = aggregation_units("2019")
    return dict(zip(units["nis"], units["holder"])).get(code_2019, code_2019)


def _one(cell: ParsedCell, scale: float):
    if cell.flag == FLAG_OK:
        return cell.value * (scale if cell.native else 1.0), FLAG_OK
    return math.nan, cell.flag


def _sum_cells(cells: list[ParsedCell], scale: float):
    flags = {cell.flag for cell in cells}
    if flags == {FLAG_OK}:
        return sum(cell.value * (scale if cell.native else 1.0) for cell in cells), FLAG_OK
    return math.nan, FLAG_SUPPRESSED if FLAG_SUPPRESSED in flags else FLAG_MISSING


# ---------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------

def _fallback_years(filename: str, titles: list[str]) -> list[int]:
    found = set()
    for text in [PurePath(filename).stem, *titles]:
        found |= {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)}
    return sorted(found)


def read_indicator_upload(data: bytes, filename: str, version: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read an indicator table (CSV or XLSX) onto the map `version` ("2019" or "2025").

    Returns the long table (columns :data:`RESULT_COLUMNS`) or None when nothing usable was found, and every
    problem (``fout`` or ``waarschuwing``) with file, row and column. Rows with an error are left out of the table;
    the caller decides whether to use a table that came with errors. Never raises.
    """
    filename = filename or "upload"
    try:
        return _read(data, filename, version)
    except Exception as error:  # a reader that promises not to raise: report instead
        return None, [Problem(ERROR, filename, None, None,
                              f"Het bestand kon niet gelezen worden ({type(error).__name__}: {error}).",
                              "Controleer het formaat, of sla het opnieuw op als .xlsx of CSV UTF-8.")]


def _read(data: bytes, filename: str, version: str):
    if version not in ("2019", "2025"):
        return None, [Problem(ERROR, filename, None, None, f"Onbekende kaartversie {version!r}.",
                              "Kies 2019 of 2025.")]
    with warnings.catch_warnings():  # openpyxl: "Workbook contains no default style" (portal exports)
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        sheets, problems = read_raw_sheets(data, filename)
    if not sheets or has_errors(problems):
        return None, problems
    ref = _reference()
    records: list[_Record] = []
    several = len(sheets) > 1
    for raw in sheets:
        sheet = _Sheet(raw, filename, ref, several)
        found = _read_sheet(sheet)
        problems.extend(sheet.problems)
        if found is None:
            problems.append(Problem(WARNING if several else ERROR, filename, None, None,
                                    "Geen kolom met NIS-codes of Vlaamse gemeentenamen gevonden"
                                    + (f" op blad '{raw.name}'; het blad is overgeslagen." if several else "."),
                                    "Zet de gemeenten (naam of NIS-code) in één kolom, één gemeente per rij."))
            continue
        records.extend(found)
    if not records:
        if not has_errors(problems):
            problems.append(Problem(ERROR, filename, None, None, "Geen enkele waarde gevonden voor een Vlaamse "
                                    "gemeente.", "Controleer of het bestand gemeenten en getallen bevat."))
        return None, problems
    frame = _combine(records, version, ref, filename, problems)
    if frame.empty:
        return None, problems
    return frame.sort_values(["indicator_id", "year", "nis"]).reset_index(drop=True), problems


def upload_catalogue(frame: pd.DataFrame, filename: str, kinds: dict[str, str] | None = None,
                     higher_is_worse: dict[str, bool | None] | None = None) -> dict:
    """Catalogue entries (:class:`geodata.indicators.Indicator`) for the indicators of an upload.

    ``kinds`` and ``higher_is_worse`` override, per indicator id, what was detected. An uploaded rate has no
    numerator and denominator, so it is mapped per municipality but not aggregated; a count is summed.
    """
    entries = {}
    for indicator_id, group in frame.groupby("indicator_id", sort=False):
        label = str(group["label"].iloc[0])
        unit = str(group["unit"].iloc[0] or "")
        kind = (kinds or {}).get(indicator_id, str(group["kind"].iloc[0]))
        decimals = 0 if kind == COUNT and group["value"].dropna().map(float.is_integer).all() else 1
        entries[indicator_id] = Indicator(
            indicator_id, label, unit, kind,
            f"Eigen upload uit {filename}. " + ("Aantal: voor een groep opgeteld." if kind == COUNT else
                                                "Verhouding zonder teller en noemer: niet per groep herberekend."),
            None, "upload", higher_is_worse=(higher_is_worse or {}).get(indicator_id, True), decimals=decimals,
            source_text=f"Bron: eigen upload ({filename})",
            years=tuple(sorted(int(y) for y in group["year"].unique())))
    return entries
