"""The scenario store: saved membership scenarios in a real database, each save an immutable version.

A scenario is found by its id alone: an unguessable token (``secrets.token_urlsafe``, 144 random bits) that is
the only key to it. There is no call that lists scenarios, so nobody can find other people's scenarios; whoever
holds an id may read every version of that one scenario. Saving never overwrites anything: the first save of a
scenario is version 1, every later save of the same id is the next version, and older versions stay readable.

Where the database lives (environment variable ``REGIEKAART_DB``):

- unset: an SQLite file ``scenarios.sqlite`` in the per-user data directory of Regiekaart (platformdirs, the
  library behind the download cache of :mod:`geodata.fetch`; the data directory rather than the cache
  directory, as saved scenarios are not something to throw away), created with its directory on first use;
- a file path: that SQLite file, created on first use (its directory must exist: a typing error in the setting
  is reported, not papered over with a new directory);
- a SQLAlchemy URL such as ``postgresql+psycopg://user:password@host/database``: that database (the route for
  several dashboard servers behind one address). ``postgresql://`` means the psycopg 3 driver.

The store creates and upgrades its own tables (``regiekaart_schema_version`` and
``regiekaart_scenario_versions``) on first use; :data:`MIGRATIONS` lists the steps. Every failure reaches the
caller as a :class:`ScenarioStoreError` subclass whose text is a Dutch message for the page (never a driver
traceback); ``error.detail`` keeps the technical cause (without passwords) for logs.

What a version holds is plain data (:class:`ScenarioContent`: the scheme, what the scenario started from, the
merger conflicts resolved, and the dashboard filters), stored as one versioned JSON document. This module knows
nothing of :mod:`analysis`; ``analysis.scenario_edit`` converts between this plain data and its own types.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

from geodata.membership import MEMBERSHIP_COLUMNS, NON_PARTICIPANT_COLUMNS, PARTNERSHIP_COLUMNS
from geodata.vocabulary import VERSIONS

ENV_DATABASE = "REGIEKAART_DB"
DEFAULT_FILENAME = "scenarios.sqlite"
BOUNDARY_VERSIONS = VERSIONS

# Limits (checked before anything is written).
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 10_000
MAX_MEMBERSHIPS = 5_000
MAX_PARTNERSHIPS = 1_000
MAX_NON_PARTICIPANTS = 5_000
MAX_CONFLICTS = 1_000
MAX_FILTERS = 50
MAX_FILTER_KEY_CHARS = 100
MAX_FILTER_VALUE_CHARS = 2_000
MAX_PAYLOAD_BYTES = 5_000_000  # of the JSON document: long texts in every row must not fill the database

# 18 random bytes: 144 bits, 24 URL-safe characters.
ID_BYTES = 18
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{24}")
MAX_VERSION = 2**31 - 1  # an INTEGER column on every database

PAYLOAD_FORMAT = "regiekaart-scenario"
PAYLOAD_FORMAT_VERSION = 1
CONFLICT_COLUMNS = ("nis_2025", "name_2025", "description")

SCHEMA_TABLE = "regiekaart_schema_version"
VERSIONS_TABLE = "regiekaart_scenario_versions"

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_PERM = 5, 6, 8, 3
_SQLITE_CORRUPT, _SQLITE_NOTADB, _SQLITE_CANTOPEN, _SQLITE_FULL, _SQLITE_IOERR = 11, 26, 14, 13, 10
# An arbitrary constant: the key of the PostgreSQL advisory lock held while the schema is upgraded.
_MIGRATION_LOCK_KEY = 7_204_117_331


# -------------------------------------------------------------------------------------------------------------
# Errors
# -------------------------------------------------------------------------------------------------------------

class ScenarioStoreError(Exception):
    """Anything that went wrong in the scenario store. ``str(error)`` is a Dutch message for the user;
    ``detail`` the technical cause (for logs; never contains a password)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class StoreUnavailable(ScenarioStoreError):
    """The database cannot be reached or created: missing directory, no permission, server down, bad URL."""


class StoreLocked(ScenarioStoreError):
    """The database stayed busy (locked by another writer) longer than the store waits."""


class StoreReadOnly(ScenarioStoreError):
    """The database can be read but not written."""


class StoreCorrupt(ScenarioStoreError):
    """The file is not a database, or a stored version cannot be read back."""


class StoreSchemaTooNew(ScenarioStoreError):
    """The database was upgraded by a newer Regiekaart than this one."""


class InvalidScenarioReference(ScenarioStoreError):
    """A scenario id or version number that is not well formed (e.g. a damaged link)."""


class ScenarioNotFound(ScenarioStoreError):
    """A well-formed scenario id or version that does not exist in this store."""


class ScenarioLimitExceeded(ScenarioStoreError):
    """The scenario is larger than the store accepts (memberships, note, title, ...)."""


