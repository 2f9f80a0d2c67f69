"""Print versions (PNG/PDF via `analysis.printmap`) of the dashboard's maps, for reports.

Each print map matches its interactive twin in `ui/webmap.py` or `ui/indicator_map.py`: the same
categories, colours and legend labels, partnership outlines and centre cities. The generic pieces
(`styled_print_map`, `subtitle_for`, `source_line`, `partnership_outlines`, `centre_city_labels`,
`legend_with_counts`, `inset_outlines`) serve every print map: build an areas frame with
fill/fill_opacity/hatch/outline columns and legend items, and hand them to `styled_print_map`.

The indicator choropleth (`indicator_print_map`) and its web twin share the classification and styles defined
here (`indicator_classes`, `classify_indicator`, `indicator_legend_rows`, `indicator_palette`). Data are passed
in, never loaded here.

All geometry is in EPSG:31370 (metres); areas in km², populations in inhabitants (2020).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.colors import to_hex

from analysis.coverage import MEMBER_CONFIRMED, MEMBER_SUGGESTIVE, NON_PARTICIPANT, UNKNOWN, counted_partnership_ids
from analysis.indicators import (
    CLASSIFICATIONS,
    QUANTILES,
    assign_classes,
    class_breaks,
    class_labels,
    entry_for,
    municipality_values,
)
from analysis.mapstyle import (
    GAP_CATEGORIES,
    GAP_COVERED_FILL,
    MERGER_CONFLICT,
    WARNING,
    Category,
    coverage_legend,
    partnership_number_points,
    partnership_numbers,
)
from analysis.printmap import (
    PARTNERSHIP_OUTLINE_COLOUR,
    PARTNERSHIP_OUTLINE_FILL,
    PARTNERSHIP_OUTLINE_KEY,
    LegendItem,
    PrintMap,
)
from analysis.scenario import CoverageView, partnership_areas
from geodata.indicator_model import FLAG_APPROXIMATE, FLAG_MERGED, FLAG_MISSING, FLAG_SUPPRESSED, VALUE_FLAGS, Indicator
from geodata.indicators import CATALOGUE
from geodata.sources import LICENCE_TOPO, SOURCES
from geodata.vocabulary import SCHEME_REFREG, SCHEME_UPLOAD, VERSION_NAMES

PRINT_CRS = "EPSG:31370"  # Belgian Lambert 72, metres: the scale bar needs a projected CRS
COVERED_NEUTRAL = GAP_COVERED_FILL  # covered municipalities on the gaps map (analysis.mapstyle.GAP_CATEGORIES)
STANDALONE_MARKER = "*"
CENTRE_MARKER = "o"
STYLE_COLUMNS = ("fill", "fill_opacity", "hatch", "outline")
INSET_SHARE = 0.0025  # inset of a highlight outline, as a share of the map's larger side
CONFLICT_KEY = "merger_conflict"
CONFLICT_LABEL = "Fusieconflict (delen in verschillende verbanden of maar deels gedekt)"

@dataclass(frozen=True)
class SourceNote:
    """One data source behind a figure or table: what it gave, who to credit, under which licence."""

    what: str
    attribution: str
    licence: str

    @property
    def short(self) -> str:
        return f"{self.what}: {self.attribution}"


# --- generic helpers ---------------------------------------------------------------------------------------

def styled_print_map(areas: gpd.GeoDataFrame, legend: Sequence[LegendItem], title: str, subtitle: str, source: str,
                     *, legend_title: str = "Legende", outlines: gpd.GeoDataFrame | None = None,
                     labels: gpd.GeoDataFrame | None = None, orientation: str = "landscape",
                     made_on: date | None = None, locator: gpd.GeoDataFrame | None = None) -> PrintMap:
    """Turn styled areas and legend items into a `PrintMap` (the common end of every print map).

    `areas` needs the columns fill (colour), fill_opacity (0-1), hatch (colour or None), outline (colour or
    None) and may have dashed (bool). `locator` (all municipalities, see `locator_map`) adds a locator map of
    Flanders for a zoomed selection. Geometry is projected to EPSG:31370 when it is not already, and empty
    geometries are dropped (an empty selection gives a page that says so). Raises ValueError on a missing style
    column or an unknown orientation.
    """
    missing = [column for column in STYLE_COLUMNS if column not in areas.columns]
    if missing:
        raise ValueError(f"Kolommen ontbreken voor de kaartstijl: {', '.join(missing)}")
    if orientation not in ("landscape", "portrait"):
        raise ValueError(f"Onbekende oriëntatie {orientation!r}; kies 'landscape' of 'portrait'")
    areas = _projected(areas)
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty]
    return PrintMap(areas=areas, title=title, subtitle=subtitle, legend_title=legend_title, legend=list(legend),
                    source=source, outlines=None if outlines is None else _projected(outlines),
                    labels=None if labels is None else _projected(labels), orientation=orientation,
                    made_on=made_on or date.today(), locator=None if locator is None else _projected(locator))


def _projected(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs(PRINT_CRS)
    return frame if frame.crs.to_string() == PRINT_CRS else frame.to_crs(PRINT_CRS)


def mask_or_all(view: CoverageView, mask: pd.Series | None) -> pd.Series:
    """A boolean mask over view.municipalities (all True when `mask` is None)."""
    if mask is None:
        return pd.Series(True, index=view.municipalities.index)
    return mask.reindex(view.municipalities.index, fill_value=False).astype(bool)


def is_filtered(view: CoverageView, mask: pd.Series | None) -> bool:
    return not bool(mask_or_all(view, mask).all())


def shown_municipalities(view: CoverageView, mask: pd.Series | None) -> gpd.GeoDataFrame:
    """The municipalities the figure shows (those in `mask`), with their coverage status."""
    shown = view.municipalities[mask_or_all(view, mask)]
    status = view.status[["nis", "status", "partnership_ids"]]
    return shown.merge(status, on="nis", how="left")


def version_text(view: CoverageView) -> str:
    """"Gemeenten 2019-2024 (300)": the boundary version and the number of municipalities on the map."""
    version = view.scheme.boundary_version
    label = VERSION_NAMES.get(version, f"Gemeenten {version}")
    return f"{label} ({len(view.municipalities)})"


def period_text(view: CoverageView, mask: pd.Series | None = None) -> str:
    """"periode 2020-2025": the period(s) of the partnerships with members in view; "periode onbekend" if none."""
    codes = set(view.municipalities.loc[mask_or_all(view, mask), "nis"])
    in_view = set(view.scheme.memberships.loc[view.scheme.memberships["nis"].isin(codes), "partnership_id"])
    partnerships = view.scheme.partnerships
    periods = partnerships.loc[partnerships["partnership_id"].isin(in_view), "period"] \
        if "period" in partnerships.columns else pd.Series(dtype=object)
    periods = sorted({str(period) for period in periods.dropna() if str(period).strip()})
    return "periode " + (", ".join(periods) if periods else "onbekend")


def subtitle_for(view: CoverageView, mask: pd.Series | None, filter_text: str | None,
                 extra: Iterable[str] = ()) -> str:
    """Filters, period and, for a filtered view, how many municipalities are shown.

    `filter_text` is the dashboard's description of the filters (scheme, boundary version, province, ...);
    without one the scheme and boundary version are described here.
    """
    parts = [filter_text.strip()] if filter_text and filter_text.strip() else [view.scheme.label, version_text(view)]
    parts.append(period_text(view, mask))
    if is_filtered(view, mask):
        shown = int(mask_or_all(view, mask).sum())
        parts.append(f"selectie: {shown} van {len(view.municipalities)} gemeenten getoond")
    parts.extend(extra)
    return " · ".join(parts)


def map_sources(view: CoverageView) -> list[SourceNote]:
    """The data sources behind a map or table of this view (boundaries, population, membership)."""
    boundaries = SOURCES["gemeente2025.shp" if view.scheme.boundary_version == "2025" else "gemeente2024.shp"]
    notes = [
        SourceNote("gemeentegrenzen", boundaries.attribution, boundaries.licence),
        SourceNote("inwoners 2020", "Bron: Statbel (via bmesuere/belgium-topojson)", LICENCE_TOPO),
    ]
    scheme = view.scheme
    if scheme.reconstructed:
        notes.append(SourceNote("lidmaatschap", "gereconstrueerd door Regiekaart uit openbare bronnen",
                                "geen officiële lijst; bron en betrouwbaarheid per gemeente in "
                                "geodata/data/regie-2020-2025"))
    elif scheme.scheme_id == SCHEME_REFREG:
        notes.append(SourceNote("referentieregio's", "Vlaamse Regering (2022), via Provincies in Cijfers",
                                "vrij hergebruik met bronvermelding"))
    elif scheme.scheme_id == SCHEME_UPLOAD:
        notes.append(SourceNote("lidmaatschap", f"eigen upload ({scheme.source_note or scheme.label})",
                                "verantwoordelijkheid van wie de upload maakte"))
    else:
        notes.append(SourceNote("lidmaatschap", scheme.source_note or scheme.label, "zie bron"))
    return notes


def source_line(view: CoverageView, extra: Iterable[SourceNote] = ()) -> str:
    """The source and licence line printed on a map: "Bron: Provincies in Cijfers, Statbel (gemeentegrenzen; ...".

    The boundary attribution comes first, verbatim, as its licence asks.
    """
    notes = map_sources(view)
    boundaries, others = notes[0], notes[1:]
    parts = [f"{boundaries.attribution} ({boundaries.what}; vrij hergebruik met bronvermelding)"]
    parts += [f"{note.what}: {note.attribution.removeprefix('Bron: ')}" for note in others]
    if view.scheme.reconstructed:
        parts[-1] += " (geen officiële lijst)"  # the membership note, before any extra source
    parts += [f"{note.what}: {note.attribution.removeprefix('Bron: ')}" for note in extra]
    return " · ".join(parts) + "."


def legend_item(category: Category, **details) -> LegendItem:
    """The legend item of a category, in exactly its style (`details`: count, total, number)."""
    return LegendItem(category.label, category.fill, category.opacity, hatch_colour=category.hatch,
                      outline=category.outline, dashed=category.dashed, key=category.key, **details)


def with_category_styles(frame: pd.DataFrame, categories: Mapping[str, Category]) -> pd.DataFrame:
    """`frame` (with a ``category`` key per row) with the style columns of `styled_print_map` taken from its
    category's entry: the map draws each area as its legend entry shows it."""
    by_row = [categories[key] for key in frame["category"]]
    return frame.assign(fill=[c.fill for c in by_row], fill_opacity=[c.opacity for c in by_row],
                        hatch=pd.Series([c.hatch for c in by_row], index=frame.index, dtype=object),
                        outline=pd.Series([c.outline for c in by_row], index=frame.index, dtype=object),
                        dashed=[c.dashed for c in by_row])


