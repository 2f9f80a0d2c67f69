"""Partnership membership: the bundled reconstructed scheme, the official totals, and analysts' uploads.

The bundled scheme ``regie-2020-2025`` lives in ``geodata/data/regie-2020-2025/`` (see its README): project data
compiled from public sources, one row per (partnership, municipality) with source, evidence and confidence. It is
keyed on the 2019-2024 NIS codes and checked against that map whenever it is loaded.

An upload is one table, typed by an analyst or exported from another tool: at least a partnership column and a
municipality column (NIS code or name). :func:`read_membership_upload` never raises; it returns the scheme (or
None when anything is wrong) and a list of :class:`geodata.uploads.Problem` naming file, row and column.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata import names as name_matching
from geodata.municipalities import is_flemish, load_merger_table, load_municipalities
from geodata.uploads import ERROR, WARNING, Problem, has_errors
from geodata.vocabulary import SCHEME_LABELS, SCHEME_REGIE

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMES = {SCHEME_REGIE: DATA_DIR / "regie-2020-2025"}
SCHEME_SOURCE_NOTES = {SCHEME_REGIE: "Gereconstrueerd uit openbare bronnen (geodata/data/regie-2020-2025)"}
CONFIDENCES = ("confirmed", "suggestive")
# The Dutch word for each confidence, in every table, export and upload-format file.
CONFIDENCE_NL = {"confirmed": "bevestigd", "suggestive": "vermoedelijk"}

PARTNERSHIP_COLUMNS = ["partnership_id", "name", "legal_form", "centre_city_nis", "centre_city", "standalone",
                       "period", "confidence", "notes"]
MEMBERSHIP_COLUMNS = ["partnership_id", "nis", "municipality", "role", "source", "evidence", "confidence"]
NON_PARTICIPANT_COLUMNS = ["nis", "municipality", "source", "evidence"]

# The 13 Flemish centre cities (centrumsteden), on 2019-2024 codes.
CENTRE_CITIES = {
    "41002": "Aalst", "11002": "Antwerpen", "31005": "Brugge", "71016": "Genk", "44021": "Gent", "71022": "Hasselt",
    "34022": "Kortrijk", "24062": "Leuven", "12025": "Mechelen", "35013": "Oostende", "36015": "Roeselare",
    "46021": "Sint-Niklaas", "13040": "Turnhout",
}


def partnership_id_for(name: str) -> str:
    """The id of a partnership known only by its name (an upload, a list, a scenario edit): its slug, at most 60
    characters ("Regio Sint-Niklaas e.o." -> "regio-sint-niklaas-e-o")."""
    return name_matching.slug(name, max_length=60, default="verband")


class MembershipDataError(ValueError):
    """The bundled membership files are inconsistent (a bug in the project data, not a user error)."""


@dataclass(frozen=True)
class Scheme:
    """A membership scheme: partnerships, their members and the known non-participants, on the codes of one
    boundary version.

    The one type for every scheme: the bundled reconstruction (:func:`load_scheme`), the referentieregio's
    (:func:`analysis.scenario.scheme_from_regions`), an uploaded list (:class:`MembershipReader`) and a scenario
    (:mod:`analysis.scenario_edit`). ``label`` is how pages, maps and exports name it; ``source_note`` where it
    comes from; ``boundary_version`` the codes the memberships use ("2019" or "2025").
    """

    scheme_id: str
    label: str
    partnerships: pd.DataFrame
    memberships: pd.DataFrame
    non_participants: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NON_PARTICIPANT_COLUMNS))
    reconstructed: bool = False
    source_note: str = ""
    boundary_version: str = "2019"


# -------------------------------------------------------------------------------------------------------------
# Bundled scheme
# -------------------------------------------------------------------------------------------------------------

def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).map(str.strip)


@lru_cache(maxsize=4)
def _load_scheme(scheme_id: str) -> Scheme:
    if scheme_id not in SCHEMES:
        raise ValueError(f"Onbekend schema {scheme_id!r}; gekend: {', '.join(SCHEMES)}")
    folder = SCHEMES[scheme_id]
    partnerships = _read_csv(folder / "partnerships.csv")
    memberships = _read_csv(folder / "memberships.csv")
    non_participants = _read_csv(folder / "non_participants.csv")
    partnerships["standalone"] = partnerships["standalone"].map({"ja": True, "nee": False})
    for frame in (partnerships, memberships, non_participants):
        frame.replace("", None, inplace=True)
    scheme = Scheme(scheme_id, SCHEME_LABELS[scheme_id], partnerships[PARTNERSHIP_COLUMNS],
                    memberships[MEMBERSHIP_COLUMNS], non_participants[NON_PARTICIPANT_COLUMNS], reconstructed=True,
                    source_note=SCHEME_SOURCE_NOTES[scheme_id], boundary_version="2019")
    problems = check_scheme(scheme)
    if problems:
        raise MembershipDataError(f"{folder}: " + "; ".join(problems))
    return scheme


def load_scheme(scheme_id: str = "regie-2020-2025") -> Scheme:
    """The bundled scheme, validated against the 2019-2024 map (raises MembershipDataError if inconsistent)."""
    scheme = _load_scheme(scheme_id)
    return replace(scheme, partnerships=scheme.partnerships.copy(), memberships=scheme.memberships.copy(),
                   non_participants=scheme.non_participants.copy())


def check_scheme(scheme: Scheme) -> list[str]:
    """Consistency problems of a bundled scheme (empty when all is well).

    Checks: unique partnership ids; every membership refers to a known partnership; every NIS code is one of the
    300 municipalities of 2019-2024 and the municipality name is the map's name; confidence is confirmed or
    suggestive; no duplicate (partnership, municipality) rows; a standalone partnership has exactly one member,
    its centre city; a centre city named on a partnership is one of its members.
    """
    names = dict(zip(*load_municipalities("2019")[["nis", "name"]].to_numpy().T))
    problems = []
    partnerships, memberships = scheme.partnerships, scheme.memberships
    if partnerships["partnership_id"].duplicated().any():
        problems.append("dubbele partnership_id in partnerships.csv")
    unknown_ids = set(memberships["partnership_id"]) - set(partnerships["partnership_id"])
    if unknown_ids:
        problems.append(f"lidmaatschap van onbekende verbanden {sorted(unknown_ids)}")
    for frame, label in ((memberships, "memberships.csv"), (scheme.non_participants, "non_participants.csv")):
        for row in frame.itertuples():
            if row.nis not in names:
                problems.append(f"{label}: onbekende NIS-code {row.nis}")
            elif row.municipality != names[row.nis]:
                problems.append(f"{label}: {row.nis} heet {names[row.nis]!r}, niet {row.municipality!r}")
    bad_confidence = set(memberships["confidence"]) - set(CONFIDENCES)
    if bad_confidence:
        problems.append(f"onbekende betrouwbaarheid {sorted(map(str, bad_confidence))}")
    if memberships.duplicated(["partnership_id", "nis"]).any():
        problems.append("dubbele rijen (verband, gemeente) in memberships.csv")
    members = memberships.groupby("partnership_id")["nis"].agg(set)
    for row in partnerships.itertuples():
        own = members.get(row.partnership_id, set())
        if row.standalone and own != {row.centre_city_nis}:
            problems.append(f"{row.partnership_id}: een centrumstad alleen moet precies haar eigen gemeente bevatten")
        if pd.notna(row.centre_city_nis) and own and row.centre_city_nis not in own:
            problems.append(f"{row.partnership_id}: centrumstad {row.centre_city_nis} is geen lid")
    return problems


@lru_cache(maxsize=1)
def _official_totals() -> dict[str, dict]:
    table = _read_csv(SCHEMES["regie-2020-2025"] / "official_totals.csv")
    return {row.key: {"value": float(row.value) if "." in row.value else int(row.value), "unit": row.unit,
                      "label": row.label, "source": row.source, "note": row.note}
            for row in table.itertuples()}


def official_totals() -> dict[str, dict]:
    """Published aggregate facts of the 2020-2025 call: key -> {value, unit, label, source, note}.

    Keys matching :data:`analysis.coverage.KPI_DEFINITIONS` (partnerships, with_centre_city, standalone_cities,
    regie_entities, municipalities, total_municipalities, population_share) are shown beside the KPIs.
    """
    return {key: dict(item) for key, item in _official_totals().items()}


# -------------------------------------------------------------------------------------------------------------
# Uploads
# -------------------------------------------------------------------------------------------------------------

PARTNERSHIP_HEADERS = ("samenwerkingsverband", "verband", "regieverband", "partnership", "partnership_name",
                       "partnership_id", "naam verband", "regisseur", "samenwerking", "lokale regisseur",
                       "naam regisseur", "regisseurs", "samenwerkingsverbanden", "regierol", "naam samenwerkingsverband")
NIS_HEADERS = ("nis", "niscode", "nis-code", "nis code", "refnis", "code ins", "ins", "nis_2019", "gemeentecode")
# Headers of a column with one municipality per row, or several in one cell ("Beveren, Kruibeke en Temse").
NAME_HEADERS = ("gemeente", "gemeentenaam", "naam gemeente", "municipality", "naam", "lokaal bestuur", "bestuur",
                "gemeenten", "deelnemende gemeente", "deelnemende gemeenten", "leden", "lid", "lidgemeenten",
                "lidgemeente", "deelnemers", "deelnemende besturen", "lokale besturen", "municipalities", "members")
# Headers that name the members only: beside one of them, a 'naam' or 'lokaal bestuur' column is the regisseur.
LIST_HEADERS = NAME_HEADERS[7:]
REGISSEUR_FALLBACK_HEADERS = ("naam", "lokaal bestuur", "bestuur")
OPTIONAL_HEADERS = {
    "role": ("rol", "role", "functie"),
    "source": ("bron", "source", "bronnen", "url"),
    "evidence": ("toelichting", "evidence", "opmerking", "uitleg", "motivering", "opmerkingen"),
    "confidence": ("betrouwbaarheid", "confidence", "zekerheid", "status"),
    "legal_form": ("rechtsvorm", "legal_form", "vorm", "juridische vorm", "samenwerkingsvorm"),
    "centre": ("centrumstad", "centre_city", "centre city", "centrum stad", "met centrumstad"),
    "period": ("periode", "period", "looptijd", "beleidsperiode"),
}
CONFIDENCE_WORDS = {
    "confirmed": "confirmed", "bevestigd": "confirmed", "zeker": "confirmed", "ja": "confirmed",
    "suggestive": "suggestive", "vermoedelijk": "suggestive", "vermoed": "suggestive", "onzeker": "suggestive",
    "waarschijnlijk": "suggestive",
}
# A partnership cell with one of these words marks a municipality that (per the uploader) does not take part.
NOT_TAKING_PART = {"geen", "neemtnietdeel", "nietdeelnemend", "geendeelname", "nvt", "-"}
# A role cell with one of these words, on a row without municipality, marks a partnership that has no municipalities
# (yet): a scenario downloaded in the upload format keeps such partnerships this way. Without it, a row without
# municipality stays an error ("Gemeente is leeg"): an empty cell is more often a slip than an intention.
NO_MEMBERS_ROLE = "zonder gemeenten"
NO_MEMBERS_ROLES = {"zondergemeenten", "zonderleden", "geenleden", "geengemeenten"}
# A centre-city cell may say yes or no instead of naming the city.
YES_WORDS = {"ja", "j", "x", "yes", "waar", "true", "1"}
NO_WORDS = {"nee", "neen", "n", "no", "geen", "onwaar", "false", "0", "nvt", "-", "/"}
# The four legal forms of the published totals (key in official_totals.csv after "legal_form_").
LEGAL_FORMS = {
    "interlokale_vereniging": "interlokale vereniging",
    "projectvereniging": "projectvereniging",
    "dienstverlenende_vereniging": "dienstverlenende vereniging",
    "welzijnsvereniging": "welzijnsvereniging",
}
_LEGAL_FORM_WORDS = (("interlokal", "interlokale_vereniging"), ("ilv", "interlokale_vereniging"),
                     ("project", "projectvereniging"), ("dienstverlen", "dienstverlenende_vereniging"),
                     ("welzijn", "welzijnsvereniging"))

# Several municipalities in one cell or line: "Beveren, Kruibeke; Temse / Stekene | Zwijndrecht en Lokeren & X".
_MEMBER_SEPARATOR = re.compile(r"\s*(?:[,;/|\n\r•]|\s&\s|&|\s+en\s+|\s+and\s+)\s*", re.IGNORECASE)
_CODE_IN_BRACKETS = re.compile(r"\(\s*(\d[\d .]{3,7})\s*\)")


def legal_form_key(text) -> str | None:
    """The published legal form a text stands for ("Interlokale Vereniging", "ILV" -> interlokale_vereniging)."""
    key = name_matching.name_key(text or "")
    for word, form in _LEGAL_FORM_WORDS:
        if key == word or (len(word) > 3 and word in key):
            return form
    return None


def split_members(text: str) -> list[tuple[str, int]]:
    """The municipality names in one cell or line, each with its 0-based position in `text`.

    Separators: , ; / | line breaks, bullets, "en", "and" and "&". A trailing full stop is dropped.
    """
    parts, start = [], 0
    for match in list(_MEMBER_SEPARATOR.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        stripped = piece.strip().rstrip(".").strip()
        if stripped:
            parts.append((stripped, start + (len(piece) - len(piece.lstrip()))))
        if match:
            start = match.end()
    return parts


def _normalised_code(text: str) -> str | None:
    digits = text.replace(".", "").replace(" ", "")
    digits = digits.removesuffix(",0")
    return digits.zfill(5) if digits.isdigit() and len(digits) <= 5 else None


@dataclass(frozen=True)
class Cell:
    """A text from an upload and where it stands, as a problem names it (the row is the entry's)."""

    text: str
    column: str | None = None
    row: int | None = None  # when it stands on another row than its entry (a "Centrumstad: ..." line)


@dataclass(frozen=True)
class MemberEntry:
    """One row of a membership list in any shape: a partnership and the municipalities that row names.

    `names` may hold several municipalities ("Beveren, Kruibeke en Temse", "Aalst (41002)"); `codes` is a NIS
    code column. The other cells are optional and may be None.
    """

    row: int | None
    partnership: Cell
    names: Cell | None = None
    codes: Cell | None = None
    confidence: Cell | None = None
    source: Cell | None = None
    evidence: Cell | None = None
    role: Cell | None = None
    legal_form: Cell | None = None
    centre: Cell | None = None
    period: Cell | None = None


def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


class MembershipReader:
    """Turns the entries of one upload (any shape) into a Scheme, collecting problems instead of raising."""

    def __init__(self, file: str, municipalities: pd.DataFrame, merger_table: pd.DataFrame,
                 matcher: name_matching.MunicipalityMatcher):
        self.file = file
        self.problems: list[Problem] = []
        self.names = dict(zip(municipalities["nis"], municipalities["name"]))
        self.matcher = matcher
        self.parts_of_2025 = merger_table.groupby("nis_2025")["nis_2019"].agg(lambda c: tuple(sorted(c))).to_dict()

    def problem(self, severity, row, column, message, suggestion=""):
        self.problems.append(Problem(severity, self.file, row, column, message, suggestion))

    def knows(self, text: str) -> bool:
        """Whether a cell names municipalities only (every part a known name or code): cheap, no suggestions."""
        parts = split_members(text)
        return bool(parts) and all(self._known_part(part) for part, _ in parts)

    def _known_part(self, text: str) -> bool:
        code = _normalised_code(text)
        if code is not None:
            return code in self.names or code in self.parts_of_2025
        return self.matcher.knows(text)

    def read_entries(self, entries: list[MemberEntry]) -> Scheme | None:
        records, non_participants = [], []
        for entry in entries:
            row = entry.row
            partnership = entry.partnership.text
            if self.is_without_members(entry):
                records.append(self.partnership_record(entry, (), None, self.confidence(row, entry.confidence)))
                continue
            if not _text(entry.names) and not _text(entry.codes) and _text(entry.centre) and partnership:
                codes = self.centre_city_alone(entry)
            else:
                codes = self.municipality_codes(entry)
            if not partnership:
                self.problem(ERROR, row, entry.partnership.column, "Samenwerkingsverband is leeg.",
                             "Vul de naam van het verband in, of 'geen' als de gemeente niet deelneemt.")
                continue
            if codes is None:
                continue
            if name_matching.name_key(partnership) in NOT_TAKING_PART:
                source = _text(entry.source) or f"upload {self.file}" + (f", rij {row}" if row else "")
                evidence = _text(entry.evidence)
                non_participants += [{"nis": code, "municipality": self.names[code], "source": source,
                                      "evidence": evidence or None, "row": row} for code in codes]
                continue
            confidence = self.confidence(row, entry.confidence)
            for code in codes:
                records.append(self.partnership_record(entry, codes, code, confidence))
        if has_errors(self.problems):
            return None
        if not records and not non_participants:
            self.problem(ERROR, None, None, "Geen enkele bruikbare rij gevonden.", "Vul minstens één lid in.")
            return None
        scheme = self.build_scheme(pd.DataFrame(records), pd.DataFrame(non_participants))
        return None if has_errors(self.problems) else scheme

    @staticmethod
    def is_without_members(entry: MemberEntry) -> bool:
        """A row that names a partnership, no municipality and the role 'zonder gemeenten': a partnership without
        municipalities (``NO_MEMBERS_ROLES``)."""
        return bool(entry.partnership.text) and not _text(entry.names) and not _text(entry.codes) \
            and name_matching.name_key(_text(entry.role)) in NO_MEMBERS_ROLES \
            and name_matching.name_key(entry.partnership.text) not in NOT_TAKING_PART

    def partnership_record(self, entry: MemberEntry, codes: tuple[str, ...], code: str | None, confidence: str
                           ) -> dict:
        """The record of one membership `code` of a row naming `codes`; with code None, of a partnership without
        municipalities."""
        row, member = entry.row, code is not None
        return {"partnership_name": entry.partnership.text, "nis": code,
                "municipality": self.names[code] if member else None,
                "role": _text(entry.role) or "lid", "source": _text(entry.source) or f"upload {self.file}"
                + (f", rij {row}" if row else ""), "evidence": _text(entry.evidence) or None,
                "confidence": confidence, "legal_form": _text(entry.legal_form) or None,
                "legal_form_column": entry.legal_form.column if entry.legal_form else None,
                "centre": _text(entry.centre) or None,
                "centre_column": entry.centre.column if entry.centre else None,
                "centre_row": (entry.centre.row or row) if entry.centre else row,
                "row_codes": codes, "period": _text(entry.period) or None, "row": row, "member": member}

    def centre_city_alone(self, entry: MemberEntry) -> tuple[str, ...] | None:
        """A regisseur row without members whose centre-city cell names a city: that city alone."""
        match = self.matcher.match(entry.centre.text)
        if match.found and len(match.codes) == 1:
            self.problem(WARNING, entry.row, entry.centre.column,
                         f"'{entry.partnership.text}' heeft geen gemeenten in de lijst; de centrumstad {match.name} "
                         "is gelezen als enige lid (een centrumstad die de regierol alleen opneemt).", "")
            return match.codes
        return self.municipality_codes(entry)

    def municipality_codes(self, entry: MemberEntry) -> tuple[str, ...] | None:
        row = entry.row
        nis_text, name_text = _text(entry.codes), _text(entry.names)
        from_code = self.codes_from_nis(row, nis_text, entry.codes.column) if nis_text else None
        if nis_text and from_code is None:
            return None
        from_name = self.codes_from_names(row, name_text, entry.names.column) if name_text else None
        if name_text and from_name is None:
            return None
        if from_code is None and from_name is None:
            column = (entry.codes or entry.names).column if (entry.codes or entry.names) else None
            self.problem(ERROR, row, column, "Gemeente is leeg.", "Vul een NIS-code of gemeentenaam in.")
            return None
        if from_code is not None and from_name is not None and set(from_code) != set(from_name):
            self.problem(ERROR, row, entry.names.column,
                         f"NIS-code {nis_text} ({' + '.join(self.names[c] for c in from_code)}) en gemeentenaam "
                         f"'{name_text}' wijzen niet naar dezelfde gemeente.",
                         "Verbeter de code of de naam.")
            return None
        return from_code if from_code is not None else from_name

    def codes_from_nis(self, row, text, label) -> tuple[str, ...] | None:
        parts = [part for part, _ in split_members(text)] or [text]
        codes: list[str] = []
        for part in parts:
            found = self.codes_from_one_nis(row, part, label)
            if found is None:
                return None
            codes += [code for code in found if code not in codes]
        return tuple(codes)

    def codes_from_one_nis(self, row, text, label) -> tuple[str, ...] | None:
        code = _normalised_code(text)
        if code is None:
            self.problem(ERROR, row, label, f"'{text}' is geen NIS-code (vijf cijfers verwacht).",
                         "Gebruik de NIS-code (bv. 11002 voor Antwerpen) of een kolom 'gemeente'.")
            return None
        if code in self.names:
            return (code,)
        if code in self.parts_of_2025 and len(self.parts_of_2025[code]) > 1:
            parts = self.parts_of_2025[code]
            self.problem(WARNING, row, label,
                         f"{code} is een fusiegemeente van 2025; toegekend aan haar vroegere gemeenten "
                         f"{', '.join(self.names[p] for p in parts)}.", "")
            return parts
        if not is_flemish(code):
            self.problem(ERROR, row, label, f"NIS-code {code} is geen Vlaamse gemeente.",
                         "Regiekaart kent alleen de 300 Vlaamse gemeenten (2019-2024).")
            return None
        self.problem(ERROR, row, label, f"Onbekende NIS-code {code}.",
                     "Controleer de code; de lijst staat in het sjabloon (tabblad Gemeenten).")
        return None

    def codes_from_names(self, row, text, label) -> tuple[str, ...] | None:
        """The codes of every municipality named in a cell; None (with an error per bad name) if any is wrong."""
        codes: list[str] = []
        failed = False
        for part, _ in split_members(text):
            found = self.codes_from_name(row, part, label)
            if found is None:
                failed = True
                continue
            repeated = [code for code in found if code in codes]
            if repeated:
                self.problem(WARNING, row, label, f"{', '.join(self.names[c] for c in repeated)} staat twee keer in "
                                                  "deze cel; één keer gelezen.", "")
            codes += [code for code in found if code not in codes]
        if failed:
            return None
        if not codes:
            self.problem(ERROR, row, label, "Gemeente is leeg.", "Vul een NIS-code of gemeentenaam in.")
            return None
        return tuple(codes)

    def codes_from_name(self, row, text, label) -> tuple[str, ...] | None:
        code_match = _CODE_IN_BRACKETS.search(text)
        name_text = _CODE_IN_BRACKETS.sub(" ", text).strip() if code_match else text
        if code_match and not name_matching.name_key(name_text):  # "(41002)" alone
            return self.codes_from_one_nis(row, code_match.group(1), label)
        match = self.matcher.match(name_text)
        if match.kind == name_matching.OUTSIDE_FLANDERS:
            self.problem(ERROR, row, label,
                         f"'{text}' is een gemeente in {match.region}, buiten Vlaanderen.",
                         "Regiekaart kent alleen de 300 Vlaamse gemeenten (2019-2024); laat deze gemeente weg of "
                         "verbeter de naam.")
            return None
        if not match.found and match.region:
            self.problem(ERROR, row, label,
                         f"'{text}' is geen gekende Vlaamse gemeente; het lijkt op {match.name}, een gemeente in "
                         f"{match.region}, buiten Vlaanderen.",
                         "Regiekaart kent alleen de 300 Vlaamse gemeenten (2019-2024); laat deze gemeente weg of "
                         "verbeter de naam.")
            return None
        if not match.found:
            hint = f"Bedoelt u: {', '.join(match.suggestions)}?" if match.suggestions else \
                "Controleer de spelling of gebruik de NIS-code."
            what = "is niet eenduidig" if match.kind == name_matching.AMBIGUOUS else "is geen gekende Vlaamse gemeente"
            self.problem(ERROR, row, label, f"'{text}' {what}.", hint)
            return None
        if code_match:
            code = _normalised_code(code_match.group(1))
            from_code = (code,) if code in self.names else self.parts_of_2025.get(code)
            if from_code is None or set(from_code) != set(match.codes):
                where = f" ({' + '.join(self.names[c] for c in from_code)})" if from_code else ""
                self.problem(ERROR, row, label,
                             f"In '{text}' wijzen de NIS-code {code}{where} en de naam {name_text} niet naar "
                             "dezelfde gemeente.", "Verbeter de code of de naam.")
                return None
        if match.kind == name_matching.FORMER:
            self.problem(WARNING, row, label, f"'{text}' is sinds 2019 deel van {match.name}; zo gelezen.", "")
        elif match.kind == name_matching.FRENCH:
            namesake = self.matcher.outside_namesake(name_text)
            also = f" (er is ook een gemeente {namesake[0]} in {namesake[1]})" if namesake else ""
            self.problem(WARNING, row, label, f"'{text}' is Frans; gelezen als {match.name}{also}.", "")
        elif match.kind == name_matching.MERGED_2025:
            self.problem(WARNING, row, label, f"'{text}' is een fusiegemeente van 2025; toegekend aan haar vroegere "
                                              f"gemeenten {match.name}.", "")
        return match.codes

    def confidence(self, row, cell: Cell | None) -> str:
        text = _text(cell)
        if not text:
            return "confirmed"
        value = CONFIDENCE_WORDS.get(name_matching.name_key(text))
        if value is None:
            self.problem(ERROR, row, cell.column, f"Onbekende betrouwbaarheid '{text}'.",
                         "Gebruik 'bevestigd' of 'vermoedelijk' (leeg = bevestigd).")
            return "confirmed"
        return value

    def build_scheme(self, records: pd.DataFrame, non_participants: pd.DataFrame) -> Scheme:
        memberships, partnerships = self.partnerships_and_memberships(records)
        if len(non_participants):
            clash = non_participants[non_participants["nis"].isin(set(memberships["nis"]))] if len(memberships) \
                else non_participants.iloc[0:0]
            for item in clash.itertuples():
                self.problem(WARNING, item.row, None, f"{item.municipality} staat als 'neemt niet deel' én als lid "
                                                      "van een verband; beide blijven zichtbaar.", "")
            duplicated = non_participants.duplicated("nis")
            non_participants = non_participants[~duplicated].drop(columns="row")
        else:
            non_participants = pd.DataFrame(columns=NON_PARTICIPANT_COLUMNS)
        return Scheme(f"upload:{self.file}", self.file, partnerships, memberships,
                      non_participants.reindex(columns=NON_PARTICIPANT_COLUMNS), source_note=self.file,
                      boundary_version="2019")

    def partnerships_and_memberships(self, records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        if records.empty:
            return (pd.DataFrame(columns=MEMBERSHIP_COLUMNS), pd.DataFrame(columns=PARTNERSHIP_COLUMNS))
        # The same partnership written differently ("Midwest", "MIDWEST ") is one partnership.
        records["key"] = records["partnership_name"].map(name_matching.name_key)
        display = records.groupby("key", sort=False)["partnership_name"].first()
        ids: dict[str, str] = {}
        for key, label in display.items():
            base = partnership_id_for(label)
            candidate, n = base, 2
            while candidate in ids.values():
                candidate, n = f"{base}-{n}", n + 1
            ids[key] = candidate
        records["partnership_id"] = records["key"].map(ids)
        duplicated = records["member"] & records.duplicated(["partnership_id", "nis"])
        for item in records[duplicated].itertuples():
            first = records[(records["partnership_id"] == item.partnership_id) & (records["nis"] == item.nis)].iloc[0]
            same_row = first["row"] == item.row
            self.problem(WARNING, item.row, None,
                         f"{item.municipality} staat twee keer in '{item.partnership_name}'"
                         + ("" if same_row else f" (ook rij {first['row']})") + "; de dubbele vermelding is genegeerd.",
                         "")
        unique = records[~duplicated & records["member"]]
        for nis, group in unique.groupby("nis"):
            if group["partnership_id"].nunique() > 1:
                self.problem(WARNING, int(group["row"].iloc[-1]) if pd.notna(group["row"].iloc[-1]) else None, None,
                             f"{group['municipality'].iloc[0]} staat in {group['partnership_id'].nunique()} verbanden "
                             f"({', '.join(group['partnership_name'])}); dat wordt als overlapping getoond.", "")
        partnerships = []
        for pid, group in records.groupby("partnership_id", sort=False):
            members = set(group.loc[group["member"], "nis"])
            name = group["partnership_name"].iloc[0]
            centre = self.centre_city(name, members, group)
            partnerships.append({
                "partnership_id": pid, "name": name,
                "legal_form": self.single_value(name, group, "legal_form", "rechtsvorm"),
                "centre_city_nis": centre, "centre_city": CENTRE_CITIES.get(centre),
                "standalone": members == {centre}, "period": self.single_value(name, group, "period", "periode"),
                "confidence": "confirmed" if group["confidence"].eq("confirmed").all() else "suggestive",
                "notes": f"upload {self.file}",
            })
        frame = pd.DataFrame(partnerships, columns=PARTNERSHIP_COLUMNS).astype(object)
        # Missing stays None, as in the bundled scheme (not NaN, which a column of text would otherwise get).
        return unique[MEMBERSHIP_COLUMNS].reset_index(drop=True), frame.where(frame.notna(), None)

    def single_value(self, name: str, group: pd.DataFrame, column: str, label: str) -> str | None:
        """One value of an attribute of a partnership (legal form, period); a second, different one is reported."""
        values = group[[column, "row"]].dropna(subset=[column]).drop_duplicates(column)
        if values.empty:
            return None
        if column == "legal_form":
            keys = {legal_form_key(value) or name_matching.name_key(value) for value in values[column]}
            distinct = len(keys) > 1
        else:
            distinct = len(values) > 1
        if distinct:
            second = values.iloc[1]
            self.problem(WARNING, second["row"], None,
                         f"'{name}' heeft meer dan één {label} ({', '.join(map(str, values[column]))}); "
                         f"'{values[column].iloc[0]}' is gebruikt.", "Laat één waarde staan.")
        value = values[column].iloc[0]
        if column == "legal_form" and legal_form_key(value):
            return LEGAL_FORMS[legal_form_key(value)]
        return value

    def centre_city(self, name: str, members: set[str], group: pd.DataFrame) -> str | None:
        """The partnership's centre city: the one of its members that is a centre city (one definition, as for
        the bundled data). A centre-city column, when the list has one, is read and checked against it."""
        cities = [code for code in sorted(members) if code in CENTRE_CITIES]
        named: list[str] = []
        for item in group.dropna(subset=["centre"]).drop_duplicates(["centre", "centre_row"]).itertuples():
            item = item._replace(row=item.centre_row)
            row_cities = [code for code in item.row_codes if code in CENTRE_CITIES]
            key = name_matching.name_key(item.centre)
            if key in YES_WORDS:
                if not row_cities:
                    self.problem(WARNING, item.row, item.centre_column,
                                 f"'{name}': de lijst zegt 'centrumstad {item.centre}', maar "
                                 f"{', '.join(self.names[c] for c in item.row_codes)} is geen centrumstad.",
                                 f"De 13 centrumsteden: {', '.join(sorted(CENTRE_CITIES.values()))}.")
                named += [code for code in row_cities if code not in named]
                continue
            if key in NO_WORDS or not key:
                if row_cities and len(item.row_codes) == 1:
                    self.problem(WARNING, item.row, item.centre_column,
                                 f"'{name}': de lijst zegt '{item.centre}' bij centrumstad, maar "
                                 f"{CENTRE_CITIES[row_cities[0]]} is een centrumstad; ze telt als centrumstad van het "
                                 "verband.", "")
                elif row_cities:
                    self.problem(WARNING, item.row, item.centre_column,
                                 f"'{name}' heeft volgens de lijst geen centrumstad, maar "
                                 f"{', '.join(CENTRE_CITIES[c] for c in row_cities)} is lid; het verband telt als "
                                 "verband met een centrumstad.", "")
                continue
            match = self.matcher.match(item.centre)
            if not match.found or len(match.codes) != 1:
                self.problem(WARNING, item.row, item.centre_column,
                             f"Centrumstad '{item.centre}' van '{name}' is niet herkend; de centrumstad volgt uit de "
                             "leden.", "Vul de naam van de centrumstad in, of ja/nee.")
                continue
            code = match.codes[0]
            if code not in CENTRE_CITIES:
                self.problem(WARNING, item.row, item.centre_column,
                             f"{match.name} (centrumstad van '{name}' volgens de lijst) is geen van de 13 "
                             "centrumsteden; niet als centrumstad geteld.",
                             f"De 13 centrumsteden: {', '.join(sorted(CENTRE_CITIES.values()))}.")
            elif code not in members:
                self.problem(WARNING, item.row, item.centre_column,
                             f"Centrumstad {match.name} staat niet bij de gemeenten van '{name}'.",
                             f"Voeg {match.name} toe aan de gemeenten, of verbeter de centrumstad.")
            elif code not in named:
                named.append(code)
        chosen = [code for code in named if code in cities]
        centre = chosen[0] if chosen else (cities[0] if cities else None)
        if len(cities) > 1:
            self.problem(WARNING, int(group["row"].iloc[0]) if pd.notna(group["row"].iloc[0]) else None, None,
                         f"'{name}' bevat meer dan één centrumstad "
                         f"({', '.join(CENTRE_CITIES[c] for c in cities)}); {CENTRE_CITIES[centre]} telt als "
                         "centrumstad van het verband.", "")
        return centre


def membership_reader(filename: str, municipalities: pd.DataFrame | None = None,
                      merger_table: pd.DataFrame | None = None) -> MembershipReader:
    """A reader for one upload, on the 2019-2024 municipalities and the 2025 merger table."""
    if municipalities is None or merger_table is None:
        municipalities = load_municipalities("2019") if municipalities is None else municipalities
        merger_table = load_merger_table() if merger_table is None else merger_table
    return MembershipReader(filename, municipalities, merger_table, name_matching.matcher_for_version("2019"))


# -------------------------------------------------------------------------------------------------------------
# Templates
# -------------------------------------------------------------------------------------------------------------

TEMPLATE_SHEET = "Lidmaatschap"
TEMPLATE_COLUMNS = ["samenwerkingsverband", "nis", "gemeente", "rol", "bron", "betrouwbaarheid", "toelichting"]
TEMPLATE_EXAMPLE = [
    ["Voorbeeldverband Noord", "11002", "Antwerpen", "centrumstad", "https://www.voorbeeld.be/regie", "bevestigd",
     "Voorbeeldrij: vervang door uw eigen gegevens"],
    ["Voorbeeldverband Noord", "", "Schoten", "lid", "", "vermoedelijk", "NIS-code of naam volstaat"],
    ["geen", "", "Zoersel", "", "https://www.voorbeeld.be/besluit", "bevestigd", "'geen' = neemt niet deel"],
]
TEMPLATE_HELP = [
    ("samenwerkingsverband", "verplicht", "naam van het verband; 'geen' als een bron zegt dat de gemeente niet deelneemt"),
    ("nis", "nis of gemeente", "NIS-code 2019-2024 (5 cijfers); een fusiecode van 2025 geldt voor haar vroegere gemeenten"),
    ("gemeente", "nis of gemeente", "gemeentenaam; hoofdletters, accenten, 'St.' en namen van vóór een fusie mogen"),
    ("rol", "optioneel", "bv. lid, centrumstad, beherende gemeente; 'zonder gemeenten' (gemeente leeg) voor een verband "
            "zonder gemeenten"),
    ("bron", "optioneel", "URL of document"),
    ("betrouwbaarheid", "optioneel", "bevestigd of vermoedelijk (leeg = bevestigd)"),
    ("toelichting", "optioneel", "vrije tekst"),
]


def membership_template_csv() -> bytes:
    """The upload template as CSV: UTF-8 with BOM and ';' as Belgian Excel expects."""
    buffer = io.StringIO()
    pd.DataFrame(TEMPLATE_EXAMPLE, columns=TEMPLATE_COLUMNS).to_csv(buffer, sep=";", index=False, lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def membership_template_xlsx() -> bytes:
    """The upload template as XLSX: the table, an explanation sheet and the list of municipalities."""
    municipalities = load_municipalities("2019")[["nis", "name", "province"]].rename(
        columns={"name": "gemeente", "province": "provincie"})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(TEMPLATE_EXAMPLE, columns=TEMPLATE_COLUMNS).to_excel(writer, sheet_name=TEMPLATE_SHEET, index=False)
        pd.DataFrame(TEMPLATE_HELP, columns=["kolom", "verplicht", "uitleg"]).to_excel(writer, sheet_name="Uitleg",
                                                                                     index=False)
        municipalities.to_excel(writer, sheet_name="Gemeenten", index=False)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(70, width + 2)
    return buffer.getvalue()


# -------------------------------------------------------------------------------------------------------------
# A scheme in the upload format (a scenario downloaded to edit elsewhere and load again)
# -------------------------------------------------------------------------------------------------------------

UPLOAD_FORMAT_COLUMNS = TEMPLATE_COLUMNS + ["rechtsvorm"]


def _cell(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def membership_upload_table(partnerships: pd.DataFrame, memberships: pd.DataFrame,
                            non_participants: pd.DataFrame) -> pd.DataFrame:
    """A scheme as a table in the upload format (:data:`UPLOAD_FORMAT_COLUMNS`, every cell text): one row per
    membership with the partnership's name and legal form, and a row 'geen' per municipality that does not take
    part, and a row with the role 'zonder gemeenten' (``NO_MEMBERS_ROLE``) and no municipality per partnership without
    municipalities. :func:`geodata.official_list.read_membership_upload` reads it back (a 2025 code stands for its
    former municipalities)."""
    names = {pid: _cell(name) or pid for pid, name in zip(partnerships["partnership_id"], partnerships["name"])}
    forms = dict(zip(partnerships["partnership_id"], partnerships["legal_form"].map(_cell)))
    rows = [[names.get(pid, _cell(pid)), _cell(nis), _cell(municipality), _cell(role), _cell(source),
             CONFIDENCE_NL.get(_cell(confidence), ""), _cell(evidence), forms.get(pid, "")]
            for pid, nis, municipality, role, source, evidence, confidence in zip(
                memberships["partnership_id"], memberships["nis"], memberships["municipality"], memberships["role"],
                memberships["source"], memberships["evidence"], memberships["confidence"])]
    # Before the 'geen' rows: a reader takes a row after the last municipality for a note under the table.
    with_members = set(memberships["partnership_id"])
    rows += [[names[pid], "", "", NO_MEMBERS_ROLE, "", "", "", forms.get(pid, "")]
             for pid in partnerships["partnership_id"] if pid not in with_members]
    rows += [["geen", _cell(nis), _cell(municipality), "", _cell(source), "", _cell(evidence), ""]
             for nis, municipality, source, evidence in zip(non_participants["nis"], non_participants["municipality"],
                                                             non_participants["source"], non_participants["evidence"])]
    return pd.DataFrame(rows, columns=UPLOAD_FORMAT_COLUMNS, dtype=object)

