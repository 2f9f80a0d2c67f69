"""The long format of indicator values: its columns, the flags that say why a value is or is not there, the kinds
of indicator, and one catalogue entry (:class:`Indicator`). See :mod:`geodata.indicators` for the catalogue and the
loaders, and :mod:`geodata.crosswalk` for how values of 2025 merged municipalities sit on the 2019-2024 map.

Kept apart from the loaders so that the readers (:mod:`geodata.indicator_upload`) and the loaders that use them
share one model without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geodata.sources import SOURCES

LONG_COLUMNS = ["nis", "indicator_id", "year", "value", "unit", "source", "flag"]

FLAG_OK = "ok"
FLAG_MISSING = "missing"
FLAG_SUPPRESSED = "suppressed"
FLAG_MERGED = "merged"
FLAG_APPROXIMATE = "approximate"
FLAGS = (FLAG_OK, FLAG_MISSING, FLAG_SUPPRESSED, FLAG_MERGED, FLAG_APPROXIMATE)
# The flags whose row carries a number: an exact value, or a 2025 merged municipality's figure standing for its
# largest 2019 part (see "Boundary versions" in geodata.indicators).
VALUE_FLAGS = (FLAG_OK, FLAG_APPROXIMATE)
FLAG_LABELS_NL = {
    FLAG_OK: "",
    FLAG_MISSING: "onbekend",
    FLAG_SUPPRESSED: "geheim (kleine aantallen)",
    FLAG_MERGED: "cijfer zit in het grootste deel (fusie 2025)",
    FLAG_APPROXIMATE: "benadering: cijfer van de fusiegemeente (2025)",
}

COUNT = "count"
RATE = "rate"
DENSITY = "density"
KINDS = (COUNT, RATE, DENSITY)


@dataclass(frozen=True)
class Indicator:
    """One entry of the catalogue: what an indicator is and how groups of municipalities are computed."""

    id: str
    label: str  # Dutch, for the UI
    unit: str
    kind: str  # count | rate | density
    description: str
    source_key: str | None  # a key of geodata.sources.SOURCES; None for an upload or a derived layer value
    keyed_on: str  # "2025", "2019", "2019+2025" (the source has both) or "kaart" (computed per map)
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0  # rate = scale * numerator / denominator (100 for a percentage)
    higher_is_worse: bool | None = None  # None: neither (population, area)
    derived: bool = False  # computed by Regiekaart from other values, not published as such
    decimals: int = 0
    source_text: str | None = None  # attribution for uploads (no registered source)
    years: tuple[int, ...] = field(default=())

    @property
    def aggregatable(self) -> bool:
        """Can a group value be computed? Counts sum; rates and densities need numerator and denominator."""
        return self.kind == COUNT or (self.numerator is not None and self.denominator is not None)

    @property
    def source(self) -> str:
        """The attribution line ("Bron: ...")."""
        if self.source_text:
            return self.source_text
        if self.source_key and self.source_key in SOURCES:
            return SOURCES[self.source_key].attribution
        return ""


def flag_text(flag: str, nis: str | None = None, notes: dict[str, str] | None = None) -> str:
    """Why a value is what it is, in Dutch: the municipality's merger note (:func:`merger_notes`) for an
    approximate or merged figure, else the label of the flag ("" for an exact value)."""
    if flag in (FLAG_APPROXIMATE, FLAG_MERGED) and notes and nis in notes:
        return notes[nis]
    return FLAG_LABELS_NL.get(flag, flag)
