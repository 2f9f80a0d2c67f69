"""The sidebar menu in a real Chromium: after every page switch the address bar still carries the filters and the
link of the saved scenario in use, so a copied address opens the same view for whoever receives it (issue 17)."""

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import local_only

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 120_000
# (menu entry, the page's heading): a round over pages with and without a map, twelve switches in all.
ROUND = [("Dekking", "Dekking"), ("Overlappingen en hiaten", "Overlappingen en hiaten"),
         ("Samenwerkingsverbanden", "Samenwerkingsverbanden"), ("Overzicht", "Regiekaart")]
SWITCHES = ROUND * 3


def sidebar_menu(page):
    return page.locator("[data-testid='stSidebar']")


def settled(page, seconds: float = 1.0) -> None:
    """Wait until Streamlit has finished its run and stays idle for `seconds`."""
    deadline = time.monotonic() + WAIT_MS / 1000
    status = page.locator("[data-testid='stStatusWidget']")
    while time.monotonic() < deadline:
        if not status.count():
            time.sleep(seconds)
            if not status.count():
                return
        time.sleep(0.25)
    raise AssertionError("the page did not finish its run")


def wait_for_heading(page, heading: str) -> None:
    page.wait_for_function("heading => [...document.querySelectorAll('h1')].some(h => h.innerText.includes(heading))",
                           arg=heading, timeout=WAIT_MS)
    settled(page)


def query_of(url: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlparse(url).query).items()}


def has(url: str, wanted: dict[str, str]) -> bool:
    """Whether the query string of `url` has every wanted parameter with its value."""
    return wanted.items() <= query_of(url).items()


def address_has(page, wanted: dict[str, str]) -> bool:
    """Whether the address bar has every wanted parameter, allowing the browser a moment after the run to update
    it (it does so after the run's last message)."""
    deadline = time.monotonic() + 3
    while not has(page.url, wanted) and time.monotonic() < deadline:
        time.sleep(0.25)
    return has(page.url, wanted)


def menu_links_without(page, wanted: dict[str, str]) -> list[str]:
    """The links of the sidebar's page menu whose address misses a wanted parameter ("copy link address" or
    "open in a new tab" on a menu item would give it)."""
    hrefs = sidebar_menu(page).get_by_role("link").evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) >= 9, hrefs  # one per page
    return [href for href in hrefs if not has(href, wanted)]


def walk_the_menu(page, wanted: dict[str, str], start: str, back_and_forward: bool) -> dict[str, list[str]]:
    """Switch pages through the sidebar menu (`SWITCHES`), as a user does in one session. After each switch: the
    address bar and every menu link must carry the wanted parameters; with `back_and_forward`, the browser's Back
    button must return to the previous page with them, and Forward to this page again. Returns what went wrong,
    per check."""
    problems = {"address bar": [], "menu links": [], "Back": [], "Forward": []}
    previous = start
    for entry, heading in SWITCHES:
        sidebar_menu(page).get_by_role("link", name=entry, exact=True).click()
        wait_for_heading(page, heading)
        if not address_has(page, wanted):
            problems["address bar"].append(f"{entry}: {page.url}")
        if links := menu_links_without(page, wanted):
            problems["menu links"].append(f"{entry}: {links}")
        if back_and_forward:
            page.go_back()
            time.sleep(0.5)
            settled(page)
            shown = page.locator("h1").first.inner_text()
            if previous not in shown or not address_has(page, wanted):
                problems["Back"].append(f"after {entry}: Back showed {shown!r} at {page.url}, not {previous!r}")
            page.go_forward()
            wait_for_heading(page, heading)
            if not address_has(page, wanted):
                problems["Forward"].append(f"{entry}: {page.url}")
        previous = heading
    return {check: found for check, found in problems.items() if found}


def report(problems: dict[str, list[str]]) -> str:
    """How many switches failed each check, then what they showed."""
    counts = "; ".join(f"{check}: {len(found)} of {len(SWITCHES)} switches" for check, found in problems.items())
    return counts + "\n" + "\n".join(f"{check}: {item}" for check, found in problems.items() for item in found)


