"""Hardening of every upload loader: generated bad files never raise, always explain themselves in Dutch.

Property (hypothesis, 640 generated files in all): ``read_raw_sheets``, ``read_upload_table``,
``read_membership_upload`` and ``read_indicator_upload`` return ``(data or None, [Problem, ...])`` for random
bytes, wrong encodings, missing/extra/duplicated columns, formula cells, huge cells, empty sheets, workbooks with
several sheets, mixed CSV separators and BOMs; every problem names the file and says what is wrong in Dutch, and
no problem is the loaders' last-resort "could not be processed (SomeException)" message (that one means a bug
was swallowed).

Uploads also never change anything bundled or cached: every file under ``geodata/data/`` and the cache directory
is hashed before and after (in-process and through the app), and a file just over the size limit gets a clear
message, consistently with Streamlit's own limit in ``.streamlit/config.toml``.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL_IN_XLSX

from geodata.indicator_upload import read_indicator_upload
from geodata.membership import Scheme
from geodata.official_list import read_membership_upload
from geodata.municipalities import load_merger_table, load_municipalities
from geodata.uploads import MAX_UPLOAD_BYTES, Problem, RawSheet, UploadTable, read_raw_sheets, read_upload_table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "geodata" / "data"


# Words of which a Dutch sentence of this app has at least one; English fallbacks have none of them.
DUTCH_WORDS = {"de", "het", "een", "is", "niet", "geen", "van", "in", "op", "met", "en", "of", "te", "bestand",
               "kolom", "rij", "rijen", "blad", "bladen", "cel", "cellen", "gemeente", "verband", "leeg", "waarde",
               "jaar", "gelezen", "ontbreekt", "ontbreken", "onbekend", "onbekende", "twee", "keer", "heeft", "bevat",
               "dit", "dat", "als", "voor", "uit", "naar", "wordt", "zijn", "kan", "kon", "gegevens", "tekens"}
ENGLISH_MARKERS = ("Traceback", "the file", "could not", "invalid", "not found", "Error:", "unexpected")
# Last-resort messages of the loaders' catch-all `except Exception` (a swallowed bug, not a user error).
SWALLOWED = ("Het bestand kon niet verwerkt worden (", "Het bestand kon niet gelezen worden (")

MUNICIPALITIES = load_municipalities("2019")
NAMES = sorted(MUNICIPALITIES["name"])
CODES = sorted(MUNICIPALITIES["nis"])
MERGERS = load_merger_table()

FUZZ = settings(max_examples=160, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- generators --------------------------------------------------------------------------------------------

HEADERS = ["samenwerkingsverband", "verband", "gemeente", "nis", "NIS-code", "Gemeente", "naam", "rol", "bron",
           "betrouwbaarheid", "toelichting", "jaar", "indicator", "waarde", "eenheid", "2019", "2020", "2023",
           "Werkzoekenden 2023", "% 2022", "", "kolom", "Ω", "=SUM(A1:A3)", "gemeente ", "GEMEENTE"]
FORMULAS = ["=1+1", "=SUM(A1:A9)", '=HYPERLINK("http://x","klik")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
            "=A1&A2", "=1/0"]
WEIRD = ["", " ", "\u00a0", "geen", "-", "x", "n.b.", "<5", "1.234,5", "12,3 %", "1 234", "-3,2", "0,081", "ja",
         "bevestigd", "vermoedelijk", "?", "99999", "11002", "11002.0", "1e9", "NaN", "None", "WAAR", "'0",
         "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "{{ 7*7 }}", "${alert(3)}",
         "Sint-Niklaas", "St.-Niklaas", "Saint-Nicolas", "BORSBEEK", "Pajottegem", "Baarle-Hertog", "Vlaanderen",
         "Provincie Limburg", "Totaal", "Anvers", "Gendt", "Gent\tStad", 'a"b', "a;b,c|d", "\ufeffGent"]


def cell_text():
    return st.one_of(
        st.sampled_from(WEIRD), st.sampled_from(NAMES), st.sampled_from(CODES), st.sampled_from(FORMULAS),
        st.text(max_size=25), st.integers(-10**6, 10**9).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(lambda f: f"{f}".replace(".", ",")),
        st.integers(2_001, 9_000).map(lambda n: "x" * n),  # huge cells (beyond the 2,000-character limit)
    )


@st.composite
def header_row(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=7))
    if draw(st.booleans()) and headers:
        headers.append(draw(st.sampled_from(headers)))  # duplicated header
    return headers


@st.composite
def table_rows(draw):
    header = draw(header_row())
    width = draw(st.integers(0, 8))
    rows = draw(st.lists(st.lists(cell_text(), min_size=0, max_size=width), min_size=0, max_size=12))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), [])  # an empty row somewhere
    return [header, *rows] if header or draw(st.booleans()) else rows


@st.composite
def csv_upload(draw):
    rows = draw(table_rows())
    separators = draw(st.lists(st.sampled_from([";", ",", "\t", "|"]), min_size=1, max_size=3))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = []
    for number, row in enumerate(rows):
        separator = separators[number % len(separators)]  # mixed separators
        lines.append(separator.join(('"' + c.replace('"', '""') + '"') if draw(st.booleans()) and c else c
                                    for c in row))
    text = newline.join(lines)
    if draw(st.booleans()):
        text += draw(st.sampled_from(['"unbalanced', "\x00\x01", "\u2028", "\\", ";;;;;;;;"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le",
                                     "utf-16-be", "utf-32", "mac_roman", "cp850"]))
    data = text.encode(encoding, errors="replace")
    bom = draw(st.sampled_from([b"", b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]))
    return bom + data, draw(st.sampled_from(["lidmaatschap.csv", "indicator.txt", "data.CSV", "export.xlsx"]))


@st.composite
def xlsx_upload(draw):
    from openpyxl import Workbook

    book = Workbook()
    sheets = draw(st.integers(1, 3))
    for position in range(sheets):
        sheet = book.active if position == 0 else book.create_sheet()
        sheet.title = draw(st.sampled_from(["Lidmaatschap", "Blad1", "Data", "Uitleg", "Sheet"])) + str(position)
        for row in draw(table_rows()):  # may be empty: an empty sheet
            values = []
            for value in row:
                choice = draw(st.integers(0, 9))
                if choice == 0 and value.lstrip("-").isdigit() and len(value) < 15:
                    values.append(int(value))
                elif choice == 1:
                    values.append(draw(st.floats(allow_nan=False, allow_infinity=False)))
                elif choice == 2:
                    values.append(draw(st.booleans()))
                elif choice == 3:
                    values.append(draw(st.dates()))
                else:  # characters a workbook cannot hold are left out (openpyxl refuses them)
                    values.append(ILLEGAL_IN_XLSX.sub("", value)[:32_000])
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if draw(st.integers(0, 5)) == 0:
        data = data[: draw(st.integers(4, max(4, len(data) - 1)))]  # a truncated workbook
    return data, draw(st.sampled_from(["lidmaatschap.xlsx", "indicator.xlsx", "export.csv"]))


@st.composite
def odd_upload(draw):
    kind = draw(st.integers(0, 5))
    if kind == 0:
        data = draw(st.binary(min_size=1, max_size=3_000))
    elif kind == 1:
        data = b"PK\x03\x04" + draw(st.binary(max_size=500))  # looks like a workbook, is not
    elif kind == 2:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + draw(st.binary(max_size=200))  # legacy .xls
    elif kind == 3:
        data = draw(st.sampled_from([b"", b" ", b"\n\n\n", b"\xef\xbb\xbf", b";;;\n;;;", b"\xff\xfe", b"\x00"]))
    elif kind == 4:
        data = codecs.BOM_UTF8 + draw(st.text(max_size=300)).encode("utf-8", errors="replace")
    else:
        data = draw(st.text(max_size=400)).encode("utf-8", errors="surrogatepass")
    return data, draw(st.sampled_from(["rommel.csv", "rommel.xlsx", "rommel.bin"]))


@st.composite
def near_valid_rows(draw):
    """A membership or indicator table that is almost right: real names and codes, a few broken cells."""
    if draw(st.booleans()):
        columns = draw(st.permutations(["samenwerkingsverband", draw(st.sampled_from(["gemeente", "nis", "Gemeente"])),
                                        *draw(st.lists(st.sampled_from(["rol", "bron", "betrouwbaarheid",
                                                                        "toelichting", "extra"]), max_size=3,
                                                       unique=True))]))
        partnerships = draw(st.lists(st.sampled_from(["geen", "Midwest", "W13", "Regio Genk",
                                                                  "<img src=x onerror=alert(1)>", "{{ 7*7 }}"]),
                                     min_size=1, max_size=3))
        rows = []
        for _ in range(draw(st.integers(1, 15))):
            row = {"samenwerkingsverband": draw(st.sampled_from(partnerships)),
                   "gemeente": draw(st.sampled_from(NAMES)), "Gemeente": draw(st.sampled_from(NAMES)),
                   "nis": draw(st.sampled_from(CODES)),
                   "betrouwbaarheid": draw(st.sampled_from(["bevestigd", "vermoedelijk", "", "misschien"])),
                   "rol": "lid", "bron": "https://example.org", "toelichting": "", "extra": "x"}
            if draw(st.integers(0, 4)) == 0:
                row[draw(st.sampled_from(columns))] = draw(cell_text())  # one broken cell
            rows.append([row[column] for column in columns])
        return [columns, *rows]
    years = draw(st.lists(st.sampled_from(["2019", "2020", "2021", "2022", "2023", "Aantal 2023", "% 2023"]),
                          min_size=1, max_size=4, unique=True))
    title = [[draw(st.sampled_from(["Werkzoekenden", "Bron: VDAB", "Leefloners (aantal)"]))]] \
        if draw(st.booleans()) else []
    rows = [[draw(st.sampled_from(NAMES + CODES + WEIRD[:8])),
             *(draw(st.sampled_from(WEIRD[:16]) | st.integers(0, 10**5).map(str)) for _ in years)]
            for _ in range(draw(st.integers(1, 15)))]
    return [*title, [draw(st.sampled_from(["gemeente", "NIS", "Gemeente", "regio"])), *years], *rows]


@st.composite
def near_valid_upload(draw):
    rows = draw(near_valid_rows())
    if draw(st.booleans()):
        separator = draw(st.sampled_from([";", ",", "\t"]))
        text = "\n".join(separator.join(row) for row in rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        return text.encode(encoding, errors="replace"), "bijna-goed.csv"
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append([ILLEGAL_IN_XLSX.sub("", cell) for cell in row])
    if draw(st.booleans()):
        book.create_sheet("Leeg")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), "bijna-goed.xlsx"


bad_uploads = st.one_of(csv_upload(), xlsx_upload(), odd_upload(), near_valid_upload(), near_valid_upload())


# --- the property ------------------------------------------------------------------------------------------

def is_dutch(message: str) -> bool:
    words = {word.strip(".,:;()'\"!?").lower() for word in message.split()}
    return bool(words & DUTCH_WORDS) and not any(marker in message for marker in ENGLISH_MARKERS)


def check_problems(problems, filename: str) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.file == filename, problem
        assert problem.severity in ("fout", "waarschuwing"), problem
        assert problem.message and is_dutch(problem.message), problem
        assert not problem.message.startswith(SWALLOWED), f"a loader swallowed an exception: {problem}"
        assert problem.row is None or (isinstance(problem.row, int) and problem.row >= 0), problem
        assert problem.column is None or isinstance(problem.column, str), problem


@pytest.mark.slow
@FUZZ
@given(bad_uploads)
def test_raw_sheets_never_raise(upload):
    data, filename = upload
    sheets, problems = read_raw_sheets(data, filename)
    check_problems(problems, filename)
    assert isinstance(sheets, list) and all(isinstance(sheet, RawSheet) for sheet in sheets)
    if not sheets:
        assert any(problem.is_error for problem in problems)  # nothing read: the user is told why


@pytest.mark.slow
@FUZZ
@given(bad_uploads)
def test_upload_table_never_raises(upload):
    data, filename = upload
    table, problems = read_upload_table(data, filename, preferred_sheet="Lidmaatschap")
    check_problems(problems, filename)
    assert table is None or isinstance(table, UploadTable)
    if table is None:
        assert any(problem.is_error for problem in problems)
    else:
        assert not any(problem.is_error for problem in problems)
        assert len(set(table.frame.columns)) == len(table.frame.columns)  # duplicated headers never pass


@pytest.mark.slow
@FUZZ
@given(bad_uploads)
def test_membership_upload_never_raises(upload):
    data, filename = upload
    scheme, problems = read_membership_upload(data, filename, MUNICIPALITIES[["nis", "name"]], MERGERS)
    check_problems(problems, filename)
    assert scheme is None or isinstance(scheme, Scheme)
    if scheme is None:
        assert any(problem.is_error for problem in problems)
    else:
        assert not any(problem.is_error for problem in problems)
        assert set(scheme.memberships["nis"]) <= set(CODES)


@pytest.mark.slow
@FUZZ
@given(bad_uploads, st.sampled_from(["2019", "2025"]))
def test_indicator_upload_never_raises(upload, version):
    data, filename = upload
    frame, problems = read_indicator_upload(data, filename, version)
    check_problems(problems, filename)
    assert frame is None or isinstance(frame, pd.DataFrame)
    if frame is None:
        assert any(problem.is_error for problem in problems)


# --- nothing bundled or cached changes --------------------------------------------------------------------

def tree_hashes(*folders: Path) -> dict[str, str]:
    hashes = {}
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def cache_dir() -> Path:
    from geodata.fetch import cache_root

    return cache_root()


GOOD_MEMBERSHIP = "gemeente;verband\nGenk;Genk e.o.\nAs;Genk e.o.\nZutendaal;Genk e.o.\n".encode()


def test_uploads_in_process_change_no_bundled_or_cached_file():
    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer

    web_layer("2019")  # the caches exist before we look
    bundled = bundled_view("regie-2020-2025", "2019").scheme.memberships.copy()
    before = tree_hashes(DATA_DIR, cache_dir())
    assert any("regie-2020-2025" in path for path in before)
    uploads = [(GOOD_MEMBERSHIP, "goed.csv"), (b"gemeente;verband\nGendt;X\n", "fout.csv"),
               (bytes(range(256)) * 40, "rommel.xlsx"), (b"x" * (MAX_UPLOAD_BYTES + 1), "groot.csv")]
    for data, filename in uploads:
        read_membership_upload(data, filename)
        read_upload_table(data, filename)
        read_indicator_upload(data, filename, "2019")
    scheme, problems = read_membership_upload(GOOD_MEMBERSHIP, "goed.csv")
    assert scheme is not None and not problems
    assert tree_hashes(DATA_DIR, cache_dir()) == before
    pd.testing.assert_frame_equal(bundled_view("regie-2020-2025", "2019").scheme.memberships, bundled)


@pytest.mark.slow
def test_uploads_through_the_app_change_no_bundled_or_cached_file():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/gegevens.py")
    at.run()
    assert not at.exception
    before = tree_hashes(DATA_DIR, cache_dir())
    at.file_uploader(key="membership-upload").set_value(("goed.csv", GOOD_MEMBERSHIP, "text/csv")).run()
    next(b for b in at.button if b.label.startswith("Gebruik deze upload")).click().run()
    assert at.session_state["f_scheme"] == "upload"
    for page in ("dashboard.py", "pages/dekking.py", "pages/gegevens.py"):
        at.switch_page(page)
        at.run()
    at.file_uploader(key="membership-upload").set_value(("rommel.xlsx", bytes(range(256)) * 40,
                                                          "application/octet-stream")).run()
    assert not at.exception
    assert tree_hashes(DATA_DIR, cache_dir()) == before


# --- the size limit -----------------------------------------------------------------------------------------

def test_a_file_just_over_the_limit_gets_a_clear_message():
    header = b"gemeente;verband\n"
    body = header + b"Gent;X\n" * ((MAX_UPLOAD_BYTES - len(header) - 20) // 7)
    data = body + b"Gent;" + b"Y" * (MAX_UPLOAD_BYTES + 1 - len(body) - 6) + b"\n"
    assert len(data) == MAX_UPLOAD_BYTES + 1
    scheme, problems = read_membership_upload(data, "groot.csv")
    assert scheme is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.is_error and problem.file == "groot.csv"
    limit_mb = MAX_UPLOAD_BYTES // 1024 // 1024
    assert f"de grens is {limit_mb} MB" in problem.message and is_dutch(problem.message)
    assert read_membership_upload(data[:MAX_UPLOAD_BYTES], "net.csv")[1][0].message != problem.message


def test_streamlit_upload_limit_is_the_apps_one_limit():
    """One limit: Streamlit's server.maxUploadSize (MB, what the browser enforces before a file reaches the app) is
    the app's own MAX_UPLOAD_MB, which the labels state and the readers enforce with a Dutch message. (Before, the
    label said 5 MB while the browser let files through up to 10 MB and then refused larger ones in English.)"""
    from geodata.uploads import MAX_UPLOAD_MB, upload_label

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1024 * 1024
    assert upload_label("Lijst") == f"Lijst (CSV of XLSX, max. {MAX_UPLOAD_MB} MB)"


@pytest.mark.slow
def test_the_upload_page_states_the_same_limit_and_explains_an_oversized_file():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=240)
    at.run()
    at.switch_page("pages/gegevens.py")
    at.run()
    uploader = at.file_uploader(key="membership-upload")
    assert f"max. {MAX_UPLOAD_BYTES // 1024 // 1024} MB" in uploader.label
    uploader.set_value(("groot.csv", b"x" * (MAX_UPLOAD_BYTES + 1), "text/csv")).run()
    assert not at.exception
    assert at.error and "groot.csv" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems["Bestand"].tolist() == ["groot.csv"]
    assert "de grens is" in problems["Probleem"].iloc[0]
