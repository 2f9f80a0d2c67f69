"""Editing a membership scenario: an immutable model of an analyst's edits on a scheme, with undo and the list of
differences from where the scenario started.

A :class:`Scenario` is a :class:`StartingPoint` (the reconstruction, the reconstruction projected onto the 2025
map with its merger conflicts, the referentieregio's, an uploaded scheme, or nothing; on one boundary version),
the scheme the edits were applied to (the starting scheme, or a saved version that was opened), and the history
of edits. ``scenario.apply(edit)`` returns a new scenario; nothing is changed in place, so a page can keep the
previous one. The current scheme is an ordinary :class:`geodata.membership.Scheme` on the starting point's
map: ``analysis.datasets.build_view(scenario.scheme, version)`` gives its KPIs, overlaps, gaps and profiles.

Edits are small frozen dataclasses that carry everything they need (codes and ids, never table positions), so
replaying the history on the same scheme always gives the same result; undo replays the edits it keeps from the
last checkpoint (a copy of the scheme kept every :data:`UNDO_CHECKPOINT_EVERY` edits).
Every edit checks its input and raises :class:`EditError` with a Dutch message (an unknown municipality or
partnership, a duplicate name, a centre city that is not a member); the scenario is then unchanged.

Rows that an edit adds say where they come from: source "scenario" and a Dutch evidence text, confidence
"confirmed" (a planned membership is counted as a member). A municipality leaving a partnership it was the
centre city of leaves that partnership without centre city. ``standalone`` (a centre city on its own) is
recomputed for every partnership an edit touches: its only member is its centre city.

The conversion to and from the plain data of :mod:`geodata.scenario_store` is here too
(:func:`stored_scheme`, :func:`scheme_from_stored`, :func:`scenario_content`, :func:`scenario_from_content`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.formatting import is_missing
from geodata.membership import (
    MEMBERSHIP_COLUMNS,
    NON_PARTICIPANT_COLUMNS,
    PARTNERSHIP_COLUMNS,
    Scheme,
    partnership_id_for,
)
from geodata.names import name_key
from geodata.scenario_store import ScenarioContent, ScenarioStart, StoredScheme
from geodata.vocabulary import MAP_LABELS_NL, SCHEME_REFREG

SCENARIO_SCHEME_ID = "scenario"
SCENARIO_SOURCE = "scenario"
MAX_PARTNERSHIP_NAME_CHARS = 200

START_RECONSTRUCTION = "reconstructie"
START_REFERENCE_REGIONS = SCHEME_REFREG
START_UPLOAD = "upload"
START_EMPTY = "leeg"
START_LABELS_NL = {
    START_RECONSTRUCTION: "de reconstructie 2020-2025",
    START_REFERENCE_REGIONS: "de referentieregio's",
    START_UPLOAD: "een upload",
    START_EMPTY: "een lege kaart",
}
CONFLICT_COLUMNS = ["nis_2025", "name_2025", "description"]
MUNICIPALITY_DIFFERENCE_COLUMNS = ["nis", "municipality", "before", "after", "description"]
PARTNERSHIP_DIFFERENCE_COLUMNS = ["partnership_id", "name", "change", "members_added", "members_removed",
                                  "description"]
NEW, DELETED, CHANGED = "nieuw", "verwijderd", "gewijzigd"


class EditError(ValueError):
    """An edit that cannot be applied; ``str(error)`` is a Dutch message for the user."""


# -------------------------------------------------------------------------------------------------------------
# Frames
# -------------------------------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A cell as a plain Python value: None for any missing value, numpy scalars as Python numbers/bools."""
    if is_missing(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _frame(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame with exactly ``columns``, object dtype and missing values as None."""
    records = [[_plain(row.get(column)) for column in columns] for row in rows]
    return pd.DataFrame(records, columns=columns, dtype=object) if records else \
        pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


def _records(frame: pd.DataFrame | None, columns: list[str]) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    data = {column: frame[column].tolist() if column in frame.columns else [None] * len(frame) for column in columns}
    return [{column: _plain(values[i]) for column, values in data.items()} for i in range(len(frame))]


def _nis_text(value: Any) -> Any:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):05d}"
    return value


def normalised_scheme(scheme: Scheme) -> Scheme:
    """The scheme with exactly the standard columns (object dtype, missing values as None, NIS codes as text):
    the form the edits, the differences and the store work on. Columns derived by a projection onto 2025
    (``former_nis``, ``covered_population_share``, ...) are dropped: they describe the projection, and
    :func:`analysis.mergers.merger_conflicts` keeps what matters of them."""
    partnerships = _records(scheme.partnerships, PARTNERSHIP_COLUMNS)
    memberships = _records(scheme.memberships, MEMBERSHIP_COLUMNS)
    non_participants = _records(scheme.non_participants, NON_PARTICIPANT_COLUMNS)
    for row in partnerships:
        row["centre_city_nis"] = _nis_text(row["centre_city_nis"])
        if row["standalone"] is not None:
            row["standalone"] = bool(row["standalone"])
    for row in memberships + non_participants:
        row["nis"] = _nis_text(row["nis"])
    return replace(scheme, partnerships=_frame(partnerships, PARTNERSHIP_COLUMNS),
                   memberships=_frame(memberships, MEMBERSHIP_COLUMNS),
                   non_participants=_frame(non_participants, NON_PARTICIPANT_COLUMNS))


def empty_scheme(version: str) -> Scheme:
    """A scheme without partnerships or non-participants on a boundary version."""
    return Scheme(SCENARIO_SCHEME_ID, "Leeg scenario", _frame([], PARTNERSHIP_COLUMNS),
                  _frame([], MEMBERSHIP_COLUMNS), _frame([], NON_PARTICIPANT_COLUMNS),
                  reconstructed=False, source_note="", boundary_version=version)


# -------------------------------------------------------------------------------------------------------------
# Conversion to and from the store's plain data
# -------------------------------------------------------------------------------------------------------------

def stored_scheme(scheme: Scheme) -> StoredScheme:
    """The scheme as plain data for :mod:`geodata.scenario_store` (the standard columns, see
    :func:`normalised_scheme`); :func:`scheme_from_stored` gives it back."""
    def rows(frame, columns):
        return tuple(_records(frame, columns))

    normal = normalised_scheme(scheme)
    return StoredScheme(scheme_id=scheme.scheme_id, label=scheme.label, boundary_version=scheme.boundary_version,
                        partnerships=rows(normal.partnerships, PARTNERSHIP_COLUMNS),
                        memberships=rows(normal.memberships, MEMBERSHIP_COLUMNS),
                        non_participants=rows(normal.non_participants, NON_PARTICIPANT_COLUMNS),
                        reconstructed=bool(scheme.reconstructed), source_note=scheme.source_note or "")


def scheme_from_stored(stored: StoredScheme) -> Scheme:
    """The Scheme of stored plain data (normalised: the same frames as :func:`normalised_scheme`)."""
    return Scheme(stored.scheme_id, stored.label, _frame(stored.partnerships, PARTNERSHIP_COLUMNS),
                  _frame(stored.memberships, MEMBERSHIP_COLUMNS),
                  _frame(stored.non_participants, NON_PARTICIPANT_COLUMNS),
                  reconstructed=stored.reconstructed, source_note=stored.source_note,
                  boundary_version=stored.boundary_version)


# -------------------------------------------------------------------------------------------------------------
# Small helpers
# -------------------------------------------------------------------------------------------------------------

def _listing(names: list[str], limit: int = 5) -> str:
    """'A, B en C' (at most ``limit`` names, then 'en N andere')."""
    names = list(names)
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" en {len(names) - limit} andere"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]


def _partnership_names(scheme: Scheme) -> dict[str, str]:
    frame = scheme.partnerships
    return {pid: (name if isinstance(name, str) and name else pid)
            for pid, name in zip(frame["partnership_id"].tolist(), frame["name"].tolist())}


def _municipality(names: Mapping[str, str], nis: str) -> str:
    return names.get(nis, nis)


def _check_municipality(nis: Any, names: Mapping[str, str], version: str) -> str:
    code = _nis_text(nis)
    if not isinstance(code, str) or code not in names:
        raise EditError(f"'{nis}' is geen gemeente van {MAP_LABELS_NL.get(version, version)}.")
    return code


def _check_partnership(scheme: Scheme, pid: Any) -> str:
    if not isinstance(pid, str) or pid not in set(scheme.partnerships["partnership_id"].tolist()):
        raise EditError(f"Onbekend samenwerkingsverband '{pid}'.")
    return pid


def _check_name(scheme: Scheme, name: Any, except_pid: str | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise EditError("Geef het samenwerkingsverband een naam.")
    name = " ".join(name.split())
    if len(name) > MAX_PARTNERSHIP_NAME_CHARS:
        raise EditError(f"De naam is langer dan {MAX_PARTNERSHIP_NAME_CHARS} tekens.")
    for pid, other in _partnership_names(scheme).items():
        if pid != except_pid and name_key(other) == name_key(name):
            raise EditError(f"Er is al een samenwerkingsverband met de naam '{other}'.")
    return name


def new_partnership_id(scheme: Scheme, name: str) -> str:
    """An id for a new partnership called ``name`` that the scheme does not use yet ("scenario-<name>")."""
    taken = set(scheme.partnerships["partnership_id"].tolist())
    base = f"scenario-{partnership_id_for(name)}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _membership_row(pid: str, nis: str, names: Mapping[str, str]) -> dict[str, Any]:
    return {"partnership_id": pid, "nis": nis, "municipality": _municipality(names, nis), "role": "lid",
            "source": SCENARIO_SOURCE, "evidence": "toegewezen in het scenario", "confidence": "confirmed"}


def _non_participant_row(nis: str, names: Mapping[str, str]) -> dict[str, Any]:
    return {"nis": nis, "municipality": _municipality(names, nis), "source": SCENARIO_SOURCE,
            "evidence": "neemt niet deel volgens het scenario"}


def _append(frame: pd.DataFrame, rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    if not rows:
        return frame
    added = _frame(rows, columns)
    return added if frame.empty else pd.concat([frame, added], ignore_index=True)


def _set_partnership(partnerships: pd.DataFrame, pid: str, **values: Any) -> pd.DataFrame:
    result = partnerships.copy()
    row = result.index[result["partnership_id"] == pid]
    for column, value in values.items():
        result[column] = result[column].astype(object)
        for index in row:
            result.at[index, column] = value
    return result


def _refresh_standalone(scheme: Scheme, pids: Iterable[str]) -> Scheme:
    """``standalone`` of the given partnerships from their members: only their centre city."""
    pids = set(pids)
    if not pids:
        return scheme
    members: dict[str, set[str]] = {}
    for pid, nis in zip(scheme.memberships["partnership_id"].tolist(), scheme.memberships["nis"].tolist()):
        members.setdefault(pid, set()).add(nis)
    partnerships = scheme.partnerships.copy()
    partnerships["standalone"] = partnerships["standalone"].astype(object)
    for index, pid, centre in zip(partnerships.index, partnerships["partnership_id"].tolist(),
                                  partnerships["centre_city_nis"].tolist()):
        if pid in pids:
            partnerships.at[index, "standalone"] = (not is_missing(centre)) and members.get(pid, set()) == {centre}
    return replace(scheme, partnerships=partnerships)


def _remove_memberships(scheme: Scheme, codes: set[str], pid: str | None = None) -> tuple[Scheme, set[str]]:
    """The scheme without the memberships of ``codes`` (in ``pid`` only, or in every partnership), a centre city
    among them cleared from the partnership it leaves; also the partnerships touched."""
    memberships = scheme.memberships
    nis = memberships["nis"].tolist()
    pids = memberships["partnership_id"].tolist()
    leaving = [code in codes and (pid is None or owner == pid) for code, owner in zip(nis, pids)]
    touched = {owner for owner, gone in zip(pids, leaving) if gone}
    if not touched:
        return scheme, set()
    partnerships = scheme.partnerships
    for owner, centre in zip(partnerships["partnership_id"].tolist(), partnerships["centre_city_nis"].tolist()):
        if owner in touched and centre in codes:
            partnerships = _set_partnership(partnerships, owner, centre_city_nis=None, centre_city=None)
    kept = memberships[[not gone for gone in leaving]].reset_index(drop=True)
    return replace(scheme, memberships=kept, partnerships=partnerships), touched


def _remove_non_participants(scheme: Scheme, codes: set[str]) -> Scheme:
    frame = scheme.non_participants
    keep = [code not in codes for code in frame["nis"].tolist()]
    if all(keep):
        return scheme
    return replace(scheme, non_participants=frame[keep].reset_index(drop=True))


def _assign(scheme: Scheme, codes: list[str], pid: str, names: Mapping[str, str],
            keep_other_partnerships: bool = False) -> Scheme:
    """Make ``codes`` members of ``pid`` (leaving every other partnership unless kept) and not non-participants.
    A membership row that already exists for (pid, nis) is kept as it is, with its source."""
    code_set = set(codes)
    touched = {pid}
    if not keep_other_partnerships:
        others = {p for p in scheme.partnerships["partnership_id"].tolist() if p != pid}
        for other in others:
            scheme, left = _remove_memberships(scheme, code_set, other)
            touched |= left
    scheme = _remove_non_participants(scheme, code_set)
    present = {nis for owner, nis in zip(scheme.memberships["partnership_id"].tolist(),
                                         scheme.memberships["nis"].tolist()) if owner == pid}
    added = [_membership_row(pid, code, names) for code in dict.fromkeys(codes) if code not in present]
    scheme = replace(scheme, memberships=_append(scheme.memberships, added, MEMBERSHIP_COLUMNS))
    return _refresh_standalone(scheme, touched)


def _member_codes(scheme: Scheme, pid: str) -> list[str]:
    return [nis for owner, nis in zip(scheme.memberships["partnership_id"].tolist(),
                                      scheme.memberships["nis"].tolist()) if owner == pid]


def _partnerships_of(scheme: Scheme, nis: str) -> list[str]:
    return list(dict.fromkeys(owner for owner, code in zip(scheme.memberships["partnership_id"].tolist(),
                                                           scheme.memberships["nis"].tolist()) if code == nis))


def _members_text(codes: Iterable[str], names: Mapping[str, str]) -> str:
    return _listing(sorted((_municipality(names, c) for c in codes), key=name_key))


# -------------------------------------------------------------------------------------------------------------
# Edits
# -------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """One edit. ``apply`` returns the new scheme and a Dutch description of what changed."""

    def apply(self, scheme: Scheme, names: Mapping[str, str]) -> tuple[Scheme, str]:
        raise NotImplementedError

    @property
    def municipalities(self) -> tuple[str, ...]:
        """The municipalities this edit decides about (a merger conflict about one of them counts as resolved)."""
        return ()


@dataclass(frozen=True)
class Assign(Edit):
    """Make a municipality a member of a partnership (and of no other, unless ``keep_other_partnerships``)."""

    nis: str
    partnership_id: str
    keep_other_partnerships: bool = False

    def apply(self, scheme, names):
        nis = _check_municipality(self.nis, names, scheme.boundary_version)
        pid = _check_partnership(scheme, self.partnership_id)
        partnership_names = _partnership_names(scheme)
        before = [p for p in _partnerships_of(scheme, nis) if p != pid]
        was_non_participant = nis in set(scheme.non_participants["nis"].tolist())
        result = _assign(scheme, [nis], pid, names, self.keep_other_partnerships)
        text = f"{_municipality(names, nis)} toegewezen aan {partnership_names[pid]}"
        if before and self.keep_other_partnerships:
            text += f" (blijft ook in {_listing([partnership_names[p] for p in before])})"
        elif before:
            text += f" (was: {_listing([partnership_names[p] for p in before])})"
        elif was_non_participant:
            text += " (was: neemt niet deel)"
        return result, text

    @property
    def municipalities(self):
        return (self.nis,)


@dataclass(frozen=True)
class MarkNonParticipant(Edit):
    """The municipality takes part in no partnership ("neemt niet deel")."""

    nis: str

    def apply(self, scheme, names):
        nis = _check_municipality(self.nis, names, scheme.boundary_version)
        partnership_names = _partnership_names(scheme)
        result, left = _remove_memberships(scheme, {nis})
        if nis not in set(result.non_participants["nis"].tolist()):
            result = replace(result, non_participants=_append(result.non_participants,
                                                              [_non_participant_row(nis, names)],
                                                              NON_PARTICIPANT_COLUMNS))
        result = _refresh_standalone(result, left)
        text = f"{_municipality(names, nis)}: neemt niet deel"
        if left:
            text += f" (was: {_listing(sorted(partnership_names[p] for p in left))})"
        return result, text

    @property
    def municipalities(self):
        return (self.nis,)


@dataclass(frozen=True)
class Unassign(Edit):
    """Take a municipality out of one partnership, or (``partnership_id`` None) out of every partnership and the
    non-participants: its status becomes unknown."""

    nis: str
    partnership_id: str | None = None

    def apply(self, scheme, names):
        nis = _check_municipality(self.nis, names, scheme.boundary_version)
        partnership_names = _partnership_names(scheme)
        if self.partnership_id is not None:
            pid = _check_partnership(scheme, self.partnership_id)
            if pid not in _partnerships_of(scheme, nis):
                raise EditError(f"{_municipality(names, nis)} is geen lid van {partnership_names[pid]}.")
            result, left = _remove_memberships(scheme, {nis}, pid)
            return _refresh_standalone(result, left), f"{_municipality(names, nis)} uit {partnership_names[pid]} gehaald"
        result, left = _remove_memberships(scheme, {nis})
        result = _refresh_standalone(_remove_non_participants(result, {nis}), left)
        return result, f"{_municipality(names, nis)}: geen toewijzing meer (onbekend)"

    @property
    def municipalities(self):
        return (self.nis,)


@dataclass(frozen=True)
class CreatePartnership(Edit):
    """A new partnership, optionally with members (who leave their other partnerships) and a legal form.

    ``partnership_id`` must be new; :func:`new_partnership_id` (or :meth:`Scenario.new_partnership_id`) makes one.
    """

    partnership_id: str
    name: str
    legal_form: str | None = None
    members: tuple[str, ...] = ()

    def apply(self, scheme, names):
        pid = self.partnership_id
        if not isinstance(pid, str) or not pid.strip():
            raise EditError("Een nieuw samenwerkingsverband heeft een code nodig.")
        if pid in set(scheme.partnerships["partnership_id"].tolist()):
            raise EditError(f"De code '{pid}' is al in gebruik.")
        name = _check_name(scheme, self.name)
        codes = [_check_municipality(code, names, scheme.boundary_version) for code in self.members]
        row = {"partnership_id": pid, "name": name, "legal_form": _text_or_none(self.legal_form),
               "centre_city_nis": None, "centre_city": None, "standalone": False, "period": "scenario",
               "confidence": "confirmed", "notes": "aangemaakt in het scenario"}
        result = replace(scheme, partnerships=_append(scheme.partnerships, [row], PARTNERSHIP_COLUMNS))
        text = f"Nieuw samenwerkingsverband {name}"
        if codes:
            result = _assign(result, codes, pid, names)
            text += f" met {_members_text(codes, names)}"
        return result, text

    @property
    def municipalities(self):
        return tuple(self.members)


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise EditError("Een rechtsvorm is tekst.")
    return " ".join(value.split())


@dataclass(frozen=True)
class RenamePartnership(Edit):
    partnership_id: str
    name: str

    def apply(self, scheme, names):
        pid = _check_partnership(scheme, self.partnership_id)
        old = _partnership_names(scheme)[pid]
        name = _check_name(scheme, self.name, except_pid=pid)
        return (replace(scheme, partnerships=_set_partnership(scheme.partnerships, pid, name=name)),
                f"{old} hernoemd tot {name}")


@dataclass(frozen=True)
class DeletePartnership(Edit):
    """Remove a partnership; its members that are in no other partnership become unknown."""

    partnership_id: str

    def apply(self, scheme, names):
        pid = _check_partnership(scheme, self.partnership_id)
        name = _partnership_names(scheme)[pid]
        members = _member_codes(scheme, pid)
        memberships = scheme.memberships[scheme.memberships["partnership_id"] != pid].reset_index(drop=True)
        partnerships = scheme.partnerships[scheme.partnerships["partnership_id"] != pid].reset_index(drop=True)
        result = replace(scheme, memberships=memberships, partnerships=partnerships)
        text = f"Samenwerkingsverband {name} verwijderd"
        if members:
            text += f" ({len(members)} {'gemeente' if len(members) == 1 else 'gemeenten'}: " \
                    f"{_members_text(members, names)})"
        return result, text


@dataclass(frozen=True)
class SetCentreCity(Edit):
    """Set (or with ``nis`` None clear) a partnership's centre city; it must be one of its members."""

    partnership_id: str
    nis: str | None

    def apply(self, scheme, names):
        pid = _check_partnership(scheme, self.partnership_id)
        partnership = _partnership_names(scheme)[pid]
        if self.nis is None:
            result = replace(scheme, partnerships=_set_partnership(scheme.partnerships, pid, centre_city_nis=None,
                                                                   centre_city=None))
            return _refresh_standalone(result, {pid}), f"{partnership}: geen centrumstad meer"
        nis = _check_municipality(self.nis, names, scheme.boundary_version)
        if nis not in _member_codes(scheme, pid):
            raise EditError(f"{_municipality(names, nis)} is geen lid van {partnership}; wijs de gemeente eerst toe.")
        result = replace(scheme, partnerships=_set_partnership(scheme.partnerships, pid, centre_city_nis=nis,
                                                               centre_city=_municipality(names, nis)))
        return _refresh_standalone(result, {pid}), f"Centrumstad van {partnership}: {_municipality(names, nis)}"


@dataclass(frozen=True)
class SetLegalForm(Edit):
    """Set (or with None clear) a partnership's legal form (free text, e.g. "welzijnsvereniging")."""

    partnership_id: str
    legal_form: str | None

    def apply(self, scheme, names):
        pid = _check_partnership(scheme, self.partnership_id)
        value = _text_or_none(self.legal_form)
        result = replace(scheme, partnerships=_set_partnership(scheme.partnerships, pid, legal_form=value))
        return result, f"Rechtsvorm van {_partnership_names(scheme)[pid]}: {value or 'onbekend'}"


@dataclass(frozen=True)
class AssignCluster(Edit):
    """Assign every municipality of a gap cluster (a row of ``view.clusters``) to one partnership in one edit."""

    cluster_id: str
    members: tuple[str, ...]
    partnership_id: str

    @classmethod
    def from_cluster(cls, cluster: Mapping[str, Any] | pd.Series, partnership_id: str) -> AssignCluster:
        return cls(str(cluster["cluster_id"]), tuple(cluster["members"]), partnership_id)

    def apply(self, scheme, names):
        if not self.members:
            raise EditError(f"Cluster {self.cluster_id} heeft geen gemeenten.")
        codes = [_check_municipality(code, names, scheme.boundary_version) for code in self.members]
        pid = _check_partnership(scheme, self.partnership_id)
        result = _assign(scheme, codes, pid, names)
        return result, (f"Hiaat {self.cluster_id} ({len(codes)} gemeenten: {_members_text(codes, names)}) "
                        f"toegewezen aan {_partnership_names(scheme)[pid]}")

    @property
    def municipalities(self):
        return tuple(self.members)


@dataclass(frozen=True)
class AcceptCandidate(Edit):
    """Accept a proposal of the gap analysis (a row of ``view.candidates``): its municipality or cluster joins the
    bordering partnership."""

    unit_id: str
    members: tuple[str, ...]
    partnership_id: str

    @classmethod
    def from_candidate(cls, candidate: Mapping[str, Any] | pd.Series) -> AcceptCandidate:
        pid = candidate["partnership_id"]
        if is_missing(pid):
            raise EditError(f"Voor {_listing(list(candidate['member_names']))} grenst geen enkel samenwerkingsverband; "
                            "er is niets voorgesteld.")
        return cls(str(candidate["unit_id"]), tuple(candidate["members"]), str(pid))

    def apply(self, scheme, names):
        if not self.members:
            raise EditError("Het voorstel heeft geen gemeenten.")
        codes = [_check_municipality(code, names, scheme.boundary_version) for code in self.members]
        pid = _check_partnership(scheme, self.partnership_id)
        result = _assign(scheme, codes, pid, names)
        return result, f"Voorstel aanvaard: {_members_text(codes, names)} bij {_partnership_names(scheme)[pid]}"

    @property
    def municipalities(self):
        return tuple(self.members)


@dataclass(frozen=True)
class KeepProjection(Edit):
    """Resolve a merger conflict by keeping the projected memberships of the merged municipality as they are."""

    nis: str

    def apply(self, scheme, names):
        nis = _check_municipality(self.nis, names, scheme.boundary_version)
        return scheme, f"Fusie {_municipality(names, nis)}: projectie behouden"

    @property
    def municipalities(self):
        return (self.nis,)


# -------------------------------------------------------------------------------------------------------------
# Starting points and scenarios
# -------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class StartingPoint:
    """Where a scenario starts: ``kind`` (one of START_LABELS_NL), a Dutch label, the scheme (normalised, on the
    codes of its boundary version), the names of every municipality on that map (nis -> name) and the merger
    conflicts to resolve (columns at least nis_2025, name_2025, description; empty unless a 2019-2024 scheme was
    projected onto the 2025 map)."""

    kind: str
    label: str
    scheme: Scheme
    names: Mapping[str, str]
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONFLICT_COLUMNS))

    @property
    def boundary_version(self) -> str:
        return self.scheme.boundary_version


