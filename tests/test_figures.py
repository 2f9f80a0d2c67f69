"""Print versions of the coverage and gaps maps, built from a 4 x 4 grid of toy municipalities.

Grid (row, column), partnership A confirmed with centre city r0c0, B suggestive, C a centre city alone:

    A  A  B  B
    A  A  AB .
    N  .  .  .
    .  .  .  C

AB = in A and in B (overlap), N = non-participant, . = unknown.
"""

import io
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.figures import (
    CONFLICT_LABEL, COVERED_NEUTRAL, HIGHLIGHT_ON_WARM, INDICATOR_NO_VALUE_STYLE, SourceNote, coverage_print_map,
    gaps_print_map, indicator_palette, indicator_print_map, map_sources, source_line, styled_print_map, subtitle_for,
)
from analysis.mapstyle import MERGER_CONFLICT, WARNING
from analysis.printmap import LegendItem, export_pdf, export_png, legend_labels, map_labels, render_figure
from analysis.scenario import build_coverage_view
from geodata.membership import Scheme
from tests.grids import cell, memberships_frame, non_participants_frame, partnerships_frame, square_grid

A_MEMBERS = [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1), cell(1, 2)]
B_MEMBERS = [cell(0, 2), cell(0, 3), cell(1, 2)]
MADE_ON = date(2025, 3, 14)


def grid_view(reconstructed=True, scheme_id="test"):
    municipalities = square_grid(4, 4)
    memberships = memberships_frame({"A": A_MEMBERS, "B": B_MEMBERS, "C": [cell(3, 3)]},
                                    confidence={("B", nis): "suggestive" for nis in B_MEMBERS})
    partnerships = partnerships_frame(["A", "B", "C"], centre_city={"A": cell(0, 0), "C": cell(3, 3)},
                                      standalone=["C"])
    scheme = Scheme(scheme_id, "Testschema", partnerships, memberships, non_participants_frame([cell(2, 0)]),
                    reconstructed=reconstructed)
    return build_coverage_view(municipalities, scheme)


@pytest.fixture(scope="module")
def view():
    return grid_view()


@pytest.fixture(scope="module")
def top_row(view):
    return view.municipalities["nis"].isin([cell(0, c) for c in range(4)])


CENTRE_ALONE = "Centrumstad die alleen regisseur is (1)"
CENTRE_OF_PARTNERSHIP = "Centrumstad van een samenwerkingsverband (1)"


@pytest.mark.slow
def test_coverage_legend_lists_the_categories_shown_with_counts(view):
    """A partnership's count is all its members, the overlap r1c2 included in A and in B (as in its profile)."""
    spec = coverage_print_map(view, None, "", made_on=MADE_ON)
    assert [item.text for item in spec.legend] == [
        "1 Verband A (5)",
        "2 Verband B (3)",
        "3 Verband C (alleen, centrumstad) (1)",
        "Vermoedelijk lid: lichtere kleur, gestreepte rand",
        "In meer dan één verband (overlapping; telt mee bij elk van die verbanden) (1)",
        "Neemt niet deel (volgens bron) (1)",
        "Onbekend (geen bron gevonden) (7)",
        CENTRE_ALONE,
        CENTRE_OF_PARTNERSHIP,
    ]
    fig = render_figure(spec, dpi=100)
    assert legend_labels(fig) == [item.text for item in spec.legend]


def test_coverage_styles_match_the_web_map(view):
    spec = coverage_print_map(view, None, "")
    areas = spec.areas.set_index("nis")
    assert areas.loc[cell(0, 0), "fill"] == view.colours["A"] and areas.loc[cell(0, 0), "fill_opacity"] == 0.85
    assert areas.loc[cell(0, 2), "fill_opacity"] == 0.40 and bool(areas.loc[cell(0, 2), "dashed"])  # suggestive
    assert areas.loc[cell(1, 2), "hatch"] == WARNING and areas.loc[cell(1, 2), "outline"] == WARNING
    assert bool(areas.loc[cell(1, 2), "dashed"])
    assert areas.loc[cell(2, 0), "fill"] == "#FFFFFF" and areas.loc[cell(2, 0), "outline"] == "#000000"
    assert areas.loc[cell(3, 0), "hatch"] == "#888888"  # unknown is hatched, never a plain colour
    overlap = next(item for item in spec.legend if item.label.startswith("In meer dan één verband"))
    assert overlap.hatch_colour == WARNING and overlap.dashed
    # B has only suggestive members: its one row is drawn as they are, and the note explains that drawing once.
    suggestive = next(item for item in spec.legend if item.label == "Verband B")
    assert suggestive.dashed and suggestive.opacity == 0.40 and suggestive.fill == view.colours["B"]
    note = next(item for item in spec.legend if item.label.startswith("Vermoedelijk lid"))
    assert note.dashed and note.opacity == 0.40 and note.count is None and not note.outline


