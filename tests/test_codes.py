"""NIS codes as text, and the boundaries between the project's modules."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.codes import nis_code, nis_list, nis_series

ROOT = Path(__file__).resolve().parent.parent


def test_nis_codes_from_text_numbers_and_missing_values():
    assert nis_code("11002") == "11002"
    assert nis_code(11002) == "11002"
    assert nis_code(1001.0) == "01001"  # a number from a spreadsheet keeps its leading zero
    assert nis_code(np.int64(73109)) == "73109"
    assert nis_code(None) is None and nis_code(np.nan) is None and nis_code(pd.NA) is None
    assert nis_list(pd.Series([11002, None])) == ["11002", None]
    assert nis_list(np.array([44021, 1001])) == ["44021", "01001"]
    series = nis_series(pd.Series([11002, 11007], index=[5, 6]))
    assert series.tolist() == ["11002", "11007"] and list(series.index) == [0, 1]


@pytest.mark.parametrize("package", ["analysis", "geodata", "pages"])
def test_no_module_imports_a_private_name_of_another(package):
    offenders = []
    for path in sorted((ROOT / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in (
                    "analysis", "geodata", "pages"):
                private = [alias.name for alias in node.names if alias.name.startswith("_")
                           and not alias.name.startswith("__")]
                offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{name}" for name in private]
    assert offenders == []
