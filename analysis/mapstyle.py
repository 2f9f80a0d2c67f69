"""Map categories, colours and legends shared by the interactive and the print maps.

One function decides how each municipality is drawn, so a PNG in a report carries the same colours and
legend as the map in the browser. Palettes are colour-blind safe (Paul Tol's "muted" set for partnerships,
his pale grey for unknown data, Okabe-Ito vermillion for warnings), and no category relies on colour
alone: suggestive membership is lighter, unknown and overlaps are hatched, overlaps get a thick outline.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.colors import to_rgb

from analysis.codes import nis_list
from analysis.coverage import MEMBER_CONFIRMED, MEMBER_SUGGESTIVE, NON_PARTICIPANT, UNKNOWN, member_counts
from analysis.formatting import format_number, is_missing

PARTNERSHIP_PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
                       "#882255", "#44AA99", "#999933", "#AA4499")
UNKNOWN_FILL = "#DDDDDD"
UNKNOWN_HATCH = "#888888"
NON_PARTICIPANT_FILL = "#FFFFFF"
WARNING = "#D55E00"
# Merger conflicts (Fusies, 2025 map): Okabe-Ito blue, apart from the vermillion overlaps for every colour vision.
MERGER_CONFLICT = "#0072B2"
CONFIRMED_OPACITY = 0.85
SUGGESTIVE_OPACITY = 0.40
# A municipality in several partnerships counts in each of them: the legend must not read as a partition.
OVERLAP_LABEL = "In meer dan één verband (overlapping; telt mee bij elk van die verbanden)"
SUGGESTIVE_NOTE_KEY = "suggestive_note"
SUGGESTIVE_NOTE_LABEL = "Vermoedelijk lid: lichtere kleur, gestreepte rand"
SUGGESTIVE_NOTE_FILL = "#888888"  # a neutral example: the note is about the drawing, not about one partnership
OVERLAP_FILL = "#FFFFFF"  # one fill for every overlap, so its legend swatch is what the map draws
OVERLAP_OPACITY = 0.9


@dataclass(frozen=True)
class Category:
    """How one kind of municipality is drawn."""

    key: str
    label: str
    fill: str
    opacity: float = CONFIRMED_OPACITY
    hatch: str | None = None  # colour of the hatching, None for a plain fill
    outline: str | None = None
    dashed: bool = False


# The categories that are not a partnership: one entry each, read by the web map, the print map and their legends.
OVERLAP_CATEGORY = Category("overlap", OVERLAP_LABEL, OVERLAP_FILL, OVERLAP_OPACITY, hatch=WARNING, outline=WARNING,
                            dashed=True)
NON_PARTICIPANT_CATEGORY = Category(NON_PARTICIPANT, "Neemt niet deel (volgens bron)", NON_PARTICIPANT_FILL, 1.0,
                                    outline="#000000")
UNKNOWN_CATEGORY = Category(UNKNOWN, "Onbekend (geen bron gevonden)", UNKNOWN_FILL, 0.9, hatch=UNKNOWN_HATCH)

# The overlaps-and-gaps map (web `gaps_map` and print `gaps_print_map`), in legend order. Its subject is what is not
# covered, so "onbekend" must stand out from "gedekt" in colour, lightness and pattern: Okabe-Ito blue with a sky-blue
# hatch against a near-white neutral (contrast ratio above 3:1, the WCAG minimum for graphics; tests check it), and
# blue stays apart from the vermillion overlaps for every kind of colour vision.
GAP_UNKNOWN_FILL = "#0072B2"
GAP_UNKNOWN_HATCH = "#56B4E9"
GAP_COVERED_FILL = "#F2F2F2"
GAP_CATEGORIES = {
    UNKNOWN: Category(UNKNOWN, "Onbekend (geen bron gevonden)", GAP_UNKNOWN_FILL, 1.0, hatch=GAP_UNKNOWN_HATCH),
    NON_PARTICIPANT: NON_PARTICIPANT_CATEGORY,
    "overlap": replace(OVERLAP_CATEGORY, label="In meer dan één verband"),  # the coverage map's style, a short label
    "covered": Category("covered", "Gedekt door één verband", GAP_COVERED_FILL, 1.0),
}


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black ... 1 white)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 ... 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def partnership_colours(partnership_ids: list[str], partnership_adjacency: pd.DataFrame | None = None,
                        palette: tuple[str, ...] = PARTNERSHIP_PALETTE) -> dict[str, str]:
    """Give each partnership a palette colour that depends on its id and on the partnerships around it only.

    Each id has its own order of preference over the palette (from a hash of the id, the same in every process and
    upload); partnerships are coloured largest number of neighbours first (like mapclassify.greedy), each taking its
    most preferred colour that no coloured neighbour has. So a partnership keeps its colour in any scheme or upload
    where its neighbours are the same, a filter (which only hides municipalities) never changes a colour, and
    neighbours (columns a, b of `partnership_adjacency`) always differ while a partnership has fewer neighbours
    than the palette has colours (9); among the free colours it avoids those of partnerships two steps away.
    A partnership with 9 or more coloured neighbours cannot differ from all of
    them: it takes the colour fewest of its neighbours have (ties by its own preference).
    """
    pairs = () if partnership_adjacency is None else zip(partnership_adjacency["a"].tolist(),
                                                         partnership_adjacency["b"].tolist())
    return _stable_colours(partnership_ids, pairs, palette)


def map_colours(partnership_ids: list[str], municipality_adjacency: pd.DataFrame, memberships: pd.DataFrame,
                palette: tuple[str, ...] = PARTNERSHIP_PALETTE) -> dict[str, str]:
    """``partnership_colours(partnership_ids, partnership_adjacency(municipality_adjacency, memberships))``
    without building the table of partnership pairs in between."""
    return _stable_colours(partnership_ids, _partnership_pairs(municipality_adjacency, memberships), palette)


def colour_preference(partnership_id: str, palette: tuple[str, ...] = PARTNERSHIP_PALETTE) -> list[str]:
    """The palette in the order one partnership prefers it: a fixed function of the id (sha256, not Python's
    per-process salted hash), so the same id asks for the same colour in every run and every upload."""
    def rank(colour: str) -> bytes:
        return hashlib.sha256(f"{partnership_id}\x00{colour}".encode()).digest()

    return sorted(palette, key=rank)


def _stable_colours(partnership_ids: list[str], pairs: Iterable[tuple[str, str]],
                    palette: tuple[str, ...]) -> dict[str, str]:
    ids = sorted(dict.fromkeys(partnership_ids))
    neighbours: dict[str, set[str]] = {pid: set() for pid in ids}
    for a, b in pairs:
        if a in neighbours and b in neighbours and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    colours: dict[str, str] = {}
    for pid in sorted(ids, key=lambda p: (-len(neighbours[p]), p)):
        preference = colour_preference(pid, palette)
        around = Counter(colours[n] for n in neighbours[pid] if n in colours)
        # Partnerships two steps away are near on the map too: among the colours no neighbour has, prefer one
        # they have least, so nearby partnerships rarely look alike (and the colour still depends on the
        # surroundings only, not on partnerships elsewhere in Flanders).
        second_ring = {m for n in neighbours[pid] for m in neighbours[n]} - neighbours[pid] - {pid}
        near = Counter(colours[m] for m in second_ring if m in colours)
        # The first preferred colour no neighbour has; with every colour taken, the one fewest neighbours have.
        colours[pid] = min(preference, key=lambda c: (around[c], near[c], preference.index(c)))
    return colours


def partnership_adjacency(municipality_adjacency: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Pairs of partnerships with members that share a border (columns a, b)."""
    return pd.DataFrame(sorted(_partnership_pairs(municipality_adjacency, memberships)), columns=["a", "b"])