def starting_point(kind: str, scheme: Scheme | None, names: Mapping[str, str], version: str,
                   conflicts: pd.DataFrame | None = None, label: str | None = None) -> StartingPoint:
    """A starting point from a scheme already on the codes of ``version`` (None for an empty start).

    ``analysis.datasets.scenario_starting_point`` loads the bundled ones and projects onto 2025.
    """
    if kind not in START_LABELS_NL:
        raise EditError(f"Onbekend vertrekpunt '{kind}'; kies uit {', '.join(START_LABELS_NL)}.")
    if version not in MAP_LABELS_NL:
        raise EditError(f"Onbekende grensversie '{version}'.")
    if scheme is None:
        scheme = empty_scheme(version)
    if scheme.boundary_version != version:
        raise EditError(f"Het vertrekpunt gebruikt de codes van {scheme.boundary_version}, niet van {version}.")
    if conflicts is None:
        conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
    label = label or f"{START_LABELS_NL[kind][0].upper()}{START_LABELS_NL[kind][1:]}, {MAP_LABELS_NL[version]}"
    return StartingPoint(kind, label, normalised_scheme(scheme), dict(names), conflicts.reset_index(drop=True))


# Undo replays the edits after the last checkpoint: a copy of the scheme kept after every so many edits, so an
# undo costs at most that many edits however long the history (bench figure scenario_edit).
UNDO_CHECKPOINT_EVERY = 5