def legend_with_counts(categories: Sequence[Category], keys: pd.Series) -> list[LegendItem]:
    """Legend items for the categories that occur in `keys` (category key per shown area), in legend order,
    each with its count; categories that do not occur are left out."""
    counts = keys.value_counts()
    return [legend_item(category, count=int(counts[category.key]))
            for category in categories if counts.get(category.key, 0)]


def partnership_outlines(view: CoverageView, mask: pd.Series | None = None) -> gpd.GeoDataFrame:
    """One outline per partnership with members in view: the union of its shown members (partnership_id, name)."""
    return partnership_areas(view, view.municipalities[mask_or_all(view, mask)])


def centre_city_labels(view: CoverageView, mask: pd.Series | None = None) -> tuple[gpd.GeoDataFrame, list[LegendItem]]:
    """Labels and legend items for the centre cities in view.

    A centre city that takes up the regie role alone is starred, the centre city of a partnership gets a dot;
    both are always labelled with their name.
    """
    partnerships = view.scheme.partnerships
    if "centre_city_nis" not in partnerships.columns:
        return _no_labels(view), []
    standalone = partnerships["standalone"].fillna(False).astype(bool) if "standalone" in partnerships.columns \
        else pd.Series(False, index=partnerships.index)
    centres = pd.DataFrame({"nis": partnerships["centre_city_nis"], "standalone": standalone}).dropna(subset=["nis"])
    centres = centres.groupby("nis", as_index=False)["standalone"].any()  # a city alone in any partnership counts
    shown = view.municipalities[mask_or_all(view, mask)][["nis", "name", "geometry"]]
    cities = shown.merge(centres, on="nis")
    if cities.empty:
        return _no_labels(view), []
    labels = gpd.GeoDataFrame(
        {"label": cities["name"].to_numpy(),
         "marker": [STANDALONE_MARKER if alone else CENTRE_MARKER for alone in cities["standalone"]],
         "required": True, "kind": "point"},
        geometry=cities.geometry.representative_point().to_numpy(), crs=view.municipalities.crs)
    legend = []
    n_alone = int(cities["standalone"].sum())
    if n_alone:
        legend.append(LegendItem("Centrumstad die alleen regisseur is", "black", 1.0, outline="white", count=n_alone,
                                 marker=STANDALONE_MARKER))
    if n_alone < len(cities):
        legend.append(LegendItem("Centrumstad van een samenwerkingsverband", "black", 1.0, outline="white",
                                 count=len(cities) - n_alone, marker=CENTRE_MARKER))
    return labels, legend