class InvalidScenarioContent(ScenarioStoreError):
    """The scenario's data is incomplete or malformed (an empty title, an unknown boundary version, ...)."""


# -------------------------------------------------------------------------------------------------------------
# Plain data
# -------------------------------------------------------------------------------------------------------------

Row = Mapping[str, Any]


@dataclass(frozen=True)
class StoredScheme:
    """A membership scheme as plain rows: partnerships, memberships and non-participants.

    Each row is a mapping with (a subset of) the columns of :mod:`geodata.membership` (PARTNERSHIP_COLUMNS,
    MEMBERSHIP_COLUMNS, NON_PARTICIPANT_COLUMNS); a missing key reads back as None. Values are str, bool, int,
    finite float or None. ``boundary_version`` says which map's NIS codes the rows use.
    """

    scheme_id: str
    label: str
    boundary_version: str
    partnerships: tuple[Row, ...] = ()
    memberships: tuple[Row, ...] = ()
    non_participants: tuple[Row, ...] = ()
    reconstructed: bool = False
    source_note: str = ""


@dataclass(frozen=True)
class ScenarioStart:
    """What a scenario started from: a kind (e.g. "reconstructie"), a Dutch label, the starting scheme (for the
    list of differences; None when not kept) and the merger conflicts that were listed to resolve (rows with
    nis_2025, name_2025, description)."""

    kind: str
    label: str
    scheme: StoredScheme | None = None
    conflicts: tuple[Row, ...] = ()


@dataclass(frozen=True)
class ScenarioContent:
    """Everything one saved version holds besides its title and note."""

    scheme: StoredScheme
    start: ScenarioStart
    resolved_conflicts: tuple[str, ...] = ()  # 2025 NIS codes of the merger conflicts already dealt with
    filters: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)  # URL query parameters

    @property
    def boundary_version(self) -> str:
        return self.scheme.boundary_version


@dataclass(frozen=True)
class SavedVersion:
    """One saved version: its reference, title, note and time, and (when loaded) its content."""

    scenario_id: str
    version: int
    title: str
    note: str
    saved_at: datetime
    based_on_version: int | None = None
    content: ScenarioContent | None = None


# -------------------------------------------------------------------------------------------------------------
# Ids, versions and limits
# -------------------------------------------------------------------------------------------------------------

def new_scenario_id() -> str:
    """A fresh unguessable scenario id (144 random bits)."""
    return secrets.token_urlsafe(ID_BYTES)


def check_scenario_id(value: Any) -> str:
    """The id when it is well formed; InvalidScenarioReference otherwise (e.g. a truncated link)."""
    text = value.strip() if isinstance(value, str) else None
    if text is None or not ID_PATTERN.fullmatch(text):
        raise InvalidScenarioReference(
            "De scenariocode in de link is ongeldig (verwacht: 24 letters, cijfers, '-' of '_'). "
            "Controleer of de link volledig gekopieerd is.", detail=f"id {str(value)[:40]!r}")
    return text


def check_version(value: Any) -> int:
    """A version number (int, or text of digits as in a link) as int >= 1; InvalidScenarioReference otherwise."""
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= MAX_VERSION:
        raise InvalidScenarioReference(
            f"Het versienummer '{str(value)[:20]}' in de link is ongeldig (verwacht: een geheel getal vanaf 1).",
            detail=f"version {str(value)[:40]!r}")
    return number


def _count(number: int) -> str:
    """An integer in Belgian notation (5.000)."""
    return f"{number:,}".replace(",", ".")


