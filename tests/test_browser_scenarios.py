"""The Scenario's page in a real Chromium: assign a municipality by clicking it on the map, save, and open the
link in a fresh browser context (a new session) to see the same scenario and numbers."""

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import leaflet_frame, local_only

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR_LABEL = "Gemeente (of klik op de kaart)"


def wait_for(condition, timeout_s: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = condition()
        except PlaywrightError:  # Streamlit replaces elements while it reruns
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def metrics(page) -> dict[str, str]:
    """The KPI cards as label -> value text."""
    cards = page.locator('[data-testid="stMetric"]')
    result = {}
    for i in range(cards.count()):
        label = cards.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip()
        result[label] = cards.nth(i).locator('[data-testid="stMetricValue"]').inner_text().strip()
    return result


def settled_metrics(page, wanted=None) -> dict[str, str] | None:
    """The KPI cards once Streamlit has finished its run and they stay the same for a second (None before);
    with ``wanted``, only when they satisfy it."""
    if page.locator('[data-testid="stStatusWidget"]').count():
        return None
    first = metrics(page)
    time.sleep(1)
    if page.locator('[data-testid="stStatusWidget"]').count() or metrics(page) != first or len(first) < 8:
        return None
    return first if wanted is None or wanted(first) else None


def settled(page) -> bool:
    """Whether Streamlit has finished its run and stays idle for a second."""
    if page.locator('[data-testid="stStatusWidget"]').count():
        return False
    time.sleep(1)
    return not page.locator('[data-testid="stStatusWidget"]').count()


def click_unknown_municipality(page, frame) -> None:
    """Click, with the mouse, inside a municipality drawn as unknown (hatched, not an overlap)."""
    point = frame.evaluate("""() => {
        for (const path of document.querySelectorAll('path.leaflet-interactive')) {
            const fill = path.getAttribute('fill') || '';
            if (!fill.startsWith('url(') || path.getAttribute('stroke-dasharray')) continue;
            const box = path.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            if (box.width > 8 && document.elementFromPoint(x, y) === path) return [x, y];
        }
        return null; }""")
    assert point, "no unknown municipality whose centre lies inside it"
    # The whole map in view: a press on a map that sticks out focuses it and scrolls the page, so the release
    # lands elsewhere and the browser sends no click to the municipality (as it would for a user).
    page.locator("iframe").evaluate("element => element.scrollIntoView({block: 'center'})")
    time.sleep(1)
    frame_box = page.evaluate("""() => { const r = document.querySelector('iframe').getBoundingClientRect();
                                        return [r.left, r.top]; }""")
    page.mouse.click(frame_box[0] + point[0], frame_box[1] + point[1])


def selected_municipality(page) -> str | None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=EDITOR_LABEL).first
    text = " ".join([box.text_content() or "", box.locator("input").first.input_value()]).replace(EDITOR_LABEL, "\n")
    match = re.search(r"([^()\n]+) \((\d{5})\)", text)
    return match.group(1).strip() if match else None


def test_click_assign_save_and_open_the_link_in_a_fresh_browser(chromium, streamlit_url, artifacts_dir):
    context = local_only(chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="nl-BE"))
    page = context.new_page()
    page.goto(streamlit_url + "/scenarios")
    frame = leaflet_frame(page)
    before = wait_for(lambda: settled_metrics(page), what="the KPI cards")
    covered_before = int(before["Gemeenten gedekt"].split("/")[0].replace(".", ""))

    click_unknown_municipality(page, frame)
    municipality = wait_for(lambda: selected_municipality(page), what="the clicked municipality in the editor")
    page.get_by_role("button", name="Toepassen").click()
    wait_for(lambda: page.get_by_text(f"{municipality} toegewezen aan").count(), what="the edit's message")
    after = wait_for(lambda: settled_metrics(page, lambda m: m["Gemeenten gedekt"] != before["Gemeenten gedekt"]),
                     what="the KPIs after the edit")
    assert int(after["Gemeenten gedekt"].split("/")[0].replace(".", "")) == covered_before + 1
    page.screenshot(path=str(artifacts_dir / "scenario-after-edit.png"))

    page.get_by_label("Titel").fill("Browserproef")
    page.get_by_label("Titel").press("Enter")
    time.sleep(1)
    page.get_by_role("button", name="Bewaren", exact=True).click()
    link = wait_for(lambda: next((text for text in page.locator('[data-testid="stCode"]').all_inner_texts()
                                  if "scenario=" in text), None), what="the link of the saved version")
    assert re.search(r"\?scenario=[A-Za-z0-9_-]{24}&scenarioversie=1$", link.strip()), link
    context.close()

    fresh = local_only(chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="nl-BE"))
    page = fresh.new_page()
    page.goto(link.strip())
    leaflet_frame(page)
    restored = wait_for(lambda: settled_metrics(page, lambda m: m["Gemeenten gedekt"] == after["Gemeenten gedekt"]),
                        what="the restored scenario's KPIs")
    assert restored == after
    page.get_by_role("tab", name="Verschillen").click()
    wait_for(lambda: page.get_by_text("Browserproef").count() or True)
    assert page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Bewaard als 'Browserproef', versie 1").count()
    page.screenshot(path=str(artifacts_dir / "scenario-restored.png"))

    # The address bar keeps the scenario's link after the next runs, and after a page switch through the sidebar's
    # page menu (whose links carry it, ui.pagemenu).
    reference = re.search(r"scenario=([A-Za-z0-9_-]{24})&scenarioversie=1", link).group(0)
    wait_for(lambda: reference in page.url, what="the scenario's link in the address bar")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Dekking", exact=True).click()
    wait_for(lambda: page.get_by_role("heading", name="Dekking").count(), what="the Dekking page")
    wait_for(lambda: page.get_by_text("scenario 'Browserproef' (versie 1)").count(), what="the scenario on Dekking")
    try:
        wait_for(lambda: reference in page.url and "schema=upload" in page.url, timeout_s=60,
                 what="the scenario's link in the address bar after a page switch")
    except AssertionError as error:
        page.screenshot(path=str(artifacts_dir / "scenario-link-after-page-switch.png"), full_page=True)
        raise AssertionError(f"{error}; the address bar shows {page.url}") from None
    fresh.close()


