"""The indicator choropleth (folium), built without Streamlit so tests can inspect it.

Classes come from :func:`analysis.indicators.class_breaks` computed on all of Flanders, so a filtered view keeps
the same colours. Colours are ColorBrewer sequential ramps (colour-blind safe): YlOrRd when a higher value means
more need (reversed when a lower value does), YlGnBu for neutral indicators. Values that are not numbers are drawn
differently from any class and from each other: zero (plain white), missing (white, grey hatching), suppressed
(dark grey, white hatching) and "only known for the 2025 merged municipality" (white, purple hatching). The
municipalities without a known partnership are outlined, on demand, in blue (vermillion on the blue ramp).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from analysis.coverage import NON_PARTICIPANT, STATUS_LABELS_NL, UNKNOWN
from analysis.formatting import format_number
from analysis.indicators import assign_classes, class_labels
from geodata.indicators import FLAG_LABELS_NL, FLAG_MERGED, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED, Indicator
from pages.webmap import (
    LegendEntry, OUTLINE_COLOUR, WARNING_COLOUR, add_area_layer, add_legend_and_source, add_outline_layer, base_map,
    bounds_of, dissolved_partnerships, finish,
)

ZERO = "zero"
ZERO_FILL = "#FFFFFF"
# flag -> (fill, hatch colour)
NO_VALUE_STYLE = {
    FLAG_MISSING: ("#FFFFFF", "#8C8C8C"),
    FLAG_SUPPRESSED: ("#5E5E5E", "#FFFFFF"),
    FLAG_MERGED: ("#FFFFFF", "#7B3294"),
}
HIGHLIGHT_ON_WARM = "#0072B2"  # Okabe-Ito blue: stands out on the yellow-orange-red ramp
HIGHLIGHT_ON_COOL = WARNING_COLOUR  # vermillion: stands out on the yellow-green-blue ramp
NO_VALUE_LABELS = {
    FLAG_MISSING: "onbekend",
    FLAG_SUPPRESSED: "geheim (kleine aantallen)",
    FLAG_MERGED: "alleen gekend voor de fusiegemeente (2025)",
}
TOOLTIP = {"name": "Gemeente", "value_label": "Waarde", "status_label": "Status", "partnerships_label": "Verband(en)"}


def palette(k: int, higher_is_worse: bool | None) -> list[str]:
    """`k` colours of a ColorBrewer sequential ramp, light to dark (dark = more need)."""
    if k <= 0:
        return []
    name = "YlGnBu" if higher_is_worse is None else "YlOrRd"
    positions = np.linspace(0.15, 0.95, k) if k > 1 else np.array([0.6])
    colours = [to_hex(colormaps[name](float(p))).upper() for p in positions]
    return list(reversed(colours)) if higher_is_worse is False else colours


def value_text(value, flag: str, entry: Indicator) -> str:
    """A value as shown in tooltips and tables: Belgian notation with unit, or why there is none."""
    if flag != FLAG_OK or value is None or pd.isna(value):
        return NO_VALUE_LABELS.get(flag, FLAG_LABELS_NL.get(flag) or "onbekend")
    number = format_number(value, entry.decimals)
    return f"{number}%" if entry.unit == "%" else f"{number} {entry.unit}".rstrip()


def drawing_table(view, web: gpd.GeoDataFrame, values: pd.DataFrame, breaks: list[float], entry: Indicator,
                  mask=None) -> gpd.GeoDataFrame:
    """One WGS84 row per municipality in view: value, flag, class (or zero / a no-value flag), fill and texts.

    ``values``: ``nis``, ``value``, ``flag`` for every municipality of the map (absent codes are ``missing``).
    """
    from pages.webmap import municipality_table

    table = municipality_table(view, web)[["nis", "name", "status", "status_label", "partnerships_label",
                                            "partnership_ids", "geometry"]]
    if mask is not None:
        table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
    table = table.merge(values[["nis", "value", "flag"]], on="nis", how="left")
    table["flag"] = table["flag"].fillna(FLAG_MISSING)
    table["value"] = table["value"].astype(float).where(table["flag"] == FLAG_OK)
    zero = (table["flag"] == FLAG_OK) & (table["value"] == 0)
    classes = assign_classes(table["value"].where(~zero), breaks)
    colours = palette(len(breaks), entry.higher_is_worse)
    table["class"] = classes
    table["category"] = np.where(zero, ZERO, np.where(classes.notna(), classes.astype("Int64").astype(str),
                                                      table["flag"]))
    table["fill"] = [ZERO_FILL if cat == ZERO else colours[int(cls)] if not pd.isna(cls)
                     else NO_VALUE_STYLE.get(flag, NO_VALUE_STYLE[FLAG_MISSING])[0]
                     for cat, cls, flag in zip(table["category"], table["class"], table["flag"])]
    table["hatch"] = [NO_VALUE_STYLE.get(flag, NO_VALUE_STYLE[FLAG_MISSING])[1]
                      if cat not in (ZERO,) and pd.isna(cls) else None
                      for cat, cls, flag in zip(table["category"], table["class"], table["flag"])]
    table["fill_opacity"] = 0.9
    table["value_label"] = [value_text(v, f, entry) for v, f in zip(table["value"], table["flag"])]
    table["status_label"] = table["status_label"].fillna("onbekend")
    return gpd.GeoDataFrame(table, geometry="geometry", crs=web.crs)


def indicator_map(view, web: gpd.GeoDataFrame, values: pd.DataFrame, breaks: list[float], entry: Indicator,
                  year: int, mask=None, source: str = "", highlight_not_covered: bool = False,
                  minimum: float | None = None, title: str | None = None) -> folium.Map:
    """The choropleth: classes, zero and no-value categories, partnership outlines on top, optionally the
    municipalities without a known partnership outlined, a legend with class bounds and counts, and the source."""
    table = drawing_table(view, web, values, breaks, entry, mask)
    fmap = base_map(bounds_of(table) if len(table) else None)
    plain = table[table["hatch"].isna()]
    add_area_layer(fmap, plain, name=f"{entry.label} {year}", tooltip=TOOLTIP)
    for flag, group in table[table["hatch"].notna()].groupby("flag"):
        add_area_layer(fmap, group, name=NO_VALUE_LABELS.get(flag, flag).capitalize(), tooltip=TOOLTIP,
                       hatch_colour=group["hatch"].iloc[0])
    in_view = set(table["partnership_ids"].explode().dropna())
    add_outline_layer(fmap, dissolved_partnerships(view, web, in_view), name="Grenzen samenwerkingsverbanden",
                      colour="#222222", weight=1.6, tooltip={"name": "Samenwerkingsverband"})
    entries = legend_entries(table, breaks, entry, minimum)
    if highlight_not_covered:
        colour = HIGHLIGHT_ON_COOL if entry.higher_is_worse is None else HIGHLIGHT_ON_WARM
        for status, dash, label in ((UNKNOWN, "5 4", "Zonder gekend verband: onbekend"),
                                    (NON_PARTICIPANT, None, "Zonder gekend verband: neemt niet deel")):
            chosen = table[table["status"] == status]
            add_outline_layer(fmap, chosen, name=label, colour=colour, weight=3.0, dash=dash,
                              tooltip={"name": "Gemeente", "status_label": "Status"})
            if len(chosen):
                entries.append(LegendEntry(label, "#FFFFFF", len(chosen), outline=colour,
                                           dashed=dash is not None, opacity=1.0))
    entries.append(LegendEntry("Grens samenwerkingsverband", "#FFFFFF", None, outline="#222222", opacity=1.0))
    heading = title or f"{entry.label} {year}" + (f" ({entry.unit})" if entry.unit and entry.unit != "%" else
                                                  " (%)" if entry.unit == "%" else "")
    add_legend_and_source(fmap, heading, entries, source)
    return finish(fmap)


def legend_entries(table: pd.DataFrame, breaks: list[float], entry: Indicator,
                   minimum: float | None = None) -> list[LegendEntry]:
    """Class bounds with the number of municipalities in view, then zero and the no-value categories."""
    colours = palette(len(breaks), entry.higher_is_worse)
    known = table.loc[table["category"].str.isdigit(), "value"]
    lowest = minimum if minimum is not None else (float(known.min()) if len(known) else 0.0)
    counts = table["category"].value_counts()
    entries = [LegendEntry(label, colour, int(counts.get(str(position), 0)), opacity=0.9)
               for position, (label, colour) in enumerate(zip(class_labels(breaks, lowest, entry.decimals), colours))]
    if counts.get(ZERO, 0):
        entries.append(LegendEntry("0 (nul)", ZERO_FILL, int(counts[ZERO]), outline=OUTLINE_COLOUR, opacity=0.9))
    for flag in (FLAG_MISSING, FLAG_SUPPRESSED, FLAG_MERGED):
        if counts.get(flag, 0):
            fill, hatch = NO_VALUE_STYLE[flag]
            entries.append(LegendEntry(NO_VALUE_LABELS[flag], fill, int(counts[flag]), outline=hatch, hatched=True,
                                       opacity=0.9))
    return entries


def status_text(status: str) -> str:
    return STATUS_LABELS_NL.get(status, "onbekend")
