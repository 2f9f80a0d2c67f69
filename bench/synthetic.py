"""Synthetic partnership maps on square polygon grids, for measuring how the analysis grows with n.

The grid comes from ``tests/grids.py`` (squares of 1 km in Lambert 72). The scheme mimics the real map:
partnerships are blocks of 3 x 3 cells (about 9 members, like the 34 partnerships of the 300 Flemish
municipalities), one cell in 11 is in no partnership (unknown), one in 37 of those is a known non-participant,
one in 29 is listed in a second partnership (an overlap), and one block in 13 is a centre city on its own.
Every rule is a fixed arithmetic pattern, so the same n always gives the same map.
"""

from __future__ import annotations

import importlib.util
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata.membership import Scheme

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"
BLOCK = 3


@lru_cache(maxsize=1)
def _grids():
    spec = importlib.util.spec_from_file_location("regiekaart_test_grids", TESTS_DIR / "grids.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns of a grid with exactly `n` cells, about twice as wide as high."""
    rows = max(1, int(math.sqrt(n / 2)))
    while n % rows:
        rows -= 1
    return rows, n // rows


def synthetic_map(n: int):
    """(municipalities, scheme) for a grid of `n` cells; population varies so partnership sizes differ."""
    grids = _grids()
    rows, cols = grid_shape(n)
    code = grids.cell if rows <= 100 and cols <= 100 else grids.wide_cell
    municipalities = grids.square_grid(rows, cols, population=lambda r, c: 2_000 + (r * 7919 + c * 104729) % 40_000,
                                       code=code)
    block_cols = -(-cols // BLOCK)

    def block_of(r: int, c: int) -> str:
        return f"P{(r // BLOCK) * block_cols + c // BLOCK:05d}"

    members, non_participants = [], []
    for r in range(rows):
        for c in range(cols):
            nis = code(r, c)
            if (r * 31 + c * 17) % 11 == 0:
                if (r * 5 + c * 3) % 37 == 0:
                    non_participants.append(nis)
                continue
            members.append((block_of(r, c), nis, "confirmed" if (r + c) % 4 else "suggestive"))
            if (r * 13 + c * 7) % 29 == 0 and c + BLOCK < cols:
                members.append((block_of(r, c + BLOCK), nis, "suggestive"))
    memberships = pd.DataFrame(members, columns=["partnership_id", "nis", "confidence"]).drop_duplicates(
        ["partnership_id", "nis"])
    memberships = memberships.assign(municipality=memberships["nis"].map(lambda x: f"Gemeente {x}"), role="lid",
                                     source="synthetisch", evidence=None)
    grids_partnerships = grids.partnerships_frame(sorted(memberships["partnership_id"].unique()))
    first_member = memberships.groupby("partnership_id")["nis"].first()
    # Every 13th partnership has a centre city; it stays in its partnership (no standalone shrinking needed).
    centre = {pid: first_member[pid] for i, pid in enumerate(grids_partnerships["partnership_id"]) if i % 13 == 0}
    partnerships = grids.partnerships_frame(grids_partnerships["partnership_id"], centre_city=centre)
    scheme = Scheme("synthetisch", f"synthetisch {n}", partnerships,
                    memberships[["partnership_id", "nis", "municipality", "role", "source", "evidence",
                                 "confidence"]].reset_index(drop=True),
                    grids.non_participants_frame(non_participants))
    return municipalities, scheme


def synthetic_regions(municipalities) -> pd.DataFrame:
    """Referentieregio-like regions: vertical bands of 20 columns."""
    codes = municipalities["nis"].tolist()
    columns = [int(round((geometry.bounds[0] - 100_000) / 1000)) for geometry in municipalities.geometry]
    region = [f"R{col // 20:03d}" for col in columns]
    return pd.DataFrame({"region_id": region, "region_name": [f"Regio {r}" for r in region], "nis": codes})