LOCATOR_SIMPLIFY_M = 150  # the locator map is about 5 cm wide: details under 150 m do not show


def locator_map(view: CoverageView, mask: pd.Series | None) -> gpd.GeoDataFrame | None:
    """Every municipality of the view (simplified), for the locator map of a zoomed selection; None for the whole
    map (a locator of everything would only repeat the map)."""
    if not is_filtered(view, mask):
        return None
    flanders = _projected(view.municipalities[["geometry"]])
    return flanders.assign(geometry=flanders.geometry.simplify(LOCATOR_SIMPLIFY_M))


MEMBER_NAMES_LIMIT = 80  # a zoomed selection names every municipality in it up to this many (a province: 64)


def member_labels(view: CoverageView, mask: pd.Series | None, named: Iterable[str] = ()) -> gpd.GeoDataFrame:
    """Labels with the name of every municipality of a zoomed selection (none for the whole map or a selection of
    more than MEMBER_NAMES_LIMIT), on the point inside each that lies furthest from its border (largest part);
    `named` (NIS codes already named, such as centre cities) are left out."""
    shown = view.municipalities[mask_or_all(view, mask)]
    if not is_filtered(view, mask) or len(shown) > MEMBER_NAMES_LIMIT:
        return _no_labels(view)
    shown = _projected(shown[~shown["nis"].isin(set(named))][["nis", "name", "geometry"]])
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty]
    largest = [max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area) for geometry in shown.geometry]
    # The pole of inaccessibility: a centred name stays inside even a thin or bent municipality.
    points = [shapely.ops.polylabel(part, tolerance=max(part.length / 400, 10.0)) for part in largest]
    return gpd.GeoDataFrame({"label": shown["name"].to_numpy(), "marker": None, "required": True, "kind": "member",
                             "nis": shown["nis"].to_numpy()}, geometry=points, crs=shown.crs)


