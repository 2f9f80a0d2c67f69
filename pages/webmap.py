"""Folium maps for the dashboard: one GeoJSON layer per purpose, escaped text, legend and source line.

No Streamlit here, so maps can be built and inspected in tests. Every string that reaches the map's HTML
goes through `escape_text`, because folium inserts tooltip values into HTML as they are.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import folium
import geopandas as gpd
from branca.element import MacroElement, Template

FLANDERS_BOUNDS = [[50.68, 2.54], [51.51, 5.92]]  # south-west, north-east corners (lat, lon)
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
    # Only Leaflet itself: no jQuery, Bootstrap or icon fonts from CDNs (nothing here uses them).
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap._rk_hatches = set()
    folium.TileLayer("OpenStreetMap", name="Achtergrond (OpenStreetMap)", opacity=0.45).add_to(fmap)
    fmap._rk_bounds = bounds or FLANDERS_BOUNDS
    fmap.fit_bounds(fmap._rk_bounds)
    return fmap


def _refit(fmap, bottom_padding_px: int) -> None:
    """Fit the map to its bounds again, keeping `bottom_padding_px` free for the legend."""
    from folium.map import FitBounds

    for name, child in list(fmap._children.items()):
        if isinstance(child, FitBounds):
            del fmap._children[name]
    fmap.fit_bounds(fmap._rk_bounds, padding_bottom_right=(0, bottom_padding_px))


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

    def style(feature):
        props = feature["properties"]
        fill = props.get(fill_column, "#cccccc")
        if hatch_colour:
            fill = hatch_fill(fmap, fill, hatch_colour)
        result = {"fillColor": fill, "color": line_colour, "weight": weight,
                  "fillOpacity": props.get(opacity_column, 0.8) if opacity_column else 0.8}
        if dash:
            result["dashArray"] = dash
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
<details open class="rk-legend" style="position:absolute;z-index:9999;bottom:22px;left:10px;right:10px;
 background:rgba(255,255,255,.94);padding:5px 9px;border:1px solid #999;border-radius:4px;font:11px/1.3 sans-serif;
 max-height:42%;overflow:auto;">
<summary style="cursor:pointer;font-weight:bold">{{ this.title }}</summary>
<div class="rk-legend-body" style="margin-top:4px;{{ this.columns_css }}">{{ this.body }}</div>
</details>
<div class="rk-source" style="position:absolute;z-index:9999;bottom:4px;left:60px;background:rgba(255,255,255,.85);
 padding:1px 6px;font:11px sans-serif;color:#333;">{{ this.source }}</div>
{% endmacro %}
"""


class _LegendAndSource(MacroElement):
    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, title: str, body: str, source: str, n_entries: int):
        super().__init__()
        self.title = title
        self.body = body
        self.source = source
        self.columns_css = f"columns:{legend_columns(n_entries)};column-gap:16px;"


LEGEND_ROW_PX = 15


def legend_columns(n_entries: int) -> int:
    """Columns of the legend strip along the bottom of the map: more entries, more columns (1-3)."""
    return 1 if n_entries <= 3 else 2 if n_entries <= 8 else 3


