"""The one vocabulary of scheme and boundary-version ids and their Dutch labels.

Every page, map, table, export and the command line names a scheme or a boundary version through these tables, so
the sidebar, a figure's subtitle and an export's header say the same thing. It lives in ``geodata`` (the lowest
layer) because ``geodata`` itself labels versions; ``analysis`` and ``ui`` import it from here.
"""

from __future__ import annotations

# Scheme ids: the bundled reconstruction, the official referentieregio's, a list uploaded in this browser session.
SCHEME_REGIE = "regie-2020-2025"
SCHEME_REFREG = "referentieregio"
SCHEME_UPLOAD = "upload"
SCHEME_LABELS = {
    SCHEME_REGIE: "Regie sociale economie 2020-2025 (gereconstrueerd)",
    SCHEME_REFREG: "Referentieregio's (officieel)",
    SCHEME_UPLOAD: "Eigen upload (deze sessie)",
}

# Boundary versions: the 300 municipalities of 2019-2024 and the 285 from 1 January 2025.
VERSIONS = ("2019", "2025")
MUNICIPALITY_COUNTS = {"2019": 300, "2025": 285}
VERSION_NAMES = {"2019": "Gemeenten 2019-2024", "2025": "Gemeenten vanaf 2025"}
VERSION_LABELS = {version: f"{name} ({MUNICIPALITY_COUNTS[version]})" for version, name in VERSION_NAMES.items()}
# The same in a sentence: "... is geen gemeente van de kaart 2019-2024 (300 gemeenten)".
MAP_LABELS_NL = {"2019": "de kaart 2019-2024 (300 gemeenten)", "2025": "de kaart vanaf 2025 (285 gemeenten)"}
