"""Belgian (Dutch-language) formatting of numbers, amounts and shares for display.

Belgian convention: "." groups thousands, "," separates decimals ("1.234,5"). A missing value
(None, NaN, pandas.NA, NaT) is shown as the word "onbekend", so an unknown value stays visible
instead of silently turning into 0 or an empty cell.
"""

from __future__ import annotations

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

MISSING_TEXT = "onbekend"

# Unicode minus would be typographically nicer, but a plain hyphen survives copy-paste into Excel as a number.
_MINUS = "-"


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas.NA and NaT (the values shown as "onbekend")."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, tuple, set, dict)) or hasattr(value, "__len__"):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("a bool is not a number to format")
    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, numbers.Real):
        raise TypeError(f"cannot format {type(value).__name__} as a number: {value!r}")
    return float(value)


def format_number(value: Any, decimals: int = 0, missing: str = MISSING_TEXT) -> str:
    """Format a number the Belgian way: ``format_number(1234.5, decimals=1) == "1.234,5"``.

    ``decimals`` is the number of digits after the decimal comma; rounding is half away from zero on the
    shortest decimal form of the value (``1234.5 -> "1.235"``, ``0.125 -> "0,13"``). Missing values give
    ``missing`` ("onbekend"). Infinite values are written as "oneindig".
    """
    if is_missing(value):
        return missing
    number = _as_float(value)
    if math.isinf(number):
        return ("-" if number < 0 else "") + "oneindig"
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    # Decimal of the shortest repr, so that 0.125 rounds up as a reader expects (binary 0.125 is exact, but
    # e.g. 2.675 is stored as 2.67499... and would round down).
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(abs(number))).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"  # "1,234.5" in the C locale
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    # Do not show "-0" for a value that rounds to zero.
    negative = number < 0 and any(ch not in "0.," for ch in text)
    return (_MINUS if negative else "") + text


def format_signed_number(value: Any, decimals: int = 0, missing: str = MISSING_TEXT) -> str:
    """Like :func:`format_number` but always with a sign for non-zero values ("+3", "-1.200"); for differences."""
    text = format_number(value, decimals=decimals, missing=missing)
    if text == missing or text.startswith(_MINUS):
        return text
    if any(ch not in "0.," for ch in text):
        return "+" + text
    return text


def format_eur(value: Any, decimals: int = 0, missing: str = MISSING_TEXT) -> str:
    """Format an amount in euro: ``format_eur(25000) == "€ 25.000"``; missing gives "onbekend"."""
    if is_missing(value):
        return missing
    text = format_number(value, decimals=decimals, missing=missing)
    if text.startswith(_MINUS):
        return _MINUS + "€ " + text[len(_MINUS):]
    return "€ " + text


def format_percent(share: Any, decimals: int = 1, missing: str = MISSING_TEXT) -> str:
    """Format a share given as a fraction (0.891) as a percentage: ``"89,1%"``; missing gives "onbekend"."""
    if is_missing(share):
        return missing
    # Scale in decimal so that 0.8915 becomes 89.15 (not 89.14999...) before rounding.
    number = _as_float(share)
    percent = float(Decimal(repr(number)) * 100) if math.isfinite(number) else number * 100.0
    return format_number(percent, decimals=decimals, missing=missing) + "%"


def format_population(value: Any, missing: str = MISSING_TEXT) -> str:
    """Format a number of inhabitants as a whole number: ``"61.786"``."""
    return format_number(value, decimals=0, missing=missing)