EDITOR_ROW_HEIGHT_PX = 35  # glide-data-grid's row height in st.data_editor; the header is row 0
EDITOR_VISIBLE_ROWS = 8  # of the editor's 360 px


def editor_row_and_target():
    """A municipality without partnership among the first rows of the table editor (which lists every municipality
    by name), its row there, and a partnership whose name no other partnership's name contains (typed to choose
    it in the cell's list)."""
    from analysis.datasets import municipality_names, regie_scheme

    scheme = regie_scheme()
    names = municipality_names("2019")
    ordered = sorted(names, key=lambda nis: names[nis].lower())
    known = set(scheme.memberships["nis"]) | set(scheme.non_participants["nis"])
    row = next(i for i, nis in enumerate(ordered) if nis not in known)
    assert row < EDITOR_VISIBLE_ROWS, "no municipality without partnership among the first rows"
    partnership_names = sorted(scheme.partnerships["name"])
    target = next(name for name in partnership_names
                  if sum(name.lower() in other.lower() for other in partnership_names) == 1)
    return names[ordered[row]], row + 1, target


def test_a_cell_changed_in_the_table_editor_changes_the_kpis_and_the_differences(chromium, streamlit_url,
                                                                                  artifacts_dir):
    # AppTest (Streamlit 1.67) hands a data editor's edits to the script but runs no on_change callback, and the
    # page applies table edits in one: the editor is driven here, in the browser, as a user does.
    municipality, row, partnership = editor_row_and_target()
    context = local_only(chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="nl-BE"))
    page = context.new_page()
    page.goto(streamlit_url + "/scenarios")
    leaflet_frame(page)
    before = wait_for(lambda: settled_metrics(page), what="the KPI cards")

    editor = page.locator('[data-testid="stDataFrame"]').last  # 'Alle gemeenten', the last table of the page
    editor.scroll_into_view_if_needed()
    time.sleep(1)
    # Select the row's first cell, move to the column 'Verband' (the fourth) and open its list.
    editor.click(position={"x": 30, "y": row * EDITOR_ROW_HEIGHT_PX + EDITOR_ROW_HEIGHT_PX / 2})
    time.sleep(0.5)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    choice = page.get_by_test_id("portal").locator(".gdg-clip-region input")
    wait_for(lambda: choice.count(), what="the list of the cell 'Verband'")
    page.keyboard.type(partnership)
    page.keyboard.press("Enter")

    wait_for(lambda: page.get_by_text(f"{municipality} toegewezen aan").count(), what="the edit's message")
    after = wait_for(lambda: settled_metrics(page, lambda m: m["Gemeenten gedekt"] != before["Gemeenten gedekt"]),
                     what="the KPIs after the edit in the table")
    covered = [int(m["Gemeenten gedekt"].split("/")[0].replace(".", "")) for m in (before, after)]
    assert covered[1] == covered[0] + 1
    page.get_by_role("tab", name="Verschillen").click()
    difference = wait_for(lambda: page.locator('[data-testid="stMarkdownContainer"] li').filter(
        has_text=municipality).all_inner_texts(), what="the list of differences")
    assert any(partnership in text for text in difference), difference
    page.screenshot(path=str(artifacts_dir / "scenario-table-edit.png"))
    context.close()