def test_partnership_outlines_and_centre_city_labels(view):
    spec = coverage_print_map(view, None, "")
    assert sorted(spec.outlines["name"]) == ["Verband A", "Verband B", "Verband C"]
    assert spec.outlines.set_index("partnership_id").loc["A", "geometry"].area == pytest.approx(5 * 1_000_000)
    labels = spec.labels.set_index("label")
    assert labels.loc["Gemeente r0c0", "marker"] == "o" and labels.loc["Gemeente r3c3", "marker"] == "*"
    fig = render_figure(spec, dpi=100)
    # Every partnership carries its number (the legend's key) besides the centre-city names.
    assert sorted(map_labels(fig)) == ["1", "2", "3", "Gemeente r0c0", "Gemeente r3c3"]


def test_partnership_names_are_optional_labels(view):
    spec = coverage_print_map(view, None, "", label_partnerships=True)
    fig = render_figure(spec, dpi=100)
    # C is a centre city alone: its city label already names it.
    assert sorted(map_labels(fig)) == ["1", "2", "3", "Gemeente r0c0", "Gemeente r3c3", "Verband A", "Verband B"]


def test_filtered_view_shows_only_the_selection_and_says_so(view, top_row):
    spec = coverage_print_map(view, top_row, "Testschema · Gemeenten 2019-2024 (16) · rij 0", made_on=MADE_ON)
    assert sorted(spec.areas["nis"]) == [cell(0, c) for c in range(4)]
    assert spec.subtitle == ("Testschema · Gemeenten 2019-2024 (16) · rij 0 · periode 2020-2025 · "
                             "selectie: 4 van 16 gemeenten getoond")
    assert [item.text for item in spec.legend] == ["1 Verband A (2 van 5)", "2 Verband B (2 van 3)",
                                                   "Vermoedelijk lid: lichtere kleur, gestreepte rand",
                                                   CENTRE_OF_PARTNERSHIP]
    assert sorted(spec.outlines["name"]) == ["Verband A", "Verband B"]
    fig = render_figure(spec, dpi=100)
    assert any("selectie: 4 van 16 gemeenten getoond" in text.get_text().replace("\n", " ") for text in fig.texts)


def test_subtitle_without_filter_text_names_scheme_version_and_period(view):
    assert subtitle_for(view, None, "") == "Testschema · Gemeenten 2019-2024 (16) · periode 2020-2025"


def test_gaps_map_categories_and_counts(view):
    spec = gaps_print_map(view, None, "", made_on=MADE_ON)
    assert [item.text for item in spec.legend] == [
        "Onbekend (geen bron gevonden) (7)",
        "Neemt niet deel (volgens bron) (1)",
        "In meer dan één verband (1)",
        "Gedekt door één verband (7)",
        "Grens van een samenwerkingsverband",
        CENTRE_ALONE,
        CENTRE_OF_PARTNERSHIP,
    ]
    areas = spec.areas.set_index("nis")
    assert areas.loc[cell(0, 0), "fill"] == COVERED_NEUTRAL
    assert areas.loc[cell(1, 2), "fill"] == "#FFFFFF" and areas.loc[cell(1, 2), "hatch"] == WARNING
    assert areas.loc[cell(2, 0), "outline"] == "#000000" and pd.isna(areas.loc[cell(2, 0), "hatch"])
    assert spec.title == "Overlappingen en hiaten in de dekking"


