"""Command line: ``python -m analysis summary`` and ``python -m analysis export``."""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

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


def summary(scheme_id: str, version: str) -> dict:
    """KPIs beside the official totals, overlaps, gap clusters, merger conflicts and partnership profiles."""
    from analysis.datasets import BUNDLED_SCHEMES, REGIE, bundled_view, merger_conflicts_for, regie_scheme

    view = bundled_view(scheme_id, version)
    conflicts = merger_conflicts_for(regie_scheme()) if scheme_id == REGIE else pd.DataFrame()
    return {
        "scheme": scheme_id,
        "scheme_label": BUNDLED_SCHEMES[scheme_id],
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
    from analysis.formatting import format_number, format_percent

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
    try:
        from analysis.indicator_data import unemployment_rate_by_partnership
    except ImportError:
        return None, ("geen werkzoekendengraad beschikbaar in deze versie van Regiekaart; regisseurs zonder "
                      "centrumstad staan in volgorde van hun ID en zijn gemarkeerd.")
    return unemployment_rate_by_partnership(view)


def indicator_values(version: str) -> tuple[pd.DataFrame | None, str]:
    """Every catalogue indicator on the map of `version` for the indicator maps, or (None, why not)."""
    from analysis.indicator_data import values_on

    try:
        return values_on(version), ""
    except SourceUnavailable as error:
        return None, f"indicatorcijfers niet beschikbaar ({error})"


def export(scheme_id: str, version: str, out_dir: str, map_formats: tuple[str, ...] = ("png", "pdf"),
           orientation: str = "landscape", progress=None):
    """Write the report set of a bundled scheme to `out_dir` (see `analysis.export.export_report`).

    The data are loaded here: the view, the werkzoekendengraad per partnership for the subsidy ranking and the
    indicator values for the indicator maps (left out, with the reason in index.md, when their source is missing).
    """
    from analysis.datasets import BUNDLED_SCHEMES, bundled_view
    from analysis.export import export_report
    from analysis.figures import version_text

    view = bundled_view(scheme_id, version)
    rates, note = unemployment_rates(view)
    values, values_note = indicator_values(version)
    filter_text = f"{BUNDLED_SCHEMES[scheme_id]} · {version_text(view)}"
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


def _run_export(args) -> int:
    try:
        written = export(args.scheme, args.version, args.out, args.format, args.orientation, _print_progress)
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
    export_parser = commands.add_parser(
        "export", help="kaarten (PNG/PDF), tabellen (XLSX/CSV) en index.md voor een rapport")
    export_parser.add_argument("--out", required=True, help="map waarin de bestanden komen (wordt aangemaakt)")
    export_parser.add_argument("--scheme", default="regie-2020-2025", choices=["regie-2020-2025", "referentieregio"])
    export_parser.add_argument("--version", default="2019", choices=["2019", "2025"])
    export_parser.add_argument("--format", default=("png", "pdf"), type=_map_formats,
                               help="kaartformaten, komma-gescheiden: png,pdf (standaard); tabellen altijd xlsx en csv")
    export_parser.add_argument("--orientation", default="landscape", choices=["landscape", "portrait"],
                               help="A4 liggend (standaard) of staand")
    args = parser.parse_args(argv)
    if args.command == "export":
        return _run_export(args)
    try:
        report = summary(args.scheme, args.version)
    except SourceUnavailable as error:
        print(f"Fout: gegevens niet beschikbaar. {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_summary(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
