"""The scenario store on a temporary SQLite file and on PostgreSQL.

The PostgreSQL cases use REGIEKAART_TEST_POSTGRES_URL (each test in a schema of its own); without it, or
without a server there, they are skipped, except with REGIEKAART_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import secrets
import socket
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.dialects.sqlite  # imported before a test drops privileges (see without_write_access)
from sqlalchemy.engine import make_url

from geodata.membership import MEMBERSHIP_COLUMNS, NON_PARTICIPANT_COLUMNS, PARTNERSHIP_COLUMNS
from geodata.scenario_store import (
    MAX_MEMBERSHIPS,
    MAX_NOTE_CHARS,
    MAX_TITLE_CHARS,
    MIGRATIONS,
    InvalidScenarioContent,
    InvalidScenarioReference,
    Migration,
    ScenarioContent,
    ScenarioLimitExceeded,
    ScenarioNotFound,
    ScenarioStart,
    ScenarioStore,
    ScenarioStoreError,
    StoreCorrupt,
    StoredScheme,
    StoreLocked,
    StoreReadOnly,
    StoreSchemaTooNew,
    StoreUnavailable,
    check_scenario_id,
    check_version,
    encode_content,
    open_store,
)

POSTGRES_URL = "REGIEKAART_TEST_POSTGRES_URL"


# -------------------------------------------------------------------------------------------------------------
# Fixtures
# -------------------------------------------------------------------------------------------------------------

def _postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_URL)
    required = os.environ.get("REGIEKAART_REQUIRE_POSTGRES") == "1"

    def unavailable(reason: str):
        if required:
            pytest.fail(f"{reason}, but REGIEKAART_REQUIRE_POSTGRES=1")
        pytest.skip(reason)

    if not url:
        unavailable(f"no PostgreSQL server: {POSTGRES_URL} is not set")
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        unavailable(f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is not reachable "
                    f"({type(error).__name__})")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url():
    """A URL of the test server whose search path is a fresh schema (dropped afterwards)."""
    base = _postgres_url_or_skip()
    schema = f"regiekaart_test_{secrets.token_hex(6)}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "scenarios.sqlite")
    return request.getfixturevalue("postgres_url")


def engine_for(database_url: str) -> sa.Engine:
    """An engine of our own on the store's database (to look at or damage what the store wrote)."""
    return sa.create_engine(database_url if "://" in database_url else f"sqlite:///{database_url}")


@pytest.fixture
def store(database_url):
    store = ScenarioStore(database_url)
    yield store
    store.close()


def scheme(version: str = "2019", members: dict[str, list[str]] | None = None, note: str = "") -> StoredScheme:
    """A small scheme as the store keeps it (every column present, as it reads back)."""
    members = members if members is not None else {"noord": ["11002", "11004"], "zuid": ["11005"]}
    partnerships = tuple(
        {"partnership_id": pid, "name": f"Verband {pid.title()} «é»", "legal_form": "welzijnsvereniging",
         "centre_city_nis": codes[0] if pid == "noord" else None,
         "centre_city": "Antwerpen" if pid == "noord" else None, "standalone": False, "period": "2020-2025",
         "confidence": "confirmed", "notes": note or None}
        for pid, codes in members.items())
    memberships = tuple(
        {"partnership_id": pid, "nis": code, "municipality": f"Gemeente {code}", "role": "lid",
         "source": "https://example.org/bron", "evidence": None, "confidence": "suggestive" if code == "11005" else "confirmed"}
        for pid, codes in members.items() for code in codes)
    non_participants = ({"nis": "11007", "municipality": "Borsbeek", "source": "raadsbesluit", "evidence": "neen"},)
    return StoredScheme("scenario", "Scenario test", version, partnerships, memberships, non_participants,
                        reconstructed=True, source_note="test")


def content(version: str = "2019", **scheme_options) -> ScenarioContent:
    current = scheme(version, **scheme_options)
    start = ScenarioStart("reconstructie", "De reconstructie 2020-2025", scheme(version),
                          ({"nis_2025": "11002", "name_2025": "Antwerpen", "description": "Slechts een deel …"},))
    return ScenarioContent(current, start, resolved_conflicts=("11002",),
                           filters={"schema": "scenario", "provincie": "Antwerpen", "verband": ("noord", "zuid")})


