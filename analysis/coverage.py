"""Coverage of municipalities by regie partnerships, and headline figures (KPIs).

Coverage states (see the shared contract):

- ``member_confirmed``: at least one membership row with confidence "confirmed";
- ``member_suggestive``: only membership rows with confidence "suggestive" (or any other non-"confirmed" value);
- ``non_participant``: no membership row, and a source says the municipality does not take part;
- ``unknown``: neither a membership row nor a non-participation source. Unknown is *not* "uncovered".

Precedence when sources disagree: a confirmed membership wins over a non-participation source, and a
non-participation source wins over a merely suggestive membership (an explicit "does not take part" is
stronger evidence than an inferred membership). Such municipalities get ``evidence_conflict = True`` so the
disagreement stays visible.

The memberships passed in are assumed to belong to one scheme/period; filter them first when the table
holds several periods.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analysis.codes import nis_list, nis_series
from analysis.formatting import format_number, is_missing
from geodata.membership import CONFIDENCE_NL

MEMBER_CONFIRMED = "member_confirmed"
MEMBER_SUGGESTIVE = "member_suggestive"
NON_PARTICIPANT = "non_participant"
UNKNOWN = "unknown"
COVERAGE_STATES = (MEMBER_CONFIRMED, MEMBER_SUGGESTIVE, NON_PARTICIPANT, UNKNOWN)
COVERED_STATES = frozenset({MEMBER_CONFIRMED, MEMBER_SUGGESTIVE})
NOT_COVERED_STATES = frozenset({NON_PARTICIPANT, UNKNOWN})

# Dutch labels for the UI.
STATUS_LABELS_NL = {
    MEMBER_CONFIRMED: "lid (bevestigd)",
    MEMBER_SUGGESTIVE: "lid (vermoedelijk)",
    NON_PARTICIPANT: "neemt niet deel",
    UNKNOWN: "onbekend",
}

CONFIRMED = "confirmed"


def confidence_nl(value: Any) -> str:
    """The Dutch word for a membership's confidence ("bevestigd", "vermoedelijk"); anything else as text."""
    return CONFIDENCE_NL.get(value, str(value))


def status_for_codes(
    nis_codes: Any, memberships: pd.DataFrame, non_participants: pd.DataFrame | None
) -> pd.DataFrame:
    """Coverage status for a list of NIS codes (no geometry needed).

    Returns a DataFrame indexed by ``nis`` (input order) with columns ``status``, ``n_partnerships``
    (distinct partnership ids), ``partnership_ids`` (sorted tuple), ``confirmed_partnership_ids`` (tuple)
    and ``evidence_conflict`` (bool: a membership row and a non-participation source both exist).
    """
    code_list = nis_list(nis_codes)
    codes = pd.Index(code_list, name="nis")
    if codes.has_duplicates:
        raise ValueError("duplicate NIS codes in the municipality list")
    return pd.DataFrame(_status_columns(code_list, memberships, non_participants), index=codes)


def _status_columns(
    code_list: list[str], memberships: pd.DataFrame, non_participants: pd.DataFrame | None
) -> dict[str, Any]:
    """The status columns of :func:`status_for_codes` for codes without duplicates."""
    # Plain lists and dicts: iterating pandas (Arrow-backed) columns element by element is slow, and
    # per-group lambdas are slower still for 20,000 municipalities.
    code_set = set(code_list)
    row_nis = nis_list(memberships["nis"])
    row_ids = memberships["partnership_id"].tolist()
    ids_of: dict[str, set] = {}
    confirmed_of: dict[str, set] = {}
    for nis, pid, confidence in zip(row_nis, row_ids, memberships["confidence"].tolist()):
        if nis not in code_set:
            continue
        ids_of.setdefault(nis, set()).add(pid)
        if isinstance(confidence, str) and confidence == CONFIRMED:
            confirmed_of.setdefault(nis, set()).add(pid)

    if non_participants is not None and len(non_participants):
        non_participant_codes = {c for c in nis_list(non_participants["nis"]) if c is not None}
    else:
        non_participant_codes = set()

    empty: tuple[str, ...] = ()
    partnership_ids = [tuple(sorted(ids_of[c])) if c in ids_of else empty for c in code_list]
    confirmed_ids = [tuple(sorted(confirmed_of[c])) if c in confirmed_of else empty for c in code_list]
    has_member_row = np.fromiter((c in ids_of for c in code_list), bool, len(code_list))
    has_confirmed = np.fromiter((c in confirmed_of for c in code_list), bool, len(code_list))
    is_non_participant = np.fromiter((c in non_participant_codes for c in code_list), bool, len(code_list))

    status = np.where(
        has_confirmed,
        MEMBER_CONFIRMED,
        np.where(is_non_participant, NON_PARTICIPANT, np.where(has_member_row, MEMBER_SUGGESTIVE, UNKNOWN)),
    )
    return {
        "status": status,
        "n_partnerships": np.fromiter((len(t) for t in partnership_ids), int, len(code_list)),
        "partnership_ids": partnership_ids,
        "confirmed_partnership_ids": confirmed_ids,
        "evidence_conflict": has_member_row & is_non_participant,
    }


