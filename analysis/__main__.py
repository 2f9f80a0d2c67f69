"""Command line: ``python -m analysis summary``, ``export`` and ``reconcile``.

``--membership FILE`` reads a list of regisseurs in any shape the dashboard reads (CSV, XLSX; see
`geodata.official_list`) with the same readers and messages: problems go to stderr naming file, row and column, and
the exit code is 2 when the file cannot be used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

from analysis.datasets import BUNDLED_SCHEMES, REGIE, build_view, bundled_view, merger_conflicts_for, regie_scheme
from analysis.figures import version_text
from analysis.formatting import format_number, format_percent
from analysis.indicator_data import unemployment_rate_by_partnership, values_on
from analysis.membership_list import check_totals, read_list_file, reconcile_with_reconstruction
from analysis.reconcile import CATEGORY_WORDS
from analysis.report_files import export_report
from geodata.fetch import SourceUnavailable


def _plain(value):
    """JSON-safe values: tuples to lists, NaN to null, numpy scalars to Python."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is None:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_plain(record) for record in frame.to_dict("records")]


def _kpi_records(kpis: pd.DataFrame) -> list[dict]:
    """The KPI rows; counts and inhabitants as integers (23, not 23.0), shares as fractions."""
    records = _records(kpis)
    for record in records:
        if record["unit"] != "aandeel":
            for key in ("value", "official", "difference"):
                if isinstance(record[key], float) and record[key].is_integer():
                    record[key] = int(record[key])
    return records


def summary(scheme_id: str, version: str, listed=None) -> dict:
    """KPIs beside the official totals, overlaps, gap clusters, merger conflicts and partnership profiles.

    With `listed` (a Scheme read from a membership list, see `geodata.official_list.read_membership_upload`)
    the report is about that list instead of a bundled scheme.
    """
    if listed is not None:
        view = build_view(listed, version)
        conflicts = merger_conflicts_for(listed)
        scheme_id, label = listed.scheme_id, listed.label
    else:
        view = bundled_view(scheme_id, version)
        conflicts = merger_conflicts_for(regie_scheme()) if scheme_id == REGIE else pd.DataFrame()
        label = BUNDLED_SCHEMES[scheme_id]
    return {
        "scheme": scheme_id,
        "scheme_label": label,
        "reconstructed": view.scheme.reconstructed,
        "version": version,
        "kpis": _kpi_records(view.kpis),
        "overlaps": _records(view.overlaps),
        "gap_clusters": _records(view.clusters),
        "enclaves": _records(view.enclaves),
        "merger_conflicts": _records(conflicts),
        "partnerships": _records(view.profiles),
    }


def _print_summary(report: dict) -> None:
    print(f"{report['scheme_label']} – grenzen {report['version']}"
          + (" (gereconstrueerde gegevens)" if report["reconstructed"] else ""))
    for kpi in report["kpis"]:
        value = format_percent(kpi["value"]) if kpi["unit"] == "aandeel" else format_number(kpi["value"])
        official = ""
        if kpi["official"] is not None:
            shown = format_percent(kpi["official"]) if kpi["unit"] == "aandeel" else format_number(kpi["official"])
            official = f"  (officieel {shown})"
        print(f"  {kpi['label']}: {value}{official}")
    print(f"Overlappingen: {len(report['overlaps'])} gemeenten")
    for row in report["overlaps"]:
        print(f"  {row['nis']} {row['name']}: {', '.join(row['partnership_names'])}")
    print(f"Clusters zonder (gekend) verband: {len(report['gap_clusters'])}")
    print(f"Fusieconflicten 2025: {len(report['merger_conflicts'])}")
    for row in report["merger_conflicts"]:
        print(f"  {row['nis_2025']} {row['name_2025']}: {row['description']}")


def unemployment_rates(view) -> tuple[pd.DataFrame | None, str]:
    """Werkzoekendengraad per partnership for the subsidy ranking (``rate``, ``approximate``, ``remark``; see
    `analysis.indicators.unemployment_rate_by_partnership`), with a note on its source (or its absence)."""
    return unemployment_rate_by_partnership(view)


def indicator_values(version: str) -> tuple[pd.DataFrame | None, str]:
    """Every catalogue indicator on the map of `version` for the indicator maps, or (None, why not)."""
    try:
        return values_on(version), ""
    except SourceUnavailable as error:
        return None, f"indicatorcijfers niet beschikbaar ({error})"


def export(scheme_id: str, version: str, out_dir: str, map_formats: tuple[str, ...] = ("png", "pdf"),
           orientation: str = "landscape", progress=None, listed=None):
    """Write the report set of a bundled scheme (or of the list `listed`) to `out_dir` (see
    `analysis.report_files.export_report`).

    The data are loaded here: the view, the werkzoekendengraad per partnership for the subsidy ranking and the
    indicator values for the indicator maps (left out, with the reason in index.md, when their source is missing).
    """
    view = build_view(listed, version) if listed is not None else bundled_view(scheme_id, version)
    rates, note = unemployment_rates(view)
    values, values_note = indicator_values(version)
    label = listed.label if listed is not None else BUNDLED_SCHEMES[scheme_id]
    filter_text = f"{label} · {version_text(view)}"
    return export_report(view, out_dir, map_formats=map_formats, filter_text=filter_text, orientation=orientation,
                         unemployment_rate=rates, unemployment_note=note, indicator_values=values,
                         indicator_note=values_note, progress=progress)