# -------------------------------------------------------------------------------------------------------------
# Round trip, versions, concurrency (SQLite and PostgreSQL)
# -------------------------------------------------------------------------------------------------------------

def test_a_saved_scenario_reads_back_unchanged(store):
    original = content()
    saved = store.save_new("Antwerpen met Borsbeek", "Eerste voorstel.\nTweede regel — met ‘tekens’.", original)
    assert saved.version == 1 and check_scenario_id(saved.scenario_id) == saved.scenario_id
    loaded = store.load(saved.scenario_id)
    assert loaded.content == original
    assert (loaded.scenario_id, loaded.version, loaded.title) == (saved.scenario_id, 1, "Antwerpen met Borsbeek")
    assert loaded.note == "Eerste voorstel.\nTweede regel — met ‘tekens’."
    assert loaded.saved_at.tzinfo is not None
    assert abs((loaded.saved_at - datetime.now(UTC)).total_seconds()) < 120
    assert store.load(saved.scenario_id, 1).content == original
    assert store.load(saved.scenario_id, "1").content == original  # as it comes from a link


def test_every_save_is_a_new_version_and_older_versions_stay(store):
    first = store.save_new("Versie één", "", content(members={"noord": ["11002"]}))
    second = store.save_version(first.scenario_id, "Versie twee", "meer", content(members={"noord": ["11002", "11004"]}),
                                based_on_version=1)
    third = store.save_version(first.scenario_id, "Versie drie", "", content(version="2025"), based_on_version=1)
    assert (second.version, third.version) == (2, 3)
    assert [m["nis"] for m in store.load(first.scenario_id, 1).content.scheme.memberships] == ["11002"]
    assert [m["nis"] for m in store.load(first.scenario_id, 2).content.scheme.memberships] == ["11002", "11004"]
    latest = store.load(first.scenario_id)
    assert latest.version == 3 and latest.content.boundary_version == "2025" and latest.based_on_version == 1
    summaries = store.versions(first.scenario_id)
    assert [(v.version, v.title, v.based_on_version) for v in summaries] == [
        (1, "Versie één", None), (2, "Versie twee", 1), (3, "Versie drie", 1)]
    assert all(v.content is None for v in summaries)


def test_two_scenarios_do_not_see_each_other(store):
    one = store.save_new("Een", "", content(members={"noord": ["11002"]}))
    other = store.save_new("Ander", "", content(members={"zuid": ["11005"]}))
    assert one.scenario_id != other.scenario_id
    store.save_version(one.scenario_id, "Een, v2", "", content())
    assert [v.version for v in store.versions(other.scenario_id)] == [1]
    assert store.load(other.scenario_id).title == "Ander"


def test_concurrent_saves_of_one_scenario_lose_no_version(store):
    first = store.save_new("Gedeeld", "", content())
    threads, writers, saves_each = [], 6, 4
    barrier = threading.Barrier(writers)
    saved, errors = [], []

    def writer(number: int) -> None:
        barrier.wait()
        for save in range(saves_each):
            try:
                result = store.save_version(first.scenario_id, f"sessie {number} bewaring {save}", "",
                                            content(note=f"{number}-{save}"), based_on_version=1)
                saved.append(result.version)
            except Exception as error:  # collected: an exception in a thread would otherwise be lost
                errors.append(error)

    for number in range(writers):
        threads.append(threading.Thread(target=writer, args=(number,)))
        threads[-1].start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    total = writers * saves_each
    assert sorted(saved) == list(range(2, total + 2))
    versions = store.versions(first.scenario_id)
    assert [v.version for v in versions] == list(range(1, total + 2))
    titles = {v.title for v in versions[1:]}
    assert titles == {f"sessie {n} bewaring {s}" for n in range(writers) for s in range(saves_each)}
    notes = {store.load(first.scenario_id, v.version).content.scheme.partnerships[0]["notes"] for v in versions[1:]}
    assert notes == {f"{n}-{s}" for n in range(writers) for s in range(saves_each)}


