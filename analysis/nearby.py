"""Municipalities near a chosen one: 'which municipalities near Genk are not in any partnership?'."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from analysis.coverage import NOT_COVERED_STATES


def not_covered_near(municipalities: gpd.GeoDataFrame, status: pd.DataFrame, nis: str,
                     radius_km: float) -> pd.DataFrame:
    """Non-covered municipalities whose border lies within `radius_km` (km) of municipality `nis`.

    Distance is border to border in the projected CRS of `municipalities` (metres, EPSG:31370), so a
    neighbour is at 0 km. Returns nis, name, status, population_2020 and distance_km, nearest first;
    the chosen municipality itself is included when it is not covered.
    """
    if nis not in set(municipalities["nis"]):
        raise ValueError(f"Onbekende NIS-code {nis!r}")
    target = municipalities.loc[municipalities["nis"] == nis, "geometry"].iloc[0]
    states = status.set_index("nis")["status"]
    candidates = municipalities[municipalities["nis"].map(states).isin(NOT_COVERED_STATES)]
    distance_km = candidates.geometry.distance(target) / 1000.0
    near = candidates.assign(distance_km=distance_km)[distance_km <= radius_km]
    result = pd.DataFrame({
        "nis": near["nis"].to_numpy(),
        "name": near["name"].to_numpy(),
        "status": near["nis"].map(states).to_numpy(),
        "population_2020": near["population_2020"].to_numpy(),
        "distance_km": near["distance_km"].round(2).to_numpy(),
    })
    return result.sort_values(["distance_km", "name"]).reset_index(drop=True)
