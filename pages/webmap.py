"""Folium maps for the dashboard: one GeoJSON layer per purpose, escaped text, legend and source line.

No Streamlit here, so maps can be built and inspected in tests. Every string that reaches the map's HTML
goes through `escape_text`, because folium inserts tooltip values into HTML as they are.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement, Template
from folium.plugins import StripePattern

FLANDERS_BOUNDS = [[50.68, 2.54], [51.51, 5.92]]  # south-west, north-east corners (lat, lon)
WARNING_COLOUR = "#D55E00"  # Okabe-Ito vermillion: stands out for every colour vision type
OUTLINE_COLOUR = "#4d4d4d"


def escape_text(value) -> str:
    """HTML-escape a value for a tooltip, popup or legend; also defuse ``${`` template syntax."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).replace("$", "&#36;").replace("`", "&#96;")


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str
    count: int | None = None
    outline: str | None = None
    hatched: bool = False
    dashed: bool = False
    opacity: float = 0.85


def base_map(bounds=None) -> folium.Map:
    """An empty map fitted to `bounds` ([[south, west], [north, east]]) or to Flanders."""
    fmap = folium.Map(tiles=None, prefer_canvas=False, control_scale=True, zoom_snap=0.25)
    folium.TileLayer("OpenStreetMap", name="Achtergrond (OpenStreetMap)", opacity=0.45).add_to(fmap)
    fmap.fit_bounds(bounds or FLANDERS_BOUNDS)
    return fmap


def _geojson_with_escaped_text(frame: gpd.GeoDataFrame, text_columns) -> str:
    frame = frame.copy()
    for column in text_columns:
        frame[column] = frame[column].map(escape_text)
    return frame.to_json(drop_id=True)


def add_area_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, tooltip: dict[str, str],
                   fill_column: str = "fill", opacity_column: str | None = "fill_opacity",
                   line_colour: str = OUTLINE_COLOUR, weight: float = 0.6, hatch_colour: str | None = None,
                   dash: str | None = None, show: bool = True, highlight: bool = True) -> folium.GeoJson | None:
    """Add polygons filled per row (colour in `fill_column`) with an escaped tooltip (column -> Dutch label)."""
    if frame.empty:
        return None
    keep = list(dict.fromkeys([*tooltip, fill_column, *([opacity_column] if opacity_column else []), "geometry"]))
    data = _geojson_with_escaped_text(frame[keep], [c for c in tooltip if c in frame.columns])
    pattern = None
    if hatch_colour:
        pattern = StripePattern(angle=-45, weight=2, space_weight=4, color=hatch_colour, opacity=0.9)
        pattern.add_to(fmap)

    def style(feature):
        props = feature["properties"]
        result = {"fillColor": props.get(fill_column, "#cccccc"), "color": line_colour, "weight": weight,
                  "fillOpacity": props.get(opacity_column, 0.8) if opacity_column else 0.8}
        if dash:
            result["dashArray"] = dash
        if pattern is not None:
            result["fillPattern"] = pattern
        return result

    layer = folium.GeoJson(
        data, name=name, show=show, style_function=style,
        highlight_function=(lambda _: {"weight": 2.5, "color": "#000000"}) if highlight else None,
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip), aliases=[f"{escape_text(a)}:" for a in tooltip.values()],
                                      sticky=True),
    )
    layer.add_to(fmap)
    return layer


def add_outline_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, colour: str = "#000000", weight: float = 2.2,
                      dash: str | None = None, tooltip: dict[str, str] | None = None) -> folium.GeoJson | None:
    """Add unfilled outlines (e.g. dissolved partnerships, or overlap warnings)."""
    if frame.empty:
        return None
    columns = list(tooltip or {})
    data = _geojson_with_escaped_text(frame[columns + ["geometry"]], columns)
    style = {"fillOpacity": 0, "color": colour, "weight": weight, "interactive": bool(tooltip)}
    if dash:
        style["dashArray"] = dash
    layer = folium.GeoJson(
        data, name=name, style_function=lambda _: style,
        tooltip=folium.GeoJsonTooltip(fields=columns, aliases=[f"{escape_text(a)}:" for a in tooltip.values()])
        if tooltip else None,
    )
    layer.add_to(fmap)
    return layer


