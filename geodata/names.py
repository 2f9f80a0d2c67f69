"""Match municipality names as analysts type them to NIS codes.

Spreadsheets name municipalities in many ways: "Sint-Niklaas", "ST.-NIKLAAS", "sint niklaas", "Stad Sint-Niklaas",
"Saint-Nicolas"; former names of merged municipalities ("Neerpelt" for Pelt since 2019, "Borsbeek" for Antwerpen
since 2025). `MunicipalityMatcher` answers one name with the code(s) it stands for, how it was recognised, and
close suggestions when it was not.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

EXACT = "exact"
NORMALISED = "normalised"  # same name written differently (case, accents, hyphens, St./Sint)
FRENCH = "french"
FORMER = "former"  # a municipality merged into this one before the map's date
MERGED_2025 = "merged_2025"  # a 2025 merger name, standing for several 2019 municipalities
MERGED_INTO = "merged_into"  # a 2019 name of a municipality that no longer exists on the 2025 map
UNKNOWN = "unknown"
AMBIGUOUS = "ambiguous"

DATA_DIR = Path(__file__).resolve().parent / "data"

_PREFIXES = ("stad ", "gemeente ", "ocmw ", "lokaal bestuur ", "gemeentebestuur ", "stadsbestuur ")


def name_key(text: str) -> str:
    """A comparison key: no case, accents, punctuation or spaces; 'St.'/'Ste' written out; 'Stad X' -> 'X'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower().strip()
    text = re.sub(r"\(.*?\)", " ", text)  # "Antwerpen (stad)", "Gent (44021)"
    text = re.sub(r"[-_/.,'`’]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
    words = ["sint" if word == "st" else "sinte" if word == "ste" else word for word in text.split(" ")]
    return "".join(words)


@dataclass(frozen=True)
class NameMatch:
    """The answer for one name: codes it stands for (several for a 2025 merger name on the 2019 map)."""

    query: str
    codes: tuple[str, ...]
    name: str | None  # the official name on the map (joined with " + " for several codes)
    kind: str
    suggestions: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.codes) and self.kind not in (UNKNOWN, AMBIGUOUS)


class MunicipalityMatcher:
    """Names and aliases of the municipalities of one map, looked up by :func:`name_key`.

    ``names`` maps NIS code -> official name on the map. ``aliases`` are (alias text, codes, kind) entries:
    French names, former names, merger names. An official name always wins over an alias with the same key.
    """

    def __init__(self, names: Mapping[str, str], aliases: Iterable[tuple[str, tuple[str, ...], str]] = ()):
        self.names = dict(names)
        self._official: dict[str, str] = {}
        for nis, name in self.names.items():
            self._official[name_key(name)] = nis
        self._aliases: dict[str, tuple[tuple[str, ...], str, str]] = {}
        self._ambiguous: set[str] = set()
        for alias, codes, kind in aliases:
            key = name_key(alias)
            if not key or key in self._official:
                continue
            codes = tuple(codes)
            if key in self._aliases and self._aliases[key][0] != codes:
                self._ambiguous.add(key)
            self._aliases.setdefault(key, (codes, kind, alias))
        self._display = {name_key(name): name for name in self.names.values()}
        for key, (_, _, alias) in self._aliases.items():
            self._display.setdefault(key, alias)

    def match(self, text) -> NameMatch:
        query = "" if text is None else str(text).strip()
        key = name_key(query)
        if not key:
            return NameMatch(query, (), None, UNKNOWN)
        if key in self._official:
            nis = self._official[key]
            kind = EXACT if query == self.names[nis] else NORMALISED
            return NameMatch(query, (nis,), self.names[nis], kind)
        if key in self._ambiguous:
            return NameMatch(query, (), None, AMBIGUOUS, self.suggest(query))
        if key in self._aliases:
            codes, kind, _ = self._aliases[key]
            return NameMatch(query, codes, " + ".join(self.names.get(c, c) for c in codes), kind)
        return NameMatch(query, (), None, UNKNOWN, self.suggest(query))

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """Up to `limit` official names or aliases closest to `text`."""
        key = name_key(text)
        close = difflib.get_close_matches(key, list(self._display), n=limit, cutoff=0.6)
        if not close and len(key) >= 3:  # a name cut short: "Heist-op" -> Heist-op-den-Berg
            close = [k for k in self._display if k.startswith(key)][:limit]
        return tuple(dict.fromkeys(self._display[k] for k in close))


def former_municipalities_2019() -> pd.DataFrame:
    """Municipalities merged on 1 January 2019 (former_name, nis_2019, name_2019, source): project data."""
    return pd.read_csv(DATA_DIR / "former_municipalities_2019.csv", dtype=str)


@lru_cache(maxsize=2)
def matcher_for_version(version: str) -> MunicipalityMatcher:
    """A matcher for the municipalities of a boundary version ("2019" or "2025"), with every alias we know.

    On the 2019 map a 2025 merger name ("Pajottegem") stands for its 2019 parts (kind ``merged_2025``); on
    the 2025 map a 2019 name of a merged part ("Borsbeek") stands for its successor (kind ``merged_into``),
    so the caller can decide whether that is acceptable.
    """
    from geodata.municipalities import french_names_2019, load_merger_table, load_municipalities

    old = load_municipalities("2019")
    new = load_municipalities("2025")
    mergers = load_merger_table()
    to_2025 = dict(zip(mergers["nis_2019"], mergers["nis_2025"]))
    parts = mergers.groupby("nis_2025")["nis_2019"].agg(lambda codes: tuple(sorted(codes)))
    former = former_municipalities_2019()
    french = french_names_2019()

    aliases: list[tuple[str, tuple[str, ...], str]] = []
    if version == "2019":
        names = dict(zip(old["nis"], old["name"]))
        aliases += [(row.former_name, (row.nis_2019,), FORMER) for row in former.itertuples()]
        aliases += [(name, (nis,), FRENCH) for nis, name in french.items()]
        aliases += [(name, parts[nis], MERGED_2025) for nis, name in zip(new["nis"], new["name"])
                    if name not in set(old["name"])]
    elif version == "2025":
        names = dict(zip(new["nis"], new["name"]))
        aliases += [(row.former_name, (to_2025[row.nis_2019],), FORMER) for row in former.itertuples()]
        old_names = dict(zip(old["nis"], old["name"]))

        def kept_its_name(nis_2019: str) -> bool:
            return old_names[nis_2019] == names[to_2025[nis_2019]]

        aliases += [(name, (to_2025[nis],), FRENCH if kept_its_name(nis) else MERGED_INTO)
                    for nis, name in french.items()]
        aliases += [(name, (to_2025[nis],), MERGED_INTO) for nis, name in old_names.items() if not kept_its_name(nis)]
    else:
        raise ValueError(f"Onbekende grensversie {version!r}")
    return MunicipalityMatcher(names, aliases)
