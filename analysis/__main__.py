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
        "kpis": _records(view.kpis),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Regiekaart analyses")
    commands = parser.add_subparsers(dest="command", required=True)
    summary_parser = commands.add_parser("summary", help="kerncijfers, overlappingen, hiaten, fusieconflicten")
    summary_parser.add_argument("--scheme", default="regie-2020-2025", choices=["regie-2020-2025", "referentieregio"])
    summary_parser.add_argument("--version", default="2019", choices=["2019", "2025"])
    summary_parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    args = parser.parse_args(argv)
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
