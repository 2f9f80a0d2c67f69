"""Writing the report: every item of :data:`analysis.report_items.REPORT_ITEMS` of one view to files, with an
index.md that lists them, their selection, sources and licences.

The only module of `analysis` that writes files: maps as PNG (A4, 300 dpi) and/or PDF, tables as XLSX and CSV
(`;` and decimal comma, UTF-8 with BOM, decimals rounded as :data:`analysis.view_tables.COLUMN_DECIMALS` says).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.figures import subtitle_for, version_text
from analysis.printmap import export_pdf, export_png
from analysis.report_items import MAP, MAP_FORMATS, REPORT_ITEMS, ReportContext, ReportItem
from analysis.scenario import CoverageView
from analysis.subsidy import DEFAULT_BUDGET_EUR
from analysis.tables import number_format, to_csv_bytes, to_xlsx_bytes
from analysis.view_tables import COLUMN_DECIMALS

FORMAT_NOTES = {"png": "A4, 300 dpi", "pdf": "A4, vector", "xlsx": "Excel", "csv": "; en decimaalkomma, UTF-8"}
INDEX_FILE = "index.md"


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    item_key: str  # "index" for index.md
    format: str


def render_item(item: ReportItem, built, fmt: str) -> bytes:
    """The bytes of one file of an item, from what its `build` returned."""
    if item.kind == MAP:
        return {"png": export_png, "pdf": export_pdf}[fmt](built)
    sheets = dict(built)
    if fmt == "xlsx":
        return to_xlsx_bytes(sheets, number_formats={column: number_format(decimals)
                                                     for column, decimals in COLUMN_DECIMALS.items()})
    return to_csv_bytes(next(iter(sheets.values())), decimals=COLUMN_DECIMALS)


def _write(path: Path, data: bytes) -> None:
    # Write next to the target and rename, so a reader never sees half a file.
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def export_report(view: CoverageView, out_dir: str | os.PathLike, *, map_formats: Sequence[str] = MAP_FORMATS,
                  items: Sequence[ReportItem] | None = None, mask: pd.Series | None = None, filter_text: str = "",
                  orientation: str = "landscape", made_on: date | None = None,
                  budget_eur: float = DEFAULT_BUDGET_EUR,
                  unemployment_rate: pd.Series | Mapping[str, float] | None = None, unemployment_note: str = "",
                  indicator_values: pd.DataFrame | None = None, indicator_note: str = "",
                  progress: Callable[[int, int, str], None] | None = None) -> list[WrittenFile]:
    """Write every report item (maps in `map_formats`, tables as XLSX and CSV) and an index.md to `out_dir`.

    `indicator_values` (long format on the view's map, see `geodata.indicators`) feed the indicator maps;
    without them those maps are left out and index.md gives `indicator_note` as the reason.
    `progress(number, total, filename)` is called after each file is written. Returns the files in the order
    written, index.md last.
    """
    unknown = [fmt for fmt in map_formats if fmt not in MAP_FORMATS]
    if unknown:
        raise ValueError(f"Onbekend kaartformaat {', '.join(unknown)}; kies uit {', '.join(MAP_FORMATS)}")
    items = list(REPORT_ITEMS if items is None else items)
    context = ReportContext(view, mask, filter_text or "", orientation, made_on or date.today(), budget_eur,
                            unemployment_rate, unemployment_note, indicator_values, indicator_note)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = [(item, fmt) for item in items if item.missing(context) is None for fmt in item.formats(map_formats)]
    total = len(plan) + 1
    written: list[WrittenFile] = []
    built_for: dict[str, object] = {}
    for number, (item, fmt) in enumerate(plan, start=1):
        if item.key not in built_for:
            built_for = {item.key: item.build(context)}  # keep one item's result at a time
        path = out / f"{item.stem}.{fmt}"
        _write(path, render_item(item, built_for[item.key], fmt))
        written.append(WrittenFile(path, item.key, fmt))
        if progress:
            progress(number, total, path.name)
    index = out / INDEX_FILE
    _write(index, index_markdown(context, items, written).encode("utf-8"))
    written.append(WrittenFile(index, "index", "md"))
    if progress:
        progress(total, total, index.name)
    return written


def index_markdown(context: ReportContext, items: Sequence[ReportItem], written: Sequence[WrittenFile]) -> str:
    """index.md: what the report files show, for which selection, and their sources and licences."""
    view = context.view
    files = {}
    for file in written:
        files.setdefault(file.item_key, []).append(file)
    lines = [
        "# Regiekaart: kaarten en tabellen voor een rapport",
        "",
        f"- Indeling: {view.scheme.label}",
        f"- Gemeentegrenzen: {version_text(view)}",
        f"- Selectie: {subtitle_for(view, context.mask, context.filter_text)}",
        f"- Gemaakt op {context.made_on:%d-%m-%Y} met Regiekaart (`python -m analysis export`).",
        "",
    ]
    if view.scheme.reconstructed:
        lines += ["> **Gereconstrueerde gegevens.** Er bestaat geen publieke officiële lijst van de "
                  "samenwerkingsverbanden 2020-2025. Het lidmaatschap is door Regiekaart samengesteld uit openbare "
                  "bronnen, met bron en betrouwbaarheid (bevestigd of vermoedelijk) per gemeente. 'Onbekend' "
                  "betekent: geen bron gevonden, niet: neemt niet deel.", ""]
    lines += ["CSV-bestanden: UTF-8 met BOM, `;` als scheidingsteken en decimaalkomma (zo opent Excel ze in België). "
              "Een lege cel in een getalkolom betekent onbekend, nooit 0. Inwoners: 1 januari 2020 (Statbel).", "",
              "## Bestanden", "", "| Bestand | Inhoud |", "| --- | --- |"]
    for item in items:
        for file in files.get(item.key, []):
            lines.append(f"| [{file.path.name}]({file.path.name}) | {item.heading(context)} "
                         f"({FORMAT_NOTES[file.format]}) |")
    lines.append("")
    left_out = [(item, item.missing(context)) for item in items if not files.get(item.key)]
    left_out = [(item, reason) for item, reason in left_out if reason]
    if left_out:
        lines += ["Niet gemaakt:", ""]
        lines += [f"- {item.heading(context)} (`{item.stem}`): {reason}" for item, reason in left_out]
        lines.append("")
    for item in items:
        item_files = files.get(item.key, [])
        if not item_files:
            continue
        lines += [f"## {item.heading(context)}", "",
                  "Bestanden: " + ", ".join(f"[{file.path.name}]({file.path.name})" for file in item_files), "",
                  item.describe(context), "", "Bronnen en licenties:", ""]
        lines += [f"- {note.what}: {note.attribution.removeprefix('Bron: ')} (licentie: {note.licence})"
                  for note in item.sources(context)]
        lines.append("")
    return "\n".join(lines)
