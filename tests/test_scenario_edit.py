"""The scenario edit model (analysis.scenario_edit) on a 3 x 3 grid, and once on the real data.

The grid (rows top to bottom, columns left to right):

    west*  ?   oost        * = centre city of west (the middle cell of column 0)
    west   ?   oost        ? = unknown
    west   ?   geen        geen = known non-participant
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from grids import cell, memberships_frame, non_participants_frame, partnerships_frame, square_grid

from analysis.scenario import build_coverage_view
from analysis.scenario_edit import (
    CHANGED,
    DELETED,
    NEW,
    START_EMPTY,
    START_RECONSTRUCTION,
    AcceptCandidate,
    Assign,
    AssignCluster,
    CreatePartnership,
    DeletePartnership,
    EditError,
    KeepProjection,
    MarkNonParticipant,
    RenamePartnership,
    SetCentreCity,
    SetLegalForm,
    Unassign,
    new_scenario,
    normalised_scheme,
    scenario_content,
    scenario_from_content,
    scheme_from_stored,
    starting_point,
    stored_scheme,
)
from geodata.membership import Scheme
from geodata.scenario_store import ScenarioStore

WEST = [cell(0, 0), cell(1, 0), cell(2, 0)]
OOST = [cell(0, 2), cell(1, 2)]
MIDDLE = [cell(0, 1), cell(1, 1), cell(2, 1)]
NON_PARTICIPANT = cell(2, 2)


@pytest.fixture(scope="module")
def grid():
    return square_grid(3, 3)


@pytest.fixture(scope="module")
def names(grid):
    return dict(zip(grid["nis"], grid["name"]))


def grid_scheme() -> Scheme:
    return Scheme("grid", "Rooster", partnerships_frame(["west", "oost"], centre_city={"west": cell(1, 0)}),
                  memberships_frame({"west": WEST, "oost": OOST}), non_participants_frame([NON_PARTICIPANT]),
                  boundary_version="2019")


def conflicts() -> pd.DataFrame:
    return pd.DataFrame({"nis_2025": [cell(0, 1)], "name_2025": ["Gemeente r0c1"],
                         "description": ["Slechts een deel van de voormalige gemeenten neemt deel."]})


@pytest.fixture
def scenario(names):
    return new_scenario(starting_point(START_RECONSTRUCTION, grid_scheme(), names, "2019", conflicts()))


def members(scheme: Scheme) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for pid, nis in zip(scheme.memberships["partnership_id"], scheme.memberships["nis"]):
        result.setdefault(pid, set()).add(nis)
    return result


def partnership(scheme: Scheme, pid: str) -> dict:
    return scheme.partnerships.set_index("partnership_id").loc[pid].to_dict()


def non_participants(scheme: Scheme) -> set[str]:
    return set(scheme.non_participants["nis"])


def kpi(view, key: str) -> float:
    return float(view.kpis.set_index("kpi").loc[key, "value"])


# -------------------------------------------------------------------------------------------------------------
# Single edits
# -------------------------------------------------------------------------------------------------------------

def test_assigning_an_unknown_municipality_leaves_the_old_scenario_as_it_was(scenario):
    edited = scenario.apply(Assign(cell(0, 1), "oost"))
    assert members(edited.scheme)["oost"] == {*OOST, cell(0, 1)}
    assert members(scenario.scheme)["oost"] == set(OOST)  # immutable: the previous scenario is unchanged
    assert edited.descriptions() == ["Gemeente r0c1 toegewezen aan Verband oost"]
    row = edited.scheme.memberships[edited.scheme.memberships["nis"] == cell(0, 1)].iloc[0]
    assert (row["source"], row["confidence"], row["municipality"]) == ("scenario", "confirmed", "Gemeente r0c1")


def test_assigning_moves_a_municipality_unless_it_keeps_its_other_partnership(scenario):
    moved = scenario.apply(Assign(cell(0, 0), "oost"))
    assert cell(0, 0) not in members(moved.scheme)["west"] and cell(0, 0) in members(moved.scheme)["oost"]
    assert moved.descriptions() == ["Gemeente r0c0 toegewezen aan Verband oost (was: Verband west)"]
    both = scenario.apply(Assign(cell(0, 0), "oost", keep_other_partnerships=True))
    assert cell(0, 0) in members(both.scheme)["west"] and cell(0, 0) in members(both.scheme)["oost"]
    assert both.descriptions() == ["Gemeente r0c0 toegewezen aan Verband oost (blijft ook in Verband west)"]
    # Assigning again to its own partnership keeps the original row with its source.
    same = scenario.apply(Assign(cell(0, 0), "west"))
    original = scenario.scheme.memberships.set_index("nis").loc[cell(0, 0)]
    assert same.scheme.memberships.set_index("nis").loc[cell(0, 0)]["source"] == original["source"]


def test_assigning_a_non_participant_makes_it_a_member(scenario):
    edited = scenario.apply(Assign(NON_PARTICIPANT, "oost"))
    assert NON_PARTICIPANT not in non_participants(edited.scheme)
    assert NON_PARTICIPANT in members(edited.scheme)["oost"]
    assert edited.descriptions() == ["Gemeente r2c2 toegewezen aan Verband oost (was: neemt niet deel)"]


def test_marking_a_centre_city_as_non_participant_clears_the_centre_city(scenario):
    edited = scenario.apply(MarkNonParticipant(cell(1, 0)))
    assert cell(1, 0) in non_participants(edited.scheme)
    assert cell(1, 0) not in members(edited.scheme)["west"]
    assert partnership(edited.scheme, "west")["centre_city_nis"] is None
    assert edited.descriptions() == ["Gemeente r1c0: neemt niet deel (was: Verband west)"]
    # Marking twice does not list it twice.
    again = edited.apply(MarkNonParticipant(cell(1, 0)))
    assert list(again.scheme.non_participants["nis"]).count(cell(1, 0)) == 1


def test_unassigning_makes_a_municipality_unknown(scenario, grid):
    out_of_one = scenario.apply(Unassign(cell(0, 0), "west"))
    assert cell(0, 0) not in {code for codes in members(out_of_one.scheme).values() for code in codes}
    assert out_of_one.descriptions() == ["Gemeente r0c0 uit Verband west gehaald"]
    out_of_all = scenario.apply(Unassign(NON_PARTICIPANT))
    assert NON_PARTICIPANT not in non_participants(out_of_all.scheme)
    view = build_coverage_view(grid, out_of_all.scheme)
    assert view.status.set_index("nis").loc[NON_PARTICIPANT, "status"] == "unknown"
    with pytest.raises(EditError, match="geen lid van Verband oost"):
        scenario.apply(Unassign(cell(0, 0), "oost"))


def test_creating_renaming_and_deleting_a_partnership(scenario):
    pid = scenario.new_partnership_id("Midden-Vlaanderen")
    assert pid == "scenario-midden-vlaanderen"
    created = scenario.apply(CreatePartnership(pid, "  Midden-Vlaanderen ", "projectvereniging", tuple(MIDDLE)))
    row = partnership(created.scheme, pid)
    assert (row["name"], row["legal_form"], row["centre_city_nis"], row["standalone"]) == (
        "Midden-Vlaanderen", "projectvereniging", None, False)
    assert members(created.scheme)[pid] == set(MIDDLE)
    assert created.descriptions() == [
        "Nieuw samenwerkingsverband Midden-Vlaanderen met Gemeente r0c1, Gemeente r1c1 en Gemeente r2c1"]
    assert created.new_partnership_id("Midden-Vlaanderen") == "scenario-midden-vlaanderen-2"
    with pytest.raises(EditError, match="al een samenwerkingsverband met de naam"):
        created.apply(CreatePartnership("x", "midden vlaanderen"))
    with pytest.raises(EditError, match="al in gebruik"):
        created.apply(CreatePartnership(pid, "Iets anders"))
    with pytest.raises(EditError, match="naam"):
        created.apply(CreatePartnership("y", "   "))

    renamed = created.apply(RenamePartnership(pid, "Centrum"))
    assert partnership(renamed.scheme, pid)["name"] == "Centrum"
    assert renamed.descriptions()[-1] == "Midden-Vlaanderen hernoemd tot Centrum"
    with pytest.raises(EditError, match="al een samenwerkingsverband"):
        renamed.apply(RenamePartnership(pid, "Verband west"))

    deleted = renamed.apply(DeletePartnership("west"))
    assert "west" not in set(deleted.scheme.partnerships["partnership_id"])
    assert "west" not in members(deleted.scheme)
    assert deleted.descriptions()[-1] == ("Samenwerkingsverband Verband west verwijderd (3 gemeenten: Gemeente r0c0, "
                                          "Gemeente r1c0 en Gemeente r2c0)")


def test_centre_city_and_legal_form(scenario):
    with pytest.raises(EditError, match="geen lid van Verband oost"):
        scenario.apply(SetCentreCity("oost", cell(1, 1)))
    edited = scenario.apply(SetCentreCity("oost", cell(0, 2)))
    assert (partnership(edited.scheme, "oost")["centre_city_nis"], partnership(edited.scheme, "oost")["centre_city"]) \
        == (cell(0, 2), "Gemeente r0c2")
    assert partnership(edited.scheme, "oost")["standalone"] is False
    # A centre city that is the only member left is a centre city on its own (standalone) ...
    alone = edited.apply(Unassign(cell(1, 2), "oost"))
    assert partnership(alone.scheme, "oost")["standalone"] is True
    # ... and stops being one when a municipality joins.
    joined = alone.apply(Assign(cell(1, 1), "oost"))
    assert partnership(joined.scheme, "oost")["standalone"] is False
    cleared = edited.apply(SetCentreCity("oost", None))
    assert partnership(cleared.scheme, "oost")["centre_city_nis"] is None
    form = scenario.apply(SetLegalForm("west", "welzijnsvereniging"))
    assert partnership(form.scheme, "west")["legal_form"] == "welzijnsvereniging"
    assert form.descriptions() == ["Rechtsvorm van Verband west: welzijnsvereniging"]
    assert partnership(form.apply(SetLegalForm("west", " ")).scheme, "west")["legal_form"] is None


def test_an_invalid_edit_raises_and_changes_nothing(scenario):
    for edit, message in ((Assign("99999", "west"), "geen gemeente van de kaart 2019-2024"),
                          (Assign(cell(0, 1), "noord"), "Onbekend samenwerkingsverband"),
                          (MarkNonParticipant("1"), "geen gemeente"),
                          (DeletePartnership("noord"), "Onbekend"),
                          (AssignCluster("c", (), "west"), "geen gemeenten")):
        with pytest.raises(EditError, match=message):
            scenario.apply(edit)
    assert scenario.history == () and members(scenario.scheme) == {"west": set(WEST), "oost": set(OOST)}


# -------------------------------------------------------------------------------------------------------------
# Gap analysis in one action, and the effect on the KPIs
# -------------------------------------------------------------------------------------------------------------

def test_assigning_a_gap_cluster_in_one_edit_closes_it(scenario, grid):
    view = build_coverage_view(grid, scenario.scheme)
    cluster = view.clusters[view.clusters["kind"] == "unknown"].iloc[0]
    assert tuple(cluster["members"]) == tuple(MIDDLE)
    edited = scenario.apply(AssignCluster.from_cluster(cluster, "west"))
    assert len(edited.history) == 1
    assert members(edited.scheme)["west"] == {*WEST, *MIDDLE}
    after = build_coverage_view(grid, edited.scheme)
    assert (kpi(view, "unknown"), kpi(after, "unknown")) == (3, 0)
    assert (kpi(view, "municipalities"), kpi(after, "municipalities")) == (5, 8)
    assert kpi(after, "population_covered") == kpi(view, "population_covered") + 30_000
    assert set(after.clusters["kind"]) == {"non_participant", "combined"}
    assert edited.descriptions() == [("Hiaat unknown-1 (3 gemeenten: Gemeente r0c1, Gemeente r1c1 en Gemeente r2c1) "
                                      "toegewezen aan Verband west")]


def test_accepting_a_candidate_of_the_gap_analysis(scenario, grid):
    view = build_coverage_view(grid, scenario.scheme)
    proposals = view.candidates[(view.candidates["unit_id"] == cell(2, 1)) & (view.candidates["rank"] == 1)]
    edited = scenario.apply(AcceptCandidate.from_candidate(proposals.iloc[0]))
    assert cell(2, 1) in members(edited.scheme)["west"]  # the only partnership bordering it
    assert edited.descriptions() == ["Voorstel aanvaard: Gemeente r2c1 bij Verband west"]
    after = build_coverage_view(grid, edited.scheme)
    assert kpi(after, "unknown") == kpi(view, "unknown") - 1
    no_neighbour = {"unit_id": "x", "members": ("1",), "member_names": ("Eiland",), "partnership_id": None}
    with pytest.raises(EditError, match="Eiland"):
        AcceptCandidate.from_candidate(no_neighbour)


# -------------------------------------------------------------------------------------------------------------
# Undo, differences, conflicts
# -------------------------------------------------------------------------------------------------------------

def test_undo_returns_to_the_scheme_before_the_last_edits(scenario):
    one = scenario.apply(Assign(cell(0, 1), "oost"))
    two = one.apply(MarkNonParticipant(cell(1, 1)))
    three = two.apply(RenamePartnership("oost", "Oostkust"))
    back = three.undo()
    pd.testing.assert_frame_equal(back.scheme.memberships, two.scheme.memberships)
    pd.testing.assert_frame_equal(back.scheme.partnerships, two.scheme.partnerships)
    pd.testing.assert_frame_equal(back.scheme.non_participants, two.scheme.non_participants)
    assert back.descriptions() == two.descriptions()
    start = three.undo(3)
    assert start.history == () and start.municipality_differences().empty
    assert start.partnership_differences().empty
    with pytest.raises(EditError, match="maar 3 bewerkingen"):
        three.undo(4)
    with pytest.raises(EditError, match="niets meer"):
        start.undo()


def test_undo_after_many_edits_gives_what_replaying_from_the_start_gives(scenario):
    cells = [cell(row, col) for row in range(3) for col in range(3)]
    edits = [Assign(cells[n % 9], ("west", "oost")[n % 2]) if n % 3 else MarkNonParticipant(cells[(n * 4) % 9])
             for n in range(23)]
    edited = scenario.apply_all(edits)
    for steps in (1, 3, 4, 13, 14, 22, 23):
        expected = scenario.apply_all(edits[:23 - steps])
        undone = edited.undo(steps)
        for frame in ("partnerships", "memberships", "non_participants"):
            pd.testing.assert_frame_equal(getattr(undone.scheme, frame), getattr(expected.scheme, frame))
        assert undone.descriptions() == expected.descriptions()
        # and it can be undone further, and edited again, like any scenario
        assert undone.apply(edits[0]).descriptions() == expected.apply(edits[0]).descriptions()


def test_the_differences_from_the_starting_point(scenario):
    pid = scenario.new_partnership_id("Midden")
    edited = scenario.apply_all([
        CreatePartnership(pid, "Midden", members=(cell(0, 1), cell(1, 1))),
        Assign(cell(0, 0), "oost"),
        MarkNonParticipant(cell(1, 2)),
        SetCentreCity("west", None),
        SetLegalForm("west", "vzw"),
        RenamePartnership("oost", "Oostkust"),
        Assign(cell(1, 2), pid),
        Unassign(cell(1, 2)),
    ])
    by_municipality = edited.municipality_differences().set_index("nis")
    assert by_municipality.loc[cell(0, 1), "description"] == "Gemeente r0c1: onbekend → Midden"
    assert by_municipality.loc[cell(0, 0), "description"] == "Gemeente r0c0: Verband west → Oostkust"
    assert by_municipality.loc[cell(1, 2), "description"] == "Gemeente r1c2: Verband oost → onbekend"
    assert set(by_municipality.index) == {cell(0, 1), cell(1, 1), cell(0, 0), cell(1, 2)}
    by_partnership = edited.partnership_differences().set_index("partnership_id")
    assert by_partnership.loc[pid, "change"] == NEW
    assert by_partnership.loc[pid, "description"] == "Nieuw: Midden met Gemeente r0c1 en Gemeente r1c1"
    assert by_partnership.loc["oost", "change"] == CHANGED
    assert by_partnership.loc["oost", "description"] == ("Oostkust: hernoemd (was Verband oost); erbij: Gemeente r0c0; "
                                                         "eruit: Gemeente r1c2")
    assert by_partnership.loc["oost", "members_added"] == (cell(0, 0),)
    assert by_partnership.loc["west", "description"] == ("Verband west: eruit: Gemeente r0c0; centrumstad Gemeente "
                                                         "r1c0 → geen; rechtsvorm onbekend → vzw")
    deleted = edited.apply(DeletePartnership("west")).partnership_differences().set_index("partnership_id")
    assert deleted.loc["west", "change"] == DELETED
    assert deleted.loc["west", "description"].startswith("Verwijderd: Verband west (had Gemeente r0c0")


def test_merger_conflicts_are_resolved_by_deciding_about_the_municipality(scenario):
    assert list(scenario.open_conflicts()["nis_2025"]) == [cell(0, 1)]
    unrelated = scenario.apply(Assign(cell(1, 1), "oost"))
    assert list(unrelated.open_conflicts()["nis_2025"]) == [cell(0, 1)]
    kept = scenario.apply(KeepProjection(cell(0, 1)))
    assert kept.open_conflicts().empty and kept.conflicts()["resolved"].tolist() == [True]
    assert kept.descriptions() == ["Fusie Gemeente r0c1: projectie behouden"]
    assert scenario.apply(Assign(cell(0, 1), "west")).open_conflicts().empty
    assert not kept.undo().open_conflicts().empty


# -------------------------------------------------------------------------------------------------------------
# Conversion to the store and back
# -------------------------------------------------------------------------------------------------------------

def test_a_scheme_converts_to_plain_data_and_back_without_loss():
    scheme = grid_scheme()
    scheme.partnerships.loc[0, "legal_form"] = np.nan
    scheme.partnerships["standalone"] = np.array([True, False])
    scheme.memberships.loc[1, "evidence"] = pd.NA
    scheme.memberships["nis"] = scheme.memberships["nis"].astype(object)
    scheme.memberships.loc[2, "nis"] = 90200  # an integer code, as some readers give it
    stored = stored_scheme(scheme)
    assert stored.memberships[2]["nis"] == "90200" and stored.memberships[1]["evidence"] is None
    assert stored.partnerships[0]["standalone"] is True and stored.partnerships[0]["legal_form"] is None
    back = scheme_from_stored(stored)
    expected = normalised_scheme(scheme)
    for frame in ("partnerships", "memberships", "non_participants"):
        pd.testing.assert_frame_equal(getattr(back, frame), getattr(expected, frame))
    assert (back.scheme_id, back.label, back.boundary_version) == ("grid", "Rooster", "2019")
    assert stored_scheme(back) == stored


def test_a_saved_scenario_opens_with_its_differences_and_conflicts(scenario, names, tmp_path):
    edited = scenario.apply_all([Assign(cell(0, 1), "oost"), MarkNonParticipant(cell(1, 1))])
    store = ScenarioStore(str(tmp_path / "scenarios.sqlite"))
    saved = store.save_new("Rooster", "", scenario_content(edited, {"schema": "scenario", "provincie": "Antwerpen"}))
    loaded = store.load(saved.scenario_id)
    assert loaded.content.filters == {"schema": "scenario", "provincie": "Antwerpen"}
    opened = scenario_from_content(loaded.content, names)
    for frame in ("partnerships", "memberships", "non_participants"):
        pd.testing.assert_frame_equal(getattr(opened.scheme, frame), getattr(edited.scheme, frame))
    pd.testing.assert_frame_equal(opened.municipality_differences(), edited.municipality_differences())
    pd.testing.assert_frame_equal(opened.partnership_differences(), edited.partnership_differences())
    assert opened.open_conflicts().empty and list(opened.conflicts()["nis_2025"]) == [cell(0, 1)]
    assert (opened.start.kind, opened.start.label) == (START_RECONSTRUCTION, scenario.start.label)
    # Editing goes on from the saved version; undo stops there.
    further = opened.apply(Assign(cell(2, 1), "west"))
    assert further.undo().municipality_differences().equals(opened.municipality_differences())
    with pytest.raises(EditError):
        opened.undo()


def test_an_empty_start(names, grid):
    empty = new_scenario(starting_point(START_EMPTY, None, names, "2019"))
    assert empty.scheme.memberships.empty and empty.start.label == "Een lege kaart, de kaart 2019-2024 (300 gemeenten)"
    pid = empty.new_partnership_id("Alles")
    edited = empty.apply(CreatePartnership(pid, "Alles", members=tuple(names)))
    view = build_coverage_view(grid, edited.scheme)
    assert kpi(view, "municipality_share") == 1.0 and kpi(view, "partnerships") == 1


# -------------------------------------------------------------------------------------------------------------
# Real data
# -------------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_reconstruction_on_the_2025_map_lists_the_merger_conflicts_to_resolve():
    from analysis.datasets import build_view, merger_conflicts_for, regie_scheme, scenario_starting_point
    from analysis.mergers import DIFFERENT_PARTNERSHIPS, PARTLY_COVERED

    start = scenario_starting_point(START_RECONSTRUCTION, "2025")
    assert len(start.names) == 285 and start.boundary_version == "2025"
    assert set(start.scheme.memberships["nis"]) <= set(start.names)  # projected onto the 2025 codes
    conflicts = start.conflicts.set_index("nis_2025")
    full = merger_conflicts_for(regie_scheme()).set_index("nis_2025")
    assert list(conflicts.index) == list(full.index)
    # Antwerpen absorbed Borsbeek, which was not known to be in Antwerpen's partnership.
    assert PARTLY_COVERED in full.loc["11002", "conflict_types"]
    assert "Borsbeek" in conflicts.loc["11002", "description"] and conflicts.loc["11002", "name_2025"] == "Antwerpen"

    scenario = new_scenario(start)
    assert set(scenario.open_conflicts()["nis_2025"]) == set(conflicts.index)
    view = build_view(scenario.scheme, "2025")
    split = full[full["conflict_types"].map(lambda types: DIFFERENT_PARTNERSHIPS in types)]
    assert len(split), "the reconstruction has a merger whose parts were in different partnerships"
    merged = split.index[0]
    assert merged in set(view.overlaps["nis"])  # projected into both partnerships: an overlap
    chosen = min(scenario.scheme.memberships.loc[scenario.scheme.memberships["nis"] == merged, "partnership_id"])
    resolved = scenario.apply_all([KeepProjection("11002"), Assign(merged, chosen)])
    assert {"11002", merged} <= resolved.resolved_conflicts
    after = build_view(resolved.scheme, "2025")
    assert merged not in set(after.overlaps["nis"])
    assert kpi(after, "municipalities_in_several_partnerships") == kpi(view, "municipalities_in_several_partnerships") - 1
    assert len(resolved.municipality_differences()) == 1  # keeping the projection is no difference


def test_other_starting_points_on_the_real_maps():
    from analysis.datasets import build_view, scenario_starting_point
    from analysis.scenario_edit import START_REFERENCE_REGIONS, START_UPLOAD
    from geodata.official_list import read_membership_upload

    reconstruction = new_scenario(scenario_starting_point(START_RECONSTRUCTION, "2019"))
    assert reconstruction.start.conflicts.empty and len(reconstruction.names) == 300
    view = build_view(reconstruction.scheme, "2019")
    first = view.candidates[view.candidates["rank"] == 1].iloc[0]
    edited = reconstruction.apply(AcceptCandidate.from_candidate(first))
    after = build_view(edited.scheme, "2019")
    assert kpi(after, "municipalities") == kpi(view, "municipalities") + 1
    assert kpi(after, "population_covered") > kpi(view, "population_covered")

    regions = new_scenario(scenario_starting_point(START_REFERENCE_REGIONS, "2025"))
    assert regions.start.conflicts.empty
    assert set(regions.scheme.memberships["nis"]) == set(regions.names)  # every 2025 municipality in one region

    data = b"samenwerkingsverband;gemeente\nNoorderkempen;Antwerpen\nNoorderkempen;Borsbeek\n"
    uploaded, problems = read_membership_upload(data, "voorstel.csv")
    assert uploaded is not None, problems
    scheme = Scheme("upload", "upload voorstel.csv", uploaded.partnerships, uploaded.memberships,
                    uploaded.non_participants, source_note="voorstel.csv", boundary_version="2019")
    start = scenario_starting_point(START_UPLOAD, "2025", scheme)
    assert start.conflicts.empty  # both parts of the new Antwerpen are in the same partnership
    assert list(start.scheme.memberships["nis"]) == ["11002"] and start.label == "Upload voorstel.csv"
    with pytest.raises(EditError, match="geen upload"):
        scenario_starting_point(START_UPLOAD, "2019")


def test_a_scenario_is_compared_with_the_official_totals_only_on_the_map_they_describe():
    from analysis.datasets import REGIE, build_view, official_values, scenario_official_comparison, \
        scenario_starting_point
    from analysis.scenario import kpis_for
    from analysis.scenario_edit import START_REFERENCE_REGIONS
    from geodata.membership import official_totals

    on_2019 = scenario_official_comparison("2019")
    published = {key: item["value"] for key, item in official_totals().items()}
    assert on_2019.values == published == official_values(REGIE, "2019")
    assert on_2019.note.startswith("Vergeleken met de officiële totalen 2020-2025")
    # Whatever the starting point: the scenario is set beside the official situation on its map.
    regions = new_scenario(scenario_starting_point(START_REFERENCE_REGIONS, "2019"))
    view = build_view(regions.scheme, "2019")
    assert official_values(regions.scheme.scheme_id, "2019") is None  # the scheme id alone would give none
    kpis = kpis_for(view, official=on_2019.values).set_index("kpi")
    assert kpis.at["municipalities", "official"] == published["municipalities"]

    on_2025 = scenario_official_comparison("2025")
    assert on_2025.values is None
    assert on_2025.note.startswith("Geen vergelijking met de officiële totalen 2020-2025")
    kpis_2025 = kpis_for(build_view(new_scenario(scenario_starting_point(START_RECONSTRUCTION, "2025")).scheme,
                                    "2025"), official=on_2025.values)
    assert kpis_2025["official"].isna().all()
