"""Folium maps for the dashboard: one GeoJSON layer per purpose, escaped text, legend and source line.

No Streamlit here, so maps can be built and inspected in tests. Every string that reaches the map's HTML
goes through `escape_text`, because folium inserts tooltip values into HTML as they are.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import shutil
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xyzservices
from branca.element import Element, MacroElement, Template
from folium.map import Layer
from folium.utilities import get_obj_in_upper_tree

FLANDERS_BOUNDS = [[50.68, 2.54], [51.51, 5.92]]  # south-west, north-east corners (lat, lon)
OSM_TILES = xyzservices.providers.OpenStreetMap.Mapnik  # what folium.TileLayer("OpenStreetMap") resolves to
WARNING_COLOUR = "#D55E00"  # Okabe-Ito vermillion: stands out for every colour vision type
OUTLINE_COLOUR = "#4d4d4d"

# Leaflet is served by the dashboard itself (Streamlit static serving), so maps work without internet.
# The files come from the PyPI package django-js-lib-leaflet (Leaflet 1.9.4, BSD-2-Clause, static files only).
LEAFLET_JS = "/app/static/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/leaflet/leaflet.css"


def install_leaflet_assets(static_dir: Path) -> Path:
    """Copy Leaflet's JS, CSS and marker images into `static_dir`/leaflet (idempotent)."""
    source = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    target = Path(static_dir) / "leaflet"
    if not (target / "leaflet.js").is_file():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copyfile(str(source / name), target / name)
        shutil.copytree(str(source / "images"), target / "images", dirs_exist_ok=True)
    return target


_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")


def escape_text(value) -> str:
    """HTML-escape a value for a tooltip, popup or legend; also defuse template syntax: ``${`` (JavaScript
    template literals) and ``{{``, ``{%``, ``{#`` (Jinja: branca compiles every rendered element as a template
    again, so a name like ``{{ 7*7 }}`` would otherwise be evaluated on the server)."""
    if value is None:
        return ""
    text = html.escape(str(value), quote=True).replace("$", "&#36;").replace("`", "&#96;")
    return _JINJA_OPENERS.sub("&#123;", text)


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
    fmap = folium.Map(tiles=None, prefer_canvas=False, control_scale=False, zoom_snap=0.25)
    fmap.add_child(_MetricScale())
    # Only Leaflet itself: no jQuery, Bootstrap or icon fonts from CDNs (nothing here uses them).
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap._rk_hatches = set()
    # The provider object itself: looking "OpenStreetMap" up by name walks every xyzservices provider (~8 ms).
    folium.TileLayer(OSM_TILES, name="Achtergrond (OpenStreetMap)", opacity=0.45).add_to(fmap)
    fmap._rk_bounds = bounds or FLANDERS_BOUNDS
    fmap.fit_bounds(fmap._rk_bounds)
    return fmap


def _refit(fmap, estimated_legend_px: int) -> None:
    """Fit the map to its bounds again, above the legend strip along its bottom.

    The browser measures the strip as laid out: on a narrow map (Dekking, Fusies 2025) its entries wrap into
    fewer columns than the server can know, and an estimate would let the strip hide part of Flanders. The
    estimate is only the fallback for a strip that is not laid out yet.
    """
    from folium.map import FitBounds

    for name, child in list(fmap._children.items()):
        if isinstance(child, (FitBounds, _FitAboveLegend)):
            del fmap._children[name]
    fmap.add_child(_FitAboveLegend(fmap._rk_bounds, estimated_legend_px))


# --- Compact GeoJSON layers ------------------------------------------------------------------------------
#
# folium.GeoJson serialises its data on every render (streamlit-folium renders a map three times), calls the
# style function for every feature and writes a JavaScript switch with one case per feature, and walks every
# coordinate in Python to find the bounds. `_FeatureLayer` instead keeps the layer as one ready JSON text:
# polygon rings as integers of 1e-5 degree (the web layer's 5 decimals), first vertex absolute and the others as
# differences, decoded to ordinary GeoJSON in the browser before Leaflet sees it. Shared borders stay identical
# (the same vertices give the same integers). The style is one small JavaScript function of the feature's own
# fill and opacity properties. A feature's encoded geometry is cached by content, so a filter change only
# selects features that were encoded before.

COORDINATE_SCALE = 100_000  # 1e-5 degree, about 1 m: the web layer's precision (geodata.weblayer)

_DECODER_JS = (
    "window.rkDecode=window.rkDecode||function(c){var s=1e-5;c.features.forEach(function(f){if(!f.q){return;}"
    "var p=f.q.map(function(poly){return poly.map(function(r){var o=[],x=0,y=0;for(var i=0;i<r.length;i+=2)"
    "{x+=r[i];y+=r[i+1];o.push([x*s,y*s]);}return o;});});"
    "f.geometry=p.length===1?{type:'Polygon',coordinates:p[0]}:{type:'MultiPolygon',coordinates:p};"
    "delete f.q;});return c;};"
)