def _partnership_pairs(municipality_adjacency: pd.DataFrame, memberships: pd.DataFrame) -> set[tuple[str, str]]:
    by_nis: dict = {}
    for nis, pid in zip(memberships["nis"].tolist(), memberships["partnership_id"].tolist()):
        if not is_missing(nis):  # groupby left rows without a code out
            by_nis.setdefault(nis, set()).add(pid)
    pairs = set()
    for nis_a, nis_b in zip(municipality_adjacency["nis_a"].tolist(), municipality_adjacency["nis_b"].tolist()):
        for a in by_nis.get(nis_a, ()):
            for b in by_nis.get(nis_b, ()):
                if a != b:
                    pairs.add((a, b) if a < b else (b, a))
    return pairs


def coverage_categories(status: pd.DataFrame, partnerships: pd.DataFrame,
                        colours: dict[str, str]) -> tuple[pd.DataFrame, list[Category]]:
    """Decide the drawing category of each municipality on the coverage map.

    `status` is the output of `analysis.coverage.coverage_status`. Returns a frame with one row per
    municipality (nis, category, fill, opacity, hatch, outline) and the legend's categories in order,
    each used at least once.
    """
    names = dict(zip(partnerships["partnership_id"].tolist(), partnerships["name"].tolist()))
    standalone = _standalone_ids(partnerships)
    categories: dict[str, Category] = {}
    rows = []
    for nis, state, ids in zip(status["nis"].tolist(), status["status"].tolist(),
                               status["partnership_ids"].tolist()):
        if len(ids) > 1:
            key = "overlap"
            # One style for every overlap (not its first partnership's colour), so the legend swatch is as drawn.
            category = OVERLAP_CATEGORY
        elif state in (MEMBER_CONFIRMED, MEMBER_SUGGESTIVE):
            pid = ids[0]
            suggestive = state == MEMBER_SUGGESTIVE
            key = f"p:{pid}:{'s' if suggestive else 'c'}"
            category = categories.get(key)
            if category is None:  # a partnership's category depends on its key only: make it once
                category = partnership_category(pid, suggestive, names, standalone, colours)
        elif state == NON_PARTICIPANT:
            key = "non_participant"
            category = NON_PARTICIPANT_CATEGORY
        else:
            key = UNKNOWN
            category = UNKNOWN_CATEGORY
        categories.setdefault(key, category)
        rows.append((nis, key, category.fill, category.opacity, category.hatch, category.outline))
    columns = ["nis", "category", "fill", "fill_opacity", "hatch", "outline"]
    frame = pd.DataFrame(dict(zip(columns, map(list, zip(*rows)))) if rows else {}, columns=columns)
    order = sorted(categories, key=lambda k: (k in ("overlap", "non_participant", UNKNOWN),
                                              ("overlap", "non_participant", UNKNOWN).index(k)
                                              if k in ("overlap", "non_participant", UNKNOWN) else 0,
                                              categories[k].label.lower()))
    return frame, [categories[key] for key in order]


