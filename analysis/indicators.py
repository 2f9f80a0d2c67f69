"""Indicators per group of municipalities, need versus coverage, and classes for choropleths (pure functions).

Input values are in the long format of :mod:`geodata.indicators` (``nis``, ``indicator_id``, ``year``, ``value``,
``flag``, ...). Nothing here reads files; :mod:`analysis.indicator_data` does.

Rules
-----
* A **count** of a group is the sum of its members' counts. A **rate** or **density** is recomputed as
  ``scale * sum(numerator) / sum(denominator)`` over the members that have both - never the average of the
  members' rates. A rate without numerator and denominator in the catalogue cannot be aggregated (NaN, with a
  note).
* A missing or suppressed value is never replaced: the group value is computed over the members that have one,
  and the result says how many members were left out and which (``n_missing``, ``n_suppressed``,
  ``n_elsewhere``, ``missing_nis``, ``complete``).
* A municipality in several partnerships (an overlap) counts in **each** of them, so partnership totals can add
  up to more than Flanders; :func:`aggregate` reports ``n_shared`` so the page can say so.
* **2025 mergers on the 2019-2024 map** (the rule of :mod:`geodata.indicators`, "Boundary versions"). The source
  gives some figures only for a 2025 merged municipality; on the 2019 map its largest part carries that figure
  (flag ``approximate``) and the other parts have none (flag ``merged``). ``units`` (columns ``nis``,
  ``unit_nis``, ``holder``; :func:`geodata.crosswalk.aggregation_units`) says which parts belong together. Such a block of parts
  goes *as a whole* - a count, or a rate's numerator and denominator - to every group that contains its largest
  part: exact when all its parts are members, an approximation (``approximate``, ``approximate_nis``) when some
  are not. A member whose figure sits in a largest part outside the group is left out and named
  (``n_elsewhere``, ``elsewhere_nis``). Groups that partition the map therefore add up to the total.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.coverage import MEMBER_CONFIRMED, MEMBER_SUGGESTIVE, NON_PARTICIPANT, UNKNOWN
from analysis.formatting import format_number, format_percent
from geodata.indicator_model import (
    COUNT,
    FLAG_APPROXIMATE,
    FLAG_LABELS_NL,
    FLAG_MERGED,
    FLAG_MISSING,
    FLAG_SUPPRESSED,
    VALUE_FLAGS,
    Indicator,
)
from geodata.indicators import CATALOGUE

SUBSIDY_YEAR = 2019  # the last full year before the 2020-2025 call; see unemployment_rate_by_partnership
SUBSIDY_INDICATOR = "werkzoekendengraad"

GROUP_COVERED = "gedekt"
GROUP_NON_PARTICIPANT = "neemt niet deel"
GROUP_UNKNOWN = "onbekend"
GROUP_NOT_COVERED = "niet gedekt (samen)"
GROUP_TOTAL = "totaal"
GROUP_LABELS_NL = {
    GROUP_COVERED: "In een gekend samenwerkingsverband",
    GROUP_NON_PARTICIPANT: "Neemt niet deel (volgens bron)",
    GROUP_UNKNOWN: "Onbekend (geen bron gevonden)",
    GROUP_NOT_COVERED: "Zonder gekend verband (onbekend + neemt niet deel)",
    GROUP_TOTAL: "Totaal",
}
# The groups that partition the municipalities in view (the not-covered group is the union of the last two).
BASE_GROUPS = (GROUP_COVERED, GROUP_NON_PARTICIPANT, GROUP_UNKNOWN)
_STATUS_GROUP = {MEMBER_CONFIRMED: GROUP_COVERED, MEMBER_SUGGESTIVE: GROUP_COVERED,
                 NON_PARTICIPANT: GROUP_NON_PARTICIPANT, UNKNOWN: GROUP_UNKNOWN}

AGGREGATE_COLUMNS = ["group", "value", "numerator", "denominator", "n_municipalities", "n_with_value", "n_missing",
                     "n_suppressed", "n_elsewhere", "n_shared", "complete", "approximate", "missing_nis",
                     "suppressed_nis", "elsewhere_nis", "approximate_nis"]

QUANTILES = "quantiles"
FISHER_JENKS = "fisher_jenks"
EQUAL_INTERVAL = "equal_interval"
CLASSIFICATIONS = {QUANTILES: "Kwantielen (even veel gemeenten per klasse)",
                   FISHER_JENKS: "Natuurlijke breuken (Fisher-Jenks)",
                   EQUAL_INTERVAL: "Gelijke intervallen"}


def entry_for(indicator: str | Indicator, catalogue: Mapping[str, Indicator] | None = None) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    return (catalogue or CATALOGUE)[indicator]


def year_values(values: pd.DataFrame, indicator_id: str, year: int) -> pd.DataFrame:
    """``nis``, ``value``, ``flag`` of one indicator in one year (one row per code)."""
    chosen = values[(values["indicator_id"] == indicator_id) & (values["year"] == int(year))]
    return chosen[["nis", "value", "flag"]].drop_duplicates("nis").reset_index(drop=True)


def available_years(values: pd.DataFrame, indicator_id: str) -> list[int]:
    """Years with at least one known value of the indicator, ascending."""
    chosen = values[(values["indicator_id"] == indicator_id) & values["flag"].isin(VALUE_FLAGS)]
    return sorted(int(year) for year in chosen["year"].unique())


def latest_values(values: pd.DataFrame, nis: str, indicator_ids) -> pd.DataFrame:
    """The most recent figure of each indicator for one municipality: ``indicator_id``, ``year``, ``value``, ``flag``.

    The year is the latest with a known value anywhere on the map, not the latest this municipality has a value
    for: a suppressed or missing figure in that year stays visible as such instead of an older number taking its
    place. Indicators without any known value are left out.
    """
    records = []
    for indicator_id in indicator_ids:
        years = available_years(values, indicator_id)
        if not years:
            continue
        row = municipality_values(values, [nis], indicator_id, years[-1]).iloc[0]
        records.append((indicator_id, years[-1], row["value"], row["flag"]))
    return pd.DataFrame(records, columns=["indicator_id", "year", "value", "flag"])


def municipality_values(values: pd.DataFrame, codes, indicator_id: str, year: int) -> pd.DataFrame:
    """One row per map code in `codes` with ``value`` and ``flag``; a code without a row is ``missing``.

    A value is kept for an exact figure and for a merged municipality's figure standing for its largest part
    (``approximate``); every other flag has NaN."""
    frame = pd.DataFrame({"nis": pd.Series(list(codes), dtype=object)})
    frame = frame.merge(year_values(values, indicator_id, year), on="nis", how="left")
    frame["flag"] = frame["flag"].fillna(FLAG_MISSING)
    frame["value"] = frame["value"].astype(float).where(frame["flag"].isin(VALUE_FLAGS))
    return frame


# --- aggregation ------------------------------------------------------------------------------------------------

def _blocks(units: pd.DataFrame | None, state: Mapping[str, Mapping[str, tuple[float, str]]],
            codes) -> dict[str, tuple[str, frozenset]]:
    """nis -> (holder, parts) of the block whose figure it shares; a code outside any merger is its own block.

    A 2025 merger's parts form a block only when the figures of this year are given for the merged municipality
    (a part is flagged ``merged`` or ``approximate``); parts with figures of their own stay apart.
    """
    blocks = {nis: (nis, frozenset({nis})) for nis in codes}
    if units is None or not len(units):
        return blocks
    merged_flags = (FLAG_MERGED, FLAG_APPROXIMATE)
    for _, parts in units.groupby("unit_nis"):
        if len(parts) < 2:
            continue
        codes_of_unit = frozenset(parts["nis"])
        if not any(by_code.get(nis, (math.nan, FLAG_MISSING))[1] in merged_flags
                   for by_code in state.values() for nis in codes_of_unit):
            continue
        block = (parts["holder"].iloc[0], codes_of_unit)
        for nis in codes_of_unit:
            blocks[nis] = block
    return blocks


def _block_figures(block: tuple[str, frozenset], needed: list[str],
                   state: Mapping[str, Mapping[str, tuple[float, str]]]) -> tuple[dict[str, float] | None, str]:
    """The summed figures of a block (None when one is not known) and the flag that explains a missing one."""
    holder, parts = block
    sums, flags = {}, []
    for indicator_id in needed:
        by_code = state[indicator_id]
        total = 0.0
        for nis in sorted(parts):
            value, flag = by_code.get(nis, (math.nan, FLAG_MISSING))
            flags.append(flag)
            if flag in VALUE_FLAGS:
                total += value
            elif nis == holder or flag != FLAG_MERGED:
                total = math.nan
        sums[indicator_id] = total
    if all(not math.isnan(total) for total in sums.values()):
        return sums, FLAG_APPROXIMATE if FLAG_APPROXIMATE in flags else flags[0]
    return None, FLAG_SUPPRESSED if FLAG_SUPPRESSED in flags else FLAG_MISSING


def aggregate(values: pd.DataFrame, groups: pd.DataFrame, indicator: str | Indicator, year: int,
              units: pd.DataFrame | None = None, catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """The indicator for each group of municipalities (see the module docstring for the rules).

    ``values``: long format on the map of the groups. ``groups``: columns ``group`` and ``nis`` (map codes; a
    municipality may be in several groups). ``units``: columns ``nis``, ``unit_nis`` and ``holder``
    (:func:`geodata.crosswalk.aggregation_units`); without it every code is on its own, and a member carrying a
    merged municipality's figure still makes the group ``approximate``.
    Returns one row per group (:data:`AGGREGATE_COLUMNS`): ``value`` (NaN when nothing is known or the
    indicator cannot be aggregated), ``numerator``/``denominator`` (rates and densities; for a count the sum is
    the numerator), ``n_municipalities``, ``n_with_value`` (members whose figure is in the result),
    ``n_missing``/``n_suppressed`` (members left out because the figure is missing or suppressed),
    ``n_elsewhere`` (members whose figure sits in the largest part of their 2025 merger, outside the group),
    ``n_shared`` (members that are also in another group), ``complete`` (every member's figure is in the
    result), ``approximate`` (the result includes a merged municipality's figure of which some parts are not
    members), and the codes: ``missing_nis`` (every member left out, sorted), ``suppressed_nis``,
    ``elsewhere_nis`` and ``approximate_nis`` (the largest parts whose figure makes the result approximate).
    ``n_municipalities == n_with_value + n_missing + n_suppressed + n_elsewhere``.
    """
    entry = entry_for(indicator, catalogue)
    needed = [entry.id] if entry.kind == COUNT else [entry.numerator, entry.denominator]
    groups = groups[["group", "nis"]].drop_duplicates()
    state: dict[str, dict[str, tuple[float, str]]] = {}
    if entry.aggregatable:
        for indicator_id in needed:
            chosen = year_values(values, indicator_id, year)
            state[indicator_id] = {nis: (value, flag) for nis, value, flag in
                                   zip(chosen["nis"], chosen["value"], chosen["flag"])}
    blocks = _blocks(units, state, set(groups["nis"]))
    figures = {block: _block_figures(block, needed, state) for block in set(blocks.values())} \
        if entry.aggregatable else {}
    membership_count = groups["nis"].value_counts()
    rows = []
    for group, members in groups.groupby("group", sort=False)["nis"]:
        members = frozenset(members)
        row = {"group": group, "n_municipalities": len(members),
               "n_shared": int(sum(membership_count[nis] > 1 for nis in members))}
        if not entry.aggregatable:
            rows.append({**row, "value": math.nan, "numerator": math.nan, "denominator": math.nan,
                         "n_with_value": 0, "n_missing": len(members), "n_suppressed": 0, "n_elsewhere": 0,
                         "complete": False, "approximate": False, "missing_nis": tuple(sorted(members)),
                         "suppressed_nis": (), "elsewhere_nis": (), "approximate_nis": ()})
            continue
        sums = dict.fromkeys(needed, 0.0)
        with_value, missing, suppressed, elsewhere, approximate = [], [], [], [], []
        for block in sorted({blocks[nis] for nis in members}, key=lambda b: b[0]):
            holder, parts = block
            inside = sorted(parts & members)
            if holder not in members:
                elsewhere.extend(inside)
                continue
            block_sums, flag = figures[block]
            if block_sums is None:
                (suppressed if flag == FLAG_SUPPRESSED else missing).extend(inside)
                continue
            for indicator_id in needed:
                sums[indicator_id] += block_sums[indicator_id]
            with_value.extend(inside)
            if not parts <= members or (len(parts) == 1 and flag == FLAG_APPROXIMATE):
                approximate.append(holder)
        known = bool(with_value)
        if entry.kind == COUNT:
            numerator, denominator = sums[entry.id], math.nan
            value = numerator if known else math.nan
        else:
            numerator, denominator = sums[entry.numerator], sums[entry.denominator]
            value = entry.scale * numerator / denominator if known and denominator > 0 else math.nan
        rows.append({**row, "value": value, "numerator": numerator if known else math.nan,
                     "denominator": denominator if known else math.nan, "n_with_value": len(with_value),
                     "n_missing": len(missing), "n_suppressed": len(suppressed), "n_elsewhere": len(elsewhere),
                     "complete": len(with_value) == len(members), "approximate": bool(approximate),
                     "missing_nis": tuple(sorted(missing + suppressed + elsewhere)),
                     "suppressed_nis": tuple(sorted(suppressed)), "elsewhere_nis": tuple(sorted(elsewhere)),
                     "approximate_nis": tuple(sorted(approximate))})
    return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)


def left_out_text(row: Mapping, names: Mapping[str, str] | None = None,
                  notes: Mapping[str, str] | None = None) -> str:
    """The members an :func:`aggregate` row leaves out, each named with its reason: "Herstappe: geheim (kleine
    aantallen); Borsbeek: cijfer zit in Antwerpen (fusie 2025)". ``notes``: :func:`geodata.crosswalk.merger_notes`.
    Empty when no member is left out."""
    names, notes = {} if names is None else names, {} if notes is None else notes
    texts = []
    for nis in row["missing_nis"]:
        if nis in row["elsewhere_nis"]:
            why = notes.get(nis) or FLAG_LABELS_NL[FLAG_MERGED]
        elif nis in row["suppressed_nis"]:
            why = FLAG_LABELS_NL[FLAG_SUPPRESSED]
        else:
            why = FLAG_LABELS_NL[FLAG_MISSING]
        texts.append(f"{names.get(nis, nis)}: {why}")
    return "; ".join(texts)


def approximate_text(row: Mapping, names: Mapping[str, str] | None = None,
                     notes: Mapping[str, str] | None = None) -> str:
    """Why an :func:`aggregate` row is an approximation: "cijfer van fusiegemeente Antwerpen (2025) = Antwerpen +
    Borsbeek" (the largest part comes first). Empty when the row is exact."""
    names, notes = {} if names is None else names, {} if notes is None else notes
    return "; ".join(notes[nis].removeprefix("benadering: ") if nis in notes
                     else f"{names.get(nis, nis)}: {FLAG_LABELS_NL[FLAG_APPROXIMATE]}"
                     for nis in row["approximate_nis"])