def check_title_and_note(title: Any, note: Any) -> tuple[str, str]:
    """The title (stripped) and note when within the limits; InvalidScenarioContent or ScenarioLimitExceeded."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidScenarioContent("Geef het scenario een titel.")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise InvalidScenarioContent("De toelichting moet tekst zijn.")
    title = title.strip()
    if len(title) > MAX_TITLE_CHARS:
        raise ScenarioLimitExceeded(f"De titel telt {_count(len(title))} tekens; het maximum is "
                                    f"{_count(MAX_TITLE_CHARS)}. Kort de titel in.")
    if len(note) > MAX_NOTE_CHARS:
        raise ScenarioLimitExceeded(f"De toelichting telt {_count(len(note))} tekens; het maximum is "
                                    f"{_count(MAX_NOTE_CHARS)}. Kort de toelichting in.")
    return title, note


def _check_limits(content: ScenarioContent) -> None:
    schemes = [("Het scenario", content.scheme)]
    if content.start.scheme is not None:
        schemes.append(("Het vertrekpunt", content.start.scheme))
    for what, scheme in schemes:
        for rows, limit, noun in ((scheme.memberships, MAX_MEMBERSHIPS, "lidmaatschappen"),
                                  (scheme.partnerships, MAX_PARTNERSHIPS, "samenwerkingsverbanden"),
                                  (scheme.non_participants, MAX_NON_PARTICIPANTS, "niet-deelnemende gemeenten")):
            if len(rows) > limit:
                raise ScenarioLimitExceeded(f"{what} telt {_count(len(rows))} {noun}; het maximum is "
                                            f"{_count(limit)}. Bewaar een kleiner scenario.")
    if len(content.start.conflicts) > MAX_CONFLICTS:
        raise ScenarioLimitExceeded(f"Het vertrekpunt telt {_count(len(content.start.conflicts))} fusieconflicten; "
                                    f"het maximum is {_count(MAX_CONFLICTS)}.")
    if len(content.filters) > MAX_FILTERS:
        raise ScenarioLimitExceeded(f"Het scenario bewaart {_count(len(content.filters))} filters; het maximum is "
                                    f"{_count(MAX_FILTERS)}.")


# -------------------------------------------------------------------------------------------------------------
# JSON document
# -------------------------------------------------------------------------------------------------------------

def _plain_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise InvalidScenarioContent(f"{where}: een oneindige waarde kan niet bewaard worden.")
        return value
    raise InvalidScenarioContent(f"{where}: waarde van type {type(value).__name__} kan niet bewaard worden.",
                                 detail=repr(value)[:200])


def _table(rows: Sequence[Row], columns: Sequence[str], what: str) -> dict:
    """Rows as {"columns": [...], "rows": [[...], ...]} with a fixed column order (a stable document)."""
    encoded = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise InvalidScenarioContent(f"{what}, rij {number}: geen rij met kolommen.")
        unknown = set(row) - set(columns)
        if unknown:
            raise InvalidScenarioContent(f"{what}, rij {number}: onbekende kolom(men) {', '.join(sorted(map(str, unknown)))}.")
        encoded.append([_plain_value(row.get(column), f"{what}, rij {number}, kolom {column}") for column in columns])
    return {"columns": list(columns), "rows": encoded}


def _rows(table: Any, columns: Sequence[str], what: str) -> tuple[dict, ...]:
    if not isinstance(table, dict) or not isinstance(table.get("columns"), list) or not isinstance(table.get("rows"), list):
        raise ValueError(f"{what}: geen tabel")
    stored_columns = table["columns"]
    if not set(stored_columns) <= set(columns):
        raise ValueError(f"{what}: onbekende kolommen {sorted(set(stored_columns) - set(columns))}")
    result = []
    for row in table["rows"]:
        if not isinstance(row, list) or len(row) != len(stored_columns):
            raise ValueError(f"{what}: rij met {len(row) if isinstance(row, list) else '?'} waarden")
        values = dict(zip(stored_columns, row))
        result.append({column: values.get(column) for column in columns})
    return tuple(result)


def _scheme_document(scheme: StoredScheme, what: str) -> dict:
    if not isinstance(scheme, StoredScheme):
        raise InvalidScenarioContent(f"{what}: geen StoredScheme.")
    if scheme.boundary_version not in BOUNDARY_VERSIONS:
        raise InvalidScenarioContent(f"{what}: onbekende grensversie {scheme.boundary_version!r}; "
                                     f"verwacht {' of '.join(BOUNDARY_VERSIONS)}.")
    return {
        "scheme_id": _plain_value(scheme.scheme_id, f"{what}: schema-id"),
        "label": _plain_value(scheme.label, f"{what}: label"),
        "boundary_version": scheme.boundary_version,
        "reconstructed": bool(scheme.reconstructed),
        "source_note": _plain_value(scheme.source_note, f"{what}: bron"),
        "partnerships": _table(scheme.partnerships, PARTNERSHIP_COLUMNS, f"{what}: samenwerkingsverbanden"),
        "memberships": _table(scheme.memberships, MEMBERSHIP_COLUMNS, f"{what}: lidmaatschappen"),
        "non_participants": _table(scheme.non_participants, NON_PARTICIPANT_COLUMNS, f"{what}: niet-deelnemers"),
    }


def _scheme_from_document(document: Any, what: str) -> StoredScheme:
    if not isinstance(document, dict):
        raise ValueError(f"{what}: geen schema")
    version = document.get("boundary_version")
    if version not in BOUNDARY_VERSIONS:
        raise ValueError(f"{what}: grensversie {version!r}")
    return StoredScheme(
        scheme_id=str(document.get("scheme_id") or ""), label=str(document.get("label") or ""),
        boundary_version=version,
        partnerships=_rows(document.get("partnerships"), PARTNERSHIP_COLUMNS, f"{what}: verbanden"),
        memberships=_rows(document.get("memberships"), MEMBERSHIP_COLUMNS, f"{what}: lidmaatschappen"),
        non_participants=_rows(document.get("non_participants"), NON_PARTICIPANT_COLUMNS, f"{what}: niet-deelnemers"),
        reconstructed=bool(document.get("reconstructed")), source_note=str(document.get("source_note") or ""),
    )


def _filters_document(filters: Any) -> dict:
    if not isinstance(filters, Mapping):
        raise InvalidScenarioContent("De filters moeten een woordenboek van URL-parameters zijn.")
    result = {}
    for key, value in filters.items():
        if not isinstance(key, str) or not key or len(key) > MAX_FILTER_KEY_CHARS:
            raise InvalidScenarioContent(f"Ongeldige filternaam {str(key)[:40]!r}.")
        values = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
        if values is None or not all(isinstance(item, str) for item in values):
            raise InvalidScenarioContent(f"Filter {key!r}: de waarde moet tekst zijn.")
        if sum(len(item) for item in values) > MAX_FILTER_VALUE_CHARS:
            raise ScenarioLimitExceeded(f"Filter {key!r} is langer dan {_count(MAX_FILTER_VALUE_CHARS)} tekens.")
        result[key] = value if isinstance(value, str) else values
    return result


def content_document(content: ScenarioContent) -> dict:
    """The JSON document of a version's content (checked against the limits)."""
    if not isinstance(content, ScenarioContent):
        raise InvalidScenarioContent("Geen scenario-inhoud (ScenarioContent) om te bewaren.")
    _check_limits(content)
    start = content.start
    if not isinstance(start, ScenarioStart) or not isinstance(start.kind, str) or not start.kind.strip():
        raise InvalidScenarioContent("Het vertrekpunt van het scenario ontbreekt.")
    if start.scheme is not None and start.scheme.boundary_version != content.scheme.boundary_version:
        raise InvalidScenarioContent("Het vertrekpunt en het scenario gebruiken een andere grensversie.")
    resolved = list(content.resolved_conflicts)
    if not all(isinstance(code, str) for code in resolved):
        raise InvalidScenarioContent("De opgeloste fusieconflicten moeten NIS-codes (tekst) zijn.")
    return {
        "format": PAYLOAD_FORMAT,
        "format_version": PAYLOAD_FORMAT_VERSION,
        "scheme": _scheme_document(content.scheme, "Het scenario"),
        "start": {
            "kind": start.kind,
            "label": _plain_value(start.label, "Vertrekpunt: label"),
            "scheme": None if start.scheme is None else _scheme_document(start.scheme, "Het vertrekpunt"),
            "conflicts": _table(start.conflicts, CONFLICT_COLUMNS, "Fusieconflicten"),
        },
        "resolved_conflicts": sorted(set(resolved)),
        "filters": _filters_document(content.filters),
    }


