"""Print-ready static maps (PNG at 300 dpi, vector PDF) rendered with matplotlib, without a browser.

A print map has a title, a subtitle with the filters and period, a legend matching the interactive map,
a scale bar, a north arrow, a source and licence line and the date. Geometry must be projected in metres
(EPSG:31370) so the scale bar is true.

Layout: the legend is fitted first (font size and number of columns chosen so it fits), then the map gets the
rest of the page, either beside the legend or above it, whichever gives the larger map. Labels are placed so
they do not cover each other; labels marked as optional are left out when there is no free spot.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display on servers
from matplotlib import patheffects  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend_handler import HandlerPatch, HandlerTuple  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from shapely.geometry import box as shapely_box  # noqa: E402

from analysis.formatting import format_number  # noqa: E402

A4_MM = (210, 297)
MM_PER_INCH = 25.4
PRINT_DPI = 300
PAGE_SIZES = {"portrait": (A4_MM[0] / MM_PER_INCH, A4_MM[1] / MM_PER_INCH),
              "landscape": (A4_MM[1] / MM_PER_INCH, A4_MM[0] / MM_PER_INCH)}

EDGE_COLOUR = "#555555"  # thin municipality borders
EDGE_WIDTH_PT = 0.25
OUTLINE_WIDTH_PT = 1.0  # category outlines (overlaps, non-participants)
PARTNERSHIP_OUTLINE_COLOUR = "#222222"
PARTNERSHIP_OUTLINE_FILL = "#FFFFFF"  # drawn fully transparent: the outline layers keep the map under them visible
PARTNERSHIP_OUTLINE_KEY = "partnership_outline"  # gid of the drawn partnership outlines, key of their legend item
HATCH = "////"
HATCH_WIDTH_PT = 0.6
DASHES = (0, (3, 2))  # dash pattern in units of the line width, for dashed outlines
DASHED_EDGE_WIDTH_PT = 0.6  # dashed border of areas without an outline colour (suggestive membership)
MARGIN_IN = 0.35  # page margin (inches)
GAP_IN = 0.15  # space between blocks (inches)
MAX_DROP_IN = 0.4  # how far a short map moves down from the top, towards the middle (inches)
LEGEND_FONT_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0)  # tried largest first (points)
SMALLEST_COMFORTABLE_FONT = 6.0  # below this a layout counts as worse
LABEL_FONT_SIZE = 6.5
EMPTY_TEXT = "Geen gemeenten in deze selectie."
AREA_LABEL_FONT_SIZE = 7.0
MEMBER_FONT_SIZES = (6.0, 5.0)  # a municipality's name; the smaller size only where the larger finds no room
MEMBER_GID = "member"  # gid of the municipality names on a zoomed map
LOCATOR_SHARE = 0.3  # the locator map's width as a share of the map's larger side
LOCATOR_FILL = "#D9D9D9"  # every municipality of Flanders, light grey
LOCATOR_SELECTION = "#222222"  # the selection, dark on the grey
LOCATOR_TITLE = "Ligging in Vlaanderen"


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: an area swatch (fill, hatch, outline, dashed) or, with `marker`, a point symbol."""

    label: str
    fill: str
    opacity: float = 0.85
    hatch_colour: str | None = None
    outline: str | None = None
    dashed: bool = False
    count: int | None = None
    marker: str | None = None  # matplotlib marker ("*", "o") for point symbols such as centre cities
    total: int | None = None  # with a count: "(count van total)", for a partnership only partly in view
    number: int | None = None  # the partnership's number on the map: the legend is keyed by it
    key: str | None = None  # the category it stands for: the map's areas of that category are drawn in this style

    @property
    def text(self) -> str:
        """The label as printed, with its map number and the count in Belgian notation: "3 Verband A (1.234)",
        "Verband B (3 van 8)"."""
        label = self.label if self.number is None else f"{self.number} {self.label}"
        if self.count is None:
            return label
        total = f" van {format_number(self.total)}" if self.total is not None else ""
        return f"{label} ({format_number(self.count)}{total})"