def _map_formats(text: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [fmt for fmt in formats if fmt not in ("png", "pdf")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"onbekend kaartformaat {', '.join(unknown) or '(leeg)'}; kies png, pdf "
                                         "of png,pdf")
    return formats


def _print_progress(number: int, total: int, filename: str) -> None:
    print(f"[{number}/{total}] {filename}", file=sys.stderr, flush=True)


def problem_line(problem) -> str:
    """One problem as a line for stderr: file, row, column, severity, message and suggestion (in Dutch)."""
    where = ", ".join(part for part in (problem.file, f"rij {problem.row}" if problem.row is not None else "",
                                        f"kolom {problem.column}" if problem.column else "") if part)
    line = f"{where}: {problem.severity}: {problem.message}"
    return line + (f" {problem.suggestion}" if problem.suggestion else "")


def _read_membership(path: str | None):
    """(Scheme or None, usable): a --membership list read as the dashboard reads it, problems to stderr."""
    if path is None:
        return None, True
    listed, problems = read_list_file(path)
    for problem in problems:
        print(problem_line(problem), file=sys.stderr)
    if listed is None:
        errors = sum(1 for problem in problems if problem.is_error)
        print(f"Fout: {path} kan niet gebruikt worden ({errors} {'fout' if errors == 1 else 'fouten'}).",
              file=sys.stderr)
        return None, False
    return listed, True


def reconcile_report(listed, version: str = "2019") -> dict:
    """The list compared with the reconstruction (per municipality and partnership) and its totals check."""
    result = reconcile_with_reconstruction(listed)
    totals = check_totals(build_view(listed, version))
    return {
        "file": listed.source_note,
        "scheme_label": listed.label,
        "counts": result.counts,
        "municipalities": _records(result.municipalities),
        "partnerships": _records(result.partnerships),
        "totals": _records(totals),
    }


def _print_reconcile(report: dict) -> None:
    print(f"Vergelijking van {report['file']} met de reconstructie van Regiekaart")
    print("  " + ", ".join(f"{CATEGORY_WORDS[key]}: {count}" for key, count in report["counts"].items()))
    print("Totalen tegenover de officiële cijfers:")
    for row in report["totals"]:
        print(f"  [{'klopt' if row['agrees'] else 'wijkt af'}] {row['sentence']}")
    print("Verbanden (lijst -> reconstructie, overlap):")
    for row in report["partnerships"]:
        overlap = "" if row["jaccard"] is None else f" ({round(100 * row['jaccard'])} %)"
        print(f"  {row['list_name'] or '(niet in de lijst)'} -> {row['our_name'] or '(geen overeenkomst)'}{overlap}")
    for row in report["municipalities"]:
        if row["category"] in ("tegengesproken", "nieuw", "ontbreekt"):
            listed = "; ".join(row["list_partnerships"]) or "geen"
            ours = "; ".join(row["our_partnerships"]) or "onbekend"
            print(f"  {row['category']}: {row['nis']} {row['name']} (lijst: {listed}; bij ons: {ours})")


def _run_export(args) -> int:
    listed, usable = _read_membership(args.membership)
    if not usable:
        return 2
    try:
        written = export(args.scheme, args.version, args.out, args.format, args.orientation, _print_progress,
                         listed=listed)
    except SourceUnavailable as error:
        print(f"Fout: gegevens niet beschikbaar. {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Fout: kan niet schrijven naar {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{len(written)} bestanden geschreven in {args.out} (overzicht: index.md)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Regiekaart analyses")
    commands = parser.add_subparsers(dest="command", required=True)
    summary_parser = commands.add_parser("summary", help="kerncijfers, overlappingen, hiaten, fusieconflicten")
    summary_parser.add_argument("--scheme", default="regie-2020-2025", choices=["regie-2020-2025", "referentieregio"])
    summary_parser.add_argument("--version", default="2019", choices=["2019", "2025"])
    summary_parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    summary_parser.add_argument("--membership", metavar="BESTAND",
                                help="eigen lijst van regisseurs (CSV of XLSX) in plaats van --scheme")
    export_parser = commands.add_parser(
        "export", help="kaarten (PNG/PDF), tabellen (XLSX/CSV) en index.md voor een rapport")
    export_parser.add_argument("--out", required=True, help="map waarin de bestanden komen (wordt aangemaakt)")
    export_parser.add_argument("--scheme", default="regie-2020-2025", choices=["regie-2020-2025", "referentieregio"])
    export_parser.add_argument("--version", default="2019", choices=["2019", "2025"])
    export_parser.add_argument("--format", default=("png", "pdf"), type=_map_formats,
                               help="kaartformaten, komma-gescheiden: png,pdf (standaard); tabellen altijd xlsx en csv")
    export_parser.add_argument("--orientation", default="landscape", choices=["landscape", "portrait"],
                               help="A4 liggend (standaard) of staand")
    export_parser.add_argument("--membership", metavar="BESTAND",
                               help="eigen lijst van regisseurs (CSV of XLSX) in plaats van --scheme")
    reconcile_parser = commands.add_parser(
        "reconcile", help="een lijst van regisseurs vergelijken met de reconstructie en de officiële totalen")
    reconcile_parser.add_argument("--membership", metavar="BESTAND", required=True,
                                  help="lijst van regisseurs (CSV of XLSX)")
    reconcile_parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    args = parser.parse_args(argv)
    if args.command == "export":
        return _run_export(args)
    listed, usable = _read_membership(args.membership)
    if not usable:
        return 2
    try:
        report = reconcile_report(listed) if args.command == "reconcile" else \
            summary(args.scheme, args.version, listed=listed)
    except SourceUnavailable as error:
        print(f"Fout: gegevens niet beschikbaar. {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(_plain(report), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.command == "reconcile":
        _print_reconcile(report)
    else:
        _print_summary(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
