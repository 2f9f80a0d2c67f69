"""Both boundary versions on the real data, and geometry repair on hand-made shapes."""

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geodata.municipalities import (
    is_flemish, load_merger_table, load_municipalities, normalise_nis, province_nis_of, repair_geometries,
    repairs_for,
)
from geodata.regions import load_referentieregios
from geodata.validation import check_area_conservation
from geodata.weblayer import build_web_layer, web_layer

FLEMISH_POPULATION_2020 = 6_629_143
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("code, expected", [
    ("11002", "10000"), (23106, "20001"), ("24062", "20001"), ("33016", "30000"), ("44021", "40000"),
    ("71022", "70000"), ("21004", None), ("25005", None), ("52011", None), ("92094", None),
])
def test_province_is_decided_from_the_nis_code(code, expected):
    assert province_nis_of(code) == expected
    assert is_flemish(code) == (expected is not None)


def test_normalise_nis():
    assert normalise_nis(1001) == "01001"
    assert normalise_nis("11002.0") == "11002"
    assert normalise_nis(" 44021 ") == "44021"


def test_repair_turns_a_bow_tie_into_two_triangles():
    bow_tie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    frame = gpd.GeoDataFrame({"nis": ["99001", "99002"], "name": ["Vlinder", "Vierkant"]},
                             geometry=[bow_tie, box(5, 5, 6, 6)], crs="EPSG:31370")
    repaired, repairs = repair_geometries(frame, "test")
    assert [r.nis for r in repairs] == ["99001"]
    assert "Self-intersection" in repairs[0].defect
    assert repaired.geometry.is_valid.all()
    assert repaired.geometry.iloc[0].area == pytest.approx(2.0)  # two triangles of area 1
    assert repaired.geometry.iloc[1].equals(box(5, 5, 6, 6))


@pytest.mark.parametrize("version, count", [("2019", 300), ("2025", 285)])
def test_versions_have_the_expected_municipalities(version, count):
    frame = load_municipalities(version)
    assert len(frame) == count
    assert frame["nis"].is_unique
    assert frame["nis"].str.fullmatch(r"\d{5}").all()
    assert frame["nis"].map(is_flemish).all()
    assert not frame["nis"].str.startswith("21").any()  # Brussels excluded
    assert frame.crs.to_epsg() == 31370
    assert frame.geometry.is_valid.all()
    assert frame["population_2020"].sum() == FLEMISH_POPULATION_2020
    assert set(frame["province"]) == {"Antwerpen", "Vlaams-Brabant", "West-Vlaanderen", "Oost-Vlaanderen", "Limburg"}
    assert frame["name"].notna().all()


def test_2019_version_details():
    frame = load_municipalities("2019").set_index("nis")
    assert frame.loc["33016", "name"] == "Mesen"  # labelled Walloon in belgium.json, Flemish by code
    assert frame.loc["33016", "province"] == "West-Vlaanderen"
    assert frame.loc["11002", "population_2020"] == 529_247
    assert frame.loc["41002", "arrondissement"] == "Aalst"
    assert frame["arrondissement"].notna().all()
    assert frame["arrondissement"].nunique() == 22


def test_merger_table_maps_every_2019_code_once():
    table = load_merger_table()
    assert len(table) == 300 and table["nis_2019"].is_unique
    assert table["nis_2025"].nunique() == 285
    assert set(table["nis_2019"]) == set(load_municipalities("2019")["nis"])
    assert set(table["nis_2025"]) == set(load_municipalities("2025")["nis"])
    gone = set(table["nis_2019"]) - set(table["nis_2025"])
    created = set(table["nis_2025"]) - set(table["nis_2019"])  # e.g. Pajottegem 23106
    assert len(gone) - len(created) == 300 - 285
    assert "23106" in created and "11007" in gone
    assert table.set_index("nis_2019").loc["11007", "nis_2025"] == "11002"  # Borsbeek -> Antwerpen