@dataclass
class PrintMap:
    """What to draw: areas with per-row style columns, optional outlines and labels.

    `areas` columns: geometry, fill, fill_opacity (0-1), hatch (hatch colour or None), outline (colour or None)
    and optionally dashed (bool: outline, or the thin border when there is no outline, drawn dashed).
    `labels` columns: geometry (points), label, and optionally marker (matplotlib marker or None), required
    (bool, default True: never left out) and kind ("point": next to the point, "area": centred on it, "number":
    a partnership's number in a small box, on the point or nudged away from it until it overlaps nothing,
    "member": a municipality's name in small type, centred on a point inside it or nudged a little).
    """

    areas: gpd.GeoDataFrame
    title: str
    subtitle: str
    legend_title: str
    legend: list[LegendItem]
    source: str
    outlines: gpd.GeoDataFrame | None = None  # e.g. dissolved partnerships
    labels: gpd.GeoDataFrame | None = None
    orientation: str = "landscape"
    # All municipalities of Flanders (geometry): with it, a zoomed selection gets a small locator map in a corner
    # of the map that covers none of the selection (the map is widened when no corner is free).
    locator: gpd.GeoDataFrame | None = None
    made_on: date = field(default_factory=date.today)


def _nice_length_m(map_width_m: float) -> float:
    """A round scale-bar length of at most about a fifth of the map width (metres, at least 1 km)."""
    target = map_width_m / 5
    fitting = [step for step in (1_000, 2_000, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000) if step <= target]
    return float(fitting[-1]) if fitting else 1_000.0


def _draw_scale_bar(ax, bounds, areas: gpd.GeoDataFrame | None = None, avoid=None) -> Bbox:
    """A black-and-white scale bar in the corner (not the north arrow's, nor one touching the `avoid` box in data
    coordinates: the locator map) that covers the least of the map; returns its box in window coordinates."""
    minx, miny, maxx, maxy = bounds
    length = _nice_length_m(maxx - minx)
    width, height = maxx - minx, maxy - miny
    bar_height = height * 0.012
    box_w, box_h = length * 1.2, height * 0.075  # bar, numbers and white margin
    corners = [(minx + width * 0.01, miny + height * 0.01), (maxx - width * 0.01 - box_w, miny + height * 0.01),
               (minx + width * 0.01, maxy - height * 0.01 - box_h)]
    if avoid is not None:
        free = [corner for corner in corners
                if not shapely_box(corner[0], corner[1], corner[0] + box_w, corner[1] + box_h).intersects(avoid)]
        corners = free or corners
    if areas is not None and not areas.empty:
        def covered(corner):
            return float(areas.geometry.intersection(shapely_box(corner[0], corner[1], corner[0] + box_w,
                                                                  corner[1] + box_h)).area.sum())
        corners.sort(key=covered)  # stable: lower left wins a tie
    left, low = corners[0]
    ax.add_patch(Rectangle((left, low), box_w, box_h, facecolor="white", edgecolor="none", alpha=0.8, zorder=19))
    x0, y0 = left + length * 0.1, low + box_h * 0.2
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, bar_height, facecolor="black", edgecolor="black", lw=0.6, zorder=20))
    ax.add_patch(Rectangle((x0 + half, y0), half, bar_height, facecolor="white", edgecolor="black", lw=0.6,
                           zorder=20))
    for offset, text in ((0, "0"), (half, f"{half / 1000:g}"), (length, f"{length / 1000:g} km")):
        ax.text(x0 + offset, y0 + bar_height * 1.6, text.replace(".", ","), ha="center", va="bottom", fontsize=7,
                zorder=20)
    return Bbox(ax.transData.transform([(left, low), (left + box_w, low + box_h)]))


def _draw_north_arrow(ax) -> None:
    ax.annotate("N", xy=(0.975, 0.97), xytext=(0.975, 0.88), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "facecolor": "black", "lw": 1.2}, zorder=20)


# --- areas, outlines --------------------------------------------------------------------------------------

def _polygon_path(geometry) -> Path:
    """A matplotlib path of a (multi)polygon with its holes (each ring closed)."""
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
            codes[0], codes[-1] = Path.MOVETO, Path.CLOSEPOLY
            rings.append(Path(coords, codes))
    return Path.make_compound_path(*rings) if rings else Path(np.empty((0, 2)))


def _add_polygons(ax, geometries, **style) -> None:
    # Own collection instead of GeoDataFrame.plot: geopandas redraws the whole figure after every call,
    # which made a page with a large legend take half a minute.
    patches = [PathPatch(_polygon_path(geometry)) for geometry in geometries]
    ax.add_collection(PatchCollection(patches, **style), autolim=False)


