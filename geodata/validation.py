"""Cross-checks between the two boundary versions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geodata.crosswalk import successors
from geodata.municipalities import load_merger_table, load_municipalities

# Both shapefiles were simplified by the publisher independently, so borders differ slightly between
# versions: 0.1% over Flanders, and up to 1% for a single municipality (coastal ones differ most).
TOTAL_AREA_TOLERANCE = 0.001
MUNICIPALITY_AREA_TOLERANCE = 0.01


@dataclass(frozen=True)
class AreaCheck:
    total_area_2019_km2: float
    total_area_2025_km2: float
    total_relative_difference: float
    max_relative_difference: float
    worst_nis_2025: str
    ok: bool


def area_by_successor(municipalities_2019: pd.DataFrame, merger_table: pd.DataFrame) -> pd.Series:
    """Sum of 2019 areas (km²) per 2025 code."""
    to_2025 = successors(merger_table)
    areas = municipalities_2019[municipalities_2019["nis"].isin(to_2025.keys())]
    return areas.groupby(areas["nis"].map(to_2025).rename("nis_2025"))["area_km2"].sum().rename("area")


def check_area_conservation() -> AreaCheck:
    """Compare the total area and each 2025 municipality's area with the sum of its 2019 parts."""
    old, new = load_municipalities("2019"), load_municipalities("2025")
    summed = area_by_successor(old, load_merger_table())
    relative = (new.set_index("nis")["area_km2"] / summed - 1).abs()
    total_old, total_new = float(old["area_km2"].sum()), float(new["area_km2"].sum())
    total_relative = abs(total_new / total_old - 1)
    worst = str(relative.idxmax())
    largest = float(relative.max())
    ok = bool(total_relative <= TOTAL_AREA_TOLERANCE and largest <= MUNICIPALITY_AREA_TOLERANCE)
    return AreaCheck(total_old, total_new, total_relative, largest, worst, ok)