@dataclass(frozen=True)
class AppliedEdit:
    edit: Edit
    description: str
    checkpoint: Scheme | None = field(default=None, compare=False, repr=False)  # the scheme after this edit


@dataclass(frozen=True, eq=False)
class Scenario:
    """A starting point, the scheme the edits start from (``base``), the edits and the current ``scheme``.

    Make one with :func:`new_scenario` (or :func:`scenario_from_content` for a saved version).
    """

    start: StartingPoint
    base: Scheme
    scheme: Scheme
    history: tuple[AppliedEdit, ...] = ()
    base_resolved: frozenset[str] = frozenset()

    @property
    def boundary_version(self) -> str:
        return self.start.boundary_version

    @property
    def names(self) -> Mapping[str, str]:
        return self.start.names

    def apply(self, edit: Edit) -> Scenario:
        """The scenario after ``edit`` (EditError when it cannot be applied; this scenario stays as it is)."""
        scheme, description = edit.apply(self.scheme, self.names)
        checkpoint = scheme if (len(self.history) + 1) % UNDO_CHECKPOINT_EVERY == 0 else None
        return replace(self, scheme=scheme, history=self.history + (AppliedEdit(edit, description, checkpoint),))

    def apply_all(self, edits: Iterable[Edit]) -> Scenario:
        scenario = self
        for edit in edits:
            scenario = scenario.apply(edit)
        return scenario

    @property
    def can_undo(self) -> bool:
        return bool(self.history)

    def undo(self, steps: int = 1) -> Scenario:
        """The scenario without its last ``steps`` edits: the edits kept are replayed from the last checkpoint
        among them (or from ``base``)."""
        if steps < 1:
            return self
        if steps > len(self.history):
            raise EditError("Er is niets meer ongedaan te maken." if not self.history else
                            f"Er zijn maar {len(self.history)} bewerkingen om ongedaan te maken.")
        kept = self.history[:-steps]
        last = max((i for i, applied in enumerate(kept) if applied.checkpoint is not None), default=-1)
        scheme = self.base if last < 0 else kept[last].checkpoint
        fresh = replace(self, scheme=scheme, history=kept[:last + 1])
        return fresh.apply_all(applied.edit for applied in kept[last + 1:])

    def descriptions(self) -> list[str]:
        """The Dutch description of every edit, oldest first."""
        return [applied.description for applied in self.history]

    def new_partnership_id(self, name: str) -> str:
        return new_partnership_id(self.scheme, name)

    # -- merger conflicts ------------------------------------------------------------------------------------

    @property
    def resolved_conflicts(self) -> frozenset[str]:
        """2025 codes of the conflicts dealt with: decided in an edit, or before the version was saved."""
        touched = {code for applied in self.history for code in applied.edit.municipalities}
        conflicts = set(self.start.conflicts["nis_2025"].tolist()) if len(self.start.conflicts) else set()
        return frozenset(self.base_resolved | (touched & conflicts))

    def conflicts(self) -> pd.DataFrame:
        """The merger conflicts of the starting point with a column ``resolved``."""
        table = self.start.conflicts.copy()
        table["resolved"] = table["nis_2025"].isin(self.resolved_conflicts) if len(table) else pd.Series(dtype=bool)
        return table

    def open_conflicts(self) -> pd.DataFrame:
        """The merger conflicts still to resolve (assign, mark or keep the merged municipality)."""
        table = self.conflicts()
        # Columns chosen by a list: DataFrame.drop on the Arrow-string column index took about 0.13 s.
        columns = [column for column in table.columns if column != "resolved"]
        return table.loc[~table["resolved"].astype(bool), columns].reset_index(drop=True)

    # -- differences -----------------------------------------------------------------------------------------

    def municipality_differences(self) -> pd.DataFrame:
        return municipality_differences(self.start.scheme, self.scheme, self.names)

    def partnership_differences(self) -> pd.DataFrame:
        return partnership_differences(self.start.scheme, self.scheme, self.names)