def area_layers(fill: str, opacity: float, hatch: str | None, outline: str | None, dashed: bool) -> list[dict]:
    """How one area style is drawn, as matplotlib patch properties per layer (bottom first, each with its zorder):
    the fill, then the hatching and the outline opaque on top so they show on light fills.

    The map (`_draw_areas`) and the legend swatches (`legend_handle`) both draw from this one function, so a
    swatch is exactly what the map draws for its category. The fill colour carries the opacity, not the patch, so
    borders and hatching stay crisp. A dashed border replaces the thin solid one (drawn under it, the solid line
    would fill the gaps between the dashes).
    """
    layers = [{"facecolor": to_rgba(fill, float(opacity)), "edgecolor": "none" if dashed else EDGE_COLOUR,
               "linewidth": EDGE_WIDTH_PT, "linestyle": "solid", "zorder": 1}]
    if hatch:
        layers.append({"facecolor": "none", "edgecolor": hatch, "hatch": HATCH, "linewidth": 0.0,
                       "hatch_linewidth": HATCH_WIDTH_PT, "linestyle": "solid", "zorder": 2})
    if outline:
        layers.append({"facecolor": "none", "edgecolor": outline, "linewidth": OUTLINE_WIDTH_PT,
                       "linestyle": DASHES if dashed else "solid", "zorder": 4})
    elif dashed:
        layers.append({"facecolor": "none", "edgecolor": EDGE_COLOUR, "linewidth": DASHED_EDGE_WIDTH_PT,
                       "linestyle": DASHES, "zorder": 2})
    return layers


def _draw_areas(ax, areas: gpd.GeoDataFrame) -> None:
    """Draw each style group in its layers (`area_layers`). With a ``category`` column each category is drawn as
    its own collections, whose gid is the category key (so checks can find what was drawn for a legend entry)."""
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty]
    dashed = areas["dashed"].fillna(False).astype(bool) if "dashed" in areas.columns else False
    category = areas["category"].fillna("").astype(str) if "category" in areas.columns else ""
    styled = areas.assign(_hatch=areas["hatch"].fillna(""), _outline=areas["outline"].fillna(""), _dashed=dashed,
                          _category=category)
    for (key, fill, opacity, hatch, outline, is_dashed), group in styled.groupby(
            ["_category", "fill", "fill_opacity", "_hatch", "_outline", "_dashed"], sort=False):
        for layer in area_layers(fill, opacity, hatch or None, outline or None, bool(is_dashed)):
            _add_polygons(ax, list(group.geometry), gid=key or None, **layer)


# --- legend -----------------------------------------------------------------------------------------------

def legend_handle(item: LegendItem):
    """The legend artist(s) of an item: the layers the map draws for its style (`area_layers`: fill, hatch if any,
    outline or dashed border) stacked, or a marker."""
    if item.marker:
        return Line2D([], [], marker=item.marker, linestyle="none", markersize=8 if item.marker == "*" else 5,
                      markerfacecolor=item.fill, markeredgecolor=item.outline or "black", markeredgewidth=0.6)
    layers = area_layers(item.fill, item.opacity, item.hatch_colour, item.outline, item.dashed)
    return tuple(Patch(**{name: value for name, value in layer.items() if name != "zorder"}) for layer in layers)