def partnership_labels(outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Optional area labels with the partnership names, on the largest part of each outline."""
    points = [max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area).representative_point()
              for geometry in outlines.geometry]
    return gpd.GeoDataFrame({"label": outlines["name"].to_numpy(), "marker": None, "required": False,
                             "kind": "area"}, geometry=points, crs=outlines.crs)


def partnership_number_labels(outlines: gpd.GeoDataFrame, numbers: dict[str, int]) -> gpd.GeoDataFrame:
    """Print labels with every partnership's number at `analysis.mapstyle.partnership_number_points` (the web map
    uses the same points); the label placement nudges them apart."""
    points = partnership_number_points(outlines, numbers)
    return gpd.GeoDataFrame({"label": points["number"].astype(str).to_numpy(), "marker": None, "required": True,
                             "kind": "number", "partnership_id": points["partnership_id"].to_numpy()},
                            geometry=points.geometry.to_numpy(), crs=outlines.crs)


def overlap_labels(view: CoverageView, mask: pd.Series | None, counted: Iterable[str]) -> gpd.GeoDataFrame:
    """Labels for the overlap municipalities in view that also belong to a partnership not shown (not `counted`):
    "Wielsbeke: ook in W13 (Zuid-West-Vlaanderen)", so the print of one partnership names its overlap members as
    such instead of leaving them to the other partnership's name."""
    counted = set(counted)
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    shown = shown_municipalities(view, mask)
    rows = [(nis, name, geometry, [pid for pid in ids if pid not in counted])
            for nis, name, geometry, ids in zip(shown["nis"], shown["name"], shown.geometry, shown["partnership_ids"])
            if isinstance(ids, tuple) and len(ids) > 1 and any(pid in counted for pid in ids)]
    rows = [(nis, name, geometry, others) for nis, name, geometry, others in rows if others]
    if not rows:
        return _no_labels(view)
    return gpd.GeoDataFrame(
        {"label": [f"{name}: ook in {' en '.join(names.get(pid, pid) for pid in others)}"
                   for _, name, _, others in rows],
         "marker": None, "required": True, "kind": "area", "nis": [nis for nis, _, _, _ in rows]},
        geometry=[geometry.representative_point() for _, _, geometry, _ in rows], crs=view.municipalities.crs)


def _no_labels(view: CoverageView) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"label": [], "marker": [], "required": [], "kind": []}, geometry=[],
                            crs=view.municipalities.crs)


def _labels(view: CoverageView, mask, outlines: gpd.GeoDataFrame, label_partnerships: bool,
            counted: Iterable[str] | None = None) -> tuple[gpd.GeoDataFrame | None, list[LegendItem]]:
    cities, legend = centre_city_labels(view, mask)
    frames = [cities]
    if counted is not None and not outlines.empty:
        numbers = partnership_numbers(view.scheme.partnerships)
        frames.append(partnership_number_labels(outlines, {pid: numbers[pid] for pid in counted if pid in numbers}))
    if label_partnerships and not outlines.empty:
        # A centre city that is its own partnership is already named by its city label.
        partnerships = view.scheme.partnerships
        alone = set(partnerships.loc[partnerships["standalone"].fillna(False).astype(bool), "partnership_id"]) \
            if "standalone" in partnerships.columns else set()
        frames.append(partnership_labels(outlines[~outlines["partnership_id"].isin(alone)]))
    named = set(view.municipalities.loc[view.municipalities["name"].isin(set(cities["label"])), "nis"])
    if label_partnerships and counted is not None:
        overlaps = overlap_labels(view, mask, counted)
        frames.append(overlaps)
        named |= set(overlaps["nis"]) if "nis" in overlaps.columns else set()
    # Last, so the centre cities, numbers and partnership names take their places first.
    frames.append(member_labels(view, mask, named))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return None, legend
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs), legend


def _is_referentieregio(view: CoverageView) -> bool:
    return view.scheme.scheme_id == SCHEME_REFREG


def _outline_legend_item(view: CoverageView) -> LegendItem:
    """The legend entry of the partnership (or referentieregio) outlines drawn on top."""
    kind = "referentieregio" if _is_referentieregio(view) else "samenwerkingsverband"
    return LegendItem(f"Grens van een {kind}", PARTNERSHIP_OUTLINE_FILL, 0.0, outline=PARTNERSHIP_OUTLINE_COLOUR,
                      key=PARTNERSHIP_OUTLINE_KEY)


