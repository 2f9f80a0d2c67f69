"""Print-ready static maps (PNG at 300 dpi, vector PDF) rendered with matplotlib, without a browser.

A print map has a title, a subtitle with the filters and period, a legend matching the interactive map,
a scale bar, a north arrow, a source and licence line and the date. Geometry must be projected in metres
(EPSG:31370) so the scale bar is true.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

A4_MM = (210, 297)
MM_PER_INCH = 25.4
PRINT_DPI = 300
PAGE_SIZES = {"portrait": (A4_MM[0] / MM_PER_INCH, A4_MM[1] / MM_PER_INCH),
              "landscape": (A4_MM[1] / MM_PER_INCH, A4_MM[0] / MM_PER_INCH)}


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    opacity: float = 0.85
    hatch_colour: str | None = None
    outline: str | None = None
    dashed: bool = False
    count: int | None = None


@dataclass
class PrintMap:
    """What to draw: areas with per-row style columns, optional outlines and labels."""

    areas: gpd.GeoDataFrame  # columns: geometry, fill, fill_opacity, hatch (colour or None), outline (colour or None)
    title: str
    subtitle: str
    legend_title: str
    legend: list[LegendItem]
    source: str
    outlines: gpd.GeoDataFrame | None = None  # e.g. dissolved partnerships
    labels: gpd.GeoDataFrame | None = None  # columns: geometry (points), label
    orientation: str = "landscape"
    made_on: date = field(default_factory=date.today)


def _nice_length_m(map_width_m: float) -> float:
    """A round scale-bar length, about a fifth of the map width (metres)."""
    target = map_width_m / 5
    for step in (1_000, 2_000, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000):
        if step >= target:
            return float(step)
    return 100_000.0


def _draw_scale_bar(ax, bounds) -> None:
    minx, miny, maxx, maxy = bounds
    length = _nice_length_m(maxx - minx)
    x0, y0 = minx + (maxx - minx) * 0.03, miny + (maxy - miny) * 0.04
    height = (maxy - miny) * 0.012
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, height, facecolor="black", edgecolor="black", lw=0.6, zorder=20))
    ax.add_patch(Rectangle((x0 + half, y0), half, height, facecolor="white", edgecolor="black", lw=0.6, zorder=20))
    for offset, text in ((0, "0"), (half, f"{half / 1000:g}"), (length, f"{length / 1000:g} km")):
        ax.text(x0 + offset, y0 + height * 1.6, text.replace(".", ","), ha="center", va="bottom", fontsize=7, zorder=20)


def _draw_north_arrow(ax) -> None:
    ax.annotate("N", xy=(0.97, 0.95), xytext=(0.97, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "facecolor": "black", "lw": 1.2}, zorder=20)


def render_figure(spec: PrintMap):
    """Build the matplotlib figure of a print map (A4, the chosen orientation)."""
    fig = plt.figure(figsize=PAGE_SIZES[spec.orientation], dpi=100)
    landscape = spec.orientation == "landscape"
    map_box = [0.03, 0.09, 0.68, 0.78] if landscape else [0.04, 0.30, 0.92, 0.58]
    ax = fig.add_axes(map_box)
    ax.set_axis_off()
    areas = spec.areas
    for (fill, opacity, hatch, outline), group in areas.groupby(
            [areas["fill"], areas["fill_opacity"], areas["hatch"].fillna(""), areas["outline"].fillna("")],
            sort=False):
        group.plot(ax=ax, color=fill, alpha=float(opacity), edgecolor="#555555", linewidth=0.25)
        if hatch or outline:
            # Hatching and outlines are drawn opaque on top, so they stay visible over light fills.
            plt.rcParams["hatch.linewidth"] = 0.5
            group.plot(ax=ax, facecolor="none", edgecolor=hatch or outline, hatch="/////" if hatch else None,
                       linewidth=1.2 if outline else 0.0)
    if spec.outlines is not None and not spec.outlines.empty:
        spec.outlines.boundary.plot(ax=ax, color="#222222", linewidth=0.9)
    if spec.labels is not None:
        for point, label in zip(spec.labels.geometry, spec.labels["label"]):
            ax.annotate(str(label), (point.x, point.y), ha="center", va="center", fontsize=6.5, fontweight="bold",
                        color="black", zorder=15,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    bounds = areas.total_bounds
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    _draw_scale_bar(ax, bounds)
    _draw_north_arrow(ax)

    fig.text(0.03, 0.955, spec.title, fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, 0.915, spec.subtitle, fontsize=9, va="top", color="#333333", wrap=True)
    handles = [
        Patch(facecolor=item.fill, alpha=item.opacity, edgecolor=item.outline or item.hatch_colour or "#555555",
              hatch="/////" if item.hatch_colour else None, linestyle="--" if item.dashed else "-",
              label=item.label + (f" ({item.count})" if item.count is not None else ""))
        for item in spec.legend
    ]
    legend_anchor = (0.73, 0.87) if landscape else (0.04, 0.28)
    columns = 1 if landscape or len(handles) <= 12 else 2
    fig.legend(handles=handles, title=spec.legend_title, loc="upper left", bbox_to_anchor=legend_anchor,
               fontsize=6.5 if len(handles) > 20 else 7.5, title_fontsize=8.5, frameon=False, ncols=columns,
               alignment="left")
    fig.text(0.03, 0.03, f"{spec.source}\nGemaakt met Regiekaart op {spec.made_on:%d-%m-%Y}.",
             fontsize=6.5, va="bottom", color="#333333")
    return fig


def legend_labels(fig) -> list[str]:
    """The legend entries of a figure made by `render_figure` (for checks)."""
    return [text.get_text() for legend in fig.legends for text in legend.get_texts()]


def export_png(spec: PrintMap, dpi: int = PRINT_DPI) -> bytes:
    """The print map as PNG bytes at `dpi` (300 by default), A4."""
    fig = render_figure(spec)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Title": spec.title, "Software": "Regiekaart"})
    plt.close(fig)
    return buffer.getvalue()


def export_pdf(spec: PrintMap) -> bytes:
    """The print map as a one-page vector PDF, A4."""
    fig = render_figure(spec)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"Title": spec.title, "Creator": "Regiekaart"})
    plt.close(fig)
    return buffer.getvalue()