def _standalone_ids(partnerships: pd.DataFrame) -> set:
    flags = partnerships["standalone"].tolist() if "standalone" in partnerships.columns else []
    return {pid for pid, flag in zip(partnerships["partnership_id"].tolist(), flags)
            if not is_missing(flag) and flag == True}  # noqa: E712  (1 and numpy's True count too)


def partnership_key(partnership_id: str, suggestive: bool) -> str:
    """The category key of a partnership's members: "p:<id>:c" (confirmed) or "p:<id>:s" (suggestive)."""
    return f"p:{partnership_id}:{'s' if suggestive else 'c'}"


def partnership_category(partnership_id: str, suggestive: bool, names: dict, standalone: set,
                         colours: dict[str, str]) -> Category:
    """How the members of one partnership are drawn: its colour, lighter and dashed when suggestive.

    Confirmed and suggestive members share the label (the partnership's name): the legend has one row per
    partnership and explains the lighter, dashed drawing once (`suggestive_note`)."""
    label = names.get(partnership_id, partnership_id) + (" (alleen, centrumstad)" if partnership_id in standalone else "")
    return Category(partnership_key(partnership_id, suggestive), label, colours.get(partnership_id, UNKNOWN_FILL),
                    SUGGESTIVE_OPACITY if suggestive else CONFIRMED_OPACITY, dashed=suggestive)


def suggestive_note() -> Category:
    """The legend's one explanation of how suggestive members are drawn (lighter, dashed border), with a neutral
    example swatch drawn in that style."""
    return Category(SUGGESTIVE_NOTE_KEY, SUGGESTIVE_NOTE_LABEL, SUGGESTIVE_NOTE_FILL, SUGGESTIVE_OPACITY, dashed=True)


def partnership_numbers(partnerships: pd.DataFrame) -> dict[str, int]:
    """A short number per partnership of a scheme, 1..n in the order of their names (as the legend lists them).

    Decided on all the scheme's partnerships, not on those in view, so a filter never renumbers: the number on a
    map, in its legend and on a print of any selection stays the same."""
    names = dict(zip(partnerships["partnership_id"].tolist(), partnerships["name"].tolist()))
    order = sorted(names, key=lambda pid: (str(names[pid]).lower(), pid))
    return {pid: number for number, pid in enumerate(order, start=1)}


