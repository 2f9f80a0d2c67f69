"""Legends that never hide the map, in a real Chromium at the widths of a laptop, a desktop and a phone: beside the
map on a wide screen (under the two maps of Fusies shown side by side), below it on a phone, every entry visible at
once (no scrolling inside the legend), and the map at least half of the phone's screen high."""

import time

import pytest

from tests.conftest import leaflet_frame, local_only

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = {"laptop-1440": (1440, 900), "desktop-1280": (1280, 800), "phone-390": (390, 844)}
LEGEND = "[data-testid='rk-legend']"


@pytest.fixture(params=list(SCREENS))
def screen(request, chromium):
    width, height = SCREENS[request.param]
    context = local_only(chromium.new_context(viewport={"width": width, "height": height}, locale="nl-BE"))
    page = context.new_page()
    yield page, width, height
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url)
    leaflet_frame(page)  # the map (or maps) drawn
    page.locator(LEGEND).first.wait_for(timeout=60_000)
    time.sleep(1.0)  # Streamlit's layout settles (columns, expander)


def legend_layout(page, index: int = 0) -> dict:
    """Scroll legend `index` so that it starts just below Streamlit's fixed header, then measure it and its entries."""
    return page.evaluate("""(index) => {
        const legend = document.querySelectorAll("[data-testid='rk-legend']")[index];
        const header = document.querySelector("header[data-testid='stHeader']");
        const headerBottom = header ? header.getBoundingClientRect().bottom : 0;
        // The page scrolls in Streamlit's main section (stMain), not in the window.
        const pageScroller = document.querySelector("[data-testid='stMain']");
        legend.scrollIntoView({block: 'start'});
        pageScroller.scrollBy(0, legend.getBoundingClientRect().top - headerBottom - 4);
        const box = legend.getBoundingClientRect();
        // The legend and every element around it up to the page: none may scroll its content.
        const scrolling = [];
        for (let node = legend; node && node !== pageScroller; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (node.scrollHeight > node.clientHeight + 1 && /(auto|scroll)/.test(style.overflowY)) {
                scrolling.push(node.getAttribute('data-testid') || node.className || node.tagName);
            }
        }
        const entries = [...legend.querySelectorAll('.rk-legend-entry')].map(entry => {
            const r = entry.getBoundingClientRect();
            return {text: entry.innerText, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    visible: r.height > 0 && r.width > 0};
        });
        const map = [...document.querySelectorAll('iframe')].map(f => f.getBoundingClientRect())
            .filter(r => r.height > 200)[0];
        return {legend: {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
                         scrollHeight: legend.scrollHeight, clientHeight: legend.clientHeight},
                scrolling, entries, headerBottom, viewportHeight: window.innerHeight,
                viewportWidth: window.innerWidth,
                map: map ? {top: map.top, left: map.left, right: map.right, bottom: map.bottom, height: map.height}
                         : null};
    }""", index)


def assert_every_entry_in_view(layout: dict) -> None:
    legend, entries = layout["legend"], layout["entries"]
    assert entries, layout
    assert legend["scrollHeight"] <= legend["clientHeight"] + 1, legend
    assert layout["scrolling"] == [], layout["scrolling"]
    for entry in entries:
        assert entry["visible"], entry
        assert layout["headerBottom"] - 1 <= entry["top"] and entry["bottom"] <= layout["viewportHeight"] + 1, \
            (entry, layout["viewportHeight"])
        assert legend["top"] - 1 <= entry["top"] and entry["bottom"] <= legend["bottom"] + 1, (entry, legend)
        assert legend["left"] - 1 <= entry["left"] and entry["right"] <= legend["right"] + 1, (entry, legend)
        assert 0 <= entry["left"] and entry["right"] <= layout["viewportWidth"] + 1, entry


def assert_legend_beside_or_below(layout: dict, width: int, height: int, beside: bool = True) -> None:
    """Beside the map on a wide screen (`beside`; below maps side by side otherwise), below it on a phone, where
    the map keeps at least half the screen's height; never over it."""
    legend, map_box = layout["legend"], layout["map"]
    assert map_box is not None, layout
    if width >= 1000 and beside:
        assert legend["left"] >= map_box["right"] - 1, (legend, map_box)
    else:
        assert legend["top"] >= map_box["bottom"] - 1, (legend, map_box)
    if width < 640:
        assert map_box["height"] >= height / 2, (map_box, height)


def test_dekking_legend_is_whole_and_beside_or_below_the_map(screen, streamlit_url, artifacts_dir):
    from analysis.datasets import bundled_view
    from analysis.formatting import format_number

    page, width, height = screen
    open_page(page, streamlit_url + "/dekking")
    layout = legend_layout(page)
    assert_every_entry_in_view(layout)
    assert_legend_beside_or_below(layout, width, height)
    texts = [entry["text"].replace("\n", " ") for entry in layout["entries"]]
    view = bundled_view("regie-2020-2025", "2019")
    unknown = int((view.status["status"] == "unknown").sum())
    assert any(text.startswith("Onbekend") and f"({format_number(unknown)})" in text for text in texts), texts
    assert any(text.startswith("★") for text in texts), texts  # the stand-alone centre cities' star
    page.screenshot(path=str(artifacts_dir / f"legend-dekking-{width}.png"))


