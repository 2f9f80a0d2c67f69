"""Folium map building: escaped text everywhere, legend and source line on the map."""

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from ui.webmap import (
    LegendEntry, add_area_layer, add_legend_and_source, add_outline_layer, add_point_markers, base_map,
    escape_text, finish,
)
from tests.conftest import feature_properties

XSS = "<img src=x onerror=alert(1)>"


def _frame():
    return gpd.GeoDataFrame(
        {"name": [XSS, "Gent"], "partnership": ["</script><script>alert(2)</script>", "${alert(3)}"],
         "fill": ["#CC6677", "#DDDDDD"], "fill_opacity": [0.8, 0.9]},
        geometry=[box(3.0, 51.0, 3.1, 51.1), box(3.1, 51.0, 3.2, 51.1)], crs="EPSG:4326")


def test_escape_text_neutralises_html_and_template_syntax():
    assert escape_text(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_text("${x}") == "&#36;{x}"
    assert escape_text(None) == ""
    assert escape_text(1234) == "1234"


def test_area_layer_escapes_every_tooltip_value():
    fmap = base_map()
    add_area_layer(fmap, _frame(), name="Gemeenten", tooltip={"name": "Gemeente", "partnership": "Verband"})
    add_outline_layer(fmap, _frame(), name="Verbanden", tooltip={"partnership": "Verband"})
    add_point_markers(fmap, gpd.GeoDataFrame({"label": [XSS]}, geometry=[Point(3.05, 51.05)], crs="EPSG:4326"),
                      label_column="label", name="Centrumsteden")
    add_legend_and_source(fmap, "Dekking", [LegendEntry(XSS, "#CC6677", count=1)], "Bron: <b>test</b>")
    html = finish(fmap).get_root().render()
    assert XSS not in html
    assert "</script><script>alert(2)" not in html
    assert "${alert(3)}" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Bron: &lt;b&gt;test&lt;/b&gt;" in html
    properties = feature_properties(fmap)
    assert {p["name"] for p in properties if "name" in p} == {"&lt;img src=x onerror=alert(1)&gt;", "Gent"}


def test_legend_shows_each_entry_with_its_count():
    fmap = base_map()
    add_legend_and_source(fmap, "Dekking", [LegendEntry("Verband A", "#CC6677", count=3),
                                            LegendEntry("Onbekend", "#DDDDDD", hatched=True, count=7)], "Bron: x")
    html = fmap.get_root().render()
    assert html.count("rk-legend-entry") == 2
    assert "Verband A</span> <span class='rk-legend-count' style='color:#555;white-space:nowrap'>(3)</span>" in html
    assert "repeating-linear-gradient" in html  # the hatched entry is hatched in the legend too


def test_neighbours_rounded_rings_still_share_identical_border_vertices():
    """Coordinates are rounded to 4 decimals vertex by vertex, so a border two municipalities share stays one line:
    no gap and no sliver between neighbours on the map."""
    import shapely
    from shapely.geometry import Polygon, shape

    from geodata.weblayer import COORDINATE_DECIMALS

    border = [(3.123456789, 51.0), (3.1111149, 51.0333351), (3.1298765, 51.0666649), (3.123454321, 51.1)]
    west = Polygon([(3.0, 51.0), *border, (3.0, 51.1)])
    east = Polygon([*border, (3.25, 51.1), (3.25, 51.0)])
    frame = gpd.GeoDataFrame({"name": ["West", "Oost"], "fill": ["#CC6677", "#DDDDDD"]},
                             geometry=[west, east], crs="EPSG:4326")
    fmap = base_map()
    layer = add_area_layer(fmap, frame, name="Gemeenten", tooltip={"name": "Gemeente"})
    drawn = {feature["properties"]["name"]: feature["geometry"] for feature in layer.data["features"]}
    rings = {name: [tuple(point) for point in geometry["coordinates"][0]] for name, geometry in drawn.items()}
    rounded_border = [(round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)) for x, y in border]
    for name in ("West", "Oost"):
        assert all(point in rings[name] for point in rounded_border), name
        assert all(point == (round(point[0], COORDINATE_DECIMALS), round(point[1], COORDINATE_DECIMALS))
                   for point in rings[name])
    west_drawn, east_drawn = shape(drawn["West"]), shape(drawn["Oost"])
    shared = west_drawn.intersection(east_drawn)
    assert shared.geom_type in ("LineString", "MultiLineString") and shared.length > 0.09  # the whole border
    assert shapely.area(west_drawn.union(east_drawn)) == pytest.approx(west_drawn.area + east_drawn.area)


