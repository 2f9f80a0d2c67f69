"""Download buttons shared by every page: tables as XLSX/CSV, maps as print-ready PNG/PDF.

Every table on a page goes through `show_table`, so each one shows Belgian numbers, "onbekend" for missing
values and the same two download buttons; every map page offers its print version through `print_figures` (or
`print_downloads` for a map with its own builder). Files are made only when a button is clicked.
"""

from __future__ import annotations

import streamlit as st

from analysis import figures, printmap
from analysis.filters import centre_cities
from analysis.formatting import MISSING_TEXT, format_eur, format_number, format_percent, is_missing
from analysis.tables import number_format, to_csv_bytes, to_xlsx_bytes
from geodata import vocabulary
from geodata.names import slug
from ui import state

XLSX_LABEL = "⬇ Excel (XLSX)"
CSV_LABEL = "⬇ CSV"
PNG_LABEL = "⬇ PNG (300 dpi)"
PDF_LABEL = "⬇ PDF (vector)"
ORIENTATIONS = {"landscape": "A4 liggend", "portrait": "A4 staand"}


def table_downloads(frame, stem: str, key: str, sheet: str = "Tabel", *, numbers: dict[str, int | None] | None = None,
                    percents: dict[str, int] | None = None, euros: list[str] | None = None) -> None:
    """XLSX and CSV download buttons for a table (no rerun on click); the files are made only when clicked.

    Pages call this through `show_table(..., download=(stem, sheet))`, so every table has the same buttons.
    `numbers`, `percents` and `euros` are the screen's formats (see `show_table`): the CSV rounds as the screen shows
    (counts as integers), the XLSX keeps full precision with the matching number format.
    """
    decimals = dict(numbers or {})
    decimals.update({column: places + 2 for column, places in (percents or {}).items()})  # shares are fractions
    decimals.update({column: 0 for column in (euros or [])})
    formats = {column: number_format(places) for column, places in (numbers or {}).items()}
    formats.update({column: number_format(places, percent=True) for column, places in (percents or {}).items()})
    formats.update({column: number_format(0) for column in (euros or [])})
    formats = {column: fmt for column, fmt in formats.items() if fmt is not None}
    left, middle, right = st.columns([1, 1, 1])
    left.download_button(XLSX_LABEL, lambda: to_xlsx_bytes({sheet: frame}, number_formats=formats),
                         file_name=f"{stem}.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key=f"{key}-xlsx", on_click="ignore")
    comma = right.toggle("decimaalkomma", value=True, key=f"{key}-comma",
                         help="CSV met ; en decimaalkomma, zoals Excel in België verwacht")
    middle.download_button(CSV_LABEL, lambda: to_csv_bytes(frame, decimal_comma=comma, decimals=decimals),
                           file_name=f"{stem}.csv", mime="text/csv", key=f"{key}-csv", on_click="ignore")


def print_downloads(make_spec, stem: str, key: str) -> None:
    """PNG (A4, 300 dpi) and PDF download buttons for a print map, A4 landscape or portrait.

    `make_spec(orientation)` returns the `PrintMap`; it runs only when a button is clicked, so offering the
    buttons costs nothing. Keys are derived from `key` and must be unique on the page.
    """
    st.caption("Afdrukversie van deze kaart: A4 met titel, filters, legende, bron, schaalstok en noordpijl.")
    left, middle, right = st.columns([1, 1, 1])
    orientation = right.radio("Papier", list(ORIENTATIONS), key=f"{key}-orient", horizontal=True,
                              format_func=ORIENTATIONS.get)
    left.download_button(PNG_LABEL, lambda: printmap.export_png(make_spec(orientation)),
                         file_name=f"{stem}.png", mime="image/png", key=f"{key}-png", on_click="ignore")
    middle.download_button(PDF_LABEL, lambda: printmap.export_pdf(make_spec(orientation)),
                           file_name=f"{stem}.pdf", mime="application/pdf", key=f"{key}-pdf", on_click="ignore")


def show_table(frame, numbers: dict[str, int | None] | None = None, percents: dict[str, int] | None = None,
               euros: list[str] | None = None, height: int | None = None, *,
               download: tuple[str, str] | None = None, key: str | None = None,
               column_config: dict | None = None) -> None:
    """A sortable table with Belgian number notation (sorting still uses the numbers themselves).

    Missing values read "onbekend", never "None" or an empty cell. `numbers` maps a column to its decimals (None:
    whole numbers without decimals, others with one). With `download=(stem, sheet)` the table gets its XLSX and
    CSV buttons underneath (the numbers themselves, not the display text); `key` (default: the stem) keeps the
    buttons' keys unique on the page.
    """
    formats = {column: (_number_format(decimals)) for column, decimals in (numbers or {}).items()}
    formats.update({column: (lambda value, d=decimals: format_percent(value, d))
                    for column, decimals in (percents or {}).items()})
    formats.update({column: format_eur for column in (euros or [])})
    frame = frame.reset_index(drop=True)
    styled = frame.style.format(na_rep=MISSING_TEXT).format(formats)
    kwargs = {"height": height} if height else {}
    if column_config:
        kwargs["column_config"] = column_config
    if frame.empty:
        # Streamlit draws a table without rows as one row reading "empty", in English; say it in Dutch instead.
        st.caption(f"Geen rijen (kolommen: {', '.join(map(str, frame.columns))}).")
    else:
        # The browser shows an empty cell's placeholder, not the Styler's text for it: both say "onbekend".
        st.dataframe(styled, hide_index=True, width="stretch", placeholder=MISSING_TEXT, **kwargs)
    if download is not None:
        stem, sheet = download
        table_downloads(frame, stem, key or stem, sheet=sheet, numbers=numbers, percents=percents, euros=euros)


def _number_format(decimals: int | None):
    if decimals is not None:
        return lambda value: format_number(value, decimals)
    return lambda value: format_number(value, 0 if is_missing(value) or float(value).is_integer() else 1)


def print_figures(view, mask, filters: state.Filters, kind: str, stem: str, key: str, *, text: str | None = None,
                  **options) -> None:
    """Download buttons for the print version (PNG/PDF) of a map, its subtitle stating the current filters.

    `kind`: "coverage" or "gaps". `text` replaces the description of the sidebar filters (a page with its own
    choices adds them, and its `stem` names them); without it the file name gets the sidebar's selection
    (`selection_stem`). `options` go to the figure builder (title, label_partnerships, conflict_nis, counted,
    ...); a coverage map counts the partnerships the sidebar filters count unless `counted` is given.
    """
    builders = {"coverage": figures.coverage_print_map, "gaps": figures.gaps_print_map}
    if kind not in builders:
        raise ValueError(f"Onbekende kaartsoort {kind!r}; kies uit {', '.join(builders)}")
    if text is None:
        stem = selection_stem(stem, view, filters)
        if kind == "coverage":
            options.setdefault("counted", state.counted_partnerships(view, filters, mask))
    described = text if text is not None else state.filter_text(view, filters)
    print_downloads(lambda orientation: builders[kind](view, mask, described, orientation=orientation, **options),
                    stem, key)


def file_stem(*parts: str) -> str:
    """A file name stem from words: "regiekaart", "Sint-Niklaas e.o." -> "regiekaart-sint-niklaas-e-o"."""
    return slug("-".join(str(part) for part in parts if str(part)), default="regiekaart")


def selection_stem(stem: str, view, filters: state.Filters) -> str:
    """A download's file name stem with the selection in it: "regiekaart-overzicht-dekking-centrumstad-kortrijk"."""
    parts = [stem]
    if filters.scheme == vocabulary.SCHEME_REFREG:
        parts.append("referentieregios")
    elif filters.scheme == vocabulary.SCHEME_UPLOAD:
        parts.append("eigen-upload")
    if filters.version != "2019":
        parts.append(f"gemeenten-{filters.version}")
    if filters.province != state.ALL:
        parts.append(f"provincie {filters.province}")
    if filters.region != state.ALL:
        parts.append(f"referentieregio {state.region_options(view).get(filters.region, filters.region)}")
    if filters.centre in (state.CENTRE_WITH, state.CENTRE_WITHOUT):
        parts.append(state.CENTRE_LABELS[filters.centre])
    elif filters.centre != state.CENTRE_ANY:
        parts.append(f"centrumstad {centre_cities(view.scheme.partnerships).get(filters.centre, filters.centre)}")
    if filters.partnership != state.ALL:
        names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
        parts.append(f"verband {names.get(filters.partnership, filters.partnership)}")
    return file_stem(*parts)
