"""Folium maps for the dashboard: one GeoJSON layer per purpose, escaped text, legend and source line.

No Streamlit here, so maps can be built and inspected in tests. Every string that reaches the map's HTML
goes through `escape_text`, because folium inserts tooltip values into HTML as they are.

Only public folium and branca APIs: layers are `folium.GeoJson` with plain GeoJSON (coordinates rounded to the
web layer's 4 decimals, each feature's style in its ``style`` property, as folium documents for a layer without
a style function) and `folium.GeoJsonTooltip`; the legend, scale bar, fit and hatch patterns are branca
`MacroElement` subclasses with a class-level template; a `RegieMap` carries its bounds, hatch patterns and layers.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xstatic.pkg.leaflet as xstatic_leaflet
import xyzservices
from branca.element import MacroElement, Template

from analysis.coverage import STATUS_LABELS_NL, confidence_nl, counted_partnership_ids
from analysis.figures import CONFLICT_LABEL
from analysis.formatting import format_number
from analysis.mapstyle import (
    GAP_CATEGORIES,
    MERGER_CONFLICT,
    NON_PARTICIPANT,
    OVERLAP_CATEGORY,
    UNKNOWN,
    coverage_legend,
    partnership_number_points,
    partnership_numbers,
)
from analysis.reconcile import CATEGORIES, CATEGORY_LABELS, NEITHER
from geodata.weblayer import round_coordinates
from ui.compat import (
    LEAFLET_FOCUS_SCROLLS,
    SERIALISED_AS,
    FocusWithoutScroll,
    SerialisedGeoJson,
    compile_folium_templates_once,
    defuse_template_syntax,
    render_serialised_geojson,
    skip_recompiling_rendered_text,
)
from ui.views import PerViewCache

skip_recompiling_rendered_text()  # see ui.compat: the largest cost of rendering a map in every run
render_serialised_geojson()  # see ui.compat: the next largest, serialising the layers' GeoJSON in every run
compile_folium_templates_once()  # see ui.compat: each tooltip's style template was compiled in every run

FLANDERS_BOUNDS = [[50.68, 2.54], [51.51, 5.92]]  # south-west, north-east corners (lat, lon)
OSM_TILES = xyzservices.providers.OpenStreetMap.Mapnik  # what folium.TileLayer("OpenStreetMap") resolves to
OUTLINE_COLOUR = "#4d4d4d"
# The outline of chosen municipalities (and their legend swatch): near-black over a white halo, so it stands out on
# every fill (the partnership palette, the blue of unknown municipalities on the gaps map, white, grey). Not pure
# black, which outlines non-participants.
SELECTED_COLOUR = "#1A1A1A"
SELECTED_HALO = "#FFFFFF"
SUGGESTIVE_DASH = "4 3"  # dashed border of suggestive members (the legend swatch shows it dashed too)

# Leaflet is served by the dashboard itself (Streamlit static serving), so maps work without internet. The files
# come from the PyPI package XStatic-Leaflet (static files only, BSD-2-Clause), at the Leaflet version folium itself
# loads from its CDN (1.9.3 for folium 0.20). The version is part of the path, so a browser never mixes versions.
LEAFLET_VERSION = xstatic_leaflet.VERSION
LEAFLET_DIR = f"leaflet-{LEAFLET_VERSION}"


def leaflet_urls(base_url_path: str = "") -> tuple[str, str]:
    """Where the browser finds Leaflet's JS and CSS: under Streamlit's static route, below `server.baseUrlPath`
    when the dashboard is served behind a reverse proxy at a sub-path (e.g. ``/regiekaart/app/static/...``)."""
    root = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return f"{root}/app/static/{LEAFLET_DIR}/leaflet.js", f"{root}/app/static/{LEAFLET_DIR}/leaflet.css"


def install_leaflet_assets(static_dir: Path, base_url_path: str = "") -> Path:
    """Copy Leaflet's JS, CSS and marker images from XStatic-Leaflet into `static_dir` (idempotent), and make every
    map load them from there, below `base_url_path` (Streamlit's ``server.baseUrlPath``)."""
    source = Path(xstatic_leaflet.BASE_DIR)
    target = Path(static_dir) / LEAFLET_DIR
    if not (target / "leaflet.js").is_file():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copyfile(source / name, target / name)
        shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)
    script, stylesheet = leaflet_urls(base_url_path)
    RegieMap.default_js = [("leaflet", script)]
    RegieMap.default_css = [("leaflet_css", stylesheet)]
    return target


def escape_text(value) -> str:
    """HTML-escape a value for a tooltip, popup or legend; also defuse template syntax: ``${`` (JavaScript
    template literals: folium's tooltips put their text into one) and ``{{``, ``{%``, ``{#`` (Jinja: branca
    compiles every rendered element as a template again, see `ui.compat.defuse_template_syntax`, so a name like
    ``{{ 7*7 }}`` would otherwise be evaluated on the server)."""
    if value is None:
        return ""
    text = html.escape(str(value), quote=True).replace("$", "&#36;").replace("`", "&#96;")
    return defuse_template_syntax(text)


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str
    count: int | None = None
    outline: str | None = None
    hatched: bool = False
    dashed: bool = False
    opacity: float = 0.85
    total: int | None = None  # with a count: "(count van total)", for a partnership only partly in view
    number: int | None = None  # the partnership's number on the map: the legend is keyed by it
    count_text: str | None = None  # instead of the count, e.g. "2019: 12 · 2025: 11" for a legend of two maps


@dataclass(frozen=True)
class MapLegend:
    """What a map's legend shows: title, entries and source line (plain text, escaped where it reaches HTML).

    One legend per map, built with the map (`add_legend_and_source`): the dashboard shows it beside or below the
    map (`ui.widgets.show_map`), a standalone HTML file of the map (`RegieMap.legend_in_map`) on the map itself."""

    title: str
    entries: tuple[LegendEntry, ...]
    source: str


