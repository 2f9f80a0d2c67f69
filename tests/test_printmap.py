"""Print maps: real PNG and PDF output from a tiny hand-made map."""

import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from PIL import Image
from shapely.geometry import Point, box

from analysis.printmap import (
    LOCATOR_SHARE, PRINT_DPI, LegendItem, PrintMap, export_pdf, export_png, legend_handle, legend_labels, render_figure,
)


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


@pytest.mark.slow
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


def test_pdf_embeds_truetype_fonts_not_type_3(spec):
    pdf = export_pdf(spec)
    assert b"/Type3" not in pdf and b"/Subtype /Type3" not in pdf
    assert b"/TrueType" in pdf or b"/CIDFontType2" in pdf  # Type 42: the TrueType font itself


def test_legend_swatches_show_hatch_and_dashed_outline():
    hatched = legend_handle(LegendItem("Onbekend", "#DDDDDD", 0.9, hatch_colour="#888888"))
    assert any(part.get_hatch() for part in hatched)
    assert to_hex(next(part for part in hatched if part.get_hatch()).get_edgecolor()) == "#888888"
    dashed = legend_handle(LegendItem("Vermoedelijk", "#CC6677", 0.4, dashed=True))
    assert not any(part.get_hatch() for part in dashed)
    assert dashed[-1].get_linestyle() not in ("-", "solid")
    plain = legend_handle(LegendItem("Verband", "#CC6677"))
    assert plain[-1].get_linestyle() in ("-", "solid")
    # The fill carries its opacity; outlines stay opaque.
    assert plain[0].get_facecolor()[3] == pytest.approx(0.85)
    star = legend_handle(LegendItem("Centrumstad", "black", marker="*"))
    assert star.get_marker() == "*"


@pytest.mark.slow
def test_labels_do_not_cover_each_other_and_optional_ones_give_way(spec):
    names = [f"Gemeente nummer {i}" for i in range(3)]
    required = gpd.GeoDataFrame({"label": names, "marker": "o", "required": True},
                                geometry=[Point(5_000, 5_000)] * 3, crs="EPSG:31370")
    optional = gpd.GeoDataFrame({"label": [f"Verband {i}" for i in range(40)], "marker": None, "required": False,
                                 "kind": "area"}, geometry=[Point(15_000, 5_000)] * 40, crs="EPSG:31370")
    spec.labels = gpd.GeoDataFrame(pd.concat([required, optional], ignore_index=True), crs="EPSG:31370")
    fig = render_figure(spec, dpi=100)
    drawn = [text for text in fig.axes[0].texts if text.get_text() in set(spec.labels["label"])]
    texts = [text.get_text() for text in drawn]
    assert set(names) <= set(texts)  # required labels are always drawn
    assert 0 < len(texts) - 3 < 40  # some optional ones fit, not all forty on one spot
    renderer = fig.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in drawn]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1:]:
            assert not first.overlaps(second)


@pytest.mark.slow
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_a_long_legend_fits_on_the_page(spec, orientation):
    spec.orientation = orientation
    spec.legend = [LegendItem(f"Samenwerkingsverband met een vrij lange naam nummer {i} – vermoedelijk",
                              "#CC6677", 0.4, dashed=True, count=i) for i in range(35)]
    fig = render_figure(spec, dpi=100)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    legend_box = fig.legends[0].get_window_extent(renderer)
    map_box = fig.axes[0].get_window_extent(renderer)
    assert page.x0 <= legend_box.x0 and legend_box.x1 <= page.x1 and page.y0 <= legend_box.y0
    assert legend_box.y1 <= page.y1
    assert not legend_box.overlaps(map_box)
    assert len(legend_labels(fig)) == 35
    footer = next(text for text in fig.texts if text.get_text().startswith("Bron: test"))
    assert not footer.get_window_extent(renderer).overlaps(legend_box)


def test_counts_use_belgian_notation():
    assert LegendItem("Gemeenten", "#DDDDDD", count=1234).text == "Gemeenten (1.234)"
    assert LegendItem("Grens", "#FFFFFF").text == "Grens"


def _flanders_like():
    """A locator layer shaped like Flanders: 250 km by 100 km of ten strips."""
    return gpd.GeoDataFrame(geometry=[box(i * 25_000, 0, (i + 1) * 25_000, 100_000) for i in range(10)],
                            crs="EPSG:31370")


@pytest.mark.parametrize(("width", "height"), [(40_000, 20_000), (20_000, 40_000)])
def test_locator_gets_a_strip_of_its_own_when_the_selection_fills_every_corner(width, height):
    from analysis.printmap import reserve_locator

    areas = gpd.GeoDataFrame(geometry=[box(0, 0, width, height)], crs="EPSG:31370")
    bounds, locator = reserve_locator(areas, (0, 0, width, height), _flanders_like())
    assert locator.intersection(areas.geometry.iloc[0]).area == 0
    assert locator.within(box(*bounds))
    grown = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) - width * height
    assert grown > 0
    # The strip runs along the shorter side: below a wide selection, left of a tall one.
    assert (bounds[1] < 0) == (width > height) and (bounds[0] < 0) == (height > width)
    # Flanders' proportions (2,5 : 1, plus a line for the title), LOCATOR_SHARE of the larger side wide.
    locator_w, locator_h = locator.bounds[2] - locator.bounds[0], locator.bounds[3] - locator.bounds[1]
    assert locator_w == pytest.approx(LOCATOR_SHARE * max(width, height))
    assert 2.0 < locator_w / locator_h < 2.5


def test_locator_takes_a_free_corner_without_widening_the_map():
    from analysis.printmap import reserve_locator

    # An L-shaped selection: the lower right corner is empty.
    areas = gpd.GeoDataFrame(geometry=[box(0, 0, 10_000, 40_000), box(0, 30_000, 40_000, 40_000)], crs="EPSG:31370")
    bounds, locator = reserve_locator(areas, (0, 0, 40_000, 40_000), _flanders_like())
    assert bounds == (0, 0, 40_000, 40_000)
    assert locator.intersection(areas.geometry.union_all()).area == 0
    assert locator.bounds[0] > 20_000 and locator.bounds[1] < 10_000  # lower right


def test_a_spec_with_a_locator_draws_it_inside_the_map_and_without_one_draws_none(spec):
    assert render_figure(spec, dpi=50).axes[0].child_axes == []
    spec.locator = _flanders_like()
    locator = render_figure(spec, dpi=50).axes[0].child_axes
    assert [ax.get_label() for ax in locator] == ["locator"]
    assert [c.get_gid() for c in locator[0].collections] == ["locator-flanders", "locator-selection"]