def test_coverage_map_has_one_legend_row_per_partnership_and_draws_suggestive_members_dashed():
    """Stadsregio Turnhout has confirmed and suggestive members: one legend row; suggestive members are drawn with the dashed
    border the legend's single note and its swatch show."""
    import html
    import re

    from analysis.datasets import bundled_view
    from analysis.mapstyle import SUGGESTIVE_NOTE_LABEL
    from geodata.weblayer import web_layer
    from ui.webmap import SUGGESTIVE_DASH, coverage_map

    view = bundled_view("regie-2020-2025", "2019")
    fmap = coverage_map(view, web_layer("2019"))
    page = fmap.get_root().render()
    labels = [html.unescape(label) for label in re.findall(r"rk-legend-label'>(.*?)</span>", page)]
    turnhout = view.scheme.partnerships.set_index("partnership_id").loc["stadsregio-turnhout", "name"]
    assert labels.count(turnhout) == 1
    assert labels.count(SUGGESTIVE_NOTE_LABEL) == 1 and not any(label.endswith("vermoedelijk") for label in labels)
    assert "border:1px dashed" in page  # the note's swatch
    suggestive = {nis for nis, category in zip(view.categories["nis"], view.categories["category"])
                  if category.endswith(":s")}
    names = dict(zip(view.municipalities["nis"], view.municipalities["name"]))
    dashed = {p["name"] for p in feature_properties(fmap) if p.get("style", {}).get("dashArray") == SUGGESTIVE_DASH}
    assert suggestive and dashed == {escape_text(names[nis]) for nis in suggestive}


def _rendered_markers(fmap, group) -> list[dict]:
    """The markers of the layer `group` as the browser gets them: read from the rendered page (public API only),
    each with its ``location``, its ``options`` and the ``html`` of its DivIcon."""
    import json
    import re

    def parsed(script: str):
        return json.loads(re.sub(r",\s*([}\]])", r"\1", script))  # folium leaves a comma before a closing brace

    page = fmap.get_root().render()
    icons = {name: parsed(options)["html"] for name, options in
             re.findall(r"var (div_icon_\w+) = L\.divIcon\((\{.*?\})\);", page, flags=re.DOTALL)}
    icon_of = dict(re.findall(r"(marker_\w+)\.setIcon\((div_icon_\w+)\);", page))
    marker = (r"var (marker_\w+) = L\.marker\(\s*(\[[^\]]*\]),\s*(\{[^{}]*\})\s*\)\.addTo\("
              + re.escape(group.get_name()) + r"\);")
    return [{"location": parsed(location), "options": parsed(options), "html": icons[icon_of[name]]}
            for name, location, options in re.findall(marker, page, flags=re.DOTALL)]


def _number_of(marker: dict) -> str:
    """The text of a partnership-number marker's DivIcon."""
    import re

    return re.search(r">([^<]*)</div>", marker["html"]).group(1)