class RegieMap(folium.Map):
    """A folium map that knows what it shows: `bounds` to fit ([[south, west], [north, east]]), the `focus` within
    them that a phone-wide map zoomed in on a wide selection keeps in its middle (None: the middle of `bounds`;
    e.g. the municipalities a page highlights), the `hatches`
    its layers use, its overlay `layers` in the order they were added, its `legend` (None without one) and the
    height the legend strip on the map is estimated to take (`legend_height_px`).

    `legend_in_map`: draw the legend and source line on the map itself, for a standalone HTML file of the map. The
    dashboard sets it to False and shows the legend next to the map instead (`ui.widgets.show_map`), so no legend
    ever covers a part of the map.

    The pieces that must come after every layer (the hatch patterns, which need the layers' SVG; the fit above
    the legend strip; the layer control, whose script names every layer) are added once, when the map is first
    rendered, so a page may still add a layer to a finished map.
    """

    # Only Leaflet itself, served by the dashboard: no jQuery, Bootstrap or icon fonts from CDNs
    # (`install_leaflet_assets` sets the path below the server's base URL path).
    default_js = [("leaflet", leaflet_urls()[0])]
    default_css = [("leaflet_css", leaflet_urls()[1])]

    def __init__(self, bounds=None):
        super().__init__(tiles=None, prefer_canvas=False, control_scale=False, zoom_snap=0.25)
        self.bounds = bounds or FLANDERS_BOUNDS
        self.focus = None
        self.hatches: set[tuple[str, str]] = set()
        self.layers: list[folium.map.Layer] = []
        self.legend: MapLegend | None = None
        self.legend_in_map = True
        self.legend_height_px: int | None = None
        self.layer_control = False
        self._finishing_added = False

    def get_bounds(self):
        """The bounds the map is fitted to ([[south, west], [north, east]]).

        branca computes an element's bounds by walking every coordinate of every layer; streamlit-folium asks for
        them in each run only for the initial "bounds" it returns, which this dashboard does not use (about
        0.14 s per run for the coverage map). What the map first shows is `bounds`."""
        return [list(corner) for corner in self.bounds]

    def add_layer(self, layer):
        """Add an overlay layer (kept in `layers`)."""
        self.layers.append(layer)
        return self.add_child(layer)

    def render(self, **kwargs):
        if not self._finishing_added:
            self._finishing_added = True
            if self.hatches:
                self.add_child(_HatchPatterns(sorted(self.hatches)))
            if self.legend is not None and self.legend_in_map:
                self.add_child(_LegendAndSource(self.legend))
            if self.legend_height_px is None or not self.legend_in_map:
                self.fit_bounds(self.bounds)
            else:
                self.add_child(_FitAboveLegend(self.bounds, self.legend_height_px))
            if self.layer_control:
                self.add_child(folium.LayerControl(collapsed=True))
        super().render(**kwargs)


_TOOLTIP_CSS_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
  .foliumtooltip { {{ this.style }} }
  .foliumtooltip table { margin: auto; }
  .foliumtooltip tr { text-align: left; }
  .foliumtooltip th { padding: 2px; padding-right: 8px; }
</style>
{% endmacro %}
"""


class _TooltipStyle(MacroElement):
    """The style of every GeoJSON tooltip (`TOOLTIP_STYLE`), in the base map's header.

    `folium.GeoJsonTooltip` puts its style into the page header when it renders; a live map
    (`live_parts`) sends the header of its constant base only, so the base carries the same rules."""

    _template = Template(_TOOLTIP_CSS_TEMPLATE)

    def __init__(self):
        super().__init__()
        self._name = "TooltipStyle"
        self.style = TOOLTIP_STYLE


def base_map(bounds=None) -> RegieMap:
    """An empty map fitted to `bounds` ([[south, west], [north, east]]) or to Flanders, with a "Heel Vlaanderen"
    button under the zoom buttons."""
    fmap = RegieMap(bounds)
    fmap.add_child(_FlandersButton())  # right under the zoom buttons, above the scale bar
    fmap.add_child(_MetricScale())
    fmap.add_child(_TooltipStyle())
    if LEAFLET_FOCUS_SCROLLS:  # a click on a map partly out of view must not scroll the page (and get lost)
        fmap.add_child(FocusWithoutScroll())
    # The provider object itself: looking "OpenStreetMap" up by name walks every xyzservices provider (~8 ms).
    folium.TileLayer(OSM_TILES, name="Achtergrond (OpenStreetMap)", opacity=0.45).add_to(fmap)
    return fmap


# --- GeoJSON layers ------------------------------------------------------------------------------------------
#
# Each layer is a folium.GeoJson of plain GeoJSON: coordinates rounded to 4 decimals (about 10 m, the web layer's
# precision) vertex by vertex, so the shared borders of neighbours stay identical and gap-free; only the tooltip
# texts (escaped) and each feature's Leaflet style as properties. Without a style function folium styles every
# feature with its own ``style`` property. What does not depend on the filter (texts and GeoJSON geometries) is
# prepared once per view and web layer (`_PerViewCache`), so a filter change only selects features.

# Highlight on hover and back to the feature's own style (Leaflet's resetStyle would forget the per-feature style).
_HIGHLIGHT_ON_HOVER = folium.JsCode("""
function (feature, layer) {
    layer.on({
        mouseover: function (e) { e.target.setStyle({weight: 2.5, color: "#000000"}); },
        mouseout: function (e) { e.target.setStyle(feature.properties.style); }
    });
}
""")


# Hover tooltips: small and narrow (Leaflet's default never wraps, so a long list of partnerships made a tooltip a
# third of the map wide), and on the side of the pointer towards the middle of the map (Leaflet's "auto" direction),
# so they stay inside it. 55vw of the map's frame keeps them within about half of a phone-wide map. The width is
# the text's own up to that maximum (`max-content`): Leaflet's tooltip pane has no width, so a tooltip that may wrap
# would otherwise shrink to its narrowest word.
TOOLTIP_STYLE = ("font:11px/1.3 sans-serif;width:max-content;max-width:min(240px,55vw);white-space:normal;"
                 "overflow-wrap:break-word;padding:3px 6px;")
TOOLTIP_OFFSET = (10, 0)


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


def geojson_geometries(geometries) -> list[dict | None]:
    """GeoJSON geometry objects with coordinates rounded to the web layer's decimals (identical vertices stay identical)."""
    rounded = round_coordinates(np.asarray(geometries, dtype=object))
    texts = shapely.to_geojson(rounded)
    return [None if geometry is None or geometry.is_empty else json.loads(text)
            for geometry, text in zip(rounded, texts)]


def _json_text(value) -> str:
    """`value` as JSON, as Jinja's tojson writes it into a folium layer (`ui.compat.SERIALISED_AS`)."""
    return json.dumps(value, **SERIALISED_AS)


class _Features:
    """Features of a layer: properties (text columns escaped) and GeoJSON geometries, in the same order, with each
    geometry's JSON text (`_json_text`; given when kept from an earlier map, else made here)."""

    def __init__(self, properties: list[dict], geometries: list[dict | None], geometry_texts: list[str] | None = None):
        self.properties = properties
        self.geometries = geometries
        self.geometry_texts = [_json_text(geometry) for geometry in geometries] if geometry_texts is None \
            else geometry_texts

    @classmethod
    def from_frame(cls, frame: gpd.GeoDataFrame, property_columns, text_columns,
                   geometries: list[dict | None] | None = None,
                   geometry_texts: list[str] | None = None) -> "_Features":
        """Features of every row; `text_columns` are escaped with :func:`escape_text`. `geometries`,
        `geometry_texts`: the rows' GeoJSON geometries and their JSON texts when already made (by default they are
        made here)."""
        table = frame[list(property_columns)].copy() if len(property_columns) else pd.DataFrame(index=frame.index)
        for column in text_columns:
            table[column] = table[column].map(escape_text)
        properties = [{key: _json_value(value) for key, value in row.items()} for row in table.to_dict("records")]
        if geometries is None:
            return cls(properties, geojson_geometries(frame.geometry.values))
        return cls(properties, geometries, geometry_texts)

    def take(self, positions) -> "_Features":
        return _Features([self.properties[i] for i in positions], [self.geometries[i] for i in positions],
                         [self.geometry_texts[i] for i in positions])

    def __len__(self) -> int:
        return len(self.properties)


