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

from geodata.dutch_numbers import parse_cell
from geodata.indicator_model import FLAG_OK

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


# --- amounts typed by a user --------------------------------------------------------------------------------

class AmountError(ValueError):
    """An amount that is not written the Belgian way (or is out of range); the message is Dutch, for the user."""


AMOUNT_EXAMPLE = "bv. 3.000.000 of 2.225.000,50 (punt tussen de duizendtallen, komma voor de cent)"


def parse_amount(text: str, maximum: float | None = None) -> float:
    """Read an amount in euro typed the Belgian way: "3.000.000", "2.225.000,50", "3000000", "1000000,50",
    optionally with "€" or spaces between the thousands.

    The number itself is read by the project's Dutch number reader (:func:`geodata.dutch_numbers.parse_cell`);
    here only what that reader has to guess is refused: "1,000,000" (commas between thousands), "1.5" (a dot as
    decimal point), "1.00.000" (wrong grouping), scientific notation, a percentage, more than two decimals
    ("1,000" could be one euro or a thousand), text, a negative amount, or more than `maximum`. Raises
    :class:`AmountError` with a Dutch message.
    """
    typed = str(text).strip()
    if not typed:
        raise AmountError(f"Typ een bedrag in euro, {AMOUNT_EXAMPLE}.")
    parsed = parse_cell(typed)
    comma_thousands = (parsed.flag == FLAG_OK and typed.count(",") > 1) or (
        "," in typed and "." in typed and typed.rfind(".") > typed.rfind(","))
    if comma_thousands:
        raise AmountError(f"'{typed}' is geen bedrag in Belgische notatie: een komma staat voor de cent, niet "
                          f"tussen de duizendtallen. Typ {AMOUNT_EXAMPLE}.")
    if parsed.flag != FLAG_OK or parsed.note or parsed.percent or any(ch in typed for ch in "eE"):
        raise AmountError(f"'{typed}' is geen bedrag in Belgische notatie. Typ {AMOUNT_EXAMPLE}.")
    if "," in typed and len(typed.rsplit(",", 1)[1].strip()) > 2:
        raise AmountError(f"'{typed}' heeft meer dan twee cijfers na de komma. Typ {AMOUNT_EXAMPLE}.")
    amount = float(parsed.value)
    if amount < 0:
        raise AmountError(f"Een budget kan niet negatief zijn ('{typed}').")
    if maximum is not None and amount > maximum:
        raise AmountError(f"'{typed}' is meer dan het hoogste toegelaten bedrag ({format_eur(maximum)}).")
    return amount


def format_amount(value: Any, missing: str = MISSING_TEXT) -> str:
    """An amount as it is typed back into an input field: "2.225.000" or, with cents, "2.225.000,50" (no € sign)."""
    if is_missing(value):
        return missing
    number = _as_float(value)
    return format_number(number, decimals=0 if float(number).is_integer() else 2, missing=missing)