def _swatch_layer(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    """One layer of a legend swatch (a `HandlerPatch` patch_func): the handler copies colours, line and hatch from
    the handle but not the hatch's line width, which the map draws thinner than matplotlib's default."""
    return Rectangle((-xdescent, -ydescent), width, height, hatch_linewidth=orig_handle.get_hatch_linewidth())


def _wrapped(text: str, width_chars: int) -> str:
    return "\n".join(textwrap.wrap(text, width=max(12, width_chars), break_long_words=False)) or text


def _make_legend(fig, spec: PrintMap, fontsize: float, ncols: int, max_width_in: float):
    # Wrap labels so a column is at most max_width/ncols wide (a character is about 0.55 em on average).
    column_pt = max_width_in * 72 / ncols - 3.2 * fontsize  # minus swatch and padding
    chars = int(column_pt / (0.55 * fontsize))
    labels = [_wrapped(item.text, chars) for item in spec.legend]
    legend = fig.legend(handles=[legend_handle(item) for item in spec.legend], labels=labels,
                        title=spec.legend_title, loc="upper left", bbox_to_anchor=(0, 1),
                        bbox_transform=fig.transFigure, fontsize=fontsize,
                        title_fontproperties={"weight": "bold", "size": fontsize + 1}, frameon=False, ncols=ncols,
                        alignment="left", handler_map={tuple: HandlerTuple(ndivide=1, pad=0),
                                                       Patch: HandlerPatch(patch_func=_swatch_layer)},
                        handlelength=2.0, handleheight=1.1, borderaxespad=0, borderpad=0.2, columnspacing=1.2,
                        labelspacing=0.45)
    return legend


def _fitted_legend(fig, renderer, spec: PrintMap, max_width_in: float, max_height_in: float, max_columns: int,
                   short: bool = False):
    """The legend at the largest font that fits in the box: (legend, width_in, height_in, font size).

    At each font size the fewest columns are tried first (a narrow legend beside the map), or with `short`
    the most columns first (a low legend below the map).
    """
    columns = range(max_columns, 0, -1) if short else range(1, max_columns + 1)
    tries = [(fontsize, ncols) for fontsize in LEGEND_FONT_SIZES for ncols in columns]
    for number, (fontsize, ncols) in enumerate(tries, start=1):
        legend = _make_legend(fig, spec, fontsize, ncols, max_width_in)
        extent = legend.get_window_extent(renderer)
        width_in, height_in = extent.width / fig.dpi, extent.height / fig.dpi
        if (width_in <= max_width_in and height_in <= max_height_in) or number == len(tries):
            return legend, width_in, height_in, fontsize  # the last try is kept even when it does not fit
        legend.remove()


# --- locator map ------------------------------------------------------------------------------------------

def _locator_aspect(locator: gpd.GeoDataFrame) -> float:
    minx, miny, maxx, maxy = locator.total_bounds
    return (maxx - minx) / max(maxy - miny, 1.0)


def reserve_locator(areas: gpd.GeoDataFrame, bounds, locator: gpd.GeoDataFrame):
    """Where the locator map goes: (bounds, box), the map's bounds (widened if needed) and the locator's box, both
    in map coordinates.

    The box is LOCATOR_SHARE of the map's larger side wide, with Flanders' proportions, in the first of the lower
    left, lower right and upper left corners (the upper right has the north arrow) that covers none of the
    selection; when every corner covers some, the map gets a free strip for it along its shorter side.
    """
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    box_w = LOCATOR_SHARE * max(width, height)
    box_h = box_w / _locator_aspect(locator) * 1.15  # room for its title
    margin = 0.01 * max(width, height)
    selection = areas.geometry.union_all()

    def corners(x0, y0, x1, y1):
        return [shapely_box(x0 + margin, y0 + margin, x0 + margin + box_w, y0 + margin + box_h),
                shapely_box(x1 - margin - box_w, y0 + margin, x1 - margin, y0 + margin + box_h),
                shapely_box(x0 + margin, y1 - margin - box_h, x0 + margin + box_w, y1 - margin)]

    for box in corners(*bounds):
        if box.within(shapely_box(*bounds)) and selection.intersection(box).area <= 1e-6 * box.area:
            return bounds, box
    if width >= height:  # a wide map gets a strip below it, a tall one a strip at its left
        widened = (minx, miny - box_h - margin, maxx, maxy)
    else:
        widened = (minx - box_w - margin, miny, maxx, maxy)
    return widened, corners(*widened)[0]


def _draw_locator(ax, spec: PrintMap, areas: gpd.GeoDataFrame, box) -> Bbox:
    """A small map of Flanders in `box` (map coordinates): every municipality light grey, the selection dark and
    the extent of the main map outlined. Returns its window extent."""
    x0, y0, x1, y1 = box.bounds
    inset = ax.inset_axes([x0, y0, x1 - x0, y1 - y0], transform=ax.transData, zorder=18, label="locator")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor((1, 1, 1, 0.92))
    for spine in inset.spines.values():
        spine.set_linewidth(0.5)
        spine.set_edgecolor("#555555")
    flanders = spec.locator[spec.locator.geometry.notna() & ~spec.locator.geometry.is_empty]
    _add_polygons(inset, flanders.geometry, facecolor=LOCATOR_FILL, edgecolor="white", linewidth=0.1,
                  gid="locator-flanders")
    _add_polygons(inset, [areas.geometry.union_all()], facecolor=LOCATOR_SELECTION, edgecolor=LOCATOR_SELECTION,
                  linewidth=0.3, gid="locator-selection")
    (mx0, mx1), (my0, my1) = ax.get_xlim(), ax.get_ylim()
    inset.add_patch(Rectangle((mx0, my0), mx1 - mx0, my1 - my0, facecolor="none", edgecolor=LOCATOR_SELECTION,
                              linewidth=0.6, linestyle=(0, (2, 1.5))))
    fminx, fminy, fmaxx, fmaxy = flanders.total_bounds
    pad_x, pad_y = 0.03 * (fmaxx - fminx), 0.03 * (fmaxy - fminy)
    xmin, xmax = fminx - pad_x, fmaxx + pad_x
    ymin, ymax = fminy - pad_y, fmaxy + pad_y + 0.13 * (fmaxy - fminy)  # the title's line above Flanders
    # Limits with the box's own proportions (the main map has equal axes, so its box is true to scale): Flanders
    # keeps its shape, centred, without matplotlib overriding one of the limits.
    box_aspect = (x1 - x0) / (y1 - y0)
    if (xmax - xmin) / (ymax - ymin) > box_aspect:
        grow = (xmax - xmin) / box_aspect - (ymax - ymin)
        ymin, ymax = ymin - grow / 2, ymax + grow / 2
    else:
        grow = (ymax - ymin) * box_aspect - (xmax - xmin)
        xmin, xmax = xmin - grow / 2, xmax + grow / 2
    inset.set_xlim(xmin, xmax)
    inset.set_ylim(ymin, ymax)
    inset.text(0.03, 0.97, LOCATOR_TITLE, transform=inset.transAxes, ha="left", va="top", fontsize=5.5,
               color="#333333")
    return inset.get_window_extent(ax.figure.canvas.get_renderer())


# --- labels -----------------------------------------------------------------------------------------------

_POINT_OFFSETS = [(5, 0, "left", "center"), (-5, 0, "right", "center"), (0, 5, "center", "bottom"),
                  (0, -5, "center", "top"), (5, 5, "left", "bottom"), (-5, 5, "right", "bottom"),
                  (5, -5, "left", "top"), (-5, -5, "right", "top"), (12, 0, "left", "center"),
                  (-12, 0, "right", "center"), (0, 12, "center", "bottom"), (0, -12, "center", "top"),
                  (10, 10, "left", "bottom"), (-10, 10, "right", "bottom"), (10, -10, "left", "top"),
                  (-10, -10, "right", "top")]
# Partnership numbers: on their point first, then nudged outwards step by step until they no longer overlap.
_NUMBER_OFFSETS = [(0, 0, "center", "center")] + [
    (round(radius * dx), round(radius * dy), "center", "center")
    for radius in (6, 10, 15, 21) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, 0.7),
                                                  (0.7, -0.7), (-0.7, -0.7))]