def _geojson_layer(fmap: RegieMap, features: _Features, styles: list[dict], *, name: str,
                   tooltip: dict[str, str] | None, highlight: bool, interactive: bool = True,
                   show: bool = True) -> folium.GeoJson:
    """A folium.GeoJson of `features`, each with its style, tooltip texts and nothing else."""
    fields = list(tooltip or {})
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry,
         "properties": {**{field: props.get(field, "") for field in fields}, "style": style}}
        for props, geometry, style in zip(features.properties, features.geometries, styles)]}
    # The text Jinja's tojson makes of the collection (keys sorted), from the geometries' kept texts: only the
    # properties are serialised again (see ui.compat.SerialisedGeoJson).
    text = '{"features": [' + ", ".join(
        '{"geometry": ' + geometry_text + ', "properties": ' + _json_text(feature["properties"])
        + ', "type": "Feature"}' for feature, geometry_text in zip(collection["features"], features.geometry_texts)
    ) + '], "type": "FeatureCollection"}'

    layer = folium.GeoJson(
        SerialisedGeoJson(collection, text),
        name=escape_text(name),  # Leaflet's layer control shows layer names as HTML
        show=show,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[f"{escape_text(alias)}:" for alias in tooltip.values()],
                                      sticky=True, style=TOOLTIP_STYLE, direction="auto",
                                      offset=TOOLTIP_OFFSET) if tooltip else None,
        on_each_feature=_HIGHLIGHT_ON_HOVER if highlight else None,
        interactive=interactive,
    )
    fmap.add_layer(layer)
    return layer


def add_area_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, tooltip: dict[str, str],
                   fill_column: str = "fill", opacity_column: str | None = "fill_opacity",
                   line_colour: str = OUTLINE_COLOUR, weight: float = 0.6, hatch_colour: str | None = None,
                   dash: str | None = None, show: bool = True, highlight: bool = True) -> folium.GeoJson | None:
    """Add polygons filled per row (colour in `fill_column`) with an escaped tooltip (column -> Dutch label)."""
    if frame.empty:
        return None
    keep = [column for column in dict.fromkeys([*tooltip, fill_column, opacity_column]) if column in frame.columns]
    features = _Features.from_frame(frame, keep, [c for c in tooltip if c in frame.columns])
    return _add_feature_layer(fmap, features, name=name, tooltip=tooltip, fill_column=fill_column,
                              opacity_column=opacity_column, line_colour=line_colour, weight=weight,
                              hatch_colour=hatch_colour, dash=dash, show=show, highlight=highlight)


def _add_feature_layer(fmap, features: _Features, *, name: str, tooltip: dict[str, str], fill_column: str,
                       opacity_column: str | None, line_colour: str, weight: float, hatch_colour: str | None,
                       dash: str | None, show: bool, highlight: bool) -> folium.GeoJson:
    styles = []
    for props in features.properties:
        fill = str(props.get(fill_column) or "#cccccc")
        opacity = props.get(opacity_column) if opacity_column else None
        style = {"color": line_colour, "weight": weight,
                 "fillColor": hatch_fill(fmap, fill, hatch_colour) if hatch_colour else fill,
                 "fillOpacity": 0.8 if opacity is None else opacity}
        if dash:
            style["dashArray"] = dash
        styles.append(style)
    return _geojson_layer(fmap, features, styles, name=name, tooltip=tooltip, highlight=highlight, show=show)


def add_outline_layer(fmap, frame: gpd.GeoDataFrame, *, name: str, colour: str = "#000000", weight: float = 2.2,
                      dash: str | None = None, tooltip: dict[str, str] | None = None) -> folium.GeoJson | None:
    """Add unfilled outlines (e.g. dissolved partnerships, or overlap warnings)."""
    if frame.empty:
        return None
    columns = [c for c in (tooltip or {}) if c in frame.columns]
    return _add_outline_features(fmap, _Features.from_frame(frame, columns, columns), name=name, colour=colour,
                                 weight=weight, dash=dash, tooltip=tooltip)


def _add_outline_features(fmap, features: _Features, *, name: str, colour: str, weight: float, dash: str | None,
                          tooltip: dict[str, str] | None) -> folium.GeoJson:
    style = {"color": colour, "weight": weight, "fillOpacity": 0}
    if dash:
        style["dashArray"] = dash
    # Without a tooltip the outlines let the mouse through to the municipalities under them.
    return _geojson_layer(fmap, features, [style] * len(features), name=name, tooltip=tooltip, highlight=False,
                          interactive=bool(tooltip))


def _add_selection_outline(fmap, features: _Features, *, name: str, weight: float) -> None:
    """Outline chosen municipalities: a white halo under a near-black line (`SELECTED_COLOUR`)."""
    _add_outline_features(fmap, features, name=f"{name} (rand)", colour=SELECTED_HALO, weight=weight + 4, dash=None,
                          tooltip=None)
    _add_outline_features(fmap, features, name=name, colour=SELECTED_COLOUR, weight=weight, dash=None, tooltip=None)


def add_point_markers(fmap, points: gpd.GeoDataFrame, *, label_column: str, name: str, symbol: str = "★") -> None:
    """Mark points (e.g. standalone centre cities) with a text symbol and an escaped tooltip."""
    _add_markers(fmap, [((row.geometry.y, row.geometry.x), getattr(row, label_column))
                        for row in points.itertuples()], name=name, symbol=symbol)


def _add_number_labels(fmap, points, *, name: str) -> None:
    """`points`: ((lat, lon), number) per partnership: its number always shown on the map in a small white box
    (the legend is keyed by it), escaped here. The markers take no mouse events, so hovering or clicking a number
    reaches the municipality under it (its tooltip names the partnership)."""
    group = folium.FeatureGroup(name=escape_text(name))
    for (lat, lon), number in points:
        icon_html = ('<div class="rk-number" style="display:inline-block;transform:translate(-50%,-50%);'
                     "pointer-events:none;background:#fff;border:1px solid #222;border-radius:3px;padding:0 3px;"
                     f'font:bold 11px/14px sans-serif;color:#111;white-space:nowrap">{escape_text(number)}</div>')
        folium.Marker([float(lat), float(lon)], icon=folium.DivIcon(html=icon_html, icon_size=(0, 0),
                                                                     icon_anchor=(0, 0), class_name="empty"),
                      interactive=False, keyboard=False).add_to(group)
    fmap.add_layer(group)