# --- the dashboard's print maps ------------------------------------------------------------------------------

def coverage_print_map(view: CoverageView, mask: pd.Series | None = None, filter_text: str | None = "",
                       orientation: str = "landscape", label_partnerships: bool = False,
                       made_on: date | None = None, *, title: str | None = None,
                       conflict_nis: Iterable[str] = (), conflict_label: str = CONFLICT_LABEL,
                       counted: Iterable[str] | None = None) -> PrintMap:
    """Print version of the coverage map (`ui.webmap.coverage_map`).

    Partnerships in their colours (suggestive membership lighter with a dashed border), unknown hatched grey,
    overlaps hatched and outlined in the warning colour, partnership outlines, centre cities marked and named;
    with `label_partnerships` also the partnership names where they fit. Only the municipalities in `mask`
    are drawn, and the subtitle says so. The legend is the web map's (`analysis.mapstyle.coverage_legend`).

    `counted`: the partnership ids the view counts (`analysis.scenario.counted_partnerships`; by default those with a
    member in `mask`); only they get an outline, a legend row and a name. An overlap municipality in view that also
    belongs to a partnership not counted (e.g. Wielsbeke on the print of Midwest, also in W13) is named as such.
    `conflict_nis` (merger conflicts on the 2025 map, as the Fusies page outlines them) get a solid outline in the
    warning colour and a legend entry of their own; `title` replaces the default title (e.g. one partnership).
    """
    shown = shown_municipalities(view, mask).merge(view.categories, on="nis", how="left")
    if counted is None:
        counted = counted_partnership_ids(view.scheme.partnerships, view.scheme.memberships, shown["nis"])
    counted = [pid for pid in view.scheme.partnerships["partnership_id"] if pid in set(counted)]
    # Every area takes its style from its category's entry, the legend row of that category too.
    shown = with_category_styles(shown, {category.key: category for category in view.legend})
    legend = [legend_item(row.category, count=row.count, total=row.total, number=row.number)
              for row in coverage_legend(view, shown["nis"], counted)]
    conflicts = shown["nis"].isin(set(conflict_nis))
    if conflicts.any():
        legend.append(legend_item(Category(CONFLICT_KEY, conflict_label, "#FFFFFF", 0.0, outline=MERGER_CONFLICT),
                                  count=int(conflicts.sum())))
    outlines = partnership_outlines(view, mask)
    outlines = outlines[outlines["partnership_id"].isin(set(counted))].reset_index(drop=True)
    labels, centre_legend = _labels(view, mask, outlines, label_partnerships, counted)
    areas = gpd.GeoDataFrame(shown, geometry="geometry", crs=view.municipalities.crs)
    if conflicts.any():
        # The web map's conflict colour (analysis.mapstyle.MERGER_CONFLICT), apart from the overlaps' vermillion;
        # solid, unlike the dashed outline of an overlap, so the two read apart in grey print too.
        areas = inset_outlines(areas, conflicts.to_numpy(), MERGER_CONFLICT, category=CONFLICT_KEY)
    if title is None:
        title = "Indeling in referentieregio's" if _is_referentieregio(view) \
            else "Dekking door de samenwerkingsverbanden sociale economie"
    legend_title = ("Referentieregio" if _is_referentieregio(view) else "Samenwerkingsverband") \
        + " (aantal gemeenten)"
    return styled_print_map(areas, legend + centre_legend, title, subtitle_for(view, mask, filter_text),
                            source_line(view), legend_title=legend_title, outlines=outlines, labels=labels,
                            orientation=orientation, made_on=made_on, locator=locator_map(view, mask))


def inset_outlines(areas: gpd.GeoDataFrame, chosen, colour: str, dashed=False,
                   inset_share: float = INSET_SHARE, category: str | None = None) -> gpd.GeoDataFrame:
    """`areas` plus, for the `chosen` rows, an outline in `colour` just inside their border.

    Drawn inside, the outline stays visible where the border is also a partnership border (those outlines are
    drawn on top). The inset is `inset_share` of the larger side of the map, about half a millimetre on the
    page. `dashed` is one flag or one per chosen row. The extra rows have ``inset`` True, no fill and keep their
    ``nis`` (and, with `category`, that category key); `areas` itself is not changed.
    """
    minx, miny, maxx, maxy = areas.total_bounds
    inset = inset_share * max(maxx - minx, maxy - miny, 1.0)
    rings = areas[chosen].copy()
    shrunk = rings.geometry.buffer(-inset)
    rings["geometry"] = shrunk.where(~shrunk.is_empty, rings.geometry)  # too small to shrink: on the border
    rings = rings.assign(fill="#FFFFFF", fill_opacity=0.0, hatch=None, outline=colour, inset=True)
    rings["dashed"] = dashed if isinstance(dashed, bool) else list(dashed)
    if category is not None:
        rings["category"] = category
    combined = pd.concat([areas.assign(inset=False), rings], ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=areas.crs)