def test_every_page_switch_keeps_the_filters_in_the_address_bar(chromium, streamlit_url, artifacts_dir):
    wanted = {"schema": "referentieregio", "versie": "2025", "provincie": "Limburg"}
    context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE"))
    page = context.new_page()
    try:
        page.goto(streamlit_url + "/?" + "&".join(f"{name}={value}" for name, value in wanted.items()))
        wait_for_heading(page, "Regiekaart")
        assert address_has(page, wanted), page.url
        problems = walk_the_menu(page, wanted, "Regiekaart", back_and_forward=True)
        if problems:
            page.screenshot(path=str(artifacts_dir / "navigation-lost-filters.png"), full_page=True)
        assert not problems, report(problems)
        # The session kept them all along: the sidebar still shows them.
        assert page.locator("input[aria-label='Provincie']").input_value() == "Limburg"
    finally:
        context.close()


def test_a_deep_link_to_a_page_keeps_its_filters_in_the_menu(page, streamlit_url):
    """An address such as /dekking?provincie=Limburg opens that page with the filter; the menu carries it on."""
    page.goto(streamlit_url + "/dekking?provincie=Limburg")
    wait_for_heading(page, "Dekking")
    assert page.locator("input[aria-label='Provincie']").input_value() == "Limburg"
    assert address_has(page, {"provincie": "Limburg"}) and urlparse(page.url).path == "/dekking", page.url
    assert not menu_links_without(page, {"provincie": "Limburg"})
    # So does the page's own link to the data sources.
    to_sources = page.get_by_role("link", name="Naar de gegevens en bronnen").evaluate("a => a.href")
    assert has(to_sources, {"provincie": "Limburg"}) and urlparse(to_sources).path == "/gegevens", to_sources
    # The menu marks the current page, and only that one: its label is bold.
    weights = sidebar_menu(page).get_by_role("link").evaluate_all(
        "links => links.map(a => [a.innerText.trim().split('\\n').pop(),"
        "                         getComputedStyle(a.querySelector('p')).fontWeight])")
    assert [label for label, weight in weights if int(weight) >= 600] == ["Dekking"], weights


def saved_scenario_link(page, base_url: str, title: str) -> str:
    """Save the Scenario's page's starting scenario under `title`; the link of its version 1."""
    page.goto(base_url + "/scenarios")
    wait_for_heading(page, "Scenario's")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Titel").press("Enter")
    settled(page)
    page.get_by_role("button", name="Bewaren", exact=True).click()
    code = page.locator("[data-testid='stCode']").filter(has_text="scenario=")
    code.first.wait_for(timeout=WAIT_MS)
    link = code.first.inner_text().strip()
    assert re.search(r"\?scenario=[A-Za-z0-9_-]{24}&scenarioversie=1$", link), link
    return link


def test_every_page_switch_keeps_the_saved_scenarios_link_in_the_address_bar(chromium, streamlit_url):
    context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE"))
    page = context.new_page()
    try:
        link = saved_scenario_link(page, streamlit_url, "Navigatieproef")
        context.close()
        # A fresh session opens the link with a filter of its own, as a shared address bar would carry it.
        context = local_only(chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE"))
        page = context.new_page()
        page.goto(f"{streamlit_url}/?{urlparse(link).query}&provincie=Limburg")
        wait_for_heading(page, "Regiekaart")
        page.get_by_text("scenario 'Navigatieproef' (versie 1)").first.wait_for(timeout=WAIT_MS)
        wanted = {**query_of(link), "provincie": "Limburg", "schema": "upload"}
        assert address_has(page, wanted), page.url
        problems = walk_the_menu(page, wanted, "Regiekaart", back_and_forward=False)
        assert not problems, report(problems)
        assert page.get_by_text("scenario 'Navigatieproef' (versie 1)").count()
    finally:
        context.close()