def new_scenario(start: StartingPoint, label: str | None = None) -> Scenario:
    """A scenario at its starting point: the starting scheme under the id "scenario"."""
    scheme = replace(start.scheme, scheme_id=SCENARIO_SCHEME_ID, label=label or f"Scenario op basis van {start.label}",
                     source_note=f"Scenario, vertrokken van {start.label}")
    return Scenario(start, scheme, scheme)


# -------------------------------------------------------------------------------------------------------------
# Differences
# -------------------------------------------------------------------------------------------------------------

def _state_of(scheme: Scheme) -> tuple[dict[str, frozenset[str]], set[str]]:
    partnerships: dict[str, set[str]] = {}
    for pid, nis in zip(scheme.memberships["partnership_id"].tolist(), scheme.memberships["nis"].tolist()):
        partnerships.setdefault(nis, set()).add(pid)
    return ({nis: frozenset(pids) for nis, pids in partnerships.items()},
            set(scheme.non_participants["nis"].tolist()))


def _state_text(pids: frozenset[str], non_participant: bool, partnership_names: Mapping[str, str]) -> str:
    if pids:
        text = " + ".join(sorted((partnership_names.get(p, p) for p in pids), key=name_key))
        return text + (" (ook: neemt niet deel)" if non_participant else "")
    return "neemt niet deel" if non_participant else "onbekend"