def partnership_number_points(outlines, numbers: dict[str, int]):
    """Where a partnership's number goes: inside the largest part of its area in view (shapely point_on_surface of
    the largest polygon of `outlines`, the dissolved members in view; columns partnership_id, geometry).
    A GeoDataFrame with partnership_id, number and the point, for the partnerships in `numbers`."""
    shown = outlines[outlines["partnership_id"].isin(set(numbers)) & outlines.geometry.notna()
                     & ~outlines.geometry.is_empty]
    largest = [max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area) for geometry in shown.geometry]
    points = shapely.point_on_surface(np.asarray(largest, dtype=object)) if largest else []
    return gpd.GeoDataFrame({"partnership_id": shown["partnership_id"].to_numpy(),
                             "number": [numbers[pid] for pid in shown["partnership_id"]]},
                            geometry=list(points), crs=outlines.crs)


@dataclass(frozen=True)
class LegendRow:
    """One row of the coverage legend: a category's swatch and label, the number of municipalities in view
    (None: the explanation of suggestive membership, which counts nothing) and, for a partnership only partly
    in view, its number of members on the whole map (shown as "12 van 16")."""

    category: Category
    count: int | None
    total: int | None = None
    number: int | None = None  # the partnership's number on the map (`partnership_numbers`)

    @property
    def count_text(self) -> str:
        """"16", "12 van 16" or "" (no count)."""
        if self.count is None:
            return ""
        return format_number(self.count) + (f" van {format_number(self.total)}" if self.total is not None else "")


def coverage_legend(view, codes_in_view, counted: Iterable[str]) -> list[LegendRow]:
    """The coverage map's legend for the municipalities `codes_in_view` of a `CoverageView` (web and print alike).

    One row per counted partnership (`counted`, see `analysis.coverage.counted_partnership_ids`), in the order of
    their numbers (`partnership_numbers`: alphabetical), with its member count as everywhere else (`analysis.coverage.member_counts`): every member in view, any
    confidence, an overlap municipality in each of its partnerships; "12 van 16" when only part of it is in view.
    Its swatch is drawn as its confirmed members are, or as its suggestive members when it has only those in view.
    When any suggestive member is in view, one row without a count explains their drawing (`suggestive_note`).
    Then the overlaps (their label says they count in each partnership, so the rows are no partition), the
    non-participants and the unknown municipalities in view.
    """
    in_view = set(nis_list(codes_in_view))
    category_of = dict(zip(view.categories["nis"].tolist(), view.categories["category"].tolist()))
    shown = Counter(category_of[nis] for nis in in_view if nis in category_of)
    by_key = {category.key: category for category in view.legend}
    scheme = view.scheme
    names = dict(zip(scheme.partnerships["partnership_id"].tolist(), scheme.partnerships["name"].tolist()))
    standalone = _standalone_ids(scheme.partnerships)
    on_map = member_counts(scheme.memberships, view.municipalities["nis"])
    here = member_counts(scheme.memberships, in_view)
    confidence_here = [(pid, confidence) for pid, nis, confidence in zip(
        scheme.memberships["partnership_id"].tolist(), nis_list(scheme.memberships["nis"]),
        scheme.memberships["confidence"].tolist()) if nis in in_view]
    confirmed_here = {pid for pid, confidence in confidence_here if confidence == "confirmed"}
    counted = [pid for pid in dict.fromkeys(counted) if here.get(pid)]
    any_suggestive = any(confidence != "confirmed" for pid, confidence in confidence_here if pid in set(counted))
    numbers = partnership_numbers(scheme.partnerships)
    rows = []
    for pid in counted:
        key = partnership_key(pid, pid not in confirmed_here)
        category = by_key.get(key) or partnership_category(pid, key.endswith(":s"), names, standalone, view.colours)
        total = on_map.get(pid, 0)
        rows.append(LegendRow(category, here[pid], total if total != here[pid] else None, numbers.get(pid)))
    rows.sort(key=lambda row: (row.number is None, row.number or 0, row.category.label.lower()))
    if any_suggestive:
        rows.append(LegendRow(suggestive_note(), None))
    for key in ("overlap", NON_PARTICIPANT, UNKNOWN):
        if shown.get(key) and key in by_key:
            rows.append(LegendRow(by_key[key], shown[key]))
    return rows


def category_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Number of municipalities per category key."""
    return frame["category"].value_counts().to_dict()