def legend_height_px(n_entries: int) -> int:
    """Height (px) the legend strip needs, so the map can be fitted above it."""
    return 34 + LEGEND_ROW_PX * -(-n_entries // legend_columns(n_entries))


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
    """Put the legend (bottom right, can be folded away) and the source line (bottom left) on the map itself."""
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


class _HatchPatterns(MacroElement):
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

def municipality_table(view, web: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One WGS84 row per municipality with its drawing category and Dutch display texts (not yet escaped)."""
    from analysis.coverage import STATUS_LABELS_NL
    from analysis.formatting import format_number

    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    memberships = view.scheme.memberships
    confidence = (memberships.assign(label=memberships["partnership_id"].map(names).fillna(memberships["partnership_id"])
                                     + " (" + memberships["confidence"].fillna("?").map(_confidence_nl) + ")")
                  .groupby("nis")["label"].agg(lambda labels: "; ".join(sorted(set(labels)))))
    frame = web[["nis", "name", "geometry"]].merge(view.status[["nis", "status", "partnership_ids", "population_2020",
                                                                "province"]], on="nis", how="left")
    frame = frame.merge(view.categories, on="nis", how="left")
    frame["status_label"] = frame["status"].map(STATUS_LABELS_NL)
    frame["partnerships_label"] = frame["nis"].map(confidence).fillna("geen gekend verband")
    frame["population_label"] = frame["population_2020"].map(format_number)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=web.crs)


def _confidence_nl(value: str) -> str:
    return {"confirmed": "bevestigd", "suggestive": "vermoedelijk", "uploaded": "upload"}.get(value, str(value))


MUNICIPALITY_TOOLTIP = {"name": "Gemeente", "status_label": "Status", "partnerships_label": "Verband(en)",
                        "population_label": "Inwoners (2020)"}


def dissolved_partnerships(view, web: gpd.GeoDataFrame, partnership_ids=None) -> gpd.GeoDataFrame:
    """One outline per partnership (union of its members' web geometries), with its name."""
    members = view.scheme.memberships[["partnership_id", "nis"]].drop_duplicates()
    if partnership_ids is not None:
        members = members[members["partnership_id"].isin(set(partnership_ids))]
    joined = web[["nis", "geometry"]].merge(members, on="nis")
    if joined.empty:
        return gpd.GeoDataFrame({"partnership_id": [], "name": []}, geometry=[], crs=web.crs)
    dissolved = gpd.GeoDataFrame(joined, geometry="geometry", crs=web.crs).dissolve("partnership_id").reset_index()
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    dissolved["name"] = dissolved["partnership_id"].map(names).fillna(dissolved["partnership_id"])
    return dissolved[["partnership_id", "name", "geometry"]]


def coverage_map(view, web: gpd.GeoDataFrame, mask=None, source: str = "", title: str = "Dekking",
                 fit_to_view: bool = True) -> folium.Map:
    """The coverage map: partnerships in colour, suggestive lighter, unknown hatched grey, overlaps hatched
    and outlined in the warning colour, partnership outlines, standalone centre cities starred."""
    table = municipality_table(view, web)
    if mask is not None:
        table = table[table["nis"].isin(set(view.municipalities.loc[mask, "nis"]))]
    fmap = base_map(bounds_of(table) if fit_to_view and len(table) else None)
    plain = table[table["hatch"].isna()]
    add_area_layer(fmap, plain, name="Gemeenten", tooltip=MUNICIPALITY_TOOLTIP)
    for category, group in table[table["hatch"].notna()].groupby("category"):
        warning = category == "overlap"
        add_area_layer(fmap, group, name="Overlappingen" if warning else "Onbekend",
                       tooltip=MUNICIPALITY_TOOLTIP, hatch_colour=group["hatch"].iloc[0],
                       line_colour=WARNING_COLOUR if warning else OUTLINE_COLOUR, weight=2.5 if warning else 0.6,
                       dash="6 4" if warning else None)
    in_view = set(table["partnership_ids"].explode().dropna())
    outlines = dissolved_partnerships(view, web, in_view)
    add_outline_layer(fmap, outlines, name="Grenzen samenwerkingsverbanden", colour="#222222", weight=1.6)
    standalone = view.scheme.partnerships.loc[view.scheme.partnerships["standalone"].fillna(False).astype(bool)]
    cities = table[table["nis"].isin(set(standalone["centre_city_nis"].dropna()))]
    if not cities.empty:
        points = gpd.GeoDataFrame({"label": cities["name"] + " – centrumstad, alleen regisseur"},
                                  geometry=cities.geometry.representative_point(), crs=web.crs)
        add_point_markers(fmap, points, label_column="label", name="Centrumsteden (alleen)")
    counts = table["category"].value_counts()
    entries = [LegendEntry(category.label, category.fill, int(counts.get(category.key, 0)),
                           outline=category.outline, hatched=category.hatch is not None, dashed=category.dashed,
                           opacity=category.opacity)
               for category in view.legend if counts.get(category.key, 0)]
    if not cities.empty:
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