class _EncodedGeometries:
    """Encoded geometry text per geometry, keyed by a digest of its WKB (bounded, thread-safe)."""

    def __init__(self, max_entries: int = 60_000):
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def encode(self, geometries) -> list[str]:
        geometries = np.asarray(geometries, dtype=object)
        keys = [None if wkb is None else hashlib.blake2b(wkb, digest_size=16).digest()
                for wkb in shapely.to_wkb(geometries)]
        texts: list[str | None] = [None] * len(keys)
        with self._lock:
            for position, key in enumerate(keys):
                if key is not None and key in self._entries:
                    self._entries.move_to_end(key)
                    texts[position] = self._entries[key]
        missing = [position for position, text in enumerate(texts) if text is None]
        fresh = {position: _encode_geometry(geometries[position]) for position in missing}
        with self._lock:
            for position, text in fresh.items():
                texts[position] = text
                if keys[position] is not None:
                    self._entries[keys[position]] = text
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return texts

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_ENCODED = _EncodedGeometries()


def _ring_deltas(ring) -> list[int]:
    points = np.rint(shapely.get_coordinates(ring) * COORDINATE_SCALE).astype(np.int64)
    points[1:] = np.diff(points, axis=0)
    return points.ravel().tolist()


def _encode_geometry(geometry) -> str:
    """The JSON members of one feature's geometry: ``"q":[...]`` for (multi)polygons, else ``"geometry":...``."""
    if geometry is None or geometry.is_empty:
        return '"geometry":null'
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        polygons = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
        rings = [[_ring_deltas(polygon.exterior), *(_ring_deltas(hole) for hole in polygon.interiors)]
                 for polygon in polygons if not polygon.is_empty]
        return '"q":' + json.dumps(rings, separators=(",", ":"))
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, 5))
    return '"geometry":' + json.dumps(shapely.geometry.mapping(rounded), separators=(",", ":"))


def _json_value(value):
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _script_safe(text: str) -> str:
    """JSON text that can stand inside a <script> element (as jinja's tojson does) and holds no Jinja opener
    (JSON structure never has one; inside strings "{" becomes its \\u escape)."""
    text = (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("'", "\\u0027").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return _JINJA_OPENERS.sub(r"\\u007b", text)


class _RawText(Element):
    """Text that is already rendered: put into the page as it is, never compiled as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _Prerendered:
    """Mixin for MacroElements: put the rendered header/html/script macros into the page as finished text.

    branca's MacroElement.render compiles every rendered macro as a Jinja template again before it is used. That
    costs time (streamlit-folium renders a map three times per run) and would evaluate ``{{ ... }}`` hidden in
    data. Layers using this mixin add themselves to their parent in their own script (no ElementAddToElement).
    """

    def render(self, **kwargs):
        figure = self.get_root()
        module = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = module.get(part)
            if macro is not None:
                target.add_child(_RawText(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _Features:
    """Features of a layer: escaped properties, geometries and each feature's finished JSON text."""

    def __init__(self, properties: list[dict], geometries: np.ndarray, texts: list[str]):
        self.properties = properties
        self.geometries = geometries
        self.texts = texts

    @classmethod
    def from_frame(cls, frame: gpd.GeoDataFrame, property_columns, text_columns) -> "_Features":
        """Features of every row; `text_columns` are escaped with :func:`escape_text`."""
        table = frame[list(property_columns)].copy() if len(property_columns) else pd.DataFrame(index=frame.index)
        for column in text_columns:
            table[column] = table[column].map(escape_text)
        properties = [{key: _json_value(value) for key, value in row.items()} for row in table.to_dict("records")]
        geometries = np.asarray(frame.geometry.values, dtype=object)
        geometry_texts = _ENCODED.encode(geometries)
        texts = ['{"type":"Feature","properties":' + json.dumps(props, ensure_ascii=False, separators=(",", ":"))
                 + "," + geometry + "}" for props, geometry in zip(properties, geometry_texts)]
        return cls(properties, geometries, texts)

    def take(self, positions) -> "_Features":
        positions = list(positions)
        return _Features([self.properties[i] for i in positions], self.geometries[positions],
                         [self.texts[i] for i in positions])

    def __len__(self) -> int:
        return len(self.texts)

    def collection_text(self) -> str:
        return _script_safe('{"type":"FeatureCollection","features":[' + ",".join(self.texts) + "]}")

    def bounds(self):
        if not len(self):
            return [[None, None], [None, None]]
        minx, miny, maxx, maxy = shapely.total_bounds(self.geometries)
        return [[float(miny), float(minx)], [float(maxy), float(maxx)]]

    def geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": dict(props),
             "geometry": None if geometry is None or geometry.is_empty else shapely.geometry.mapping(geometry)}
            for props, geometry in zip(self.properties, self.geometries)]}