def add_point_markers(fmap, points: gpd.GeoDataFrame, *, label_column: str, name: str, symbol: str = "★") -> None:
    """Mark points (e.g. standalone centre cities) with a text symbol and an escaped tooltip."""
    group = folium.FeatureGroup(name=name)
    for row in points.itertuples():
        label = escape_text(getattr(row, label_column))
        folium.Marker(
            [row.geometry.y, row.geometry.x], tooltip=label,
            icon=folium.DivIcon(html=f'<div class="rk-marker" style="font-size:18px;color:#000;'
                                     f'text-shadow:0 0 3px #fff,0 0 3px #fff">{symbol}</div>',
                                icon_size=(18, 18), icon_anchor=(9, 9)),
        ).add_to(group)
    group.add_to(fmap)


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div class="rk-legend" style="position:absolute;z-index:9999;bottom:28px;right:10px;background:rgba(255,255,255,.93);
 padding:8px 10px;border:1px solid #999;border-radius:4px;font:12px/1.35 sans-serif;max-height:60%;overflow:auto;">
{{ this.body }}
</div>
<div class="rk-source" style="position:absolute;z-index:9999;bottom:4px;left:60px;background:rgba(255,255,255,.85);
 padding:1px 6px;font:11px sans-serif;color:#333;">{{ this.source }}</div>
{% endmacro %}
"""


class _LegendAndSource(MacroElement):
    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, body: str, source: str):
        super().__init__()
        self.body = body
        self.source = source


def legend_html(title: str, entries: list[LegendEntry]) -> str:
    """The legend's inner HTML (escaped labels, swatches that repeat the map's fill, hatch and outline)."""
    rows = [f"<div style='font-weight:bold;margin-bottom:4px'>{escape_text(title)}</div>"]
    for entry in entries:
        background = entry.fill
        if entry.hatched:
            background = (f"repeating-linear-gradient(45deg,{entry.fill},{entry.fill} 3px,"
                          f"{entry.outline or '#555'} 3px,{entry.outline or '#555'} 4px)")
        border = f"2px {'dashed' if entry.dashed else 'solid'} {entry.outline}" if entry.outline else "1px solid #777"
        count = f" <span style='color:#555'>({entry.count})</span>" if entry.count is not None else ""
        rows.append(
            "<div class='rk-legend-entry' style='display:flex;align-items:center;gap:6px'>"
            f"<span style='display:inline-block;width:16px;height:12px;background:{background};"
            f"opacity:{entry.opacity};border:{border}'></span>"
            f"<span class='rk-legend-label'>{escape_text(entry.label)}</span>{count}</div>"
        )
    return "".join(rows)


def add_legend_and_source(fmap, title: str, entries: list[LegendEntry], source: str) -> None:
    """Put the legend (bottom right) and the source line (bottom left) on the map itself."""
    fmap.get_root().add_child(_LegendAndSource(legend_html(title, entries), escape_text(source)))


def finish(fmap, with_layer_control: bool = True) -> folium.Map:
    if with_layer_control:
        folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def bounds_of(frame: gpd.GeoDataFrame, padding: float = 0.02):
    """[[south, west], [north, east]] of a WGS84 frame, padded in degrees."""
    minx, miny, maxx, maxy = frame.total_bounds
    return [[miny - padding, minx - padding], [maxy + padding, maxx + padding]]


def geojson_payload_bytes(fmap: folium.Map) -> int:
    """Size in bytes of the map's standalone HTML (what the browser has to receive)."""
    return len(fmap.get_root().render().encode("utf-8"))


def feature_properties(fmap: folium.Map) -> list[dict]:
    """The properties of every feature of every GeoJSON layer (for tests)."""
    found = []
    for child in fmap._children.values():
        if isinstance(child, folium.GeoJson):
            data = child.data if isinstance(child.data, dict) else json.loads(child.data)
            found.extend(feature["properties"] for feature in data["features"])
    return found
