"""Flemish municipality layers for two boundary versions.

- ``"2019"``: the 300 municipalities valid from 2019 to 2024;
- ``"2025"``: the 285 municipalities valid from 1 January 2025, each with the 2019 codes it was formed from.

Flanders membership is decided from the NIS code, never from a region label (one source labels
Mesen, 33016, as Walloon). Geometry is EPSG:31370 (Belgian Lambert 72, metres) for analysis; use
`geodata.weblayer` for the simplified WGS84 layer of the web maps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geodata.fetch import fetch_path
from geodata.vocabulary import MUNICIPALITY_COUNTS, VERSIONS

EXPECTED_COUNTS = MUNICIPALITY_COUNTS
ANALYSIS_CRS = "EPSG:31370"

# NIS codes start with the province: 1 Antwerpen, 23/24 Vlaams-Brabant, 3 West-Vlaanderen,
# 4 Oost-Vlaanderen, 7 Limburg. 21 is Brussels, 25 and 5/6/8/9 are Wallonia.
PROVINCES = {
    "10000": "Antwerpen",
    "20001": "Vlaams-Brabant",
    "30000": "West-Vlaanderen",
    "40000": "Oost-Vlaanderen",
    "70000": "Limburg",
}

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class Repair:
    """One defect found in a source and what was done about it."""

    source: str
    nis: str
    name: str
    defect: str
    action: str

    def as_dict(self) -> dict:
        return asdict(self)


def normalise_nis(code) -> str:
    """A NIS code as a 5-character string (``11002``), whatever type the source used."""
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(5)


def province_nis_of(nis: str) -> str | None:
    """The province NIS code of a Flemish municipality code, or None when it is not Flemish."""
    nis = normalise_nis(nis)
    if nis[:2] in ("23", "24"):
        return "20001"
    if nis[0] in ("1", "3", "4", "7"):
        return nis[0] + "0000"
    return None


def is_flemish(nis: str) -> bool:
    """True for the NIS code of a municipality in the Flemish Region."""
    return province_nis_of(nis) is not None


def repair_geometries(frame: gpd.GeoDataFrame, source: str) -> tuple[gpd.GeoDataFrame, list[Repair]]:
    """Make every geometry a valid (multi)polygon and report each change.

    Invalid rings (self-intersections, bow-ties) are repaired with GEOS ``make_valid``; only the
    polygonal part of the result is kept, because stray lines or points have no area to map.
    """
    frame = frame.copy()
    repairs: list[Repair] = []
    invalid = ~frame.geometry.is_valid
    for index in frame.index[invalid]:
        geometry = frame.at[index, "geometry"]
        reason = shapely.is_valid_reason(geometry)
        fixed = _polygonal_part(shapely.make_valid(geometry))
        frame.at[index, "geometry"] = fixed
        before, after = (_area_km2(shape, frame.crs) for shape in (geometry, fixed))
        repairs.append(Repair(
            source, frame.at[index, "nis"], frame.at[index, "name"],
            f"ongeldige geometrie: {reason}",
            f"hersteld met make_valid (oppervlakte {before:.3f} km² -> {after:.3f} km²)",
        ))
    empty = frame.geometry.is_empty | frame.geometry.isna()
    if empty.any():
        raise ValueError(f"{source}: lege geometrie voor NIS {', '.join(frame.loc[empty, 'nis'])}")
    return frame, repairs


def _area_km2(geometry, crs) -> float:
    series = gpd.GeoSeries([geometry], crs=crs)
    if series.crs is not None and series.crs.is_geographic:
        series = series.to_crs(ANALYSIS_CRS)
    return float(series.area.iloc[0]) / 1e6


def _polygonal_part(geometry):
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = [part for part in getattr(geometry, "geoms", [geometry])
                if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)


def _read_shapefile(prefix: str, code_field: str) -> gpd.GeoDataFrame:
    for ext in _SHAPEFILE_PARTS:  # the .shp reader needs its sidecar files next to it
        fetch_path(f"{prefix}{ext}")
    frame = gpd.read_file(fetch_path(f"{prefix}.shp"))
    frame["nis"] = frame[code_field].map(normalise_nis)
    frame = frame.rename(columns={"naam": "name"})[["nis", "name", "geometry"]]
    return frame.to_crs(ANALYSIS_CRS)


def _code_table(key: str) -> pd.DataFrame:
    table = pd.read_excel(fetch_path(key))
    return table.map(normalise_nis) if key != "refreg_2025" else table


def _name_table(key: str) -> dict[str, str]:
    table = pd.read_excel(fetch_path(key))
    return {normalise_nis(code): str(name) for code, name in zip(table["geoitem code"], table["name"])}


@lru_cache(maxsize=1)
def load_merger_table() -> pd.DataFrame:
    """The 1 January 2025 mergers: one row per 2019 Flemish NIS code with its 2025 code.

    Columns ``nis_2019``, ``nis_2025`` (300 rows). Rows of the source outside Flanders
    (Brussels, 'not localisable' codes) are dropped.
    """
    table = pd.read_excel(fetch_path("merger_table"))
    table = pd.DataFrame({
        "nis_2019": table["gemeente2024"].map(normalise_nis),
        "nis_2025": table["gemeente"].map(normalise_nis),
    })
    flemish = table["nis_2019"].map(is_flemish) & table["nis_2019"].str.match(r"^\d{5}$")
    return table[flemish].drop_duplicates().sort_values("nis_2019").reset_index(drop=True)


@lru_cache(maxsize=1)
def _population_2020() -> tuple[pd.DataFrame, tuple[Repair, ...]]:
    """Population on 1 January 2020 (Statbel, via belgium.json), with that source's repairs."""
    frame = gpd.read_file(fetch_path("belgium_topojson"), layer="municipalities")
    frame = frame.rename(columns={"name_nl": "name"})
    frame["nis"] = frame["nis"].map(normalise_nis)
    repairs: list[Repair] = []
    for row in frame.itertuples():
        labelled_flemish = row.reg_nis == "02000"
        if labelled_flemish != is_flemish(row.nis):
            repairs.append(Repair(
                "belgium_topojson", row.nis, row.name,
                f"gewest verkeerd gelabeld als {row.reg_nl!r}",
                "gewest bepaald uit de NIS-code: " + ("Vlaams Gewest" if is_flemish(row.nis) else "niet Vlaams"),
            ))
    frame = frame.set_crs("EPSG:4326", allow_override=True)
    _, geometry_repairs = repair_geometries(frame[frame["nis"].map(is_flemish)], "belgium_topojson")
    repairs.extend(geometry_repairs)
    flemish = frame[frame["nis"].map(is_flemish)]
    population = pd.DataFrame({"nis": flemish["nis"], "population_2020": flemish["population"].astype("int64")})
    return population.reset_index(drop=True), tuple(repairs)


