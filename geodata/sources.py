"""Registry of every upstream file Regiekaart reads.

Each source is pinned to a commit of a public GitHub repository, so its URL never changes and its
sha256 never drifts. The files themselves are never part of this repository: `geodata.fetch` reads
them from a local mirror when there is one and otherwise downloads them into a per-user cache.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_BASE_URL = "https://raw.githubusercontent.com"

_PIC = ("provinciesincijfers", "gebiedsniveaus", "3b1b6d8d3548e495f597db134f437f0d08898535")
_PIC_2024 = ("provinciesincijfers", "gebiedsniveaus", "40a15bca4e822df805bd639d0c1e181b80e1a96d")
_TOPO = ("bmesuere", "belgium-topojson", "a903fdab5a765822dafabf42c258809d4ad74e78")
_EDU_XLSX = ("NetBeck22", "education", "fb8ee6da7ad1fb69e87e0950ab4aa57c9deb197c")
_EDU_PARQUET = ("NetBeck22", "education", "349bd56b214c71e5a43d3aa6dd04fbee078b999c")

LICENCE_PIC = (
    "Geen licentiebestand; afgeleid van open data van Statbel en Informatie Vlaanderen, "
    "vrij hergebruik met bronvermelding \u201cBron: Provincies in Cijfers, Statbel\u201d"
)
LICENCE_TOPO = "CC0 1.0 (publiek domein), zie LICENSE.md in de repository"
LICENCE_EDU = (
    "Geen licentiebestand; export van publieke Vlaamse statistieken "
    "(VDAB via Provincies in Cijfers, Statbel)"
)


@dataclass(frozen=True)
class Source:
    """One upstream file at a pinned commit."""

    key: str
    owner: str
    repo: str
    commit: str
    path: str
    sha256: str
    licence: str
    description: str
    attribution: str

    @property
    def relative_path(self) -> str:
        """Path below a mirror or cache root: ``<owner>/<repo>/<commit>/<path>``."""
        return f"{self.owner}/{self.repo}/{self.commit}/{self.path}"

    @property
    def url(self) -> str:
        """The public URL of the file at its pinned commit."""
        return f"{RAW_BASE_URL}/{self.relative_path}"

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def _source(key, pinned, path, sha256, licence, description, attribution) -> Source:
    owner, repo, commit = pinned
    return Source(key, owner, repo, commit, path, sha256, licence, description, attribution)


_SHAPES = "data_voor_swing/shapefiles"
_AGG = "data_voor_swing/aggregatietabellen"
_DEF = "data_voor_swing/gebiedsdefinities"
_PIC_ATTR = "Bron: Provincies in Cijfers, Statbel"

_REGISTRY: tuple[Source, ...] = (
    # Municipality boundaries valid 2019-2024 (300 Flemish + 19 Brussels), EPSG:31370.
    *(
        _source(f"gemeente2024{ext}", _PIC, f"{_SHAPES}/gemeente2024{ext}", sha, LICENCE_PIC,
                f"Gemeentegrenzen 2019-2024 (shapefile, deel {ext})", _PIC_ATTR)
        for ext, sha in (
            (".shp", "3231a6dee250fd30c0cd03c6e7e3b0a87611873e99583d741711f0f9750a2499"),
            (".shx", "aa3b55fc1bf80a53b0118b008877373a227a21de8c78ac31bc34bc6d071a4783"),
            (".dbf", "4a4965fd1b60bb061181a675b4b1898a41c1485a76dc7b856c80775fa27a966f"),
            (".prj", "11d1fbab4f20ea15d3d403f784b15dea64bb52a12a12899daab3460a15ebc1d2"),
            (".cpg", "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824"),
        )
    ),
    # Municipality boundaries valid from 1 January 2025 (285 Flemish + 19 Brussels), EPSG:31370.
    *(
        _source(f"gemeente2025{ext}", _PIC, f"{_SHAPES}/gemeente{ext}", sha, LICENCE_PIC,
                f"Gemeentegrenzen vanaf 2025 (shapefile, deel {ext})", _PIC_ATTR)
        for ext, sha in (
            (".shp", "4c895eb6679cf17e645486c017ddb589152d58b68f999b4096e2084d99d69d31"),
            (".shx", "755629a3eb848247b6f15b5c9ff837c5e1adf68d65fb3e8d829a24a2b168247c"),
            (".dbf", "836ef363f5133127a3fe9f69e7b7fbf893f505bb01c945128cfe32cbb8e949be"),
            (".prj", "11d1fbab4f20ea15d3d403f784b15dea64bb52a12a12899daab3460a15ebc1d2"),
            (".cpg", "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824"),
        )
    ),
    _source("merger_table", _PIC, f"{_AGG}/gemeente2024_gemeente.xlsx",
            "3f4480d153097ecac30290a1cb6fb905261dde83c78c59268b74d21831e051ee", LICENCE_PIC,
            "NIS-code 2019-2024 naar NIS-code 2025 (fusies van 1 januari 2025)", _PIC_ATTR),
    _source("province_2019", _PIC, f"{_AGG}/gemeente2024_provincie2024.xlsx",
            "72c59ae06ceeffa97087b952b77a34c85e54fc05abebede9440edf12ad099d35", LICENCE_PIC,
            "Provincie van elke gemeente 2019-2024", _PIC_ATTR),
    _source("arrondissement_2019", _PIC, f"{_AGG}/gemeente2024_arrondiss2024.xlsx",
            "1b81a5a602fc0d2c17dac19c48daf758ae34c867eed5846760d2ee2d5c924f04", LICENCE_PIC,
            "Arrondissement van elke gemeente 2019-2024", _PIC_ATTR),
    _source("refreg_2025", _PIC, f"{_AGG}/gemeente_refreg.xlsx",
            "72a4dcc54b172c8c04421f583f997dc9cb3f46b67f53733a28dda7f9f2daba34", LICENCE_PIC,
            "Referentieregio van elke gemeente (NIS-codes vanaf 2025)", _PIC_ATTR),
    _source("refreg_2019", _PIC_2024, f"{_AGG}/gemeente_refreg.xlsx",
            "89d3ff0c776d0c4d03ffc6ad09b7319d98eef9cc7b4317b72c70094d3e08f804", LICENCE_PIC,
            "Referentieregio van elke gemeente (NIS-codes 2019-2024)", _PIC_ATTR),
    _source("refreg_names", _PIC, f"{_DEF}/REFREG.xlsx",
            "0d2ccf2cb899f12a58eab419d65bf78f554208bda8c3f38132c986624de699a0", LICENCE_PIC,
            "Namen van de referentieregio's", _PIC_ATTR),
    _source("province_names", _PIC, f"{_DEF}/provincie2024.xlsx",
            "7d479b14ce15170663a2d0443ccf674ec25d6726bdfa473156cb17fc4833e142", LICENCE_PIC,
            "Namen van de provincies", _PIC_ATTR),
    _source("arrondissement_names", _PIC, f"{_DEF}/arrondiss2024.xlsx",
            "12275638079860ee6cab7f2d58011e925c009c2726efc7b9e46c6eb4d239ea5f", LICENCE_PIC,
            "Namen van de arrondissementen 2019-2024", _PIC_ATTR),
    _source("belgium_topojson", _TOPO, "belgium.json",
            "7ddc9dc111856b4ef9ad72e73f80ac94b8112fa0a7cd0a77c63c94f732bf9454", LICENCE_TOPO,
            "TopoJSON van de 581 Belgische gemeenten 2019-2024 met bevolking op 1 januari 2020",
            "Bron: bmesuere/belgium-topojson (CC0), Statbel"),
    _source("jobseekers_xlsx", _EDU_XLSX, "data/external/unemployment_jobseekers_data.xlsx",
            "a4db918cedd8e042002e48ce28bb478da1f82979d9de8fb2d1a562e002f34698", LICENCE_EDU,
            "Niet-werkende werkzoekenden en werkzoekendengraad per gemeente (kaart 2025), 2014-2024",
            "Bron: VDAB, Provincies in Cijfers"),
    _source("population_parquet", _EDU_PARQUET, "data/processed/muni_choropleth.parquet",
            "0d8af99665391fccc74c8d5049f9bfaa201740b5bdb9c1a05aa49d01bead0963", LICENCE_EDU,
            "Bevolking op 1 januari per gemeente, 2009-2025 (Statbel)", "Bron: Statbel"),
)

SOURCES: dict[str, Source] = {source.key: source for source in _REGISTRY}


def get_source(key: str) -> Source:
    """Look a source up by key; unknown keys name the known ones."""
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"Onbekende bron {key!r}; gekend: {', '.join(sorted(SOURCES))}") from None
