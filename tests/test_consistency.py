"""The same quantity has the same value wherever it appears.

Every page that shows partnership or municipality counts is walked in Streamlit's AppTest for a set of filter
combinations, and the numbers are read from what the pages render: the KPI cards and the KPI table of Overzicht,
the legend HTML of the maps built for Overzicht, Dekking and Samenwerkingsverbanden, the Dekking table, the
Samenwerkingsverbanden caption, choices and tables, the Subsidie table and caption, the overlaps table of
Overlappingen en hiaten, and `python -m analysis summary --json`. Nothing here computes a count itself.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_app, open_kpi_table

ROOT = Path(__file__).resolve().parent.parent

COMBINATIONS = {
    "geen filter": {},
    "provincie West-Vlaanderen": {"provincie": "West-Vlaanderen"},
    "centrumstad Kortrijk": {"centrumstad": "34022"},
    "verband Midwest": {"verband": "midwest"},
    "referentieregio Zuid-West-Vlaanderen": {"referentieregio": "REFREG08"},
    "kaart 2025": {"versie": "2025"},
}
PAGES = {"overzicht": None, "dekking": "pages/dekking.py", "verbanden": "pages/verbanden.py",
         "subsidie": "pages/subsidie.py", "hiaten": "pages/hiaten.py"}
SPECIAL_ROWS = ("In meer dan één verband", "Onbekend", "Neemt niet deel", "★")
STANDALONE = " (alleen, centrumstad)"
SUGGESTIVE = " – vermoedelijk"
MEMBERLESS = " (zonder gekende leden)"
REGISSEURS = re.compile(r"(\d+) regisseurs? \((\d+) samenwerkingsverband(?:en)? \+ (\d+) centrumsteden? alleen\)")


@dataclass
class LegendRow:
    label: str
    count: int | None
    total: int | None  # "12 van 16": 16

    @property
    def name(self) -> str:
        """The partnership's name, without the legend's suffixes."""
        return self.label.removesuffix(SUGGESTIVE).removesuffix(STANDALONE)

    @property
    def members(self) -> int | None:
        return self.total if self.total is not None else self.count


def legend_of(at: AppTest) -> list[LegendRow]:
    """The rows of the page's first map legend as the page sent it to the browser (beside the map, `st.html`)."""
    body = next(element.proto.body for element in at.get("html") if "rk-legend-entry" in element.proto.body)
    rows = []
    for entry in re.findall(r"<div class='rk-legend-entry'.*?</div>", body):
        label = html.unescape(re.search(r"rk-legend-label'>(.*?)</span>", entry).group(1))
        count = re.search(r"</span> <span[^>]*>\((\d+)(?: van (\d+))?\)</span>", entry)
        rows.append(LegendRow(label, int(count.group(1)) if count else None,
                              int(count.group(2)) if count and count.group(2) else None))
    return rows


def partnership_rows(legend: list[LegendRow]) -> list[LegendRow]:
    """Legend rows of partnerships (and stand-alone centre cities) with their count."""
    return [row for row in legend if row.count is not None and not row.label.startswith(SPECIAL_ROWS)]


def special_count(legend: list[LegendRow], prefix: str) -> int:
    return next((row.count for row in legend if row.label.startswith(prefix)), 0)


def whole(text: str) -> int:
    return int(text.replace(".", ""))


@dataclass
class Readings:
    """What the pages of one filter combination show."""

    cards: dict[str, str] = field(default_factory=dict)
    kpi_table: dict[str, float] = field(default_factory=dict)
    legends: dict[str, list[LegendRow]] = field(default_factory=dict)
    dekking_table: object = None
    verbanden_caption: str = ""
    verbanden_choices: list[str] = field(default_factory=list)
    chosen: str = ""
    chosen_members_card: str = ""
    members_table: object = None
    overview: object = None
    subsidie_table: object = None
    subsidie_captions: list[str] = field(default_factory=list)
    overlaps_table: object = None
    messages: list[str] = field(default_factory=list)


def walk(query: dict[str, str]) -> Readings:
    readings = Readings()
    for name, page in PAGES.items():
        at = open_app(page, timeout=300, **query)
        readings.messages += [message.value for message in [*at.info, *at.error]]
        tables = [frame.value for frame in at.dataframe]
        if name == "overzicht":
            tables = [frame.value for frame in open_kpi_table(at).dataframe]  # drawn once its expander is open
            readings.cards = {metric.label: metric.value for metric in at.metric}
            table = next(t for t in tables if "Kerncijfer" in t.columns)
            readings.kpi_table = dict(zip(table["Kerncijfer"], table["Waarde"]))
            readings.legends[name] = legend_of(at)
        elif name == "dekking":
            readings.legends[name] = legend_of(at)
            readings.dekking_table = next(t for t in tables if "Verband(en) en betrouwbaarheid" in t.columns)
        elif name == "verbanden":
            readings.verbanden_caption = next(c.value for c in at.caption if "binnen de filters" in c.value)
            chooser = next(box for box in at.selectbox if box.label == "Kies een samenwerkingsverband")
            readings.verbanden_choices = list(chooser.options)
            readings.chosen = chooser.options[chooser.index]
            readings.chosen_members_card = next(m.value for m in at.metric if m.label == "Gemeenten")
            readings.legends[name] = legend_of(at)
            readings.members_table = next(t for t in tables if "Betrouwbaarheid" in t.columns)
            readings.overview = next(t for t in tables if "Aaneengesloten delen" in t.columns)
        elif name == "subsidie":
            readings.subsidie_table = next(t for t in tables if "Regisseur" in t.columns)
            readings.subsidie_captions = [c.value for c in at.caption]
        elif name == "hiaten":
            readings.overlaps_table = next((t for t in tables if "Betrouwbaarheid" in t.columns), None)
    return readings