def test_source_line_credits_boundaries_population_and_reconstruction(view):
    line = source_line(view)
    assert line.startswith("Bron: Provincies in Cijfers, Statbel (gemeentegrenzen")
    assert "inwoners 2020: Statbel" in line
    assert "lidmaatschap: gereconstrueerd door Regiekaart uit openbare bronnen" in line
    official = grid_view(reconstructed=False, scheme_id="referentieregio")
    assert "gereconstrueerd" not in source_line(official)
    assert "referentieregio's: Vlaamse Regering (2022)" in source_line(official)
    assert [note.what for note in map_sources(view)] == ["gemeentegrenzen", "inwoners 2020", "lidmaatschap"]


@pytest.mark.slow
def test_png_is_a4_landscape_at_300_dpi_with_the_map_drawn(view):
    spec = coverage_print_map(view, None, "", made_on=MADE_ON)
    image = Image.open(io.BytesIO(export_png(spec)))
    assert image.size == (3508, 2480)
    assert [round(value) for value in image.info["dpi"]] == [300, 300]
    pixels = np.asarray(image.convert("RGB")).astype(int)
    assert pixels.std() > 20  # not a blank page
    # Partnership A's colour at 85 % over white covers a real part of the page.
    colour = np.array([int(view.colours["A"][i:i + 2], 16) for i in (1, 3, 5)])
    expected = 0.85 * colour + 0.15 * 255
    share = (np.abs(pixels - expected).sum(axis=2) < 30).mean()
    assert share > 0.01
    # The warning colour of the overlap hatching is there too.
    warning = np.array([0xD5, 0x5E, 0x00])
    assert (np.abs(pixels - warning).sum(axis=2) < 40).sum() > 500


@pytest.mark.slow
def test_portrait_png_is_a4_portrait(view):
    image = Image.open(io.BytesIO(export_png(gaps_print_map(view, None, "", orientation="portrait"))))
    assert image.size == (2480, 3508)


@pytest.mark.slow
def test_pdf_is_one_a4_page(view):
    pdf = export_pdf(gaps_print_map(view, None, "", made_on=MADE_ON))
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    media_box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert float(media_box.group(1)) == pytest.approx(841.89, abs=1)
    assert float(media_box.group(2)) == pytest.approx(595.28, abs=1)


def test_empty_selection_gives_a_page_that_says_so(view):
    nothing = view.municipalities["nis"] == "none"
    spec = coverage_print_map(view, nothing, "")
    assert spec.areas.empty and spec.legend == []
    fig = render_figure(spec, dpi=100)
    assert "Geen gemeenten in deze selectie." in [text.get_text() for text in fig.axes[0].texts]


def test_styled_print_map_checks_columns_and_projects(view):
    areas = view.municipalities.assign(fill="#117733", fill_opacity=0.85, hatch=None, outline=None)
    spec = styled_print_map(areas.to_crs("EPSG:4326"), [LegendItem("Alles", "#117733", count=16)], "Titel",
                            "Ondertitel", "Bron: test", made_on=MADE_ON)
    assert spec.areas.crs.to_epsg() == 31370
    assert spec.areas.total_bounds == pytest.approx(view.municipalities.total_bounds, abs=0.5)
    with pytest.raises(ValueError, match="hatch"):
        styled_print_map(areas.drop(columns="hatch"), [], "Titel", "", "")
    with pytest.raises(ValueError, match="oriëntatie"):
        styled_print_map(areas, [], "Titel", "", "", orientation="diagonal")


def test_source_line_puts_extra_sources_after_the_reconstruction_note(view):
    line = source_line(view, [SourceNote("Werkzoekendengraad 2023", "Bron: VDAB", "zie bron")])
    assert line.endswith("lidmaatschap: gereconstrueerd door Regiekaart uit openbare bronnen (geen officiële lijst)"
                         " · Werkzoekendengraad 2023: VDAB.")