class _FeatureLayer(_Prerendered, folium.GeoJson):
    """A GeoJSON layer sent as one compact, cached JSON text (see the comment above)."""

    _template = Template("""
{% macro script(this, kwargs) %}
""" + _DECODER_JS + """
var {{ this.get_name() }} = L.geoJson(null, {
    style: function (feature) {
        var p = feature.properties || {}, s = {{ this.base_style|tojson }};
        {%- if this.fill_column %}
        var fill = p[{{ this.fill_column|tojson }}] || "#cccccc";
        s.fillColor = {% if this.hatch_colour %}"url(#rkh-" + String(fill).replace("#", "") + "-{{ this.hatch_colour.lstrip('#') }})"{% else %}fill{% endif %};
        {%- endif %}
        {%- if this.opacity_column %}
        var opacity = p[{{ this.opacity_column|tojson }}];
        s.fillOpacity = (opacity === null || opacity === undefined) ? 0.8 : opacity;
        {%- endif %}
        return s;
    },
    onEachFeature: function (feature, layer) {
        {%- if this.highlight_style %}
        layer.on({
            mouseover: function (e) {
                if (typeof e.target.setStyle === "function") { e.target.setStyle({{ this.highlight_style|tojson }}); }
            },
            mouseout: function (e) {
                if (typeof e.target.setStyle === "function") { {{ this.get_name() }}.resetStyle(e.target); }
            }
        });
        {%- endif %}
    }
});
{{ this.get_name() }}.addData(window.rkDecode({{ this.data_text }}));
{%- if this.tooltip_fields %}
{{ this.get_name() }}.bindTooltip(function (layer) {
    var p = layer.feature.properties || {}, fields = {{ this.tooltip_fields|tojson }},
        aliases = {{ this.tooltip_aliases|tojson }};
    return "<table>" + fields.map(function (field, i) {
        var value = p[field];
        return "<tr><th style=\\"text-align:left;padding:2px 8px 2px 2px\\">" + aliases[i] +
               "</th><td style=\\"text-align:left\\">" + (value === null || value === undefined ? "" : value) +
               "</td></tr>";
    }).join("") + "</table>";
}, {"sticky": true, "className": "foliumtooltip"});
{%- endif %}
{%- if this.show %}
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{%- endif %}
{% endmacro %}
""")

    def __init__(self, features: "_Features", *, name: str, base_style: dict, fill_column: str | None = None,
                 opacity_column: str | None = None, hatch_colour: str | None = None,
                 highlight_style: dict | None = None, tooltip: dict[str, str] | None = None, show: bool = True):
        # Leaflet's layer control shows layer names as HTML.
        Layer.__init__(self, name=escape_text(name), overlay=True, control=True, show=show)
        self._name = "GeoJson"
        self.embed = True
        self.style = False  # folium's own style machinery is not used
        self.highlight = False
        self.base_style = base_style
        self.fill_column = fill_column
        self.opacity_column = opacity_column
        self.hatch_colour = hatch_colour
        self.highlight_style = highlight_style
        self.tooltip_fields = list(tooltip or {})
        self.tooltip_aliases = [f"{escape_text(alias)}:" for alias in (tooltip or {}).values()]
        self.features = features
        self.data_text = features.collection_text()
        self._bounds = features.bounds()

    @property
    def data(self) -> dict:
        """The layer as an ordinary GeoJSON FeatureCollection (for inspection; built on demand)."""
        return self.features.geojson()

    def _get_self_bounds(self):
        return self._bounds

    def render(self, **kwargs):
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        _Prerendered.render(self, **kwargs)


def add_area_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, tooltip: dict[str, str],
                   fill_column: str = "fill", opacity_column: str | None = "fill_opacity",
                   line_colour: str = OUTLINE_COLOUR, weight: float = 0.6, hatch_colour: str | None = None,
                   dash: str | None = None, show: bool = True, highlight: bool = True) -> folium.GeoJson | None:
    """Add polygons filled per row (colour in `fill_column`) with an escaped tooltip (column -> Dutch label)."""
    if frame.empty:
        return None
    keep = list(dict.fromkeys([*tooltip, fill_column, *([opacity_column] if opacity_column else [])]))
    features = _Features.from_frame(frame, keep, [c for c in tooltip if c in frame.columns])
    return _add_feature_layer(fmap, features, name=name, tooltip=tooltip, fill_column=fill_column,
                              opacity_column=opacity_column, line_colour=line_colour, weight=weight,
                              hatch_colour=hatch_colour, dash=dash, show=show, highlight=highlight)


def _add_feature_layer(fmap, features: _Features, *, name: str, tooltip: dict[str, str], fill_column: str,
                       opacity_column: str | None, line_colour: str, weight: float, hatch_colour: str | None,
                       dash: str | None, show: bool, highlight: bool) -> "_FeatureLayer":
    if hatch_colour:
        for fill in dict.fromkeys(props.get(fill_column) or "#cccccc" for props in features.properties):
            hatch_fill(fmap, str(fill), hatch_colour)
    base_style = {"color": line_colour, "weight": weight, "fillOpacity": 0.8}
    if dash:
        base_style["dashArray"] = dash
    layer = _FeatureLayer(features, name=name, base_style=base_style, fill_column=fill_column,
                          opacity_column=opacity_column, hatch_colour=hatch_colour,
                          highlight_style={"weight": 2.5, "color": "#000000"} if highlight else None,
                          tooltip=tooltip, show=show)
    layer.add_to(fmap)
    return layer