@pytest.fixture(scope="module")
def summaries():
    """`python -m analysis summary --json` of the regie scheme on both maps, as a user would run it."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    found = {}
    for version in ("2019", "2025"):
        result = subprocess.run([sys.executable, "-m", "analysis", "summary", "--json", "--version", version],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True)
        found[version] = json.loads(result.stdout)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_every_page_shows_the_same_counts(combination, summaries):
    query = COMBINATIONS[combination]
    seen = walk(query)
    cards = seen.cards
    partnerships, with_centre, standalone = (whole(cards[label]) for label in
                                             ("Verbanden", "Met centrumstad", "Steden alleen"))
    covered, on_map = (whole(part) for part in cards["Gemeenten gedekt"].split(" / "))
    regisseurs = partnerships + standalone

    # Overzicht: the KPI table says what the cards say.
    table = seen.kpi_table
    assert table["Samenwerkingsverbanden (zonder alleenstaande centrumsteden)"] == partnerships
    assert table["Samenwerkingsverbanden met een centrumstad"] == with_centre
    assert table["Centrumsteden die de regierol alleen opnemen"] == standalone
    assert table["Regisseurs in totaal (verbanden + alleenstaande centrumsteden)"] == regisseurs
    assert table["Deelnemende gemeenten (bevestigd + vermoedelijk)"] == covered
    assert table["Gemeenten op de kaart"] == on_map

    # The map legend of Overzicht and of Dekking: one row per counted partnership, the same rows on both pages.
    legend = seen.legends["overzicht"]
    assert [(r.label, r.count, r.total) for r in seen.legends["dekking"]] == [(r.label, r.count, r.total)
                                                                            for r in legend]
    rows = partnership_rows(legend)
    assert len([r for r in rows if not r.label.endswith(STANDALONE)]) == partnerships
    assert len([r for r in rows if r.label.endswith(STANDALONE)]) == standalone
    assert special_count(legend, "★") == standalone
    assert special_count(legend, "In meer dan één verband") == table["Gemeenten in meer dan een verband"]

    # The Dekking table: its municipalities are those of the cards, and each partnership's legend count is the
    # number of its members in the table.
    dekking = seen.dekking_table
    assert len(dekking) == on_map
    assert dekking["Status"].str.startswith("lid").sum() == covered
    mentions = Counter(re.sub(r" \((bevestigd|vermoedelijk)\)$", "", part)
                       for label in dekking["Verband(en) en betrouwbaarheid"] for part in label.split("; "))
    for row in rows:
        assert mentions[row.name] == row.count, row.label

    # Samenwerkingsverbanden: its caption counts the same regisseurs, and offers them (plus, at most, partnerships
    # without known members, marked as such).
    caption = REGISSEURS.search(seen.verbanden_caption)
    assert caption, seen.verbanden_caption
    assert tuple(int(n) for n in caption.groups()) == (regisseurs, partnerships, standalone)
    offered = [choice for choice in seen.verbanden_choices if not choice.endswith(MEMBERLESS)]
    assert sorted(offered) == sorted(row.name for row in rows)
    # A partnership's member count is one number: legend (here and on Overzicht), profile card, members table
    # and the overview table.
    overview = seen.overview.set_index("Samenwerkingsverband")["Gemeenten"]
    chosen_legend = partnership_rows(seen.legends["verbanden"])
    assert [row.name for row in chosen_legend] == [seen.chosen]
    assert chosen_legend[0].count == whole(seen.chosen_members_card) == overview[seen.chosen]
    assert seen.members_table["NIS"].nunique() == overview[seen.chosen]
    for row in rows:
        assert row.members == overview[row.name], row.label
    counted = seen.overview[seen.overview["Samenwerkingsverband"].isin([row.name for row in rows])]
    assert ((counted["Centrumstad alleen"] == "nee") & (counted["Centrumstad"] != "geen")).sum() == with_centre

    # Subsidie: the table shows the counted regisseurs; its caption names the Flemish total in the same words.
    subsidie = seen.subsidie_table
    assert sorted(subsidie["Regisseur"]) == sorted(row.name for row in rows)
    flemish = REGISSEURS.search(seen.subsidie_captions and " ".join(seen.subsidie_captions))
    summary = summaries[query.get("versie", "2019")]
    kpis = {kpi["kpi"]: kpi["value"] for kpi in summary["kpis"]}
    assert tuple(int(n) for n in flemish.groups()) == (kpis["regie_entities"], kpis["partnerships"],
                                                       kpis["standalone_cities"])

    # Overlappingen en hiaten: the overlaps in view are the legend's.
    overlaps = seen.overlaps_table
    assert (0 if overlaps is None else len(overlaps)) == special_count(legend, "In meer dan één verband")

    # The command line: without a filter its KPIs are the cards', and its member counts the overview's.
    if not any(key in query for key in ("provincie", "centrumstad", "verband", "referentieregio")):
        assert (kpis["partnerships"], kpis["with_centre_city"], kpis["standalone_cities"], kpis["municipalities"],
                kpis["total_municipalities"]) == (partnerships, with_centre, standalone, covered, on_map)
    members = {profile["name"]: profile["n_members"] for profile in summary["partnerships"]}
    for name, count in overview.items():
        assert members[name.removesuffix(MEMBERLESS)] == count, name
