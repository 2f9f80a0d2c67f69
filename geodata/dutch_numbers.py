"""Numbers written the Dutch (Belgian) way, as they come in portal exports and analysts' tables.

:func:`parse_cell` reads one table cell: ``1.234,5``, ``1234,5``, ``12,3 %``, ``1 234``, ``-3,2``; a workbook's native
numbers are taken as they are. ``-``, ``n.b.``, ``nvt``, ``?``, ``..`` and empty cells are *missing*; ``x``,
``geheim`` and ``<5`` are *suppressed* (small numbers). A dot followed by exactly three digits is a thousands
separator ("1.234" is 1234); any other single dot is read as a decimal point, with a note saying so.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from geodata.indicator_model import FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED

INVALID = "invalid"

_MISSING_TOKENS = {"", "-", "–", "—", "n.b.", "n.b", "nb", "nvt", "n.v.t.", "n.v.t", "?", ".", "..", "...", "na",
                   "n/a", "#n/b", "#n/a", "onbekend"}
_SUPPRESSED_TOKENS = {"x", "(x)", "geheim", "vertrouwelijk"}
_SUPPRESSED_PATTERN = re.compile(r"^<\s*\d+$")  # "<5": a count below 5, not published
_MINUS_SIGNS = "-−–"
_SPACES = " \u00a0\u202f\u2009'"


@dataclass(frozen=True)
class ParsedCell:
    """A value cell read the Dutch way: value (None unless flag is 'ok'), flag, whether it had a % sign, and a
    note when the reading involved a guess (a dot read as a decimal point)."""

    value: float | None
    flag: str  # ok | missing | suppressed | invalid
    percent: bool = False
    native: bool = False  # a workbook number (not text)
    note: str = ""


def parse_cell(cell) -> ParsedCell:
    """Read one value cell (see the module docstring for the accepted notations)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ParsedCell(None, FLAG_MISSING)
    if isinstance(cell, bool):
        return ParsedCell(None, INVALID)
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and math.isinf(cell):
            return ParsedCell(None, INVALID)
        return ParsedCell(float(cell), FLAG_OK, native=True)
    if not isinstance(cell, str):
        return ParsedCell(None, INVALID)
    text = unicodedata.normalize("NFKC", cell).strip()
    lowered = text.lower()
    if lowered in _MISSING_TOKENS:
        return ParsedCell(None, FLAG_MISSING)
    if lowered in _SUPPRESSED_TOKENS or _SUPPRESSED_PATTERN.match(lowered):
        return ParsedCell(None, FLAG_SUPPRESSED)
    return _parse_number_text(text)


def _parse_number_text(text: str) -> ParsedCell:
    percent = False
    body = text
    for sign in ("%", "‰"):
        if body.endswith(sign):
            percent, body = sign == "%", body[:-1]
    body = body.replace("€", "").strip()
    for space in _SPACES:
        body = body.replace(space, "")
    negative = False
    if body and body[0] in _MINUS_SIGNS + "+":
        negative, body = body[0] in _MINUS_SIGNS, body[1:]
    if not body:
        return ParsedCell(None, INVALID)
    scientific = re.fullmatch(r"(\d+(?:[.,]\d+)?)[eE]([+-]?\d+)", body)
    if scientific:
        number = float(scientific.group(1).replace(",", ".") + "e" + scientific.group(2))
        return ParsedCell(-number if negative else number, FLAG_OK, percent)
    if not re.fullmatch(r"[\d.,]+", body) or not body[0].isdigit() or not body[-1].isdigit():
        return ParsedCell(None, INVALID)
    note = ""
    if "." in body and "," in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, fraction = body.rpartition(decimal)
        if decimal in whole or not _valid_grouping(whole, thousands):
            return ParsedCell(None, INVALID)
        if decimal == ".":
            note = "punt als decimaalteken en komma als scheiding van duizendtallen gelezen"
        number = float(whole.replace(thousands, "") + "." + fraction)
    elif "," in body:
        if body.count(",") == 1:
            number = float(body.replace(",", "."))
        elif _valid_grouping(body, ","):
            number = float(body.replace(",", ""))
            note = "komma's als scheiding van duizendtallen gelezen"
        else:
            return ParsedCell(None, INVALID)
    elif "." in body:
        if _valid_grouping(body, ".") and not body.startswith("0"):
            number = float(body.replace(".", ""))
        elif body.count(".") == 1:
            number = float(body)
            note = "punt als decimaalteken gelezen (in het Nederlands is dat een komma)"
        else:
            return ParsedCell(None, INVALID)
    else:
        number = float(body)
    return ParsedCell(-number if negative else number, FLAG_OK, percent, note=note)


def _valid_grouping(text: str, separator: str) -> bool:
    groups = text.split(separator)
    return (len(groups) > 1 and 1 <= len(groups[0]) <= 3 and groups[0].isdigit()
            and all(len(group) == 3 and group.isdigit() for group in groups[1:]))