def _add_markers(fmap, points, *, name: str, symbol: str = "★") -> None:
    """`points`: ((lat, lon), label) pairs, as one layer of text-symbol markers; labels are escaped here."""
    group = folium.FeatureGroup(name=escape_text(name))
    icon_html = (f'<div class="rk-marker" style="font-size:18px;color:#000;text-shadow:0 0 3px #fff,0 0 3px #fff">'
                 f"{escape_text(symbol)}</div>")
    for (lat, lon), label in points:
        folium.Marker([float(lat), float(lon)],
                      icon=folium.DivIcon(html=icon_html, icon_size=(18, 18), icon_anchor=(9, 9), class_name="empty"),
                      tooltip=folium.Tooltip(escape_text(label), sticky=True, style=TOOLTIP_STYLE,
                                             direction="auto", offset=TOOLTIP_OFFSET)).add_to(group)
    fmap.add_layer(group)


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


class _MetricScale(MacroElement):
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


class _FitAboveLegend(MacroElement):
    """Fit the map to `bounds` ([[south, west], [north, east]]) in the part above the legend strip."""

    _template = Template(_FIT_ABOVE_LEGEND_TEMPLATE)

    def __init__(self, bounds, estimate_px: int):
        super().__init__()
        self.bounds = json.dumps([[float(v) for v in corner] for corner in bounds])
        self.estimate = int(estimate_px)


# --- A map that keeps its state ------------------------------------------------------------------------------
#
# streamlit-folium updates a live map in place when the map itself (its Leaflet script) stays the same and the
# data comes as feature groups (`st_folium(feature_group_to_add=..., layer_control=...)`): on a rerun the old groups
# are taken off the map and the new ones added, so the user's zoom and pan stay. `live_parts` splits a finished
# `RegieMap` into that constant base (tiles, scale, zoom and "Heel Vlaanderen" buttons, fitted to Flanders) and
# its data: one feature group per layer (the layer control lists them as before) and a last group with what belongs
# to the data but is no layer of its own (the hatch patterns, the fit to the selection). Each of those is a small Leaflet layer that does its work when its group is added to the map and
# undoes it when the group is taken off.
#
# The view state lives on the Leaflet map object (`map.regiekaartView`): `moved` once the user zoomed or panned, or
# asked for all of Flanders. A new selection is fitted unless the user moved the map and the selection is still
# (mostly) in view.

_VIEW_STATE_JS = """
function regiekaartView(map) {
  if (!map.regiekaartView) {
    var state = map.regiekaartView = {moved: false, fitting: false};
    map.on("movestart zoomstart", function () { if (!state.fitting) { state.moved = true; } });
  }
  return map.regiekaartView;
}
function regiekaartFit(map, bounds, whole, focus) {
  var strip = map.getContainer().ownerDocument.querySelector(".rk-bottom");
  var bottom = strip && strip.offsetHeight ? strip.offsetHeight + 18 : 0;  /* the legend strip sits 18px up */
  var state = regiekaartView(map);
  state.fitting = true;
  try {
    map.invalidateSize({pan: false});
    map.fitBounds(bounds, {paddingBottomRight: [0, bottom], animate: false});
    /* On a phone-wide map a wide selection (Flanders is 2.5 times as wide as tall) fitted to the width is a strip:
       zoom in so it takes up to three quarters of the map's height, at most 1.7 times, around the focus (what the
       page highlights) or else the middle; the user pans east-west. Not for "Heel Vlaanderen" (whole), which shows
       all of it. */
    var size = map.getSize(), box = L.latLngBounds(bounds);
    if (!whole && size.x < 600) {
      var height = map.latLngToContainerPoint(box.getSouthWest()).y - map.latLngToContainerPoint(box.getNorthEast()).y;
      if (height > 0 && height < 0.5 * size.y) {
        var factor = Math.min(0.75 * (size.y - bottom) / height, 1.7);
        map.setView(focus ? L.latLngBounds(focus).getCenter() : box.getCenter(),
                    map.getZoom() + Math.log(factor) / Math.LN2, {animate: false});
      }
    }
  } finally {
    state.fitting = false;
  }
}
"""

_FLANDERS_BUTTON_TEMPLATE = """
{% macro script(this, kwargs) %}
(function (map) {
""" + _VIEW_STATE_JS + """
  var FlandersButton = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var bar = L.DomUtil.create("div", "leaflet-bar leaflet-control rk-flanders");
      var button = L.DomUtil.create("a", "rk-flanders-button", bar);
      button.href = "#";
      button.setAttribute("role", "button");
      button.title = "Toon heel Vlaanderen";
      button.setAttribute("aria-label", "Toon heel Vlaanderen");
      button.textContent = "Heel Vlaanderen";
      button.style.cssText = "width:auto;padding:0 7px;font:bold 11px/30px sans-serif;white-space:nowrap";
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(button, "click", function (event) {
        L.DomEvent.preventDefault(event);
        regiekaartFit(map, {{ this.bounds }}, true);
        regiekaartView(map).moved = true;  /* the user chose this view: a filter change keeps it */
      });
      return bar;
    }
  });
  new FlandersButton().addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
"""


class _FlandersButton(MacroElement):
    """A "Heel Vlaanderen" button under the zoom buttons: fits the map to Flanders (above the legend strip)."""

    _template = Template(_FLANDERS_BUTTON_TEMPLATE)

    def __init__(self):
        super().__init__()
        self._name = "FlandersButton"
        self.bounds = json.dumps(FLANDERS_BOUNDS)


# A Leaflet layer without graphics in the feature group that is the element's parent: `on_add` runs (with `map` and
# `layer`, this layer) when the group is added to a map, `on_remove` when the group is taken off.
_DATA_PART_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new (L.Layer.extend({
  onAdd: function (map) {
    var layer = this;
""" + _VIEW_STATE_JS + """
    {{ this.on_add }}
  },
  onRemove: function (map) {
    var layer = this;
    {{ this.on_remove }}
  }
}))().addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


def _js_value(value) -> str:
    """`value` as a JavaScript literal that cannot end a script element or open a Jinja expression (the HTML in it
    stays readable, as in the page's own HTML: user text in it is escaped already)."""
    return re.sub(r"</(script)", r"<\\/\1", defuse_template_syntax(json.dumps(value, ensure_ascii=False)),
                  flags=re.IGNORECASE)


class _DataPart(MacroElement):
    _template = Template(_DATA_PART_TEMPLATE)

    def __init__(self, name: str, on_add: str, on_remove: str = ""):
        super().__init__()
        self._name = name
        self.on_add = on_add
        self.on_remove = on_remove


def _hatch_layer(hatches) -> _DataPart:
    """The SVG hatch patterns the group's layers refer to (each added once; a pattern stays while the map lives)."""
    return _DataPart("HatchPatterns", _ADD_HATCH_PATTERNS_JS
                     + f"regiekaartAddHatches(map, {_js_value(_hatch_patterns(sorted(hatches)))});")