@lru_cache(maxsize=1)
def french_names_2019() -> dict[str, str]:
    """French names of Flemish municipalities where they differ from the Dutch one (nis -> name), from belgium.json."""
    frame = gpd.read_file(fetch_path("belgium_topojson"), layer="municipalities", columns=["nis", "name_nl", "name_fr"],
                          read_geometry=False)
    frame["nis"] = frame["nis"].map(normalise_nis)
    frame = frame[frame["nis"].map(is_flemish) & (frame["name_fr"] != frame["name_nl"])]
    return dict(zip(frame["nis"], frame["name_fr"]))


@lru_cache(maxsize=2)
def _load(version: str) -> tuple[gpd.GeoDataFrame, tuple[Repair, ...]]:
    if version not in VERSIONS:
        raise ValueError(f"Onbekende grensversie {version!r}; kies uit {', '.join(VERSIONS)}")
    population, population_repairs = _population_2020()
    province_names = {code: PROVINCES[code] for code in PROVINCES}
    if version == "2019":
        frame = _read_shapefile("gemeente2024", "gemeente")
        frame = frame[frame["nis"].map(is_flemish)]
        frame, repairs = repair_geometries(frame, "gemeente2024")
        arrondissements = {code: name.replace(" (Arr.)", "") for code, name in _name_table("arrondissement_names").items()}
        links = _code_table("arrondissement_2019").set_index("gemeente2024")["arrondiss2024"]
        frame["arrondissement_nis"] = frame["nis"].map(links)
        frame["arrondissement"] = frame["arrondissement_nis"].map(arrondissements)
        frame = frame.merge(population, on="nis", how="left", validate="one_to_one")
    else:
        frame = _read_shapefile("gemeente2025", "geoitem")
        frame = frame[frame["nis"].map(is_flemish)]
        frame, repairs = repair_geometries(frame, "gemeente2025")
        mergers = load_merger_table()
        parts = mergers.groupby("nis_2025")["nis_2019"].agg(lambda codes: sorted(codes))
        frame["parts"] = frame["nis"].map(parts)
        summed = (mergers.merge(population, left_on="nis_2019", right_on="nis")
                  .groupby("nis_2025")["population_2020"].sum())
        frame["population_2020"] = frame["nis"].map(summed)
    frame["province_nis"] = frame["nis"].map(province_nis_of)
    frame["province"] = frame["province_nis"].map(province_names)
    frame["population_2020"] = frame["population_2020"].astype("int64")
    frame["area_km2"] = frame.geometry.area / 1e6
    frame = frame.sort_values("nis").reset_index(drop=True)
    columns = ["nis", "name", "province", "province_nis"]
    if version == "2019":
        columns += ["arrondissement", "arrondissement_nis"]
    else:
        columns += ["parts"]
    frame = gpd.GeoDataFrame(frame[columns + ["population_2020", "area_km2", "geometry"]],
                             geometry="geometry", crs=ANALYSIS_CRS)
    _check_version(frame, version)
    return frame, tuple(repairs) + population_repairs


def _check_version(frame: gpd.GeoDataFrame, version: str) -> None:
    expected = EXPECTED_COUNTS[version]
    if len(frame) != expected or frame["nis"].duplicated().any():
        raise ValueError(f"Grensversie {version}: {len(frame)} gemeenten gevonden, {expected} verwacht")
    if frame["population_2020"].isna().any():
        raise ValueError(f"Grensversie {version}: bevolking 2020 ontbreekt voor "
                         f"{', '.join(frame.loc[frame['population_2020'].isna(), 'nis'])}")


def load_municipalities(version: str = "2019") -> gpd.GeoDataFrame:
    """The Flemish municipalities of a boundary version ("2019" or "2025"), in EPSG:31370.

    Columns: nis, name, province, province_nis, population_2020, area_km2 (km²), geometry,
    plus arrondissement/arrondissement_nis (2019) or parts (2025: the 2019 codes it was formed from).
    """
    return _load(version)[0].copy()


def repairs_for(version: str) -> list[Repair]:
    """The defects found and repaired while building a boundary version."""
    return list(_load(version)[1])
