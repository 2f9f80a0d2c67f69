"""Print maps of real selections (the bundled 2020-2025 reconstruction): legend swatches exactly as drawn, the gaps
map's contrast, member names and a locator map on zoomed selections, TrueType fonts in the PDF.

The checks read the matplotlib artists of the rendered figure: the collections drawn for a category (their gid is
the category key) against the swatch artists inside the legend.
"""

import re

import numpy as np
import pytest
import shapely
from matplotlib.offsetbox import DrawingArea, HPacker, TextArea
from matplotlib.patches import Patch
from matplotlib.path import Path

from analysis.datasets import bundled_view
from analysis.figures import coverage_print_map, gaps_print_map
from analysis.filters import Selection, selected_municipalities
from analysis.mapstyle import GAP_CATEGORIES, contrast_ratio, partnership_numbers
from analysis.printmap import MEMBER_GID, export_pdf, label_box, map_labels, render_figure
from analysis.scenario import counted_partnerships

SCHEME = "regie-2020-2025"


@pytest.fixture(scope="module")
def view():
    return bundled_view(SCHEME, "2019")


def partnership_id(view, name_part):
    partnerships = view.scheme.partnerships
    return partnerships.loc[partnerships["name"].str.contains(name_part, regex=False), "partnership_id"].iloc[0]


def nis_of(view, name):
    return view.municipalities.loc[view.municipalities["name"] == name, "nis"].iloc[0]


def selection(view, **filters):
    chosen = Selection(**filters)
    mask = selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships, chosen,
                                   view.regions)
    return mask, counted_partnerships(view, mask, chosen)


# The selections a reader prints: one partnership (Midwest, with Wielsbeke also in W13) and one centre city.
CASES = {"midwest": lambda view: {"partnership": partnership_id(view, "Midwest")},
         "kortrijk": lambda view: {"centre": nis_of(view, "Kortrijk")}}


# --- legend swatches as drawn ---------------------------------------------------------------------------------

def _colour(value):
    """An rgba tuple rounded for comparison, None for no colour (an empty array or a fully transparent one)."""
    values = np.asarray(value, dtype=float).reshape(-1, 4) if np.size(value) else np.empty((0, 4))
    if not len(values) or values[0][3] == 0:
        return None
    return tuple(round(float(channel), 3) for channel in values[0])


def _layer(artist):
    """What one drawn layer looks like: fill, edge colour, hatch and its line width, and with a visible edge its
    width and dashing."""
    if isinstance(artist, Patch):
        # A legend patch is a copy (update_from) that keeps the dash pattern but not the linestyle name.
        dashed = artist._dash_pattern[1] is not None
        face, edge, width = artist.get_facecolor(), artist.get_edgecolor(), artist.get_linewidth()
    else:  # a PatchCollection of the map
        dashed = artist.get_linestyle()[0][1] is not None
        face, edge, width = artist.get_facecolor(), artist.get_edgecolor(), artist.get_linewidth()[0]
    edge = _colour(edge)
    visible_edge = edge is not None and (width > 0 or artist.get_hatch())
    hatch = (artist.get_hatch(), round(float(artist.get_hatch_linewidth()), 3)) if artist.get_hatch() else None
    return (_colour(face), edge if visible_edge else None, hatch,
            round(float(width), 3) if visible_edge and not artist.get_hatch() else None,
            dashed if visible_edge and not artist.get_hatch() else None)


def legend_swatches(fig):
    """Legend text (unwrapped) -> the artists of its swatch, as drawn inside the legend box."""
    def walk(box):
        for child in box.get_children():
            parts = child.get_children() if isinstance(child, HPacker) else []
            if len(parts) == 2 and isinstance(parts[0], DrawingArea) and isinstance(parts[1], TextArea):
                yield parts[1].get_text().replace("\n", " "), parts[0].get_children()
            elif hasattr(child, "get_children"):
                yield from walk(child)
    return dict(walk(fig.legends[0]))


def drawn_layers(fig, key):
    """The layers the map draws for one category key, bottom first (one set, however many areas)."""
    collections = [c for c in fig.axes[0].collections if c.get_gid() == key]
    layers = list(dict.fromkeys(_layer(c) for c in sorted(collections, key=lambda c: c.get_zorder())))
    return layers


