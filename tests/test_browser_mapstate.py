"""Maps that keep their state (issue 16) and the clicked municipality outlined (issue 14), in a real Chromium.

The Leaflet map of a page is read in the streamlit-folium iframe, where the component names it `map_div`."""

import time

import pytest

from geodata.municipalities import load_municipalities
from tests.conftest import leaflet_frame, local_only
from tests.test_browser import settled_path_count
from ui.webmap import FLANDERS_BOUNDS, SELECTED_COLOUR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LEGEND = "[data-testid='rk-legend']"  # the legend beside the map (ui.widgets.show_legend)


def view_of(frame) -> dict:
    return frame.evaluate("""() => {
        const b = map_div.getBounds();
        return {zoom: map_div.getZoom(), lat: map_div.getCenter().lat, lng: map_div.getCenter().lng,
                south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()};
    }""")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar select box `label`."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def wait_for_paths(frame, count: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if settled_path_count(frame, seconds=1.0) == count:
            return
    raise AssertionError(f"the map never showed {count} municipalities")


def box_of(municipalities, province: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a province's municipalities in WGS84."""
    west, south, east, north = municipalities[municipalities["province"] == province].to_crs(4326).total_bounds
    return south, west, north, east


def test_filter_change_keeps_the_users_view_and_heel_vlaanderen_resets_it(page, streamlit_url, artifacts_dir):
    municipalities = load_municipalities("2019")
    page.goto(streamlit_url + "/")
    frame = leaflet_frame(page)
    assert settled_path_count(frame) == 300
    frame.evaluate("() => { map_div.regiekaartProbe = 'zelfde kaart'; }")  # gone if the map were rebuilt
    fitted = view_of(frame)
    frame.click("a.leaflet-control-zoom-in")
    page.wait_for_timeout(800)
    assert view_of(frame)["zoom"] == fitted["zoom"] + 1
    south, west, north, east = box_of(municipalities, "Vlaams-Brabant")
    frame.evaluate("([lat, lng]) => map_div.panTo([lat, lng], {animate: false})",
                   [(south + north) / 2, (west + east) / 2])
    page.wait_for_timeout(500)
    zoomed = view_of(frame)

    # Vlaams-Brabant lies in the user's view: the view stays, the map shows its municipalities only.
    assert zoomed["south"] < south and zoomed["west"] < west and north < zoomed["north"] and east < zoomed["east"]
    choose(page, "Provincie", "Vlaams-Brabant")
    wait_for_paths(frame, int((municipalities["province"] == "Vlaams-Brabant").sum()))
    kept = view_of(frame)
    assert kept["zoom"] == zoomed["zoom"]
    assert kept["lat"] == pytest.approx(zoomed["lat"], abs=1e-6)
    assert kept["lng"] == pytest.approx(zoomed["lng"], abs=1e-6)
    assert frame.evaluate("() => map_div.regiekaartProbe") == "zelfde kaart"
    legend = page.inner_text(LEGEND)  # beside the map
    assert "Regie sociale economie regio Vilvoorde" in legend  # the legend follows the new selection
    assert "Westhoek" not in legend
    assert page.locator(LEGEND).count() == 1

    # "Heel Vlaanderen" shows all of Flanders again.
    frame.get_by_role("button", name="Toon heel Vlaanderen").click()
    page.wait_for_timeout(800)
    whole = view_of(frame)
    (f_south, f_west), (f_north, f_east) = FLANDERS_BOUNDS
    assert whole["zoom"] < kept["zoom"]
    assert whole["south"] <= f_south and whole["west"] <= f_west
    assert f_north <= whole["north"] and f_east <= whole["east"]
    page.screenshot(path=str(artifacts_dir / "mapstate-heel-vlaanderen.png"), full_page=True)

    # A selection that is (mostly) out of view is fitted: zoomed into the west, Limburg is brought into view.
    frame.evaluate("() => map_div.setView([51.0, 3.0], 10)")
    page.wait_for_timeout(500)
    choose(page, "Provincie", "Limburg")
    wait_for_paths(frame, int((municipalities["province"] == "Limburg").sum()))
    page.wait_for_timeout(500)
    fitted_limburg = view_of(frame)
    south, west, north, east = box_of(municipalities, "Limburg")
    assert fitted_limburg["south"] <= south and fitted_limburg["west"] <= west
    assert north <= fitted_limburg["north"] and east <= fitted_limburg["east"]
    assert frame.evaluate("() => map_div.regiekaartProbe") == "zelfde kaart"


CLICK_POINT = """(name) => {
    // A point inside the municipality's polygon, in the iframe's coordinates, checked with elementFromPoint.
    let target = null;
    map_div.eachLayer(l => { if (l.feature && l.feature.properties.name === name && l.options.interactive !== false
                                  && l._path && l._path.classList.contains('leaflet-interactive')) target = l; });
    const box = target.getBounds();
    for (const [fy, fx] of [[.5, .5], [.4, .5], [.6, .5], [.5, .4], [.5, .6], [.3, .3], [.7, .7], [.3, .7], [.7, .3]]) {
        const latlng = [box.getSouth() + fy * (box.getNorth() - box.getSouth()),
                        box.getWest() + fx * (box.getEast() - box.getWest())];
        const point = map_div.latLngToContainerPoint(latlng);
        const rect = map_div.getContainer().getBoundingClientRect();
        const x = rect.left + point.x, y = rect.top + point.y;
        if (document.elementFromPoint(x, y) === target._path) return {x, y};
    }
    return null;
}"""

OUTLINED = """(colour) => {
    let count = 0;
    map_div.eachLayer(l => { if (l.feature && l.options.color === colour) count += 1; });
    return count;
}"""


def click_municipality(page, frame, name: str) -> None:
    point = frame.evaluate(CLICK_POINT, name)
    assert point, f"no visible point of {name} on the map"
    iframe = frame.frame_element().bounding_box()
    page.mouse.click(iframe["x"] + point["x"], iframe["y"] + point["y"])


def test_clicked_municipality_is_outlined_while_its_details_show(page, streamlit_url, artifacts_dir):
    page.goto(streamlit_url + "/dekking")
    frame = leaflet_frame(page)
    assert settled_path_count(frame) == 300
    frame.click("a.leaflet-control-zoom-in")
    page.wait_for_timeout(800)
    zoomed = view_of(frame)
    click_municipality(page, frame, "Gent")
    page.get_by_text("NIS 44021").wait_for(timeout=30_000)  # the details of Gent
    deadline = time.monotonic() + 30
    while frame.evaluate(OUTLINED, SELECTED_COLOUR) != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert frame.evaluate(OUTLINED, SELECTED_COLOUR) == 1
    outline = frame.evaluate("""(colour) => {
        let found = null, gent = null;
        map_div.eachLayer(l => {
            if (l.feature && l.options.color === colour) found = l.getBounds();
            const name = l.feature && l.feature.properties.name;
            if (name === 'Gent' && l.options.interactive !== false) gent = l.getBounds();
        });
        return found && gent && found.equals(gent, 1e-6);
    }""", SELECTED_COLOUR)
    assert outline, "the outline is not Gent's"
    assert "Gekozen gemeente" in page.inner_text(LEGEND)  # the outline is explained
    assert view_of(frame)["zoom"] == zoomed["zoom"]  # clicking kept the user's zoom
    page.screenshot(path=str(artifacts_dir / "mapstate-dekking-gent.png"), full_page=True)

    # A filter that keeps Gent keeps its details and its outline.
    choose(page, "Provincie", "Oost-Vlaanderen")
    wait_for_paths(frame, int((load_municipalities("2019")["province"] == "Oost-Vlaanderen").sum()))
    assert page.get_by_text("NIS 44021").is_visible()
    assert frame.evaluate(OUTLINED, SELECTED_COLOUR) == 1


INTERACTIVE_NAMES = """() => {
    const names = [];
    map_div.eachLayer(l => { if (l.feature && l._path && l._path.classList.contains('leaflet-interactive'))
                                 names.push(l.feature.properties.name); });
    return names;
}"""


def test_click_on_a_map_partly_scrolled_out_of_view_reaches_the_municipality(page, streamlit_url, artifacts_dir):
    """Leaflet focuses the map on the first mouse press; without `ui.compat.FocusWithoutScroll` that scrolled
    Streamlit's main area between press and release and the click hit another place (issue 17)."""
    municipalities = load_municipalities("2019").set_index("name")["nis"]
    page.set_viewport_size({"width": 1400, "height": 800})
    page.goto(streamlit_url + "/dekking")
    frame = leaflet_frame(page)
    assert settled_path_count(frame) == 300
    iframe = frame.frame_element()
    hidden = 120  # map pixels scrolled above the top of the page's main area
    page.evaluate("(dy) => document.querySelector('[data-testid=\"stMain\"]').scrollBy(0, dy)",
                  iframe.bounding_box()["y"] + hidden)
    page.wait_for_timeout(500)
    box = iframe.bounding_box()
    assert box["y"] == pytest.approx(-hidden, abs=2)  # the top of the map is out of view
    scrolled = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")
    target = None
    for name in frame.evaluate(INTERACTIVE_NAMES):
        point = frame.evaluate(CLICK_POINT, name)
        if point and point["y"] > hidden + 100:  # well below the page's header
            target = name
            break
    assert target, "no municipality in the visible part of the map"
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.get_by_text(f"NIS {municipalities[target]}").wait_for(timeout=30_000)
    assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop") == scrolled
    page.screenshot(path=str(artifacts_dir / "mapstate-half-in-view-click.png"))


def test_on_a_phone_flanders_is_zoomed_to_a_readable_height_and_heel_vlaanderen_shows_all(chromium, streamlit_url):
    """Fitted to a 390 px wide map, Flanders would be a strip a fifth of the map high: the fit zooms in (the user
    pans east-west); "Heel Vlaanderen" still shows the whole of it."""
    context = local_only(chromium.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE"))
    try:
        page = context.new_page()
        page.goto(streamlit_url + "/")
        frame = leaflet_frame(page)
        assert settled_path_count(frame) == 300
        (south, west), (north, east) = FLANDERS_BOUNDS
        height_share = """([south, north]) => {
            const top = map_div.latLngToContainerPoint([north, 4.2]).y, bottom = map_div.latLngToContainerPoint([south, 4.2]).y;
            return (bottom - top) / map_div.getSize().y;
        }"""
        assert frame.evaluate(height_share, [south, north]) > 0.3
        fitted = view_of(frame)
        frame.get_by_role("button", name="Toon heel Vlaanderen").click()
        page.wait_for_timeout(800)
        whole = view_of(frame)
        assert whole["zoom"] < fitted["zoom"]
        assert whole["west"] <= west and east <= whole["east"]
    finally:
        context.close()


def test_on_a_phone_the_zoomed_gaps_map_keeps_the_highlighted_municipalities_in_view(chromium, streamlit_url):
    """Overlappingen en hiaten outlines the non-covered municipalities near a chosen one (Genk, at the east of
    Flanders): zoomed in on a phone, the map is centred on them instead of the middle of Flanders, where they fell
    off the east edge."""
    context = local_only(chromium.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE"))
    try:
        page = context.new_page()
        page.goto(streamlit_url + "/hiaten")
        frame = leaflet_frame(page)
        assert settled_path_count(frame) > 300
        highlighted = frame.evaluate("""(colour) => {
            let box = null;
            map_div.eachLayer(layer => {
                if (layer.feature && layer.getBounds && String(layer.options.color).toLowerCase() === colour) {
                    box = box ? box.extend(layer.getBounds()) : L.latLngBounds([layer.getBounds()]);
                }
            });
            const view = map_div.getBounds();
            return box && {inside: view.contains(box), zoom: map_div.getZoom(), width: map_div.getSize().x};
        }""", SELECTED_COLOUR.lower())
        assert highlighted is not None, "no highlighted municipality on the map"
        assert highlighted["width"] < 600 and highlighted["inside"], highlighted
    finally:
        context.close()