def coverage_status(
    municipalities: pd.DataFrame, memberships: pd.DataFrame, non_participants: pd.DataFrame | None
) -> pd.DataFrame:
    """Coverage status per municipality.

    Returns a plain DataFrame (no geometry) with one row per municipality, in the order of
    ``municipalities``: ``nis``, ``name``, ``population_2020`` (inhabitants on 1 January 2020, when the
    input has it), ``status`` (one of :data:`COVERAGE_STATES`), ``n_partnerships`` (number of distinct
    partnerships the municipality is listed in, any confidence), ``partnership_ids`` (sorted tuple),
    ``confirmed_partnership_ids`` (tuple) and ``evidence_conflict`` (bool).
    Membership rows whose NIS code is not on the map are ignored here (see :func:`memberships_off_map`).
    """
    code_list = nis_list(municipalities["nis"])
    if len(set(code_list)) != len(code_list):  # missing codes are all None, so they count as repeats too
        raise ValueError("duplicate NIS codes in the municipality list")
    columns: dict[str, Any] = {"nis": code_list}
    for column in ("name", "population_2020"):
        if column in municipalities.columns:
            columns[column] = municipalities[column].to_numpy()
    columns.update(_status_columns(code_list, memberships, non_participants))
    return pd.DataFrame(columns)