def gap_category(status: str, partnership_ids) -> str:
    """The gaps-map category of a municipality: overlap, covered, non_participant or unknown."""
    if partnership_ids is not None and not isinstance(partnership_ids, float) and len(partnership_ids) > 1:
        return "overlap"
    if status in (MEMBER_CONFIRMED, MEMBER_SUGGESTIVE):
        return "covered"
    if status == NON_PARTICIPANT:
        return "non_participant"
    return UNKNOWN


def gaps_print_map(view: CoverageView, mask: pd.Series | None = None, filter_text: str | None = "",
                   orientation: str = "landscape", label_partnerships: bool = False,
                   made_on: date | None = None) -> PrintMap:
    """Print version of the overlaps-and-gaps map (`ui.webmap.gaps_map`).

    Styles from `analysis.mapstyle.GAP_CATEGORIES` (the web map's table too): unknown in a strong hatched blue,
    non-participants white with a black outline, overlaps hatched and outlined (dashed) in the warning colour,
    covered municipalities light neutral; partnership outlines and centre cities.
    """
    shown = shown_municipalities(view, mask)
    shown["category"] = [gap_category(status, ids) for status, ids in zip(shown["status"], shown["partnership_ids"])]
    shown = with_category_styles(shown, GAP_CATEGORIES)
    categories = list(GAP_CATEGORIES.values())
    legend = legend_with_counts(categories, shown["category"])
    outlines = partnership_outlines(view, mask)
    labels, centre_legend = _labels(view, mask, outlines, label_partnerships)
    areas = gpd.GeoDataFrame(shown, geometry="geometry", crs=view.municipalities.crs)
    legend += [_outline_legend_item(view)] if not outlines.empty else []
    return styled_print_map(areas, legend + centre_legend, "Overlappingen en hiaten in de dekking",
                            subtitle_for(view, mask, filter_text), source_line(view),
                            legend_title="Gemeenten (aantal)", outlines=outlines, labels=labels,
                            orientation=orientation, made_on=made_on, locator=locator_map(view, mask))


# --- the indicator choropleth ----------------------------------------------------------------------------------
# Shared with the web map (ui.indicator_map), so the print version has the same classes, colours and legend.

INDICATOR_ZERO = "zero"
INDICATOR_ZERO_FILL = "#FFFFFF"
INDICATOR_ZERO_LABEL = "0 (nul)"
INDICATOR_OPACITY = 0.9
# flag -> (fill, hatch colour): drawn apart from every class and from each other
INDICATOR_NO_VALUE_STYLE = {
    FLAG_MISSING: ("#FFFFFF", "#8C8C8C"),
    FLAG_SUPPRESSED: ("#5E5E5E", "#FFFFFF"),
    FLAG_MERGED: ("#FFFFFF", "#7B3294"),
}
INDICATOR_NO_VALUE_LABELS = {
    FLAG_MISSING: "onbekend",
    FLAG_SUPPRESSED: "geheim (kleine aantallen)",
    FLAG_MERGED: "cijfer zit in het grootste deel (fusie 2025)",
}
HIGHLIGHT_ON_WARM = "#0072B2"  # Okabe-Ito blue: stands out on the yellow-orange-red ramp
HIGHLIGHT_ON_COOL = WARNING  # vermillion: stands out on the yellow-green-blue ramp
# status, dashed, label: municipalities without a known partnership, outlined on demand
NOT_COVERED_HIGHLIGHTS = ((UNKNOWN, True, "Zonder gekend verband: onbekend"),
                          (NON_PARTICIPANT, False, "Zonder gekend verband: neemt niet deel"))


@dataclass(frozen=True)
class IndicatorLegendRow:
    """One legend entry of the indicator choropleth: a class (key "0", "1", ...), zero or a no-value flag."""

    key: str
    label: str
    fill: str
    count: int
    hatch: str | None = None


def indicator_palette(k: int, higher_is_worse: bool | None) -> list[str]:
    """`k` colours of a ColorBrewer sequential ramp, light to dark (dark = more need).

    YlOrRd when a higher value means more need (reversed when a lower value does), YlGnBu for neutral indicators;
    both are colour-blind safe.
    """
    if k <= 0:
        return []
    name = "YlGnBu" if higher_is_worse is None else "YlOrRd"
    positions = np.linspace(0.15, 0.95, k) if k > 1 else np.array([0.6])
    colours = [to_hex(colormaps[name](float(p))).upper() for p in positions]
    return list(reversed(colours)) if higher_is_worse is False else colours


def highlight_colour(entry: Indicator) -> str:
    """The outline colour of municipalities without a known partnership: the one that stands out on the ramp."""
    return HIGHLIGHT_ON_COOL if entry.higher_is_worse is None else HIGHLIGHT_ON_WARM