@pytest.mark.slow
def test_coverage_map_numbers_every_partnership_in_view_inside_its_area():
    """Each partnership in view carries its number on the web map, inside its area, and the legend row with that
    number names it; a filter keeps the numbers."""
    import html
    import re

    import folium

    from analysis.datasets import bundled_view
    from analysis.mapstyle import partnership_numbers
    from analysis.scenario import counted_partnerships
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map

    view, web = bundled_view("regie-2020-2025", "2019"), web_layer("2019")
    numbers = partnership_numbers(view.scheme.partnerships)
    names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
    for mask in (None, view.municipalities["province"] == "Limburg"):
        fmap = coverage_map(view, web, mask)
        group = next(layer for layer in fmap.layers if isinstance(layer, folium.FeatureGroup)
                     and layer.layer_name == "Nummers samenwerkingsverbanden")
        markers = _rendered_markers(fmap, group)
        shown = [_number_of(marker) for marker in markers]
        # Numbers take no mouse events: hovering one shows the tooltip of the municipality under it.
        assert all(marker["options"].get("interactive") is False for marker in markers)
        counted = counted_partnerships(view, mask)
        assert sorted(shown, key=int) == sorted((str(numbers[pid]) for pid in counted), key=int)
        page = fmap.get_root().render()
        legend = re.findall(r"rk-legend-number'[^>]*>(\d+)</span><span class='rk-legend-label'>(.*?)</span>", page)
        assert {int(number): html.unescape(label).removesuffix(" (alleen, centrumstad)") for number, label in legend} \
            == {numbers[pid]: names[pid] for pid in counted}
    # Inside the partnership's area on the web map (placed on the web layer's simplified geometries, so not exactly
    # at the print map's point, which is placed on the full ones).
    from shapely.geometry import Point

    from ui.webmap import dissolved_partnerships

    areas = dissolved_partnerships(view, web).set_index("partnership_id").geometry
    pid_of = {str(number): pid for pid, number in numbers.items()}
    fmap = coverage_map(view, web)
    group = next(layer for layer in fmap.layers if isinstance(layer, folium.FeatureGroup)
                 and layer.layer_name == "Nummers samenwerkingsverbanden")
    for marker in _rendered_markers(fmap, group):
        number = _number_of(marker)
        lat, lon = marker["location"]
        assert areas[pid_of[number]].contains(Point(lon, lat)), number
    # A partnership cut by the selection carries its number inside its members in view: here the largest
    # partnership loses the first half of its members.
    members = view.scheme.memberships
    largest = members["partnership_id"].value_counts().index[0]
    dropped = sorted(members.loc[members["partnership_id"] == largest, "nis"])[:8]
    selection = ~view.municipalities["nis"].isin(dropped)
    in_view = set(view.municipalities.loc[selection, "nis"])
    fmap = coverage_map(view, web, selection)
    group = next(layer for layer in fmap.layers if isinstance(layer, folium.FeatureGroup)
                 and layer.layer_name == "Nummers samenwerkingsverbanden")
    cut = 0
    for marker in _rendered_markers(fmap, group):
        pid = pid_of[_number_of(marker)]
        codes = set(members.loc[members["partnership_id"] == pid, "nis"])
        lat, lon = marker["location"]
        assert web[web["nis"].isin(codes & in_view)].union_all().contains(Point(lon, lat)), pid
        cut += not codes <= in_view
    assert cut >= 1  # so the placement of a cut partnership is checked


def test_partnership_numbers_are_escaped_text():
    fmap = base_map()
    from ui.webmap import _add_number_labels

    _add_number_labels(fmap, [((51.0, 4.0), XSS)], name=XSS)
    marker = next(iter(_rendered_markers(fmap, fmap.layers[-1])))
    assert _number_of(marker) == "&lt;img src=x onerror=alert(1)&gt;"
    assert XSS not in finish(fmap).get_root().render()


def test_the_legend_is_drawn_on_the_map_only_for_a_standalone_file():
    """One legend per map (`fmap.legend`): a standalone HTML file draws it on the map; the dashboard shows it beside
    the map (`ui.widgets.show_map` sets `legend_in_map` off), and then the map has none of its own."""
    entries = [LegendEntry("Verband A", "#CC6677", count=3)]
    standalone, dashboard = base_map(), base_map()
    for fmap in (standalone, dashboard):
        add_legend_and_source(fmap, "Dekking", entries, "Bron: x")
    dashboard.legend_in_map = False
    assert standalone.legend == dashboard.legend
    assert standalone.legend.entries == tuple(entries) and standalone.legend.source == "Bron: x"
    assert "rk-legend-entry" in finish(standalone).get_root().render()
    page = finish(dashboard).get_root().render()
    # (The fit script still looks for a legend strip by its class, for a standalone file: no strip here.)
    assert "rk-legend" not in page and 'class="rk-bottom"' not in page and "Bron: x" not in page


def test_a_legend_for_two_maps_lists_each_entry_once_with_both_counts():
    from ui.webmap import MapLegend, legend_html, merged_legend

    unknown = LegendEntry("Onbekend", "#DDDDDD", 127, hatched=True)
    legends = {"2019": MapLegend("2019", (LegendEntry("Verband A", "#CC6677", 3, number=1), unknown), "Bron: x"),
               "2025": MapLegend("2025", (LegendEntry("Verband A", "#CC6677", 2, number=1),
                                          LegendEntry("Onbekend", "#DDDDDD", 1234, hatched=True),
                                          LegendEntry("Fusieconflict", "#FFFFFF", 4, outline="#0072B2")), "Bron: x")}
    merged = merged_legend("aantallen 2019 / 2025", legends, "Bron: x")
    assert [(entry.label, entry.count_text) for entry in merged.entries] == [
        ("Verband A", "3 / 2"), ("Onbekend", "127 / 1.234"), ("Fusieconflict", "– / 4")]
    assert merged.entries[0].number == 1 and merged.entries[1].hatched
    assert "(127 / 1.234)" in legend_html(merged.entries)