def test_fusies_legend_is_whole_and_beside_or_below_the_maps(screen, streamlit_url, artifacts_dir):
    page, width, height = screen
    open_page(page, streamlit_url + "/fusies")
    layout = legend_layout(page)
    assert_every_entry_in_view(layout)
    # The two maps side by side share one legend across the page under them (beside them it would squeeze both).
    assert_legend_beside_or_below(layout, width, height, beside=False)
    assert len(layout["entries"]) >= 27
    page.screenshot(path=str(artifacts_dir / f"legend-fusies-{width}.png"))


def test_home_map_keeps_half_the_phone_screen(chromium, streamlit_url):
    context = local_only(chromium.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE"))
    try:
        page = context.new_page()
        open_page(page, streamlit_url + "/")
        layout = legend_layout(page)
        assert_every_entry_in_view(layout)
        assert_legend_beside_or_below(layout, 390, 844)
    finally:
        context.close()


def test_fusies_legend_has_the_merger_conflict_outline_in_the_colour_drawn(chromium, streamlit_url):
    """The conflict outline is in the legend, its swatch's border in the colour of the outline on the 2025 map, and
    that colour differs from the overlaps' (vermillion)."""
    from analysis.figures import CONFLICT_LABEL
    from analysis.mapstyle import MERGER_CONFLICT, WARNING

    assert MERGER_CONFLICT.lower() != WARNING.lower()
    context = local_only(chromium.new_context(viewport={"width": 1440, "height": 900}, locale="nl-BE"))
    try:
        page = context.new_page()
        open_page(page, streamlit_url + "/fusies")
        swatch = page.evaluate("""(label) => {
            const entry = [...document.querySelectorAll("[data-testid='rk-legend'] .rk-legend-entry")]
                .find(e => e.querySelector('.rk-legend-label').innerText === label);
            if (!entry) { return null; }
            const style = getComputedStyle(entry.querySelector('span'));
            return {colour: style.borderTopColor, line: style.borderTopStyle};
        }""", CONFLICT_LABEL)
        assert swatch is not None, "no merger-conflict entry in the Fusies legend"
        red, green, blue = (int(MERGER_CONFLICT[i:i + 2], 16) for i in (1, 3, 5))
        assert swatch["colour"] == f"rgb({red}, {green}, {blue})", swatch
        assert swatch["line"] == "dashed", swatch  # as the dotted outline on the map
        deadline, drawn = time.monotonic() + 60, []
        while not drawn and time.monotonic() < deadline:
            for frame in page.frames:
                try:
                    drawn += frame.evaluate("""() => [...document.querySelectorAll('path')]
                        .map(p => (p.getAttribute('stroke') || '').toLowerCase())""")
                except Exception:  # a frame detached while Streamlit re-renders
                    continue
            drawn = [colour for colour in drawn if colour == MERGER_CONFLICT.lower()]
            time.sleep(0.5)
        assert drawn, "no municipality outlined in the merger-conflict colour"
    finally:
        context.close()


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_tooltips_are_compact_and_inside_the_map(chromium, streamlit_url, width, height):
    """A hover tooltip at the east and west edges of Flanders: within the map, wrapped (not one word per line),
    and far from covering a third of it."""
    from tests.test_browser_security import hover_municipality

    context = local_only(chromium.new_context(viewport={"width": width, "height": height}, locale="nl-BE"))
    try:
        page = context.new_page()
        open_page(page, streamlit_url + "/dekking")
        frame = leaflet_frame(page)
        # A phone-wide map is zoomed in on Flanders (its edges out of view): show all of it first.
        frame.get_by_role("button", name="Toon heel Vlaanderen").click()
        page.wait_for_timeout(800)
        for name in ("Maaseik", "De Panne"):
            text = hover_municipality(page, frame, name)
            assert "Gemeente" in text and "Verband(en)" in text, text
            tooltip, map_box = frame.evaluate("""() => [
                document.querySelector('.leaflet-tooltip').getBoundingClientRect().toJSON(),
                document.querySelector('.leaflet-container').getBoundingClientRect().toJSON()]""")
            assert tooltip["left"] >= map_box["left"] - 1 and tooltip["right"] <= map_box["right"] + 1, (name, tooltip)
            assert tooltip["top"] >= map_box["top"] - 1 and tooltip["bottom"] <= map_box["bottom"] + 1, (name, tooltip)
            assert tooltip["width"] * tooltip["height"] < map_box["width"] * map_box["height"] / 6, (name, tooltip)
            assert tooltip["width"] >= 120 and tooltip["height"] <= 160, (name, tooltip)
            page.mouse.move(0, 0)  # away from the map: the tooltip closes
            page.wait_for_timeout(300)
    finally:
        context.close()