def test_concurrent_new_scenarios_get_their_own_ids(store):
    ids, errors = [], []

    def writer(number: int) -> None:
        try:
            ids.append(store.save_new(f"Nieuw {number}", "", content()).scenario_id)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(set(ids)) == 8
    assert {store.load(i).title for i in ids} == {f"Nieuw {n}" for n in range(8)}


# -------------------------------------------------------------------------------------------------------------
# Ids and links
# -------------------------------------------------------------------------------------------------------------

def test_ids_carry_at_least_128_random_bits(store):
    ids = {store.save_new("x", "", content()).scenario_id for _ in range(5)}
    assert len(ids) == 5
    for scenario_id in ids:
        raw = base64.urlsafe_b64decode(scenario_id + "=" * (-len(scenario_id) % 4))
        assert len(raw) * 8 >= 128


@pytest.mark.parametrize("bad", ["", "abc", "x" * 23, "x" * 25, "a" * 23 + "/", "../../etc/passwd",
                                 "aaaaaaaaaaaaaaaaaaaaaaa'", None, 12345, "ab cd" * 5])
def test_a_malformed_id_is_rejected_before_the_database(store, bad):
    with pytest.raises(InvalidScenarioReference) as caught:
        store.load(bad)
    assert "scenariocode" in str(caught.value) and "ongeldig" in str(caught.value)
    with pytest.raises(InvalidScenarioReference):
        store.save_version(bad, "t", "", content())
    with pytest.raises(InvalidScenarioReference):
        store.versions(bad)


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "twee", "", " ", "١", True, 0, 2**31, "9" * 30])
def test_a_malformed_version_is_rejected(store, bad):
    saved = store.save_new("t", "", content())
    with pytest.raises(InvalidScenarioReference) as caught:
        store.load(saved.scenario_id, bad)
    assert "versienummer" in str(caught.value)


def test_an_unknown_id_or_version_says_so(store):
    unknown = "A" * 24
    with pytest.raises(ScenarioNotFound) as caught:
        store.load(unknown)
    assert "bestaat niet" in str(caught.value)
    with pytest.raises(ScenarioNotFound):
        store.save_version(unknown, "t", "", content())
    with pytest.raises(ScenarioNotFound):
        store.versions(unknown)
    saved = store.save_new("t", "", content())
    store.save_version(saved.scenario_id, "t2", "", content())
    with pytest.raises(ScenarioNotFound) as caught:
        store.load(saved.scenario_id, 7)
    assert "Versie 7" in str(caught.value) and "laatste versie is 2" in str(caught.value)
    assert check_version("2") == 2 and check_version(3) == 3


def test_every_error_is_a_store_error_with_a_dutch_message():
    for error_type in (StoreUnavailable, StoreLocked, StoreReadOnly, StoreCorrupt, StoreSchemaTooNew,
                       InvalidScenarioReference, ScenarioNotFound, ScenarioLimitExceeded, InvalidScenarioContent):
        assert issubclass(error_type, ScenarioStoreError)


# -------------------------------------------------------------------------------------------------------------
# Limits
# -------------------------------------------------------------------------------------------------------------

def _with_memberships(number: int) -> ScenarioContent:
    codes = [f"{10000 + i:05d}" for i in range(number)]
    return content(members={"groot": codes})


def test_size_limits_have_clear_messages_and_write_nothing(store):
    saved = store.save_new("Grens", "", _with_memberships(MAX_MEMBERSHIPS))
    assert len(store.load(saved.scenario_id).content.scheme.memberships) == MAX_MEMBERSHIPS
    with pytest.raises(ScenarioLimitExceeded) as caught:
        store.save_version(saved.scenario_id, "Te groot", "", _with_memberships(MAX_MEMBERSHIPS + 1))
    assert "5.001 lidmaatschappen" in str(caught.value) and "maximum is 5.000" in str(caught.value)

    store.save_version(saved.scenario_id, "Lange toelichting", "x" * MAX_NOTE_CHARS, content())
    with pytest.raises(ScenarioLimitExceeded) as caught:
        store.save_version(saved.scenario_id, "Te lange toelichting", "x" * (MAX_NOTE_CHARS + 1), content())
    assert "10.001 tekens" in str(caught.value) and "10.000" in str(caught.value)

    store.save_version(saved.scenario_id, "t" * MAX_TITLE_CHARS, "", content())
    with pytest.raises(ScenarioLimitExceeded) as caught:
        store.save_version(saved.scenario_id, "t" * (MAX_TITLE_CHARS + 1), "", content())
    assert "titel" in str(caught.value)
    for title in ("", "   ", None):
        with pytest.raises(InvalidScenarioContent) as caught:
            store.save_new(title, "", content())
        assert "titel" in str(caught.value)
    with pytest.raises(ScenarioLimitExceeded) as caught:
        store.save_version(saved.scenario_id, "Enorme bron", "", content(note="x" * 6_000_000))
    assert "kB" in str(caught.value)
    assert [v.version for v in store.versions(saved.scenario_id)] == [1, 2, 3]