def assert_swatches_as_drawn(spec, fig):
    swatches = legend_swatches(fig)
    keyed = [item for item in spec.legend if item.key]
    checked = 0
    for item in keyed:
        drawn = drawn_layers(fig, item.key)
        if item.count is None and not drawn:  # an explanation (suggestive membership), not a category of the map
            continue
        assert drawn, f"nothing drawn for legend entry {item.text!r}"
        swatch = [_layer(artist) for artist in swatches[item.text]]
        assert swatch == drawn, item.text
        checked += 1
    return checked


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_legend_swatch_is_drawn_as_its_category_on_the_map(view, case):
    mask, counted = selection(view, **CASES[case](view))
    spec = coverage_print_map(view, mask, "", counted=counted, label_partnerships=True)
    fig = render_figure(spec, dpi=50)
    overlap = next(item for item in spec.legend if item.key == "overlap")  # Wielsbeke: in Midwest and in W13
    assert assert_swatches_as_drawn(spec, fig) >= 2
    # The overlap swatch has the fill, hatch and outline of the overlap areas drawn (not a partnership colour).
    wielsbeke = spec.areas[spec.areas["name"] == "Wielsbeke"].iloc[0]
    assert (wielsbeke["category"], wielsbeke["fill"], wielsbeke["hatch"]) == ("overlap", overlap.fill,
                                                                              overlap.hatch_colour)


def test_swatches_as_drawn_on_the_whole_of_flanders_and_the_gaps_map(view):
    spec = coverage_print_map(view, None, "", counted=counted_partnerships(view))
    assert assert_swatches_as_drawn(spec, render_figure(spec, dpi=50)) >= 20
    gaps = gaps_print_map(view, None, "")
    present = set(gaps.areas["category"])
    assert {"unknown", "covered", "overlap"} <= present
    assert assert_swatches_as_drawn(gaps, render_figure(gaps, dpi=50)) == len(present) + 1  # and the outline


# --- the gaps map ----------------------------------------------------------------------------------------------

def test_gaps_unknown_stands_out_from_covered_and_follows_the_shared_table(view):
    unknown, covered = GAP_CATEGORIES["unknown"], GAP_CATEGORIES["covered"]
    # WCAG's minimum contrast for graphics is 3:1; the hatch alone must not carry the difference.
    assert contrast_ratio(unknown.fill, covered.fill) >= 3
    assert contrast_ratio(unknown.hatch, covered.fill) >= 1.5
    spec = gaps_print_map(view, None, "")
    areas = spec.areas.set_index("category")
    for key in set(areas.index):
        category, rows = GAP_CATEGORIES[key], areas.loc[[key]]
        assert set(rows["fill"]) == {category.fill} and set(rows["fill_opacity"]) == {category.opacity}
    items = {item.key: item for item in spec.legend if item.key in GAP_CATEGORIES}
    assert set(items) == set(areas.index)
    assert all((item.fill, item.opacity, item.hatch_colour, item.outline, item.dashed, item.label) ==
               (GAP_CATEGORIES[key].fill, GAP_CATEGORIES[key].opacity, GAP_CATEGORIES[key].hatch,
                GAP_CATEGORIES[key].outline, GAP_CATEGORIES[key].dashed, GAP_CATEGORIES[key].label)
               for key, item in items.items())


def test_gaps_print_pixels_of_unknown_and_covered_differ_clearly(view):
    """In the rendered image the mean colour inside an unknown municipality (fill and hatch together) and inside a
    covered one differ by at least 3:1."""
    spec = gaps_print_map(view, None, "")
    fig = render_figure(spec, dpi=100)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float) / 255
    ax = fig.axes[0]
    height = pixels.shape[0]

    centres = set(view.scheme.partnerships["centre_city_nis"].dropna())

    def mean_colour(category):
        """The mean colour of the pixels inside the largest municipality of the category that carries no label,
        kept off its border."""
        rows = spec.areas[(spec.areas["category"] == category) & ~spec.areas["nis"].isin(centres)]
        inner = rows.loc[rows.geometry.area.idxmax(), "geometry"].buffer(-500)
        inner = max(getattr(inner, "geoms", [inner]), key=lambda part: part.area)
        outline = Path(ax.transData.transform(np.asarray(inner.exterior.coords)))
        ys, xs = np.mgrid[0:height, 0:pixels.shape[1]]
        inside = outline.contains_points(np.column_stack([xs.ravel() + 0.5, height - ys.ravel() - 0.5]))
        assert inside.sum() > 50
        return pixels.reshape(-1, 3)[inside].mean(axis=0)

    unknown, covered = mean_colour("unknown"), mean_colour("covered")
    assert contrast_ratio(tuple(unknown), tuple(covered)) >= 3


# --- zoomed selections: member names and the locator map --------------------------------------------------------