def encode_content(content: ScenarioContent) -> str:
    """The stable JSON text of a version's content: sorted keys, no insignificant whitespace, UTF-8 text."""
    document = content_document(content)
    try:
        text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidScenarioContent("Het scenario bevat waarden die niet bewaard kunnen worden.",
                                     detail=str(error)) from None
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ScenarioLimitExceeded(f"Het scenario is {_count(size // 1000)} kB groot; het maximum is "
                                    f"{_count(MAX_PAYLOAD_BYTES // 1000)} kB. Kort lange toelichtingen of bronnen in.")
    return text


# Upgrades of older JSON documents, keyed by the format version they upgrade *from* (none yet: version 1 is
# the first). Each takes and returns a document; decode_content applies them in order.
PAYLOAD_UPGRADES: dict[int, Callable[[dict], dict]] = {}


def decode_content(text: str) -> ScenarioContent:
    """Read a stored JSON document back (ValueError when it is not one this version understands)."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != PAYLOAD_FORMAT:
        raise ValueError("geen Regiekaart-scenario")
    version = document.get("format_version")
    while isinstance(version, int) and version in PAYLOAD_UPGRADES:
        document = PAYLOAD_UPGRADES[version](document)
        version = document.get("format_version")
    if version != PAYLOAD_FORMAT_VERSION:
        raise ValueError(f"onbekende formaatversie {version!r}")
    start = document.get("start")
    if not isinstance(start, dict):
        raise ValueError("vertrekpunt ontbreekt")
    filters = document.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValueError("filters")
    return ScenarioContent(
        scheme=_scheme_from_document(document.get("scheme"), "scenario"),
        start=ScenarioStart(
            kind=str(start.get("kind") or ""), label=str(start.get("label") or ""),
            scheme=None if start.get("scheme") is None else _scheme_from_document(start["scheme"], "vertrekpunt"),
            conflicts=_rows(start.get("conflicts"), CONFLICT_COLUMNS, "fusieconflicten"),
        ),
        resolved_conflicts=tuple(str(code) for code in document.get("resolved_conflicts") or ()),
        filters={str(key): value if isinstance(value, str) else tuple(value) for key, value in filters.items()},
    )


# -------------------------------------------------------------------------------------------------------------
# Schema and migrations
# -------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Migration:
    """One schema step: ``upgrade(connection)`` brings a database at ``version - 1`` to ``version``.

    A step defines the tables it creates or alters itself (never the current Table objects below, which follow
    the newest schema), so that an old database is upgraded the same way whenever it is opened.
    """

    version: int
    description: str
    upgrade: Callable[[Connection], None]


def _create_version_1(connection: Connection) -> None:
    metadata = sa.MetaData()
    sa.Table(SCHEMA_TABLE, metadata, sa.Column("version", sa.Integer, nullable=False))
    sa.Table(
        VERSIONS_TABLE, metadata,
        sa.Column("scenario_id", sa.String(64), primary_key=True),
        # The primary key (scenario_id, version) is what keeps two concurrent saves from taking one number.
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("based_on_version", sa.Integer, nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(MAX_TITLE_CHARS), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("format_version", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    metadata.create_all(connection)


# To add version 2: write its upgrade function and append Migration(2, "...", upgrade); update the Table objects
# below to the new schema. A database at version 1 is then upgraded on its first use.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "scenarioversies en schemaversie", _create_version_1),
)

_METADATA = sa.MetaData()
SCHEMA_VERSION_TABLE = sa.Table(SCHEMA_TABLE, _METADATA, sa.Column("version", sa.Integer, nullable=False))
SCENARIO_VERSIONS = sa.Table(
    VERSIONS_TABLE, _METADATA,
    sa.Column("scenario_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("based_on_version", sa.Integer),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("title", sa.String(MAX_TITLE_CHARS), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("format_version", sa.Integer, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)


# -------------------------------------------------------------------------------------------------------------
# Where the database is
# -------------------------------------------------------------------------------------------------------------

def default_database_path() -> Path:
    """The SQLite file used when REGIEKAART_DB is not set."""
    return platformdirs.user_data_path("regiekaart") / DEFAULT_FILENAME


def _is_url(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", text) is not None


def _database_url(configured: str | None) -> tuple[URL, Path | None, bool]:
    """(SQLAlchemy URL, SQLite file or None, whether its directory may be created)."""
    if not configured:
        path = default_database_path()
        return URL.create("sqlite", database=str(path)), path, True
    if _is_url(configured):
        try:
            url = make_url(configured)
        except (sa.exc.ArgumentError, ValueError) as error:
            raise StoreUnavailable(f"{ENV_DATABASE} is geen geldige database-URL. Gebruik bijvoorbeeld "
                                   "postgresql+psycopg://gebruiker:wachtwoord@server/database of een bestandspad.",
                                   detail=type(error).__name__) from None
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database in ("", ":memory:") or database.startswith("file:"):
                return url, None, False
            return url, Path(database).expanduser().resolve(), False
        return url, None, False
    path = Path(configured).expanduser().resolve()
    return URL.create("sqlite", database=str(path)), path, False


# -------------------------------------------------------------------------------------------------------------
# The store
# -------------------------------------------------------------------------------------------------------------

class _VersionTaken(Exception):
    """Another session took the version number (or id) this save wanted; try again."""


class ScenarioStore:
    """Saved scenarios in one database (see the module docstring). Safe to share between threads.

    ``url``: a SQLAlchemy URL or an SQLite file path; None reads REGIEKAART_DB (default file when unset).
    ``busy_timeout_s``: how long SQLite waits for another writer's lock; a busy database is then tried
    ``attempts`` times in all before StoreLocked. ``connect_timeout_s``: how long a database server may take to
    answer. ``migrations``: the schema steps (tests pass their own to try an upgrade).
    """

    def __init__(self, url: str | None = None, *, busy_timeout_s: float = 10.0, attempts: int = 3,
                 connect_timeout_s: int = 5, migrations: Sequence[Migration] = MIGRATIONS):
        configured = url if url is not None else os.environ.get(ENV_DATABASE, "").strip() or None
        self._url, self._path, self._create_directory = _database_url(configured)
        self._sqlite = self._url.get_backend_name() == "sqlite"
        self._postgres = self._url.get_backend_name() == "postgresql"
        self._busy_timeout_s = busy_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._attempts = max(1, attempts)
        self._migrations = tuple(sorted(migrations, key=lambda m: m.version))
        if [m.version for m in self._migrations] != list(range(1, len(self._migrations) + 1)):
            raise ValueError("migrations must be numbered 1, 2, 3, ... without gaps")
        self._engine: Engine | None = None
        self._ready = False
        self._lock = threading.Lock()

    # -- where -----------------------------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the scenarios are kept, for messages: the file, or the URL without its password."""
        if self._path is not None:
            return str(self._path)
        return self._url.render_as_string(hide_password=True)

    @property
    def schema_version(self) -> int:
        """The newest schema version this store knows."""
        return self._migrations[-1].version if self._migrations else 0

    # -- public API ------------------------------------------------------------------------------------------

    def ensure_schema(self) -> int:
        """Create or upgrade the tables when needed (done once per store before its first read or write);
        returns the schema version of the database."""
        with self._lock:
            if self._ready:
                return self.schema_version
            found = self._run(self._read_schema_version, write=False)
            if found > self.schema_version:
                raise self._too_new(found)
            if found < self.schema_version:
                found = self._run(self._upgrade, write=True)
            self._ready = True
            return found

    def save_new(self, title: str, note: str, content: ScenarioContent) -> SavedVersion:
        """Save a new scenario (version 1 under a fresh id)."""
        title, note = check_title_and_note(title, note)
        payload = encode_content(content)
        self.ensure_schema()
        for _ in range(5):  # a clash of two 144-bit ids does not happen; a retry costs nothing
            scenario_id = new_scenario_id()
            try:
                return self._run(lambda c, new_id=scenario_id: self._insert(c, new_id, 1, None, title, note, payload),
                                 write=True)
            except _VersionTaken:
                continue
        raise ScenarioStoreError("Het scenario kon niet bewaard worden (geen vrije scenariocode). Probeer opnieuw.")

    def save_version(self, scenario_id: str, title: str, note: str, content: ScenarioContent,
                     based_on_version: int | None = None) -> SavedVersion:
        """Save the next version of an existing scenario; nothing is overwritten.

        Two sessions saving at the same moment get two consecutive versions. ``based_on_version`` records which
        version the session had opened (so a page can say that someone else saved in between).
        """
        scenario_id = check_scenario_id(scenario_id)
        based_on = None if based_on_version is None else check_version(based_on_version)
        title, note = check_title_and_note(title, note)
        payload = encode_content(content)
        self.ensure_schema()
        # Under contention each failed try means another session's version went in: the loop ends after at most
        # as many tries as there are concurrent writers (the bound only stops a runaway).
        for _ in range(1000):
            try:
                return self._run(lambda c: self._insert_next(c, scenario_id, based_on, title, note, payload),
                                 write=True)
            except _VersionTaken:
                continue
        raise StoreLocked("Het scenario kon niet bewaard worden: te veel gelijktijdige bewaringen. Probeer opnieuw.")

    def load(self, scenario_id: str, version: int | str | None = None) -> SavedVersion:
        """A saved version with its content (the latest when ``version`` is None)."""
        scenario_id = check_scenario_id(scenario_id)
        wanted = None if version is None else check_version(version)
        self.ensure_schema()
        row = self._run(lambda c: self._select(c, scenario_id, wanted), write=False)
        try:
            content = decode_content(row.payload)
        except (ValueError, TypeError, KeyError) as error:
            raise StoreCorrupt(f"Versie {row.version} van dit scenario is beschadigd en kan niet gelezen worden.",
                               detail=str(error)[:300]) from None
        return self._saved(row, content)

    def versions(self, scenario_id: str) -> list[SavedVersion]:
        """Every version of one scenario (without content), oldest first. Only for the holder of the id:
        there is deliberately no way to list the scenarios themselves."""
        scenario_id = check_scenario_id(scenario_id)
        self.ensure_schema()
        rows = self._run(lambda c: c.execute(
            sa.select(SCENARIO_VERSIONS.c.scenario_id, SCENARIO_VERSIONS.c.version,
                      SCENARIO_VERSIONS.c.based_on_version, SCENARIO_VERSIONS.c.saved_at, SCENARIO_VERSIONS.c.title,
                      SCENARIO_VERSIONS.c.note)
            .where(SCENARIO_VERSIONS.c.scenario_id == scenario_id).order_by(SCENARIO_VERSIONS.c.version)).all(),
            write=False)
        if not rows:
            raise self._not_found(scenario_id, None)
        return [self._saved(row, None) for row in rows]

    def close(self) -> None:
        """Release the database connections (the store can still be used; it reconnects)."""
        if self._engine is not None:
            self._engine.dispose()

    # -- statements ------------------------------------------------------------------------------------------

    def _read_schema_version(self, connection: Connection) -> int:
        if not sa.inspect(connection).has_table(SCHEMA_TABLE):
            return 0
        found = connection.execute(sa.select(sa.func.max(SCHEMA_VERSION_TABLE.c.version))).scalar()
        return int(found or 0)

    def _upgrade(self, connection: Connection) -> int:
        if self._postgres:
            # Two servers starting at once: the second waits here and then finds the work done.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        found = self._read_schema_version(connection)
        if found > self.schema_version:
            raise self._too_new(found)
        for migration in self._migrations[found:]:
            migration.upgrade(connection)
        connection.execute(sa.delete(SCHEMA_VERSION_TABLE))
        connection.execute(sa.insert(SCHEMA_VERSION_TABLE).values(version=self.schema_version))
        return self.schema_version

    def _insert(self, connection: Connection, scenario_id: str, version: int, based_on: int | None, title: str,
                note: str, payload: str) -> SavedVersion:
        saved_at = datetime.now(UTC)
        try:
            connection.execute(sa.insert(SCENARIO_VERSIONS).values(
                scenario_id=scenario_id, version=version, based_on_version=based_on, saved_at=saved_at,
                title=title, note=note, format_version=PAYLOAD_FORMAT_VERSION, payload=payload))
        except sa.exc.IntegrityError:
            # The (scenario_id, version) key is taken: another session saved first. The transaction is rolled
            # back and the save tried again with the next number.
            raise _VersionTaken() from None
        return SavedVersion(scenario_id, version, title, note, saved_at, based_on)

    def _insert_next(self, connection: Connection, scenario_id: str, based_on: int | None, title: str, note: str,
                     payload: str) -> SavedVersion:
        latest = connection.execute(sa.select(sa.func.max(SCENARIO_VERSIONS.c.version))
                                    .where(SCENARIO_VERSIONS.c.scenario_id == scenario_id)).scalar()
        if latest is None:
            raise self._not_found(scenario_id, None)
        if based_on is not None and based_on > latest:
            raise self._not_found(scenario_id, based_on)
        return self._insert(connection, scenario_id, int(latest) + 1, based_on, title, note, payload)

    def _select(self, connection: Connection, scenario_id: str, version: int | None):
        table = SCENARIO_VERSIONS
        query = sa.select(table).where(table.c.scenario_id == scenario_id)
        if version is None:
            query = query.order_by(table.c.version.desc()).limit(1)
        else:
            query = query.where(table.c.version == version)
        row = connection.execute(query).first()
        if row is None:
            latest = None
            if version is not None:
                latest = connection.execute(sa.select(sa.func.max(table.c.version))
                                            .where(table.c.scenario_id == scenario_id)).scalar()
            raise self._not_found(scenario_id, version, latest)
        return row

    @staticmethod
    def _saved(row, content: ScenarioContent | None) -> SavedVersion:
        saved_at = row.saved_at
        if isinstance(saved_at, datetime) and saved_at.tzinfo is None:  # SQLite keeps no time zone
            saved_at = saved_at.replace(tzinfo=UTC)
        return SavedVersion(row.scenario_id, int(row.version), row.title, row.note, saved_at,
                            None if row.based_on_version is None else int(row.based_on_version), content)

    # -- errors ----------------------------------------------------------------------------------------------

    def _not_found(self, scenario_id: str, version: int | None, latest: int | None = None) -> ScenarioNotFound:
        if version is None or latest is None:
            return ScenarioNotFound("Dit scenario bestaat niet (meer) in deze scenario-opslag. Controleer de link; "
                                    "u ziet nu de standaardweergave.", detail=f"id {scenario_id[:6]}…")
        return ScenarioNotFound(f"Versie {version} van dit scenario bestaat niet; de laatste versie is {latest}.",
                                detail=f"id {scenario_id[:6]}… versie {version}")

    def _too_new(self, found: int) -> StoreSchemaTooNew:
        return StoreSchemaTooNew(
            f"De scenario-opslag ({self.location}) is bijgewerkt door een nieuwere versie van Regiekaart "
            f"(schemaversie {found}; deze versie kent tot {self.schema_version}). Werk Regiekaart bij.",
            detail=f"schema {found} > {self.schema_version}")

    def _translate(self, error: Exception) -> ScenarioStoreError:
        """Our error for a driver error (the one place that reads driver error codes)."""
        original = getattr(error, "orig", None) or error
        detail = f"{type(original).__name__}: {str(original).splitlines()[0] if str(original) else ''}"[:300]
        where = self.location
        if self._sqlite:
            code = getattr(original, "sqlite_errorcode", None)
            primary = code & 0xFF if isinstance(code, int) else None
            if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
                return StoreLocked(f"De scenario-opslag ({where}) is bezet door een andere bewerking. "
                                   "Probeer het over enkele ogenblikken opnieuw.", detail)
            if primary in (_SQLITE_READONLY, _SQLITE_PERM):
                return StoreReadOnly(f"De scenario-opslag ({where}) is alleen-lezen: bewaren kan niet. Bestaande "
                                     "scenario's blijven leesbaar. Vraag de beheerder om schrijfrechten.", detail)
            if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
                return StoreCorrupt(f"Het bestand {where} is geen (leesbare) database. Zet het opzij of stel "
                                    f"{ENV_DATABASE} in op een ander bestand.", detail)
            if primary == _SQLITE_FULL:
                return StoreUnavailable(f"De schijf van de scenario-opslag ({where}) is vol.", detail)
            if primary == _SQLITE_CANTOPEN or primary == _SQLITE_IOERR:
                if self._path is not None and not self._path.parent.is_dir():
                    return StoreUnavailable(f"De map {self._path.parent} van de scenario-opslag bestaat niet. "
                                            f"Maak ze aan of stel {ENV_DATABASE} in op een bestaande map.", detail)
                return StoreUnavailable(f"De scenario-opslag ({where}) kan niet geopend of aangemaakt worden. "
                                        "Controleer de rechten op het bestand en de map.", detail)
        if self._postgres:
            state = getattr(original, "sqlstate", None)
            if state in ("25006",):  # read_only_sql_transaction
                return StoreReadOnly(f"De scenario-opslag ({where}) is alleen-lezen: bewaren kan niet.", detail)
            if state in ("42501",):  # insufficient_privilege
                return StoreReadOnly(f"De databasegebruiker mag niet schrijven in de scenario-opslag ({where}).",
                                     detail)
            if state in ("55P03", "40P01", "40001"):  # lock not available, deadlock, serialization failure
                return StoreLocked(f"De scenario-opslag ({where}) is bezet. Probeer het opnieuw.", detail)
            if state in ("28P01", "28000"):
                return StoreUnavailable(f"De scenario-opslag ({where}) weigert de aanmelding: controleer gebruiker "
                                        f"en wachtwoord in {ENV_DATABASE}.", detail)
            if state == "3D000":
                return StoreUnavailable(f"De database van de scenario-opslag ({where}) bestaat niet.", detail)
            if state is None and isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)):
                return StoreUnavailable(f"De databaseserver van de scenario-opslag ({where}) is niet bereikbaar. "
                                        "De rest van het dashboard werkt gewoon; probeer later opnieuw.", detail)
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return StoreUnavailable(f"De verbinding met de scenario-opslag ({where}) is verbroken.", detail)
        return ScenarioStoreError(f"De scenario-opslag ({where}) gaf een onverwachte fout.", detail)

    # -- engine and transactions -----------------------------------------------------------------------------

    def _get_engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        connect_args: dict[str, Any] = {}
        if self._sqlite:
            if self._path is not None and self._create_directory:
                try:
                    self._path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise StoreUnavailable(f"De map {self._path.parent} voor de scenario-opslag kan niet aangemaakt "
                                           f"worden ({error.strerror}). Stel {ENV_DATABASE} in op een bestand in "
                                           "een map waar u mag schrijven.", detail=str(error)) from None
            connect_args["timeout"] = self._busy_timeout_s
        elif self._postgres:
            connect_args["connect_timeout"] = self._connect_timeout_s
        try:
            engine = sa.create_engine(self._url, connect_args=connect_args, pool_pre_ping=not self._sqlite)
        except (sa.exc.SQLAlchemyError, ImportError, ValueError, TypeError) as error:  # unknown or missing driver
            raise StoreUnavailable(f"De scenario-opslag ({self.location}) kan niet gebruikt worden: het "
                                   "databasestuurprogramma ontbreekt of de URL is ongeldig.",
                                   detail=f"{type(error).__name__}: {error}"[:300]) from None
        if self._sqlite:
            # sqlite3's own transaction handling starts no transaction for SELECT and DDL; SQLAlchemy's recipe
            # (dialects/sqlite "Enabling Non-Legacy SQLite Transactional Modes") lets us emit BEGIN ourselves:
            # BEGIN IMMEDIATE for writes, so a save holds the write lock from its first read of the last version
            # number to its commit, and two saves are simply serialised (waiting up to the busy timeout).
            @event.listens_for(engine, "connect")
            def _no_driver_transactions(dbapi_connection, _record):
                dbapi_connection.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(connection):
                write = connection.get_execution_options().get("regiekaart_write", False)
                connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        self._engine = engine
        return engine

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (ScenarioStoreError, _VersionTaken):
            raise
        except sa.exc.SQLAlchemyError as error:
            raise self._translate(error) from None
        except Exception as error:  # a driver error outside SQLAlchemy's wrapping (e.g. during connect)
            if type(error).__module__.split(".")[0] in ("sqlite3", "psycopg"):
                raise self._translate(error) from None
            raise

    def _run(self, operation: Callable[[Connection], Any], *, write: bool) -> Any:
        """Run ``operation(connection)`` in one transaction; a busy database is tried again."""
        for attempt in range(1, self._attempts + 1):
            try:
                with self._translated():
                    engine = self._get_engine()
                    with engine.connect() as connection:
                        if write:
                            connection.execution_options(regiekaart_write=True)
                        with connection.begin():
                            return operation(connection)
            except StoreLocked:
                if attempt == self._attempts:
                    raise
                time.sleep(min(1.0, 0.05 * 2**attempt) * (1 + secrets.randbelow(100) / 100))
        raise AssertionError("unreachable")


def open_store(url: str | None = None, **options: Any) -> ScenarioStore:
    """A store for REGIEKAART_DB (or ``url``) with its schema created or upgraded (raises ScenarioStoreError)."""
    store = ScenarioStore(url, **options)
    store.ensure_schema()
    return store
