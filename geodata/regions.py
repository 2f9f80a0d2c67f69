"""The 15 official referentieregio's (Flemish government decision of 2022) as a membership table."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from geodata.fetch import fetch_path
from geodata.municipalities import VERSIONS, is_flemish, normalise_nis

# REFREG91 ('not localisable') and REFREG99 ('outside Flanders and Brussels') are statistical
# placeholders in the source, not regions.
NOT_REAL_REGIONS = {"REFREG91", "REFREG99"}
REGION_SOURCE = {"2019": "refreg_2019", "2025": "refreg_2025"}


@lru_cache(maxsize=2)
def _regions(version: str) -> pd.DataFrame:
    if version not in VERSIONS:
        raise ValueError(f"Onbekende grensversie {version!r}; kies uit {', '.join(VERSIONS)}")
    names_table = pd.read_excel(fetch_path("refreg_names"))
    names = dict(zip(names_table["geoitem code"], names_table["name"]))
    table = pd.read_excel(fetch_path(REGION_SOURCE[version]))
    table = pd.DataFrame({"region_id": table["REFREG"].astype(str),
                          "nis": table["gemeente"].map(normalise_nis)})
    table = table[~table["region_id"].isin(NOT_REAL_REGIONS) & table["nis"].map(is_flemish)]
    table["region_name"] = table["region_id"].map(names)
    return table[["region_id", "region_name", "nis"]].sort_values(["region_id", "nis"]).reset_index(drop=True)


def load_referentieregios(version: str = "2019") -> pd.DataFrame:
    """Membership of the referentieregio's for a boundary version: columns region_id, region_name, nis."""
    return _regions(version).copy()