def _fit_to_selection(bounds, focus=None) -> _DataPart:
    """Fit the map to the selection's `bounds` when its group is added, unless the user moved the map and the
    selection is still mostly in view; fit again when the map or the legend strip changes size, until the user
    moves the map. `focus`: see `RegieMap.focus`."""
    focus_js = "null" if focus is None else _js_value([[float(v) for v in corner] for corner in focus])
    return _DataPart("FitToSelection", f"""
    var state = regiekaartView(map);
    var bounds = L.latLngBounds({_js_value([[float(v) for v in corner] for corner in bounds])});
    var focus = {focus_js};
    var sameSelection = state.selection === bounds.toBBoxString();  // e.g. a click: only a highlight changed
    state.selection = bounds.toBBoxString();
    if (state.moved && !sameSelection) {{
      // Still in view: at least half of the smaller of the visible part of the map (above the legend strip) and
      // the selection's box is common to both. A selection at the edge of the view, or out of it, is fitted; a
      // zoom into part of the selection is kept.
      var strip = map.getContainer().ownerDocument.querySelector(".rk-bottom");
      var size = map.getSize(), bottom = strip && strip.offsetHeight ? strip.offsetHeight + 18 : 0;
      var shown = L.latLngBounds(map.containerPointToLatLng([0, 0]),
                                 map.containerPointToLatLng([size.x, Math.max(1, size.y - bottom)]));
      var area = function (west, south, east, north) {{
        return Math.max(0, east - west) * Math.max(0, north - south);
      }};
      var common = area(Math.max(shown.getWest(), bounds.getWest()), Math.max(shown.getSouth(), bounds.getSouth()),
                        Math.min(shown.getEast(), bounds.getEast()), Math.min(shown.getNorth(), bounds.getNorth()));
      var smaller = Math.min(area(shown.getWest(), shown.getSouth(), shown.getEast(), shown.getNorth()),
                             area(bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()));
      if (!(common >= 0.5 * smaller)) {{ state.moved = false; }}
    }}
    function fit() {{ if (!state.moved) {{ regiekaartFit(map, bounds, false, focus); }} }}
    fit();
    if (window.ResizeObserver) {{
      layer.observer = new ResizeObserver(fit);
      layer.observer.observe(map.getContainer());
      var strip = map.getContainer().ownerDocument.querySelector(".rk-bottom");
      if (strip) {{ layer.observer.observe(strip); }}
    }}""", "if (layer.observer) { layer.observer.disconnect(); layer.observer = null; }")


@dataclass
class LiveMap:
    """A map split for `st_folium`: a `base` that is the same for every selection, the `groups` with the data (pass
    as `feature_group_to_add`) and the `layer_control` (or None)."""

    base: RegieMap
    groups: list
    layer_control: folium.LayerControl | None


def live_parts(fmap: RegieMap) -> LiveMap:
    """Split a finished map into a constant base and its data (see the comment above): a filter change then only
    replaces the data in the browser, and the user's zoom and pan stay."""
    groups = []
    for layer in fmap.layers:
        if isinstance(layer, folium.FeatureGroup):
            groups.append(layer)
        else:
            group = folium.FeatureGroup(name=layer.layer_name, show=layer.show)
            group.add_child(layer)
            groups.append(group)
    # The legend is not among them: the dashboard shows it beside the map (`ui.widgets.show_map`).
    parts = folium.FeatureGroup(name="Weergave", control=False)
    if fmap.hatches:
        parts.add_child(_hatch_layer(fmap.hatches))
    parts.add_child(_fit_to_selection(fmap.bounds, fmap.focus))
    groups.append(parts)
    return LiveMap(base_map(), groups, folium.LayerControl(collapsed=True) if fmap.layer_control else None)


class _LegendAndSource(MacroElement):
    """The legend and source line on the map itself (standalone HTML only, see `RegieMap.legend_in_map`)."""

    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, legend: MapLegend):
        super().__init__()
        self.title = escape_text(legend.title)
        self.body = legend_html(legend.entries)
        self.source = escape_text(legend.source)
        # At most this many columns, each at least 15em wide: a narrow map (Fusies 2025) gets fewer.
        self.columns_css = f"columns:15em {legend_columns(len(legend.entries))};column-gap:16px;"


LEGEND_ROW_PX = 15


def legend_columns(n_entries: int) -> int:
    """Columns of the legend strip along the bottom of the map: more entries, more columns (1-3)."""
    return 1 if n_entries <= 3 else 2 if n_entries <= 8 else 3