def test_coverage_map_of_one_partnership_with_merger_conflicts_outlined(view):
    members_of_a = view.municipalities["nis"].isin(A_MEMBERS)
    spec = coverage_print_map(view, members_of_a, "Testschema · samenwerkingsverband Verband A",
                              title="Samenwerkingsverband Verband A", label_partnerships=True,
                              conflict_nis=[cell(1, 2)], made_on=MADE_ON, counted=["A"])
    assert spec.title == "Samenwerkingsverband Verband A"
    assert spec.subtitle.endswith("selectie: 5 van 16 gemeenten getoond")
    assert [item.text for item in spec.legend] == [
        "1 Verband A (5)", "In meer dan één verband (overlapping; telt mee bij elk van die verbanden) (1)",
        f"{CONFLICT_LABEL} (1)", CENTRE_OF_PARTNERSHIP]
    municipality, ring = (spec.areas[spec.areas["nis"] == cell(1, 2)].sort_values("inset").itertuples())
    assert municipality.hatch == WARNING and municipality.dashed  # still drawn as the overlap it is
    # plus a solid outline in the conflict colour (unlike an overlap's dashed vermillion one) just inside its
    # border, without a fill: the web map's conflict colour
    assert (ring.outline, ring.dashed, ring.fill_opacity) == (MERGER_CONFLICT, False, 0.0)
    assert ring.geometry.within(municipality.geometry) and ring.geometry.area < municipality.geometry.area
    assert spec.areas["inset"].sum() == 1
    fig = render_figure(spec, dpi=100)
    assert "Verband A" in map_labels(fig)


def test_the_print_of_one_partnership_names_its_overlap_member_as_such(view):
    """r1c2 is in A and in B: on the print of A it is A's overlap member, not a piece of B labelled "Verband B"."""
    members_of_a = view.municipalities["nis"].isin(A_MEMBERS)
    spec = coverage_print_map(view, members_of_a, "", label_partnerships=True, counted=["A"])
    assert list(spec.outlines["partnership_id"]) == ["A"]
    fig = render_figure(spec, dpi=100)
    # The other members of the zoomed selection are named too, the overlap member once (as such).
    assert sorted(map_labels(fig)) == ["1", "Gemeente r0c0", "Gemeente r0c1", "Gemeente r1c0", "Gemeente r1c1",
                                       "Gemeente r1c2: ook in Verband B", "Verband A"]
    assert [item.text for item in spec.legend][:2] == [
        "1 Verband A (5)", "In meer dan één verband (overlapping; telt mee bij elk van die verbanden) (1)"]


# --- indicator choropleth ------------------------------------------------------------------------------------
# werkzoekendengraad 2023 on the grid: 1 ... 12 in reading order, r2c3 only known for its merged municipality,
# r3c0 zero, r3c1 without a row (missing), r3c2 suppressed.

def indicator_values():
    special = {cell(2, 3): (np.nan, "merged"), cell(3, 0): (0.0, "ok"), cell(3, 2): (np.nan, "suppressed")}
    rows, number = [], 1
    for r in range(4):
        for c in range(4):
            nis = cell(r, c)
            if nis == cell(3, 1):
                continue
            value, flag = special.get(nis, (None, "ok"))
            if value is None:
                value, number = float(number), number + 1
            rows.append({"nis": nis, "indicator_id": "werkzoekendengraad", "year": 2023, "value": value, "unit": "%",
                         "source": "Bron: VDAB, Provincies in Cijfers", "flag": flag})
    # An older year with other values: only 2023 may be drawn.
    rows += [{**row, "year": 2022, "value": 50.0} for row in rows if row["flag"] == "ok"]
    return pd.DataFrame(rows)


INDICATOR_LEGEND = ["1,0 – 3,8 (3)", "3,8 – 6,5 (3)", "6,5 – 9,3 (3)", "9,3 – 12,0 (3)", "0 (nul) (1)",
                    "onbekend (1)", "geheim (kleine aantallen) (1)", "cijfer zit in het grootste deel (fusie 2025) (1)",
                    "Grens van een samenwerkingsverband"]


def test_indicator_legend_lists_classes_with_counts_and_no_value_categories(view):
    spec = indicator_print_map(view, None, "Testschema · Gemeenten 2019-2024 (16)", "werkzoekendengraad", 2023,
                               indicator_values(), "quantiles", 4, made_on=MADE_ON)
    # Quantiles of 1..12: upper bounds 3,75 / 6,5 / 9,25 / 12 in Belgian notation with one decimal.
    assert [item.text for item in spec.legend] == INDICATOR_LEGEND
    assert spec.title == "Werkzoekendengraad (jaargemiddelde) 2023 (%)"
    assert spec.legend_title == "Klasse in % (aantal gemeenten)"
    assert spec.subtitle == ("Testschema · Gemeenten 2019-2024 (16) · periode 2020-2025 · Werkzoekendengraad "
                             "(jaargemiddelde) 2023 · klassen: kwantielen (even veel gemeenten per klasse), 4 klassen, "
                             "berekend op heel Vlaanderen")
    assert spec.source.endswith(" · Werkzoekendengraad (jaargemiddelde) 2023: VDAB, Provincies in Cijfers.")
    assert legend_labels(render_figure(spec, dpi=100)) == INDICATOR_LEGEND


