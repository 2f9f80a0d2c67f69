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

from geodata.crosswalk import parts_by_successor, successors
from geodata.fetch import fetch_path
from geodata.municipalities import french_names_2019, is_flemish, load_municipalities, normalise_nis

EXACT = "exact"
NORMALISED = "normalised"  # same name written differently (case, accents, hyphens, St./Sint)
FRENCH = "french"
FORMER = "former"  # a municipality merged into this one before the map's date
MERGED_2025 = "merged_2025"  # a 2025 merger name, standing for several 2019 municipalities
MERGED_INTO = "merged_into"  # a 2019 name of a municipality that no longer exists on the 2025 map
OUTSIDE_FLANDERS = "outside_flanders"  # a Brussels or Walloon municipality: recognised, but not on the map
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


def slug(text: str, separator: str = "-", max_length: int | None = None, default: str = "") -> str:
    """Text as lower-case ASCII words joined by `separator`, for ids and file names: "Sint-Niklaas e.o." ->
    "sint-niklaas-e-o"; at most `max_length` characters; `default` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", separator, ascii_text).strip(separator)
    return (words if max_length is None else words[:max_length]) or default


@dataclass(frozen=True)
class NameMatch:
    """The answer for one name: codes it stands for (several for a 2025 merger name on the 2019 map)."""

    query: str
    codes: tuple[str, ...]
    name: str | None  # the official name on the map (joined with " + " for several codes)
    kind: str
    suggestions: tuple[str, ...] = ()
    # OUTSIDE_FLANDERS: its region ("het Brussels Hoofdstedelijk Gewest", "het Waals Gewest"). UNKNOWN with a region:
    # the name looks most like `name`, a municipality of that region (a misspelt "Brussel").
    region: str = ""

    @property
    def found(self) -> bool:
        return bool(self.codes) and self.kind not in (UNKNOWN, AMBIGUOUS, OUTSIDE_FLANDERS)


class MunicipalityMatcher:
    """Names and aliases of the municipalities of one map, looked up by :func:`name_key`.

    ``names`` maps NIS code -> official name on the map. ``aliases`` are (alias text, codes, kind) entries:
    French names, former names, merger names. An official name always wins over an alias with the same key.
    ``outside`` are (name, NIS code, region) entries of municipalities outside Flanders (Dutch and French
    names): a name that is not Flemish but one of these is recognised as such instead of being unknown.
    """

    def __init__(self, names: Mapping[str, str], aliases: Iterable[tuple[str, tuple[str, ...], str]] = (),
                 outside: Iterable[tuple[str, str, str]] = ()):
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
        self._outside: dict[str, tuple[str, str, str]] = {}
        self._outside_all: dict[str, tuple[str, str, str]] = {}
        for name, nis, region in outside:
            key = name_key(name)
            if not key:
                continue
            self._outside_all.setdefault(key, (nis, name, region))
            if key not in self._official and key not in self._aliases:
                self._outside.setdefault(key, (nis, name, region))
        self._candidates = self._suggestion_candidates()

    def _suggestion_candidates(self) -> dict[str, str]:
        """Comparison key -> the text a suggestion shows: official names, and for an alias the name it stands
        for. A French name is compared but never offered: its Dutch name is."""
        candidates = {name_key(name): name for name in self.names.values()}
        for key, (codes, kind, alias) in self._aliases.items():
            if key in self._ambiguous or key in candidates:
                continue
            official = " + ".join(self.names.get(code, code) for code in codes)
            if kind == FRENCH:
                candidates[key] = official
            elif kind == MERGED_2025:
                candidates[key] = f"{alias} ({official})"
            else:  # a former name: the municipality it is part of now
                candidates[key] = f"{official} (vroeger {alias})"
        return candidates

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
        if key in self._outside:
            nis, name, region = self._outside[key]
            return NameMatch(query, (nis,), name, OUTSIDE_FLANDERS, region=region)
        suggestions = self.suggest(query)
        outside_score, outside = self._closest_outside(key)
        if outside is not None and outside_score > self.closest(query, SUGGESTION_CUTOFF)[0]:
            # "Brusel": it looks most like a municipality outside Flanders, not like any Flemish one.
            nis, name, region = outside
            return NameMatch(query, (), name, UNKNOWN, (), region=region)
        return NameMatch(query, (), None, UNKNOWN, suggestions)

    def _closest_outside(self, key: str) -> tuple[float, tuple[str, str, str] | None]:
        best, found = SUGGESTION_CUTOFF, None
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for candidate, entry in self._outside.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
                continue
            score = matcher.ratio()
            if score >= best and (found is None or score > best):
                best, found = score, entry
        return (best, found) if found is not None else (0.0, None)

    def knows(self, text) -> bool:
        """Whether `text` is a name this matcher recognises (official, alias or outside Flanders); no suggestions,
        so cheap enough to test every cell of a sheet."""
        key = name_key(text)
        return bool(key) and (key in self._official or key in self._aliases or key in self._ambiguous
                              or key in self._outside)

    def outside_namesake(self, text) -> tuple[str, str] | None:
        """(name, region) of a municipality outside Flanders with the same name as `text` (Saint-Nicolas is also
        a Walloon municipality), or None."""
        key = name_key(text)
        if key in self._outside_all:
            _, name, region = self._outside_all[key]
            return name, region
        return None

    def _similar(self, key: str, cutoff: float):
        """(similarity, candidate) of every known name at least `cutoff` alike to `key` (difflib's ratio of the
        normalised names; the quick upper bounds rule most names out by their length and letters)."""
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for candidate in self._candidates:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            score = matcher.ratio()
            if score >= cutoff:
                yield score, candidate

    def closest(self, text, cutoff: float = 0.0) -> tuple[float, str | None]:
        """The similarity (0-1) of `text` to the closest known name, and the name a suggestion would show;
        (0, None) when no name reaches `cutoff` (a higher cutoff is faster: most names are ruled out by length)."""
        # The first of equally close names wins, as the names are listed.
        best = max(self._similar(name_key(text), cutoff), key=lambda scored: scored[0], default=None)
        return (best[0], self._candidates[best[1]]) if best else (0.0, None)

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """Up to `limit` municipalities whose names look most like `text`, best first.

        Similarity is difflib's ratio (2 x matching characters / total length) between the normalised names, so
        "Sint-Niklas" ranks Sint-Niklaas first and a short, unrelated name with a few letters in common does not
        come up. Only names within a small margin of the best one are offered. A name cut short ("Heist-op") gets
        the names that start with it.
        """
        key = name_key(text)
        if not key:
            return ()
        scored = sorted((-score, candidate) for score, candidate in self._similar(key, SUGGESTION_CUTOFF))
        if scored:
            best = -scored[0][0]
            close = [candidate for score, candidate in scored if -score >= best - SUGGESTION_MARGIN]
        elif len(key) >= 3:  # a name cut short: "Heist-op" -> Heist-op-den-Berg
            close = sorted(candidate for candidate in self._candidates if candidate.startswith(key))
        else:
            close = []
        return tuple(dict.fromkeys(self._candidates[candidate] for candidate in close))[:limit]


# A suggestion must share most of its letters with what was typed (difflib ratio), and be nearly as close as the
# best one: "Gendt" -> Gent, not every name with a "g" and an "e".
SUGGESTION_CUTOFF = 0.72
SUGGESTION_MARGIN = 0.12


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
    old = load_municipalities("2019")
    new = load_municipalities("2025")
    to_2025 = successors()
    parts = parts_by_successor()
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
    return MunicipalityMatcher(names, aliases, municipalities_outside_flanders())


BRUSSELS_REGION = "het Brussels Hoofdstedelijk Gewest"
WALLOON_REGION = "het Waals Gewest"


@lru_cache(maxsize=1)
def municipalities_outside_flanders() -> tuple[tuple[str, str, str], ...]:
    """(name, NIS code, region) of every Brussels and Walloon municipality since 2009, Dutch and French names.

    From Statbel's population per municipality (the `population_parquet` source); the region follows from the
    NIS code (21xxx is Brussels), as everywhere in Regiekaart.
    """
    table = pd.read_parquet(fetch_path("population_parquet"), columns=["CD_REFNIS", "TX_DESCR_NL", "TX_DESCR_FR"])
    table["CD_REFNIS"] = table["CD_REFNIS"].map(normalise_nis)
    table = table[~table["CD_REFNIS"].map(is_flemish)].drop_duplicates()
    entries = []
    for row in table.itertuples():
        region = BRUSSELS_REGION if row.CD_REFNIS.startswith("21") else WALLOON_REGION
        for name in (row.TX_DESCR_NL, row.TX_DESCR_FR):
            if isinstance(name, str) and name.strip():
                entries.append((name.strip(), row.CD_REFNIS, region))
    return tuple(dict.fromkeys(entries))