def legend_height_px(n_entries: int) -> int:
    """Height (px) the legend strip and source line need, so the map can be fitted above them."""
    return 52 + LEGEND_ROW_PX * -(-n_entries // legend_columns(n_entries))


_COUNT_SPAN = "<span class='rk-legend-count' style='color:#555;white-space:nowrap'>"  # a count never breaks


def legend_html(entries: list[LegendEntry]) -> str:
    """The legend's entries as HTML (escaped labels, swatches that repeat the map's fill, hatch and outline)."""
    rows = []
    for entry in entries:
        background = entry.fill
        if entry.hatched:
            background = (f"repeating-linear-gradient(45deg,{entry.fill},{entry.fill} 3px,"
                          f"{entry.outline or '#555'} 3px,{entry.outline or '#555'} 4px)")
        if entry.outline:
            border = f"2px {'dashed' if entry.dashed else 'solid'} {entry.outline}"
        else:  # as the map draws it: suggestive members get a dashed border in the outline grey
            border = f"1px dashed {OUTLINE_COLOUR}" if entry.dashed else "1px solid #777"
        count = ""
        if entry.count_text is not None:
            count = f" {_COUNT_SPAN}({escape_text(entry.count_text)})</span>"
        elif entry.count is not None:
            total = f" van {format_number(entry.total)}" if entry.total is not None else ""
            count = f" {_COUNT_SPAN}({format_number(entry.count)}{total})</span>"
        rows.append(
            "<div class='rk-legend-entry' style='display:flex;align-items:center;gap:6px;break-inside:avoid'>"
            f"<span style='display:inline-block;flex:none;width:16px;height:12px;background:{background};"
            f"opacity:{entry.opacity};border:{border}'></span>"
            + (f"<span class='rk-legend-number' style='flex:none;font-weight:bold;min-width:1.4em;text-align:right'>"
               f"{escape_text(entry.number)}</span>" if entry.number is not None else "")
            + f"<span class='rk-legend-label'>{escape_text(entry.label)}</span>{count}</div>"
        )
    return "".join(rows)


def add_legend_and_source(fmap: RegieMap, title: str, entries: list[LegendEntry], source: str) -> None:
    """Give the map its legend and source line (`fmap.legend`). The dashboard shows them beside or below the map;
    a standalone HTML file of the map draws them along its bottom, the map fitted above them (`_FitAboveLegend`)."""
    fmap.legend = MapLegend(str(title), tuple(entries), str(source))
    fmap.legend_height_px = legend_height_px(len(entries))


def merged_legend(title: str, legends: dict[str, MapLegend], source: str) -> MapLegend:
    """One legend for maps shown side by side (e.g. the 2019 and 2025 maps of Fusies): each entry once, in the
    order first seen, its counts per map in the order of `legends` ("12 / 11", "–" where a map lacks it; the
    title should name the maps in that order)."""
    keyed: dict[tuple, dict[str, LegendEntry]] = {}
    for name, legend in legends.items():
        for entry in legend.entries:
            key = (entry.label, entry.fill, entry.outline, entry.hatched, entry.dashed, entry.number)
            keyed.setdefault(key, {})[name] = entry
    entries = []
    for per_map in keyed.values():
        first = next(iter(per_map.values()))
        counted = [per_map[name] for name in legends if name in per_map and per_map[name].count is not None]
        if not counted:
            entries.append(first)
            continue
        text = " / ".join(_count_text(per_map[name]) if name in per_map else "–" for name in legends)
        entries.append(LegendEntry(first.label, first.fill, None, outline=first.outline, hatched=first.hatched,
                                   dashed=first.dashed, opacity=first.opacity, number=first.number, count_text=text))
    return MapLegend(title, tuple(entries), source)


def _count_text(entry: LegendEntry) -> str:
    if entry.count is None:
        return "–"
    total = f" van {format_number(entry.total)}" if entry.total is not None else ""
    return f"{format_number(entry.count)}{total}"


def hatch_fill(fmap, background: str, stripes: str) -> str:
    """An SVG fill reference for diagonal stripes over a background colour (both '#RRGGBB')."""
    fmap.hatches.add((background, stripes))
    return f"url(#{_hatch_id(background, stripes)})"


def _hatch_id(background: str, stripes: str) -> str:
    return f"rkh-{background.lstrip('#')}-{stripes.lstrip('#')}"


def _hatch_patterns(hatches) -> list[dict]:
    return [{"id": _hatch_id(background, stripes), "background": background, "stripes": stripes}
            for background, stripes in hatches]


# Diagonal stripes as SVG patterns in the map's overlay SVG, each added once; for a standalone map
# (`_HatchPatterns`) and for a live map's data (`_hatch_layer`).
_ADD_HATCH_PATTERNS_JS = """
function regiekaartAddHatches(map, patterns) {
  var svg = map.getPanes().overlayPane.querySelector('svg');
  if (!svg) { return; }
  var ns = 'http://www.w3.org/2000/svg';
  var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(ns, 'defs'), svg.firstChild);
  patterns.forEach(function (p) {
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
}
"""

_HATCH_TEMPLATE = """
{% macro script(this, kwargs) %}
(function () {
""" + _ADD_HATCH_PATTERNS_JS + """
  regiekaartAddHatches({{ this._parent.get_name() }}, {{ this.patterns_json }});
})();
{% endmacro %}
"""


class _HatchPatterns(MacroElement):
    _template = Template(_HATCH_TEMPLATE)

    def __init__(self, hatches: list[tuple[str, str]]):
        super().__init__()
        self.patterns_json = json.dumps(_hatch_patterns(hatches))


def finish(fmap, with_layer_control: bool = True) -> folium.Map:
    """Ask for the layer control. It is added with the SVG hatch patterns the layers refer to and the fit above
    the legend when the map is first rendered, after every layer (`RegieMap.render`)."""
    fmap.layer_control = with_layer_control
    return fmap


def bounds_of(frame: gpd.GeoDataFrame, padding: float = 0.02):
    """[[south, west], [north, east]] of a WGS84 frame, padded in degrees."""
    minx, miny, maxx, maxy = frame.total_bounds
    return [[miny - padding, minx - padding], [maxy + padding, maxx + padding]]


def geojson_payload_bytes(fmap: folium.Map) -> int:
    """Size in bytes of the map's standalone HTML (what the browser has to receive)."""
    return len(fmap.get_root().render().encode("utf-8"))


# --- The dashboard's maps -------------------------------------------------------------------------------

_PER_VIEW = PerViewCache()
# Per web layer and member set: a scenario edit changes one or two partnerships, the others keep their outline.
_OUTLINES = PerViewCache(max_entries=2048)


def clear_map_caches() -> None:
    """Forget every derived table and GeoJSON geometry (for benchmarks of a cold start)."""
    _PER_VIEW.clear()
    _OUTLINES.clear()


def _municipality_geojson(web: gpd.GeoDataFrame) -> dict[str, tuple[dict | None, str]]:
    """The GeoJSON geometry of every municipality of a web layer and its JSON text, by code.

    Made once per layer: every view (a scheme, an upload, each scenario edit) draws the same geometries in other
    colours, and the serialisation was about half of the map's preparation for a new view."""
    def make():
        geometries = geojson_geometries(web.geometry.values)
        return dict(zip(web["nis"], zip(geometries, map(_json_text, geometries))))
    return _PER_VIEW.get("geojson", web, web, make)


def _outline(web: gpd.GeoDataFrame, codes: frozenset[str]) -> tuple:
    """(union geometry, its GeoJSON, that as JSON text) of the municipalities `codes` of the web layer: a
    partnership's outline."""
    def union():
        # In the layer's row order, as GeoDataFrame.dissolve unites them.
        geometry = shapely.union_all(web.geometry.values[web["nis"].isin(codes).to_numpy()])
        geojson = geojson_geometries([geometry])[0]
        return geometry, geojson, _json_text(geojson)
    return _OUTLINES.get("outline", web, web, union, detail=codes)


def _member_outlines(web: gpd.GeoDataFrame, members: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """The partnership ids of `members` (partnership_id, nis: codes of the web layer) in order, and each one's
    `_outline` of its members there."""
    groups = members.groupby("partnership_id", sort=True)["nis"].agg(frozenset)
    return list(groups.index), [_outline(web, codes) for codes in groups]


def _partnership_outlines(view, web: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, _Features]:
    """One outline per partnership with a member in the web layer (partnership_id, name, geometry, ordered by id,
    as `analysis.scenario.partnership_areas`), and their features (GeoJSON geometries) in the same order."""
    members = view.scheme.memberships[["partnership_id", "nis"]].drop_duplicates()
    ids, outlines = _member_outlines(web, members[members["nis"].isin(set(web["nis"]))])
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    frame = gpd.GeoDataFrame({"partnership_id": ids,
                              "name": [pid if pd.isna(names.get(pid)) else names[pid] for pid in ids]},
                             geometry=[geometry for geometry, _, _ in outlines], crs=web.crs)
    return frame, _Features([{} for _ in outlines], [geojson for _, geojson, _ in outlines],
                            [text for _, _, text in outlines])


def municipality_table(view, web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One WGS84 row per municipality with its drawing category and Dutch display texts (not yet escaped)."""
    return _PER_VIEW.get("municipalities", view, web, lambda: _municipality_table(view, web)).copy()


def _municipality_table(view, web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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
    everything = _PER_VIEW.get("partnerships", view, web, lambda: _partnership_outlines(view, web))[0]
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
    city_partnerships: dict  # position -> id of the stand-alone centre city's own partnership row


def _coverage_pieces(view, web: gpd.GeoDataFrame) -> _CoveragePieces:
    table = _PER_VIEW.get("municipalities", view, web, lambda: _municipality_table(view, web))
    keep = [*MUNICIPALITY_TOOLTIP, "fill", "fill_opacity"]
    outlines, outline_features = _PER_VIEW.get("partnerships", view, web, lambda: _partnership_outlines(view, web))
    geojson = _municipality_geojson(web)
    standalone = view.scheme.partnerships.loc[view.scheme.partnerships["standalone"].fillna(False).astype(bool)]
    city_partnership = dict(zip(standalone["centre_city_nis"], standalone["partnership_id"]))
    city_codes = {code for code in city_partnership if isinstance(code, str)}
    geometries = np.asarray(table.geometry.values, dtype=object)
    cities = [position for position, code in enumerate(table["nis"]) if code in city_codes]
    points = shapely.point_on_surface(geometries[cities]) if cities else []  # = GeoSeries.representative_point
    return _CoveragePieces(
        nis=table["nis"].to_numpy(dtype=object),
        features=_Features.from_frame(table, keep, list(MUNICIPALITY_TOOLTIP),
                                      geometries=[geojson[code][0] for code in table["nis"]],
                                      geometry_texts=[geojson[code][1] for code in table["nis"]]),
        hatch=[None if pd.isna(value) else value for value in table["hatch"]],
        category=list(table["category"]),
        partnership_ids=[value if isinstance(value, tuple) else tuple(value) if isinstance(value, list) else ()
                         for value in table["partnership_ids"]],
        row_bounds=shapely.bounds(geometries),
        outline_ids=outlines["partnership_id"].to_numpy(dtype=object),
        outlines=outline_features,
        city_labels={position: f"{table['name'].iloc[position]} – centrumstad, alleen regisseur"
                     for position in cities},
        city_points={position: (point.y, point.x) for position, point in zip(cities, points)},
        city_partnerships={position: city_partnership[table["nis"].iloc[position]] for position in cities},
    )


def _number_points(view, web: gpd.GeoDataFrame, mask, partnership_ids) -> list:
    """((lat, lon), number) of each partnership in `partnership_ids`, inside the largest part of its members in view
    (`analysis.mapstyle.partnership_number_points`), in the web layer's coordinates.

    Placed on the web geometries directly: the partnerships' outlines of the view (dissolved once per view for the
    outline layer) and, for a partnership cut by the filters, its members in view. Reprojecting the print map's
    metric points built a new PROJ transformer in every run (Streamlit runs each script run in a new thread, and
    pyproj keeps transformers per thread), about 0.1-0.2 s of CPU per run or scenario edit."""
    numbers = partnership_numbers(view.scheme.partnerships)
    whole = _PER_VIEW.get("numbers", view, web,
                          lambda: partnership_number_points(dissolved_partnerships(view, web), numbers))
    points = {pid: (point, number) for pid, point, number in zip(whole["partnership_id"], whole.geometry,
                                                                 whole["number"])}
    if mask is not None:
        codes = set(view.municipalities.loc[mask, "nis"])
        members = view.scheme.memberships
        cut = set(members.loc[members["partnership_id"].isin(set(partnership_ids))
                              & ~members["nis"].isin(codes), "partnership_id"])
        if cut:
            # Each cut partnership's members in view, united once per member set (`_outline`).
            ids, outlines = _member_outlines(
                web, members[members["partnership_id"].isin(cut) & members["nis"].isin(codes & set(web["nis"]))])
            shown = gpd.GeoDataFrame({"partnership_id": ids}, geometry=[geometry for geometry, _, _ in outlines],
                                     crs=web.crs)
            cut_numbers = {pid: number for pid, number in numbers.items() if pid in cut}
            placed = partnership_number_points(shown, cut_numbers)
            points.update({pid: (point, number) for pid, point, number in
                           zip(placed["partnership_id"], placed.geometry, placed["number"])})
    return [((points[pid][0].y, points[pid][0].x), points[pid][1]) for pid in partnership_ids if pid in points]


def coverage_map(view, web: gpd.GeoDataFrame, mask=None, source: str = "", title: str = "Dekking",
                 fit_to_view: bool = True, counted=None, chosen_nis: str | None = None) -> folium.Map:
    """The coverage map: partnerships in colour, suggestive members lighter with a dashed border, unknown hatched
    grey, overlaps hatched and outlined in the warning colour, partnership outlines, each partnership's number
    (`analysis.mapstyle.partnership_numbers`, inside its area) always shown, standalone centre cities
    starred.

    `chosen_nis`: a municipality outlined in the selection colour (the one whose details the page shows).

    `counted`: the partnership ids the view counts (`analysis.scenario.counted_partnerships`; by default those with
    a member in `mask`). Only they get an outline, a legend row and, for a stand-alone centre city, a star; the
    legend is `analysis.mapstyle.coverage_legend`, the one the print map uses.

    What does not depend on `mask` (texts, GeoJSON geometries, dissolved outlines) is prepared once per view and
    web layer; a filter change only selects features."""
    pieces = _PER_VIEW.get("coverage", view, web, lambda: _coverage_pieces(view, web))
    codes = set(view.municipalities["nis"] if mask is None else view.municipalities.loc[mask, "nis"])
    if mask is None:
        selected = list(range(len(pieces.nis)))
    else:
        selected = [position for position, code in enumerate(pieces.nis) if code in codes]
    if counted is None:
        counted = counted_partnership_ids(view.scheme.partnerships, view.scheme.memberships, codes)
    counted = set(counted)
    bounds = None
    if fit_to_view and selected:
        minx, miny = pieces.row_bounds[selected, 0].min(), pieces.row_bounds[selected, 1].min()
        maxx, maxy = pieces.row_bounds[selected, 2].max(), pieces.row_bounds[selected, 3].max()
        bounds = [[miny - 0.02, minx - 0.02], [maxy + 0.02, maxx + 0.02]]  # as bounds_of(padding=0.02)
    fmap = base_map(bounds)
    plain = [position for position in selected if pieces.hatch[position] is None]
    # Suggestive members: lighter and with a dashed border, as the legend's note says (and the print map draws).
    suggestive = [position for position in plain if str(pieces.category[position]).endswith(":s")]
    plain = [position for position in plain if not str(pieces.category[position]).endswith(":s")]
    if plain:
        _add_feature_layer(fmap, pieces.features.take(plain), name="Gemeenten", tooltip=MUNICIPALITY_TOOLTIP,
                           fill_column="fill", opacity_column="fill_opacity", line_colour=OUTLINE_COLOUR,
                           weight=0.6, hatch_colour=None, dash=None, show=True, highlight=True)
    if suggestive:
        _add_feature_layer(fmap, pieces.features.take(suggestive), name="Vermoedelijke leden",
                           tooltip=MUNICIPALITY_TOOLTIP, fill_column="fill", opacity_column="fill_opacity",
                           line_colour=OUTLINE_COLOUR, weight=1.0, hatch_colour=None, dash=SUGGESTIVE_DASH,
                           show=True, highlight=True)
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
                           line_colour=OVERLAP_CATEGORY.outline if warning else OUTLINE_COLOUR,
                           weight=2.5 if warning else 0.6, dash="6 4" if warning else None, show=True, highlight=True)
    in_view = {pid for position in selected for pid in pieces.partnership_ids[position] if isinstance(pid, str)}
    outline_positions = [i for i, pid in enumerate(pieces.outline_ids) if pid in in_view and pid in counted]
    if outline_positions:
        _add_outline_features(fmap, pieces.outlines.take(outline_positions), name="Grenzen samenwerkingsverbanden",
                              colour="#222222", weight=1.6, dash=None, tooltip=None)
    numbered = [pid for pid in view.scheme.partnerships["partnership_id"] if pid in in_view and pid in counted]
    if numbered:
        _add_number_labels(fmap, _number_points(view, web, mask, numbered), name="Nummers samenwerkingsverbanden")
    cities = [position for position in selected
              if position in pieces.city_labels and pieces.city_partnerships[position] in counted]
    if cities:
        _add_markers(fmap, [(pieces.city_points[p], pieces.city_labels[p]) for p in cities],
                     name="Centrumsteden (alleen)")
    entries = [LegendEntry(row.category.label, row.category.fill, row.count, outline=row.category.outline,
                           hatched=row.category.hatch is not None, dashed=row.category.dashed,
                           opacity=row.category.opacity, total=row.total, number=row.number)
               for row in coverage_legend(view, codes, [pid for pid in view.scheme.partnerships["partnership_id"]
                                                        if pid in counted])]
    if cities:
        entries.append(LegendEntry("★ centrumstad die alleen regisseur is", "#ffffff", len(cities), outline="#000000"))
    chosen = [position for position in selected if pieces.nis[position] == chosen_nis]
    if chosen:  # a municipality whose details the page shows
        _add_selection_outline(fmap, pieces.features.take(chosen), name="Gekozen gemeente", weight=4)
        entries.append(LegendEntry("Gekozen gemeente (details naast de kaart)", "#FFFFFF", outline=SELECTED_COLOUR))
    add_legend_and_source(fmap, title, entries, source)
    return finish(fmap)


MERGER_CONFLICT_DASH = "2 6"


def add_merger_conflicts(fmap: RegieMap, web: gpd.GeoDataFrame, conflict_nis) -> None:
    """Outline the 2025 merged municipalities with a merger conflict (`analysis.mergers`) in the conflict colour,
    dotted, and add that outline to the map's legend (the print map's label, `analysis.figures.CONFLICT_LABEL`)."""
    chosen = web[web["nis"].isin(set(conflict_nis))]
    if chosen.empty:
        return
    add_outline_layer(fmap, chosen.assign(label="fusieconflict"), name="Fusieconflicten", colour=MERGER_CONFLICT,
                      weight=4, dash=MERGER_CONFLICT_DASH, tooltip={"name": "Fusieconflict", "label": "Soort"})
    entry = LegendEntry(CONFLICT_LABEL, "#FFFFFF", len(chosen), outline=MERGER_CONFLICT, dashed=True, opacity=1.0)
    legend = fmap.legend or MapLegend("", (), "")
    add_legend_and_source(fmap, legend.title, [*legend.entries, entry], legend.source)


def gaps_map(view, web: gpd.GeoDataFrame, mask=None, source: str = "", highlight_nis=None) -> folium.Map:
    """Overlaps and gaps: non-covered municipalities (unknown vs non-participant), overlaps hatched in the
    warning colour, covered ones in a light neutral, partnership outlines; `highlight_nis` outlined thick.

    Fills, hatches, outlines and legend labels come from `analysis.mapstyle.GAP_CATEGORIES`, the table the print
    version (`analysis.figures.gaps_print_map`) draws from too."""
    table = municipality_table(view, web)
    if mask is not None:
        table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
    fmap = base_map(bounds_of(table) if len(table) else None)
    overlap = table["category"] == "overlap"
    covered = table["status"].isin(["member_confirmed", "member_suggestive"]) & ~overlap
    # Layer name, the municipalities, the category, the line weight: drawn bottom to top, listed in legend order.
    layers = [
        ("Gedekt", table[covered], GAP_CATEGORIES["covered"], 0.5),
        ("Onbekend", table[table["status"] == UNKNOWN], GAP_CATEGORIES[UNKNOWN], 0.8),
        ("Neemt niet deel", table[table["status"] == NON_PARTICIPANT], GAP_CATEGORIES[NON_PARTICIPANT], 1.5),
        ("Overlappingen", table[overlap], GAP_CATEGORIES["overlap"], 2.5),
    ]
    counts = {}
    for name, frame, category, weight in layers:
        counts[category.key] = len(frame)
        add_area_layer(fmap, frame.assign(fill=category.fill, fill_opacity=category.opacity), name=name,
                       tooltip=MUNICIPALITY_TOOLTIP, hatch_colour=category.hatch,
                       line_colour=category.outline or OUTLINE_COLOUR, weight=weight,
                       dash="6 4" if category.dashed else None)
    in_view = set(table["partnership_ids"].explode().dropna())
    add_outline_layer(fmap, dissolved_partnerships(view, web, in_view), name="Grenzen samenwerkingsverbanden",
                      colour="#222222", weight=1.4, tooltip={"name": "Samenwerkingsverband"})
    if highlight_nis:
        chosen = table[table["nis"].isin(set(highlight_nis))]
        if len(chosen):
            _add_selection_outline(fmap, _Features.from_frame(chosen, [], []), name="Selectie", weight=3.5)
            fmap.focus = bounds_of(chosen)  # on a phone, zoomed in, the highlighted municipalities stay in view
    entries = [LegendEntry(category.label, category.fill, counts[key], outline=category.hatch or category.outline,
                           hatched=category.hatch is not None, dashed=category.dashed, opacity=category.opacity)
               for key, category in GAP_CATEGORIES.items()]
    if highlight_nis:
        entries.append(LegendEntry("Geselecteerd", "#FFFFFF", len(set(highlight_nis)), outline=SELECTED_COLOUR))
    add_legend_and_source(fmap, "Overlappingen en hiaten", [e for e in entries if e.count], source)
    return finish(fmap)


RECONCILIATION_TOOLTIP = {"name": "Gemeente", "category_label": "Uitkomst", "list_label": "Verband in de lijst",
                          "ours_label": "Verband bij ons", "note": "Toelichting"}


def reconciliation_map(municipalities: pd.DataFrame, web: gpd.GeoDataFrame, source: str,
                       title: str = "Lijst tegenover de reconstructie") -> folium.Map:
    """The diff map of a list against the reconstruction: every municipality in its reconciliation category
    (`analysis.reconcile`: four Okabe-Ito colours and a neutral grey), with the partnership in the list and in the
    reconstruction in its tooltip; legend with counts and the source line."""
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
