"""not_covered_near on a hand-made row of squares, and on the real Genk question."""

import geopandas as gpd
import pytest
from shapely.geometry import box

from analysis.nearby import not_covered_near


def _row_of_five():
    # Five 1 km squares in a row; codes 1..5. 2 and 5 are unknown, 4 is a non-participant.
    frame = gpd.GeoDataFrame({"nis": ["1", "2", "3", "4", "5"], "name": list("ABCDE"),
                              "population_2020": [10, 20, 30, 40, 50]},
                             geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(5)], crs="EPSG:31370")
    status = frame[["nis"]].assign(status=["member_confirmed", "unknown", "member_confirmed", "non_participant",
                                           "unknown"])
    return frame, status


def test_finds_non_covered_within_the_radius_border_to_border():
    frame, status = _row_of_five()
    near = not_covered_near(frame, status, "1", radius_km=1.0)
    assert near["nis"].tolist() == ["2"]  # 2 touches (0 km); 4 is 2 km away
    near = not_covered_near(frame, status, "1", radius_km=2.0)
    assert near["nis"].tolist() == ["2", "4"]
    assert near["distance_km"].tolist() == [0.0, 2.0]
    assert near["population_2020"].sum() == 60


def test_unknown_code_is_refused():
    frame, status = _row_of_five()
    with pytest.raises(ValueError, match="Onbekende NIS-code"):
        not_covered_near(frame, status, "9", 1.0)