def test_indicator_styles_match_the_web_map(view):
    from geodata.indicators import CATALOGUE
    from ui.indicator_map import legend_entries

    spec = indicator_print_map(view, None, "", "werkzoekendengraad", 2023, indicator_values(), "quantiles", 4)
    areas = spec.areas.set_index("nis")
    colours = indicator_palette(4, True)
    assert areas.loc[cell(0, 0), "fill"] == colours[0] and areas.loc[cell(3, 3), "fill"] == colours[3]
    assert areas.loc[cell(3, 0), "fill"] == "#FFFFFF" and pd.isna(areas.loc[cell(3, 0), "hatch"])  # zero
    for nis, flag in ((cell(3, 1), "missing"), (cell(3, 2), "suppressed"), (cell(2, 3), "merged")):
        assert (areas.loc[nis, "fill"], areas.loc[nis, "hatch"]) == INDICATOR_NO_VALUE_STYLE[flag]
    # The web legend built from the same table: same labels, colours and counts.
    web = legend_entries(spec.areas, [3.75, 6.5, 9.25, 12.0], CATALOGUE["werkzoekendengraad"], minimum=1.0)
    assert [(entry.label, entry.fill, entry.count) for entry in web] == \
        [(item.label, item.fill, item.count) for item in spec.legend[:-1]]
    assert sorted(spec.outlines["name"]) == ["Verband A", "Verband B", "Verband C"]


def test_filtered_indicator_map_keeps_the_classes_of_all_of_flanders_and_says_so(view, top_row):
    spec = indicator_print_map(view, top_row, "Testschema · rij 0", "werkzoekendengraad", 2023, indicator_values(),
                               "quantiles", 4, highlight_not_covered=True, made_on=MADE_ON)
    assert sorted(spec.areas["nis"]) == [cell(0, c) for c in range(4)]
    assert [item.text for item in spec.legend] == [
        "1,0 – 3,8 (3)", "3,8 – 6,5 (1)", "6,5 – 9,3 (0)", "9,3 – 12,0 (0)", "Grens van een samenwerkingsverband"]
    assert spec.subtitle == ("Testschema · rij 0 · periode 2020-2025 · selectie: 4 van 16 gemeenten getoond · "
                             "Werkzoekendengraad (jaargemiddelde) 2023 · klassen: kwantielen (even veel gemeenten per "
                             "klasse), 4 klassen, berekend op heel Vlaanderen · gemeenten zonder gekend verband omlijnd")


def test_indicator_map_outlines_municipalities_without_a_known_partnership(view):
    spec = indicator_print_map(view, None, "", "werkzoekendengraad", 2023, indicator_values(), "quantiles", 4,
                               highlight_not_covered=True)
    items = {item.label: item for item in spec.legend}
    unknown, non_participant = items["Zonder gekend verband: onbekend"], items["Zonder gekend verband: neemt niet deel"]
    assert (unknown.count, unknown.outline, unknown.dashed) == (7, HIGHLIGHT_ON_WARM, True)
    assert (non_participant.count, non_participant.outline, non_participant.dashed) == (1, HIGHLIGHT_ON_WARM, False)
    # Outlined just inside their border (so the partnership borders drawn on top do not hide it), fill untouched.
    rings = spec.areas[spec.areas["inset"]].set_index("nis")
    assert len(rings) == 8 and set(rings["outline"]) == {HIGHLIGHT_ON_WARM}
    assert not bool(rings.loc[cell(2, 0), "dashed"]) and bool(rings.loc[cell(3, 1), "dashed"])
    assert cell(0, 0) not in rings.index  # covered: no highlight
    areas = spec.areas[~spec.areas["inset"]].set_index("nis")
    assert len(areas) == 16 and areas["outline"].isna().all()
    assert areas.loc[cell(3, 1), "hatch"] == INDICATOR_NO_VALUE_STYLE["missing"][1]