def add_outline_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, colour: str = "#000000", weight: float = 2.2,
                      dash: str | None = None, tooltip: dict[str, str] | None = None) -> folium.GeoJson | None:
    """Add unfilled outlines (e.g. dissolved partnerships, or overlap warnings)."""
    if frame.empty:
        return None
    columns = list(tooltip or {})
    return _add_outline_features(fmap, _Features.from_frame(frame, columns, columns), name=name, colour=colour,
                                 weight=weight, dash=dash, tooltip=tooltip)


def _add_outline_features(fmap, features: _Features, *, name: str, colour: str, weight: float, dash: str | None,
                          tooltip: dict[str, str] | None) -> "_FeatureLayer":
    style = {"fillOpacity": 0, "color": colour, "weight": weight, "interactive": bool(tooltip)}
    if dash:
        style["dashArray"] = dash
    layer = _FeatureLayer(features, name=name, base_style=style, tooltip=tooltip)
    layer.add_to(fmap)
    return layer


def add_point_markers(fmap, points: gpd.GeoDataFrame, *, label_column: str, name: str, symbol: str = "★") -> None:
    """Mark points (e.g. standalone centre cities) with a text symbol and an escaped tooltip."""
    _add_markers(fmap, [((row.geometry.y, row.geometry.x), getattr(row, label_column))
                        for row in points.itertuples()], name=name, symbol=symbol)


class _MarkerLayer(_Prerendered, Layer):
    """Text-symbol markers with escaped tooltips, as one layer (one script instead of three elements each)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
{{ this.markers_json }}.forEach(function (m) {
    L.marker([m[0], m[1]], {icon: L.divIcon({html: {{ this.icon_html_json }}, iconSize: [18, 18],
                                               iconAnchor: [9, 9], className: "empty"})})
        .bindTooltip("<div>" + m[2] + "</div>", {"sticky": true})
        .addTo({{ this.get_name() }});
});
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, points, *, name: str, symbol: str):
        super().__init__(name=escape_text(name), overlay=True, control=True, show=True)
        self._name = "FeatureGroup"
        self.points = [(float(lat), float(lon), escape_text(label)) for (lat, lon), label in points]
        self.markers_json = _script_safe(json.dumps(self.points, ensure_ascii=False, separators=(",", ":")))
        self.icon_html_json = _script_safe(json.dumps(
            f'<div class="rk-marker" style="font-size:18px;color:#000;text-shadow:0 0 3px #fff,0 0 3px #fff">'
            f"{escape_text(symbol)}</div>"))

    def _get_self_bounds(self):
        if not self.points:
            return [[None, None], [None, None]]
        return [[min(p[0] for p in self.points), min(p[1] for p in self.points)],
                [max(p[0] for p in self.points), max(p[1] for p in self.points)]]


def _add_markers(fmap, points, *, name: str, symbol: str = "★") -> None:
    """`points`: ((lat, lon), label) pairs; labels are escaped here."""
    _MarkerLayer(points, name=name, symbol=symbol).add_to(fmap)


# Legend and source line share one column anchored above Leaflet's attribution, so however the source line
# wraps on a narrow map, the two never overlap. The column itself lets clicks through to the map.
_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div class="rk-bottom" style="position:absolute;z-index:9999;bottom:18px;left:10px;right:10px;max-height:50%;
 display:flex;flex-direction:column;align-items:stretch;gap:3px;pointer-events:none;font:11px/1.3 sans-serif;">
<details open class="rk-legend" style="pointer-events:auto;min-height:0;overflow:auto;background:rgba(255,255,255,.94);
 padding:5px 9px;border:1px solid #999;border-radius:4px;">
<summary style="cursor:pointer;font-weight:bold">{{ this.title }}</summary>
<div class="rk-legend-body" style="margin-top:4px;{{ this.columns_css }}">{{ this.body }}</div>
</details>
<div class="rk-source" style="pointer-events:auto;align-self:flex-start;background:rgba(255,255,255,.88);
 padding:1px 6px;color:#333;">{{ this.source }}</div>
</div>
{% endmacro %}
"""

