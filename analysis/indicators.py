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
  and the result says how many members were left out (``n_missing``, ``n_suppressed``, ``n_split``, ``complete``).
* A municipality in several partnerships (an overlap) counts in **each** of them, so partnership totals can add
  up to more than Flanders; :func:`aggregate` reports ``n_shared`` so the page can say so.
* **Units.** A value may cover several municipalities of the map: the jobseekers' file gives one value for each
  2025 merged municipality, which on the 2019-2024 map covers all its parts. ``units`` (columns ``unit``, ``nis``)
  says which map municipalities each value covers. A group is credited with such a value only when *all* the parts
  it covers are members (``n_split`` counts the members whose value is shared with non-members).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.coverage import MEMBER_CONFIRMED, MEMBER_SUGGESTIVE, NON_PARTICIPANT, UNKNOWN
from geodata.indicators import (
    CATALOGUE, COUNT, FLAG_MISSING, FLAG_OK, FLAG_SUPPRESSED, Indicator,
)

SUBSIDY_YEAR = 2019  # the last full year before the 2020-2025 call; see unemployment_rate_by_partnership
SUBSIDY_INDICATOR = "werkzoekendengraad"

GROUP_COVERED = "gedekt"
GROUP_NON_PARTICIPANT = "neemt niet deel"
GROUP_UNKNOWN = "onbekend"
GROUP_NOT_COVERED = "niet gedekt (samen)"
GROUP_TOTAL = "totaal"
GROUP_UNASSIGNED = "niet toe te wijzen"
GROUP_LABELS_NL = {
    GROUP_COVERED: "In een gekend samenwerkingsverband",
    GROUP_NON_PARTICIPANT: "Neemt niet deel (volgens bron)",
    GROUP_UNKNOWN: "Onbekend (geen bron gevonden)",
    GROUP_NOT_COVERED: "Zonder gekend verband (onbekend + neemt niet deel)",
    GROUP_UNASSIGNED: "Niet toe te wijzen (fusiegemeente met delen in verschillende groepen)",
    GROUP_TOTAL: "Totaal",
}
_STATUS_GROUP = {MEMBER_CONFIRMED: GROUP_COVERED, MEMBER_SUGGESTIVE: GROUP_COVERED,
                 NON_PARTICIPANT: GROUP_NON_PARTICIPANT, UNKNOWN: GROUP_UNKNOWN}

AGGREGATE_COLUMNS = ["group", "value", "numerator", "denominator", "n_municipalities", "n_with_value", "n_missing",
                     "n_suppressed", "n_split", "n_shared", "complete", "missing_nis"]

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
    chosen = values[(values["indicator_id"] == indicator_id) & (values["flag"] == FLAG_OK)]
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
    """One row per map code in `codes` with ``value`` and ``flag``; a code without a row is ``missing``."""
    frame = pd.DataFrame({"nis": pd.Series(list(codes), dtype=object)})
    frame = frame.merge(year_values(values, indicator_id, year), on="nis", how="left")
    frame["flag"] = frame["flag"].fillna(FLAG_MISSING)
    frame["value"] = frame["value"].astype(float).where(frame["flag"] == FLAG_OK)
    return frame


# --- aggregation ------------------------------------------------------------------------------------------------