def partnership_groups(memberships: pd.DataFrame, codes=None) -> pd.DataFrame:
    """``group`` (partnership id) and ``nis`` of every membership, optionally only for map codes `codes`."""
    groups = memberships[["partnership_id", "nis"]].rename(columns={"partnership_id": "group"}).drop_duplicates()
    if codes is not None:
        groups = groups[groups["nis"].isin(set(codes))]
    return groups.reset_index(drop=True)


def aggregate_by_partnership(values: pd.DataFrame, memberships: pd.DataFrame, partnerships: pd.DataFrame,
                             indicator: str | Indicator, year: int, units: pd.DataFrame | None = None,
                             codes=None, catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """:func:`aggregate` per partnership, with its name (``partnership_id``, ``name`` first)."""
    result = aggregate(values, partnership_groups(memberships, codes), indicator, year, units, catalogue)
    result = result.rename(columns={"group": "partnership_id"})
    names = dict(zip(partnerships["partnership_id"], partnerships["name"]))
    result.insert(1, "name", result["partnership_id"].map(names).fillna(result["partnership_id"]))
    return result


# --- need versus coverage -----------------------------------------------------------------------------------

def coverage_groups(status: pd.DataFrame) -> pd.DataFrame:
    """Municipalities by coverage group: covered, non-participant, unknown, both not-covered, and the total."""
    by_status = pd.DataFrame({"group": status["status"].map(_STATUS_GROUP).to_numpy(), "nis": status["nis"].to_numpy()})
    not_covered = by_status[by_status["group"].isin([GROUP_NON_PARTICIPANT, GROUP_UNKNOWN])].assign(
        group=GROUP_NOT_COVERED)
    total = by_status.assign(group=GROUP_TOTAL)
    return pd.concat([by_status, not_covered, total], ignore_index=True)


def need_versus_coverage(values: pd.DataFrame, status: pd.DataFrame, indicator: str | Indicator, year: int,
                         units: pd.DataFrame | None = None,
                         catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """The indicator for covered, non-participating, unknown and all not-covered municipalities, and the total.

    ``status``: columns ``nis`` and ``status`` (coverage states) of the municipalities in view.
    Adds ``label`` (Dutch) and, for counts, ``share`` = value / total value (e.g. the share of jobseekers who
    live in a municipality without a known partnership). With the merger rule of :func:`aggregate` every figure
    goes to exactly one of the three groups, so they add up to the total - counts, and a rate's numerator and
    denominator - over the same municipalities; a group holding a merged municipality's figure of which some parts
    are in another group is ``approximate``.
    """
    entry = entry_for(indicator, catalogue)
    order = [*BASE_GROUPS, GROUP_NOT_COVERED, GROUP_TOTAL]
    result = aggregate(values, coverage_groups(status), entry, year, units, catalogue).drop(columns="n_shared")
    result = result.set_index("group").reindex(order)
    for group in order:  # a group without municipalities still gets a row
        if pd.isna(result.at[group, "n_municipalities"]):
            result.loc[group, ["n_municipalities", "n_with_value", "n_missing", "n_suppressed", "n_elsewhere"]] = 0
            result.at[group, "complete"] = True
            result.at[group, "approximate"] = False
            for column in ("missing_nis", "suppressed_nis", "elsewhere_nis", "approximate_nis"):
                result.at[group, column] = ()
            result.at[group, "value"] = 0.0 if entry.kind == COUNT else math.nan
    result = result.reset_index()
    for column in ("n_municipalities", "n_with_value", "n_missing", "n_suppressed", "n_elsewhere"):
        result[column] = result[column].astype(int)
    result["complete"] = result["complete"].astype(bool)
    result["approximate"] = result["approximate"].astype(bool)
    if entry.kind == COUNT:
        total = result.loc[result["group"] == GROUP_TOTAL, "value"].iloc[0]
        result["share"] = result["value"] / total if total and not pd.isna(total) else math.nan
    else:
        result["share"] = math.nan
    result.insert(1, "label", result["group"].map(GROUP_LABELS_NL))
    return result


def _count_text(number: int, one: str, more: str) -> str:
    return f"{format_number(number)} {one if number == 1 else more}"


def need_sentence(table: pd.DataFrame, indicator: str | Indicator, year: int,
                  catalogue: Mapping[str, Indicator] | None = None, names: Mapping[str, str] | None = None,
                  notes: Mapping[str, str] | None = None) -> str:
    """The Dutch headline of :func:`need_versus_coverage`, with the municipalities left out (counted and named,
    the same counts as the table) and, when a group holds a merged municipality's figure of which a part is in
    another group, that the group figures are an approximation and why. ``names``: nis -> name; ``notes``:
    :func:`geodata.crosswalk.merger_notes`."""
    entry = entry_for(indicator, catalogue)
    rows = table.set_index("group")
    not_covered, total = rows.loc[GROUP_NOT_COVERED], rows.loc[GROUP_TOTAL]
    what = entry.label[0].lower() + entry.label[1:]
    if not entry.aggregatable:
        return (f"{entry.label} kan niet per groep herberekend worden (de bron geeft geen teller en noemer); "
                "kies bv. het aantal werkzoekenden of de totale werkzoekendengraad.")
    if pd.isna(total["value"]):
        return f"Geen gegevens over {what} in {year} voor deze selectie."
    if not not_covered["n_municipalities"]:
        text = "Alle gemeenten in deze selectie zitten in een gekend samenwerkingsverband."
    elif entry.kind == COUNT:
        text = (f"{format_percent(not_covered['share'])} van de {what.split(' (')[0]} in {year} "
                f"({format_number(not_covered['value'], entry.decimals)} van "
                f"{format_number(total['value'], entry.decimals)}) woont in gemeenten zonder gekend "
                f"samenwerkingsverband (onbekend of neemt niet deel).")
    else:
        covered = rows.loc[GROUP_COVERED]

        def shown(value) -> str:
            if pd.isna(value):
                return "onbekend"
            number = format_number(value, entry.decimals)
            return number + "%" if entry.unit == "%" else f"{number} {entry.unit}"

        text = (f"{entry.label} {year}: {shown(not_covered['value'])} in gemeenten zonder gekend verband, "
                f"tegenover {shown(covered['value'])} in gemeenten met een verband "
                f"(alle gemeenten in deze selectie: {shown(total['value'])}).")
    left_out = int(total["n_missing"] + total["n_suppressed"])
    if left_out:
        text += (f" Zonder cijfer, telt niet mee: {_count_text(left_out, 'gemeente', 'gemeenten')} ("
                 + left_out_text(total, names, notes) + ").")
    base = rows.loc[list(BASE_GROUPS)]
    elsewhere = int(base["n_elsewhere"].sum())
    if elsewhere or base["approximate"].any():
        moved = "; ".join(text for text in (left_out_text({"missing_nis": row.elsewhere_nis, "suppressed_nis": (),
                                                           "elsewhere_nis": row.elsewhere_nis}, names, notes)
                                            for row in base.itertuples()) if text)
        text += (" Benadering: voor de gemeenten die in 2025 fuseerden geeft de bron alleen het cijfer van de "
                 "fusiegemeente, en dat telt helemaal mee in de groep van haar grootste deel. Daardoor liggen "
                 f"{_count_text(elsewhere, 'gemeente', 'gemeenten')} in een andere groep dan het grootste deel "
                 f"waarin hun cijfer zit ({moved}).")
    return text


def rank_not_covered(values: pd.DataFrame, status: pd.DataFrame, indicator: str | Indicator, year: int,
                     context: str | Indicator | None = None,
                     catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """Municipalities without a known partnership, most need first.

    ``status``: ``nis``, ``status`` and optionally ``name``/``population_2020``. Need follows the indicator's
    direction: highest first when ``higher_is_worse`` is True or unknown, lowest first when it is False. Municipalities
    without a value come last (``rank`` NaN) with their ``flag``; a merged municipality's figure standing for its
    largest part (flag ``approximate``) is ranked. ``context`` adds a second indicator (e.g. the
    number of jobseekers beside the rate) as ``context_value``.
    """
    entry = entry_for(indicator, catalogue)
    chosen = status[status["status"].isin([NON_PARTICIPANT, UNKNOWN])].copy()
    table = chosen.merge(municipality_values(values, chosen["nis"], entry.id, year), on="nis", how="left")
    if context is not None:
        context_entry = entry_for(context, catalogue)
        extra = municipality_values(values, chosen["nis"], context_entry.id, year)
        table = table.merge(extra.rename(columns={"value": "context_value", "flag": "context_flag"}), on="nis",
                            how="left")
    ascending = entry.higher_is_worse is False
    has_value = table["flag"].isin(VALUE_FLAGS)
    known = table[has_value].sort_values(["value", "nis"], ascending=[ascending, True])
    known = known.assign(rank=np.arange(1, len(known) + 1, dtype=float))
    unknown = table[~has_value].sort_values("nis").assign(rank=np.nan)
    return pd.concat([known, unknown], ignore_index=True)


# --- the subsidy ranking ----------------------------------------------------------------------------------

RATE_TABLE_COLUMNS = ["rate", "approximate", "remark"]


def unemployment_rate_by_partnership(view, values: pd.DataFrame, units: pd.DataFrame | None = None,
                                     year: int = SUBSIDY_YEAR,
                                     catalogue: Mapping[str, Indicator] | None = None,
                                     notes: Mapping[str, str] | None = None) -> tuple[pd.DataFrame | None, str]:
    """The werkzoekendengraad (%) of each partnership of `view` in `year`, recomputed, with a Dutch note.

    ``values`` (long format on the map of `view`) must hold ``nwwz`` and ``beroepsbevolking``; ``units`` and
    ``notes`` are :func:`geodata.crosswalk.aggregation_units` and :func:`geodata.crosswalk.merger_notes` of that
    map. Returns ``(table, note)``: the table is indexed by partnership_id with ``rate`` (percent),
    ``approximate`` (the rate includes a 2025 merged municipality's figure of which a part is not a member) and
    ``remark`` (Dutch, to follow the word "werkzoekendengraad": "is een benadering: cijfer van fusiegemeente ...;
    berekend zonder Borgloon: cijfer zit in Tongeren (fusie 2025)"; "" when exact and complete). It is None when no
    partnership has a rate. A partnership whose members lack a figure gets a rate over the members that have one;
    a partnership without any figure is left out (ranked last by the subsidy rules). The note names both.
    """
    entry = entry_for(SUBSIDY_INDICATOR, catalogue)
    if year not in available_years(values, entry.numerator):
        return None, (f"Geen werkzoekendengraad voor {year} beschikbaar: regisseurs zonder centrumstad staan in "
                      "willekeurige (alfabetische) volgorde en zijn gemarkeerd.")
    codes = set(view.municipalities["nis"])
    table = aggregate_by_partnership(values, view.scheme.memberships, view.scheme.partnerships, entry, year, units,
                                     codes, catalogue)
    names = dict(zip(view.municipalities["nis"], view.municipalities["name"]))
    remarks = []
    for row in table.to_dict("records"):
        parts = []
        if row["approximate"]:
            parts.append("is een benadering: " + approximate_text(row, names, notes))
        if row["missing_nis"]:
            parts.append("berekend zonder " + left_out_text(row, names, notes))
        remarks.append("; ".join(parts))
    table["remark"] = remarks
    note = (f"Werkzoekendengraad {year} (VDAB, jaargemiddelde): het laatste volledige jaar vóór de oproep "
            f"2020-2025. Per verband herberekend als 100 × som niet-werkende werkzoekenden / som "
            "beroepsbevolking (afgeleid uit aantal en graad per gemeente), geen gemiddelde van gemeentelijke "
            "graden. Een gemeente in meerdere verbanden telt in elk verband mee.")
    known = table[table["value"].notna()]
    approximate = known[known["approximate"]]
    if len(approximate):
        note += (" Benadering: voor de gemeenten die in 2025 fuseerden geeft de bron alleen het cijfer van de "
                 "fusiegemeente; het telt mee in het verband van haar grootste deel: "
                 + "; ".join(f"{row.name} ({approximate_text(row._asdict(), names, notes)})"
                             for row in approximate.itertuples()) + ".")
    incomplete = known[~known["complete"]]
    if len(incomplete):
        note += (" Berekend zonder gemeenten zonder eigen cijfer: "
                 + "; ".join(f"{row.name} (zonder {left_out_text(row._asdict(), names, notes)})"
                             for row in incomplete.itertuples()) + ".")
    without = table[table["value"].isna()]
    if len(without):
        note += (f" Geen graad voor {format_number(len(without))} verband(en): "
                 + ", ".join(sorted(without["name"].astype(str))) + ".")
    if known.empty:
        return None, note
    rates = known.set_index("partnership_id").rename(columns={"value": "rate"})[RATE_TABLE_COLUMNS]
    return rates.astype({"rate": float, "approximate": bool}), note


# --- classes for choropleths --------------------------------------------------------------------------------

def class_breaks(values, method: str = QUANTILES, k: int = 5) -> list[float]:
    """Upper bounds of `k` classes (the last is the maximum) computed with mapclassify.

    Compute them on all of Flanders so the classes stay the same while the view is filtered. Fewer classes come
    back when there are fewer distinct values than `k`.
    """
    # Imported here on purpose: mapclassify pulls in scipy and scikit-learn (seconds), and only a classified
    # indicator map needs it.
    import mapclassify

    data = np.asarray(pd.Series(values, dtype=float).dropna(), dtype=float)
    if data.size == 0:
        return []
    distinct = np.unique(data)
    k = int(max(1, min(k, distinct.size)))
    if k == 1:
        return [float(distinct[-1])]
    if method == QUANTILES:
        classifier = mapclassify.Quantiles(data, k=k)
    elif method == FISHER_JENKS:
        with warnings.catch_warnings():  # "Numba not installed": the pure-Python version is fast enough for 300
            warnings.simplefilter("ignore", UserWarning)
            classifier = mapclassify.FisherJenks(data, k=k)
    elif method == EQUAL_INTERVAL:
        classifier = mapclassify.EqualInterval(data, k=k)
    else:
        raise ValueError(f"Onbekende indeling {method!r}; kies uit {', '.join(CLASSIFICATIONS)}")
    bins = [float(b) for b in classifier.bins]
    bins[-1] = float(distinct[-1])
    return sorted(dict.fromkeys(bins))


def assign_classes(values, breaks: list[float]) -> pd.Series:
    """The 0-based class of each value (value <= upper bound of its class); NaN stays NaN.

    A value above the last bound (possible when the breaks come from another selection) goes in the last class.
    """
    series = pd.Series(values, dtype=float)
    if not breaks:
        return pd.Series(np.nan, index=series.index)
    positions = np.searchsorted(np.asarray(breaks, dtype=float), series.to_numpy(), side="left")
    positions = np.minimum(positions, len(breaks) - 1).astype(float)
    return pd.Series(np.where(series.isna(), np.nan, positions), index=series.index)


def class_labels(breaks: list[float], minimum: float, decimals: int = 0) -> list[str]:
    """Dutch labels 'a – b' of the classes (Belgian notation)."""
    labels = []
    lower = minimum
    for upper in breaks:
        labels.append(f"{format_number(lower, decimals)} – {format_number(upper, decimals)}")
        lower = upper
    return labels