def municipality_differences(start: Scheme, scheme: Scheme, names: Mapping[str, str]) -> pd.DataFrame:
    """Municipalities whose partnerships or non-participation differ between ``start`` and ``scheme``.

    Columns: nis, municipality, before, after (Dutch: partnership names joined with " + ", "neemt niet deel" or
    "onbekend") and description ("Borsbeek: onbekend → Verband Antwerpen"); sorted by municipality name.
    """
    before_ids, before_np = _state_of(start)
    after_ids, after_np = _state_of(scheme)
    before_names, after_names = _partnership_names(start), _partnership_names(scheme)
    codes = set(before_ids) | set(after_ids) | before_np | after_np
    rows = []
    for nis in codes:
        old = (before_ids.get(nis, frozenset()), nis in before_np)
        new = (after_ids.get(nis, frozenset()), nis in after_np)
        if old == new:
            continue
        before = _state_text(old[0], old[1], before_names)
        after = _state_text(new[0], new[1], after_names)
        name = _municipality(names, nis)
        rows.append({"nis": nis, "municipality": name, "before": before, "after": after,
                     "description": f"{name}: {before} → {after}"})
    rows.sort(key=lambda row: (name_key(row["municipality"]), row["nis"]))
    return pd.DataFrame(rows, columns=MUNICIPALITY_DIFFERENCE_COLUMNS)


