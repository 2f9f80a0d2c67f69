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
from typing import Any

import numpy as np
import pandas as pd

from analysis.codes import nis_list, nis_series
from analysis.formatting import is_missing

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
CONFIDENCE_LABELS_NL = {"confirmed": "bevestigd", "suggestive": "vermoedelijk"}


def confidence_nl(value: Any) -> str:
    """The Dutch word for a membership's confidence ("bevestigd", "vermoedelijk"); anything else as text."""
    return CONFIDENCE_LABELS_NL.get(value, str(value))


def _records_frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """``DataFrame.from_records(records, columns=columns)`` for dict records that all have these keys, built
    from column lists: the same frame (dtypes included) for about two thirds of the cost."""
    if not records:  # empty lists would make float columns; from_records makes object ones
        return pd.DataFrame.from_records(records, columns=columns)
    return pd.DataFrame({column: [record[column] for record in records] for column in columns}, columns=columns)


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


# KPI definitions: key, Dutch label, unit. ``unit`` is "aantal" (count), "inwoners" (inhabitants) or
# "aandeel" (a fraction between 0 and 1). Official totals are matched on the same key.
KPI_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("partnerships", "Samenwerkingsverbanden (zonder alleenstaande centrumsteden)", "aantal"),
    ("with_centre_city", "Samenwerkingsverbanden met een centrumstad", "aantal"),
    ("standalone_cities", "Centrumsteden die de regierol alleen opnemen", "aantal"),
    ("regie_entities", "Regisseurs in totaal (verbanden + alleenstaande centrumsteden)", "aantal"),
    ("municipalities", "Deelnemende gemeenten (bevestigd + vermoedelijk)", "aantal"),
    ("municipalities_confirmed", "Deelnemende gemeenten, bevestigd", "aantal"),
    ("municipalities_suggestive", "Deelnemende gemeenten, vermoedelijk", "aantal"),
    ("non_participants", "Gemeenten die niet deelnemen", "aantal"),
    ("unknown", "Gemeenten met onbekende deelname", "aantal"),
    ("municipalities_in_several_partnerships", "Gemeenten in meer dan een verband", "aantal"),
    ("total_municipalities", "Gemeenten op de kaart", "aantal"),
    ("population_covered", "Inwoners in deelnemende gemeenten", "inwoners"),
    ("population_covered_confirmed", "Inwoners in bevestigde deelnemende gemeenten", "inwoners"),
    ("population_total", "Inwoners op de kaart", "inwoners"),
    ("population_share", "Aandeel inwoners in deelnemende gemeenten", "aandeel"),
    ("population_share_confirmed", "Aandeel inwoners in bevestigde deelnemende gemeenten", "aandeel"),
    ("municipality_share", "Aandeel deelnemende gemeenten", "aandeel"),
)


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
) -> pd.DataFrame:
    """Headline figures of the coverage, optionally beside the official totals.

    Returns one row per KPI (see :data:`KPI_DEFINITIONS`) with columns ``kpi`` (key), ``label`` (Dutch),
    ``unit`` ("aantal", "inwoners" or "aandeel" = fraction 0-1), ``value``, ``official`` (the official
    total for the same key, NaN when none is given) and ``difference`` (value - official, NaN without an
    official total). Populations are inhabitants on 1 January 2020 (``population_2020``).
    Pass ``status`` (output of :func:`coverage_status`) to avoid recomputing it.

    ``partnerships`` counts the partnership rows that are not a stand-alone centre city;
    ``with_centre_city`` those of them with a ``centre_city_nis``; ``standalone_cities`` the rows with
    ``standalone`` true. Covered municipalities include the stand-alone centre cities, as in the official
    "238 of 300 municipalities".
    """
    if status is None:
        status = coverage_status(municipalities, memberships, non_participants)
    # numpy arrays and one pass over the states: a handful of pandas calls would cost more than the counting.
    states = status["status"].tolist()
    state_counts = Counter(states)
    standalone = _bool_column(partnerships, "standalone")
    if "centre_city_nis" in partnerships.columns:
        has_centre = np.array([not is_missing(v) for v in partnerships["centre_city_nis"].tolist()], dtype=bool)
    else:
        has_centre = np.zeros(len(partnerships), dtype=bool)

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
        "partnerships": int((~standalone).sum()),
        "with_centre_city": int((~standalone & has_centre).sum()),
        "standalone_cities": int(standalone.sum()),
        "regie_entities": int(len(partnerships)),
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
    for key, label, unit in KPI_DEFINITIONS:
        official_value = official.get(key)
        official_value = np.nan if official_value is None or pd.isna(official_value) else float(official_value)
        value = values[key]
        records.append(
            {
                "kpi": key,
                "label": label,
                "unit": unit,
                "value": value,
                "official": official_value,
                "difference": float(value) - official_value,
            }
        )
    return _records_frame(records, ["kpi", "label", "unit", "value", "official", "difference"])


def kpi_values(kpis: pd.DataFrame) -> dict[str, float]:
    """The KPI table of :func:`coverage_kpis` as a plain dict kpi -> value."""
    return dict(zip(kpis["kpi"], kpis["value"]))