NUMBER_FONT_SIZE = 7.5
# Member names: centred inside their municipality, else nudged a little (a name far from its area misleads).
_MEMBER_OFFSETS = [(0, 0, "center", "center"), (0, 5, "center", "center"), (0, -5, "center", "center"),
                   (6, 0, "center", "center"), (-6, 0, "center", "center"), (0, 9, "center", "center"),
                   (0, -9, "center", "center"), (5, 5, "center", "center"), (-5, 5, "center", "center"),
                   (5, -5, "center", "center"), (-5, -5, "center", "center")]
_AREA_OFFSETS = [(0, 0, "center", "center"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
                 (14, 0, "left", "center"), (-14, 0, "right", "center"), (0, 18, "center", "bottom"),
                 (0, -18, "center", "top")]


def _overlap_area(box: Bbox, others: list[Bbox]) -> float:
    total = 0.0
    for other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        if width > 0 and height > 0:
            total += width * height
    return total


def label_box(text, renderer) -> Bbox:
    """The window extent of a drawn label, its box (if any) included."""
    extent = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is None:
        return extent
    # The box's own extent is only laid out when the figure is drawn: add its padding (a share of the font size)
    # and its line to the text's extent instead.
    points = patch.get_boxstyle().pad * text.get_fontsize() + patch.get_linewidth()
    return extent.padded(points * text.figure.dpi / 72)


def _draw_labels(ax, renderer, labels: gpd.GeoDataFrame, obstacles: list[Bbox] = ()) -> list:
    """Draw markers and labels without overlaps (with each other and with the `obstacles`, window boxes such as
    the scale bar and the locator map); returns the label texts drawn (optional ones may be left out)."""
    frame = labels[labels.geometry.notna() & ~labels.geometry.is_empty].copy()
    if frame.empty:
        return []
    frame["marker"] = frame["marker"] if "marker" in frame.columns else None
    frame["required"] = frame["required"].fillna(True).astype(bool) if "required" in frame.columns else True
    frame["kind"] = frame["kind"].fillna("point") if "kind" in frame.columns else "point"
    axes_box = ax.get_window_extent(renderer)
    taken: list[Bbox] = list(obstacles)
    pixels_per_point = ax.figure.dpi / 72
    for point, marker in zip(frame.geometry, frame["marker"]):
        if isinstance(marker, str) and marker:
            size = 9 if marker == "*" else 4.5
            ax.plot(point.x, point.y, marker=marker, markersize=size, markerfacecolor="black",
                    markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=16)
            x, y = ax.transData.transform((point.x, point.y))
            half = size / 2 * pixels_per_point
            taken.append(Bbox([[x - half, y - half], [x + half, y + half]]))
    drawn = []
    order = sorted(range(len(frame)), key=lambda i: not frame["required"].iloc[i])  # required ones first, stable
    for i in order:
        row = frame.iloc[i]
        area, number, member = row["kind"] == "area", row["kind"] == "number", row["kind"] == "member"
        style = {"fontsize": AREA_LABEL_FONT_SIZE if area else LABEL_FONT_SIZE,
                 "fontstyle": "italic" if area else "normal", "fontweight": "normal" if area else "bold",
                 "color": "#111111", "zorder": 17,
                 "path_effects": [patheffects.withStroke(linewidth=2.2, foreground="white")]}
        if number:  # a partnership's number: bold in a small white box, readable on any fill
            style.update(fontsize=NUMBER_FONT_SIZE, path_effects=[],
                         bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#222222",
                               "linewidth": 0.5})
        if member:  # a municipality's name: small and plain, so it reads as a place, not a partnership
            style.update(fontweight="normal", color="#222222", gid=MEMBER_GID,
                         path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")])
        offsets = _NUMBER_OFFSETS if number else _MEMBER_OFFSETS if member else _AREA_OFFSETS if area \
            else _POINT_OFFSETS
        # A name that finds no free spot tries again a size smaller (in a crowd of small municipalities) before it
        # takes the spot that covers least.
        sizes = MEMBER_FONT_SIZES if member else (style.pop("fontsize"),)
        style.pop("fontsize", None)
        best = None
        for fontsize, (dx, dy, ha, va) in ((size, offset) for size in sizes for offset in offsets):
            text = ax.annotate(str(row["label"]), (row.geometry.x, row.geometry.y), xytext=(dx, dy),
                               textcoords="offset points", ha=ha, va=va, fontsize=fontsize, **style)
            box = label_box(text, renderer).padded(1.5 * pixels_per_point)
            inside = axes_box.containsx(box.x0) and axes_box.containsx(box.x1) \
                and axes_box.containsy(box.y0) and axes_box.containsy(box.y1)
            overlap = _overlap_area(box, taken) + (0 if inside else box.width * box.height)
            if overlap == 0:
                if best is not None:
                    best[0].remove()
                best = (text, box, 0)
                break
            if row["required"] and (best is None or overlap < best[2]):
                if best is not None:
                    best[0].remove()
                best = (text, box, overlap)
            else:
                text.remove()
        if best is None:
            continue  # optional label without a free spot: leave it out rather than cover others
        taken.append(best[1])
        drawn.append(best[0])
    return drawn


# --- page -------------------------------------------------------------------------------------------------

def _fit_box(left: float, bottom: float, width: float, height: float, aspect: float) -> tuple[float, ...]:
    """The largest box with width/height == aspect (inches) inside the given box, centred across, at its top."""
    if width / height > aspect:
        fitted = height * aspect
        return left + (width - fitted) / 2, bottom, fitted, height
    fitted = width / aspect
    return left, bottom + height - fitted, width, fitted


def _header(fig, spec: PrintMap, renderer, page_w: float, page_h: float) -> float:
    """Title and subtitle at the top; returns the y (inches) just below them."""
    width_pt = (page_w - 2 * MARGIN_IN) * 72
    title = fig.text(MARGIN_IN / page_w, 1 - MARGIN_IN / page_h, _wrapped(spec.title, int(width_pt / (0.6 * 15))),
                     fontsize=15, fontweight="bold", va="top", ha="left")
    bottom = title.get_window_extent(renderer).y0 / fig.dpi
    subtitle = fig.text(MARGIN_IN / page_w, (bottom - 0.08) / page_h,
                        _wrapped(spec.subtitle, int(width_pt / (0.55 * 9))), fontsize=9, va="top", ha="left",
                        color="#333333", linespacing=1.3)
    return subtitle.get_window_extent(renderer).y0 / fig.dpi - GAP_IN


def _footer(fig, spec: PrintMap, renderer, page_w: float, page_h: float) -> float:
    """Source, licence and date at the bottom; returns the y (inches) just above them."""
    width_pt = (page_w - 2 * MARGIN_IN) * 72
    text = _wrapped(spec.source, int(width_pt / (0.55 * 6.5))) \
        + f"\nGemaakt met Regiekaart op {spec.made_on:%d-%m-%Y}."
    footer = fig.text(MARGIN_IN / page_w, MARGIN_IN * 0.7 / page_h, text, fontsize=6.5, va="bottom", ha="left",
                      color="#333333", linespacing=1.3)
    return footer.get_window_extent(renderer).y1 / fig.dpi + GAP_IN


def _score(map_box, legend_fontsize: float) -> float:
    """Map area (square inches); a legend in a tiny font halves it, so readable legends win."""
    return map_box[2] * map_box[3] * (1.0 if legend_fontsize >= SMALLEST_COMFORTABLE_FONT else 0.5)


def page_size_in(orientation: str, dpi: int = PRINT_DPI) -> tuple[float, float]:
    """A4 in inches, rounded to whole pixels at `dpi` (matplotlib would cut 3507.9 pixels down to 3507)."""
    width, height = PAGE_SIZES[orientation]
    return round(width * dpi) / dpi, round(height * dpi) / dpi


def render_figure(spec: PrintMap, dpi: int = PRINT_DPI):
    """Build the matplotlib figure of a print map (A4, the chosen orientation, whole pixels at `dpi`)."""
    page_w, page_h = page_size_in(spec.orientation, dpi)
    # A bare Figure, not pyplot: pyplot keeps global state that is not safe when several dashboard sessions
    # render at once, and figures made here are never shown on screen.
    fig = Figure(figsize=(page_w, page_h), dpi=100)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    top = _header(fig, spec, renderer, page_w, page_h)
    bottom = _footer(fig, spec, renderer, page_w, page_h)
    areas = spec.areas[spec.areas.geometry.notna() & ~spec.areas.geometry.is_empty]
    empty = areas.empty
    minx, miny, maxx, maxy = (0.0, 0.0, 100_000.0, 50_000.0) if empty else areas.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)  # room for the scale bar and north arrow
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    locator_box = None
    if spec.locator is not None and not spec.locator.empty and not empty:
        bounds, locator_box = reserve_locator(areas, bounds, spec.locator)
    aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
    inner_w, inner_h = page_w - 2 * MARGIN_IN, top - bottom

    if not spec.legend:
        left, low, width, height = _fit_box(MARGIN_IN, bottom, inner_w, inner_h, aspect)
        return _draw_map(fig, renderer, spec, areas, bounds, (left, low, width, height), page_w, page_h,
                         locator_box)
    # Two layouts: legend beside the map or below it; keep the one with the larger map.
    layouts = []
    legend, legend_w, legend_h, fontsize = _fitted_legend(fig, renderer, spec, min(3.6, inner_w * 0.4), inner_h, 2)
    map_box = _fit_box(MARGIN_IN, bottom, inner_w - legend_w - GAP_IN, inner_h, aspect)
    # A map lower than its space sits at the top: move it down a little, towards the middle.
    map_box = (map_box[0], map_box[1] - min((map_box[1] - bottom) / 2, MAX_DROP_IN), map_box[2], map_box[3])
    layouts.append((_score(map_box, fontsize), "side", legend, map_box, (map_box[0] + map_box[2] + GAP_IN, top)))
    legend, legend_w, legend_h, fontsize = _fitted_legend(fig, renderer, spec, inner_w, inner_h * 0.5, 4, short=True)
    map_box = _fit_box(MARGIN_IN, bottom + legend_h + GAP_IN, inner_w, inner_h - legend_h - GAP_IN, aspect)
    # Map and legend together a little down from the top, towards the middle of the free height.
    slack = map_box[1] - (bottom + legend_h + GAP_IN)
    map_box = (map_box[0], map_box[1] - min(slack / 2, MAX_DROP_IN), map_box[2], map_box[3])
    layouts.append((_score(map_box, fontsize), "below", legend, map_box, (MARGIN_IN, map_box[1] - GAP_IN)))
    chosen = max(layouts, key=lambda layout: layout[0])
    for other in layouts:
        if other is not chosen:
            other[2].remove()
    _, _, legend, map_box, anchor = chosen
    legend.set_bbox_to_anchor((anchor[0] / page_w, anchor[1] / page_h), transform=fig.transFigure)
    return _draw_map(fig, renderer, spec, areas, bounds, map_box, page_w, page_h, locator_box)


