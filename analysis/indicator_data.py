"""Load indicator values for the analysis (the one place where `analysis.indicators` meets the data files).

Memoised per process through :mod:`geodata.indicators`; the dashboard adds its own Streamlit caches on top.
"""

from __future__ import annotations

import pandas as pd

from analysis import indicators as pure
from geodata.crosswalk import aggregation_units, merger_notes
from geodata.fetch import SourceUnavailable
from geodata.indicators import CATALOGUE, indicator_values


def values_on(version: str) -> pd.DataFrame:
    """Every catalogue indicator on the map of `version`, long format."""
    return indicator_values(version)


def aggregation_input(indicator_id: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values of `indicator_id` (and of its numerator and denominator) on the map of `version`, and the
    units that say which municipality holds a 2025 merged municipality's figure (the merger rule of
    :mod:`geodata.indicators`)."""
    entry = CATALOGUE[indicator_id]
    ids = {indicator_id, entry.numerator, entry.denominator} - {None}
    values = values_on(version)
    return values[values["indicator_id"].isin(ids)].reset_index(drop=True), aggregation_units(version)


def version_of(view) -> str:
    """The boundary version a view's municipalities belong to."""
    version = getattr(view.scheme, "boundary_version", None)
    if version in ("2019", "2025"):
        return version
    return "2019" if len(view.municipalities) == 300 else "2025"


def unemployment_rate_by_partnership(view, year: int = pure.SUBSIDY_YEAR) -> tuple[pd.DataFrame | None, str]:
    """The recomputed werkzoekendengraad per partnership of `view` for the subsidy ranking, with a Dutch note.

    Uses 2019, the last full year before the 2020-2025 call. On the 2019-2024 map a 2025 merged municipality's
    figure counts for the partnership(s) of its largest part, labelled as an approximation when not all its parts
    are members (see :func:`analysis.indicators.aggregate`). The table has ``rate``, ``approximate`` and
    ``remark`` per partnership_id (:func:`analysis.indicators.unemployment_rate_by_partnership`).
    """
    version = version_of(view)
    try:
        values, units = aggregation_input(pure.SUBSIDY_INDICATOR, version)
    except SourceUnavailable as error:
        return None, (f"Geen werkzoekendengraad beschikbaar ({error}); regisseurs zonder centrumstad staan in "
                      "willekeurige (alfabetische) volgorde en zijn gemarkeerd.")
    return pure.unemployment_rate_by_partnership(view, values, units, year, CATALOGUE, merger_notes(version))
