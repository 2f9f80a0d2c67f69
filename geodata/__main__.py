"""Command line: ``python -m geodata info [--json]`` and ``python -m geodata fetch``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from geodata.fetch import SourceUnavailable, cache_root, fetch_all, mirror_root, origins
from geodata.municipalities import VERSIONS, load_municipalities, repairs_for
from geodata.regions import load_referentieregios
from geodata.sources import SOURCES
from geodata.validation import check_area_conservation


def info() -> dict:
    """Facts about both boundary versions and where every source came from."""
    versions = {}
    for version in VERSIONS:
        frame = load_municipalities(version)
        versions[version] = {
            "municipalities": len(frame),
            "population_2020": int(frame["population_2020"].sum()),
            "area_km2": round(float(frame["area_km2"].sum()), 3),
            "referentieregios": int(load_referentieregios(version)["region_id"].nunique()),
            "repairs": [repair.as_dict() for repair in repairs_for(version)],
        }
    fetch_all()  # so every source reports its origin, also those not needed above
    seen = origins()
    return {
        "versions": versions,
        "area_check": asdict(check_area_conservation()),
        "mirror": str(mirror_root()),
        "cache": str(cache_root()),
        "sources": [
            {"key": key, "url": source.url, "sha256": source.sha256, "licence": source.licence,
             "description": source.description, "origin": seen.get(key)}
            for key, source in SOURCES.items()
        ],
    }


def _belgian(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def _print_text(report: dict) -> None:
    for version, facts in report["versions"].items():
        print(f"Versie {version}: {facts['municipalities']} gemeenten, bevolking 2020 "
              f"{_belgian(facts['population_2020'])}, {_belgian(facts['area_km2'], 1)} km², "
              f"{facts['referentieregios']} referentieregio's")
        for repair in facts["repairs"]:
            print(f"  hersteld [{repair['source']}] {repair['nis']} {repair['name']}: {repair['defect']} -> {repair['action']}")
    check = report["area_check"]
    print(f"Oppervlaktecontrole: totaal verschil {check['total_relative_difference']:.4%}, "
          f"grootste per gemeente {check['max_relative_difference']:.3%} ({check['worst_nis_2025']}): "
          + ("ok" if check["ok"] else "NIET OK"))
    for source in report["sources"]:
        print(f"  {source['key']:<22} {source['origin'] or '-':<9} {source['licence'][:60]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description="Regiekaart brongegevens")
    commands = parser.add_subparsers(dest="command", required=True)
    info_parser = commands.add_parser("info", help="aantallen, herstellingen en herkomst van de bronnen")
    info_parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    commands.add_parser("fetch", help="alle bronnen ophalen en controleren")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            for fetched in fetch_all():
                print(f"{fetched.origin:<9} {fetched.path}")
            return 0
        report = info()
    except SourceUnavailable as error:
        print(f"Fout: gegevens niet beschikbaar. {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