def test_malformed_content_is_refused_with_a_message(store):
    bad_version = replace(content(), scheme=replace(scheme(), boundary_version="2030"))
    with pytest.raises(InvalidScenarioContent, match="grensversie"):
        store.save_new("t", "", bad_version)
    bad_column = replace(content(), scheme=replace(scheme(), memberships=({"nis": "11002", "kleur": "rood"},)))
    with pytest.raises(InvalidScenarioContent, match="kleur"):
        store.save_new("t", "", bad_column)
    bad_value = replace(content(), scheme=replace(scheme(), memberships=({"nis": object()},)))
    with pytest.raises(InvalidScenarioContent, match="object"):
        store.save_new("t", "", bad_value)
    with pytest.raises(InvalidScenarioContent, match="Filter .provincie."):
        store.save_new("t", "", replace(content(), filters={"provincie": 3}))
    mixed = replace(content(), start=replace(content().start, scheme=scheme("2025")))
    with pytest.raises(InvalidScenarioContent, match="grensversie"):
        store.save_new("t", "", mixed)


def test_the_json_document_is_stable():
    one = content()
    shuffled_rows = tuple(dict(reversed(list(row.items()))) for row in one.scheme.memberships)
    other = replace(one, scheme=replace(one.scheme, memberships=shuffled_rows),
                    filters=dict(reversed(list(one.filters.items()))))
    assert encode_content(one) == encode_content(other)
    document = json.loads(encode_content(one))
    assert document["format"] == "regiekaart-scenario" and document["format_version"] == 1
    assert document["scheme"]["memberships"]["columns"] == MEMBERSHIP_COLUMNS
    assert document["scheme"]["partnerships"]["columns"] == PARTNERSHIP_COLUMNS
    assert document["scheme"]["non_participants"]["columns"] == NON_PARTICIPANT_COLUMNS
    # A missing value that pandas wrote as NaN is stored as null (JSON has no NaN).
    with_nan = replace(one, scheme=replace(one.scheme, memberships=({"nis": "11002", "evidence": float("nan")},)))
    row = json.loads(encode_content(with_nan))["scheme"]["memberships"]["rows"][0]
    assert row[MEMBERSHIP_COLUMNS.index("evidence")] is None and row[MEMBERSHIP_COLUMNS.index("nis")] == "11002"


# -------------------------------------------------------------------------------------------------------------
# Schema creation and upgrade
# -------------------------------------------------------------------------------------------------------------

def _add_colour_column(connection) -> None:
    """A version 2 made up for the test: a column for a map colour per saved version."""
    connection.execute(sa.text("ALTER TABLE regiekaart_scenario_versions ADD COLUMN map_colour VARCHAR(7)"))


def test_the_store_creates_its_schema_on_first_use(database_url):
    store = ScenarioStore(database_url)
    assert store.ensure_schema() == 1
    engine = engine_for(database_url)
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        assert {"regiekaart_schema_version", "regiekaart_scenario_versions"} <= tables
        assert connection.execute(sa.text("SELECT version FROM regiekaart_schema_version")).scalars().all() == [1]
    # Opened again (another server, a restart): nothing is created twice.
    again = ScenarioStore(database_url)
    assert again.ensure_schema() == 1
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version FROM regiekaart_schema_version")).scalars().all() == [1]
    engine.dispose()
    store.close()
    again.close()