def indicator_heading(entry: Indicator, year: int) -> str:
    """"Werkzoekendengraad (jaargemiddelde) 2024 (%)": the indicator, its year and unit."""
    unit = f" ({entry.unit})" if entry.unit else ""
    return f"{entry.label} {year}{unit}"


def indicator_classes(per_municipality: pd.DataFrame, method: str = QUANTILES,
                      k: int = 5) -> tuple[list[float], float | None]:
    """Class bounds and the lowest classified value, computed on the given municipalities (all of Flanders).

    Only known, non-zero values are classified (zero is a category of its own). `per_municipality` has ``value``
    and ``flag`` (as `analysis.indicators.municipality_values`). Returns ([], None) when nothing is known.
    """
    known = per_municipality.loc[per_municipality["flag"].isin(VALUE_FLAGS) & per_municipality["value"].notna()
                                 & (per_municipality["value"] != 0), "value"]
    return class_breaks(known, method, k), (float(known.min()) if len(known) else None)


def classify_indicator(table: pd.DataFrame, breaks: list[float], higher_is_worse: bool | None) -> pd.DataFrame:
    """Add ``class``, ``category`` (class "0", "1", ..., "zero" or the no-value flag), ``fill``, ``hatch`` and
    ``fill_opacity`` to a table with ``value`` and ``flag`` (a row without a flag is missing)."""
    table = table.copy()
    table["flag"] = table["flag"].fillna(FLAG_MISSING)
    table["value"] = table["value"].astype(float)
    valued = table["flag"].isin(VALUE_FLAGS)
    table.loc[valued & table["value"].isna(), "flag"] = FLAG_MISSING  # "ok" without a number
    valued = table["flag"].isin(VALUE_FLAGS)  # a merged municipality's figure for its largest part is classified
    table["value"] = table["value"].where(valued)
    zero = valued & (table["value"] == 0)
    classes = assign_classes(table["value"].where(~zero), breaks)
    colours = indicator_palette(len(breaks), higher_is_worse)
    categories, fills, hatches = [], [], []
    for is_zero, cls, flag in zip(zero, classes, table["flag"]):
        if is_zero:
            categories.append(INDICATOR_ZERO), fills.append(INDICATOR_ZERO_FILL), hatches.append(None)
        elif not pd.isna(cls):
            categories.append(str(int(cls))), fills.append(colours[int(cls)]), hatches.append(None)
        else:
            fill, hatch = INDICATOR_NO_VALUE_STYLE.get(flag, INDICATOR_NO_VALUE_STYLE[FLAG_MISSING])
            categories.append(flag), fills.append(fill), hatches.append(hatch)
    table["class"] = classes.to_numpy()
    table["category"] = categories
    table["fill"] = fills
    table["hatch"] = pd.Series(hatches, index=table.index, dtype=object)
    table["fill_opacity"] = INDICATOR_OPACITY
    return table


def indicator_legend_rows(table: pd.DataFrame, breaks: list[float], entry: Indicator,
                          minimum: float | None = None) -> list[IndicatorLegendRow]:
    """Every class with its bounds (Belgian notation) and the number of municipalities in `table` (also 0: the
    classes are those of all of Flanders), then zero and the no-value categories that occur."""
    colours = indicator_palette(len(breaks), entry.higher_is_worse)
    known = table.loc[table["category"].str.isdigit(), "value"]
    lowest = minimum if minimum is not None else (float(known.min()) if len(known) else 0.0)
    counts = table["category"].value_counts()
    rows = [IndicatorLegendRow(str(position), label, colour, int(counts.get(str(position), 0)))
            for position, (label, colour) in enumerate(zip(class_labels(breaks, lowest, entry.decimals), colours))]
    if counts.get(INDICATOR_ZERO, 0):
        rows.append(IndicatorLegendRow(INDICATOR_ZERO, INDICATOR_ZERO_LABEL, INDICATOR_ZERO_FILL,
                                       int(counts[INDICATOR_ZERO])))
    for flag in (FLAG_MISSING, FLAG_SUPPRESSED, FLAG_MERGED):
        if counts.get(flag, 0):
            fill, hatch = INDICATOR_NO_VALUE_STYLE[flag]
            rows.append(IndicatorLegendRow(flag, INDICATOR_NO_VALUE_LABELS[flag], fill, int(counts[flag]), hatch))
    return rows


def classification_text(method: str, n_classes: int) -> str:
    """"kwantielen (even veel gemeenten per klasse), 5 klassen, berekend op heel Vlaanderen"."""
    if n_classes == 0:
        return "geen klassen (geen enkel cijfer bekend)"
    label = CLASSIFICATIONS.get(method, method)
    return f"{label[:1].lower()}{label[1:]}, {n_classes} klasse{'n' if n_classes != 1 else ''}, berekend op heel " \
           "Vlaanderen"