def _draw_map(fig, renderer, spec: PrintMap, areas: gpd.GeoDataFrame, bounds, map_box, page_w: float,
              page_h: float, locator_box=None):
    """The map itself in `map_box` (inches: left, bottom, width, height), with scale bar, arrow, labels and, given
    its box (`reserve_locator`), the locator map."""
    left, low, width, height = map_box
    empty = areas.empty
    ax = fig.add_axes([left / page_w, low / page_h, width / page_w, height / page_h])
    ax.set_axis_off()
    _draw_areas(ax, areas)
    if spec.outlines is not None and not spec.outlines.empty:
        # In the layers of its legend swatch (an empty fill with the outline), above every category's layers.
        for layer in area_layers(PARTNERSHIP_OUTLINE_FILL, 0.0, None, PARTNERSHIP_OUTLINE_COLOUR, False):
            _add_polygons(ax, spec.outlines.geometry, gid=PARTNERSHIP_OUTLINE_KEY, **{**layer, "zorder": 5})
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.apply_aspect()
    if empty:
        ax.text(0.5, 0.5, EMPTY_TEXT, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#333333")
        return fig
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    obstacles = [_draw_scale_bar(ax, (x0, y0, x1, y1), areas, avoid=locator_box)]
    _draw_north_arrow(ax)
    if locator_box is not None:
        obstacles.append(_draw_locator(ax, spec, areas, locator_box))
    if spec.labels is not None and not spec.labels.empty:
        _draw_labels(ax, renderer, spec.labels, obstacles)
    return fig


def legend_labels(fig) -> list[str]:
    """The legend entries of a figure made by `render_figure`, unwrapped (for checks)."""
    return [text.get_text().replace("\n", " ") for legend in fig.legends for text in legend.get_texts()]


def map_labels(fig) -> list[str]:
    """The place labels drawn on the map of a figure made by `render_figure` (for checks)."""
    ax = fig.axes[0]
    return [text.get_text() for text in ax.texts
            if text.get_zorder() == 17]  # labels are drawn at zorder 17, scale bar and arrow elsewhere


def export_png(spec: PrintMap, dpi: int = PRINT_DPI) -> bytes:
    """The print map as PNG bytes at `dpi` (300 by default), A4."""
    fig = render_figure(spec, dpi)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Title": spec.title, "Software": "Regiekaart"})
    return buffer.getvalue()


def export_pdf(spec: PrintMap) -> bytes:
    """The print map as a one-page vector PDF, A4."""
    fig = render_figure(spec)
    buffer = io.BytesIO()
    # TrueType (Type 42) fonts: print shops and journals refuse the Type 3 fonts matplotlib embeds by default.
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buffer, format="pdf", metadata={"Title": spec.title, "Creator": "Regiekaart"})
    return buffer.getvalue()