def aggregate(values: pd.DataFrame, groups: pd.DataFrame, indicator: str | Indicator, year: int,
              units: pd.DataFrame | None = None, catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """The indicator for each group of municipalities (see the module docstring for the rules).

    ``groups``: columns ``group`` and ``nis`` (map codes; a municipality may be in several groups).
    ``units``: columns ``unit`` (the code a value is given for) and ``nis`` (the map codes it covers); by default
    each code covers itself.
    Returns one row per group (:data:`AGGREGATE_COLUMNS`): ``value`` (NaN when nothing is known or the
    indicator cannot be aggregated), ``numerator``/``denominator`` (rates and densities; for a count the sum is
    the numerator), ``n_municipalities``, ``n_with_value`` (members whose value is in the result),
    ``n_missing``/``n_suppressed`` (members left out because the value is missing or suppressed),
    ``n_split`` (members whose value covers non-members too), ``n_shared`` (members that are also in another
    group), ``complete`` and ``missing_nis`` (the members left out, sorted tuple).
    """
    entry = entry_for(indicator, catalogue)
    needed = [entry.id] if entry.kind == COUNT else [entry.numerator, entry.denominator]
    groups = groups[["group", "nis"]].drop_duplicates()
    if units is None:
        codes = set(groups["nis"]) | set(values.loc[values["indicator_id"].isin(needed), "nis"])
        units = pd.DataFrame({"unit": sorted(codes), "nis": sorted(codes)})
    parts_of = units.groupby("unit")["nis"].agg(frozenset).to_dict()
    unit_of = dict(zip(units["nis"], units["unit"]))
    state: dict[str, dict[str, tuple[float, str]]] = {}
    if entry.aggregatable:
        for indicator_id in needed:
            chosen = year_values(values, indicator_id, year)
            state[indicator_id] = {nis: (value, flag) for nis, value, flag in
                                   zip(chosen["nis"], chosen["value"], chosen["flag"])}
    membership_count = groups["nis"].value_counts()
    rows = []
    for group, members in groups.groupby("group", sort=False)["nis"]:
        members = frozenset(members)
        row = {"group": group, "n_municipalities": len(members),
               "n_shared": int(sum(membership_count[nis] > 1 for nis in members))}
        if not entry.aggregatable:
            rows.append({**row, "value": math.nan, "numerator": math.nan, "denominator": math.nan,
                         "n_with_value": 0, "n_missing": len(members), "n_suppressed": 0, "n_split": 0,
                         "complete": False, "missing_nis": tuple(sorted(members))})
            continue
        sums = dict.fromkeys(needed, 0.0)
        with_value = missing = suppressed = split = 0
        left_out = []
        for unit in sorted({unit_of.get(nis, nis) for nis in members}):
            covered = parts_of.get(unit, frozenset({unit}))
            inside = covered & members
            if not covered <= members:
                split += len(inside)
                left_out.extend(inside)
                continue
            flags = [state[i].get(unit, (math.nan, FLAG_MISSING))[1] for i in needed]
            if all(flag == FLAG_OK for flag in flags):
                for indicator_id in needed:
                    sums[indicator_id] += state[indicator_id][unit][0]
                with_value += len(inside)
            else:
                left_out.extend(inside)
                if FLAG_SUPPRESSED in flags:
                    suppressed += len(inside)
                else:
                    missing += len(inside)
        if entry.kind == COUNT:
            numerator, denominator = sums[entry.id], math.nan
            value = numerator if with_value else math.nan
        else:
            numerator, denominator = sums[entry.numerator], sums[entry.denominator]
            value = entry.scale * numerator / denominator if with_value and denominator > 0 else math.nan
        rows.append({**row, "value": value, "numerator": numerator if with_value else math.nan,
                     "denominator": denominator if with_value else math.nan, "n_with_value": with_value,
                     "n_missing": missing, "n_suppressed": suppressed, "n_split": split,
                     "complete": with_value == len(members), "missing_nis": tuple(sorted(left_out))})
    return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)


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
    live in a municipality without a known partnership). A count that belongs to a 2025 merged municipality whose
    parts are in different groups cannot be assigned: the row :data:`GROUP_UNASSIGNED` holds it, so the shares of
    the three groups and that row add up to 1.
    """
    entry = entry_for(indicator, catalogue)
    order = [GROUP_COVERED, GROUP_NON_PARTICIPANT, GROUP_UNKNOWN, GROUP_NOT_COVERED, GROUP_TOTAL]
    result = aggregate(values, coverage_groups(status), entry, year, units, catalogue).drop(columns="n_shared")
    result = result.set_index("group").reindex(order)
    for group in order:  # a group without municipalities still gets a row
        if pd.isna(result.at[group, "n_municipalities"]):
            result.loc[group, ["n_municipalities", "n_with_value", "n_missing", "n_suppressed", "n_split"]] = 0
            result.at[group, "complete"] = True
            result.at[group, "missing_nis"] = ()
            result.at[group, "value"] = 0.0 if entry.kind == COUNT else math.nan
    result = result.reset_index()
    if entry.kind == COUNT:
        total = result.loc[result["group"] == GROUP_TOTAL, "value"].iloc[0]
        parts = result.loc[result["group"].isin([GROUP_COVERED, GROUP_NON_PARTICIPANT, GROUP_UNKNOWN]), "value"]
        unassigned = total - parts.fillna(0).sum() if not pd.isna(total) else math.nan
        if not pd.isna(unassigned) and unassigned > 1e-9:
            split_members = int(result.loc[result["group"].isin(
                [GROUP_COVERED, GROUP_NON_PARTICIPANT, GROUP_UNKNOWN]), "n_split"].sum())
            extra = {column: 0 for column in AGGREGATE_COLUMNS if column != "n_shared"}
            extra.update({"group": GROUP_UNASSIGNED, "value": unassigned, "numerator": unassigned,
                          "denominator": math.nan, "n_municipalities": split_members, "n_with_value": split_members,
                          "complete": True, "missing_nis": ()})
            result = pd.concat([result.iloc[:-1], pd.DataFrame([extra]), result.iloc[-1:]], ignore_index=True)
        result["share"] = result["value"] / total if total and not pd.isna(total) else math.nan
    else:
        result["share"] = math.nan
    result.insert(1, "label", result["group"].map(GROUP_LABELS_NL))
    return result


def need_sentence(table: pd.DataFrame, indicator: str | Indicator, year: int,
                  catalogue: Mapping[str, Indicator] | None = None) -> str:
    """One Dutch sentence with the headline of :func:`need_versus_coverage`."""
    from analysis.formatting import format_number, format_percent

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
        return "Alle gemeenten in deze selectie zitten in een gekend samenwerkingsverband."
    if entry.kind == COUNT:
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
        text += f" {left_out} gemeente(n) zonder cijfer tellen niet mee."
    return text


def rank_not_covered(values: pd.DataFrame, status: pd.DataFrame, indicator: str | Indicator, year: int,
                     context: str | Indicator | None = None,
                     catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
    """Municipalities without a known partnership, most need first.

    ``status``: ``nis``, ``status`` and optionally ``name``/``population_2020``. Need follows the indicator's
    direction: highest first when ``higher_is_worse`` is True or unknown, lowest first when it is False. Municipalities
    without a value come last (``rank`` NaN) with their ``flag``. ``context`` adds a second indicator (e.g. the
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
    known = table[table["flag"] == FLAG_OK].sort_values(["value", "nis"], ascending=[ascending, True])
    known = known.assign(rank=np.arange(1, len(known) + 1, dtype=float))
    unknown = table[table["flag"] != FLAG_OK].sort_values("nis").assign(rank=np.nan)
    return pd.concat([known, unknown], ignore_index=True)


# --- the subsidy ranking ----------------------------------------------------------------------------------

def unemployment_rate_by_partnership(view, values: pd.DataFrame, units: pd.DataFrame | None = None,
                                     year: int = SUBSIDY_YEAR,
                                     catalogue: Mapping[str, Indicator] | None = None
                                     ) -> tuple[pd.Series | None, str]:
    """The werkzoekendengraad (%) of each partnership of `view` in `year`, recomputed, with a Dutch note.

    ``values`` must hold ``nwwz`` and ``beroepsbevolking`` keyed on the codes of ``units`` (see
    :func:`aggregate`). Returns ``(Series partnership_id -> rate in percent, note)``, or ``(None, note)`` when no
    partnership has a rate. Partnerships whose members lack a figure get a rate over the members that have one,
    and the note names them; a partnership without any figure is left out (ranked last by the subsidy rules).
    """
    from analysis.formatting import format_number

    entry = entry_for(SUBSIDY_INDICATOR, catalogue)
    if year not in available_years(values, entry.numerator):
        return None, (f"Geen werkzoekendengraad voor {year} beschikbaar: regisseurs zonder centrumstad staan in "
                      "willekeurige (alfabetische) volgorde en zijn gemarkeerd.")
    codes = set(view.municipalities["nis"])
    table = aggregate_by_partnership(values, view.scheme.memberships, view.scheme.partnerships, entry, year, units,
                                     codes, catalogue)
    rates = table.set_index("partnership_id")["value"].dropna()
    names = dict(zip(view.municipalities["nis"], view.municipalities["name"]))
    note = (f"Werkzoekendengraad {year} (VDAB, jaargemiddelde): het laatste volledige jaar vóór de oproep "
            f"2020-2025. Per verband herberekend als 100 × som niet-werkende werkzoekenden / som "
            "beroepsbevolking (afgeleid uit aantal en graad per gemeente), geen gemiddelde van gemeentelijke "
            "graden. Een gemeente in meerdere verbanden telt in elk verband mee.")
    incomplete = table[~table["complete"] & table["value"].notna()]
    if len(incomplete):
        parts = [f"{row.name} (zonder {', '.join(sorted(names.get(n, n) for n in row.missing_nis))})"
                 for row in incomplete.itertuples()]
        note += " Berekend zonder gemeenten zonder cijfer: " + "; ".join(parts) + "."
    without = table[table["value"].isna()]
    if len(without):
        note += (f" Geen graad voor {format_number(len(without))} verband(en): "
                 + ", ".join(sorted(without["name"].astype(str))) + ".")
    if rates.empty:
        return None, note
    return rates.astype(float), note


# --- classes for choropleths --------------------------------------------------------------------------------

def class_breaks(values, method: str = QUANTILES, k: int = 5) -> list[float]:
    """Upper bounds of `k` classes (the last is the maximum) computed with mapclassify.

    Compute them on all of Flanders so the classes stay the same while the view is filtered. Fewer classes come
    back when there are fewer distinct values than `k`.
    """
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
    from analysis.formatting import format_number

    labels = []
    lower = minimum
    for upper in breaks:
        labels.append(f"{format_number(lower, decimals)} – {format_number(upper, decimals)}")
        lower = upper
    return labels