def test_indicator_map_without_any_figure_says_everything_is_unknown(view):
    values = indicator_values().assign(indicator_id="nwwz")
    spec = indicator_print_map(view, None, "", "werkzoekendengraad", 2023, values, "quantiles", 5)
    assert [item.text for item in spec.legend] == ["onbekend (16)", "Grens van een samenwerkingsverband"]
    assert spec.subtitle.endswith("klassen: geen klassen (geen enkel cijfer bekend)")


@pytest.mark.slow
def test_indicator_png_is_a4_portrait_at_300_dpi_with_the_classes_drawn(view):
    spec = indicator_print_map(view, None, "", "werkzoekendengraad", 2023, indicator_values(), "quantiles", 4,
                               orientation="portrait", made_on=MADE_ON)
    image = Image.open(io.BytesIO(export_png(spec)))
    assert image.size == (2480, 3508) and [round(value) for value in image.info["dpi"]] == [300, 300]
    pixels = np.asarray(image.convert("RGB")).astype(int)
    darkest = np.array([int(indicator_palette(4, True)[3][i:i + 2], 16) for i in (1, 3, 5)])
    expected = 0.9 * darkest + 0.1 * 255  # the class colour at 90 % over white
    assert (np.abs(pixels - expected).sum(axis=2) < 30).mean() > 0.005


def test_partnership_numbers_sit_inside_their_largest_part_and_key_the_legend(view):
    """The number of a partnership is drawn on a point of its own area (before any nudge) and the legend row with
    that number names it; a filter does not renumber."""
    from analysis.figures import partnership_number_labels, partnership_outlines
    from analysis.mapstyle import partnership_numbers

    numbers = partnership_numbers(view.scheme.partnerships)
    assert numbers == {"A": 1, "B": 2, "C": 3}
    outlines = partnership_outlines(view).set_index("partnership_id")
    labels = partnership_number_labels(outlines.reset_index(), numbers)
    for pid, point in zip(labels["partnership_id"], labels.geometry):
        assert outlines.loc[pid, "geometry"].contains(point)
    spec = coverage_print_map(view, view.municipalities["nis"].isin(B_MEMBERS), "")
    assert [item.text for item in spec.legend][:2] == ["1 Verband A (1 van 5)", "2 Verband B (3)"]
    fig = render_figure(spec, dpi=100)
    assert sorted(label for label in map_labels(fig) if label.isdigit()) == ["1", "2"]


@pytest.mark.slow
@pytest.mark.parametrize("version", ["2019", "2025"])
def test_every_partnership_on_the_real_flanders_map_has_its_number_and_no_labels_overlap(version):
    import itertools

    from matplotlib.transforms import Bbox

    from analysis.datasets import bundled_view
    from analysis.mapstyle import partnership_numbers
    from analysis.scenario import counted_partnerships

    view = bundled_view("regie-2020-2025", version)
    spec = coverage_print_map(view, None, "")
    fig = render_figure(spec, dpi=100)
    fig.canvas.draw()  # lays out the label boxes, as in the exported file
    renderer = fig.canvas.get_renderer()
    numbers = partnership_numbers(view.scheme.partnerships)
    texts = [text for text in fig.axes[0].texts if text.get_zorder() == 17]
    assert sorted(text.get_text() for text in texts if text.get_text().isdigit()) == \
        sorted(str(numbers[pid]) for pid in counted_partnerships(view))
    boxes = [Bbox.union([text.get_window_extent(renderer)]
                        + ([text.get_bbox_patch().get_window_extent(renderer)] if text.get_bbox_patch() else []))
             for text in texts]
    overlapping = [(a.get_text(), b.get_text()) for (a, box_a), (b, box_b)
                   in itertools.combinations(zip(texts, boxes), 2) if box_a.overlaps(box_b)]
    assert overlapping == []
    # The legend is keyed by the same numbers.
    keyed = [item.text for item in spec.legend if item.number is not None]
    assert len(keyed) == len(counted_partnerships(view)) and all(text.split(" ")[0].isdigit() for text in keyed)
