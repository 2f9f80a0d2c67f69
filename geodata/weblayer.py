"""Simplified WGS84 municipality layers for web maps, cached on disk.

The analysis layer has about 63,000 vertices; sent as-is to the browser it makes maps slow. The web
layer simplifies the *coverage* (shared borders are simplified once, so neighbours stay gap-free),
reprojects to EPSG:4326 and rounds coordinates to 4 decimals (about 11 m north-south, 7 m east-west: far below
the 150 m of the simplification, and every shared vertex still rounds to the same point).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geodata.fetch import cache_root
from geodata.municipalities import load_municipalities
from geodata.sources import SOURCES

WEB_CRS = "EPSG:4326"
DEFAULT_TOLERANCE_M = 150.0
COORDINATE_DECIMALS = 4
WEB_COLUMNS = ("nis", "name", "province", "population_2020", "area_km2")


def simplify_coverage(geometries, tolerance_m: float):
    """Simplify polygons that share borders so the shared borders stay identical (tolerance in metres)."""
    return shapely.coverage_simplify(np.asarray(geometries), tolerance_m)


def round_coordinates(geometries, decimals: int = COORDINATE_DECIMALS):
    """Round every coordinate; identical input vertices stay identical, so shared borders still match."""
    return shapely.transform(np.asarray(geometries), lambda xy: np.round(xy, decimals))


def _cache_file(version: str, tolerance_m: float) -> Path:
    # The name changes when any boundary source or a parameter changes, so a stale layer is never read.
    fingerprint = hashlib.sha256(
        "|".join([version, str(tolerance_m), str(COORDINATE_DECIMALS), *WEB_COLUMNS,
                  *(SOURCES[key].sha256 for key in sorted(SOURCES))]).encode()
    ).hexdigest()[:16]
    return cache_root() / "derived" / f"web_{version}_{fingerprint}.parquet"


def build_web_layer(version: str, tolerance_m: float = DEFAULT_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Build the simplified WGS84 layer without touching the cache."""
    frame = load_municipalities(version)
    simplified = simplify_coverage(frame.geometry.values, tolerance_m)
    web = gpd.GeoDataFrame(frame[list(WEB_COLUMNS)].copy(),
                           geometry=gpd.GeoSeries(simplified, crs=frame.crs)).to_crs(WEB_CRS)
    web["geometry"] = round_coordinates(web.geometry.values)
    return web


@lru_cache(maxsize=4)
def _cached_web_layer(version: str, tolerance_m: float) -> gpd.GeoDataFrame:
    target = _cache_file(version, tolerance_m)
    if target.is_file():
        try:
            return gpd.read_parquet(target)
        except Exception:
            target.unlink(missing_ok=True)  # a damaged cache file is rebuilt, never trusted
    web = build_web_layer(version, tolerance_m)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    web.to_parquet(partial)
    os.replace(partial, target)  # atomic: a reader never sees half a file
    return web


def web_layer(version: str = "2019", tolerance_m: float = DEFAULT_TOLERANCE_M) -> gpd.GeoDataFrame:
    """The simplified WGS84 layer of a boundary version (cached in memory and on disk)."""
    return _cached_web_layer(version, float(tolerance_m)).copy()