def memberships_off_map(municipalities: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Membership rows whose NIS code is not a municipality on this map (e.g. a 2019 code on the 2025 map)."""
    codes = set(nis_series(municipalities["nis"]))
    return memberships[~nis_series(memberships["nis"]).isin(codes).to_numpy()]


def status_series(status: pd.DataFrame | pd.Series | Mapping[str, str]) -> pd.Series:
    """Normalise a status input to a Series nis -> status.

    Accepts the output of :func:`coverage_status` (column ``nis`` or index), a Series or a mapping.
    """
    if isinstance(status, pd.DataFrame):
        if "nis" in status.columns:
            return pd.Series(status["status"].to_numpy(), index=status["nis"].to_numpy(), name="status")
        return status["status"].rename("status")
    if isinstance(status, pd.Series):
        return status.rename("status")
    return pd.Series(dict(status), name="status", dtype=object)


class KpiDefinition(NamedTuple):
    """One headline figure: ``key`` (also the key of its official total and in ``analysis summary --json``), a
    short Dutch ``label``, its ``unit`` ("aantal", "inwoners" or "aandeel" = a fraction between 0 and 1) and
    ``definition``: the Dutch help text that says exactly what is counted (shown in the dashboard's KPI help)."""

    key: str
    label: str
    unit: str
    definition: str


_COUNTED = ("Een verband telt mee wanneer minstens één van zijn gemeenten op de kaart en in de selectie ligt; "
            "met een filter op centrumstad of samenwerkingsverband tellen alleen de gekozen verbanden. Een verband "
            "zonder gekende leden telt niet mee.")

# The KPI definitions, written once: the dashboard's cards and tables, the exports and the command line use these.
KPI_DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition("partnerships", "Samenwerkingsverbanden (zonder alleenstaande centrumsteden)", "aantal",
                  "Samenwerkingsverbanden die de regierol opnemen, zonder de centrumsteden die dat alleen doen. "
                  + _COUNTED),
    KpiDefinition("with_centre_city", "Samenwerkingsverbanden met een centrumstad", "aantal",
                  "De meegetelde samenwerkingsverbanden (zonder alleenstaande centrumsteden) met een centrumstad. "
                  + _COUNTED),
    KpiDefinition("standalone_cities", "Centrumsteden die de regierol alleen opnemen", "aantal",
                  "Centrumsteden die de regierol alleen opnemen, apart van de samenwerkingsverbanden geteld; een "
                  "centrumstad telt mee wanneer ze op de kaart en in de selectie ligt."),
    KpiDefinition("regie_entities", "Regisseurs in totaal (verbanden + alleenstaande centrumsteden)", "aantal",
                  "Regisseurs = meegetelde samenwerkingsverbanden + centrumsteden die de regierol alleen opnemen. "
                  + _COUNTED),
    KpiDefinition("municipalities", "Deelnemende gemeenten (bevestigd + vermoedelijk)", "aantal",
                  "Gemeenten in de selectie die in minstens één verband staan of alleen regisseur zijn (bevestigd "
                  "of vermoedelijk); een gemeente in meer dan één verband telt één keer."),
    KpiDefinition("municipalities_confirmed", "Deelnemende gemeenten, bevestigd", "aantal",
                  "Deelnemende gemeenten met minstens één bevestigd lidmaatschap."),
    KpiDefinition("municipalities_suggestive", "Deelnemende gemeenten, vermoedelijk", "aantal",
                  "Deelnemende gemeenten met alleen vermoedelijke lidmaatschappen."),
    KpiDefinition("non_participants", "Gemeenten die niet deelnemen", "aantal",
                  "Gemeenten zonder lidmaatschap waarvan een bron zegt dat ze niet deelnemen."),
    KpiDefinition("unknown", "Gemeenten met onbekende deelname", "aantal",
                  "Gemeenten zonder lidmaatschap en zonder bron over deelname: onbekend, niet hetzelfde als "
                  "'neemt niet deel'."),
    KpiDefinition("municipalities_in_several_partnerships", "Gemeenten in meer dan een verband", "aantal",
                  "Gemeenten in de selectie die in meer dan één verband vermeld staan (overlappingen)."),
    KpiDefinition("total_municipalities", "Gemeenten op de kaart", "aantal",
                  "Alle gemeenten op de kaart die in de selectie liggen."),
    KpiDefinition("population_covered", "Inwoners in deelnemende gemeenten", "inwoners",
                  "Inwoners op 1 januari 2020 (Statbel) van de deelnemende gemeenten in de selectie."),
    KpiDefinition("population_covered_confirmed", "Inwoners in bevestigde deelnemende gemeenten", "inwoners",
                  "Inwoners op 1 januari 2020 van de bevestigde deelnemende gemeenten in de selectie."),
    KpiDefinition("population_total", "Inwoners op de kaart", "inwoners",
                  "Inwoners op 1 januari 2020 van alle gemeenten in de selectie."),
    KpiDefinition("population_share", "Aandeel inwoners in deelnemende gemeenten", "aandeel",
                  "Inwoners in deelnemende gemeenten gedeeld door alle inwoners in de selectie (2020)."),
    KpiDefinition("population_share_confirmed", "Aandeel inwoners in bevestigde deelnemende gemeenten", "aandeel",
                  "Inwoners in bevestigde deelnemende gemeenten gedeeld door alle inwoners in de selectie (2020)."),
    KpiDefinition("municipality_share", "Aandeel deelnemende gemeenten", "aandeel",
                  "Deelnemende gemeenten gedeeld door alle gemeenten in de selectie."),
)
KPI_BY_KEY: dict[str, KpiDefinition] = {definition.key: definition for definition in KPI_DEFINITIONS}


def member_counts(memberships: pd.DataFrame, codes: Any) -> dict[str, int]:
    """Distinct member municipalities per partnership among `codes` (any confidence).

    This is a partnership's member count wherever it is shown (map legend, profile, tables): with `codes` all the
    municipalities on the map. A municipality in several partnerships counts in each of them, so these counts do
    not add up to the number of covered municipalities.
    """
    wanted = set(nis_list(codes))
    members: dict[str, set] = {}
    for pid, nis in zip(memberships["partnership_id"].tolist(), nis_list(memberships["nis"])):
        if nis in wanted and not is_missing(pid):
            members.setdefault(pid, set()).add(nis)
    return {pid: len(found) for pid, found in members.items()}


def counted_partnership_ids(partnerships: pd.DataFrame, memberships: pd.DataFrame, codes_in_view: Any,
                            chosen: Any = None) -> list[str]:
    """The partnerships (and stand-alone centre cities) a view counts, in the order of `partnerships`.

    The one definition behind every count of partnerships: a partnership counts when at least one of its member
    municipalities is on the map and in the selection (`codes_in_view`). With a filter on a centre city or a
    partnership, `chosen` holds the partnerships that filter selects and only those count (an overlap municipality
    in view does not bring its other partnership along). A partnership without any member on the map (e.g. one
    whose members the sources do not name) never counts; :func:`partnerships_without_members` lists them.
    """
    with_members = set(member_counts(memberships, codes_in_view))
    keep = with_members if chosen is None else with_members & set(chosen)
    return [pid for pid in partnerships["partnership_id"].tolist() if pid in keep]


def partnership_counts(partnerships: pd.DataFrame, counted: Any) -> dict[str, int]:
    """The counts of :data:`KPI_DEFINITIONS` for the `counted` partnership ids (:func:`counted_partnership_ids`):
    ``partnerships`` (not stand-alone centre cities), ``with_centre_city`` (of those, with a centre city),
    ``standalone_cities`` and ``regie_entities`` (regisseurs: partnerships + stand-alone centre cities)."""
    rows = partnerships[partnerships["partnership_id"].isin(set(counted)).to_numpy()]
    standalone = _bool_column(rows, "standalone")
    if "centre_city_nis" in rows.columns:
        has_centre = np.array([not is_missing(v) for v in rows["centre_city_nis"].tolist()], dtype=bool)
    else:
        has_centre = np.zeros(len(rows), dtype=bool)
    return {
        "partnerships": int((~standalone).sum()),
        "with_centre_city": int((~standalone & has_centre).sum()),
        "standalone_cities": int(standalone.sum()),
        "regie_entities": int(len(rows)),
    }


def regisseurs_text(counts: Mapping[str, int]) -> str:
    """"26 regisseurs (23 samenwerkingsverbanden + 3 centrumsteden alleen)": the counts of
    :func:`partnership_counts` in words, so a page says which of them it shows."""
    def plural(n: int, one: str, many: str) -> str:
        return f"{format_number(n)} {one if n == 1 else many}"

    return (f"{plural(counts['regie_entities'], 'regisseur', 'regisseurs')} ("
            f"{plural(counts['partnerships'], 'samenwerkingsverband', 'samenwerkingsverbanden')} + "
            f"{plural(counts['standalone_cities'], 'centrumstad', 'centrumsteden')} alleen)")


def partnerships_without_members(partnerships: pd.DataFrame, memberships: pd.DataFrame,
                                 codes_on_map: Any) -> list[str]:
    """Partnerships without a single member municipality on the map: shown as "zonder gekende leden", not counted."""
    with_members = set(member_counts(memberships, codes_on_map))
    return [pid for pid in partnerships["partnership_id"].tolist() if pid not in with_members]


def _bool_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as booleans (missing values are False), or all False when the column is absent."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.array([False if is_missing(v) else bool(v) for v in frame[column].tolist()], dtype=bool)


def coverage_kpis(
    municipalities: pd.DataFrame,
    partnerships: pd.DataFrame,
    memberships: pd.DataFrame,
    non_participants: pd.DataFrame | None,
    official: Mapping[str, Any] | None = None,
    status: pd.DataFrame | None = None,
    chosen: Any = None,
) -> pd.DataFrame:
    """Headline figures of the coverage of `municipalities` (the map, or the selection on it), optionally beside
    the official totals.

    Returns one row per KPI (see :data:`KPI_DEFINITIONS`) with columns ``kpi`` (key), ``label`` (Dutch),
    ``unit`` ("aantal", "inwoners" or "aandeel" = fraction 0-1), ``definition`` (Dutch help text), ``value``,
    ``official`` (the official total for the same key, NaN when none is given) and ``difference`` (value -
    official, NaN without an official total). Populations are inhabitants on 1 January 2020 (``population_2020``).
    Pass ``status`` (output of :func:`coverage_status`) to avoid recomputing it.

    Partnerships are counted as :func:`counted_partnership_ids` says (`chosen`: the partnerships a centre-city or
    partnership filter selects). ``partnerships`` counts those that are not a stand-alone centre city,
    ``with_centre_city`` those of them with a ``centre_city_nis``, ``standalone_cities`` the counted rows with
    ``standalone`` true and ``regie_entities`` both. Covered municipalities include the stand-alone centre cities,
    as in the official "238 of 300 municipalities".
    """
    if status is None:
        status = coverage_status(municipalities, memberships, non_participants)
    counts = partnership_counts(partnerships, counted_partnership_ids(partnerships, memberships, municipalities["nis"],
                                                                      chosen))
    # numpy arrays and one pass over the states: a handful of pandas calls would cost more than the counting.
    states = status["status"].tolist()
    state_counts = Counter(states)

    if "population_2020" in status.columns:
        population = status["population_2020"].astype(float).to_numpy()
    else:
        population = np.full(len(status), np.nan)
    known = ~np.isnan(population)
    # NaN counts as 0 and numpy adds up as pandas' Series.sum does: the same totals.
    population_filled = np.where(known, population, 0.0)
    covered = np.fromiter((state in COVERED_STATES for state in states), bool, len(states))
    confirmed = np.fromiter((state == MEMBER_CONFIRMED for state in states), bool, len(states))
    population_total = float(population_filled.sum()) if known.any() else np.nan
    population_covered = float(population_filled[covered].sum())
    population_confirmed = float(population_filled[confirmed].sum())
    n_total = len(status)

    def share(part: float, whole: float) -> float:
        return part / whole if whole and not np.isnan(whole) else np.nan

    values: dict[str, float] = {
        **counts,
        "municipalities": int(covered.sum()),
        "municipalities_confirmed": int(confirmed.sum()),
        "municipalities_suggestive": state_counts[MEMBER_SUGGESTIVE],
        "non_participants": state_counts[NON_PARTICIPANT],
        "unknown": state_counts[UNKNOWN],
        "municipalities_in_several_partnerships": int((status["n_partnerships"].to_numpy() > 1).sum()),
        "total_municipalities": n_total,
        "population_covered": population_covered,
        "population_covered_confirmed": population_confirmed,
        "population_total": population_total,
        "population_share": share(population_covered, population_total),
        "population_share_confirmed": share(population_confirmed, population_total),
        "municipality_share": share(float(covered.sum()), float(n_total)),
    }
    official = dict(official or {})
    records = []
    for key, label, unit, definition in KPI_DEFINITIONS:
        official_value = official.get(key)
        official_value = np.nan if official_value is None or pd.isna(official_value) else float(official_value)
        value = values[key]
        records.append(
            {
                "kpi": key,
                "label": label,
                "unit": unit,
                "definition": definition,
                "value": value,
                "official": official_value,
                "difference": float(value) - official_value,
            }
        )
    return pd.DataFrame.from_records(records, columns=["kpi", "label", "unit", "definition", "value", "official",
                                                      "difference"])


def kpi_values(kpis: pd.DataFrame) -> dict[str, float]:
    """The KPI table of :func:`coverage_kpis` as a plain dict kpi -> value."""
    return dict(zip(kpis["kpi"], kpis["value"]))