_SCALE_TEMPLATE = """
{% macro script(this, kwargs) %}
L.control.scale({position: "topleft", metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class _MetricScale(_Prerendered, MacroElement):
    """A metric scale bar under the zoom buttons (the bottom of the map belongs to the legend)."""

    _template = Template(_SCALE_TEMPLATE)


_FIT_ABOVE_LEGEND_TEMPLATE = """
{% macro script(this, kwargs) %}
(function (map) {
  var strip = map.getContainer().ownerDocument.querySelector(".rk-bottom");
  var fitting = false, moved_by_user = false;
  map.on("movestart zoomstart", function () { if (!fitting) { moved_by_user = true; } });
  function fit() {
    if (moved_by_user) { return; }
    var bottom = strip && strip.offsetHeight ? strip.offsetHeight + 18 : {{ this.estimate }};  // + its bottom:18px
    fitting = true;
    map.invalidateSize({pan: false});
    map.fitBounds({{ this.bounds }}, {paddingBottomRight: [0, bottom], animate: false});
    fitting = false;
  }
  fit();
  // The strip and the map get their final size only after the page's layout settles (and the strip wraps
  // differently at each width): fit again until the user moves the map.
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(fit);
    observer.observe(map.getContainer());
    if (strip) { observer.observe(strip); }
  }
})({{ this._parent.get_name() }});
{% endmacro %}
"""


class _FitAboveLegend(_Prerendered, MacroElement):
    """Fit the map to `bounds` ([[south, west], [north, east]]) in the part above the legend strip."""

    _template = Template(_FIT_ABOVE_LEGEND_TEMPLATE)

    def __init__(self, bounds, estimate_px: int):
        super().__init__()
        self.bounds = json.dumps([[float(v) for v in corner] for corner in bounds])
        self.estimate = int(estimate_px)


class _LegendAndSource(_Prerendered, MacroElement):
    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, title: str, body: str, source: str, n_entries: int):
        super().__init__()
        self.title = title
        self.body = body
        self.source = source
        # At most this many columns, each at least 15em wide: a narrow map (Fusies 2025) gets fewer.
        self.columns_css = f"columns:15em {legend_columns(n_entries)};column-gap:16px;"


LEGEND_ROW_PX = 15


def legend_columns(n_entries: int) -> int:
    """Columns of the legend strip along the bottom of the map: more entries, more columns (1-3)."""
    return 1 if n_entries <= 3 else 2 if n_entries <= 8 else 3


def legend_height_px(n_entries: int) -> int:
    """Height (px) the legend strip and source line need, so the map can be fitted above them."""
    return 52 + LEGEND_ROW_PX * -(-n_entries // legend_columns(n_entries))


def legend_html(entries: list[LegendEntry]) -> str:
    """The legend's entries as HTML (escaped labels, swatches that repeat the map's fill, hatch and outline)."""
    rows = []
    for entry in entries:
        background = entry.fill
        if entry.hatched:
            background = (f"repeating-linear-gradient(45deg,{entry.fill},{entry.fill} 3px,"
                          f"{entry.outline or '#555'} 3px,{entry.outline or '#555'} 4px)")
        border = f"2px {'dashed' if entry.dashed else 'solid'} {entry.outline}" if entry.outline else "1px solid #777"
        count = f" <span style='color:#555'>({entry.count})</span>" if entry.count is not None else ""
        rows.append(
            "<div class='rk-legend-entry' style='display:flex;align-items:center;gap:6px;break-inside:avoid'>"
            f"<span style='display:inline-block;width:16px;height:12px;background:{background};"
            f"opacity:{entry.opacity};border:{border}'></span>"
            f"<span class='rk-legend-label'>{escape_text(entry.label)}</span>{count}</div>"
        )
    return "".join(rows)


def add_legend_and_source(fmap, title: str, entries: list[LegendEntry], source: str) -> None:
    """Put the legend (can be folded away) and the source line under it along the bottom of the map itself."""
    fmap.get_root().add_child(_LegendAndSource(escape_text(title), legend_html(entries), escape_text(source),
                                               len(entries)))
    if hasattr(fmap, "_rk_bounds"):
        _refit(fmap, legend_height_px(len(entries)))


def hatch_fill(fmap, background: str, stripes: str) -> str:
    """An SVG fill reference for diagonal stripes over a background colour (both '#RRGGBB')."""
    fmap._rk_hatches.add((background, stripes))
    return f"url(#{_hatch_id(background, stripes)})"


def _hatch_id(background: str, stripes: str) -> str:
    return f"rkh-{background.lstrip('#')}-{stripes.lstrip('#')}"


_HATCH_TEMPLATE = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var svg = map.getPanes().overlayPane.querySelector('svg');
  if (!svg) { return; }
  var ns = 'http://www.w3.org/2000/svg';
  var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
  {{ this.patterns_json }}.forEach(function (p) {
    if (svg.getElementById && svg.getElementById(p.id)) { return; }
    var pattern = document.createElementNS(ns, 'pattern');
    pattern.setAttribute('id', p.id);
    pattern.setAttribute('patternUnits', 'userSpaceOnUse');
    pattern.setAttribute('width', '8');
    pattern.setAttribute('height', '8');
    pattern.setAttribute('patternTransform', 'rotate(45)');
    var rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('width', '8'); rect.setAttribute('height', '8'); rect.setAttribute('fill', p.background);
    var line = document.createElementNS(ns, 'rect');
    line.setAttribute('width', '2.5'); line.setAttribute('height', '8'); line.setAttribute('fill', p.stripes);
    pattern.appendChild(rect); pattern.appendChild(line); defs.appendChild(pattern);
  });
})();
{% endmacro %}
"""


