"""The indicator choropleth (folium), built without Streamlit so tests can inspect it.

Classes come from :func:`analysis.indicators.class_breaks` computed on all of Flanders, so a filtered view keeps
the same colours. Colours are ColorBrewer sequential ramps (colour-blind safe): YlOrRd when a higher value means
more need (reversed when a lower value does), YlGnBu for neutral indicators. Values that are not numbers are drawn
differently from any class and from each other: zero (plain white), missing (white, grey hatching), suppressed
(dark grey, white hatching) and "the figure sits in the largest part of the 2025 merged municipality" (white,
purple hatching). That largest part is coloured by the merged municipality's figure, and its tooltip says it is an
approximation (the merger rule of :mod:`geodata.indicators`). The
municipalities without a known partnership are outlined, on demand, in blue (vermillion on the blue ramp).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from analysis.figures import (
    INDICATOR_NO_VALUE_LABELS,
    INDICATOR_OPACITY,
    INDICATOR_ZERO,
    NOT_COVERED_HIGHLIGHTS,
    classify_indicator,
    highlight_colour,
    indicator_heading,
    indicator_legend_rows,
)
from analysis.formatting import format_number
from geodata.indicator_model import FLAG_APPROXIMATE, FLAG_MERGED, VALUE_FLAGS, Indicator, flag_text
from ui.webmap import (
    OUTLINE_COLOUR,
    LegendEntry,
    add_area_layer,
    add_legend_and_source,
    add_outline_layer,
    base_map,
    bounds_of,
    dissolved_partnerships,
    finish,
    municipality_table,
)

# The styles live in analysis.figures so the print version (indicator_print_map) draws exactly the same.
TOOLTIP = {"name": "Gemeente", "value_label": "Waarde", "status_label": "Status", "partnerships_label": "Verband(en)"}


def value_text(value, flag: str, entry: Indicator, note: str | None = None) -> str:
    """A value as shown in tooltips and tables: Belgian notation with unit, or why there is none.

    ``note`` is the municipality's merger note (:func:`geodata.crosswalk.merger_notes`): an approximate figure gets
    it in brackets ("14,0% (benadering: cijfer van fusiegemeente Antwerpen (2025) = Antwerpen + Borsbeek)"), a part
    without a figure of its own shows it instead ("cijfer zit in Antwerpen (fusie 2025)").
    """
    if flag not in VALUE_FLAGS or value is None or pd.isna(value):
        if flag == FLAG_MERGED and note:
            return note
        return INDICATOR_NO_VALUE_LABELS.get(flag) or flag_text(flag) or "onbekend"
    number = format_number(value, entry.decimals)
    text = f"{number}%" if entry.unit == "%" else f"{number} {entry.unit}".rstrip()
    return f"{text} ({note or flag_text(flag)})" if flag == FLAG_APPROXIMATE else text


def drawing_table(view, web: gpd.GeoDataFrame, values: pd.DataFrame, breaks: list[float], entry: Indicator,
                  mask=None, notes: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """One WGS84 row per municipality in view: value, flag, class (or zero / a no-value flag), fill and texts.

    ``values``: ``nis``, ``value``, ``flag`` for every municipality of the map (absent codes are ``missing``);
    ``notes``: the merger notes of the map (:func:`geodata.crosswalk.merger_notes`) for the tooltips.
    """
    table = municipality_table(view, web)[["nis", "name", "status", "status_label", "partnerships_label",
                                            "partnership_ids", "geometry"]]
    if mask is not None:
        table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
    table = table.merge(values[["nis", "value", "flag"]], on="nis", how="left")
    table = classify_indicator(table, breaks, entry.higher_is_worse)
    notes = notes or {}
    table["value_label"] = [value_text(v, f, entry, notes.get(nis))
                            for nis, v, f in zip(table["nis"], table["value"], table["flag"])]
    table["status_label"] = table["status_label"].fillna("onbekend")
    return gpd.GeoDataFrame(table, geometry="geometry", crs=web.crs)


def indicator_map(view, web: gpd.GeoDataFrame, values: pd.DataFrame, breaks: list[float], entry: Indicator,
                  year: int, mask=None, source: str = "", highlight_not_covered: bool = False,
                  minimum: float | None = None, title: str | None = None,
                  notes: dict[str, str] | None = None) -> folium.Map:
    """The choropleth: classes, zero and no-value categories, partnership outlines on top, optionally the
    municipalities without a known partnership outlined, a legend with class bounds and counts, and the source.
    ``notes``: merger notes for the tooltips (see :func:`drawing_table`)."""
    table = drawing_table(view, web, values, breaks, entry, mask, notes)
    fmap = base_map(bounds_of(table) if len(table) else None)
    plain = table[table["hatch"].isna()]
    add_area_layer(fmap, plain, name=f"{entry.label} {year}", tooltip=TOOLTIP)
    for flag, group in table[table["hatch"].notna()].groupby("flag"):
        add_area_layer(fmap, group, name=INDICATOR_NO_VALUE_LABELS.get(flag, flag).capitalize(), tooltip=TOOLTIP,
                       hatch_colour=group["hatch"].iloc[0])
    in_view = set(table["partnership_ids"].explode().dropna())
    add_outline_layer(fmap, dissolved_partnerships(view, web, in_view), name="Grenzen samenwerkingsverbanden",
                      colour="#222222", weight=1.6, tooltip={"name": "Samenwerkingsverband"})
    entries = legend_entries(table, breaks, entry, minimum)
    if highlight_not_covered:
        colour = highlight_colour(entry)
        for status, dashed, label in NOT_COVERED_HIGHLIGHTS:
            chosen = table[table["status"] == status]
            add_outline_layer(fmap, chosen, name=label, colour=colour, weight=3.0, dash="5 4" if dashed else None,
                              tooltip={"name": "Gemeente", "status_label": "Status"})
            if len(chosen):
                entries.append(LegendEntry(label, "#FFFFFF", len(chosen), outline=colour, dashed=dashed,
                                           opacity=1.0))
    entries.append(LegendEntry("Grens samenwerkingsverband", "#FFFFFF", None, outline="#222222", opacity=1.0))
    heading = title or indicator_heading(entry, year)
    add_legend_and_source(fmap, heading, entries, source)
    return finish(fmap)


def legend_entries(table: pd.DataFrame, breaks: list[float], entry: Indicator,
                   minimum: float | None = None) -> list[LegendEntry]:
    """Class bounds with the number of municipalities in view, then zero and the no-value categories."""
    entries = []
    for row in indicator_legend_rows(table, breaks, entry, minimum):
        if row.key == INDICATOR_ZERO:
            entries.append(LegendEntry(row.label, row.fill, row.count, outline=OUTLINE_COLOUR,
                                       opacity=INDICATOR_OPACITY))
        else:
            entries.append(LegendEntry(row.label, row.fill, row.count, outline=row.hatch,
                                       hatched=row.hatch is not None, opacity=INDICATOR_OPACITY))
    return entries