def test_tooltips_are_small_wrap_and_open_towards_the_middle_of_the_map():
    from ui.webmap import TOOLTIP_STYLE

    fmap = base_map()
    layer = add_area_layer(fmap, _frame(), name="Gemeenten", tooltip={"name": "Gemeente", "partnership": "Verband"})
    assert layer is not None
    page = finish(fmap).get_root().render()
    options = page[page.index("bindTooltip("):]
    options = options[options.index(",{"):options.index("});")]
    assert '"direction": "auto"' in options and '"sticky": true' in options
    assert TOOLTIP_STYLE in page
    assert "max-width:min(240px,55vw)" in TOOLTIP_STYLE and "white-space:normal" in TOOLTIP_STYLE


def test_merger_conflicts_are_outlined_in_their_own_colour_and_in_the_legend():
    from analysis.figures import CONFLICT_LABEL
    from analysis.mapstyle import MERGER_CONFLICT, WARNING
    from ui.webmap import add_merger_conflicts

    frame = _frame().assign(nis=["11001", "11002"])
    fmap = base_map()
    add_legend_and_source(fmap, "Gemeenten vanaf 2025", [LegendEntry("Verband A", "#CC6677", count=3)], "Bron: x")
    add_merger_conflicts(fmap, frame, {"11002"})
    outline = fmap.layers[-1]
    assert {f["properties"]["style"]["color"] for f in outline.data["features"]} == {MERGER_CONFLICT}
    assert len(outline.data["features"]) == 1
    entry = fmap.legend.entries[-1]
    assert (entry.label, entry.outline, entry.count) == (CONFLICT_LABEL, MERGER_CONFLICT, 1)
    assert fmap.legend.entries[0].label == "Verband A" and fmap.legend.source == "Bron: x"
    assert MERGER_CONFLICT.lower() != WARNING.lower()  # apart from the overlaps' vermillion


def test_a_rendered_map_carries_its_legend_and_source_without_rendering_the_page():
    """`ui.widgets.show_map` lets streamlit-folium render only the map (`st_folium(render=False)`): everything the
    map shows, the legend and the source line included, must come with the map's own render."""
    fmap = base_map()
    add_area_layer(fmap, _frame(), name="Gemeenten", tooltip={"name": "Gemeente"})
    add_legend_and_source(fmap, "Dekking", [LegendEntry("Gedekt", "#CC6677", count=1)], "Bron: test")
    finish(fmap).render()
    html = fmap.get_root().html.render()
    assert "rk-legend" in html and "Gedekt" in html and "Bron: test" in html


def test_live_parts_keep_the_base_and_carry_data_and_fit():
    """A filter change must not rebuild the map in the browser: the base (what streamlit-folium compares) is the same
    for every selection; layers, hatch patterns and the fit to the selection come as feature groups. The legend is
    not among them: the dashboard shows it beside the map."""
    import re

    import folium

    from ui.webmap import live_parts

    def live(frame, bounds):
        fmap = base_map(bounds)
        add_area_layer(fmap, frame, name="Gemeenten", tooltip={"name": XSS}, hatch_colour="#000000")
        add_legend_and_source(fmap, "Dekking", [LegendEntry("Verband A", "#CC6677", count=len(frame))], "Bron: x")
        fmap.legend_in_map = False  # as ui.widgets.show_map does before it splits the map
        return live_parts(finish(fmap))

    def numbered(page: str) -> str:  # element ids are random: number them in order of appearance
        ids: dict[str, str] = {}
        return re.sub(r"[0-9a-f]{32}", lambda found: ids.setdefault(found.group(), f"id{len(ids)}"), page)

    def data_script(parts) -> str:
        host = folium.Map(tiles=None)
        for group in parts.groups:
            group.add_to(host)
        return host.get_root().render()

    both, first = live(_frame(), [[51.0, 3.0], [51.1, 3.2]]), live(_frame().iloc[:1], [[51.0, 3.0], [51.1, 3.1]])
    assert numbered(both.base.get_root().render()) == numbered(first.base.get_root().render())
    assert "Heel Vlaanderen" in both.base.get_root().render()
    # The tooltips' style comes with the base: streamlit-folium sends the header of the base only.
    from ui.webmap import TOOLTIP_STYLE

    assert TOOLTIP_STYLE in both.base.get_root().header.render()
    assert [group.layer_name for group in both.groups[:-1]] == ["Gemeenten"]  # listed in the layer control
    assert both.groups[-1].control is False and isinstance(both.layer_control, folium.LayerControl)
    texts = [data_script(parts) for parts in (both, first)]
    assert "rk-legend" not in texts[0] and "Bron: x" not in texts[0]
    assert [text.count('"type": "Feature"') for text in texts] == [2, 1]  # each selection its own data
    assert XSS not in texts[0] and "\\u0026lt;img src=x" in texts[0]  # escaped, then JSON-escaped by folium
    assert texts[0].count("rkh-CC6677-000000") >= 2  # the layer's fill refers to the hatch pattern it brings
    assert "[[51.0, 3.0], [51.1, 3.1]]" in texts[1]  # the fit to the selection