class _HatchPatterns(_Prerendered, MacroElement):
    _template = Template(_HATCH_TEMPLATE)

    def __init__(self, patterns: list[dict]):
        super().__init__()
        self.patterns_json = json.dumps(patterns)


def finish(fmap, with_layer_control: bool = True) -> folium.Map:
    """Add the SVG hatch patterns the layers refer to (and the layer control)."""
    hatches = sorted(getattr(fmap, "_rk_hatches", ()))
    if hatches:
        fmap.add_child(_HatchPatterns([{"id": _hatch_id(bg, fg), "background": bg, "stripes": fg}
                                       for bg, fg in hatches]))
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


# --- The dashboard's maps -------------------------------------------------------------------------------

class _PerViewCache:
    """Values derived from one (view, web layer) pair, kept while both objects live (by identity, bounded).

    Views and web layers are built once and then only read (Streamlit caches them, an upload's view lives in
    its session), so what is derived from them is computed once too and a filter change only selects from it.
    """

    def __init__(self, max_entries: int = 24):
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, kind: str, view, web, compute):
        key = (kind, id(view), id(web))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is view and entry[1]() is web:
                self._entries.move_to_end(key)
                return entry[2]
        value = compute()
        with self._lock:
            self._entries[key] = (weakref.ref(view), weakref.ref(web), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        # A view that is gone (an upload forgotten, a session closed) takes what was derived from it along.
        weakref.finalize(view, self._discard, key)
        weakref.finalize(web, self._discard, key)
        return value

    def _discard(self, key) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry[0]() is None or entry[1]() is None):
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_PER_VIEW = _PerViewCache()


def clear_map_caches() -> None:
    """Forget every derived table and encoded geometry (for benchmarks of a cold start)."""
    _PER_VIEW.clear()
    _ENCODED.clear()


