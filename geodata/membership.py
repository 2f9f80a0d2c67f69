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
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata import names as name_matching
from geodata.municipalities import is_flemish
from geodata.uploads import (
    ERROR,
    WARNING,
    Problem,
    UploadTable,
    cell_text,
    column_letter,
    find_column,
    has_errors,
    read_upload_table,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMES = {"regie-2020-2025": DATA_DIR / "regie-2020-2025"}
CONFIDENCES = ("confirmed", "suggestive")

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


class MembershipDataError(ValueError):
    """The bundled membership files are inconsistent (a bug in the project data, not a user error)."""


@dataclass(frozen=True)
class Scheme:
    """Partnerships, their members and the known non-participants of one scheme (2019-2024 codes)."""

    scheme_id: str
    partnerships: pd.DataFrame
    memberships: pd.DataFrame
    non_participants: pd.DataFrame


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
    scheme = Scheme(scheme_id, partnerships[PARTNERSHIP_COLUMNS], memberships[MEMBERSHIP_COLUMNS],
                    non_participants[NON_PARTICIPANT_COLUMNS])
    problems = check_scheme(scheme)
    if problems:
        raise MembershipDataError(f"{folder}: " + "; ".join(problems))
    return scheme


def load_scheme(scheme_id: str = "regie-2020-2025") -> Scheme:
    """The bundled scheme, validated against the 2019-2024 map (raises MembershipDataError if inconsistent)."""
    scheme = _load_scheme(scheme_id)
    return Scheme(scheme.scheme_id, scheme.partnerships.copy(), scheme.memberships.copy(),
                  scheme.non_participants.copy())


def check_scheme(scheme: Scheme) -> list[str]:
    """Consistency problems of a bundled scheme (empty when all is well).

    Checks: unique partnership ids; every membership refers to a known partnership; every NIS code is one of the
    300 municipalities of 2019-2024 and the municipality name is the map's name; confidence is confirmed or
    suggestive; no duplicate (partnership, municipality) rows; a standalone partnership has exactly one member,
    its centre city; a centre city named on a partnership is one of its members.
    """
    from geodata.municipalities import load_municipalities

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
                       "partnership_id", "naam verband", "regisseur", "samenwerking")
NIS_HEADERS = ("nis", "niscode", "nis-code", "nis code", "refnis", "code ins", "ins", "nis_2019", "gemeentecode")
NAME_HEADERS = ("gemeente", "gemeentenaam", "naam gemeente", "municipality", "naam", "lokaal bestuur", "bestuur")
OPTIONAL_HEADERS = {
    "role": ("rol", "role", "functie"),
    "source": ("bron", "source", "bronnen", "url"),
    "evidence": ("toelichting", "evidence", "opmerking", "uitleg", "motivering"),
    "confidence": ("betrouwbaarheid", "confidence", "zekerheid", "status"),
    "legal_form": ("rechtsvorm", "legal_form", "vorm"),
}
CONFIDENCE_WORDS = {
    "confirmed": "confirmed", "bevestigd": "confirmed", "zeker": "confirmed", "ja": "confirmed",
    "suggestive": "suggestive", "vermoedelijk": "suggestive", "vermoed": "suggestive", "onzeker": "suggestive",
    "waarschijnlijk": "suggestive",
}
# A partnership cell with one of these words marks a municipality that (per the uploader) does not take part.
NOT_TAKING_PART = {"geen", "neemtnietdeel", "nietdeelnemend", "geendeelname", "nvt", "-"}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "verband"


def _normalised_code(text: str) -> str | None:
    digits = text.replace(".", "").replace(" ", "")
    digits = digits.removesuffix(",0")
    return digits.zfill(5) if digits.isdigit() and len(digits) <= 5 else None