def _yes_no(value: Any) -> str:
    return "ja" if value is True else "nee" if value is False else "onbekend"


def partnership_differences(start: Scheme, scheme: Scheme, names: Mapping[str, str]) -> pd.DataFrame:
    """Partnerships that are new, deleted or changed (name, members, centre city, legal form, stand-alone).

    Columns: partnership_id, name (the current name, or the last one of a deleted partnership), change
    ("nieuw", "verwijderd", "gewijzigd"), members_added and members_removed (tuples of NIS codes) and a Dutch
    description; sorted by name.
    """
    def table(frame):
        records = _records(frame, PARTNERSHIP_COLUMNS)
        return {row["partnership_id"]: row for row in records}

    def members(frame):
        result: dict[str, set[str]] = {}
        for pid, nis in zip(frame["partnership_id"].tolist(), frame["nis"].tolist()):
            result.setdefault(pid, set()).add(nis)
        return result

    old, new = table(start.partnerships), table(scheme.partnerships)
    old_members, new_members = members(start.memberships), members(scheme.memberships)

    def municipality_list(codes):
        return _members_text(codes, names)

    def centre(row):
        code = row.get("centre_city_nis")
        return "geen" if code is None else _municipality(names, code)

    rows = []
    for pid in set(old) | set(new):
        before, after = old.get(pid), new.get(pid)
        had, has = old_members.get(pid, set()), new_members.get(pid, set())
        added = tuple(sorted(has - had, key=lambda c: name_key(_municipality(names, c))))
        removed = tuple(sorted(had - has, key=lambda c: name_key(_municipality(names, c))))
        if before is None:
            name = after["name"] or pid
            change = NEW
            description = f"Nieuw: {name}" + (f" met {municipality_list(has)}" if has else " (nog zonder gemeenten)")
        elif after is None:
            name = before["name"] or pid
            change = DELETED
            description = f"Verwijderd: {name}" + (f" (had {municipality_list(had)})" if had else "")
        else:
            name = after["name"] or pid
            parts = []
            if before["name"] != after["name"]:
                parts.append(f"hernoemd (was {before['name']})")
            if added:
                parts.append(f"erbij: {municipality_list(added)}")
            if removed:
                parts.append(f"eruit: {municipality_list(removed)}")
            if before["centre_city_nis"] != after["centre_city_nis"]:
                parts.append(f"centrumstad {centre(before)} → {centre(after)}")
            if before["legal_form"] != after["legal_form"]:
                parts.append(f"rechtsvorm {before['legal_form'] or 'onbekend'} → {after['legal_form'] or 'onbekend'}")
            if before["standalone"] != after["standalone"]:
                parts.append(f"centrumstad alleen: {_yes_no(before['standalone'])} → {_yes_no(after['standalone'])}")
            if not parts:
                continue
            change = CHANGED
            description = f"{name}: " + "; ".join(parts)
        rows.append({"partnership_id": pid, "name": name, "change": change, "members_added": added,
                     "members_removed": removed, "description": description})
    rows.sort(key=lambda row: (name_key(str(row["name"])), row["partnership_id"]))
    return pd.DataFrame(rows, columns=PARTNERSHIP_DIFFERENCE_COLUMNS)