@pytest.mark.slow
def test_web_gaps_map_draws_and_lists_the_shared_gap_categories():
    """The web gaps map reads `analysis.mapstyle.GAP_CATEGORIES`, as the print version does: each category's fill
    on its municipalities and its label, fill and count in the legend."""
    from analysis.datasets import bundled_view
    from analysis.mapstyle import GAP_CATEGORIES
    from geodata.weblayer import web_layer
    from ui.webmap import gaps_map

    view = bundled_view("regie-2020-2025", "2019")
    fmap = gaps_map(view, web_layer("2019"), source="Bron: x")
    legend = {entry.label: entry for entry in fmap.legend.entries}
    status = dict(zip(view.status["nis"], view.status["status"]))
    unknown = sum(1 for value in status.values() if value == "unknown")
    assert legend[GAP_CATEGORIES["unknown"].label].count == unknown > 0
    for category in GAP_CATEGORIES.values():
        if category.label in legend:
            assert legend[category.label].fill == category.fill
            assert legend[category.label].hatched == (category.hatch is not None)
    fills = {layer.layer_name: {feature["properties"]["style"].get("fillColor") for feature in layer.data["features"]}
             for layer in fmap.layers if isinstance(layer, folium.GeoJson)}
    assert fills["Gedekt"] == {GAP_CATEGORIES["covered"].fill}
    assert len(fills["Onbekend"]) == 1 and GAP_CATEGORIES["unknown"].fill[1:] in next(iter(fills["Onbekend"]))


def test_partnership_outlines_are_the_dissolved_members_also_after_an_edit():
    """The web map keeps each partnership's outline per member set; after an edit the changed partnership gets its
    new outline and every outline is still the union of its members (analysis.scenario.partnership_areas)."""
    from analysis.datasets import build_view, municipality_names, scenario_starting_point
    from analysis.scenario import partnership_areas
    from analysis.scenario_edit import START_RECONSTRUCTION, Assign, new_scenario
    from geodata.weblayer import web_layer
    from ui.webmap import dissolved_partnerships

    web = web_layer("2019")
    scenario = new_scenario(scenario_starting_point(START_RECONSTRUCTION, "2019"))
    known = set(scenario.scheme.memberships["nis"]) | set(scenario.scheme.non_participants["nis"])
    newcomer = sorted(set(municipality_names("2019")) - known)[0]
    target = sorted(scenario.scheme.partnerships["partnership_id"])[0]
    for scheme in (scenario.scheme, scenario.apply(Assign(newcomer, target)).scheme):
        view = build_view(scheme, "2019")
        expected = partnership_areas(view, web).set_index("partnership_id")
        drawn = dissolved_partnerships(view, web).set_index("partnership_id")
        assert list(drawn.index) == list(expected.index)
        assert (drawn["name"] == expected["name"]).all()
        assert drawn.geometry.geom_equals_exact(expected.geometry, 0).all()
    assert drawn.geometry[target].contains(web.set_index("nis").geometry[newcomer].representative_point())


def test_every_layer_carries_the_json_text_of_its_data():
    """Each GeoJSON layer of a map writes its kept text (ui.compat.SerialisedGeoJson): it must be exactly its data
    as JSON, for every map kind, also after a filter picked some features."""
    import json

    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map, gaps_map

    def layers(element):
        for child in element._children.values():
            if isinstance(child, folium.GeoJson):
                yield child
            yield from layers(child)

    view, web = bundled_view("regie-2020-2025", "2019"), web_layer("2019")
    limburg = view.municipalities["province"] == "Limburg"
    maps = [coverage_map(view, web), coverage_map(view, web, limburg, chosen_nis="71022"), gaps_map(view, web)]
    checked = 0
    for fmap in maps:
        for layer in layers(fmap):
            assert layer.data.json_text == json.dumps(dict(layer.data), sort_keys=True)
            checked += 1
    assert checked >= 8
