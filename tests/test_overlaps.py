
import pandas as pd

from analysis.overlaps import overlap_membership_rows, overlapping_memberships
from tests.grids import cell, memberships_frame, partnerships_frame, square_grid


def _inputs():
    municipalities = square_grid(2, 2, population={cell(0, 1): 12_000})
    memberships = memberships_frame(
        {"midwest": [cell(0, 0), cell(0, 1)], "w13": [cell(0, 1), cell(1, 1)], "kordia": [cell(1, 0)],
         "neteland": [cell(1, 0)]},
        confidence={("midwest", cell(0, 1)): "suggestive", ("neteland", cell(1, 0)): "suggestive"},
    )
    partnerships = partnerships_frame(["midwest", "w13", "kordia"])
    neteland = partnerships_frame(["neteland"], period="2014-2019")  # another period: not an overlap
    return municipalities, memberships, pd.concat([partnerships, neteland], ignore_index=True)


def test_overlapping_memberships_lists_partnerships_and_evidence():
    municipalities, memberships, partnerships = _inputs()
    result = overlapping_memberships(memberships, partnerships, municipalities)
    assert list(result["nis"]) == [cell(0, 1)]
    row = result.iloc[0]
    assert row["period"] == "2020-2025"
    assert row["name"] == "Gemeente r0c1"
    assert row["n_partnerships"] == 2
    assert row["partnership_ids"] == ("midwest", "w13")
    assert row["partnership_names"] == ("Verband midwest", "Verband w13")
    assert row["confidences"] == ("suggestive", "confirmed")
    assert row["sources"] == ("https://example.org/midwest", "https://example.org/w13")
    assert not row["all_confirmed"]
    assert row["population_2020"] == 12_000


def test_same_period_overlap_and_duplicate_rows():
    municipalities, memberships, partnerships = _inputs()
    partnerships.loc[partnerships["partnership_id"] == "neteland", "period"] = "2020-2025"
    doubled = pd.concat([memberships, memberships.iloc[[0]]], ignore_index=True)  # midwest/r0c0 listed twice
    result = overlapping_memberships(doubled, partnerships, municipalities)
    assert list(result["nis"]) == [cell(0, 1), cell(1, 0)]
    assert result.set_index("nis").loc[cell(1, 0), "partnership_ids"] == ("kordia", "neteland")
    rows = overlap_membership_rows(doubled, partnerships, municipalities)
    assert len(rows) == 4
    assert set(rows["partnership_id"]) == {"midwest", "w13", "kordia", "neteland"}


def test_all_confirmed_and_without_municipalities():
    memberships = memberships_frame({"a": ["11001"], "b": ["11001"]})
    result = overlapping_memberships(memberships, partnerships_frame(["a", "b"]))
    assert bool(result.iloc[0]["all_confirmed"]) is True
    assert result.iloc[0]["name"] == "Gemeente 11001"


def test_no_overlap_gives_empty_frame_with_columns():
    memberships = memberships_frame({"a": ["11001"], "b": ["11002"]})
    result = overlapping_memberships(memberships, partnerships_frame(["a", "b"]), square_grid(1, 1))
    assert result.empty
    assert {"nis", "partnership_ids", "confidences", "sources", "all_confirmed"} <= set(result.columns)


def test_overlaps_along_a_chain_of_300_municipalities():
    codes = [f"{10000 + i:05d}" for i in range(300)]
    municipalities = pd.DataFrame({"nis": codes, "name": codes, "population_2020": 10_000})
    members = {f"p{k}": codes[k * 7:(k + 1) * 7 + 1] for k in range(34)}  # each shares one code with the next
    memberships = memberships_frame(members)
    partnerships = partnerships_frame(list(members))
    result = overlapping_memberships(memberships, partnerships, municipalities)
    assert len(result) == 33
    assert result["nis"].tolist() == [codes[7 * k] for k in range(1, 34)]
    assert result["partnership_ids"].tolist() == [tuple(sorted((f"p{k - 1}", f"p{k}"))) for k in range(1, 34)]


def test_rows_and_summary_agree_on_awkward_inputs():
    municipalities, memberships, partnerships = _inputs()
    partnerships = partnerships[partnerships["partnership_id"] != "kordia"].copy()  # kordia: not in the table
    partnerships.loc[partnerships["partnership_id"] == "neteland", "period"] = None  # no period: "onbekend"
    extra = memberships_frame({"ghost": [cell(1, 0)], "w13": [cell(0, 1)]}, confidence="suggestive")
    extra.loc[1, "source"] = None  # a second, sourceless row of w13 for r0c1
    awkward = pd.concat([memberships, extra], ignore_index=True)
    awkward.loc[len(awkward)] = ["midwest", None, None, "lid", "x", None, "confirmed"]  # a row without code
    rows = overlap_membership_rows(awkward, partnerships, municipalities)
    result = overlapping_memberships(awkward, partnerships, municipalities)
    # kordia and ghost are unknown partnerships: both count under the "onbekend" period, like neteland.
    assert list(zip(result["period"], result["nis"])) == [("2020-2025", cell(0, 1)), ("onbekend", cell(1, 0))]
    assert result["partnership_ids"].tolist() == [("midwest", "w13"), ("ghost", "kordia", "neteland")]
    assert result["partnership_names"].tolist()[1] == ("", "", "Verband neteland")
    assert result["sources"].tolist()[0] == ("https://example.org/midwest", "https://example.org/w13 | ")
    assert result["confidences"].tolist()[0] == ("suggestive", "confirmed | suggestive")
    listed = set(zip(rows["nis"], rows["partnership_id"]))
    assert listed == {(nis, pid) for nis, ids in zip(result["nis"], result["partnership_ids"]) for pid in ids}
    assert rows["period"].tolist() == ["2020-2025"] * 3 + ["onbekend"] * 3  # sorted by period, code, partnership
    assert rows["partnership_id"].tolist() == ["midwest", "w13", "w13", "ghost", "kordia", "neteland"]
