"""Tiny hand-made geometry fixtures for the analysis tests (EPSG:31370, metres).

Cells of ``square_grid`` are named by row and column: ``cell(1, 2) == "90102"`` (a 5-character NIS-like
code: "9", two digits for the row, two for the column). Row 0 is the northern row, column 0 the western one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, box

CRS = "EPSG:31370"
ORIGIN = (100_000.0, 200_000.0)  # north-west corner of the grid, inside Flanders in Lambert 72


def cell(row: int, col: int) -> str:
    """NIS-like 5-character code of a grid cell (rows and columns 0-99)."""
    if not (0 <= row < 100 and 0 <= col < 100):
        raise ValueError("cell() codes cover rows and columns 0-99; use wide_cell for larger grids")
    return f"9{row:02d}{col:02d}"


def wide_cell(row: int, col: int) -> str:
    """Code of a cell in grids larger than 100 x 100 (8 characters: 4 for the row, 4 for the column)."""
    return f"{row:04d}{col:04d}"


def square_grid(
    rows: int,
    cols: int,
    size: float = 1000.0,
    population: int | Mapping[str, int] | Callable[[int, int], int] = 10_000,
    province: str = "Antwerpen",
    origin: tuple[float, float] = ORIGIN,
    code: Callable[[int, int], str] | None = None,
) -> gpd.GeoDataFrame:
    """A rows x cols grid of square municipalities of ``size`` metres, with the contract's columns.

    Columns: nis, name ("Gemeente r<row>c<col>"), province, population_2020, area_km2, geometry.
    ``population`` is one number for every cell, a mapping nis -> inhabitants (default 10,000 for the
    others) or a function (row, col) -> inhabitants. ``code`` names the cells (default :func:`cell`, or
    :func:`wide_cell` when the grid has more than 100 rows or columns).
    """
    if code is None:
        code = cell if rows <= 100 and cols <= 100 else wide_cell
    x0, y0 = origin
    records = []
    for r in range(rows):
        for c in range(cols):
            nis = code(r, c)
            if callable(population):
                inhabitants = population(r, c)
            elif isinstance(population, Mapping):
                inhabitants = population.get(nis, 10_000)
            else:
                inhabitants = population
            geometry = box(x0 + c * size, y0 - (r + 1) * size, x0 + (c + 1) * size, y0 - r * size)
            records.append(
                {
                    "nis": nis,
                    "name": f"Gemeente r{r}c{c}",
                    "province": province,
                    "population_2020": int(inhabitants),
                    "area_km2": size * size / 1e6,
                    "geometry": geometry,
                }
            )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=CRS)


def municipalities_from_shapes(shapes: Mapping[str, object], population: int = 10_000) -> gpd.GeoDataFrame:
    """A municipalities frame from explicit geometries: {nis: shapely geometry}."""
    records = [
        {"nis": nis, "name": f"Gemeente {nis}", "province": "Antwerpen", "population_2020": population,
         "area_km2": geom.area / 1e6, "geometry": geom}
        for nis, geom in shapes.items()
    ]
    return gpd.GeoDataFrame(records, geometry="geometry", crs=CRS)


def two_part_square(size: float = 1000.0, origin: tuple[float, float] = ORIGIN) -> MultiPolygon:
    """A multipart municipality (like Baarle-Hertog): two separate squares."""
    x0, y0 = origin
    return MultiPolygon([box(x0, y0 - size, x0 + size, y0), box(x0 + 3 * size, y0 - size, x0 + 4 * size, y0)])


def memberships_frame(
    members: Mapping[str, Iterable[str]], confidence: str | Mapping[tuple[str, str], str] = "confirmed"
) -> pd.DataFrame:
    """Membership rows from {partnership_id: [nis, ...]}.

    ``confidence`` is one value for all rows or a mapping (partnership_id, nis) -> confidence (default
    "confirmed").
    """
    records = []
    for pid, codes in members.items():
        for nis in codes:
            conf = confidence.get((pid, nis), "confirmed") if isinstance(confidence, Mapping) else confidence
            records.append(
                {"partnership_id": pid, "nis": nis, "municipality": f"Gemeente {nis}", "role": "lid",
                 "source": f"https://example.org/{pid}", "evidence": f"{pid} noemt {nis}", "confidence": conf}
            )
    return pd.DataFrame.from_records(
        records, columns=["partnership_id", "nis", "municipality", "role", "source", "evidence", "confidence"]
    )


def partnerships_frame(
    ids: Iterable[str],
    centre_city: Mapping[str, str] | None = None,
    standalone: Iterable[str] = (),
    period: str = "2020-2025",
) -> pd.DataFrame:
    """Partnership rows; ``centre_city`` maps partnership_id -> centre city nis, ``standalone`` lists the
    partnerships that are a centre city on its own (their centre city defaults to their only member)."""
    centre_city = dict(centre_city or {})
    standalone = set(standalone)
    records = []
    for pid in ids:
        centre = centre_city.get(pid)
        records.append(
            {"partnership_id": pid, "name": f"Verband {pid}", "legal_form": pd.NA,
             "centre_city_nis": centre if centre is not None else pd.NA,
             "centre_city": f"Gemeente {centre}" if centre is not None else pd.NA,
             "standalone": pid in standalone, "period": period, "confidence": "confirmed", "notes": ""}
        )
    return pd.DataFrame.from_records(records)


def non_participants_frame(codes: Iterable[str]) -> pd.DataFrame:
    """Non-participant rows for the given codes."""
    return pd.DataFrame(
        [{"nis": c, "municipality": f"Gemeente {c}", "source": "https://example.org/np", "evidence": "neemt niet deel"}
         for c in codes],
        columns=["nis", "municipality", "source", "evidence"],
    )
