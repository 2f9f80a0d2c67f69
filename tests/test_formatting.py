import math

import numpy as np
import pandas as pd
import pytest

from analysis.formatting import (
    MISSING_TEXT,
    AmountError,
    format_amount,
    format_eur,
    format_number,
    format_percent,
    format_population,
    format_signed_number,
    is_missing,
    parse_amount,
)


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234.5, 1, "1.234,5"),
        (1234.5, 0, "1.235"),  # half away from zero, not banker's rounding
        (2.675, 2, "2,68"),  # decimal reading of the value, not its binary approximation
        (-2.5, 0, "-3"),
        (1234567, 0, "1.234.567"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (0, 2, "0,00"),
        (-1234.56, 2, "-1.234,56"),
        (-0.004, 2, "0,00"),  # no "-0,00"
        (np.int64(61786), 0, "61.786"),
        (0.5, 3, "0,500"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals=decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_stay_visible(missing):
    assert is_missing(missing)
    assert format_number(missing) == MISSING_TEXT == "onbekend"
    assert format_eur(missing) == "onbekend"
    assert format_percent(missing) == "onbekend"
    assert format_signed_number(missing) == "onbekend"


def test_not_missing():
    assert not is_missing(0)
    assert not is_missing("")
    assert not is_missing((1, 2))


def test_format_eur():
    assert format_eur(25000) == "€ 25.000"
    assert format_eur(2_225_000) == "€ 2.225.000"
    assert format_eur(1234.5, decimals=2) == "€ 1.234,50"
    assert format_eur(-50000) == "-€ 50.000"


def test_format_percent():
    assert format_percent(0.891) == "89,1%"
    assert format_percent(1) == "100,0%"
    assert format_percent(0.79333, decimals=0) == "79%"
    assert format_percent(0.0) == "0,0%"
    assert format_percent(0.8915) == "89,2%"  # 0.8915 * 100 is 89.14999... in binary


def test_signed_and_population():
    assert format_signed_number(3) == "+3"
    assert format_signed_number(-1200) == "-1.200"
    assert format_signed_number(0) == "0"
    assert format_population(301550) == "301.550"


def test_decimal_input():
    from decimal import Decimal

    assert format_eur(Decimal("1234.50"), decimals=2) == "€ 1.234,50"


def test_infinity_and_bad_types():
    assert format_number(math.inf) == "oneindig"
    with pytest.raises(TypeError):
        format_number("12")
    with pytest.raises(TypeError):
        format_number(True)
    with pytest.raises(ValueError):
        format_number(1, decimals=-1)


# --- amounts typed by a user -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("3.000.000", 3_000_000), ("2.225.000,50", 2_225_000.5), ("3000000", 3_000_000), ("1000000,50", 1_000_000.5),
    ("1.000.000", 1_000_000), (" € 600.000 ", 600_000), ("3 000 000", 3_000_000), ("0", 0), ("1,5", 1.5),
    ("1.000", 1000),
])
def test_parse_amount_reads_belgian_notation(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("1,000,000", "een komma staat voor de cent"), ("2,225,000.50", "een komma staat voor de cent"),
    ("1.00.000", "geen bedrag in Belgische notatie"), ("abc", "geen bedrag in Belgische notatie"),
    ("1.5", "geen bedrag in Belgische notatie"), ("1000000.50", "geen bedrag in Belgische notatie"),
    ("1e6", "geen bedrag in Belgische notatie"), ("5%", "geen bedrag in Belgische notatie"),
    ("x", "geen bedrag in Belgische notatie"), ("-5", "niet negatief"), ("-1.000", "niet negatief"),
    ("1,000", "meer dan twee cijfers na de komma"), ("", "Typ een bedrag"),
])
def test_parse_amount_refuses_everything_else_in_dutch(text, fragment):
    with pytest.raises(AmountError, match=fragment) as raised:
        parse_amount(text)
    assert "3.000.000" in str(raised.value) or "negatief" in str(raised.value)  # says how to write it


def test_parse_amount_has_a_maximum():
    assert parse_amount("50.000.000", maximum=50_000_000) == 50_000_000
    with pytest.raises(AmountError, match="€ 50.000.000"):
        parse_amount("50.000.001", maximum=50_000_000)


def test_format_amount_writes_what_parse_amount_reads():
    assert format_amount(2_225_000) == "2.225.000"
    assert format_amount(2_225_000.5) == "2.225.000,50"
    assert format_amount(0) == "0"
    for value in (3_000_000, 1_000_000.5, 0.01, 999):
        assert parse_amount(format_amount(value)) == value
