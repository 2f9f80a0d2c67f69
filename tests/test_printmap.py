"""Print maps: real PNG and PDF output from a tiny hand-made map."""

import io
import re

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import Point, box

from analysis.printmap import PRINT_DPI, LegendItem, PrintMap, export_pdf, export_png, legend_labels, render_figure


@pytest.fixture
def spec():
    areas = gpd.GeoDataFrame(
        {"fill": ["#CC6677", "#CC6677", "#DDDDDD"], "fill_opacity": [0.85, 0.85, 0.9],
         "hatch": [None, None, "#888888"], "outline": [None, None, None]},
        geometry=[box(0, 0, 10_000, 10_000), box(10_000, 0, 20_000, 10_000), box(0, 10_000, 10_000, 20_000)],
        crs="EPSG:31370",
    )
    labels = gpd.GeoDataFrame({"label": ["Stad"]}, geometry=[Point(5_000, 5_000)], crs="EPSG:31370")
    return PrintMap(areas=areas, title="Testkaart", subtitle="Filter: provincie Test · 2020-2025",
                    legend_title="Dekking", source="Bron: test",
                    legend=[LegendItem("Verband A", "#CC6677", count=2),
                            LegendItem("Onbekend", "#DDDDDD", hatch_colour="#888888", count=1)],
                    labels=labels)


def test_png_is_a4_at_300_dpi_and_not_blank(spec):
    png = export_png(spec)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    dpi = image.info["dpi"]
    assert round(dpi[0]) == PRINT_DPI and round(dpi[1]) == PRINT_DPI
    width_mm, height_mm = (pixels / PRINT_DPI * 25.4 for pixels in image.size)
    assert width_mm == pytest.approx(297, abs=1) and height_mm == pytest.approx(210, abs=1)
    pixels = np.asarray(image.convert("RGB"))
    # The partnership colour #CC6677 covers a real part of the page: the map is drawn, not blank.
    rose = (np.abs(pixels.astype(int) - [0xCC, 0x66, 0x77]).sum(axis=2) < 60).mean()
    assert rose > 0.01


def test_portrait_orientation(spec):
    spec.orientation = "portrait"
    image = Image.open(io.BytesIO(export_png(spec, dpi=100)))
    assert image.size[1] > image.size[0]


def test_legend_lists_the_categories_shown(spec):
    fig = render_figure(spec)
    assert legend_labels(fig) == ["Verband A (2)", "Onbekend (1)"]
    texts = [text.get_text() for text in fig.texts]
    assert any("Filter: provincie Test" in text for text in texts)
    assert any(text.startswith("Bron: test") for text in texts)


def test_pdf_has_one_a4_page_and_is_vector(spec):
    pdf = export_pdf(spec)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    media_box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    width_pt, height_pt = float(media_box.group(1)), float(media_box.group(2))
    assert width_pt == pytest.approx(841.89, abs=1) and height_pt == pytest.approx(595.28, abs=1)
    assert b"/Subtype /Image" not in pdf  # polygons are paths, not an embedded raster