def test_an_older_schema_is_upgraded_and_keeps_its_scenarios(database_url):
    old = ScenarioStore(database_url, migrations=MIGRATIONS)
    saved = old.save_new("Van vóór de upgrade", "", content())
    old.close()
    version_2 = (*MIGRATIONS, Migration(2, "kaartkleur per versie", _add_colour_column))
    new = ScenarioStore(database_url, migrations=version_2)
    assert new.ensure_schema() == 2
    engine = engine_for(database_url)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("regiekaart_scenario_versions")}
        assert "map_colour" in columns
        assert connection.execute(sa.text("SELECT version FROM regiekaart_schema_version")).scalars().all() == [2]
    engine.dispose()
    assert new.load(saved.scenario_id).content == content()
    assert new.save_version(saved.scenario_id, "Na de upgrade", "", content()).version == 2
    new.close()
    # The older Regiekaart refuses a database that a newer one upgraded, instead of misreading it.
    with pytest.raises(StoreSchemaTooNew) as caught:
        ScenarioStore(database_url, migrations=MIGRATIONS).load(saved.scenario_id)
    assert "nieuwere versie van Regiekaart" in str(caught.value)


def test_concurrent_first_use_creates_the_schema_once(database_url):
    errors = []
    barrier = threading.Barrier(4)

    def opener() -> None:
        barrier.wait()
        try:
            ScenarioStore(database_url).ensure_schema()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    engine = engine_for(database_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version FROM regiekaart_schema_version")).scalars().all() == [1]
    engine.dispose()


# -------------------------------------------------------------------------------------------------------------
# Where the database is, and what goes wrong with it (SQLite files, an unreachable server)
# -------------------------------------------------------------------------------------------------------------

def test_the_default_file_is_created_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("REGIEKAART_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = ScenarioStore()
    expected = tmp_path / "data" / "regiekaart" / "scenarios.sqlite"
    assert store.location == str(expected) and not expected.exists()
    saved = store.save_new("Standaardlocatie", "", content())
    assert expected.is_file()
    assert ScenarioStore().load(saved.scenario_id).title == "Standaardlocatie"


def test_regiekaart_db_chooses_a_file_or_a_database_url(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIEKAART_DB", str(tmp_path / "eigen.sqlite"))
    assert open_store().location == str(tmp_path / "eigen.sqlite")
    assert (tmp_path / "eigen.sqlite").is_file()
    monkeypatch.setenv("REGIEKAART_DB", f"sqlite:///{tmp_path / 'url.sqlite'}")
    assert open_store().location == str(tmp_path / "url.sqlite")
    monkeypatch.setenv("REGIEKAART_DB", "postgresql://gebruiker:geheim@127.0.0.1:5/regiekaart")
    location = ScenarioStore().location
    assert location.startswith("postgresql+psycopg://gebruiker:") and "geheim" not in location


def test_a_missing_directory_is_reported_not_created(tmp_path):
    store = ScenarioStore(str(tmp_path / "bestaat-niet" / "scenarios.sqlite"))
    with pytest.raises(StoreUnavailable) as caught:
        store.save_new("t", "", content())
    assert "bestaat niet" in str(caught.value) and str(tmp_path / "bestaat-niet") in str(caught.value)
    assert not (tmp_path / "bestaat-niet").exists()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "scenarios.sqlite"
    path.write_bytes(b"Dit is een tekstbestand, geen database.\n" * 50)
    store = ScenarioStore(str(path))
    with pytest.raises(StoreCorrupt) as caught:
        store.load("A" * 24)
    assert "geen (leesbare) database" in str(caught.value) and str(path) in str(caught.value)
    with pytest.raises(StoreCorrupt):
        store.save_new("t", "", content())
    assert path.read_bytes().startswith(b"Dit is een tekstbestand")  # left as it was


def test_a_damaged_version_is_reported_and_the_others_still_load(database_url):
    store = ScenarioStore(database_url)
    saved = store.save_new("Goed", "", content())
    store.save_version(saved.scenario_id, "Beschadigd", "", content())
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE regiekaart_scenario_versions SET payload = :p WHERE version = 2"),
                           {"p": '{"format": "regiekaart-scenario", "format_version": 1, "scheme": 3'})
    engine.dispose()
    with pytest.raises(StoreCorrupt) as caught:
        store.load(saved.scenario_id)
    assert "Versie 2" in str(caught.value) and "beschadigd" in str(caught.value)
    assert store.load(saved.scenario_id, 1).content == content()
    store.close()


@pytest.fixture
def world_readable_dir():
    """A temporary directory that another user may enter (tmp_path's parents are private to the test user)."""
    folder = Path(tempfile.mkdtemp(prefix="regiekaart-store-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.iterdir():
        path.chmod(0o644)
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


@contextmanager
def without_write_access(path: Path):
    """While inside, this process cannot write ``path`` (file or directory): its write bits are removed, and when
    the tests run as root (as CI does), for whom permissions do not count, the effective user is 'nobody'."""
    mode = path.stat().st_mode
    path.chmod(mode & ~0o222)
    dropped = False
    try:
        if os.geteuid() == 0:
            os.seteuid(pwd.getpwnam("nobody").pw_uid)
            dropped = True
        yield
    finally:
        if dropped:
            os.seteuid(0)
        path.chmod(mode)


def test_a_read_only_file_can_be_read_but_not_written(world_readable_dir):
    path = world_readable_dir / "scenarios.sqlite"
    store = ScenarioStore(str(path))
    saved = store.save_new("Alleen-lezen", "", content())
    path.chmod(0o644)
    store.close()  # the next connection is opened without write access
    with without_write_access(path):
        assert store.load(saved.scenario_id).content == content()
        with pytest.raises(StoreReadOnly) as caught:
            store.save_version(saved.scenario_id, "Poging", "", content())
        store.close()
    assert "alleen-lezen" in str(caught.value) and str(path) in str(caught.value)
    assert [v.version for v in ScenarioStore(str(path)).versions(saved.scenario_id)] == [1]


def test_a_file_that_cannot_be_created(world_readable_dir):
    path = world_readable_dir / "scenarios.sqlite"
    store = ScenarioStore(str(path))
    with without_write_access(world_readable_dir):
        with pytest.raises(StoreUnavailable) as caught:
            store.save_new("t", "", content())
        store.close()
    assert "kan niet geopend of aangemaakt worden" in str(caught.value)
    assert not path.exists()


def test_a_locked_file_is_waited_for_and_then_reported(tmp_path):
    path = tmp_path / "scenarios.sqlite"
    store = ScenarioStore(str(path), busy_timeout_s=0.2, attempts=2)
    saved = store.save_new("Bezet", "", content())
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLocked) as caught:
            store.save_version(saved.scenario_id, "Tijdens de blokkering", "", content())
        with pytest.raises(StoreLocked):
            store.load(saved.scenario_id)
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert "bezet" in str(caught.value)
    assert store.save_version(saved.scenario_id, "Daarna", "", content()).version == 2


def test_a_short_lock_is_waited_out(tmp_path):
    path = tmp_path / "scenarios.sqlite"
    store = ScenarioStore(str(path), busy_timeout_s=10)
    saved = store.save_new("Even bezet", "", content())
    other_writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other_writer.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.5, lambda: other_writer.execute("COMMIT"))
    release.start()
    try:
        assert store.save_version(saved.scenario_id, "Na het wachten", "", content()).version == 2
    finally:
        release.join()
        other_writer.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_postgresql_server(tmp_path):
    store = ScenarioStore(f"postgresql+psycopg://regiekaart:zeergeheim@127.0.0.1:{_closed_port()}/regiekaart",
                          connect_timeout_s=2)
    with pytest.raises(StoreUnavailable) as caught:
        store.save_new("t", "", content())
    message = str(caught.value)
    assert "niet bereikbaar" in message and "De rest van het dashboard werkt gewoon" in message
    assert "zeergeheim" not in message and "zeergeheim" not in caught.value.detail
    with pytest.raises(StoreUnavailable):
        store.load("A" * 24)


def test_an_unusable_url(monkeypatch):
    for url in ("geenjuistedriver+nergens://x/y", "postgresql+psycopg://[::zz/db"):
        with pytest.raises(StoreUnavailable) as caught:
            ScenarioStore(url).ensure_schema()
        assert "scenario-opslag" in str(caught.value) or "REGIEKAART_DB" in str(caught.value)