class _MembershipReader:
    """Turns one upload table into a Scheme, collecting problems instead of raising."""

    def __init__(self, table: UploadTable, municipalities: pd.DataFrame, merger_table: pd.DataFrame,
                 matcher: name_matching.MunicipalityMatcher):
        self.table = table
        self.file = table.file
        self.problems: list[Problem] = []
        self.names = dict(zip(municipalities["nis"], municipalities["name"]))
        self.matcher = matcher
        self.parts_of_2025 = merger_table.groupby("nis_2025")["nis_2019"].agg(lambda c: tuple(sorted(c))).to_dict()

    def problem(self, severity, row, column, message, suggestion=""):
        self.problems.append(Problem(severity, self.file, row, column, message, suggestion))

    def column_label(self, column: str) -> str:
        position = list(self.table.frame.columns).index(column)
        return f"{column_letter(position)} ({column})"

    def read(self) -> Scheme | None:
        frame = self.table.frame
        columns = list(frame.columns)
        partnership_column = find_column(columns, PARTNERSHIP_HEADERS)
        nis_column = find_column(columns, NIS_HEADERS)
        name_column = find_column(columns, NAME_HEADERS)
        if partnership_column is None or (nis_column is None and name_column is None):
            missing = []
            if partnership_column is None:
                missing.append("een kolom met het samenwerkingsverband (bv. 'samenwerkingsverband')")
            if nis_column is None and name_column is None:
                missing.append("een kolom met de gemeente ('gemeente' of 'nis')")
            self.problem(ERROR, int(frame.index[0]) - 1 if len(frame) else 1, None,
                         f"Verplichte kolommen ontbreken: {' en '.join(missing)}. Gevonden kolommen: "
                         f"{', '.join(columns) or 'geen'}.",
                         "Gebruik het sjabloon, of twee kolommen 'gemeente;samenwerkingsverband'.")
            return None
        if frame.empty:
            self.problem(ERROR, None, None, "Het bestand heeft een kopregel maar geen gegevens.",
                         "Vul minstens één rij in.")
            return None
        optional = {key: find_column(columns, headers) for key, headers in OPTIONAL_HEADERS.items()}
        records, non_participants = [], []
        for index, values in frame.iterrows():
            row = int(index)
            partnership = cell_text(values[partnership_column])
            codes = self.municipality_codes(row, values, nis_column, name_column)
            if not partnership:
                self.problem(ERROR, row, self.column_label(partnership_column), "Samenwerkingsverband is leeg.",
                             "Vul de naam van het verband in, of 'geen' als de gemeente niet deelneemt.")
                continue
            if codes is None:
                continue
            confidence = self.confidence(row, values, optional["confidence"])
            source = cell_text(values[optional["source"]]) if optional["source"] else ""
            evidence = cell_text(values[optional["evidence"]]) if optional["evidence"] else ""
            source = source or f"upload {self.file}, rij {row}"
            if name_matching.name_key(partnership) in NOT_TAKING_PART:
                non_participants += [{"nis": code, "municipality": self.names[code], "source": source,
                                      "evidence": evidence or None, "row": row} for code in codes]
                continue
            role = cell_text(values[optional["role"]]) if optional["role"] else ""
            legal_form = cell_text(values[optional["legal_form"]]) if optional["legal_form"] else ""
            for code in codes:
                records.append({"partnership_name": partnership, "nis": code, "municipality": self.names[code],
                                "role": role or "lid", "source": source, "evidence": evidence or None,
                                "confidence": confidence, "legal_form": legal_form or None, "row": row})
        if has_errors(self.problems):
            return None
        if not records and not non_participants:
            self.problem(ERROR, None, None, "Geen enkele bruikbare rij gevonden.", "Vul minstens één lid in.")
            return None
        return self.build_scheme(pd.DataFrame(records), pd.DataFrame(non_participants))

    def municipality_codes(self, row, values, nis_column, name_column) -> tuple[str, ...] | None:
        nis_text = cell_text(values[nis_column]) if nis_column else ""
        name_text = cell_text(values[name_column]) if name_column else ""
        from_code = self.codes_from_nis(row, nis_text, nis_column) if nis_text else None
        if nis_text and from_code is None:
            return None
        from_name = self.codes_from_name(row, name_text, name_column) if name_text else None
        if name_text and from_name is None:
            return None
        if from_code is None and from_name is None:
            column = self.column_label(nis_column or name_column)
            self.problem(ERROR, row, column, "Gemeente is leeg.", "Vul een NIS-code of gemeentenaam in.")
            return None
        if from_code is not None and from_name is not None and set(from_code) != set(from_name):
            self.problem(ERROR, row, self.column_label(name_column),
                         f"NIS-code {nis_text} ({' + '.join(self.names[c] for c in from_code)}) en gemeentenaam "
                         f"'{name_text}' wijzen niet naar dezelfde gemeente.",
                         "Verbeter de code of de naam.")
            return None
        return from_code if from_code is not None else from_name

    def codes_from_nis(self, row, text, column) -> tuple[str, ...] | None:
        code = _normalised_code(text)
        label = self.column_label(column)
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

    def codes_from_name(self, row, text, column) -> tuple[str, ...] | None:
        match = self.matcher.match(text)
        label = self.column_label(column)
        if not match.found:
            hint = f"Bedoelt u: {', '.join(match.suggestions)}?" if match.suggestions else \
                "Controleer de spelling of gebruik de NIS-code."
            what = "is niet eenduidig" if match.kind == name_matching.AMBIGUOUS else "is geen gekende Vlaamse gemeente"
            self.problem(ERROR, row, label, f"'{text}' {what}.", hint)
            return None
        if match.kind == name_matching.FORMER:
            self.problem(WARNING, row, label, f"'{text}' is sinds 2019 deel van {match.name}; zo gelezen.", "")
        elif match.kind == name_matching.FRENCH:
            self.problem(WARNING, row, label, f"'{text}' gelezen als {match.name}.", "")
        elif match.kind == name_matching.MERGED_2025:
            self.problem(WARNING, row, label, f"'{text}' is een fusiegemeente van 2025; toegekend aan haar vroegere "
                                              f"gemeenten {match.name}.", "")
        return match.codes

    def confidence(self, row, values, column) -> str:
        if column is None:
            return "confirmed"
        text = cell_text(values[column])
        if not text:
            return "confirmed"
        value = CONFIDENCE_WORDS.get(name_matching.name_key(text))
        if value is None:
            self.problem(ERROR, row, self.column_label(column), f"Onbekende betrouwbaarheid '{text}'.",
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
        return Scheme(f"upload:{self.file}", partnerships, memberships,
                      non_participants.reindex(columns=NON_PARTICIPANT_COLUMNS))

    def partnerships_and_memberships(self, records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        if records.empty:
            return (pd.DataFrame(columns=MEMBERSHIP_COLUMNS), pd.DataFrame(columns=PARTNERSHIP_COLUMNS))
        # The same partnership written differently ("Midwest", "MIDWEST ") is one partnership.
        records["key"] = records["partnership_name"].map(name_matching.name_key)
        display = records.groupby("key", sort=False)["partnership_name"].first()
        ids: dict[str, str] = {}
        for key, label in display.items():
            base = _slug(label)
            candidate, n = base, 2
            while candidate in ids.values():
                candidate, n = f"{base}-{n}", n + 1
            ids[key] = candidate
        records["partnership_id"] = records["key"].map(ids)
        duplicated = records.duplicated(["partnership_id", "nis"])
        for item in records[duplicated].itertuples():
            first = records[(records["partnership_id"] == item.partnership_id) & (records["nis"] == item.nis)].iloc[0]
            self.problem(WARNING, item.row, None,
                         f"{item.municipality} staat twee keer in '{item.partnership_name}' (ook rij {first['row']}); "
                         "de dubbele rij is genegeerd.", "")
        records = records[~duplicated]
        for nis, group in records.groupby("nis"):
            if group["partnership_id"].nunique() > 1:
                self.problem(WARNING, int(group["row"].iloc[-1]), None,
                             f"{group['municipality'].iloc[0]} staat in {group['partnership_id'].nunique()} verbanden "
                             f"({', '.join(group['partnership_name'])}); dat wordt als overlapping getoond.", "")
        partnerships = []
        for pid, group in records.groupby("partnership_id", sort=False):
            members = set(group["nis"])
            cities = [code for code in sorted(members) if code in CENTRE_CITIES]
            if len(cities) > 1:
                self.problem(WARNING, int(group["row"].iloc[0]), None,
                             f"'{group['partnership_name'].iloc[0]}' bevat meer dan één centrumstad "
                             f"({', '.join(CENTRE_CITIES[c] for c in cities)}); {CENTRE_CITIES[cities[0]]} telt als "
                             "centrumstad van het verband.", "")
            centre = cities[0] if cities else None
            partnerships.append({
                "partnership_id": pid, "name": group["partnership_name"].iloc[0],
                "legal_form": group["legal_form"].dropna().iloc[0] if group["legal_form"].notna().any() else None,
                "centre_city_nis": centre, "centre_city": CENTRE_CITIES.get(centre),
                "standalone": members == {centre}, "period": None,
                "confidence": "confirmed" if group["confidence"].eq("confirmed").all() else "suggestive",
                "notes": f"upload {self.file}",
            })
        return (records[MEMBERSHIP_COLUMNS].reset_index(drop=True),
                pd.DataFrame(partnerships, columns=PARTNERSHIP_COLUMNS))


def read_membership_upload(data: bytes, filename: str, municipalities: pd.DataFrame | None = None,
                           merger_table: pd.DataFrame | None = None) -> tuple[Scheme | None, list[Problem]]:
    """Read an uploaded membership table (CSV or XLSX) into a Scheme on 2019-2024 codes.

    Accepted columns (names compared without case, accents or punctuation): a partnership column
    ('samenwerkingsverband', 'verband', ...), and a NIS-code column ('nis', ...) and/or a municipality name
    column ('gemeente', ...); optional 'rol', 'bron', 'toelichting', 'betrouwbaarheid' (bevestigd/vermoedelijk,
    empty = bevestigd), 'rechtsvorm'. A partnership cell 'geen' marks a known non-participant. Centre cities and
    standalone cities are recognised from the members. Returns (None, problems) when any problem is an error.
    """
    filename = str(filename or "upload")
    try:
        table, problems = read_upload_table(data, filename, preferred_sheet=TEMPLATE_SHEET)
        if table is None:
            return None, problems
        if municipalities is None or merger_table is None:
            from geodata.municipalities import load_merger_table, load_municipalities

            municipalities = load_municipalities("2019") if municipalities is None else municipalities
            merger_table = load_merger_table() if merger_table is None else merger_table
        reader = _MembershipReader(table, municipalities, merger_table, name_matching.matcher_for_version("2019"))
        scheme = reader.read()
        problems = problems + reader.problems
        return (None if has_errors(problems) else scheme), problems
    except Exception as error:  # a bug must still reach the user as a message, never as a traceback
        return None, [Problem(ERROR, filename, None, None,
                              f"Het bestand kon niet verwerkt worden ({type(error).__name__}).",
                              "Controleer het formaat of gebruik het sjabloon.")]


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
    ("rol", "optioneel", "bv. lid, centrumstad, beherende gemeente"),
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
    from geodata.municipalities import load_municipalities

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
CONFIDENCE_NL = {"confirmed": "bevestigd", "suggestive": "vermoedelijk"}


def _cell(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def membership_upload_table(partnerships: pd.DataFrame, memberships: pd.DataFrame,
                            non_participants: pd.DataFrame) -> pd.DataFrame:
    """A scheme as a table in the upload format (:data:`UPLOAD_FORMAT_COLUMNS`, every cell text): one row per
    membership with the partnership's name and legal form, and a row 'geen' per municipality that does not take
    part. :func:`read_membership_upload` reads it back (a 2025 code stands for its former municipalities)."""
    names = {pid: _cell(name) or pid for pid, name in zip(partnerships["partnership_id"], partnerships["name"])}
    forms = dict(zip(partnerships["partnership_id"], partnerships["legal_form"].map(_cell)))
    rows = [[names.get(pid, _cell(pid)), _cell(nis), _cell(municipality), _cell(role), _cell(source),
             CONFIDENCE_NL.get(_cell(confidence), ""), _cell(evidence), forms.get(pid, "")]
            for pid, nis, municipality, role, source, evidence, confidence in zip(
                memberships["partnership_id"], memberships["nis"], memberships["municipality"], memberships["role"],
                memberships["source"], memberships["evidence"], memberships["confidence"])]
    rows += [["geen", _cell(nis), _cell(municipality), "", _cell(source), "", _cell(evidence), ""]
             for nis, municipality, source, evidence in zip(non_participants["nis"], non_participants["municipality"],
                                                             non_participants["source"], non_participants["evidence"])]
    return pd.DataFrame(rows, columns=UPLOAD_FORMAT_COLUMNS, dtype=object)