def municipality_table(view, web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One WGS84 row per municipality with its drawing category and Dutch display texts (not yet escaped)."""
    return _PER_VIEW.get("municipalities", view, web, lambda: _municipality_table(view, web)).copy()


def _municipality_table(view, web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from analysis.coverage import STATUS_LABELS_NL, confidence_nl
    from analysis.formatting import format_number

    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    memberships = view.scheme.memberships
    confidence = (memberships.assign(label=memberships["partnership_id"].map(names).fillna(memberships["partnership_id"])
                                     + " (" + memberships["confidence"].fillna("?").map(confidence_nl) + ")")
                  .groupby("nis")["label"].agg(lambda labels: "; ".join(sorted(set(labels)))))
    frame = web[["nis", "name", "geometry"]].merge(view.status[["nis", "status", "partnership_ids", "population_2020",
                                                                "province"]], on="nis", how="left")
    frame = frame.merge(view.categories, on="nis", how="left")
    frame["status_label"] = frame["status"].map(STATUS_LABELS_NL)
    frame["partnerships_label"] = frame["nis"].map(confidence).fillna("geen gekend verband")
    frame["population_label"] = frame["population_2020"].map(format_number)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=web.crs)


MUNICIPALITY_TOOLTIP = {"name": "Gemeente", "status_label": "Status", "partnerships_label": "Verband(en)",
                        "population_label": "Inwoners (2020)"}


def dissolved_partnerships(view, web: gpd.GeoDataFrame, partnership_ids=None) -> gpd.GeoDataFrame:
    """One outline per partnership (union of its members' web geometries), with its name."""
    from analysis.scenario import partnership_areas

    everything = _PER_VIEW.get("partnerships", view, web, lambda: partnership_areas(view, web))
    if partnership_ids is None:
        return everything.copy()
    chosen = everything[everything["partnership_id"].isin(set(partnership_ids))]
    return chosen.reset_index(drop=True)


@dataclass
class _CoveragePieces:
    """Everything of the coverage map that does not depend on the filter, for one (view, web layer) pair."""

    nis: np.ndarray
    features: _Features  # one per municipality, tooltip texts escaped, fill and opacity
    hatch: list  # hatch colour per municipality, None for a plain fill
    category: list
    partnership_ids: list  # tuple per municipality
    row_bounds: np.ndarray  # (minx, miny, maxx, maxy) per municipality
    outline_ids: np.ndarray  # partnership id per dissolved outline
    outlines: _Features
    city_labels: dict  # position -> marker label, for standalone centre cities
    city_points: dict  # position -> (lat, lon)


def _coverage_pieces(view, web: gpd.GeoDataFrame) -> _CoveragePieces:
    table = _PER_VIEW.get("municipalities", view, web, lambda: _municipality_table(view, web))
    keep = [*MUNICIPALITY_TOOLTIP, "fill", "fill_opacity"]
    outlines = dissolved_partnerships(view, web)
    standalone = view.scheme.partnerships.loc[view.scheme.partnerships["standalone"].fillna(False).astype(bool)]
    city_codes = set(standalone["centre_city_nis"].dropna())
    geometries = np.asarray(table.geometry.values, dtype=object)
    cities = [position for position, code in enumerate(table["nis"]) if code in city_codes]
    points = shapely.point_on_surface(geometries[cities]) if cities else []  # = GeoSeries.representative_point
    return _CoveragePieces(
        nis=table["nis"].to_numpy(dtype=object),
        features=_Features.from_frame(table, keep, list(MUNICIPALITY_TOOLTIP)),
        hatch=[None if pd.isna(value) else value for value in table["hatch"]],
        category=list(table["category"]),
        partnership_ids=[value if isinstance(value, tuple) else tuple(value) if isinstance(value, list) else ()
                         for value in table["partnership_ids"]],
        row_bounds=shapely.bounds(geometries),
        outline_ids=outlines["partnership_id"].to_numpy(dtype=object),
        outlines=_Features.from_frame(outlines, [], []),
        city_labels={position: f"{table['name'].iloc[position]} – centrumstad, alleen regisseur"
                     for position in cities},
        city_points={position: (point.y, point.x) for position, point in zip(cities, points)},
    )


def coverage_map(view, web: gpd.GeoDataFrame, mask=None, source: str = "", title: str = "Dekking",
                 fit_to_view: bool = True) -> folium.Map:
    """The coverage map: partnerships in colour, suggestive lighter, unknown hatched grey, overlaps hatched
    and outlined in the warning colour, partnership outlines, standalone centre cities starred.

    What does not depend on `mask` (texts, encoded geometries, dissolved outlines) is prepared once per view and
    web layer; a filter change only selects features."""
    pieces = _PER_VIEW.get("coverage", view, web, lambda: _coverage_pieces(view, web))
    if mask is None:
        selected = list(range(len(pieces.nis)))
    else:
        codes = set(view.municipalities.loc[mask, "nis"])
        selected = [position for position, code in enumerate(pieces.nis) if code in codes]
    bounds = None
    if fit_to_view and selected:
        minx, miny = pieces.row_bounds[selected, 0].min(), pieces.row_bounds[selected, 1].min()
        maxx, maxy = pieces.row_bounds[selected, 2].max(), pieces.row_bounds[selected, 3].max()
        bounds = [[miny - 0.02, minx - 0.02], [maxy + 0.02, maxx + 0.02]]  # as bounds_of(padding=0.02)
    fmap = base_map(bounds)
    plain = [position for position in selected if pieces.hatch[position] is None]
    if plain:
        _add_feature_layer(fmap, pieces.features.take(plain), name="Gemeenten", tooltip=MUNICIPALITY_TOOLTIP,
                           fill_column="fill", opacity_column="fill_opacity", line_colour=OUTLINE_COLOUR,
                           weight=0.6, hatch_colour=None, dash=None, show=True, highlight=True)
    hatched: dict[str, list[int]] = {}
    for position in selected:
        if pieces.hatch[position] is not None:
            hatched.setdefault(pieces.category[position], []).append(position)
    for category in sorted(hatched):
        positions = hatched[category]
        warning = category == "overlap"
        _add_feature_layer(fmap, pieces.features.take(positions), name="Overlappingen" if warning else "Onbekend",
                           tooltip=MUNICIPALITY_TOOLTIP, fill_column="fill", opacity_column="fill_opacity",
                           hatch_colour=pieces.hatch[positions[0]],
                           line_colour=WARNING_COLOUR if warning else OUTLINE_COLOUR, weight=2.5 if warning else 0.6,
                           dash="6 4" if warning else None, show=True, highlight=True)
    in_view = {pid for position in selected for pid in pieces.partnership_ids[position] if isinstance(pid, str)}
    outline_positions = [i for i, pid in enumerate(pieces.outline_ids) if pid in in_view]
    if outline_positions:
        _add_outline_features(fmap, pieces.outlines.take(outline_positions), name="Grenzen samenwerkingsverbanden",
                              colour="#222222", weight=1.6, dash=None, tooltip=None)
    cities = [position for position in selected if position in pieces.city_labels]
    if cities:
        _add_markers(fmap, [(pieces.city_points[p], pieces.city_labels[p]) for p in cities],
                     name="Centrumsteden (alleen)")
    counts: dict = {}
    for position in selected:
        counts[pieces.category[position]] = counts.get(pieces.category[position], 0) + 1
    entries = [LegendEntry(category.label, category.fill, int(counts.get(category.key, 0)),
                           outline=category.outline, hatched=category.hatch is not None, dashed=category.dashed,
                           opacity=category.opacity)
               for category in view.legend if counts.get(category.key, 0)]
    if cities:
        entries.append(LegendEntry("★ centrumstad die alleen regisseur is", "#ffffff", len(cities), outline="#000000"))
    add_legend_and_source(fmap, title, entries, source)
    return finish(fmap)


COVERED_NEUTRAL = "#F2F2F2"


def gaps_map(view, web: gpd.GeoDataFrame, mask=None, source: str = "", highlight_nis=None) -> folium.Map:
    """Overlaps and gaps: non-covered municipalities (unknown vs non-participant), overlaps hatched in the
    warning colour, covered ones in a light neutral, partnership outlines; `highlight_nis` outlined thick."""
    from analysis.mapstyle import NON_PARTICIPANT_FILL, UNKNOWN_FILL, UNKNOWN_HATCH, WARNING

    table = municipality_table(view, web)
    if mask is not None:
        table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
    fmap = base_map(bounds_of(table) if len(table) else None)
    overlap = table["category"] == "overlap"
    covered = table["status"].isin(["member_confirmed", "member_suggestive"]) & ~overlap
    layers = [
        ("Gedekt", table[covered].assign(fill=COVERED_NEUTRAL, fill_opacity=0.7), None, OUTLINE_COLOUR, 0.5, None),
        ("Onbekend", table[table["status"] == "unknown"].assign(fill=UNKNOWN_FILL, fill_opacity=0.95),
         UNKNOWN_HATCH, OUTLINE_COLOUR, 0.8, None),
        ("Neemt niet deel", table[table["status"] == "non_participant"].assign(fill=NON_PARTICIPANT_FILL,
                                                                                fill_opacity=1.0),
         None, "#000000", 1.5, None),
        ("Overlappingen", table[overlap].assign(fill="#FFFFFF", fill_opacity=0.9), WARNING, WARNING, 2.5, "6 4"),
    ]
    counts = {}
    for name, frame, hatch, line, weight, dash in layers:
        counts[name] = len(frame)
        add_area_layer(fmap, frame, name=name, tooltip=MUNICIPALITY_TOOLTIP, hatch_colour=hatch, line_colour=line,
                       weight=weight, dash=dash)
    in_view = set(table["partnership_ids"].explode().dropna())
    add_outline_layer(fmap, dissolved_partnerships(view, web, in_view), name="Grenzen samenwerkingsverbanden",
                      colour="#222222", weight=1.4, tooltip={"name": "Samenwerkingsverband"})
    if highlight_nis:
        add_outline_layer(fmap, table[table["nis"].isin(set(highlight_nis))], name="Selectie", colour="#0072B2",
                          weight=3.5)
    entries = [
        LegendEntry("Onbekend (geen bron gevonden)", UNKNOWN_FILL, counts["Onbekend"], outline=UNKNOWN_HATCH, hatched=True),
        LegendEntry("Neemt niet deel (volgens bron)", NON_PARTICIPANT_FILL, counts["Neemt niet deel"], outline="#000000"),
        LegendEntry("In meer dan één verband", "#FFFFFF", counts["Overlappingen"], outline=WARNING, hatched=True,
                    dashed=True),
        LegendEntry("Gedekt door één verband", COVERED_NEUTRAL, counts["Gedekt"]),
    ]
    if highlight_nis:
        entries.append(LegendEntry("Geselecteerd", "#FFFFFF", len(set(highlight_nis)), outline="#0072B2"))
    add_legend_and_source(fmap, "Overlappingen en hiaten", [e for e in entries if e.count], source)
    return finish(fmap)


RECONCILIATION_TOOLTIP = {"name": "Gemeente", "category_label": "Uitkomst", "list_label": "Verband in de lijst",
                          "ours_label": "Verband bij ons", "note": "Toelichting"}


def reconciliation_map(municipalities: pd.DataFrame, web: gpd.GeoDataFrame, source: str,
                       title: str = "Lijst tegenover de reconstructie") -> folium.Map:
    """The diff map of a list against the reconstruction: every municipality in its reconciliation category
    (`analysis.reconcile`: four Okabe-Ito colours and a neutral grey), with the partnership in the list and in the
    reconstruction in its tooltip; legend with counts and the source line."""
    from analysis.reconcile import CATEGORIES, CATEGORY_LABELS, NEITHER

    table = web[["nis", "name", "geometry"]].merge(
        municipalities[["nis", "category", "list_partnerships", "our_partnerships", "note"]], on="nis", how="left")
    table["category"] = table["category"].fillna(NEITHER)
    table["category_label"] = table["category"].map(CATEGORY_LABELS)
    table["list_label"] = table["list_partnerships"].map(
        lambda names: "; ".join(names) if isinstance(names, list) and names else "geen")
    table["ours_label"] = table["our_partnerships"].map(
        lambda names: "; ".join(names) if isinstance(names, list) and names else "onbekend")
    table["note"] = table["note"].fillna("")
    fmap = base_map()
    entries = []
    for key, label, colour in CATEGORIES:
        part = table[table["category"] == key].assign(fill=colour, fill_opacity=0.6 if key == NEITHER else 0.85)
        add_area_layer(fmap, part, name=label, tooltip=RECONCILIATION_TOOLTIP, weight=0.5)
        if len(part):
            entries.append(LegendEntry(label, colour, len(part), opacity=0.6 if key == NEITHER else 0.85))
    add_legend_and_source(fmap, title, entries, source)
    return finish(fmap)
