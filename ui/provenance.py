"""Where the data comes from and what was repaired: the provenance tables of the Gegevens page."""

from __future__ import annotations

import pandas as pd

from geodata.fetch import origins
from geodata.municipalities import repairs_for
from geodata.sources import SOURCES


def sources_frame():
    """Every data source with its licence and attribution (the table on the Gegevens page)."""
    seen = origins()
    origin_nl = {"mirror": "lokale mirror", "cache": "cache", "download": "gedownload"}
    return pd.DataFrame.from_records([{"Bron": s.description, "Bestand": s.filename, "Licentie": s.licence,
                      "Vermelding": s.attribution, "Herkomst": origin_nl.get(seen.get(key), "nog niet gelezen"),
                      "URL": s.url, "sha256": s.sha256[:16] + "…"} for key, s in SOURCES.items()])


def repairs_frame():
    """The repaired defects of the boundary sources (both maps), with Dutch headers."""
    rows = {}
    for version in ("2019", "2025"):
        for repair in repairs_for(version):
            rows[(repair.source, repair.nis, repair.defect)] = repair.as_dict()
    return pd.DataFrame.from_records(list(rows.values())).rename(columns={
        "source": "Bron", "nis": "NIS", "name": "Gemeente", "defect": "Fout", "action": "Herstel"})
