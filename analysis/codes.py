"""NIS codes of municipalities as 5-character strings.

Sources give NIS codes as text ("11002") or as numbers (11002, or 11002.0 from a spreadsheet). Every analysis
compares codes as text, so inputs pass through these helpers first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def nis_code(value: Any) -> str | None:
    """One NIS code as a 5-character string (accepts ints such as 11002); None when missing."""
    if isinstance(value, str):
        return value
    return None if value is None or pd.isna(value) else f"{int(value):05d}"


def nis_list(values: Any) -> list[str | None]:
    """NIS codes as a plain list of 5-character strings (see :func:`nis_code`)."""
    items = values.tolist() if isinstance(values, (pd.Series, pd.Index, np.ndarray)) else list(values)
    return [nis_code(v) for v in items]


def nis_series(values: Any) -> pd.Series:
    """NIS codes as 5-character strings (accepts ints such as 11002); a Series with a fresh RangeIndex."""
    return pd.Series(nis_list(values), dtype=object)