def test_2025_version_lists_its_parts_and_sums_population():
    new = load_municipalities("2025").set_index("nis")
    old = load_municipalities("2019").set_index("nis")
    assert new.loc["23106", "name"] == "Pajottegem"
    assert new.loc["23106", "parts"] == ["23023", "23024", "23032"]  # Galmaarden, Gooik, Herne
    assert new.loc["11002", "parts"] == ["11002", "11007"]
    assert new.loc["11002", "population_2020"] == old.loc["11002", "population_2020"] + old.loc["11007", "population_2020"]
    assert sum(len(parts) for parts in new["parts"]) == 300
    assert (new["parts"].map(len) > 1).sum() == 13


def test_both_versions_cover_the_same_territory():
    check = check_area_conservation()
    assert check.total_relative_difference < 0.001
    assert check.max_relative_difference < 0.01
    assert check.ok
    assert 13_000 < check.total_area_2019_km2 < 14_000  # Flanders is about 13,625 km²


def test_population_source_repairs_are_reported():
    repairs = repairs_for("2019")
    by_nis = {repair.nis: repair for repair in repairs}
    assert "Waals" in by_nis["33016"].defect
    assert {"11044", "23002", "38014"} <= set(by_nis)  # the three invalid polygons of belgium.json


@pytest.mark.parametrize("version", ["2019", "2025"])
def test_referentieregios_cover_every_municipality_once(version):
    regions = load_referentieregios(version)
    municipalities = set(load_municipalities(version)["nis"])
    assert regions["region_id"].nunique() == 15
    assert regions["nis"].is_unique
    assert set(regions["nis"]) == municipalities
    assert regions["region_name"].notna().all()
    brugge = regions[regions["region_id"] == "REFREG06"]
    assert brugge["region_name"].iloc[0] == "Regio Brugge"
    assert len(brugge) == 10 and "31005" in set(brugge["nis"])


def test_web_layer_is_light_valid_wgs84_and_keeps_shared_borders():
    full = load_municipalities("2019")
    web = build_web_layer("2019")
    assert web.crs.to_epsg() == 4326
    assert list(web["nis"]) == list(full["nis"])
    assert web.geometry.is_valid.all()
    assert shapely.get_num_coordinates(web.geometry.values).sum() < 0.5 * shapely.get_num_coordinates(full.geometry.values).sum()
    minx, miny, maxx, maxy = web.total_bounds
    assert 2.5 < minx < maxx < 6.0 and 50.6 < miny < maxy < 51.6
    # Neighbours in the full layer are still neighbours along a line, not split by a gap.
    antwerpen, borsbeek = web.set_index("nis").loc[["11002", "11007"]].geometry
    assert antwerpen.intersection(borsbeek).length > 0


def test_web_layer_is_cached_on_disk(monkeypatch, tmp_path):
    from geodata import weblayer
    monkeypatch.setenv("REGIEKAART_CACHE", str(tmp_path))
    weblayer._cached_web_layer.cache_clear()
    first = web_layer("2025")
    files = list((tmp_path / "derived").glob("web_2025_*.parquet"))
    assert len(files) == 1
    weblayer._cached_web_layer.cache_clear()
    again = web_layer("2025")
    assert list(again["nis"]) == list(first["nis"])
    assert again.geometry.iloc[0].equals(first.geometry.iloc[0])
    weblayer._cached_web_layer.cache_clear()


@pytest.mark.slow
def test_info_cli_reports_both_versions():
    result = subprocess.run([sys.executable, "-m", "geodata", "info", "--json"], capture_output=True,
                            text=True, cwd=PROJECT_ROOT, check=True)
    report = json.loads(result.stdout)
    assert report["versions"]["2019"]["municipalities"] == 300
    assert report["versions"]["2025"]["municipalities"] == 285
    for version in ("2019", "2025"):
        assert report["versions"][version]["population_2020"] == FLEMISH_POPULATION_2020
        assert any(r["source"] == "belgium_topojson" for r in report["versions"][version]["repairs"])
    assert report["area_check"]["ok"] is True
    origins = {source["key"]: source["origin"] for source in report["sources"]}
    assert set(origins.values()) <= {"mirror", "cache", "download"}
    assert all(source["licence"] for source in report["sources"])