# -------------------------------------------------------------------------------------------------------------
# Saving and opening
# -------------------------------------------------------------------------------------------------------------

def scenario_content(scenario: Scenario, filters: Mapping[str, Any] | None = None) -> ScenarioContent:
    """What the scenario store keeps of a scenario: its scheme, its starting point (scheme, conflicts), the
    conflicts resolved and the dashboard filters (URL query parameters) to restore."""
    conflicts = tuple(_records(scenario.start.conflicts, CONFLICT_COLUMNS))
    return ScenarioContent(
        scheme=stored_scheme(scenario.scheme),
        start=ScenarioStart(scenario.start.kind, scenario.start.label, stored_scheme(scenario.start.scheme), conflicts),
        resolved_conflicts=tuple(sorted(scenario.resolved_conflicts)),
        filters=dict(filters or {}),
    )


def scenario_from_content(content: ScenarioContent, names: Mapping[str, str]) -> Scenario:
    """The scenario of a saved version, ready for further edits (undo stops at the saved version). ``names``:
    every municipality of the version's map (nis -> name)."""
    version = content.boundary_version
    scheme = scheme_from_stored(content.scheme)
    start_scheme = scheme_from_stored(content.start.scheme) if content.start.scheme is not None else scheme
    kind = content.start.kind if content.start.kind in START_LABELS_NL else START_UPLOAD
    conflicts = _frame(content.start.conflicts, CONFLICT_COLUMNS)
    start = StartingPoint(kind, content.start.label or START_LABELS_NL[kind], start_scheme, dict(names), conflicts)
    if start.boundary_version != version:
        raise EditError("Het vertrekpunt en het scenario gebruiken een andere grensversie.")
    return Scenario(start, scheme, scheme, (), frozenset(content.resolved_conflicts))