def indicator_source_note(entry: Indicator, year: int, values: pd.DataFrame | None = None) -> SourceNote:
    """Where an indicator's figures come from, with its year and licence (for the source line and index.md)."""
    attribution = entry.source
    if not attribution and values is not None and "source" in values.columns:
        given = values.loc[values["indicator_id"] == entry.id, "source"].dropna()
        attribution = str(given.iloc[0]) if len(given) else ""
    source = SOURCES.get(entry.source_key) if entry.source_key else None
    if entry.id.startswith("upload:"):
        licence = "verantwoordelijkheid van wie de upload maakte"
    elif source is not None:
        licence = source.licence
    else:
        licence = "vrij hergebruik met bronvermelding"
    if not attribution:
        # Computed per map (area, density): from the boundaries and, for a density, Statbel's population.
        attribution = "berekend door Regiekaart uit de gemeentegrenzen" + \
            (" en de bevolking (Statbel)" if entry.numerator == "bevolking" else "")
    elif entry.derived:
        attribution = f"afgeleid door Regiekaart uit {attribution.removeprefix('Bron: ')}"
    return SourceNote(f"{entry.label} {year}", attribution, licence)


def indicator_print_map(view: CoverageView, mask: pd.Series | None, filter_text: str | None,
                        indicator_id: str | Indicator, year: int, values: pd.DataFrame, method: str = QUANTILES,
                        k: int = 5, orientation: str = "landscape", highlight_not_covered: bool = False, *,
                        catalogue: Mapping[str, Indicator] | None = None, label_partnerships: bool = False,
                        made_on: date | None = None) -> PrintMap:
    """Print version of the indicator choropleth (`ui.indicator_map.indicator_map`).

    `values` is the long format of `geodata.indicators` (``nis``, ``indicator_id``, ``year``, ``value``,
    ``flag``; a municipality without a row is missing); loading it is the caller's job. Classes (`method`, `k`)
    are computed on every municipality of the view (all of Flanders), so a filtered print keeps the colours of the
    whole map; only the municipalities in `mask` are drawn and counted in the legend. Zero, missing, suppressed
    and "only known for the merged municipality" are drawn apart from the classes and from each other, partnership
    outlines on top; `highlight_not_covered` outlines the municipalities without a known partnership (dashed:
    unknown, solid: not participating). The subtitle states the filters, the indicator year and the
    classification; the source line the indicator's source and year.
    """
    entry = entry_for(indicator_id, {**CATALOGUE, **(catalogue or {})})
    flanders = municipality_values(values, view.municipalities["nis"], entry.id, year)
    breaks, minimum = indicator_classes(flanders, method, k)
    shown = classify_indicator(shown_municipalities(view, mask).merge(flanders, on="nis", how="left"), breaks,
                               entry.higher_is_worse)
    shown["outline"] = pd.Series(None, index=shown.index, dtype=object)
    shown["dashed"] = False
    legend = [LegendItem(row.label, row.fill, INDICATOR_OPACITY, hatch_colour=row.hatch, count=row.count)
              for row in indicator_legend_rows(shown, breaks, entry, minimum)]
    extra = [f"{entry.label} {year}", "klassen: " + classification_text(method, len(breaks))]
    approximate = int((shown["flag"] == FLAG_APPROXIMATE).sum())
    if approximate:  # the merger rule of geodata.indicators: labelled wherever such a figure is shown
        extra.append(f"benadering: {approximate} gemeente{'n' if approximate != 1 else ''} met het cijfer van hun "
                     "fusiegemeente (2025)")
    areas = gpd.GeoDataFrame(shown, geometry="geometry", crs=view.municipalities.crs)
    if highlight_not_covered:
        colour = highlight_colour(entry)
        dashed_by_status = {status: dashed for status, dashed, _ in NOT_COVERED_HIGHLIGHTS}
        chosen = shown["status"].isin(dashed_by_status)
        for status, dashed, label in NOT_COVERED_HIGHLIGHTS:
            count = int((shown["status"] == status).sum())
            if count:
                legend.append(LegendItem(label, "#FFFFFF", 1.0, outline=colour, dashed=dashed, count=count))
        if chosen.any():
            areas = inset_outlines(areas, chosen.to_numpy(), colour,
                                   dashed=shown.loc[chosen, "status"].map(dashed_by_status).tolist())
        extra.append("gemeenten zonder gekend verband omlijnd")
    outlines = partnership_outlines(view, mask)
    if not outlines.empty:
        legend.append(_outline_legend_item(view))
    labels = partnership_labels(outlines) if label_partnerships and not outlines.empty else None
    unit = f"in {entry.unit} " if entry.unit else ""
    return styled_print_map(areas, legend, indicator_heading(entry, year), subtitle_for(view, mask, filter_text, extra),
                            source_line(view, [indicator_source_note(entry, year, values)]),
                            legend_title=f"Klasse {unit}(aantal gemeenten)", outlines=outlines, labels=labels,
                            orientation=orientation, made_on=made_on, locator=locator_map(view, mask))