@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_zoomed_selection_names_every_member_and_has_a_locator_map(view, case, orientation):
    mask, counted = selection(view, **CASES[case](view))
    spec = coverage_print_map(view, mask, "", counted=counted, orientation=orientation)
    fig = render_figure(spec, dpi=60)
    fig.canvas.draw()
    labels = map_labels(fig)
    members = set(view.municipalities.loc[mask, "name"])
    assert members <= set(labels)  # every member named (a centre city by its centre-city label)
    numbers = partnership_numbers(view.scheme.partnerships)
    assert {str(numbers[pid]) for pid in counted} <= set(labels)  # and every partnership in view by its number
    assert {str(numbers[pid]) for pid in counted} == {item.text.split(" ")[0] for item in spec.legend
                                                      if item.number is not None}
    # Each name sits inside its own municipality: the middle of the text lies within it.
    geometry = spec.areas.drop_duplicates("nis").set_index("name").geometry
    renderer = fig.canvas.get_renderer()
    outside, names = [], [text for text in fig.axes[0].texts
                          if text.get_zorder() == 17 and text.get_gid() == MEMBER_GID]
    assert len(names) >= len(members) - 1  # all but the centre city, named by its own label
    for text in names:
        if text.get_text() in geometry.index:
            extent = text.get_window_extent(renderer)
            middle = fig.axes[0].transData.inverted().transform(((extent.x0 + extent.x1) / 2,
                                                                 (extent.y0 + extent.y1) / 2))
            if not geometry[text.get_text()].contains(shapely.Point(middle)):
                outside.append(text.get_text())
    assert outside == []
    locator = [ax for ax in fig.axes[0].child_axes if ax.get_label() == "locator"]
    assert len(locator) == 1
    box = locator[0].get_window_extent(renderer)
    main = fig.axes[0]
    # The locator sits inside the map frame, in a corner, and covers none of the selection's areas.
    assert main.get_window_extent(renderer).contains(box.x0 + 1, box.y0 + 1)
    selected = spec.areas.geometry.union_all()
    corners = main.transData.inverted().transform([[box.x0, box.y0], [box.x1, box.y1]])
    assert selected.intersection(shapely.box(*corners[0], *corners[1])).area == pytest.approx(0, abs=1.0)
    # Its member labels do not overlap each other, the numbers or the locator.
    texts = [text for text in main.texts if text.get_zorder() == 17]
    boxes = [label_box(text, renderer) for text in texts] + [box]
    overlapping = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []


def test_locator_shows_flanders_with_the_selection_highlighted(view):
    mask, counted = selection(view, **CASES["midwest"](view))
    spec = coverage_print_map(view, mask, "", counted=counted)
    locator = next(ax for ax in render_figure(spec, dpi=50).axes[0].child_axes if ax.get_label() == "locator")
    flanders = view.municipalities.to_crs(spec.areas.crs).total_bounds
    x0, x1 = locator.get_xlim()
    y0, y1 = locator.get_ylim()
    assert x0 <= flanders[0] and flanders[2] <= x1 and y0 <= flanders[1] and flanders[3] <= y1
    gids = [collection.get_gid() for collection in locator.collections]
    assert gids.count("locator-flanders") == 1 and gids.count("locator-selection") == 1


def test_whole_of_flanders_has_no_locator_and_no_member_names(view):
    spec = coverage_print_map(view, None, "", counted=counted_partnerships(view))
    fig = render_figure(spec, dpi=50)
    assert len(fig.axes) == 1 and fig.axes[0].child_axes == []
    names = set(view.municipalities["name"])
    centres = set(spec.labels.loc[spec.labels["marker"].notna(), "label"])
    assert {label for label in map_labels(fig) if label in names} <= centres


def test_zoomed_gaps_print_names_the_members_and_has_a_locator_map(view):
    mask, _ = selection(view, **CASES["kortrijk"](view))
    spec = gaps_print_map(view, mask, "")
    fig = render_figure(spec, dpi=50)
    assert set(view.municipalities.loc[mask, "name"]) <= set(map_labels(fig))
    assert [ax.get_label() for ax in fig.axes[0].child_axes] == ["locator"]
    assert gaps_print_map(view, None, "").locator is None  # the whole of Flanders needs no locator


# --- fonts ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["flanders", "midwest", "gaps"])
def test_pdf_fonts_are_truetype_not_type_3(view, case):
    if case == "gaps":
        spec = gaps_print_map(view, None, "")
    else:
        mask, counted = (None, counted_partnerships(view)) if case == "flanders" \
            else selection(view, **CASES[case](view))
        spec = coverage_print_map(view, mask, "", counted=counted, label_partnerships=True)
    pdf = export_pdf(spec)
    assert not re.search(rb"/FontType\s*3\b", pdf) and not re.search(rb"/Subtype\s*/Type3\b", pdf)
    assert re.search(rb"/Subtype\s*/(TrueType|CIDFontType2|Type0)\b", pdf)
